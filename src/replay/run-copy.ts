/**
 * The copying half of a replay, for one set of source partitions: read the destination tail on resume, open the
 * writer, copy (copy.ts), track acknowledged positions into the checkpoint (checkpoint.ts), close. The main
 * thread runs it for the whole window, or each worker of `--parallel N` for its share (parallel.ts, worker.ts);
 * `save` is the caller's: a checkpoint file, or a message to the main thread that owns it.
 */
import type {KafkaClient} from '../kafka/client.js'
import type {ReaderSession} from '../kafka/reader.js'
import {type CompressionName, RecordWriter, type WriterStats} from '../kafka/writer.js'
import type {RawRecord} from '../records/envelope.js'
import {countOf} from '../output/numbers.js'
import {type Checkpoint, destinationCheckpointOffsets, ProgressTracker} from './checkpoint.js'
import {copyWindow, emptyCounts, type CopyCounts, type CopyParams, type Transform} from './copy.js'
import type {WindowPartition} from './plan.js'
import {Reconciler} from './resume.js'

export interface CopyRunParams {
  sourceSession: ReaderSession
  sourceTopic: string
  destination: KafkaClient
  destinationSession: ReaderSession
  destinationTopic: string
  destinationCount: number
  /** The source partitions to copy, from where this run starts. */
  window: WindowPartition[]
  checkpoint: Checkpoint
  /** Resumed run: the destination tail is read first (resume.ts). */
  resumed: boolean
  /** Destination partitions whose tail to read on resume (default: all). */
  tailPartitions?: number[]
  route: (sourcePartition: number, record: RawRecord) => number
  filter?: (record: RawRecord) => boolean
  transform: Transform
  compression: CompressionName
  rate?: number
  requestTimeoutMs: number
  maxMessageBytes?: number
  schemaIds?: CopyParams['schemaIds']
  signal?: AbortSignal
  info(line: string): void
  warn(line: string): void
  /** The checkpoint moved (force: the last call, save now). */
  save(force: boolean): void
  /** The writer could not be opened (nothing written yet). */
  onOpenFailed?(): void
  /** The live counts (progress). */
  onCounts?(counts: CopyCounts): void
}

export interface CopyRunResult {
  counts: CopyCounts
  stats: WriterStats
  failure?: unknown
  /** Every partition of the window was read to its end. */
  windowDone: boolean
  /** Tail records on resume that no source record matched. */
  unmatched: number
}

/** Fetch sizes and prefetch depth of the source reader (see reader.ts ReaderOptions). */
export const REPLAY_READ = {maxBytes: 512 * 1024, partitionMaxBytes: 256 * 1024, bufferBytes: 1024 * 1024}

export async function copyRun(params: CopyRunParams): Promise<CopyRunResult> {
  const cp = params.checkpoint
  let reconciler: Reconciler | undefined
  if (params.resumed) reconciler = await readDestinationTail(params.destinationSession, params.destinationTopic, cp, !params.transform.newTimestamps, params, params.tailPartitions)

  const tracker = new ProgressTracker(cp)
  // Where each source partition was read up to (whole batches), for moving `next` past filtered records.
  const readUpTo = new Map<number, number>()
  const writer = await RecordWriter.open(params.destination, {
    topic: params.destinationTopic,
    partitions: params.destinationCount,
    compression: params.compression,
    // One request at a time: when kafkajs retries a failed request, a later request already queued for the
    // same broker takes its sequence numbers and lands first, which would reorder a partition (seen under
    // load). Reading, transforming and filling the next request still overlap with the one in flight.
    maxInFlight: 1,
    requestTimeoutMs: params.requestTimeoutMs,
    maxMessageBytes: params.maxMessageBytes,
    onAck: (ack) => {
      let moved = false
      for (const [source, offset] of ack.committed) if (tracker.committed(Number(source), offset)) moved = true
      for (const [p, upTo] of readUpTo) if (tracker.readUpTo(p, upTo)) moved = true
      if (moved) params.save(false)
    },
  }).catch((error: unknown) => {
    params.onOpenFailed?.()
    throw error
  })

  // Fetched bytes wait in the reader while the writer holds what it is sending (one request at a time): half the
  // reader's defaults take ~10 MB off a replay's peak RSS at the same speed (README: Performance).
  const reader = params.sourceSession.read(
    params.window.map((w) => ({topic: params.sourceTopic, partition: w.partition, start: w.start, end: w.end})),
    REPLAY_READ,
  )
  const counts = emptyCounts()
  params.onCounts?.(counts)
  const stopReader = () => reader.stop()
  params.signal?.addEventListener('abort', stopReader)
  let failure: unknown
  try {
    await copyWindow({
      batches: reader,
      sink: writer,
      route: params.route,
      filter: params.filter,
      transform: params.transform,
      reconciler,
      tracker,
      counts,
      rate: params.rate,
      signal: params.signal,
      schemaIds: params.schemaIds,
      onBatch: (batch, moved) => {
        readUpTo.set(batch.partition, batch.nextOffset)
        if (moved) params.save(false)
      },
    })
  } catch (error) {
    failure = error
  } finally {
    params.signal?.removeEventListener('abort', stopReader)
  }
  const stats = await writer.close()
  await reader.close()
  for (const [p, upTo] of readUpTo) tracker.readUpTo(p, upTo)
  // Records handed to the writer and not acknowledged are the records not copied.
  counts.records = stats.delivered
  return {counts, stats, failure, windowDone: reader.windowDone, unmatched: reconciler?.unmatched ?? 0}
}

/** Reads what the destination received after the last checkpoint (see resume.ts), in these destination partitions. */
export async function readDestinationTail(
  session: ReaderSession,
  topic: string,
  checkpoint: Checkpoint,
  withTimestamp: boolean,
  hooks: {info(line: string): void; warn(line: string): void},
  only?: number[],
): Promise<Reconciler> {
  const reconciler = new Reconciler(withTimestamp)
  const expected = destinationCheckpointOffsets(checkpoint)
  const partitions = [...expected.keys()].filter((q) => !only || only.includes(q))
  if (partitions.length === 0) return reconciler
  const marks = await session.watermarks(topic, partitions)
  const windows = []
  for (const m of marks) {
    const at = expected.get(m.partition)!
    if (m.high < at) hooks.warn(`'${topic}' partition ${m.partition} ends at offset ${m.high}, before the checkpoint's ${at} (was it recreated or truncated?)`)
    else if (m.high > at) windows.push({topic, partition: m.partition, start: Math.max(at, m.low), end: m.high})
  }
  if (windows.length === 0) return reconciler
  const reader = session.read(windows)
  try {
    for await (const batch of reader) for (const record of batch.records) reconciler.addTail(batch.partition, record)
  } finally {
    await reader.close()
  }
  if (reconciler.tailRecords > 0) hooks.info(`checking ${countOf(reconciler.tailRecords, 'record')} written to '${topic}' after the last checkpoint`)
  return reconciler
}
