/**
 * The reset strategies of kafka-consumer-groups, from flags. Exactly one must be given (exit 2 otherwise).
 * Pure.
 */
import {usageError} from '../errors.js'
import {parseDuration} from '../specs/duration.js'
import {parseTime} from '../specs/offset-spec.js'

export type Strategy =
  | {kind: 'earliest'}
  | {kind: 'latest'}
  | {kind: 'offset'; offset: number}
  | {kind: 'shift'; by: number}
  | {kind: 'datetime'; timestamp: number}
  | {kind: 'duration'; ms: number; timestamp: number}
  | {kind: 'current'}
  | {kind: 'file'; path: string}

export interface StrategyFlags {
  'to-earliest'?: boolean
  'to-latest'?: boolean
  'to-offset'?: string
  'shift-by'?: string
  'to-datetime'?: string
  'by-duration'?: string
  'to-current'?: boolean
  'from-file'?: string
}

export const STRATEGY_FLAGS = ['--to-earliest', '--to-latest', '--to-offset N', '--shift-by ±N', '--to-datetime TIME', '--by-duration D', '--to-current', '--from-file CSV']

export function parseStrategy(flags: StrategyFlags, now = Date.now()): Strategy {
  const given = (Object.keys(flags) as (keyof StrategyFlags)[]).filter((k) => flags[k] !== undefined && flags[k] !== false)
  if (given.length === 0) {
    throw usageError('no reset strategy given', `pick one of ${STRATEGY_FLAGS.join(', ')}`, 'NO_STRATEGY')
  }
  if (given.length > 1) {
    throw usageError(`conflicting strategies: ${given.map((g) => `--${g}`).join(' and ')}`, 'give exactly one reset strategy', 'CONFLICTING_STRATEGIES')
  }
  const [name] = given
  switch (name) {
    case 'to-earliest':
      return {kind: 'earliest'}
    case 'to-latest':
      return {kind: 'latest'}
    case 'to-current':
      return {kind: 'current'}
    case 'to-offset': {
      const text = flags['to-offset']!.trim()
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
        throw usageError(`--to-offset: '${text}' is not an offset`, 'e.g. --to-offset 1200 (absolute; use --shift-by -N to move back)', 'BAD_OFFSET')
      return {kind: 'offset', offset: Number(text)}
    }
    case 'shift-by': {
      const text = flags['shift-by']!.trim()
      if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
        throw usageError(`--shift-by: '${text}' is not a whole number`, 'e.g. --shift-by -100 (back) or --shift-by 50 (forward)', 'BAD_OFFSET')
      return {kind: 'shift', by: Number(text)}
    }
    case 'to-datetime': {
      const text = flags['to-datetime']!
      const timestamp = parseTime(text.replace(/^@/, ''), now, '--to-datetime')
      return {kind: 'datetime', timestamp}
    }
    case 'by-duration': {
      const ms = parseResetDuration(flags['by-duration']!)
      // A time before 1970 would reach ListOffsets as a negative timestamp, which Kafka reads as latest/earliest.
      if (!Number.isSafeInteger(ms) || now - ms < 0) throw usageError(`--by-duration: '${flags['by-duration']}' goes back before 1970`, 'use --to-earliest to go back to the beginning', 'BAD_DURATION')
      return {kind: 'duration', ms, timestamp: now - ms}
    }
    case 'from-file':
      return {kind: 'file', path: flags['from-file']!}
  }
}

/**
 * `--by-duration`: kafkit durations (`2h`, `1h30m`, `7d`) and, for scripts written for kafka-consumer-groups,
 * ISO-8601 ones (`PT2H`, `P1DT30M`). A leading minus is accepted and ignored: the duration is always back in time.
 */
export function parseResetDuration(input: string): number {
  const text = input.trim().replace(/^-/, '')
  const iso = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text)
  if (iso && text.length > 1 && !/T$/i.test(text)) {
    const [, d, h, m, s] = iso
    return Math.round(Number(d ?? 0) * 86_400_000 + Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1000)
  }
  try {
    return parseDuration(text, {label: '--by-duration'})
  } catch {
    throw usageError(`--by-duration: '${input}' is not a duration`, 'e.g. --by-duration 2h, --by-duration 1h30m, --by-duration 7d (or ISO-8601 PT2H)', 'BAD_DURATION')
  }
}

export function describeStrategy(s: Strategy): string {
  switch (s.kind) {
    case 'earliest':
      return '--to-earliest'
    case 'latest':
      return '--to-latest'
    case 'current':
      return '--to-current'
    case 'offset':
      return `--to-offset ${s.offset}`
    case 'shift':
      return `--shift-by ${s.by}`
    case 'datetime':
      return `--to-datetime ${new Date(s.timestamp).toISOString()}`
    case 'duration':
      return `--by-duration ${s.ms}ms (${new Date(s.timestamp).toISOString()})`
    case 'file':
      return `--from-file ${s.path}`
  }
}

/** Kafka partition numbers are int32. */
const MAX_PARTITION = 2 ** 31 - 1

export interface TopicScope {
  topic: string
  /** undefined: every partition of the topic. */
  partitions?: number[]
}

/** `orders`, `orders:0,1,2` (kafka-consumer-groups' --topic syntax). */
export function parseTopicScope(input: string): TopicScope {
  const text = input.trim()
  const colon = text.lastIndexOf(':')
  if (colon === -1) {
    if (!text) throw usageError('--topic: empty topic name', 'e.g. --topic orders or --topic orders:0,1,2')
    return {topic: text}
  }
  const topic = text.slice(0, colon)
  const list = text.slice(colon + 1)
  if (!topic || !/^\d+(,\d+)*$/.test(list) || list.split(',').some((p) => Number(p) > MAX_PARTITION)) {
    throw usageError(`--topic: '${input}' is not TOPIC or TOPIC:P,P,...`, 'e.g. --topic orders or --topic orders:0,1,2', 'BAD_TOPIC_SCOPE')
  }
  return {topic, partitions: [...new Set(list.split(',').map(Number))].sort((a, b) => a - b)}
}
