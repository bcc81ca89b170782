/**
 * RecordWriter: the reusable, fast, loss-aware way to write records to one topic (used by `produce`, meant for
 * `replay` too).
 *
 * Why it exists: kafkajs batches only what a single `send()` gets and has no linger, so a send per record is
 * slow and one giant send is unbounded memory. The writer accumulates records per partition (kafkajs turns each
 * partition's records into one RecordBatch), seals a request when a partition's batch reaches `batchBytes`, the
 * whole request reaches `requestBytes` or `lingerMs` passes, and keeps up to `maxInFlight` requests in flight:
 * 5 with the idempotent producer (the default; Kafka's bound for keeping order per partition), whose batches
 * kafkit's sendMessages numbers itself (kafkajs/patches/sequences.ts: a retried batch keeps its sequence, so
 * the broker keeps each partition in order and drops what it already has; a batch refused for its sequence with
 * nothing unresolved before it fails, with every later batch of its partition: counted failed, never reordered).
 *
 * Usage:
 *
 *   const writer = await RecordWriter.open(client, {topic, partitions: 6, onAck: (ack) => checkpoint(ack.committed)})
 *   for (const record of records) {
 *     const wait = writer.write(record, {source: 'src-topic/3', offset: 1042})   // source is optional
 *     if (wait) await wait            // backpressure: a promise only when the writer is full (memory stays flat)
 *   }
 *   const stats = await writer.close() // flushes, waits for every ack; stats.delivered / stats.failed
 *
 * Contract:
 * - `write()` takes ownership of the record object (it sets `partition` on it and hands it to kafkajs).
 * - `write()` returns `undefined` (accepted) or a promise that resolves once the record is accepted. It throws
 *   (or the promise rejects) with the first delivery error once any request has failed: stop feeding then, and
 *   call `close()`; records still buffered are not sent and count as failed.
 * - `onAck(ack)` runs once per acknowledged request, in acknowledgement order. `ack.committed` maps each source
 *   id seen in that request to the highest source offset such that THIS record and EVERY EARLIER record written
 *   with that source id (in `write()` order) are acknowledged: a safe checkpoint for resume after a crash (resume
 *   at committed + 1). With acks=0 an "ack" means "sent".
 * - `close()` never throws for delivery failures; it returns the stats (`failed > 0` is the caller's exit 5) and
 *   `firstError`. It disconnects nothing: the client owns the producer.
 * - Counts are per partition and true to the broker's answer (send-messages.ts): in a request that fails for one
 *   partition, the other partitions' records the broker appended count as delivered. `failed` counts every
 *   accepted record that was not acknowledged; `uncertain` the part of them whose request got no answer (a
 *   timeout, a lost connection): those may be in the topic. `onUndelivered` receives every record counted in
 *   `failed`, with its partition and the reason (records written with `inputLine` keep it; record runs get theirs
 *   from `writeValues`' `origin`).
 * - Every request is bounded by `requestTimeoutMs`; a request that times out counts as failed and uncertain.
 * - Transactional writers (`transactionalId`): every request goes into one transaction, begun when the writer
 *   opens; after close(), commitTransaction() makes all of it visible to read-committed readers, or
 *   abortTransaction() none of it. One request in flight, like the idempotent writer; nothing is held beyond
 *   what the writer batches (kafkajs' transaction only remembers which partitions joined it).
 */
import type {Message, Producer, Transaction} from './kafkajs/session.js'

import {ExitCode, KafkitError, formatMs, withTimeout} from '../errors.js'
import type {RawRecord} from '../records/envelope.js'
import type {KafkaClient} from './client.js'
import {ErrorContext, mapKafkaError, rootCause} from './errors.js'
import {preEncodedRecordsReady} from './kafkajs/patches.js'
import {KeyPartitioner, NO_KEY, murmur2Partitioner} from './partitioners.js'
import {type PartitionOutcome, produceOutcomes, produceOutcomesReady, trackAcks} from './kafkajs/patches/send-messages.js'
import {RecordRun, type RunMarker} from './kafkajs/protocol/record-runs.js'
import {sessionOf} from './kafkajs/session.js'

export type Acks = -1 | 0 | 1
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
export const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
const COMPRESSION_CODE: Record<CompressionName, number> = {none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4}

/** Where a record came from, for checkpoints (replay): any id (e.g. `topic/partition`) and an offset in it. */
export interface SourcePosition {
  source: string
  offset: number
}

export interface BatchAck {
  records: number
  /** Key + value + header bytes of this request's records. */
  bytes: number
  /** Records of this request per partition. */
  partitions: Map<number, number>
  /** Per source id: the highest offset up to which everything written with that id is acknowledged. */
  committed: Map<string, number>
}

export interface WriterOptions {
  topic: string
  /** The topic's partition count (from metadata). */
  partitions: number
  /** -1 = all (default), 1 = leader, 0 = none. */
  acks?: Acks
  /** Default: true when acks = -1. */
  idempotent?: boolean
  compression?: CompressionName
  partitioner?: KeyPartitioner
  /** Upper bound of one partition's batch in a request (record bytes). Default 512 KiB, capped by maxMessageBytes. */
  batchBytes?: number
  /** A request is sealed at this many record bytes over all partitions. Default 1 MiB (or batchBytes if larger). */
  requestBytes?: number
  /** How long the first record of a request may wait for company. Default 5 ms. */
  lingerMs?: number
  /** Requests in flight at once. Default 2; idempotent writers 5, and never more (see the constructor). */
  maxInFlight?: number
  /** Bound of one request including kafkajs' retries. */
  requestTimeoutMs: number
  /** The topic's max.message.bytes: batches are kept below it. */
  maxMessageBytes?: number
  onAck?: (ack: BatchAck) => void
  /** Records that were accepted and will not be delivered (see the file comment), one call per partition and cause. */
  onUndelivered?: (batch: UndeliveredBatch) => void
  /** For error messages (set by open()). */
  errorContext?: ErrorContext
  /** Write everything in one transaction with this transactional.id (see the file comment). */
  transactionalId?: string
  /** How long the broker lets the transaction stay open before it aborts it (kafkajs' default: 60 s). */
  transactionTimeoutMs?: number
}

export interface WriterStats {
  /** Records accepted by write(). */
  written: number
  delivered: number
  /** Accepted records not acknowledged (= written - delivered once closed). */
  failed: number
  /** Of `failed`: records whose request got no answer (timeout, lost connection): they may be in the topic. */
  uncertain: number
  /** Key + value + header bytes delivered. */
  bytes: number
  /** Delivered records per partition. */
  partitions: Record<number, number>
  /** Not delivered records per partition (`failed`, split). */
  failedPartitions: Record<number, number>
  requests: number
  firstError?: KafkitError
}

/** Records of one partition that will not be delivered, and why. */
export interface UndeliveredBatch {
  partition: number
  records: RawRecord[]
  error: KafkitError
  /** The request got no answer: these records may be in the topic after all. */
  uncertain: boolean
}

/** Bytes a record adds to a batch beyond key/value/headers (varints, attributes, deltas: a safe bound). */
export const RECORD_OVERHEAD = 21
/** RecordBatch header (v2). */
export const BATCH_OVERHEAD = 61
/** Kafka keeps order and drops duplicates of an idempotent producer for up to 5 batches in flight per partition. */
export const MAX_IDEMPOTENT_IN_FLIGHT = 5
/** Room in front of a record run for a Produce request's headers (topic names are at most 249 bytes). */
const RUN_HEADROOM = 512

interface Ticket {
  offset: number
  done: boolean
}

interface SourceQueue {
  tickets: Ticket[]
  head: number
}

/** Where `writeValues()` puts its records: this partition (default: the sticky one), this timestamp (default: now). */
export interface ValuePlacement {
  partition?: number
  timestamp?: number
  /** Where the lines came from: line `i` of the call is `firstLine + i` of input `source` (for onUndelivered). */
  origin?: {source: number; firstLine: number}
}

interface Request {
  /** Records, or runs' markers (record-runs.ts): never both. */
  messages: (RawRecord | RunMarker)[]
  bytes: number
  partitions: Map<number, number>
  /** Record bytes (RECORD_OVERHEAD included) per partition. */
  partitionBytes: Map<number, number>
  tickets?: {source: string; ticket: Ticket; partition: number}[]
  largest: number
  /** Partitions acknowledged so far (send-messages.ts fills it as answers arrive). */
  acked?: Set<number>
}

export class RecordWriter {
  readonly stats: WriterStats = {written: 0, delivered: 0, failed: 0, uncertain: 0, bytes: 0, partitions: {}, failedPartitions: {}, requests: 0}

  private readonly acks: Acks
  private readonly compression: number
  private readonly partitioner: KeyPartitioner
  private readonly batchBytes: number
  private readonly requestBytes: number
  private readonly lingerMs: number
  private readonly maxInFlight: number

  // The request being filled: record objects (write()) or record runs per partition (writeValues()), never both.
  private pending: RawRecord[] = []
  private runs: (RecordRun | undefined)[] = []
  private runRecords = 0
  /** Whether writeValues() may use runs: decided when the writer opens (openWith), else at the first call. */
  private runsReady?: boolean
  private pendingBytes = 0
  private pendingLargest = 0
  private partitionBytes: number[]
  private pendingPartitions = new Map<number, number>()
  private pendingTickets?: {source: string; ticket: Ticket; partition: number}[]
  private sticky: number
  private lingerTimer?: NodeJS.Timeout
  private lingerDue = false

  private inFlight = 0
  private slotWaiters: (() => void)[] = []
  private idleWaiters: (() => void)[] = []
  private readonly sources = new Map<string, SourceQueue>()
  /**
   * Memory of acknowledged record runs, written into again by the next runs: ~100 MB of 0.5 MB allocations per 1M
   * lines otherwise (garbage collection, and page faults on fresh memory). Only acknowledged ones: the request
   * of a failed or timed-out run may still be retried by kafkajs from that memory.
   */
  private spareRuns: Uint8Array[] = []
  /** The open transaction of a transactional writer (sends go through it). */
  private transaction?: Transaction

  constructor(
    private readonly producer: Producer,
    private readonly options: WriterOptions,
  ) {
    this.acks = options.acks ?? -1
    this.compression = COMPRESSION_CODE[options.compression ?? 'none']
    this.partitioner = options.partitioner ?? murmur2Partitioner
    const limit = options.maxMessageBytes ? options.maxMessageBytes - BATCH_OVERHEAD : Number.POSITIVE_INFINITY
    this.batchBytes = Math.max(1, Math.min(options.batchBytes ?? 512 * 1024, limit))
    this.requestBytes = Math.max(this.batchBytes, options.requestBytes ?? 1 << 20)
    this.lingerMs = options.lingerMs ?? 5
    // Idempotent writers keep up to 5 requests in flight (the default, as Java's producer), Kafka's bound for
    // keeping order and dropping duplicates per partition: kafkit's sendMessages numbers the batches itself and
    // queues each broker's requests in the order it numbered them, compressed or not (patches/sequences.ts,
    // send-messages.ts; kafkajs' own sequences are not safe with concurrent sends, kafkajs issues #598, #1005).
    // A transactional producer keeps kafkajs' sequences and needs 1, and so does kafkajs' own sendMessages
    // (kafkajs loaded before kafkit's replacement could be installed: only in tests that import kafkajs first).
    const idempotent = options.idempotent ?? this.acks === -1
    const pipelined = options.transactionalId === undefined && produceOutcomesReady()
    const most = !idempotent ? Number.POSITIVE_INFINITY : pipelined ? MAX_IDEMPOTENT_IN_FLIGHT : 1
    this.maxInFlight = Math.max(1, Math.min(most, options.maxInFlight ?? (idempotent ? MAX_IDEMPOTENT_IN_FLIGHT : 2)))
    this.partitionBytes = Array.from({length: options.partitions}, () => 0)
    this.sticky = Math.floor(Math.random() * options.partitions)
  }

  /** Connects a producer (idempotent by default with acks=all; never auto-creates topics) and wraps it. */
  static async open(client: KafkaClient, options: WriterOptions): Promise<RecordWriter> {
    return RecordWriter.openWith(RecordWriter.connectProducer(client, options), client, options)
  }

  /**
   * The connecting half of open(), so that a caller can connect while it still reads topic metadata
   * (`openWith(connectProducer(...), ...)`): one round of start-up latency less.
   */
  static connectProducer(client: KafkaClient, options: Pick<WriterOptions, 'acks' | 'idempotent' | 'compression' | 'maxInFlight' | 'transactionalId' | 'transactionTimeoutMs'>): Promise<Producer> {
    const acks = options.acks ?? -1
    const idempotent = options.idempotent ?? acks === -1
    if (options.transactionalId !== undefined && (!idempotent || acks !== -1)) {
      return Promise.reject(new KafkitError('USAGE', 'a transaction needs the idempotent producer and --acks all', {hint: 'drop --acks/--no-idempotent', exitCode: ExitCode.USAGE}))
    }
    if (idempotent && acks !== -1) return Promise.reject(new KafkitError('USAGE', 'the idempotent producer needs --acks all', {hint: 'drop --idempotent, or use --acks all', exitCode: ExitCode.USAGE}))
    const compression = options.compression ?? 'none'
    const codes = sessionOf(client).kafkajs.CompressionCodecs as unknown as Record<number, unknown>
    if (compression !== 'none' && !codes[COMPRESSION_CODE[compression]]) {
      return Promise.reject(new KafkitError('CODEC_UNAVAILABLE', `${compression} compression is not available in this build`, {hint: 'use --compression gzip (or none)', exitCode: ExitCode.USAGE}))
    }
    return sessionOf(client).producer({
      idempotent,
      // The writer decides partitions itself (murmur2/crc32/sticky); kafkajs just keeps them.
      createPartitioner:
        () =>
        ({message}) =>
          message.partition ?? 0,
      maxInFlightRequests: idempotent ? undefined : (options.maxInFlight ?? 2),
      ...(options.transactionalId === undefined ? {} : {transactionalId: options.transactionalId, transactionTimeout: options.transactionTimeoutMs}),
    })
  }

  static async openWith(producer: Promise<Producer>, client: KafkaClient, options: WriterOptions): Promise<RecordWriter> {
    client.expectAccess({operation: 'WRITE', resourceType: 'topic', name: options.topic})
    const writer = new RecordWriter(await producer, {...options, acks: options.acks ?? -1, errorContext: client.errorContext})
    if (options.transactionalId !== undefined) await writer.beginTransaction()
    writer.runsReady = writer.compression === 0 && preEncodedRecordsReady()
    client.options.debugLog?.(`writer: plain values as record runs: ${writer.runsReady ? 'yes' : 'no'}`)
    return writer
  }

  /** The bytes a record occupies in a batch (what max.message.bytes is compared with, uncompressed). */
  static recordSize(record: Pick<RawRecord, 'key' | 'value' | 'headers'>): number {
    let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0)
    if (record.headers) {
      for (const [name, value] of Object.entries(record.headers)) {
        for (const v of Array.isArray(value) ? value : [value]) size += Buffer.byteLength(name) + (v?.length ?? 0) + 10
      }
    }
    return size
  }

  /** Picks the partition a record goes to: its own, the key's, or the sticky one for keyless records. */
  partitionFor(record: Pick<RawRecord, 'key' | 'partition'>): number {
    if (record.partition !== undefined) return record.partition
    const p = this.partitioner(record.key, this.options.partitions)
    return p === NO_KEY ? this.sticky : p
  }

  /** Accepts a record; returns a promise only when the caller must wait (backpressure). See the file comment. */
  write(record: RawRecord, source?: SourcePosition): Promise<void> | undefined {
    if (this.stats.firstError) throw this.stats.firstError
    const partition = this.partitionFor(record)
    const size = RecordWriter.recordSize(record)
    const full = this.runRecords > 0 || (this.pending.length > 0 && (this.partitionBytes[partition] + size > this.batchBytes || this.pendingBytes + size > this.requestBytes))
    if (full) {
      if (this.inFlight >= this.maxInFlight) {
        return this.waitForSlot().then(() => {
          if (this.stats.firstError) throw this.stats.firstError
          // The sticky partition may have moved while waiting: re-place keyless records.
          const again = record.partition === undefined && this.partitioner(record.key, this.options.partitions) === NO_KEY
          if (this.hasPending) this.seal()
          this.add(record, again ? this.sticky : partition, size, source)
        })
      }
      this.seal()
    }
    this.add(record, partition, size, source)
    return undefined
  }

  /**
   * Accepts lines `[from, to)` of `data` (`bounds`: start/end offset pairs) as the values of keyless records
   * without headers: what `write({key: null, value})` would do for each, without an object per record. They are
   * encoded into record runs (record-runs.ts) as they come; without kafkit's Produce encoder (compression, or
   * KAFKIT_KAFKAJS_PATCHES=0) they go through write(). Same contract as write().
   */
  writeValues(data: Buffer, bounds: readonly number[], from: number, to: number, placement: ValuePlacement = {}): Promise<void> | undefined {
    if (this.stats.firstError) throw this.stats.firstError
    this.runsReady ??= this.compression === 0 && preEncodedRecordsReady()
    if (!this.runsReady) return this.writeValuesAsRecords(data, bounds, from, to, placement)
    // A plain Uint8Array view: its subarray() is about twice as cheap as Buffer's (runs copy every value).
    const view = new Uint8Array(data.buffer, data.byteOffset, data.length)
    let i = from
    for (;;) {
      i = this.appendValues(view, bounds, i, to, placement)
      if (i >= to) return undefined
      if (this.inFlight >= this.maxInFlight) {
        const resume = i
        return this.waitForSlot().then(() => {
          if (this.stats.firstError) throw this.stats.firstError
          if (this.hasPending) this.seal()
          return this.writeValues(data, bounds, resume, to, placement)
        })
      }
      this.seal()
    }
  }

  /** Sends everything buffered and waits for every acknowledgement. */
  async flush(): Promise<void> {
    while (this.hasPending && !this.stats.firstError) {
      if (this.inFlight >= this.maxInFlight) await this.waitForSlot()
      else this.seal()
    }
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  /** Flushes (unless a request already failed) and returns the final stats. */
  async close(): Promise<WriterStats> {
    await this.flush()
    if (this.hasPending) {
      // Not sent because an earlier request failed.
      const request = this.takePending()
      const cause = this.stats.firstError!
      const error = new KafkitError('NOT_SENT', `not sent: an earlier request failed (${cause.message})`, {exitCode: ExitCode.INCOMPLETE, hint: cause.hint, cause})
      for (const partition of request.partitions.keys()) this.undelivered(request, partition, error, false)
    }
    clearTimeout(this.lingerTimer)
    return this.stats
  }

  // --- Transactions (transactionalId): one per writer, see the file comment. ---

  /** InitProducerId (fencing an earlier producer with the same id, which aborts its open transaction), then begin. */
  private async beginTransaction(): Promise<void> {
    this.transaction = await this.bounded(this.producer.transaction(), 'starting the transaction')
  }

  /** The transactional.id of a transactional writer. */
  get transactionalId(): string | undefined {
    return this.options.transactionalId
  }

  /** After close() with nothing failed: EndTxn(commit). Throws if the coordinator did not confirm it. */
  async commitTransaction(): Promise<void> {
    await this.bounded(this.transaction!.commit(), 'committing the transaction')
  }

  /** EndTxn(abort): nothing this writer wrote becomes visible to read-committed readers. */
  async abortTransaction(): Promise<void> {
    if (this.transaction?.isActive()) await this.bounded(this.transaction.abort(), 'aborting the transaction')
  }

  private bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    const timeout = this.options.requestTimeoutMs
    return withTimeout(
      promise,
      timeout,
      () => new KafkitError('TIMEOUT', `${what} was not acknowledged within ${formatMs(timeout)}`, {hint: 'the cluster may be overloaded; raise --timeout', exitCode: ExitCode.TIMEOUT}),
    ).catch((error: unknown) => {
      throw error instanceof KafkitError ? error : mapKafkaError(error, this.options.errorContext ?? {brokers: [], timeoutMs: timeout})
    })
  }

  /** Records accepted but not yet acknowledged (or failed). */
  get outstanding(): number {
    return this.stats.written - this.stats.delivered - this.stats.failed
  }

  private get hasPending(): boolean {
    return this.pending.length > 0 || this.runRecords > 0
  }

  /** Appends values to the placement's partition until the request or the batch is full; returns the next index. */
  private appendValues(data: Uint8Array, bounds: readonly number[], from: number, to: number, placement: ValuePlacement): number {
    if (this.pending.length > 0) return from // record objects are pending: they go out first
    const partition = placement.partition ?? this.sticky
    let run = this.runs[partition]
    if (run && placement.timestamp !== undefined && run.timestamp !== placement.timestamp) return from
    let batchBytes = this.partitionBytes[partition]
    let requestBytes = this.pendingBytes
    let largest = this.pendingLargest
    let i = from
    const origin = placement.origin
    for (; i < to; i++) {
      const start = bounds[2 * i]
      const end = bounds[2 * i + 1]
      const size = RECORD_OVERHEAD + end - start
      if ((this.runRecords > 0 || i > from) && (batchBytes + size > this.batchBytes || requestBytes + size > this.requestBytes)) break
      if (!run) {
        run = this.runs[partition] = new RecordRun(partition, placement.timestamp ?? Date.now(), Math.min(this.batchBytes, this.requestBytes) + 1024, RUN_HEADROOM, this.spareRuns.pop())
        run.stamped = placement.timestamp !== undefined
      }
      if (origin && i === from) run.origins.push({at: run.count, source: origin.source, line: origin.firstLine + from})
      run.append(data, start, end)
      batchBytes += size
      requestBytes += size
      if (size > largest) largest = size
    }
    const added = i - from
    this.partitionBytes[partition] = batchBytes
    this.pendingBytes = requestBytes
    this.pendingLargest = largest
    this.runRecords += added
    this.stats.written += added
    if (added > 0 && !this.lingerTimer && !this.lingerDue) this.lingerTimer = setTimeout(() => this.onLinger(), this.lingerMs)
    return i
  }

  private writeValuesAsRecords(data: Buffer, bounds: readonly number[], from: number, to: number, placement: ValuePlacement): Promise<void> | undefined {
    const origin = placement.origin
    for (let i = from; i < to; i++) {
      const record: RawRecord = {key: null, value: data.subarray(bounds[2 * i], bounds[2 * i + 1]), partition: placement.partition, timestamp: placement.timestamp}
      if (origin) {
        record.inputSource = origin.source
        record.inputLine = origin.firstLine + i
      }
      const wait = this.write(record)
      if (wait) return wait.then(() => this.writeValuesAsRecords(data, bounds, i + 1, to, placement))
    }
    return undefined
  }

  private add(record: RawRecord, partition: number, size: number, source?: SourcePosition): void {
    // The record object itself goes to kafkajs (one object less per record): kafkajs reads key, value, headers,
    // partition and timestamp (a number works where it expects a string: it only subtracts and compares).
    record.partition = partition
    this.pending.push(record)
    this.pendingBytes += size
    if (size > this.pendingLargest) this.pendingLargest = size
    this.partitionBytes[partition] += size
    this.pendingPartitions.set(partition, (this.pendingPartitions.get(partition) ?? 0) + 1)
    this.stats.written++
    if (source) {
      let queue = this.sources.get(source.source)
      if (!queue) this.sources.set(source.source, (queue = {tickets: [], head: 0}))
      const ticket = {offset: source.offset, done: false}
      queue.tickets.push(ticket)
      ;(this.pendingTickets ??= []).push({source: source.source, ticket, partition})
    }
    if (!this.lingerTimer && !this.lingerDue) {
      this.lingerTimer = setTimeout(() => this.onLinger(), this.lingerMs)
    }
  }

  private onLinger(): void {
    this.lingerTimer = undefined
    // After a failure nothing more is sent: a request sealed now would put records behind the failed ones (a
    // gap in the partition) and break "everything before the first undelivered line was delivered".
    if (!this.hasPending || this.stats.firstError) return
    // Under load (all slots busy) the request keeps filling until a slot frees: bigger batches, same latency.
    if (this.inFlight < this.maxInFlight) this.seal()
    else this.lingerDue = true
  }

  private seal(): void {
    clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
    this.lingerDue = false
    const request = this.takePending()
    // Java's sticky partitioner: keyless records move on to the next partition with every batch.
    this.sticky = (this.sticky + 1) % this.options.partitions
    this.inFlight++
    this.stats.requests++
    void this.send(request)
  }

  /** What is buffered, as a request; the buffers start empty again. */
  private takePending(): Request {
    const request: Request = {
      messages: this.pending,
      bytes: this.pendingBytes,
      partitions: this.pendingPartitions,
      partitionBytes: new Map(),
      tickets: this.pendingTickets,
      largest: this.pendingLargest,
    }
    if (this.runRecords > 0) {
      const runs = this.runs.filter((run) => run !== undefined)
      request.messages = runs.map((run) => run.marker)
      for (const run of runs) request.partitions.set(run.partition, run.count)
      this.runs = []
      this.runRecords = 0
    }
    for (const p of request.partitions.keys()) request.partitionBytes.set(p, this.partitionBytes[p])
    this.pending = []
    this.pendingBytes = 0
    this.pendingLargest = 0
    this.pendingPartitions = new Map()
    this.pendingTickets = undefined
    this.partitionBytes.fill(0)
    return request
  }

  private async send(request: Request): Promise<void> {
    const timeout = this.options.requestTimeoutMs
    // What was acknowledged even if this writer stops waiting (its timeout) while kafkajs still retries.
    request.acked = trackAcks(request.messages)
    try {
      await withTimeout(
        (this.transaction ?? this.producer).sendBatch({
          topicMessages: [{topic: this.options.topic, messages: request.messages as unknown as Message[]}],
          acks: this.acks,
          compression: this.compression,
          timeout,
        }),
        timeout,
        () =>
          new KafkitError('TIMEOUT', `writing to '${this.options.topic}' was not acknowledged within ${formatMs(timeout)}`, {
            hint: 'the cluster may be overloaded; raise --timeout',
            exitCode: ExitCode.TIMEOUT,
          }),
      )
      this.acknowledged(request)
      this.keepRunMemory(request)
    } catch (error) {
      this.failedRequest(request, error)
    } finally {
      this.inFlight--
      const waiter = this.slotWaiters.shift()
      if (waiter) waiter()
      else if (this.lingerDue && this.hasPending && !this.stats.firstError) this.seal()
      if (this.inFlight === 0) for (const idle of this.idleWaiters.splice(0)) idle()
    }
  }

  /**
   * An acknowledged request's runs' memory, for the next runs (at most one per request in flight, and one more).
   * Not with acks=0: "acknowledged" then means "handed to the socket", which may still be writing from it.
   */
  private keepRunMemory(request: Request): void {
    if (this.acks === 0) return
    for (const m of request.messages) {
      const run = (m as Partial<RunMarker>).kafkitRun
      if (!run) return
      if (this.spareRuns.length > this.maxInFlight) return
      this.spareRuns.push(run.bytes)
    }
  }

  /**
   * A request that did not succeed as a whole: per partition, what the broker said (send-messages.ts). Appended
   * partitions are delivered; the others failed (or are uncertain: no answer).
   */
  private failedRequest(request: Request, error: unknown): void {
    const outcomes = produceOutcomes(error)
    const byPartition = new Map<number, PartitionOutcome>()
    for (const o of outcomes ?? []) if (o.topic === this.options.topic) byPartition.set(o.partition, o)
    // Without outcomes (the writer's own timeout, or kafkajs' sendMessages) nothing is known per partition:
    // uncertain, unless send-messages.ts says the request never went out (it attaches [] then).
    const unknown: PartitionOutcome['status'] = outcomes ? 'failed' : 'uncertain'
    const acked = new Set<number>()
    for (const p of request.partitions.keys()) if (byPartition.get(p)?.status === 'acked' || (!outcomes && request.acked?.has(p))) acked.add(p)
    if (acked.size > 0) this.acknowledged(request, acked)
    for (const p of request.partitions.keys()) {
      if (acked.has(p)) continue
      const outcome = byPartition.get(p)
      const described = this.describeFailure(outcome?.error ?? error, request, request.partitions.size > 1 || acked.size > 0 ? p : undefined)
      this.stats.firstError ??= described
      this.undelivered(request, p, described, (outcome?.status ?? unknown) === 'uncertain')
    }
  }

  /** Counts a partition's records of `request` as not delivered and hands them to onUndelivered. */
  private undelivered(request: Request, partition: number, error: KafkitError, uncertain: boolean): void {
    const n = request.partitions.get(partition) ?? 0
    this.stats.failed += n
    if (uncertain) this.stats.uncertain += n
    this.stats.failedPartitions[partition] = (this.stats.failedPartitions[partition] ?? 0) + n
    if (this.options.onUndelivered && n > 0) this.options.onUndelivered({partition, records: recordsOf(request, partition), error, uncertain})
  }

  /** Counts `request` (or only these partitions of it) as delivered; onAck with the checkpoints it allows. */
  private acknowledged(request: Request, only?: Set<number>): void {
    const stats = this.stats
    let records = 0
    let bytes = 0
    const partitions = only ? new Map([...request.partitions].filter(([p]) => only.has(p))) : request.partitions
    for (const [p, n] of partitions) {
      stats.partitions[p] = (stats.partitions[p] ?? 0) + n
      records += n
      bytes += (request.partitionBytes.get(p) ?? 0) - n * RECORD_OVERHEAD
    }
    stats.delivered += records
    stats.bytes += bytes
    const committed = new Map<string, number>()
    if (request.tickets) {
      const touched = new Set<string>()
      for (const {source, ticket, partition} of request.tickets) {
        if (only && !only.has(partition)) continue
        ticket.done = true
        touched.add(source)
      }
      for (const source of touched) {
        const queue = this.sources.get(source)!
        let last: number | undefined
        while (queue.head < queue.tickets.length && queue.tickets[queue.head].done) last = queue.tickets[queue.head++].offset
        if (queue.head > 4096 && queue.head * 2 > queue.tickets.length) {
          queue.tickets = queue.tickets.slice(queue.head)
          queue.head = 0
        }
        if (last !== undefined) committed.set(source, last)
      }
    }
    this.options.onAck?.({records, bytes, partitions, committed})
  }

  /** The user's words for a failed request; `partition` is named when the request had several. */
  private describeFailure(error: unknown, request: Request, partition?: number): KafkitError {
    const root = rootCause(error)
    const where = partition === undefined ? '' : `partition ${partition}: `
    if (root?.type === 'MESSAGE_TOO_LARGE' || root?.type === 'RECORD_LIST_TOO_LARGE') {
      const limit = this.options.maxMessageBytes
      return new KafkitError('RECORD_TOO_LARGE', `${where}the broker refused a batch as too large: largest record ${request.largest} bytes, topic max.message.bytes ${limit ?? 'unknown'}`, {
        hint: "raise the topic's max.message.bytes, or lower --batch-size",
        exitCode: ExitCode.INCOMPLETE,
        cause: error,
      })
    }
    const mapped = error instanceof KafkitError ? error : mapKafkaError(error, this.options.errorContext ?? {brokers: [], timeoutMs: this.options.requestTimeoutMs})
    if (!where) return mapped
    return new KafkitError(mapped.code, `${where}${mapped.message}`, {hint: mapped.hint, exitCode: mapped.exitCode, cause: error, details: mapped.details})
  }

  private waitForSlot(): Promise<void> {
    return new Promise((resolve) => this.slotWaiters.push(resolve))
  }
}

/** A partition's records of a request, as records (a run's are decoded back), with their input lines. */
function recordsOf(request: Request, partition: number): RawRecord[] {
  const first = request.messages[0] as Partial<RunMarker> | undefined
  if (!first?.kafkitRun) return (request.messages as RawRecord[]).filter((r) => r.partition === partition)
  const out: RawRecord[] = []
  const seen = new Set<RecordRun>()
  for (const m of request.messages as RunMarker[]) {
    const run = m.kafkitRun
    if (run.partition !== partition || seen.has(run)) continue
    seen.add(run)
    out.push(...run.toRecords())
  }
  return out
}

/**
 * The exact size of a RecordBatch holding only this record, uncompressed: what the broker compares with the
 * topic's max.message.bytes.
 */
export function singleRecordBatchSize(record: Pick<RawRecord, 'key' | 'value' | 'headers'>): number {
  if (record.headers === undefined) {
    const k = record.key ? varintSize(record.key.length) + record.key.length : 1
    const v = record.value ? varintSize(record.value.length) + record.value.length : 1
    const body = 4 + k + v
    return BATCH_OVERHEAD + varintSize(body) + body
  }
  const bytesField = (b: Buffer | null | undefined) => (b ? varintSize(b.length) + b.length : 1)
  let body = 3 + bytesField(record.key) + bytesField(record.value) // attributes, timestamp delta, offset delta
  let headerCount = 0
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const n = Buffer.byteLength(name)
      body += varintSize(n) + n + bytesField(v)
      headerCount++
    }
  }
  body += varintSize(headerCount)
  return BATCH_OVERHEAD + varintSize(body) + body
}

/** Size of a zig-zag varint of a non-negative int. */
function varintSize(n: number): number {
  let z = n * 2
  let size = 1
  while (z >= 128) {
    z = Math.floor(z / 128)
    size++
  }
  return size
}
