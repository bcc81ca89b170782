import {Args, Flags} from '@oclif/core'

import {ConnectCommand} from '../../connect-command.js'
import {waitForState} from '../../connect/wait.js'

export interface StateRequest {
  connectors: string[]
  /** The state asked for. */
  state: string
  /** With --wait: every connector got there. */
  reached: boolean
}

export default class ConnectPause extends ConnectCommand<StateRequest> {
  static summary = 'Pause connectors: their tasks stop processing records; config and offsets stay'
  static description = 'Connect applies it in the background; --wait returns once the connectors and their tasks are PAUSED (bounded by --timeout).'
  static examples = ['<%= config.bin %> connect pause orders-to-postgres', '<%= config.bin %> connect pause orders-to-postgres stock-sink --wait']
  static args = {names: Args.string({description: 'connector names', required: true})}
  static strict = false
  static flags = {wait: Flags.boolean({description: 'wait until the connectors are PAUSED'})}

  async run(): Promise<StateRequest> {
    const {argv, flags} = await this.parse(ConnectPause)
    const names = argv as string[]
    const connect = await this.connect()
    for (const name of names) await connect.pause(name)
    if (flags.wait) for (const name of names) await waitForState(connect, name, 'PAUSED', this.timeoutMs)
    const result: StateRequest = {connectors: names, state: 'PAUSED', reached: Boolean(flags.wait)}
    this.render(result, (r, io) => io.info(`${io.styleErr('paused', 'green')} ${r.connectors.join(', ')}${r.reached ? ': PAUSED' : ' (Connect applies it in the background; --wait waits for it)'}`))
    return result
  }
}
