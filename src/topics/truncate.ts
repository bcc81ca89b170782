/** `topics truncate`: which records go, per partition. Pure. */
import {usageError} from '../errors.js'
import {parseTime} from '../specs/offset-spec.js'

export type TruncatePoint = {kind: 'offset'; offset: number} | {kind: 'time'; timestamp: number}

/** `--before 1200` (an offset) or `--before @2026-11-24T09:00:00Z` / `@-2h` / `@1732438800000` (a time). */
export function parseTruncatePoint(text: string, now = Date.now()): TruncatePoint {
  const t = text.trim()
  if (t.startsWith('@')) return {kind: 'time', timestamp: parseTime(t.slice(1), now, '--before')}
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t)))
    throw usageError(`--before: '${text}' is not an offset or @TIME`, 'e.g. --before 1200, --before @2026-11-24T09:00:00Z, --before @-2h', 'BAD_OFFSET')
  return {kind: 'offset', offset: Number(t)}
}

/** `--partitions 0,2,5`. */
export function parsePartitionList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim())
  if (parts.some((p) => !/^\d+$/.test(p))) throw usageError(`--partitions: '${text}' is not a list of partition numbers`, 'e.g. --partitions 0,1,2', 'BAD_PARTITION')
  return [...new Set(parts.map(Number))].sort((a, b) => a - b)
}

export interface TruncateRow {
  partition: number
  low: number
  high: number
  /** The new log start offset. */
  before: number
  /** Records removed (before - low, never negative). */
  deleted: number
  /** The target was outside [low, high] and moved to its edge. */
  clamped?: 'low' | 'high'
}

export interface TruncatePlan {
  topic: string
  rows: TruncateRow[]
  deleted: number
}

/**
 * For an offset: the same offset in every chosen partition. For a time: each partition's first offset at or after
 * it (`atTime`, the high watermark where no record is that recent).
 */
export function planTruncate(
  topic: string,
  watermarks: {partition: number; low: number; high: number}[],
  point: TruncatePoint,
  partitions: number[] | undefined,
  atTime?: Map<number, number>,
): TruncatePlan {
  const known = new Set(watermarks.map((w) => w.partition))
  const missing = (partitions ?? []).filter((p) => !known.has(p))
  if (missing.length > 0) throw usageError(`topic '${topic}' has no partition ${missing.join(', ')}`, `it has partitions 0-${watermarks.length - 1}`, 'BAD_PARTITION')
  const chosen = watermarks.filter((w) => !partitions || partitions.includes(w.partition))
  const rows = chosen.map((w): TruncateRow => {
    const wanted = point.kind === 'offset' ? point.offset : (atTime?.get(w.partition) ?? w.high)
    const target = wanted < 0 ? w.high : wanted
    const before = Math.min(Math.max(target, w.low), w.high)
    const row: TruncateRow = {partition: w.partition, low: w.low, high: w.high, before, deleted: before - w.low}
    if (target < w.low) row.clamped = 'low'
    else if (target > w.high) row.clamped = 'high'
    return row
  })
  return {topic, rows, deleted: rows.reduce((n, r) => n + r.deleted, 0)}
}
