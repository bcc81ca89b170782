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

/** An elapsed time or an ETA: 7s, 1m05s, 1h02m. (Durations a user types back are specs/duration.ts's.) */
export function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** "1 partition", "3 partitions", "1,500 records": the count (with separators) and the word, plural when not 1. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : pluralWord}`
}
