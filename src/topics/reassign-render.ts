/** Human output of `topics reassign` and `topics elect-leaders`: one table on stdout, notes on stderr. */
import {countOf, formatBytes, formatEta} from '../output/numbers.js'
import type {IOStreams} from '../output/io.js'
import {renderTable} from '../output/table.js'
import type {ElectionPlan} from './elect.js'
import type {ReassignPlan} from './reassign.js'
import type {MovingPartition, ReassignProgress} from './reassign-progress.js'
import type {ElectionResult, Throttles} from './reassign-run.js'

const list = (ids: number[]) => (ids.length > 0 ? ids.join(',') : '-')

export function renderReassignPlan(plan: ReassignPlan, io: IOStreams): void {
  if (plan.changes.length > 0) {
    renderTable(
      io,
      [
        {header: 'TOPIC', get: (c) => c.topic},
        {header: 'PARTITION', get: (c) => c.partition, align: 'right'},
        {header: 'REPLICAS', get: (c) => list(c.current)},
        {header: 'NEW REPLICAS', get: (c) => list(c.target)},
        {header: 'ADD', get: (c) => list(c.adding)},
        {header: 'REMOVE', get: (c) => list(c.removing)},
        {header: 'PREFERRED LEADER', get: (c) => (c.preferredBefore === c.preferredAfter ? String(c.preferredAfter) : `${c.preferredBefore} -> ${c.preferredAfter}`)},
      ],
      plan.changes,
    )
  }
  for (const w of plan.warnings) io.warn(w)
  if (plan.changes.length === 0) return
  for (const b of plan.load) {
    if (b.replicasBefore === b.replicasAfter && b.leadersBefore === b.leadersAfter) continue
    const arrow = (before: number, after: number) => (before === after ? `${after}` : `${before} -> ${after}`)
    io.info(
      `broker ${b.broker}${b.rack ? ` (rack ${b.rack})` : ''}${b.live ? '' : ' (not live)'}: replicas ${arrow(b.replicasBefore, b.replicasAfter)}, leaders ${arrow(b.leadersBefore, b.leadersAfter)}`,
    )
  }
}

/** `reassign 6 partitions of 'orders': 4 replicas copied, 2 removed, 2 preferred leaders change`. */
export function describeReassignPlan(plan: ReassignPlan): string {
  const topics = plan.topics.length === 1 ? `'${plan.topics[0]}'` : countOf(plan.topics.length, 'topic')
  const parts = [
    `${countOf(plan.replicasAdded, 'replica')} copied`,
    `${plan.replicasRemoved} removed`,
    `${countOf(plan.leaderChanges, 'preferred leader')} change${plan.leaderChanges === 1 ? 's' : ''}`,
  ]
  return `reassign ${countOf(plan.changes.length, 'partition')} of ${topics} (brokers ${plan.brokers.join(',')}${plan.rackAware ? ', rack-aware' : ''}): ${parts.join(', ')}`
}

/** `3 partitions left, 12.0 MiB to copy, 5.00 MiB/s, ETA 2s`. */
export function describeProgress(p: ReassignProgress, rate: number | undefined, etaMs: number | undefined): string {
  const parts = [`${countOf(p.partitionsLeft, 'partition')} left`]
  if (!p.sizesUnknown || p.bytesLeft > 0) parts.push(`${formatBytes(p.bytesLeft)}${p.sizesUnknown ? '+' : ''} to copy`)
  if (rate !== undefined) parts.push(`${formatBytes(rate)}/s`)
  if (etaMs !== undefined) parts.push(`ETA ${formatEta(etaMs)}`)
  return parts.join(', ')
}

export function renderMoving(partitions: MovingPartition[], io: IOStreams): void {
  renderTable(
    io,
    [
      {header: 'TOPIC', get: (p) => p.topic},
      {header: 'PARTITION', get: (p) => p.partition, align: 'right'},
      {header: 'REPLICAS', get: (p) => list(p.target)},
      {header: 'ADDING', get: (p) => list(p.adding)},
      {header: 'REMOVING', get: (p) => list(p.removing)},
      {header: 'LEADER', get: (p) => (p.leader >= 0 ? p.leader : 'none'), align: 'right'},
      {header: 'BYTES LEFT', get: (p) => (p.bytesLeft === null ? '?' : io.stdoutIsTTY ? formatBytes(p.bytesLeft) : p.bytesLeft), align: 'right'},
    ],
    partitions,
  )
}

export function describeThrottles(t: Throttles): string[] {
  const lines: string[] = []
  for (const b of t.brokers) {
    const rate =
      b.leaderRate === b.followerRate
        ? `${formatBytes(b.leaderRate ?? 0)}/s`
        : `leader ${b.leaderRate === null ? '-' : `${formatBytes(b.leaderRate)}/s`}, follower ${b.followerRate === null ? '-' : `${formatBytes(b.followerRate)}/s`}`
    lines.push(`broker ${b.broker}: replication throttled to ${rate}`)
  }
  for (const x of t.topics) lines.push(`topic '${x.topic}': ${countOf(x.leader.length, 'leader replica')} and ${countOf(x.follower.length, 'follower replica')} throttled`)
  return lines
}

export function renderElectionPlan(plan: ElectionPlan, io: IOStreams): void {
  if (plan.rows.length === 0) return
  renderTable(
    io,
    [
      {header: 'TOPIC', get: (r) => r.topic},
      {header: 'PARTITION', get: (r) => r.partition, align: 'right'},
      {header: 'LEADER', get: (r) => (r.leader >= 0 ? r.leader : 'none'), align: 'right'},
      {header: plan.type === 'preferred' ? 'PREFERRED' : 'LIVE REPLICAS', get: (r) => list(r.candidates)},
      {header: 'ISR', get: (r) => list(r.isr)},
      {header: 'NOTE', get: (r) => (r.eligible ? '' : `skipped: ${r.reason}`)},
    ],
    plan.rows,
  )
}

export function renderElectionResults(results: ElectionResult[], io: IOStreams): void {
  renderTable(
    io,
    [
      {header: 'TOPIC', get: (r) => r.topic},
      {header: 'PARTITION', get: (r) => r.partition, align: 'right'},
      {header: 'LEADER', get: (r) => (r.before === r.after ? String(r.after) : `${r.before >= 0 ? r.before : 'none'} -> ${r.after >= 0 ? r.after : 'none'}`)},
      {header: 'OUTCOME', get: (r) => (r.message ? `${r.outcome}: ${r.message}` : r.outcome)},
    ],
    results,
  )
}
