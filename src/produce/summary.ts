/**
 * The result of `produce` (its --json shape) and its one-line human form on stderr; after a failure, what was
 * delivered and what was not, per partition, and the undelivered records as envelope lines (`--failed-to`).
 */
import type {UndeliveredBatch, WriterStats} from '../kafka/writer.js'
import {countOf, formatBytes, formatCount} from '../output/numbers.js'
import {type RawRecord, toEnvelope} from '../records/envelope.js'

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
  /** --transactional: the transactional.id of the committed transaction. */
  transactionalId?: string
}

export function formatSummary(s: ProduceSummary): string {
  const parts = Object.keys(s.partitions)
    .map(Number)
    .sort((a, b) => a - b)
  const where = parts.length === 0 ? '' : parts.length === 1 ? ` partition ${parts[0]}` : ` partitions ${compactRanges(parts)}`
  const secs = s.durationMs / 1000
  const rate = s.durationMs >= 50 ? `, ${formatCount(s.recordsPerSecond)} records/s, ${formatBytes(s.bytes / Math.max(secs, 0.001))}/s` : ''
  const skipped = s.skipped > 0 ? `, ${countOf(s.skipped, 'invalid line')} skipped` : ''
  const txn = s.transactionalId === undefined ? '' : ` in one committed transaction ('${s.transactionalId}')`
  return `produced ${countOf(s.records, 'record')} (${formatBytes(s.bytes)}) to '${s.topic}'${where}${txn} in ${secs.toFixed(secs < 10 ? 2 : 1)}s${rate}${skipped}`
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

/** A line of produce's input: `source` is a file name or 'stdin'. */
export interface InputPosition {
  source: string
  line: number
}

export interface PartitionReport {
  /** Records the broker acknowledged. */
  delivered: number
  /** Records it did not (they are not in the topic, unless counted in `uncertain`). */
  failed: number
  /** Of `failed`: no answer came (a timeout, a lost connection): they may be in the topic. */
  uncertain?: number
  /** The first input line of this partition that was not delivered: everything of it before was. */
  firstUndelivered?: InputPosition
  /** Why its records were not delivered. */
  error?: string
}

/** What a failed produce did, per partition: the `--json` error's details and the lines on stderr. */
export interface FailureReport {
  topic: string
  /** Records read and handed to the producer. */
  records: number
  delivered: number
  failed: number
  uncertain: number
  /** Every partition written to. */
  partitions: Record<number, PartitionReport>
  /** The first input line that was not read (produce stopped there); absent when all input was read. */
  notRead?: InputPosition
  /** Where the undelivered records were written (--failed-to). */
  failedTo?: string
}

export function failureReport(topic: string, stats: WriterStats, undelivered: readonly UndeliveredBatch[], sources: readonly string[], notRead?: {source: number; line: number}): FailureReport {
  const partitions: Record<number, PartitionReport> = {}
  const entry = (p: number) => (partitions[p] ??= {delivered: 0, failed: 0})
  for (const [p, n] of Object.entries(stats.partitions)) entry(Number(p)).delivered = n
  for (const [p, n] of Object.entries(stats.failedPartitions)) entry(Number(p)).failed = n
  const first = new Map<number, {source: number; line: number}>()
  for (const batch of undelivered) {
    const report = entry(batch.partition)
    report.error ??= batch.error.message.replace(new RegExp(`^partition ${batch.partition}: `), '')
    if (batch.uncertain) report.uncertain = (report.uncertain ?? 0) + batch.records.length
    for (const r of batch.records) {
      if (r.inputLine === undefined) continue
      const at = {source: r.inputSource ?? 0, line: r.inputLine}
      const was = first.get(batch.partition)
      if (!was || compareAt(at, was) < 0) first.set(batch.partition, at)
    }
  }
  const name = (i: number) => sources[i] ?? 'input'
  for (const [p, at] of first) partitions[p].firstUndelivered = {source: name(at.source), line: at.line}
  return {
    topic,
    records: stats.delivered + stats.failed,
    delivered: stats.delivered,
    failed: stats.failed,
    uncertain: stats.uncertain,
    partitions,
    ...(notRead ? {notRead: {source: name(notRead.source), line: notRead.line}} : {}),
  }
}

const compareAt = (a: {source: number; line: number}, b: {source: number; line: number}) => a.source - b.source || a.line - b.line

/** The report as lines for stderr: failed partitions one by one (the first 20), complete ones together. */
export function formatFailureReport(r: FailureReport, multipleSources: boolean): string[] {
  const lines: string[] = []
  const at = (p: InputPosition) => (multipleSources || p.source !== 'stdin' ? `${p.source} line ${formatCount(p.line)}` : `line ${formatCount(p.line)}`)
  const ids = Object.keys(r.partitions)
    .map(Number)
    .sort((a, b) => a - b)
  const failed = ids.filter((p) => r.partitions[p].failed > 0)
  const complete = ids.filter((p) => r.partitions[p].failed === 0)
  for (const p of failed.slice(0, 20)) {
    const e = r.partitions[p]
    const from = e.firstUndelivered ? ` from ${at(e.firstUndelivered)} on` : ''
    const maybe = e.uncertain ? ` (${formatCount(e.uncertain)} of them got no answer: they may be in the topic)` : ''
    lines.push(`partition ${p}: ${formatCount(e.delivered)} delivered, ${formatCount(e.failed)} not delivered${from}${maybe}${e.error ? `: ${e.error}` : ''}`)
  }
  if (failed.length > 20) lines.push(`... and ${failed.length - 20} more partitions with records not delivered (--json lists them all)`)
  if (complete.length > 0) {
    const n = complete.reduce((sum, p) => sum + r.partitions[p].delivered, 0)
    lines.push(`partition${complete.length === 1 ? '' : 's'} ${compactRanges(complete)}: all ${formatCount(n)} record${n === 1 ? '' : 's'} delivered`)
  }
  if (r.notRead) lines.push(`not read: the input from ${at(r.notRead)} on`)
  return lines
}

/** The undelivered records as envelope JSON lines (what `produce --format json` reads back), in input order. */
export function undeliveredEnvelopes(undelivered: readonly UndeliveredBatch[]): string {
  const records: RawRecord[] = undelivered.flatMap((b) => b.records.map((r) => ({...r, partition: b.partition})))
  const key = (r: RawRecord) => (r.inputLine === undefined ? Number.POSITIVE_INFINITY : (r.inputSource ?? 0) * 2 ** 32 + r.inputLine)
  records.sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return ka === kb ? 0 : ka < kb ? -1 : 1
  })
  let out = ''
  for (const r of records) out += JSON.stringify(toEnvelope({partition: r.partition, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers})) + '\n'
  return out
}
