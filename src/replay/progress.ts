/** Progress line and summary text for replay (stderr). Pure formatting, unit-tested. */
import {formatCount, formatEta} from '../output/numbers.js'

export interface ProgressSnapshot {
  /** Records copied this run. */
  copied: number
  /** Source offsets passed / in the window this run (offsets, because the record count is unknown until read). */
  offsetsDone: number
  offsetsTotal: number
  elapsedMs: number
}

const n = formatCount

/**
 * Offsets of the window passed so far: each partition counts from its window start to `position(p)` (the next
 * offset the copy will deal with; undefined: not started), capped at its end.
 */
export function windowProgress(window: readonly {partition: number; start: number; end: number}[], position: (partition: number) => number | undefined): {offsetsDone: number; offsetsTotal: number} {
  let offsetsDone = 0
  let offsetsTotal = 0
  for (const w of window) {
    offsetsTotal += w.end - w.start
    const next = position(w.partition)
    if (next !== undefined) offsetsDone += Math.max(0, Math.min(w.end, next) - w.start)
  }
  return {offsetsDone, offsetsTotal}
}

/** `12,345 records · 8,120 rec/s · 42% of the window · ETA 7s` */
export function formatProgress(p: ProgressSnapshot): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.copied * 1000) / p.elapsedMs) : 0
  const fraction = p.offsetsTotal > 0 ? Math.min(1, p.offsetsDone / p.offsetsTotal) : 1
  const parts = [`${n(p.copied)} records`, `${n(rate)} rec/s`, `${Math.floor(fraction * 100)}% of the window`]
  if (fraction > 0 && fraction < 1 && p.elapsedMs > 0) parts.push(`ETA ${formatEta((p.elapsedMs * (1 - fraction)) / fraction)}`)
  return parts.join(' · ')
}
