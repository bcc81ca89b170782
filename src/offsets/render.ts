/** How a reset / undo plan looks: a table on a terminal, tab-separated values when piped, CSV with --export. */
import type {IOStreams} from '../output/io.js'
import {countOf, formatCount} from '../output/numbers.js'
import {renderTable} from '../output/table.js'
import type {PlanRow, ResetPlan} from './plan.js'

const signed = (n: number | null) => (n === null ? '-' : n > 0 ? `+${n}` : String(n))

export function renderPlan(plan: ResetPlan, io: IOStreams): void {
  if (plan.rows.length === 0) {
    io.info('nothing to reset: no partitions selected')
    return
  }
  if (io.stdoutIsTTY) {
    renderTable<PlanRow>(
      io,
      [
        {header: 'TOPIC', get: (r) => r.topic},
        {header: 'PARTITION', get: (r) => r.partition, align: 'right'},
        {header: 'CURRENT → NEW', get: (r) => `${r.current ?? '-'} → ${r.target}${r.clamped ? ` (${r.clamped})` : ''}`, align: 'right'},
        {header: 'DELTA', get: (r) => signed(r.delta), align: 'right'},
        {header: 'LAG AFTER', get: (r) => r.lagAfter, align: 'right'},
      ],
      plan.rows,
    )
    return
  }
  renderTable<PlanRow>(
    io,
    [
      {header: 'TOPIC', get: (r) => r.topic},
      {header: 'PARTITION', get: (r) => r.partition},
      {header: 'CURRENT', get: (r) => r.current},
      {header: 'NEW', get: (r) => r.target},
      {header: 'DELTA', get: (r) => signed(r.delta)},
      {header: 'LAG-AFTER', get: (r) => r.lagAfter},
    ],
    plan.rows,
  )
}

export function planTotals(plan: ResetPlan): string {
  const lag = plan.rows.reduce((s, r) => s + r.lagAfter, 0)
  return `${countOf(plan.rows.length, 'partition')}, ${formatCount(plan.changes)} moving; lag after: ${formatCount(lag)}`
}
