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

/** A command's elapsed time: `0.12s` under 10 s (never `0s`), `12.3s` under a minute, else `2m05s`. */
export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
