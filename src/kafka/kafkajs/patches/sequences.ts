/**
 * The idempotent producer's sequence numbers, owned by kafkit's sendMessages (send-messages.ts) instead of
 * kafkajs' eosManager, so that several Produce requests can be in flight per partition (Kafka keeps the order and
 * drops duplicates for up to 5 in-flight batches per partition when the sequences are right), as Java's producer
 * does:
 * - a partition's batch gets its base sequence once, in the order the calls came in (the writer's order), and
 *   keeps it on every retry: a retry never moves records behind later ones;
 * - OUT_OF_ORDER_SEQUENCE_NUMBER for a batch while an earlier batch of the partition is still unresolved (being
 *   retried, or arriving later) means "wait": it is sent again once the earlier ones are resolved;
 *   the same error with nothing earlier unresolved is final: the batch failed (the broker did not append it), and
 *   so does every later batch of the partition (they cannot go in without a gap);
 * - DUPLICATE_SEQUENCE_NUMBER means the broker already has the batch: acknowledged;
 * - once a batch's attempt has failed (it is being retried), no later batch of its partition is sent until it is
 *   resolved, and a retry waits for every earlier batch of its partition: retries go in sequence order, one
 *   partition's batch at a time, as Java's producer sends them. A broker that restarted without this producer's
 *   state takes any sequence from it (Kafka accepts an unknown producer's first batch as it comes), so a later
 *   batch arriving first would be appended before an earlier one, which would then be refused as out of order;
 * - the next sequence goes back only over batches that certainly failed at the end of the partition's list (never
 *   over one that may have been appended: re-using its sequence would make the broker drop new records as
 *   duplicates).
 * The transactional producer keeps kafkajs' sequences (one request in flight per broker).
 */

export type EntryState = 'open' | 'acked' | 'failed' | 'uncertain'

/** One batch of one partition: its base sequence and record count. */
export interface SequenceEntry {
  readonly seq: number
  readonly count: number
  state: EntryState
  /** An attempt failed and the batch will be sent again: later batches of the partition wait for it. */
  retrying: boolean
  /** Resolves when the entry is no longer open. */
  readonly settled: Promise<void>
  settle(state: Exclude<EntryState, 'open'>): void
}

interface PartitionSequences {
  next: number
  /** Entries in sequence order: open ones, failed ones not yet rolled back, and the last settled ones. */
  entries: SequenceEntry[]
}

const INT32_MAX = 2_147_483_647

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap to 0 after Int32.MAX_VALUE. */
export function incrementSequence(seq: number, increment: number): number {
  return seq > INT32_MAX - increment ? increment - (INT32_MAX - seq) - 1 : seq + increment
}

export class SequenceBook {
  private readonly partitions = new Map<string, PartitionSequences>()
  private turn: Promise<void> = Promise.resolve()

  constructor(readonly producerId: string) {}

  /**
   * A place in the order of assignments, taken synchronously when a send starts: `wait` resolves once every
   * earlier send has assigned its sequences (or gave up), `done()` lets the next one go.
   */
  takeTurn(): {wait: Promise<void>; done: () => void} {
    const wait = this.turn
    let done!: () => void
    this.turn = new Promise<void>((resolve) => (done = resolve))
    return {wait, done}
  }

  /** The next batch of `count` records of this partition: its sequence, open until settled. */
  assign(topic: string, partition: number, count: number): SequenceEntry {
    const p = this.partition(topic, partition)
    let resolve!: () => void
    const settled = new Promise<void>((r) => (resolve = r))
    const entry: SequenceEntry = {
      seq: p.next,
      count,
      state: 'open',
      retrying: false,
      settled,
      settle: (state) => {
        if (entry.state !== 'open') return
        entry.state = state
        resolve()
        this.tidy(p)
      },
    }
    p.next = incrementSequence(p.next, count)
    p.entries.push(entry)
    return entry
  }

  /** The open entries of the partition assigned before `entry` (an out-of-order answer waits for them). */
  earlierOpen(topic: string, partition: number, entry: SequenceEntry): SequenceEntry[] {
    const p = this.partitions.get(`${topic}\u0000${partition}`)
    if (!p) return []
    const out: SequenceEntry[] = []
    for (const e of p.entries) {
      if (e === entry) break
      if (e.state === 'open') out.push(e)
    }
    return out
  }

  /**
   * What a send of `entry` waits for first: the earlier open batches of its partition that are being retried, and
   * on a retry of `entry` itself every earlier open batch (see the file comment).
   */
  mustWaitFor(topic: string, partition: number, entry: SequenceEntry): SequenceEntry[] {
    return this.earlierOpen(topic, partition, entry).filter((e) => entry.retrying || e.retrying)
  }

  /** The sequence the next batch of this partition gets. */
  nextSequence(topic: string, partition: number): number {
    return this.partitions.get(`${topic}\u0000${partition}`)?.next ?? 0
  }

  private partition(topic: string, partition: number): PartitionSequences {
    const key = `${topic}\u0000${partition}`
    let p = this.partitions.get(key)
    if (!p) this.partitions.set(key, (p = {next: 0, entries: []}))
    return p
  }

  private tidy(p: PartitionSequences): void {
    // Failed batches at the end: their sequences are free again (the broker never took them).
    while (p.entries.length > 0 && p.entries[p.entries.length - 1].state === 'failed') p.next = p.entries.pop()!.seq
    // Resolved batches at the front are history (a failed one stays until it can be rolled back).
    while (p.entries.length > 0 && (p.entries[0].state === 'acked' || p.entries[0].state === 'uncertain')) p.entries.shift()
  }
}

const books = new WeakMap<object, SequenceBook>()

/** The book of a producer (its eosManager), new whenever the producer id changes (sequences restart at 0). */
export function sequenceBook(owner: object, producerId: unknown): SequenceBook {
  const id = String(producerId)
  let book = books.get(owner)
  if (!book || book.producerId !== id) books.set(owner, (book = new SequenceBook(id)))
  return book
}
