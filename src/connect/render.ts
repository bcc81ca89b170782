/** How `kafkit connect` shows connectors: states coloured (failures red), tables on a TTY, tab-separated when piped. */
import {formatEta, formatRate} from '../groups/rates.js'
import type {IOStreams, Style} from '../output/io.js'
import {type Column, renderPairs, renderTable} from '../output/table.js'
import type {SinkLag} from './lag.js'
import {type ConnectorDescription, type ConnectorView, shortClass, taskSummary} from './overview.js'
import {formatShortTrace} from './trace.js'

export type ListedConnector = ConnectorView & {lag?: SinkLag}

export function stateStyles(state: string): Style[] {
  switch (state) {
    case 'RUNNING':
      return ['green']
    case 'FAILED':
      return ['red', 'bold']
    case 'PAUSED':
    case 'STOPPED':
    case 'RESTARTING':
      return ['yellow']
    default:
      return ['dim']
  }
}

const paintState = (io: IOStreams, state: string) => io.style(state, ...stateStyles(state))

export function lagText(lag: SinkLag | undefined): string {
  if (!lag) return '-'
  return lag.totalLag === null ? 'none yet' : String(lag.totalLag)
}

export function renderConnectorList(rows: ListedConnector[], io: IOStreams, options: {lag?: boolean} = {}): void {
  if (rows.length === 0) {
    if (io.stdoutIsTTY) io.info('no connectors')
    return
  }
  const withRates = options.lag && rows.some((r) => r.lag?.rates)
  const columns: Column<ListedConnector>[] = [
    {header: 'NAME', get: (c) => (c.failed ? io.style(c.name, 'red') : c.name)},
    {header: 'TYPE', get: (c) => c.type},
    {header: 'STATE', get: (c) => paintState(io, c.state)},
    {header: 'TASKS', get: (c) => (c.tasks.some((t) => t.state === 'FAILED') ? io.style(taskSummary(c.tasks), 'red') : taskSummary(c.tasks))},
    ...(options.lag ? [{header: 'LAG', get: (c: ListedConnector) => (c.type === 'sink' ? lagText(c.lag) : '-'), align: 'right' as const}] : []),
    ...(withRates ? [{header: 'RATE', get: (c: ListedConnector) => (c.lag?.rates ? formatRate(c.lag.rates.consumeRate) : '-'), align: 'right' as const}] : []),
    ...(withRates ? [{header: 'CATCH-UP', get: (c: ListedConnector) => (c.lag?.rates ? formatEta(c.lag.rates.catchUpSeconds) : '-')}] : []),
    {header: 'CLASS', get: (c) => (io.stdoutIsTTY ? shortClass(c.class) : c.class)},
  ]
  renderTable(io, columns, rows)
  if (!io.stdoutIsTTY) return
  // Why each failed one failed, one line each: the root cause.
  for (const c of rows.filter((r) => r.failed)) {
    if (c.error) io.out(`${io.style(c.name, 'red')}: ${c.error.root}`)
    for (const t of c.tasks.filter((x) => x.error)) io.out(`${io.style(`${c.name} task ${t.id}`, 'red')}: ${t.error!.root}`)
  }
  if (rows.some((r) => r.failed)) io.out(io.style('details: kafkit connect describe NAME; restart: kafkit connect restart NAME --failed', 'dim'))
}

export function renderConnectorDescription(d: ConnectorDescription, io: IOStreams, options: {fullTrace?: Map<string, string>} = {}): void {
  renderPairs(io, [
    ['name', d.name],
    ['type', d.type],
    ['state', paintState(io, d.state)],
    ['class', d.class],
    ['version', d.version],
    ['worker', d.workerId],
    ['tasks', taskSummary(d.tasks)],
    ...(d.group ? ([['consumer group', d.group]] as [string, string][]) : []),
    ['topics', d.topics.length > 0 ? `${d.topics.join(', ')}${d.topicsSource === 'config' ? ' (from the config)' : ''}` : undefined],
  ])
  if (d.error) {
    io.out('')
    io.out(io.style('connector failure:', 'red', 'bold'))
    for (const line of options.fullTrace?.get('connector')?.split('\n') ?? formatShortTrace(d.error)) io.out(`  ${line}`)
  }
  io.out('')
  if (io.stdoutIsTTY) io.out(io.style('tasks', 'bold'))
  renderTable(
    io,
    [
      {header: 'TASK', get: (t) => t.id, align: 'right'},
      {header: 'STATE', get: (t) => paintState(io, t.state)},
      {header: 'WORKER', get: (t) => t.workerId},
    ],
    d.tasks,
  )
  for (const t of d.tasks.filter((x) => x.error)) {
    io.out('')
    io.out(io.style(`task ${t.id} failure:`, 'red', 'bold'))
    for (const line of options.fullTrace?.get(`task-${t.id}`)?.split('\n') ?? formatShortTrace(t.error!)) io.out(`  ${line}`)
  }
  io.out('')
  if (io.stdoutIsTTY) io.out(io.style('config', 'bold'))
  renderPairs(
    io,
    Object.entries(d.config)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, v ?? undefined]),
  )
}
