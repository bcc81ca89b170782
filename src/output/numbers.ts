/**
 * How kafkit writes numbers for people: counts, byte sizes, elapsed times, plurals. One place, so that every
 * command rounds the same way.
 */

/**
 * 1234567 -> "1,234,567". Not toLocaleString('en-US'): its first call loads ICU data, ~30 ms of every command
 * that prints a count (measured on the 2-core dev machine).
 */
export function formatCount(n: number): string {
  const text = String(Math.trunc(n))
  return text.replace(/\B(?=(\d{3})+$)/g, ',')
}

/** `1 record`, `12,345 records`: a count with thousands separators and the word in the right number. */
export function countOf(n: number, word: string, pluralWord = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : pluralWord}`
}

/** 2048 -> "2.00 KiB", 1.5 MiB -> "1.50 MiB", 20 MiB -> "20.0 MiB": three significant digits, binary units. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`
}

/** A command's elapsed time: `0.12s` under 10 s (never `0s`), `12.3s` under a minute, else `2m05s`. */
export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  return minutes(Math.round(ms / 1000))
}

/** A time still to go, in whole seconds: `7s`, `1m05s`, `1h02m`. (Durations a user types back are specs/duration.ts's.) */
export function formatEta(ms: number): string {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${s}s` : minutes(s)
}

function minutes(s: number): string {
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
