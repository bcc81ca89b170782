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
    throw usageError(
      `${options.label ? options.label + ': ' : ''}'${input}' is not a duration`,
      'use a number with a unit: 500ms, 10s, 5m, 2h, 7d, 1w (or combined, 1h30m)',
      'BAD_DURATION',
    )
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
