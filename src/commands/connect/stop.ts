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

export default class ConnectStop extends ConnectCommand<StateRequest> {
  static summary = 'Stop connectors and shut their tasks down (KIP-875): the config stays, and offsets can then be changed'
  static description = 'Connect applies it in the background; --wait returns once the connectors and their tasks are STOPPED (bounded by --timeout).'
  static examples = ['<%= config.bin %> connect stop orders-to-postgres', '<%= config.bin %> connect stop orders-to-postgres stock-sink --wait']
  static args = {names: Args.string({description: 'connector names', required: true})}
  static strict = false
  static flags = {wait: Flags.boolean({description: 'wait until the connectors are STOPPED'})}

  async run(): Promise<StateRequest> {
    const {argv, flags} = await this.parse(ConnectStop)
    const names = argv as string[]
    const connect = await this.connect()
    for (const name of names) await connect.stop(name)
    if (flags.wait) for (const name of names) await waitForState(connect, name, 'STOPPED', this.timeoutMs)
    const result: StateRequest = {connectors: names, state: 'STOPPED', reached: Boolean(flags.wait)}
    this.render(result, (r, io) => io.info(`${io.styleErr('stopped', 'green')} ${r.connectors.join(', ')}${r.reached ? ': STOPPED' : ' (Connect applies it in the background; --wait waits for it)'}`))
    return result
  }
}
