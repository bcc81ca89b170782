/** Progress line and summary text for replay (stderr). Pure formatting, unit-tested. */
import {formatCount} from '../output/numbers.js'


export interface ProgressSnapshot {
  /** Records copied this run. */
  copied: number
  /** Source offsets passed / in the window this run (offsets, because the record count is unknown until read). */
  offsetsDone: number
  offsetsTotal: number
  elapsedMs: number
}

const n = formatCount

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** `12,345 records · 8,120 rec/s · 42% of the window · ETA 7s` */
export function formatProgress(p: ProgressSnapshot): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.copied * 1000) / p.elapsedMs) : 0
  const fraction = p.offsetsTotal > 0 ? Math.min(1, p.offsetsDone / p.offsetsTotal) : 1
  const parts = [`${n(p.copied)} records`, `${n(rate)} rec/s`, `${Math.floor(fraction * 100)}% of the window`]
  if (fraction > 0 && fraction < 1 && p.elapsedMs > 0) parts.push(`ETA ${formatDuration((p.elapsedMs * (1 - fraction)) / fraction)}`)
  return parts.join(' · ')
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`
}
