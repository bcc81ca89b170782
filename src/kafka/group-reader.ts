/**
 * `consume --group G`: reads as a member of consumer group G with kafkajs' consumer (joins the group, gets
 * partitions assigned, rebalances), and commits only offsets of records the caller has already written.
 *
 * - Start: the group's committed offset per partition; a partition without one starts at `from`, and that
 *   start is committed to the group before joining (as `kafka-consumer-groups --reset-offsets` would), so a
 *   crash before the first write starts at the same place again. If the group is active (other members), the
 *   start cannot be written that way and kafkajs' own reset applies (beginning / end).
 * - Offsets are never auto-committed: the kafkajs position advances with each batch handed over
 *   (resolveOffset), the commit happens through `commit(positions)` with the positions the printer has
 *   written. After a crash, records may be printed again, never skipped.
 * - `-e` / `--to`: the member stops when every partition reached its end offset (computed at start).
 */
import {setTimeout as sleep} from 'node:timers/promises'

import type {Consumer, EachBatchPayload} from './kafkajs/session.js'

import {ExitCode, KafkitError, usageError, withTimeout} from '../errors.js'
import type {RawRecord} from '../records/envelope.js'
import type {OffsetSpec} from '../specs/offset-spec.js'
import type {KafkaClient} from './client.js'
import {retriableCause} from './errors.js'
import {openOffsetCommitter} from './groups.js'
import {topicDeletedError} from './metadata.js'
import {BatchQueue, type PartitionWindow, type ReadBatch, type ReaderSession} from './reader.js'
import {sessionOf} from './kafkajs/session.js'

export interface GroupSourceOptions {
  group: string
  targets: {topic: string; partitions: number[]}[]
  from: OffsetSpec
  to?: OffsetSpec
  exitAtEnd?: boolean
  /** Called with a warning line (e.g. could not set start offsets). */
  warn?: (text: string) => void
  /** --isolation read-uncommitted (kafkajs' consumer reads committed by default). */
  readUncommitted?: boolean
  /** `consume -c N` without a filter: fetch about that much, not kafkajs' 1 MiB per partition (see fetchBytesFor). */
  maxRecords?: number
}

/**
 * kafkajs' consumer fetches (and decodes, in JavaScript) up to 1 MiB per partition and 10 MiB per request: for
 * `-c 1` that was most of the time to the first record (3 MiB decoded for one record of a 3-partition topic).
 * With a record count the fetch asks for about 256 bytes a record (at least 16 KiB); the broker still returns a
 * whole first batch however large, so a bigger record is never stuck.
 */
export function fetchBytesFor(maxRecords: number | undefined): {maxBytesPerPartition: number; maxBytes: number} | undefined {
  if (maxRecords === undefined) return undefined
  const perPartition = Math.min(1 << 20, Math.max(16 * 1024, maxRecords * 256))
  return {maxBytesPerPartition: perPartition, maxBytes: Math.min(10 << 20, perPartition * 4)}
}

export interface Position {
  topic: string
  partition: number
  next: number
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`

export class GroupSource implements AsyncIterable<ReadBatch> {
  private readonly queue = new BatchQueue(24 * 1024 * 1024)
  private readonly committed = new Map<string, number>()
  private readonly positions = new Map<string, number>()
  private stopped = false
  /** Records handed over so far (for maxRecords). */
  private pushed = 0

  constructor(
    private readonly client: KafkaClient,
    private readonly consumer: Consumer,
    private readonly windows: PartitionWindow[],
    private readonly groupId: string,
    private readonly maxRecords?: number,
  ) {
    for (const w of windows) this.positions.set(key(w.topic, w.partition), w.start)
  }

  get buffered(): number {
    return this.queue.length
  }

  [Symbol.asyncIterator](): AsyncIterator<ReadBatch> {
    return this.queue[Symbol.asyncIterator]()
  }

  /** Every partition with an end has reached it (and there is one at least). */
  private get allDone(): boolean {
    return this.windows.length > 0 && this.windows.every((w) => w.end !== undefined && (this.positions.get(key(w.topic, w.partition)) ?? w.start) >= w.end)
  }

  /**
   * kafkajs' consumer reports failures only as CRASH events and then restarts itself, forever when a subscribed
   * topic was deleted (the command would hang). A deleted topic is exit 3 at once; a crash kafkajs does not
   * restart from ends the iteration with its error.
   */
  private watchCrashes(): void {
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.inGroup = true))
    this.consumer.on(this.consumer.events.CRASH, (event: {payload: {error: Error; restart: boolean}}) => {
      this.crashes++
      this.inGroup = false
      this.lastCrash = event.payload.error?.message?.split('\n')[0]
      if (this.stopped) return
      const {error, restart} = event.payload
      void this.deletedTopics().then(async (gone) => {
        if (this.stopped) return
        if (gone.length > 0) this.queue.fail(topicDeletedError(gone))
        else if (!restart) {
          // kafkajs gives up on some errors that end once the cluster settles ("Failed to find group
          // coordinator" while a broker restarts): join again until --timeout has passed without a batch.
          this.failingSince ??= Date.now()
          if (!retriableCause(error) || Date.now() - this.failingSince > this.client.options.timeoutMs) {
            this.queue.fail(error)
            return
          }
          await sleep(500)
          if (this.stopped) return
          await this.run().catch((e: unknown) => this.queue.fail(e))
        }
      })
    })
  }

  /** Subscribed topics that no longer exist (none when the cluster cannot be asked). */
  private async deletedTopics(): Promise<string[]> {
    try {
      const admin = await sessionOf(this.client).admin()
      const existing = new Set(await withTimeout(admin.listTopics(), this.client.options.timeoutMs, () => new Error('listTopics')))
      return [...new Set(this.windows.map((w) => w.topic))].filter((t) => !existing.has(t))
    } catch {
      return []
    }
  }

  async start(): Promise<void> {
    this.watchCrashes()
    const windows = new Map(this.windows.map((w) => [key(w.topic, w.partition), w]))
    if (this.allDone) {
      this.queue.end()
      return
    }
    this.windowMap = windows
    await this.run()
  }

  private windowMap = new Map<string, PartitionWindow>()
  /** When the consumer first crashed without a batch since (for rejoining within --timeout). */
  private failingSince: number | undefined

  private async run(): Promise<void> {
    await this.client.call('joining the consumer group', () =>
      this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload: EachBatchPayload) => {
          this.failingSince = undefined
          return this.onBatch(payload, this.windowMap)
        },
      }),
    )
  }

  private async onBatch({batch, resolveOffset, heartbeat, isRunning, isStale}: EachBatchPayload, windows: Map<string, PartitionWindow>): Promise<void> {
    if (this.stopped || !isRunning() || isStale()) return
    const k = key(batch.topic, batch.partition)
    const w = windows.get(k)
    let next = Number(batch.lastOffset()) + 1
    let records: RawRecord[] = batch.messages.map((m) => {
      const r: RawRecord = {topic: batch.topic, partition: batch.partition, offset: Number(m.offset), timestamp: Number(m.timestamp), key: m.key ?? null, value: m.value ?? null}
      if (m.headers && Object.keys(m.headers).length > 0) {
        r.headers = {}
        for (const [hk, hv] of Object.entries(m.headers)) {
          if (hv === undefined) continue
          // null: a header without a value (Kafka allows it), kept distinct from an empty one
          const bytes = (v: Buffer | string | null) => (v === null ? null : Buffer.from(v))
          r.headers[hk] = Array.isArray(hv) ? hv.map(bytes) : bytes(hv)
        }
      }
      return r
    })
    if (w?.end !== undefined && next >= w.end) {
      const end = w.end
      records = records.filter((r) => (r.offset ?? 0) < end)
      next = end
      this.consumer.pause([{topic: batch.topic, partitions: [batch.partition]}])
    }
    this.positions.set(k, next)
    const done = w?.end !== undefined && next >= w.end
    this.pushed += records.length
    // Enough for `-c N`: no further fetch (it would hold up the final commit on the same connection).
    if (this.maxRecords !== undefined && this.pushed >= this.maxRecords) this.pauseAll()
    await this.queue.push({topic: batch.topic, partition: batch.partition, records, nextOffset: next, highWatermark: Number(batch.highWatermark), done})
    resolveOffset(String(next - 1))
    await heartbeat()
    if (this.allDone) this.queue.end()
  }

  /** kafkajs' consumer crashes so far (CRASH events), and whether it is in the group now (joined since the last). */
  private crashes = 0
  private inGroup = false
  private lastCrash: string | undefined

  /**
   * Commits the written positions that moved since the last commit. kafkajs' commitOffsets returns quietly,
   * having committed nothing, when its consumer stopped meanwhile (a crash it then restarts from, e.g. the group
   * coordinator gone): a commit counts as done only when the consumer was in the group before and after it.
   */
  async commit(positions: Iterable<Position>, final = false): Promise<void> {
    const changed = [...positions].filter((p) => this.committed.get(key(p.topic, p.partition)) !== p.next)
    if (changed.length === 0) return
    try {
      const crashesBefore = this.crashes
      const notInGroup = () => new Error(`kafkajs' consumer stopped${this.lastCrash ? ` on: ${this.lastCrash}` : ''}; nothing was committed`)
      if (!this.inGroup) throw notInGroup()
      await this.client.call('committing offsets', () => this.consumer.commitOffsets(changed.map((p) => ({topic: p.topic, partition: p.partition, offset: String(p.next)}))))
      if (this.crashes !== crashesBefore || !this.inGroup) throw notInGroup()
      for (const p of changed) this.committed.set(key(p.topic, p.partition), p.next)
    } catch (error) {
      // A rebalance can make a commit fail; the next one (or the final one) carries the same positions.
      if (final) {
        const reason = error instanceof KafkitError ? error.message : ((error as Error)?.message ?? String(error)).split('\n')[0]
        throw new KafkitError('COMMIT_FAILED', `everything read was written, but its offsets could not be committed to group '${this.groupId}' (${reason})`, {
          hint: 'the next run with this group starts from its last commit and may print those records again',
          exitCode: ExitCode.INCOMPLETE,
          cause: error,
        })
      }
    }
  }

  /** Ends the iteration (Ctrl-C); the member stays in the group until close() so the final commit works. */
  stop(): void {
    this.stopped = true
    this.queue.close()
    this.pauseAll()
  }

  private pauseAll(): void {
    const topics = [...new Set(this.windows.map((w) => w.topic))]
    try {
      this.consumer.pause(topics.map((topic) => ({topic})))
    } catch {
      // not running yet
    }
  }

  /** Leaves the group. */
  async close(): Promise<void> {
    this.stopped = true
    this.queue.close()
    await withTimeout(this.consumer.disconnect(), Math.max(3000, this.client.options.timeoutMs), () => new Error('disconnect')).catch(() => undefined)
  }
}

/**
 * Commits what was written every `intervalMs` while reading, whether or not more records arrive: a group whose
 * traffic stopped still has its last records committed within about a second (no false lag, and a SIGKILL
 * re-reads nothing already written). One commit at a time: a tick while a commit is in flight is skipped.
 */
export class CommitTimer {
  private inFlight: Promise<void> | undefined
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly commit: () => Promise<void>,
    intervalMs = 1000,
  ) {
    this.timer = setInterval(() => void this.tick(), intervalMs)
    this.timer.unref()
  }

  /** Commits now unless a commit is already in flight (failures are left to the next tick or the final commit). */
  tick(): Promise<void> {
    this.inFlight ??= this.commit()
      .catch(() => undefined)
      .finally(() => (this.inFlight = undefined))
    return this.inFlight
  }

  /** No more ticks; waits for a commit in flight, so that the final commit comes after it. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.inFlight
  }
}

/** Plans the group's start/end offsets, joins the group and starts reading. */
export async function openGroupSource(client: KafkaClient, session: ReaderSession, options: GroupSourceOptions): Promise<GroupSource> {
  const {group} = options
  const bounded = options.exitAtEnd || options.to !== undefined || options.maxRecords !== undefined
  const consumer = sessionOf(client).kafka.consumer({
    groupId: group,
    allowAutoTopicCreation: false,
    // kafkajs' consumer leaves only after its fetch in flight (or, all partitions paused, a sleep of this long)
    // ends, and the final commit waits behind that fetch on the connection: a bounded read keeps it short.
    maxWaitTimeInMs: bounded ? 100 : 500,
    retry: {retries: 5},
    readUncommitted: options.readUncommitted,
    ...fetchBytesFor(options.maxRecords),
  })
  // The consumer's connection is made while the start offsets are planned (one round of latency less).
  const connecting = consumer.connect()
  connecting.catch(() => undefined)
  let windows: PartitionWindow[]
  let from: OffsetSpec
  try {
    ;({windows, from} = await planGroupStart(client, session, options))
  } catch (error) {
    await withTimeout(
      connecting.then(() => consumer.disconnect()),
      3000,
      () => new Error('disconnect'),
    ).catch(() => undefined)
    throw error
  }
  const source = new GroupSource(client, consumer, windows, group, options.maxRecords)
  try {
    await client.call('connecting the consumer', () => connecting)
    await client.call('subscribing', () => consumer.subscribe({topics: options.targets.map((t) => t.topic), fromBeginning: from.kind !== 'end'}))
    await source.start()
  } catch (error) {
    await source.close()
    throw error
  }
  return source
}

/** The group's windows: its committed offsets, else where `from` says (written to the group before it is joined). */
async function planGroupStart(client: KafkaClient, session: ReaderSession, options: GroupSourceOptions): Promise<{windows: PartitionWindow[]; from: OffsetSpec}> {
  const {group, targets} = options
  const admin = await sessionOf(client).admin()
  const topics = targets.map((t) => t.topic)
  client.expectAccess({operation: 'READ', resourceType: 'group', name: group})
  const committedList = await client.call(`reading offsets of group '${group}'`, () => admin.fetchOffsets({groupId: group, topics}))
  const committed = new Map<string, Map<number, number>>()
  for (const t of committedList) {
    committed.set(t.topic, new Map(t.partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)])))
  }
  if (options.to?.kind === 'stored') throw usageError("'stored' cannot end a window", 'end with an offset, a time or end')
  const from: OffsetSpec = options.from.kind === 'stored' ? {kind: 'end'} : options.from
  const planned = await session.planWindows(targets, {from, to: options.to, exitAtEnd: options.exitAtEnd})
  const windows = planned.map((w) => {
    const c = committed.get(w.topic)?.get(w.partition)
    const start = c ?? w.start
    return {...w, start, end: w.end === undefined ? undefined : Math.max(w.end, start)}
  })

  // Partitions the group never committed start where `from` says: write that start first (see top comment).
  // One OffsetCommit without joining (as `offsets reset` does); kafkajs' admin.setOffsets joined the group with a
  // throw-away consumer, once per topic: seconds before the first record.
  const fresh = windows.filter((w) => committed.get(w.topic)?.get(w.partition) === undefined)
  if (fresh.length > 0) {
    const committer = openOffsetCommitter(client)
    try {
      await committer.commit(
        group,
        fresh.map((w) => ({topic: w.topic, partition: w.partition, offset: w.start})),
      )
    } catch (error) {
      options.warn?.(`could not set the start offsets of group '${group}' (${(error as Error).message}); new partitions start at the ${from.kind === 'end' ? 'end' : 'beginning'}`)
    } finally {
      await committer.close()
    }
  }
  return {windows, from}
}
