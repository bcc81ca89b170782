/**
 * Offset, time and range specs (docs/ARCHITECTURE.md), shared by consume, offsets and replay. Pure: resolving a spec
 * against a cluster is src/kafka/offsets.ts.
 *
 *   beginning | end | stored      earliest, latest, the group's committed offset
 *   1234                          an absolute offset
 *   -100                          100 records before the end of each partition
 *   @2026-11-24T09:00:00Z         first offset at or after that time (also @2026-11-24, @1732438800000)
 *   @-2h, @-30m                   relative to now
 *   FROM:TO                       a closed window (`100:200`, `@-48h:@-24h`)
 */
import {usageError} from '../errors.js'
import {parseDuration} from './duration.js'

export type OffsetSpec = {kind: 'beginning'} | {kind: 'end'} | {kind: 'stored'} | {kind: 'offset'; offset: number} | {kind: 'fromEnd'; count: number} | {kind: 'time'; timestamp: number}

export interface RangeSpec {
  from: OffsetSpec
  to: OffsetSpec
}

export const SPEC_EXAMPLES = 'beginning, end, stored, 1234, -100, @2026-11-24T09:00:00Z, @-2h'

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i

/** The latest time a JavaScript Date (and so an ISO-8601 string) can hold. */
const MAX_TIME = 8.64e15

/** Parses a time: ISO-8601 (a date alone is UTC midnight; no zone means UTC), epoch ms, or `-2h` from now. */
export function parseTime(input: string, now = Date.now(), label = 'time'): number {
  const text = input.trim()
  const ms = timeOf(text, now, label)
  // Kafka reads negative timestamps in ListOffsets as "latest" (-1) and "earliest" (-2): a time before 1970
  // must not become one of those.
  if (ms !== undefined && ms >= 0 && ms <= MAX_TIME) return ms
  if (ms !== undefined) throw usageError(`${label}: '${input}' is ${ms < 0 ? 'before 1970' : 'too far in the future'}`, 'Kafka timestamps are milliseconds since 1970-01-01T00:00:00Z', 'BAD_TIME')
  throw usageError(`${label}: '${input}' is not a time`, 'use ISO-8601 (2026-11-24T09:00:00Z), epoch milliseconds (1732438800000) or relative (-2h, -30m)', 'BAD_TIME')
}

function timeOf(text: string, now: number, label: string): number | undefined {
  if (/^\d{10,}$/.test(text)) return Number(text)
  if (text === 'now') return now
  if (/^-\d/.test(text)) return now - parseDuration(text.slice(1), {label})
  if (ISO.test(text)) {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) && text.length > 10
    const ms = Date.parse(hasZone ? text : text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`)
    if (Number.isFinite(ms)) return ms
  }
  return undefined
}

/** A whole number a JavaScript number holds exactly (offsets above 2^53 would silently change). */
function exactNumber(text: string, input: string, label: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw usageError(`${label}: '${input}' is too large`, `offsets go up to ${Number.MAX_SAFE_INTEGER}`, 'BAD_SPEC')
  return n
}

export function parseOffsetSpec(input: string, now = Date.now(), label = 'offset spec'): OffsetSpec {
  const text = input.trim().toLowerCase()
  if (text === 'beginning' || text === 'earliest' || text === 'start') return {kind: 'beginning'}
  if (text === 'end' || text === 'latest') return {kind: 'end'}
  if (text === 'stored' || text === 'committed') return {kind: 'stored'}
  if (/^\d+$/.test(text)) return {kind: 'offset', offset: exactNumber(text, input, label)}
  if (/^-\d+$/.test(text)) return {kind: 'fromEnd', count: exactNumber(text.slice(1), input, label)}
  if (text.startsWith('@')) {
    let timestamp: number
    try {
      timestamp = parseTime(input.trim().slice(1), now, label)
    } catch (error) {
      const why = (error as Error).message.match(/ is (before 1970|too far in the future)$/)?.[1]
      throw usageError(`${label}: '${input}' is ${why ?? 'not a valid time'}`, `use one of: ${SPEC_EXAMPLES}`, 'BAD_SPEC')
    }
    return {kind: 'time', timestamp}
  }
  throw usageError(`${label}: '${input}' is not an offset spec`, `use one of: ${SPEC_EXAMPLES}`, 'BAD_SPEC')
}

/**
 * A window whose TO comes before its FROM is a typing error (exit 2), not an empty read: caught when both ends
 * are offsets, both times, or both counted from the end (`-5` to `-10`). Mixed kinds depend on the log.
 */
export function checkWindowOrder(from: OffsetSpec, to: OffsetSpec, range?: string): void {
  const backwards =
    (from.kind === 'offset' && to.kind === 'offset' && to.offset < from.offset) ||
    (from.kind === 'time' && to.kind === 'time' && to.timestamp < from.timestamp) ||
    (from.kind === 'fromEnd' && to.kind === 'fromEnd' && to.count > from.count)
  if (!backwards) return
  const message =
    range === undefined
      ? `--to ${describeSpec(to)} is before --from ${describeSpec(from)}: the window is backwards`
      : `--range ${range} is backwards: TO ${describeSpec(to)} is before FROM ${describeSpec(from)}`
  throw usageError(message, 'the window is FROM..TO with TO included: swap them', 'BAD_SPEC')
}

/** `FROM:TO`. Times contain colons, so every split is tried; the first where both sides parse wins. */
export function parseRange(input: string, now = Date.now()): RangeSpec {
  const text = input.trim()
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    let range: RangeSpec
    try {
      range = {from: parseOffsetSpec(text.slice(0, i), now, '--range'), to: parseOffsetSpec(text.slice(i + 1), now, '--range')}
    } catch {
      continue // try the next colon
    }
    checkWindowOrder(range.from, range.to, input)
    return range
  }
  throw usageError(`--range: '${input}' is not a FROM:TO window`, 'e.g. --range 100:200, --range @-48h:@-24h, --range @2026-11-24T09:00Z:@2026-11-24T10:00Z', 'BAD_SPEC')
}

export function describeSpec(spec: OffsetSpec): string {
  switch (spec.kind) {
    case 'offset':
      return String(spec.offset)
    case 'fromEnd':
      return `-${spec.count}`
    case 'time':
      return `@${new Date(spec.timestamp).toISOString()}`
    default:
      return spec.kind
  }
}
