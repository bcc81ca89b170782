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

export default class ConnectResume extends ConnectCommand<StateRequest> {
  static summary = 'Resume paused or stopped connectors'
  static description = 'Connect applies it in the background; --wait returns once the connectors and their tasks are RUNNING (bounded by --timeout).'
  static examples = ['<%= config.bin %> connect resume orders-to-postgres', '<%= config.bin %> connect resume orders-to-postgres stock-sink --wait']
  static args = {names: Args.string({description: 'connector names', required: true})}
  static strict = false
  static flags = {wait: Flags.boolean({description: 'wait until the connectors are RUNNING'})}

  async run(): Promise<StateRequest> {
    const {argv, flags} = await this.parse(ConnectResume)
    const names = argv as string[]
    const connect = await this.connect()
    for (const name of names) await connect.resume(name)
    if (flags.wait) for (const name of names) await waitForState(connect, name, 'RUNNING', this.timeoutMs)
    const result: StateRequest = {connectors: names, state: 'RUNNING', reached: Boolean(flags.wait)}
    this.render(result, (r, io) => io.info(`${io.styleErr('resumed', 'green')} ${r.connectors.join(', ')}${r.reached ? ': RUNNING' : ' (Connect applies it in the background; --wait waits for it)'}`))
    return result
  }
}
