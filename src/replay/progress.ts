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

/** `12,345 records · 8,120 rec/s · 42% of the window · ETA 7s` */
export function formatProgress(p: ProgressSnapshot): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.copied * 1000) / p.elapsedMs) : 0
  const fraction = p.offsetsTotal > 0 ? Math.min(1, p.offsetsDone / p.offsetsTotal) : 1
  const parts = [`${n(p.copied)} records`, `${n(rate)} rec/s`, `${Math.floor(fraction * 100)}% of the window`]
  if (fraction > 0 && fraction < 1 && p.elapsedMs > 0) parts.push(`ETA ${formatEta((p.elapsedMs * (1 - fraction)) / fraction)}`)
  return parts.join(' · ')
}
