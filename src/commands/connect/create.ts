import {Args, Flags} from '@oclif/core'

import {ConnectCommand} from '../../connect-command.js'
import {parseConnectorConfig, readInput} from '../../connect/config-file.js'
import {redactConfig} from '../../connect/redact.js'
import {formatFieldErrors, invalidConfigError, validateConfig} from '../../connect/validation.js'

export interface ConnectorCreation {
  name: string
  class: string
  /** false with --dry-run: validated only. */
  created: boolean
  config: Record<string, string | null>
}

export default class ConnectCreate extends ConnectCommand<ConnectorCreation> {
  static summary = "Create a connector from a config file, checked first by the connector's plugin"
  static description = `The file is JSON or YAML: a map of config keys, or Connect's own {"name": ..., "config": {...}}; a Kafka .properties file; or a 'connect apply' file (the entry named NAME). The plugin validates the config first (PUT /connector-plugins/{class}/config/validate): every field with an error is listed and nothing is created (exit 2). A connector of that name already existing is exit 2 too: change it with 'connect apply'.`
  static examples = [
    '<%= config.bin %> connect create orders-file -f orders-file.json',
    '<%= config.bin %> connect create orders-to-postgres -f connectors.yaml',
    '<%= config.bin %> connect create orders-file -f orders-file.json --dry-run   # validate only',
  ]
  static args = {name: Args.string({description: 'connector name (default: the name in the file)'})}
  static flags = {
    file: Flags.string({char: 'f', description: "the connector's config (JSON, YAML or .properties); '-' reads stdin", required: true}),
    'dry-run': Flags.boolean({description: 'validate only; create nothing'}),
  }

  async run(): Promise<ConnectorCreation> {
    const {args, flags} = await this.parse(ConnectCreate)
    const source = flags.file === '-' ? 'stdin' : flags.file
    const {name, config} = await parseConnectorConfig(await readInput(flags.file, 'connector config file'), source, args.name)
    const connect = await this.connect()
    const errors = await validateConfig(connect, name, config)
    if (errors.length > 0) {
      if (!this.io.json) for (const line of formatFieldErrors(name, errors)) this.io.stderr.write(`${line}\n`)
      throw invalidConfigError([{connector: name, errors}], source)
    }
    const result: ConnectorCreation = {name, class: config['connector.class'], created: false, config: redactConfig(config)}
    if (!flags['dry-run']) {
      await connect.create(name, config)
      result.created = true
    }
    this.render(result, (r, io) =>
      io.info(
        r.created
          ? `${io.styleErr('created', 'green')} connector '${r.name}' (${r.class}); see it with 'kafkit connect describe ${r.name}'`
          : `the config of '${r.name}' is valid (${r.class}); nothing created (--dry-run)`,
      ),
    )
    return result
  }
}
