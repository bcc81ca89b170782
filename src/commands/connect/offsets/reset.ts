import {Args, Flags} from '@oclif/core'

import {ConnectCommand} from '../../../connect-command.js'
import {readInput} from '../../../connect/config-file.js'
import {parseOffsetsFile} from '../../../connect/offsets.js'
import {waitForState} from '../../../connect/wait.js'
import {refusedError} from '../../../errors.js'

export interface ConnectorOffsetsReset {
  connector: string
  /** reset: every offset removed (the connector starts over); altered: set to the file's. */
  action: 'reset' | 'altered'
  /** Whether kafkit stopped the connector first (--stop). */
  stopped: boolean
  message: string
}

export default class ConnectOffsetsReset extends ConnectCommand<ConnectorOffsetsReset> {
  static summary = "Reset a stopped connector's offsets (KIP-875), or set them from a file"
  static description = `Connect changes offsets only while the connector is STOPPED: stop it first ('kafkit connect stop NAME --wait'), or let --stop do it. Without --from-file every offset is removed: a sink starts again from its consumer's auto.offset.reset (earliest by default), a source from its beginning. --from-file sets them to the file's (the JSON that 'offsets get NAME --json' prints). The connector stays stopped: 'kafkit connect resume NAME' starts it again. Asks first on a terminal; --yes otherwise.`
  static examples = [
    '<%= config.bin %> connect offsets reset orders-to-postgres --stop --yes',
    '<%= config.bin %> connect offsets get orders-file --json > offsets.json   # edit, then:',
    '<%= config.bin %> connect offsets reset orders-file --from-file offsets.json --yes',
  ]
  static args = {name: Args.string({description: 'connector name', required: true})}
  static flags = {
    'from-file': Flags.string({description: "set the offsets to this file's ({\"offsets\": [...]}, as 'offsets get --json' prints)"}),
    stop: Flags.boolean({description: 'stop the connector first when it is not stopped (it stays stopped)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<ConnectorOffsetsReset> {
    const {args, flags} = await this.parse(ConnectOffsetsReset)
    const offsets = flags['from-file'] ? parseOffsetsFile(await readInput(flags['from-file'], 'offsets file'), flags['from-file']) : undefined
    const connect = await this.connect()
    const status = await connect.status(args.name)
    const state = status.connector.state
    if (state !== 'STOPPED' && !flags.stop) {
      throw refusedError(
        `connector '${args.name}' is ${state}: Connect changes offsets only while a connector is STOPPED`,
        `stop it first ('kafkit connect stop ${args.name} --wait'), or add --stop; 'kafkit connect resume ${args.name}' starts it again`,
        'CONNECTOR_NOT_STOPPED',
      )
    }
    const what = offsets
      ? `set ${offsets.offsets.length} offset${offsets.offsets.length === 1 ? '' : 's'} of connector '${args.name}' from ${flags['from-file']}`
      : `remove every offset of connector '${args.name}' (it starts over when resumed)`
    await this.confirmDestructive(state === 'STOPPED' ? what : `stop connector '${args.name}' and ${what}`, flags.yes)
    let stopped = false
    if (state !== 'STOPPED') {
      await connect.stop(args.name)
      await waitForState(connect, args.name, 'STOPPED', this.timeoutMs)
      stopped = true
    }
    const message = offsets ? await connect.alterOffsets(args.name, offsets) : await connect.resetOffsets(args.name)
    const result: ConnectorOffsetsReset = {connector: args.name, action: offsets ? 'altered' : 'reset', stopped, message}
    this.render(result, (r, io) => {
      io.info(`${io.styleErr(r.action === 'reset' ? 'reset' : 'set', 'green')} the offsets of '${r.connector}'${r.stopped ? ' (stopped it first)' : ''}: ${r.message}`)
      io.info(io.styleErr(`it is stopped; start it again with 'kafkit connect resume ${r.connector}'`, 'dim'))
    })
    return result
  }
}
