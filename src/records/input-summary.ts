/** The result of `produce` (its --json shape) and its one-line human form on stderr. */
import {formatBytes, formatCount, plural} from '../output/numbers.js'

export interface ProduceSummary {
  topic: string
  /** Records delivered (acknowledged). */
  records: number
  /** Key + value + header bytes delivered. */
  bytes: number
  /** Delivered records per partition. */
  partitions: Record<number, number>
  failed: number
  /** Lines skipped by --skip-invalid. */
  skipped: number
  durationMs: number
  recordsPerSecond: number
  /** Stopped by Ctrl-C (after delivering what was read). */
  interrupted: boolean
}

export function formatSummary(s: ProduceSummary): string {
  const parts = Object.keys(s.partitions).map(Number).sort((a, b) => a - b)
  const where = parts.length === 0 ? '' : parts.length === 1 ? ` partition ${parts[0]}` : ` partitions ${compactRanges(parts)}`
  const secs = s.durationMs / 1000
  const rate = s.durationMs >= 50 ? `, ${formatCount(s.recordsPerSecond)} records/s, ${formatBytes(s.bytes / Math.max(secs, 0.001))}/s` : ''
  const skipped = s.skipped > 0 ? `, ${plural(s.skipped, 'invalid line')} skipped` : ''
  return `produced ${plural(s.records, 'record')} (${formatBytes(s.bytes)}) to '${s.topic}'${where} in ${secs.toFixed(secs < 10 ? 2 : 1)}s${rate}${skipped}`
}

/** [0,1,2,5,7,8] -> "0-2,5,7-8" */
export function compactRanges(sorted: number[]): string {
  const out: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`)
    i = j
  }
  return out.join(',')
}
