/**
 * The copy loop: batches from the shared partition reader (src/kafka/reader.ts) -> filter (--grep) ->
 * transform (--header-add, --new-timestamps) -> destination partition -> the shared RecordWriter
 * (src/kafka/writer.ts), with the resume check (src/replay/resume.ts), --rate, and progress accounting. A dry run
 * uses the same loop with a sink that only counts, so its counts are the counts a real run copies.
 */
import type {ReadBatch} from '../kafka/reader.js'
import type {SourcePosition} from '../kafka/writer.js'
import type {RawRecord} from '../records/envelope.js'
import type {ProgressTracker} from './checkpoint.js'
import {recordBytes} from './plan.js'
import type {Reconciler} from './resume.js'

export interface RecordSink {
  /**
   * Like RecordWriter.write: undefined when accepted, a promise when the caller must wait. `source` is reused for
   * the next record once that promise settles: read it, do not keep it.
   */
  write(record: RawRecord, source?: SourcePosition): Promise<void> | undefined
}

export interface PartitionCount {
  /** Records read from the window (after read-committed filtering, before --grep). */
  read: number
  /** Records handed to the destination (or counted, in a dry run). */
  records: number
  bytes: number
  /** Records already in the destination from an interrupted run (resume), not written again. */
  present: number
  /** The source offset after the last record the copy loop has dealt with (the progress line's position). */
  next?: number
}

export interface CopyCounts {
  read: number
  records: number
  bytes: number
  filtered: number
  present: number
  partitions: Map<number, PartitionCount>
}

export interface Transform {
  headerAdd: [string, Buffer][]
  newTimestamps: boolean
}

export interface CopyParams {
  batches: AsyncIterable<ReadBatch>
  sink: RecordSink
  /** Destination partition of a (transformed) record from source partition p. */
  route: (sourcePartition: number, record: RawRecord) => number
  filter?: (record: RawRecord) => boolean
  transform: Transform
  reconciler?: Reconciler
  tracker?: ProgressTracker
  /** Called after each source batch taken whole (checkpoint when `tracker` moved). */
  onBatch?: (batch: ReadBatch, moved: boolean) => void
  /** Records per second, over records handed to the sink. */
  rate?: number
  signal?: AbortSignal
  counts?: CopyCounts
  /** Schema ids rewritten for another registry (src/schemas/id-mapper.ts): ids fetched per batch, then rewritten. */
  schemaIds?: {prepare(records: readonly RawRecord[]): Promise<void> | undefined; rewrite(record: RawRecord): RawRecord}
}

export function emptyCounts(): CopyCounts {
  return {read: 0, records: 0, bytes: 0, filtered: 0, present: 0, partitions: new Map()}
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The record as the destination gets it: same key, value, headers (+ added ones) and timestamp (unless stamped now). */
export function transformRecord(record: RawRecord, transform: Transform, partition: number): RawRecord {
  let headers = record.headers
  if (transform.headerAdd.length > 0) {
    headers = {...headers}
    for (const [name, value] of transform.headerAdd) {
      const existing = headers[name]
      // Kafka headers may repeat: an added header never replaces one the record already has.
      headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value]
    }
  }
  const out: RawRecord = {key: record.key, value: record.value, partition}
  if (headers && Object.keys(headers).length > 0) out.headers = headers
  if (!transform.newTimestamps && record.timestamp !== undefined) out.timestamp = record.timestamp
  return out
}

/** Runs the loop until the reader ends, the signal aborts, or the sink fails (its error is thrown). */
export async function copyWindow(params: CopyParams): Promise<CopyCounts> {
  const {sink, route, filter, transform, reconciler, tracker, onBatch, rate, signal} = params
  const counts = params.counts ?? emptyCounts()
  const plain = transform.headerAdd.length === 0 && !transform.newTimestamps
  const started = Date.now()
  let sent = 0
  for await (const batch of params.batches) {
    if (signal?.aborted) break
    let part = counts.partitions.get(batch.partition)
    if (!part) counts.partitions.set(batch.partition, (part = {read: 0, records: 0, bytes: 0, present: 0}))
    let moved = false
    let whole = true
    // One position object per batch: the sink reads it during write() (or the wait it returns), never later.
    const position = {source: String(batch.partition), offset: 0}
    const schemaIds = params.schemaIds
    const idsMapped = schemaIds?.prepare(batch.records)
    if (idsMapped) await idsMapped
    for (const source of batch.records) {
      const record = schemaIds ? schemaIds.rewrite(source) : source
      counts.read++
      part.read++
      if (filter && !filter(record)) {
        counts.filtered++
        continue
      }
      const offset = record.offset!
      part.next = offset + 1
      // Route on the source record (key and source partition): headers and timestamps do not change it.
      const q = route(batch.partition, record)
      // The common case (same partition, nothing added) writes the record as read: no copy per record.
      const out = plain && record.partition === q ? record : transformRecord(record, transform, q)
      if (reconciler && !reconciler.exhausted && reconciler.alreadyWritten(batch.partition, q, out)) {
        counts.present++
        part.present++
        if (tracker?.present(batch.partition, offset, q)) moved = true
        continue
      }
      tracker?.written(batch.partition, offset, q)
      position.offset = offset
      const wait = sink.write(out, position)
      if (wait) await wait
      const bytes = recordBytes(out)
      counts.records++
      counts.bytes += bytes
      part.records++
      part.bytes += bytes
      if (rate) {
        sent++
        const due = started + (sent * 1000) / rate
        const ahead = due - Date.now()
        if (ahead > 5) await sleep(ahead)
      }
      if (signal?.aborted) {
        whole = false
        break
      }
    }
    // Only a batch taken whole says that everything before nextOffset was seen.
    if (!whole) break
    part.next = Math.max(part.next ?? 0, batch.nextOffset)
    if (tracker?.readUpTo(batch.partition, batch.nextOffset)) moved = true
    onBatch?.(batch, moved)
    if (signal?.aborted) break
  }
  return counts
}
