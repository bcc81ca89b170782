import {Flags} from '@oclif/core'

import {ConnectCommand} from '../../connect-command.js'
import {type SinkLagSample, readSinkLags, sinkLag} from '../../connect/lag.js'
import {failedConnectorsError, summarizeConnectors, taskSummary} from '../../connect/overview.js'
import {type ListedConnector, lagText, renderConnectorList} from '../../connect/render.js'
import {formatRate} from '../../groups/rates.js'
import {parseDuration} from '../../specs/duration.js'
import {watch} from '../../output/watch.js'

export default class ConnectList extends ConnectCommand<ListedConnector[]> {
  static summary = "List connectors: state, tasks' states, class; failures highlighted"
  static description = `Exits 8 when a connector or one of its tasks is FAILED (after printing the list; --watch is a view and exits 0).
With --lag (and always with --watch) sink connectors also show their consumer lag: the lag of the group connect-<name> (or consumer.override.group.id), read from Kafka with the profile's brokers.
With --watch the view refreshes in place on a terminal, adding each sink's consumption rate and time to catch up (one line per connector and refresh when piped, JSON Lines with --json). Ctrl-C ends it.`
  static examples = ['<%= config.bin %> connect list', '<%= config.bin %> connect list --lag', '<%= config.bin %> connect list --watch --interval 5s', '<%= config.bin %> connect list --json']
  static flags = {
    lag: Flags.boolean({description: "sink connectors' consumer lag (needs the brokers)"}),
    watch: Flags.boolean({char: 'w', description: 'refresh until Ctrl-C, with lag, rates and time to catch up'}),
    interval: Flags.string({description: 'time between refreshes with --watch', default: '2s'}),
    count: Flags.integer({description: 'with --watch: stop after this many refreshes', min: 1}),
  }

  private watching = false

  override logJson(json: unknown): void {
    if (!this.watching) super.logJson(json)
  }

  async run(): Promise<ListedConnector[]> {
    const {flags} = await this.parse(ConnectList)
    const connect = await this.connect()
    if (!flags.watch) {
      const rows: ListedConnector[] = summarizeConnectors(await connect.connectors())
      if (flags.lag) {
        const samples = await readSinkLags(await this.client(), rows)
        for (const r of rows) if (r.group) r.lag = sinkLag(r.group, samples.get(r.name), undefined)
      }
      this.render(rows, (r, io) => renderConnectorList(r, io, {lag: flags.lag}))
      // A FAILED connector or task: the listing, then exit 8 naming them (scripts and CI checks see it).
      const failed = failedConnectorsError(rows, this.config.bin)
      if (failed) {
        if (this.io.json) this.logJson(rows)
        throw failed
      }
      return rows
    }

    const intervalMs = parseDuration(flags.interval, {bareUnit: 's', label: '--interval'})
    this.watching = true
    let previous = new Map<string, SinkLagSample>()
    let lagProblem: string | undefined
    let last: ListedConnector[] = []
    await watch(intervalMs, flags.count, async () => {
      const at = new Date().toISOString()
      const rows: ListedConnector[] = summarizeConnectors(await connect.connectors())
      let samples = new Map<string, SinkLagSample>()
      if (!lagProblem && rows.some((r) => r.group)) {
        // Without access to the brokers the watch goes on with states only.
        samples = await this.client()
          .then((client) => readSinkLags(client, rows))
          .catch((error: Error) => {
            lagProblem = error.message.split('\n')[0]
            this.io.warn(`no lag: ${lagProblem}`)
            return new Map<string, SinkLagSample>()
          })
      }
      for (const r of rows) if (r.group && !lagProblem) r.lag = sinkLag(r.group, samples.get(r.name), previous.get(r.name))
      previous = samples
      last = rows
      this.showSample(rows, at, flags.interval)
    })
    return last
  }

  private showSample(rows: ListedConnector[], at: string, interval: string): void {
    const io = this.io
    if (io.json) {
      io.stdout.write(JSON.stringify({at, connectors: rows}) + '\n')
      return
    }
    if (!io.stdoutIsTTY) {
      // One line per connector and refresh when piped: easy to log and to grep.
      for (const r of rows) {
        const rate = r.lag?.rates ? formatRate(r.lag.rates.consumeRate) : '-'
        io.out([at, r.name, r.type, r.state, taskSummary(r.tasks), `lag=${r.type === 'sink' ? lagText(r.lag) : '-'}`, `consume=${rate}`].join('\t'))
      }
      return
    }
    io.stdout.write('\u001B[H\u001B[2J') // refresh in place
    renderConnectorList(rows, io, {lag: true})
    io.out('')
    io.out(io.style(`${at}, every ${interval}; Ctrl-C to stop`, 'dim'))
  }
}
