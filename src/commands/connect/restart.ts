import {Args, Flags} from '@oclif/core'

import {ConnectCommand} from '../../connect-command.js'
import {summarizeConnectors} from '../../connect/overview.js'
import {usageError} from '../../errors.js'

export interface RestartResult {
  /** The connectors restarted, and what Connect said it restarts (RESTARTING) of each. */
  restarted: {connector: string; connectorRestarting: boolean; tasksRestarting: number[]}[]
}

export default class ConnectRestart extends ConnectCommand<RestartResult> {
  static summary = 'Restart a connector, its tasks too with --include-tasks, only what failed with --failed'
  static description = 'Without NAME, --failed restarts every connector whose connector or tasks have FAILED (and only those parts).'
  static examples = [
    '<%= config.bin %> connect restart orders-to-postgres',
    '<%= config.bin %> connect restart orders-to-postgres --include-tasks',
    '<%= config.bin %> connect restart orders-to-postgres --failed',
    '<%= config.bin %> connect restart --failed            # every connector with a failure',
  ]
  static args = {name: Args.string({description: 'connector name (optional with --failed)'})}
  static flags = {
    'include-tasks': Flags.boolean({description: "also restart the connector's tasks"}),
    failed: Flags.boolean({description: 'only the connector and tasks that have FAILED (implies --include-tasks)'}),
  }

  async run(): Promise<RestartResult> {
    const {args, flags} = await this.parse(ConnectRestart)
    if (!args.name && !flags.failed)
      throw usageError('name the connector to restart, or pass --failed to restart every failed one', "e.g. kafkit connect restart orders-to-postgres (names: 'kafkit connect list')")
    const connect = await this.connect()
    const names = args.name
      ? [args.name]
      : summarizeConnectors(await connect.connectors())
          .filter((c) => c.failed)
          .map((c) => c.name)
    const includeTasks = Boolean(flags['include-tasks'] || flags.failed)
    const result: RestartResult = {restarted: []}
    for (const name of names) {
      const status = await connect.restart(name, {includeTasks, onlyFailed: flags.failed})
      result.restarted.push({
        connector: name,
        connectorRestarting: status ? status.connector.state === 'RESTARTING' : true,
        tasksRestarting: status ? status.tasks.filter((t) => t.state === 'RESTARTING').map((t) => t.id) : [],
      })
    }
    this.render(result, (r, io) => {
      if (r.restarted.length === 0) return io.info('no connector has failed: nothing to restart')
      for (const c of r.restarted) {
        const parts = [c.connectorRestarting ? 'connector' : '', c.tasksRestarting.length > 0 ? `task${c.tasksRestarting.length === 1 ? '' : 's'} ${c.tasksRestarting.join(', ')}` : ''].filter(Boolean)
        io.info(`${io.styleErr('restarting', 'green')} ${c.connector}: ${parts.join(' and ') || 'nothing had failed'}`)
      }
      io.info(io.styleErr("follow their states with 'kafkit connect list'", 'dim'))
    })
    return result
  }
}
