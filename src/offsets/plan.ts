/**
 * Reset plans: for each partition, the group's current offset, the requested target, and the target after
 * clamping to the log (as kafka-consumer-groups does: below the log start -> earliest, above the end -> latest,
 * with a warning). Pure: src/offsets/reset.ts gathers the inputs from the cluster.
 */
import {notFoundError, usageError} from '../errors.js'
import type {PartitionOffset} from '../kafka/groups.js'
import type {Watermark} from '../kafka/offsets.js'
import {partitionKey} from '../groups/lag.js'
import type {Strategy} from './strategy.js'

/** What `offsets reset` and `offsets undo` return: the plan, and whether it was applied. */
export interface PlanOutcome {
  group: string
  executed: boolean
  partitions: PlanRow[]
  changes: number
  warnings: string[]
  /** The snapshot of the offsets before they changed (executed only): `kafkit offsets undo GROUP` restores it. */
  snapshot?: {id: string; path: string}
}

export interface PlanRow {
  topic: string
  partition: number
  /** The committed offset now; null when the group has none for the partition. */
  current: number | null
  /** The offset the strategy asked for, before clamping. */
  requested: number
  /** The offset that will be committed. */
  target: number
  /** Set when `requested` was outside the log and was moved to its start or end. */
  clamped?: 'earliest' | 'latest'
  /** target - current; null without a current offset. */
  delta: number | null
  logStart: number
  logEnd: number
  /** logEnd - target: what the group will have to read again. */
  lagAfter: number
}

export interface ResetPlan {
  group: string
  strategy: string
  rows: PlanRow[]
  warnings: string[]
  /** How many partitions actually move. */
  changes: number
}

export interface PlanInputs {
  group: string
  strategy: Strategy
  /** The partitions to reset. */
  partitions: {topic: string; partition: number}[]
  watermarks: Map<string, Watermark[]>
  committed: PartitionOffset[]
  /** Offsets at the strategy's time (datetime/duration), keyed by partitionKey. */
  atTime?: Map<string, number>
  /** Explicit targets (file / snapshot), keyed by partitionKey. */
  explicit?: Map<string, number>
  strategyLabel: string
}

export function buildPlan(inputs: PlanInputs): ResetPlan {
  const committed = new Map(inputs.committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]))
  const rows: PlanRow[] = []
  const warnings: string[] = []
  const missingCurrent: string[] = []
  for (const {topic, partition} of inputs.partitions) {
    const key = partitionKey(topic, partition)
    const w = inputs.watermarks.get(topic)?.find((x) => x.partition === partition)
    if (!w)
      throw notFoundError(
        'PARTITION_NOT_FOUND',
        `partition ${partition} of topic '${topic}' does not exist`,
        `'${topic}' has partitions 0-${Math.max(0, (inputs.watermarks.get(topic)?.length ?? 1) - 1)}`,
      )
    const current = committed.get(key) ?? null
    let requested: number
    switch (inputs.strategy.kind) {
      case 'earliest':
        requested = w.low
        break
      case 'latest':
        requested = w.high
        break
      case 'offset':
        requested = inputs.strategy.offset
        break
      case 'shift':
        if (current === null) {
          missingCurrent.push(`${topic}:${partition}`)
          continue
        }
        requested = current + inputs.strategy.by
        break
      case 'current':
        // kafka-consumer-groups resets a partition without a committed offset to the log end.
        requested = current ?? w.high
        break
      case 'datetime':
      case 'duration':
        requested = inputs.atTime?.get(key) ?? w.high
        break
      case 'file': {
        const explicit = inputs.explicit?.get(key)
        if (explicit === undefined) continue
        requested = explicit
        break
      }
    }
    let target = requested
    let clamped: PlanRow['clamped']
    if (requested < w.low) {
      target = w.low
      clamped = 'earliest'
      warnings.push(`${topic}:${partition}: offset ${requested} is before the log start ${w.low}; using earliest (${w.low})`)
    } else if (requested > w.high) {
      target = w.high
      clamped = 'latest'
      warnings.push(`${topic}:${partition}: offset ${requested} is past the log end ${w.high}; using latest (${w.high})`)
    }
    rows.push({
      topic,
      partition,
      current,
      requested,
      target,
      ...(clamped ? {clamped} : {}),
      delta: current === null ? null : target - current,
      logStart: w.low,
      logEnd: w.high,
      lagAfter: Math.max(0, w.high - target),
    })
  }
  if (missingCurrent.length > 0) {
    throw usageError(
      `--shift-by needs a committed offset, and group '${inputs.group}' has none for ${missingCurrent.slice(0, 5).join(', ')}${missingCurrent.length > 5 ? ` and ${missingCurrent.length - 5} more` : ''}`,
      'reset those partitions with --to-earliest, --to-latest or --to-offset first, or leave them out with --topic T:P,P',
      'NO_COMMITTED_OFFSET',
    )
  }
  return {
    group: inputs.group,
    strategy: inputs.strategyLabel,
    rows,
    warnings,
    changes: rows.filter((r) => r.current !== r.target).length,
  }
}

/** The offsets a plan commits. */
export function planOffsets(plan: ResetPlan): PartitionOffset[] {
  return plan.rows.map((r) => ({topic: r.topic, partition: r.partition, offset: r.target}))
}

/** Resolves the partitions named by --topic / --all-topics / a file against the cluster's topics. */
export function selectPartitions(scopes: {topic: string; partitions?: number[]}[], watermarks: Map<string, Watermark[]>): {topic: string; partition: number}[] {
  const out = new Map<string, {topic: string; partition: number}>()
  for (const scope of scopes) {
    const known = watermarks.get(scope.topic) ?? []
    const wanted = scope.partitions ?? known.map((w) => w.partition)
    for (const p of wanted) {
      if (!known.some((w) => w.partition === p)) {
        throw notFoundError(
          'PARTITION_NOT_FOUND',
          `partition ${p} of topic '${scope.topic}' does not exist`,
          `'${scope.topic}' has ${known.length} partition${known.length === 1 ? '' : 's'} (0-${Math.max(0, known.length - 1)})`,
        )
      }
      out.set(partitionKey(scope.topic, p), {topic: scope.topic, partition: p})
    }
  }
  return [...out.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}
