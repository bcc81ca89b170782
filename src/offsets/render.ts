/** How a reset / undo plan looks: a table on a terminal, tab-separated values when piped, CSV with --export. */
import type {IOStreams} from '../output/io.js'
import {countOf, formatCount} from '../output/numbers.js'
import {renderTable} from '../output/table.js'
import type {PlanOutcome, PlanRow, ResetPlan} from './plan.js'

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

/** Shows a plan before anything changes: its warnings (not under --json: they are in the document) and its table. */
export function showPlan(plan: ResetPlan, io: IOStreams): PlanOutcome {
  if (!io.json) for (const w of plan.warnings) io.warn(w)
  if (!io.json) renderPlan(plan, io)
  return {group: plan.group, executed: false, partitions: plan.rows, changes: plan.changes, warnings: plan.warnings}
}

/** Without --execute: what would stop it, and that nothing changed (or `message`, e.g. after an export). */
export function planOnly(plan: ResetPlan, group: {groupId: string; members: unknown[]}, io: IOStreams, message?: string): void {
  if (group.members.length > 0 && !io.json) io.warn(`group '${group.groupId}' has ${group.members.length} active member(s): --execute will be refused until they stop`)
  io.info(message ?? `${planTotals(plan)}. Plan only, nothing changed: add --execute to apply it.`)
}
