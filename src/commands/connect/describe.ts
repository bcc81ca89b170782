import {Args, Flags} from '@oclif/core'

import {ConnectCommand} from '../../connect-command.js'
import {type ConnectorDescription, describeConnector} from '../../connect/overview.js'
import {redactInlineCredentials} from '../../connect/redact.js'
import {renderConnectorDescription} from '../../connect/render.js'

type Described = ConnectorDescription & {traces?: Record<string, string>}

export default class ConnectDescribe extends ConnectCommand<Described> {
  static summary = 'Show a connector: state, tasks, the topics it uses, its config (secrets redacted), why it failed'
  static description =
    "A failed connector's or task's Java stack trace is shortened to the chain of causes and the frames of the code that threw; --full-trace prints it whole. Secrets in the config (passwords, tokens, JAAS lines, credentials in URLs) are shown as [redacted]."
  static examples = [
    '<%= config.bin %> connect describe orders-to-postgres',
    '<%= config.bin %> connect describe orders-to-postgres --full-trace',
    '<%= config.bin %> connect describe orders-to-postgres --json',
  ]
  static args = {name: Args.string({description: 'connector name', required: true})}
  static flags = {'full-trace': Flags.boolean({description: 'print failures with their whole stack trace'})}

  async run(): Promise<Described> {
    const {args, flags} = await this.parse(ConnectDescribe)
    const connect = await this.connect()
    const [info, status, topics] = await Promise.all([
      connect.connector(args.name),
      connect.status(args.name),
      // Topic tracking can be off on a worker (topic.tracking.enable=false): then the config says which topics.
      connect.topics(args.name).catch(() => undefined),
    ])
    const described: Described = describeConnector(args.name, status, info, topics)
    let full: Map<string, string> | undefined
    if (flags['full-trace']) {
      full = new Map()
      if (status.connector.trace) full.set('connector', redactInlineCredentials(status.connector.trace.trimEnd()))
      for (const t of status.tasks) if (t.trace) full.set(`task-${t.id}`, redactInlineCredentials(t.trace.trimEnd()))
      described.traces = Object.fromEntries(full)
    }
    this.render(described, (d, io) => renderConnectorDescription(d, io, {fullTrace: full}))
    return described
  }
}
