import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {usageError} from '../../errors.js'
import {formatTimeLag, type GroupLag} from '../../groups/lag.js'
import {describeAllGroupsLag, describeGroupLag} from '../../groups/overview.js'
import {formatCount} from '../../output/numbers.js'
import {type GroupRates, computeRates, describeCatchUp, formatEta, formatRate} from '../../groups/rates.js'
import type {IOStreams} from '../../output/io.js'
import {renderPairs, renderTable} from '../../output/table.js'
import {parseWaitDuration} from '../../specs/duration.js'
import {watch} from '../../output/watch.js'

type Described = GroupLag & {at?: string; rates?: GroupRates}

export default class GroupsDescribe extends KafkaCommand<Described | GroupLag[]> {
  static summary = "Show a group's lag per partition (committed offset, log end, lag, time lag, owning member); --all for every group"
  static description = `TIME-LAG is how long the oldest unconsumed record of the partition (the one at the committed offset) has waited: now minus its timestamp; 0s when caught up.

--all describes every group (or, with a regular expression, those whose id matches) in one round of requests, as kafka-consumer-groups --describe --all-groups does.

With --watch the view refreshes in place on a terminal, adding the consumption rate and the time to catch up at that rate (one line per refresh when piped, JSON Lines with --json). Ctrl-C ends it.

Piped, the output is tab-separated with a header line, one row per partition (a group without partitions gets one row with - in the partition columns):
GROUP STATE MEMBERS TOPIC PARTITION COMMITTED LOG-END LAG TIME-LAG-MS CLIENT-ID HOST MEMBER-ID`
  static examples = [
    '<%= config.bin %> groups describe billing',
    '<%= config.bin %> groups describe billing --json',
    '<%= config.bin %> groups describe --all',
    "<%= config.bin %> groups describe --all '^billing-'",
    '<%= config.bin %> groups describe billing --watch --interval 5s --count 3',
  ]
  static args = {group: Args.string({description: 'group id (with --all: a regular expression on group ids)'})}
  static flags = {
    all: Flags.boolean({char: 'a', description: 'every group (or those matching the regular expression given as GROUP)'}),
    watch: Flags.boolean({char: 'w', description: 'refresh until Ctrl-C, with rates and time to catch up'}),
    interval: Flags.string({description: 'time between refreshes with --watch', default: '2s'}),
    count: Flags.integer({description: 'with --watch: stop after this many refreshes', min: 1}),
  }

  private watching = false

  override logJson(json: unknown): void {
    if (!this.watching) super.logJson(json)
  }

  async run(): Promise<Described | GroupLag[]> {
    const {args, flags} = await this.parse(GroupsDescribe)
    if (flags.all && flags.watch) throw usageError('--watch follows one group', 'drop --all, or run without --watch')
    if (!flags.all && !args.group) throw usageError('name a group, or pass --all', "e.g. kafkit groups describe billing, kafkit groups describe --all '^billing-'")
    const client = await this.client()
    if (flags.all) {
      const all = await describeAllGroupsLag(client, args.group)
      if (!this.io.json) renderMany(all, this.io, args.group)
      return all
    }
    const group = args.group!
    if (!flags.watch) {
      const lag = await describeGroupLag(client, group)
      if (!this.io.json) this.io.stdoutIsTTY ? renderLag(lag, this.io) : renderTsv([lag], this.io)
      return lag
    }

    const intervalMs = parseWaitDuration(flags.interval, '--interval')
    this.watching = true
    let previous: {lag: GroupLag; at: number} | undefined
    let last: Described | undefined
    await watch(intervalMs, flags.count, async () => {
      const at = Date.now()
      const lag = await describeGroupLag(client, group)
      const rates = previous ? computeRates(previous.lag, previous.at, lag, at) : undefined
      last = {...lag, at: new Date(at).toISOString(), ...(rates ? {rates} : {})}
      this.showSample(last)
      previous = {lag, at}
    })
    return last!
  }

  private showSample(sample: Described): void {
    const io = this.io
    if (io.json) {
      io.stdout.write(JSON.stringify(sample) + '\n')
      return
    }
    if (!io.stdoutIsTTY) {
      // One line per refresh when piped: easy to log and to grep.
      const r = sample.rates
      io.out(
        [
          sample.at,
          sample.group,
          sample.state,
          `lag=${sample.totalLag}`,
          `consume=${r ? formatRate(r.consumeRate) : '-'}`,
          `produce=${r ? formatRate(r.produceRate) : '-'}`,
          `catch-up=${r ? formatEta(r.catchUpSeconds) : '-'}`,
          `time-lag=${formatTimeLag(sample.maxTimeLagMs)}`,
        ].join('\t'),
      )
      return
    }
    io.stdout.write('\u001B[H\u001B[2J') // refresh in place
    renderLag(sample, io)
    io.out('')
    const r = sample.rates
    io.out(r ? `${describeCatchUp(r)}  ${io.style(`(${sample.at}, Ctrl-C to stop)`, 'dim')}` : io.style('measuring rates...', 'dim'))
  }
}

function renderLag(lag: Described, io: IOStreams): void {
  const rates = new Map(lag.rates?.partitions.map((p) => [`${p.topic}:${p.partition}`, p.consumeRate]))
  if (io.stdoutIsTTY) {
    renderPairs(io, [
      ['group', lag.group],
      ['state', lag.state],
      ...(lag.type === 'consumer' ? [['protocol', `new consumer protocol (KIP-848), assignor ${lag.protocol || '-'}`] as [string, string]] : []),
      ['members', lag.members.length],
      ['total lag', formatCount(lag.totalLag)],
      ['time lag', formatTimeLag(lag.maxTimeLagMs)],
    ])
    io.out('')
    if (lag.partitions.length === 0) {
      io.out(io.style('no committed offsets and no assigned partitions', 'dim'))
      return
    }
  }
  renderTable(
    io,
    [
      {header: 'TOPIC', get: (p) => p.topic},
      {header: 'PARTITION', get: (p) => p.partition, align: 'right'},
      {header: 'COMMITTED', get: (p) => p.committed, align: 'right'},
      {header: 'LOG-END', get: (p) => p.logEnd, align: 'right'},
      {header: 'LAG', get: (p) => p.lag, align: 'right'},
      {header: 'TIME-LAG', get: (p) => formatTimeLag(p.timeLagMs), align: 'right'},
      ...(lag.rates ? [{header: 'RATE', get: (p: GroupLag['partitions'][number]) => formatRate(rates.get(`${p.topic}:${p.partition}`) ?? 0), align: 'right' as const}] : []),
      {header: 'CLIENT-ID', get: (p) => p.clientId},
      {header: 'HOST', get: (p) => p.host},
      {header: 'MEMBER-ID', get: (p) => p.memberId},
    ],
    lag.partitions,
  )
}

/** `--all` on a terminal: one table, a GROUP column first (as kafka-consumer-groups --describe --all-groups). */
function renderMany(groups: GroupLag[], io: IOStreams, pattern?: string): void {
  if (!io.stdoutIsTTY) {
    renderTsv(groups, io)
    return
  }
  if (groups.length === 0) {
    io.info(pattern ? `no consumer groups match '${pattern}'` : 'no consumer groups')
    return
  }
  type Row = {g: GroupLag; p?: GroupLag['partitions'][number]}
  const rows: Row[] = groups.flatMap((g) => (g.partitions.length > 0 ? g.partitions.map((p) => ({g, p})) : [{g}]))
  renderTable<Row>(
    io,
    [
      {header: 'GROUP', get: (r) => r.g.group},
      {header: 'STATE', get: (r) => r.g.state},
      {header: 'TOPIC', get: (r) => r.p?.topic},
      {header: 'PARTITION', get: (r) => r.p?.partition, align: 'right'},
      {header: 'COMMITTED', get: (r) => r.p?.committed, align: 'right'},
      {header: 'LOG-END', get: (r) => r.p?.logEnd, align: 'right'},
      {header: 'LAG', get: (r) => r.p?.lag, align: 'right'},
      {header: 'TIME-LAG', get: (r) => (r.p ? formatTimeLag(r.p.timeLagMs) : undefined), align: 'right'},
      {header: 'CLIENT-ID', get: (r) => r.p?.clientId},
      {header: 'HOST', get: (r) => r.p?.host},
    ],
    rows,
  )
  const total = groups.reduce((sum, g) => sum + g.totalLag, 0)
  io.info(`${formatCount(groups.length)} group${groups.length === 1 ? '' : 's'}, total lag ${formatCount(total)}`)
}

const TSV_HEADER = ['GROUP', 'STATE', 'MEMBERS', 'TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'TIME-LAG-MS', 'CLIENT-ID', 'HOST', 'MEMBER-ID']

/** Piped: a header line, then one row per partition carrying the group's state and member count. */
function renderTsv(groups: GroupLag[], io: IOStreams): void {
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : String(v).replaceAll('\t', ' ').replaceAll('\n', ' '))
  const lines = [TSV_HEADER.join('\t')]
  for (const g of groups) {
    const head = [g.group, g.state, g.members.length]
    if (g.partitions.length === 0) lines.push([...head, '-', '-', '-', '-', '-', '-', '-', '-', '-'].map(cell).join('\t'))
    for (const p of g.partitions) lines.push([...head, p.topic, p.partition, p.committed, p.logEnd, p.lag, p.timeLagMs, p.clientId, p.host, p.memberId].map(cell).join('\t'))
  }
  io.stdout.write(lines.join('\n') + '\n')
}
