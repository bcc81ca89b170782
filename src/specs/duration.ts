import {usageError} from '../errors.js'

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/

export interface DurationOptions {
  /** Unit of a bare number (`30`); without it a bare number is an error. */
  bareUnit?: 'ms' | 's'
  /** What the value is for, used in the error message (`--timeout`). */
  label?: string
}

/**
 * Parses a human duration into milliseconds: `500ms`, `10s`, `2m`, `12h`, `7d`, `1w`, and compound forms such
 * as `1h30m`. Used by --timeout, --by-duration, retention and relative time specs.
 */
export function parseDuration(input: string, options: DurationOptions = {}): number {
  const text = input.trim().toLowerCase()
  if (/^\d+$/.test(text) && options.bareUnit && Number.isSafeInteger(Number(text) * UNIT_MS[options.bareUnit])) return Number(text) * UNIT_MS[options.bareUnit]
  const parts = text.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d|w)/g)
  if (!text || !parts || parts.join('') !== text) {
    throw usageError(`${options.label ? options.label + ': ' : ''}'${input}' is not a duration`, 'use a number with a unit: 500ms, 10s, 5m, 2h, 7d, 1w (or combined, 1h30m)', 'BAD_DURATION')
  }
  let total = 0
  for (const part of parts) {
    const [, amount, unit] = DURATION.exec(part)!
    total += Number(amount) * UNIT_MS[unit]
  }
  // 400 digits of seconds are Infinity: a duration must stay an exact number of milliseconds.
  if (!Number.isSafeInteger(Math.round(total))) {
    throw usageError(`${options.label ? options.label + ': ' : ''}'${input}' is too long`, 'durations go up to about 285,000 years (2^53 ms)', 'BAD_DURATION')
  }
  return Math.round(total)
}

/** The shortest exact human form of a duration in ms: 604800000 -> `7d`, 5400000 -> `90m`. */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${ms}ms`
}

/** Node's timers fire after at most 2^31-1 ms (~24.8 days); a longer delay silently becomes 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * A duration that becomes a timer (`--timeout`, `--interval`): above 0, and below Node's timer limit (a longer
 * one would fire after 1 ms: every wait of the command would fail at once). Both are usage errors (exit 2).
 */
export function parseWaitDuration(input: string, label: string): number {
  const ms = parseDuration(input, {bareUnit: 's', label})
  if (ms <= 0) throw usageError(`${label}: '${input}' is no time at all`, `give a positive duration, e.g. ${label} 30s`, 'BAD_DURATION')
  // Margin for the few waits that add a little to the timeout (a disconnect, a final commit).
  if (ms > MAX_TIMER_MS - 60_000) throw usageError(`${label}: '${input}' is longer than the longest wait possible (24d)`, `use at most ${label} 24d`, 'BAD_DURATION')
  return ms
}
