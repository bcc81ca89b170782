/**
 * Human durations and sizes for topic configs: `7d`, `12h`, `forever`, `512MiB`, `1GB`, `unlimited`.
 * Kafka stores milliseconds and bytes; people think in days and gibibytes.
 */
import {usageError} from '../errors.js'
import {formatDuration, parseDuration} from '../specs/duration.js'

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i

/** Bytes from `1048576`, `512KiB`, `1.5GiB`, `100MB` (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024). */
export function parseSize(input: string, label = 'size'): number {
  const match = SIZE.exec(input.trim())
  if (!match) {
    throw usageError(`${label}: '${input}' is not a size`, 'use bytes or a unit: 1048576, 512KiB, 100MiB, 1GiB (KB/MB/GB are powers of 1000)', 'BAD_CONFIG_VALUE')
  }
  const bytes = Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]
  if (!Number.isSafeInteger(Math.round(bytes))) throw usageError(`${label}: '${input}' is too large`, undefined, 'BAD_CONFIG_VALUE')
  return Math.round(bytes)
}

/** The shortest exact binary form: 1073741824 -> `1GiB`, 1000 -> `1000B`. */
export function formatSize(bytes: number): string {
  for (const unit of ['tib', 'gib', 'mib', 'kib'] as const) {
    const size = SIZE_UNITS[unit]
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit.slice(0, 1).toUpperCase()}iB`
  }
  return `${bytes}B`
}

/** Milliseconds from `7d`, `12h`, `1h30m`, a bare number of ms, or `forever` (-1) where forever is allowed. */
export function parseHumanDuration(input: string, label: string, allowForever: boolean): number {
  const text = input.trim().toLowerCase()
  if (allowForever && ['forever', 'infinite', 'unlimited', 'never', '-1'].includes(text)) return -1
  // Bare numbers are Kafka's own milliseconds (and -2 for local.retention.ms, 'use retention.ms').
  if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text)
  try {
    return parseDuration(text)
  } catch {
    throw usageError(`${label}: '${input}' is not a duration`, `use milliseconds or a unit: 30s, 15m, 12h, 7d, 1w${allowForever ? ', or forever' : ''}`, 'BAD_CONFIG_VALUE')
  }
}

/** `604800000` -> `7d`, `-1` -> `forever`. */
export function formatHumanDuration(ms: number): string {
  if (ms < 0) return 'forever'
  if (ms === 0) return '0ms'
  // Days read better than weeks for retention (7d, 14d, 30d).
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  return formatDuration(ms)
}
