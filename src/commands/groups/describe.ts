import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {type GroupLag} from '../../groups/lag.js'
import {describeGroupLag} from '../../groups/overview.js'
import {type GroupRates, computeRates, describeCatchUp, formatEta, formatRate} from '../../groups/rates.js'
import type {IOStreams} from '../../output/io.js'
import {renderPairs, renderTable} from '../../output/table.js'
import {parseWaitDuration} from '../../specs/duration.js'

type Described = GroupLag & {at?: string; rates?: GroupRates}

export default class GroupsDescribe extends KafkaCommand<Described> {
  static summary = "Show a group's lag per partition: committed offset, log end, lag, owning member"
  static description =
    'With --watch the view refreshes in place on a terminal, adding the consumption rate and the time to catch up at that rate (one line per refresh when piped, JSON Lines with --json). Ctrl-C ends it.'
  static examples = [
    '<%= config.bin %> groups describe billing',
    '<%= config.bin %> groups describe billing --json',
    '<%= config.bin %> groups describe billing --watch --interval 5s',
  ]
  static args = {group: Args.string({description: 'group id', required: true})}
  static flags = {
    watch: Flags.boolean({char: 'w', description: 'refresh until Ctrl-C, with rates and time to catch up'}),
    interval: Flags.string({description: 'time between refreshes with --watch', default: '2s'}),
    count: Flags.integer({description: 'with --watch: stop after this many refreshes', min: 1}),
  }

  private watching = false

  override logJson(json: unknown): void {
    if (!this.watching) super.logJson(json)
  }

  async run(): Promise<Described> {
    const {args, flags} = await this.parse(GroupsDescribe)
    const client = await this.client()
    if (!flags.watch) {
      const lag = await describeGroupLag(client, args.group)
      this.render(lag, renderLag)
      return lag
    }

    const intervalMs = parseWaitDuration(flags.interval, '--interval')
    this.watching = true
    let stop = false
    let wake: () => void = () => {}
    const onSignal = () => {
      stop = true
      wake()
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    let previous: {lag: GroupLag; at: number} | undefined
    let last: Described | undefined
    try {
      for (let n = 1; !stop; n++) {
        const at = Date.now()
        const lag = await describeGroupLag(client, args.group)
        const rates = previous ? computeRates(previous.lag, previous.at, lag, at) : undefined
        last = {...lag, at: new Date(at).toISOString(), ...(rates ? {rates} : {})}
        this.showSample(last)
        previous = {lag, at}
        if (flags.count && n >= flags.count) break
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
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
      io.out([sample.at, sample.group, sample.state, `lag=${sample.totalLag}`, `consume=${r ? formatRate(r.consumeRate) : '-'}`, `produce=${r ? formatRate(r.produceRate) : '-'}`, `catch-up=${r ? formatEta(r.catchUpSeconds) : '-'}`].join('\t'))
      return
    }
    io.stdout.write('\u001B[H\u001B[2J') // refresh in place
    renderLag(sample, io)
    io.out('')
    const r = sample.rates
    io.out(
      r
        ? `${describeCatchUp(r)}  ${io.style(`(${sample.at}, Ctrl-C to stop)`, 'dim')}`
        : io.style('measuring rates...', 'dim'),
    )
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
      ['total lag', lag.totalLag],
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
      ...(lag.rates ? [{header: 'RATE', get: (p: GroupLag['partitions'][number]) => formatRate(rates.get(`${p.topic}:${p.partition}`) ?? 0), align: 'right' as const}] : []),
      {header: 'CLIENT-ID', get: (p) => p.clientId},
      {header: 'HOST', get: (p) => p.host},
      {header: 'MEMBER-ID', get: (p) => p.memberId},
    ],
    lag.partitions,
  )
}
