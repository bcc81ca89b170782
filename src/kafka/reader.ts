/**
 * The group-less partition reader: reads any window of any partitions straight from the partition leaders with
 * the Fetch API — no consumer group is created, joined or committed to, so reading has no side effects on the
 * cluster and no group-join delay. Used by `consume` (without --group) and meant for `replay`.
 *
 * Usage:
 *
 *   const session = await ReaderSession.open(client)              // connects; every wait bounded by --timeout
 *   const topics = await session.topics()                          // metadata of every topic (regex, checks)
 *   const windows = await session.planWindows([{topic, partitions}], {from: spec, to: spec?, exitAtEnd})
 *   const reader = session.read(windows)                           // starts fetching (parallel, with prefetch)
 *   for await (const batch of reader) {                            // ReadBatch: records of ONE partition, in order
 *     write(batch.records)                                          // RawRecord: topic, partition, offset, timestamp, key, value, headers
 *     checkpoint(batch.topic, batch.partition, batch.nextOffset)    // resume point: everything before it was seen
 *   }                                                               // the loop ends when every window is done
 *   reader.progress()                                               // per partition: start, next, end, highWatermark, done
 *   await reader.close(); await session.close()
 *
 * - A window is [start, end): `end` is exclusive; without `end` the partition is followed forever (until close()).
 *   "Done" means the partition's next offset has reached `end`; the iteration ends when every window is done,
 *   so with several partitions "stop at TO" means every partition passed TO.
 * - Reads are read_committed (unless the session was opened read-uncommitted: then windows end at the high
 *   watermark and open or aborted transactions' records are read too): records of aborted transactions and control records never appear, and windows
 *   planned here end at the last stable offset. `nextOffset` skips over such records (and compacted gaps), so
 *   it is the right resume point even when a batch carries no records (such batches are still yielded).
 * - Partitions are grouped by leader; each leader gets one fetch loop, and each loop fetches its next response
 *   while earlier ones wait in a bounded queue (prefetch; memory is bounded by `bufferBytes`).
 * - Leader changes, lost connections and stale metadata: metadata is refreshed and the loops restart from the
 *   partitions' next offsets; the reader fails only when no fetch has succeeded for `timeoutMs`.
 *   OFFSET_OUT_OF_RANGE (data deleted under the reader) moves the partition to its log start.
 */
import {KafkitError, notFoundError, usageError, withTimeout} from '../errors.js'
import type {EncodedRecordSet, RawRecord} from '../records/envelope.js'
import type {OffsetSpec} from '../specs/offset-spec.js'
import type {KafkaClient} from './client.js'
import {
  abortPendingRequests,
  createInternalCluster,
  fetchFromBroker,
  type FetchedPartition,
  type InternalCluster,
  isStaleMetadataError,
  lazyRecords,
  leadersOf,
  listOffsets,
  listOffsetsOfTopics,
  offsetOutOfRange,
  READ_COMMITTED,
  READ_UNCOMMITTED,
  topicNames,
} from './kafkajs/internals.js'
import {sortedPartitions, type TopicPartitions, topicDeletedError, unknownTopic} from './metadata.js'
import {resolveEnd, resolveStart, type Watermark} from './offsets.js'
import {sessionOf} from './kafkajs/session.js'

export interface PartitionWindow {
  topic: string
  partition: number
  /** First offset to read. */
  start: number
  /** Exclusive end; undefined follows the partition. */
  end?: number
}

export interface ReadBatch {
  topic: string
  partition: number
  /**
   * Records in offset order, already trimmed to the window. May be empty (progress over skipped records). With
   * kafkit's own decoder they are decoded when first read: a consumer that only needs values uses `encoded`.
   */
  readonly records: RawRecord[]
  /** The same records still encoded (kafkit's own decoder), for the values lane of `consume`. */
  encoded?: EncodedRecordSet
  /** The offset after the last one this batch covers: where a resumed read continues. */
  nextOffset: number
  highWatermark: number
  /** The partition reached the end of its window with this batch. */
  done: boolean
}

export interface PartitionProgress {
  topic: string
  partition: number
  start: number
  next: number
  end?: number
  highWatermark: number
  done: boolean
}

export type Isolation = 'read-committed' | 'read-uncommitted'
export const ISOLATIONS: readonly Isolation[] = ['read-committed', 'read-uncommitted']

export interface ReaderOptions {
  /** How long a fetch waits for new data at the end of a log (follow mode latency vs request rate). */
  maxWaitMs?: number
  /** Upper bound of one fetch response. */
  maxBytes?: number
  /** Initial per-partition bound of one fetch (doubled when a record batch does not fit). */
  partitionMaxBytes?: number
  /** Decoded record bytes that may wait for the consumer before fetching pauses (prefetch depth). */
  bufferBytes?: number
  /** Fail after this long without a successful fetch (defaults to the client's --timeout). */
  timeoutMs?: number
  /**
   * Stop fetching once this many records were handed over (`consume -c N` without a filter): the reader ends
   * instead of fetching (and decoding) an answer nobody will read.
   */
  maxRecords?: number
}

export interface PlanOptions {
  from: OffsetSpec
  to?: OffsetSpec
  /** Without `to`: stop at the end offsets seen now (`-e`); otherwise follow. */
  exitAtEnd?: boolean
  /** Committed offsets per topic and partition, for `from: stored`. */
  committed?: Map<string, Map<number, number>>
}

export class ReaderSession {
  private constructor(
    readonly client: KafkaClient,
    private readonly cluster: InternalCluster,
  ) {}

  /** `isolation`: read-committed (default: no aborted or open transactions; windows end at the last stable offset) or read-uncommitted. */
  static async open(client: KafkaClient, options: {isolation?: Isolation} = {}): Promise<ReaderSession> {
    const cluster = createInternalCluster(sessionOf(client).kafka, {isolationLevel: options.isolation === 'read-uncommitted' ? READ_UNCOMMITTED : READ_COMMITTED})
    client.registerCluster(cluster)
    await client.call('connecting to Kafka', () => cluster.connect())
    return new ReaderSession(client, cluster)
  }

  /**
   * Metadata of the named topics, or of every topic (regular expressions, and names of which one is unknown:
   * resolveTargets() then says which, with a did-you-mean). Partitions sorted. Named topics become the
   * cluster's targets in the same request (a cluster of thousands of topics is not listed to read one).
   */
  async topics(names?: string[]): Promise<TopicPartitions[]> {
    if (names && names.length > 0) {
      const unique = [...new Set(names)]
      this.client.expectAccess(...unique.map((name) => ({operation: 'READ', resourceType: 'topic' as const, name})))
      const found = await this.client
        .call('reading topic metadata', () => this.cluster.addMultipleTargetTopics(unique))
        .then(
          () => true,
          (error: unknown) => {
            if (error instanceof KafkitError && error.code === 'TOPIC_NOT_FOUND') return false
            throw error
          },
        )
      if (found) {
        return unique.map((topic) => ({topic, partitions: sortedPartitions(this.cluster.findTopicPartitionMetadata(topic))}))
      }
    }
    const {topicMetadata} = await this.client.call('reading topic metadata', () => this.cluster.metadata())
    return topicMetadata.map((t) => ({topic: t.topic, partitions: sortedPartitions(t.partitionMetadata)}))
  }

  /** Log start and last stable offset of each partition (read committed: what a reader can reach). */
  async watermarks(topic: string, partitions: number[]): Promise<Watermark[]> {
    await this.client.call('reading topic metadata', () => this.cluster.addMultipleTargetTopics([topic]))
    const [low, high] = await this.client.call(`reading offsets of '${topic}'`, () =>
      Promise.all([listOffsets(this.cluster, topic, partitions, 'earliest'), listOffsets(this.cluster, topic, partitions, 'latest')]),
    )
    return partitions.map((partition) => ({partition, low: low.get(partition) ?? 0, high: high.get(partition) ?? 0}))
  }

  /** First offset at or after `timestamp` per partition; partitions with no such record are left out. */
  async offsetsAtTime(topic: string, partitions: number[], timestamp: number): Promise<Map<number, number>> {
    await this.client.call('reading topic metadata', () => this.cluster.addMultipleTargetTopics([topic]))
    const offsets = await this.client.call(`reading offsets of '${topic}' at a time`, () => listOffsets(this.cluster, topic, partitions, timestamp))
    for (const [p, o] of offsets) if (o < 0) offsets.delete(p)
    return offsets
  }

  /** Resolves specs into per-partition windows (see resolveStart / resolveEnd in offsets.ts). */
  async planWindows(targets: {topic: string; partitions: number[]}[], options: PlanOptions): Promise<PartitionWindow[]> {
    await this.client.call('reading topic metadata', () => this.cluster.addMultipleTargetTopics(targets.map((t) => t.topic)))
    // One ListOffsets per leader for each kind of offset, whatever the number of topics (--regex over thousands).
    // At a time: partitions with no record at or after it answer -1 and are left out.
    const at = async (time: number) => {
      const offsets = await listOffsetsOfTopics(this.cluster, targets, time)
      for (const byPartition of offsets.values()) for (const [p, o] of byPartition) if (o < 0) byPartition.delete(p)
      return offsets
    }
    const [low, high, fromTime, toTime] = await this.client.call(targets.length === 1 ? `reading offsets of '${targets[0]!.topic}'` : `reading offsets of ${targets.length} topics`, () =>
      Promise.all([
        // No request for what the window does not use: `--from beginning` without an end needs no log end
        // (`consume -c 1`: one ListOffsets less before the first fetch), `--from end` no log start.
        options.from.kind !== 'end' || options.to ? listOffsetsOfTopics(this.cluster, targets, 'earliest') : new Map<string, Map<number, number>>(),
        options.from.kind !== 'beginning' || options.to || options.exitAtEnd ? listOffsetsOfTopics(this.cluster, targets, 'latest') : new Map<string, Map<number, number>>(),
        options.from.kind === 'time' ? at(options.from.timestamp) : undefined,
        // A closed window includes records stamped exactly at TO.
        options.to?.kind === 'time' ? at(options.to.timestamp + 1) : undefined,
      ]),
    )
    return targets.flatMap(({topic, partitions}) =>
      partitions.map((partition): PartitionWindow => {
        const watermark = {partition, low: low.get(topic)?.get(partition) ?? 0, high: high.get(topic)?.get(partition) ?? 0}
        const committed = options.committed?.get(topic)?.get(partition)
        const start = resolveStart(options.from, {watermark, atTime: fromTime?.get(topic)?.get(partition), committed})
        let end: number | undefined
        if (options.to) end = resolveEnd(options.to, {watermark, atTime: toTime?.get(topic)?.get(partition)})
        else if (options.exitAtEnd) end = watermark.high
        return {topic, partition, start, end: end === undefined ? undefined : Math.max(start, end)}
      }),
    )
  }

  read(windows: PartitionWindow[], options: ReaderOptions = {}): PartitionReader {
    return new PartitionReader(this.cluster, windows, {timeoutMs: this.client.options.timeoutMs, ...options})
  }

  async close(): Promise<void> {
    abortPendingRequests(this.cluster)
    await withTimeout(this.cluster.disconnect(), 2000, () => new Error('disconnect')).catch(() => undefined)
  }
}

interface PartitionState extends PartitionProgress {
  maxBytes: number
}

/** The first fetch of a loop (and of a partition) asks for this much; each next one doubles up to the maximum. */
const FIRST_FETCH_BYTES = 64 * 1024

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export class PartitionReader implements AsyncIterable<ReadBatch> {
  private readonly states: PartitionState[]
  private readonly queue: BatchQueue
  private readonly options: Required<Omit<ReaderOptions, 'maxRecords'>> & Pick<ReaderOptions, 'maxRecords'>
  private generation = 0
  private closed = false
  /** Records pushed to the queue so far (for maxRecords). */
  private queued = 0
  private lastSuccess = Date.now()
  private readonly running: Promise<void>

  constructor(
    private readonly cluster: InternalCluster,
    windows: PartitionWindow[],
    options: ReaderOptions,
  ) {
    this.options = {
      maxWaitMs: options.maxWaitMs ?? 500,
      maxBytes: options.maxBytes ?? 1024 * 1024,
      partitionMaxBytes: options.partitionMaxBytes ?? 512 * 1024,
      bufferBytes: options.bufferBytes ?? 2 * 1024 * 1024,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRecords: options.maxRecords,
    }
    this.states = windows.map((w) => ({
      ...w,
      next: w.start,
      highWatermark: w.end ?? w.start,
      done: w.end !== undefined && w.start >= w.end,
      maxBytes: Math.min(FIRST_FETCH_BYTES, this.options.partitionMaxBytes),
    }))
    this.queue = new BatchQueue(this.options.bufferBytes)
    this.running = this.supervise()
  }

  /** Every window has ended (never true while a partition is followed). */
  get windowDone(): boolean {
    return this.states.every((s) => s.done)
  }

  /** Batches fetched and waiting to be taken (0: the consumer has caught up with the fetchers). */
  get buffered(): number {
    return this.queue.length
  }

  progress(): PartitionProgress[] {
    return this.states.map(({maxBytes: _m, ...p}) => ({...p}))
  }

  [Symbol.asyncIterator](): AsyncIterator<ReadBatch> {
    return this.queue[Symbol.asyncIterator]()
  }

  /** Ends the iteration now (Ctrl-C); close() finishes the shutdown. */
  stop(): void {
    void this.close()
  }

  /** Stops fetching; batches not yet taken are dropped. */
  async close(): Promise<void> {
    this.closed = true
    this.generation++
    this.queue.close()
    // A fetch may be long-polling (maxWaitMs); its result is discarded, and disconnecting the session ends it.
    await withTimeout(this.running, 50, () => new Error('close')).catch(() => undefined)
  }

  private async supervise(): Promise<void> {
    try {
      let stale = false
      let attempt = 0
      while (!this.closed) {
        const active = this.states.filter((s) => !s.done)
        if (active.length === 0 || this.enough) break
        const generation = ++this.generation
        let groups: Map<string, PartitionState[]>
        try {
          if (stale) await this.cluster.refreshMetadata()
          else await this.cluster.addMultipleTargetTopics([...new Set(active.map((s) => s.topic))])
          groups = this.groupByLeader(active)
        } catch (error) {
          if (!isStaleMetadataError(error)) throw error
          this.checkDeadline(error)
          await sleep(Math.min(1000, 100 * 2 ** attempt++))
          stale = true
          continue
        }
        const results = await Promise.all([...groups].map(([nodeId, parts]) => this.brokerLoop(nodeId, parts, generation)))
        stale = results.includes('stale')
        if (stale) await sleep(Math.min(1000, 100 * 2 ** attempt++))
        else attempt = 0
      }
      this.queue.end()
    } catch (error) {
      this.queue.fail(error)
    }
  }

  private groupByLeader(active: PartitionState[]): Map<string, PartitionState[]> {
    const groups = new Map<string, PartitionState[]>()
    const byTopic = new Map<string, PartitionState[]>()
    for (const s of active) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s])
    for (const [topic, states] of byTopic) {
      const leaders = leadersOf(
        this.cluster,
        topic,
        states.map((s) => s.partition),
      )
      let placed = 0
      for (const [nodeId, partitions] of leaders) {
        const list = groups.get(nodeId) ?? []
        for (const p of partitions) {
          const s = states.find((x) => x.partition === p)
          if (s) {
            list.push(s)
            placed++
          }
        }
        groups.set(nodeId, list)
      }
      if (placed < states.length) throw Object.assign(new Error(`no leader for some partitions of '${topic}'`), {type: 'LEADER_NOT_AVAILABLE'})
    }
    return groups
  }

  private checkDeadline(error: unknown): void {
    if (Date.now() - this.lastSuccess > this.options.timeoutMs) {
      throw new KafkitError('TIMEOUT', `reading stopped: no fetch succeeded for ${Math.round(this.options.timeoutMs / 1000)}s (${(error as Error)?.message ?? error})`, {
        hint: 'the partition leaders are unreachable; check the cluster with `kafkit cluster info`, or raise --timeout',
        exitCode: 7,
        cause: error,
      })
    }
  }

  /** True once `maxRecords` records were handed over: no more fetching. */
  private get enough(): boolean {
    return this.options.maxRecords !== undefined && this.queued >= this.options.maxRecords
  }

  /** Fetches the partitions one broker leads until they are done, or the loop must restart ('stale'). */
  private async brokerLoop(nodeId: string, parts: PartitionState[], generation: number): Promise<'done' | 'stale'> {
    let fetchBytes = Math.min(FIRST_FETCH_BYTES, this.options.maxBytes)
    while (!this.closed && generation === this.generation) {
      const active = parts.filter((s) => !s.done)
      if (active.length === 0 || this.enough) return 'done'
      // Fetch only when the queue has room: a fetched answer is decoded at once (memory stays bounded). Waiting
      // for the consumer does not count against --timeout.
      if (await this.queue.room()) this.lastSuccess = Math.max(this.lastSuccess, Date.now())
      if (this.closed || generation !== this.generation || this.enough) break
      let fetched: FetchedPartition[]
      try {
        fetched = await fetchFromBroker(
          this.cluster,
          nodeId,
          active.map((s) => ({topic: s.topic, partition: s.partition, fetchOffset: s.next, maxBytes: s.maxBytes})),
          {maxWaitTime: this.options.maxWaitMs, maxBytes: fetchBytes, maxRecords: this.options.maxRecords === undefined ? undefined : this.options.maxRecords - this.queued},
        )
        // Start small, then double: the first record shows up without fetching and decoding a megabyte first.
        fetchBytes = Math.min(fetchBytes * 2, this.options.maxBytes)
        this.lastSuccess = Date.now()
      } catch (error) {
        if (this.closed) return 'done'
        const outOfRange = offsetOutOfRange(error)
        if (outOfRange) {
          await this.resetOutOfRange(outOfRange.topic, outOfRange.partition)
          continue
        }
        if (!isStaleMetadataError(error) && (error as {retriable?: boolean}).retriable !== true) throw error
        if ((error as {type?: string}).type === 'UNKNOWN_TOPIC_OR_PARTITION' || (error as {type?: string}).type === 'UNKNOWN_TOPIC_ID') await this.failIfDeleted(active)
        this.checkDeadline(error)
        if (generation === this.generation) this.generation++
        return 'stale'
      }
      if (generation !== this.generation) return 'stale'
      // Indexed once per answer: a find() per fetched partition was quadratic (seconds at 10,000 partitions).
      const byKey = new Map(active.map((x) => [`${x.topic}\u0000${x.partition}`, x]))
      for (const f of fetched) {
        const s = byKey.get(`${f.topic}\u0000${f.partition}`)
        if (!s) continue
        const before = s.next
        let part: Pick<FetchedPartition, 'records' | 'encoded'> = f
        let next = f.nextOffset
        if (s.end !== undefined && next >= s.end) {
          const end = s.end
          if (f.encoded) part = lazyRecords(f.encoded.below(end))
          else if (f.records.length > 0 && (f.records.at(-1)!.offset ?? 0) >= end) part = {records: f.records.filter((r) => (r.offset ?? 0) < end)}
          next = end
        }
        const count = part.encoded ? part.encoded.count : part.records.length
        s.next = next
        s.highWatermark = f.highWatermark
        if (f.truncated) s.maxBytes = Math.min(s.maxBytes * 2, 256 * 1024 * 1024)
        else if (s.maxBytes < this.options.partitionMaxBytes) s.maxBytes = Math.min(s.maxBytes * 2, this.options.partitionMaxBytes)
        s.done = s.end !== undefined && s.next >= s.end
        if (next !== before || count > 0 || s.done) {
          const taken = part
          const batch: ReadBatch = {
            topic: s.topic,
            partition: s.partition,
            get records() {
              return taken.records
            },
            encoded: taken.encoded,
            nextOffset: next,
            highWatermark: f.highWatermark,
            done: s.done,
          }
          await this.queue.push(batch)
          this.queued += count
        }
      }
    }
    return 'done'
  }

  /** A topic deleted under the reader is exit 3 at once, not a timeout after --timeout of retries. */
  private async failIfDeleted(active: PartitionState[]): Promise<void> {
    const existing = await topicNames(this.cluster).catch(() => undefined)
    if (!existing) return
    const gone = [...new Set(active.map((s) => s.topic))].filter((t) => !existing.has(t))
    if (gone.length === 0) return
    throw topicDeletedError(gone)
  }

  private async resetOutOfRange(topic: string, partition: number): Promise<void> {
    const s = this.states.find((x) => x.topic === topic && x.partition === partition)
    if (!s) return
    const [low, high] = await Promise.all([listOffsets(this.cluster, topic, [partition], 'earliest'), listOffsets(this.cluster, topic, [partition], 'latest')])
    const l = low.get(partition) ?? 0
    const h = high.get(partition) ?? l
    s.next = s.next < l ? l : Math.min(s.next, h)
    if (s.end !== undefined && s.next >= s.end) {
      s.next = Math.max(s.next, s.end)
      s.done = true
      await this.queue.push({topic, partition, records: [], nextOffset: s.next, highWatermark: h, done: true})
    }
  }
}

/** A bounded queue between the fetch loops and the consumer (bounded by the records' key+value bytes). */
export class BatchQueue implements AsyncIterable<ReadBatch> {
  /** Taken entries are set to undefined at once (see the iterator). */
  private items: ({batch: ReadBatch; size: number} | undefined)[] = []
  private head = 0
  private bytes = 0
  private ended = false
  private closed = false
  private error: unknown
  private takers: (() => void)[] = []
  private pushers: (() => void)[] = []

  constructor(private readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head
  }

  /** Resolves once the queue has room for another batch (or is closed); true when it had to wait. */
  async room(): Promise<boolean> {
    let waited = false
    while (!this.closed && this.bytes > 0 && this.bytes >= this.capacity) {
      waited = true
      await new Promise<void>((resolve) => this.pushers.push(resolve))
    }
    return waited
  }

  async push(batch: ReadBatch): Promise<void> {
    while (!this.closed && this.bytes > 0 && this.bytes >= this.capacity) await new Promise<void>((resolve) => this.pushers.push(resolve))
    if (this.closed) return
    const size = sizeOf(batch)
    this.items.push({batch, size})
    this.bytes += size
    this.wake(this.takers)
  }

  end(): void {
    this.ended = true
    this.wake(this.takers)
  }

  fail(error: unknown): void {
    this.error ??= error
    this.ended = true
    this.wake(this.takers)
  }

  close(): void {
    this.closed = true
    this.ended = true
    this.wake(this.takers)
    this.wake(this.pushers)
  }

  private wake(list: (() => void)[]): void {
    const waiting = list.splice(0)
    for (const w of waiting) w()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ReadBatch> {
    for (;;) {
      if (this.head < this.items.length) {
        const {batch, size} = this.items[this.head]!
        // Taken batches must not stay referenced (they pin their fetch response's memory): without this, a slow
        // reader of stdout (a pipe) kept up to 64 taken batches alive, ~250 MB RSS instead of ~130.
        this.items[this.head] = undefined
        if (++this.head === this.items.length) {
          this.items = []
          this.head = 0
        } else if (this.head >= 64) {
          this.items = this.items.slice(this.head)
          this.head = 0
        }
        this.bytes -= size
        this.wake(this.pushers)
        yield batch
        continue
      }
      if (this.error !== undefined) throw this.error
      if (this.ended) return
      await new Promise<void>((resolve) => this.takers.push(resolve))
    }
  }
}

function sizeOf(batch: ReadBatch): number {
  // Still encoded: what it holds is its bytes (records decoded later are the consumer's).
  if (batch.encoded) return 64 + batch.encoded.bytes
  let n = 64
  for (const r of batch.records) n += 64 + (r.key?.length ?? 0) + (r.value?.length ?? 0)
  return n
}

/**
 * Which partitions of which topics to read: TOPIC arguments are names (or, with `regex`, patterns matched
 * against every non-internal topic — an internal `__` topic only when named explicitly); `partitions`
 * restricts every topic to those partition ids. Unknown topics or partitions are exit 3. Pure.
 */
export function resolveTargets(all: TopicPartitions[], names: string[], options: {regex?: boolean; partitions?: number[]} = {}): {topic: string; partitions: number[]}[] {
  const byName = new Map(all.map((t) => [t.topic, t]))
  let chosen: TopicPartitions[]
  if (options.regex) {
    const patterns = names.map((n) => {
      try {
        return new RegExp(n)
      } catch (error) {
        throw usageError(`'${n}' is not a regular expression (${(error as Error).message})`, "e.g. kafkit consume --regex '^orders-' -e", 'BAD_REGEX')
      }
    })
    chosen = all
      .filter((t) => patterns.some((re) => re.test(t.topic)) && (!t.topic.startsWith('__') || names.some((n) => n.startsWith('^__') || n.startsWith('__'))))
      .sort((a, b) => a.topic.localeCompare(b.topic))
    if (chosen.length === 0) {
      throw notFoundError('TOPIC_NOT_FOUND', `no topic matches ${names.map((n) => `'${n}'`).join(', ')}`, "list topics with 'kafkit topics list'")
    }
  } else {
    chosen = [...new Set(names)].map((name) => {
      const found = byName.get(name)
      if (!found) throw unknownTopic(name, [...byName.keys()])
      return found
    })
  }
  return chosen
    .map((t) => {
      const ids = t.partitions.map((p) => p.partition)
      if (!options.partitions) return {topic: t.topic, partitions: ids}
      const missing = options.partitions.filter((p) => !ids.includes(p))
      // With a regex, a partition list applies to the topics that have those partitions.
      if (missing.length > 0 && !options.regex) {
        throw notFoundError(
          'PARTITION_NOT_FOUND',
          `topic '${t.topic}' has no partition ${missing.join(', ')} (it has ${ids.length === 1 ? 'partition 0' : `partitions 0-${ids.length - 1}`})`,
          `kafkit topics describe ${t.topic}`,
        )
      }
      return {topic: t.topic, partitions: options.partitions.filter((p) => ids.includes(p))}
    })
    .filter((t) => t.partitions.length > 0)
}

/** `--partitions 0,3,5-7`. */
export function parsePartitionList(text: string): number[] {
  const result = new Set<number>()
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part)
    // Partition numbers are int32; a range is expanded, so a huge one would hang (0-99999999999).
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1])) || Number(m[2] ?? m[1]) > 2 ** 31 - 1 || Number(m[2] ?? m[1]) - Number(m[1]) >= 100_000) {
      throw usageError(`--partitions: '${text}' is not a list of partitions`, 'e.g. --partitions 0,3 or --partitions 0-5', 'BAD_PARTITIONS')
    }
    for (let p = Number(m[1]); p <= Number(m[2] ?? m[1]); p++) result.add(p)
  }
  if (result.size === 0) throw usageError('--partitions: empty list', 'e.g. --partitions 0,3', 'BAD_PARTITIONS')
  return [...result].sort((a, b) => a - b)
}
