/**
 * kafkajs' `producer/sendMessages.js`, rewritten so that every partition of a Produce call has a known outcome.
 *
 * kafkajs' own version loses it: the Produce response parser throws the first partition's error, so the records
 * of the other partitions in the same request are reported as failed although the broker appended them (a
 * failed 6-partition produce said "8,805 delivered" for 30,354 records in the topic), and a retry re-sends the
 * whole broker request, partitions already appended included (duplicates without the idempotent producer).
 *
 * Here, per partition, as Java's producer does it per batch:
 * - every partition's error code in the response is read: appended partitions are done; a partition with a
 *   retriable error (NOT_LEADER_OR_FOLLOWER, ...) is sent again, alone, after a metadata refresh; a partition
 *   with any other error failed and is not retried (the broker did not append it);
 * - the idempotent producer's sequence is advanced only for appended partitions (kafkajs advances it for the
 *   whole request, then takes all of it back on any error);
 * - a request that fails as a whole (connection lost, timeout) is retried for its partitions, as kafkajs does.
 *
 * When the call fails, its error carries each partition's outcome (`produceOutcomes(error)`): `acked`, `failed`
 * (certainly not appended) or `uncertain` (the request may have reached the broker: a timeout, a lost
 * connection, or REQUEST_TIMED_OUT / NOT_ENOUGH_REPLICAS_AFTER_APPEND). Otherwise it behaves like kafkajs' (same
 * retrier, same metadata handling, same result on success). Installed by ../patches.ts for every run,
 * KAFKIT_KAFKAJS_PATCHES=0 included: the writer's counts depend on it (`produceOutcomesReady()`).
 * Checked on: kafkajs 2.2.4. Pinned by: test/integration/integrity-produce.test.ts (a produce failing in one
 * partition of many: the counts match what Kafka's own tools read back).
 */
import {recordCount} from '../protocol/record-runs.js'
import {requireKafkaJS} from '../require.js'
import {type SequenceBook, type SequenceEntry, sequenceBook} from './sequences.js'

export type PartitionStatus = 'acked' | 'failed' | 'uncertain'

export interface PartitionOutcome {
  topic: string
  partition: number
  /** Records of this partition in the call. */
  count: number
  status: PartitionStatus
  /** Why it was not acknowledged (the broker's error for this partition, or the request's). */
  error?: Error
}

const OUTCOMES = Symbol.for('kafkit.produce.outcomes')

/**
 * Each partition's outcome of a failed Produce call (kafkajs' sendBatch), found along the error's causes; undefined
 * when the error did not come from this module (then nothing is known per partition).
 */
export function produceOutcomes(error: unknown): PartitionOutcome[] | undefined {
  let current = error as Record<PropertyKey, unknown> | undefined
  for (let i = 0; i < 10 && current && typeof current === 'object'; i++) {
    const outcomes = current[OUTCOMES]
    if (outcomes) return outcomes as PartitionOutcome[]
    current = (current.originalError ?? current.cause) as Record<PropertyKey, unknown> | undefined
  }
  return undefined
}

/**
 * A caller that may stop waiting for a Produce call (the writer's own timeout) can still learn which partitions
 * were acknowledged before it gave up: put a Map under this key on the messages array it passes; each partition's
 * acknowledgement is recorded there as it arrives.
 */
export const LIVE_ACKS = Symbol.for('kafkit.produce.liveAcks')

/** The partitions acknowledged so far for a messages array given to sendBatch (see LIVE_ACKS). */
export function trackAcks(messages: unknown[]): Set<number> {
  const acked = new Set<number>()
  Object.defineProperty(messages, LIVE_ACKS, {value: acked, enumerable: false})
  return acked
}

let installed = false

/** True once this module replaced kafkajs' sendMessages (see kafkajs-patches.ts). */
export function produceOutcomesReady(): boolean {
  return installed
}

export function markProduceOutcomesInstalled(): void {
  installed = true
}

/** Error codes after which the broker may have appended the records (the ack, not the append, failed). */
const MAYBE_APPENDED = new Set([
  7, // REQUEST_TIMED_OUT: appended on the leader, not replicated in time
  20, // NOT_ENOUGH_REPLICAS_AFTER_APPEND
])

interface KafkaJSErrorLike extends Error {
  type?: string
  retriable?: boolean
  host?: string
  port?: number
}

interface Broker {
  nodeId: number
  lookupRequest(
    apiKey: number,
    definition: unknown,
  ): (args: Record<string, unknown>) => {request: {encode: () => Promise<unknown>}; response: {decode: (raw: Buffer) => Promise<unknown>; parse: (data: unknown) => Promise<unknown>}}
  connectionPool: {send(protocol: unknown): Promise<unknown>}
  disconnect(): Promise<void>
}

interface Cluster {
  refreshMetadataIfNecessary(): Promise<void>
  refreshMetadata(): Promise<void>
  addMultipleTargetTopics(topics: string[]): Promise<void>
  findTopicPartitionMetadata(topic: string): unknown[]
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>
  findBroker(args: {nodeId: string}): Promise<Broker>
  isConnected(): boolean
  connect(): Promise<void>
  removeBroker(args: {host?: string; port?: number}): void
}

interface EosManager {
  isInitialized(): boolean
  isTransactional(): boolean
  addPartitionsToTransaction(topicData: unknown): Promise<void>
  getSequence(topic: string, partition: number): number
  updateSequence(topic: string, partition: number, increment: number): void
  acquireBrokerLock(broker: Broker): Promise<void>
  releaseBrokerLock(broker: Broker): void
  getTransactionalId(): string
  getProducerId(): unknown
  getProducerEpoch(): number
}

type Retrier = <T>(fn: (bail: (error: Error) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>

interface SendMessagesDeps {
  logger: {debug(message: string, extra?: unknown): void; error(message: string, extra?: unknown): void}
  cluster: Cluster
  partitioner: (args: {topic: string; partitionMetadata: unknown[]; message: unknown}) => number
  eosManager: EosManager
  retrier: Retrier
}

interface SendArgs {
  acks: number
  timeout: number
  compression: number
  topicMessages: {topic: string; messages: unknown[]}[]
}

interface Slot {
  topic: string
  partition: number
  messages: unknown[]
  status: 'pending' | PartitionStatus
  error?: KafkaJSErrorLike
  /** A request with these records may have reached the broker without an answer. */
  maybeAppended: boolean
  /** The caller's LIVE_ACKS set for this topic's messages, if any. */
  live?: Set<number>
  /** Idempotent, not transactional: the batch's sequence (sequences.ts), assigned once, kept on every retry. */
  sequence?: SequenceEntry
}

/**
 * OUT_OF_ORDER_SEQUENCE_NUMBER while earlier batches of the partition are unresolved: sent again after them (the
 * retry waits for them like any retry: SequenceBook.mustWaitFor).
 */
class SequenceWait extends Error {
  readonly retriable = true
  constructor() {
    super('an earlier batch of the partition is not resolved yet (OUT_OF_ORDER_SEQUENCE_NUMBER): sent again after it')
    this.name = 'KafkitSequenceWait'
  }
}

interface PartitionResponse {
  partition: number
  errorCode: number
  baseOffset: string
  logAppendTime: string
  logStartOffset?: string
}

interface ProduceResponse {
  topics: {topicName: string; partitions: PartitionResponse[]}[]
}

/** The replacement of kafkajs' `producer/sendMessages.js` (same factory signature). */
export function createSendMessages({logger, cluster, partitioner, eosManager, retrier}: SendMessagesDeps) {
  const {KafkaJSMetadataNotLoaded} = requireKafkaJS('kafkajs/src/errors.js') as {KafkaJSMetadataNotLoaded: new (message: string) => Error}
  const {staleMetadata, createErrorFromCode} = requireKafkaJS('kafkajs/src/protocol/error.js') as {
    staleMetadata: (e: unknown) => boolean
    createErrorFromCode: (code: number) => KafkaJSErrorLike
  }
  const apiKeys = requireKafkaJS('kafkajs/src/protocol/requests/apiKeys.js') as {Produce: number}
  const {requests} = requireKafkaJS('kafkajs/src/protocol/requests/index.js') as {requests: {Produce: unknown}}

  return async ({acks, timeout, compression, topicMessages}: SendArgs): Promise<(PartitionResponse & {topicName: string})[]> => {
    const topics = topicMessages.map(({topic}) => topic)
    let slots: Slot[] | undefined
    const results: (PartitionResponse & {topicName: string})[] = []
    // Idempotent and not transactional: kafkit's own sequences (sequences.ts), several requests in flight. The
    // place in the order of assignments is taken now, synchronously: the writer's order of calls.
    const book: SequenceBook | undefined = eosManager.isInitialized() && !eosManager.isTransactional() ? sequenceBook(eosManager, eosManager.getProducerId()) : undefined
    // The turn is held until this call's requests are in their connections' queues (`handedOver`): sequences are
    // assigned and requests written in the same order, whatever the encoding (compression) costs, so that up to 5
    // requests can be in flight with any codec.
    const turn = book?.takeTurn()
    let assigned = false
    const assignSequences = async (list: Slot[]) => {
      if (!book || !turn || assigned) return
      await turn.wait
      for (const slot of list) slot.sequence = book.assign(slot.topic, slot.partition, recordCount(slot.messages))
      assigned = true
    }
    /** A slot's final outcome: its sequence entry settles with it (later batches of the partition stop waiting). */
    const settle = (slot: Slot, status: PartitionStatus) => {
      slot.status = status
      if (status === 'acked') slot.live?.add(slot.partition)
      slot.sequence?.settle(status)
    }

    /**
     * One Produce request to one broker for these slots; records each slot's outcome, never throws. `handedOver`
     * runs once the request is in the connection's queue (or will never be): see handOver().
     */
    const produceTo = async (nodeId: string, batch: Slot[], handedOver: () => void): Promise<void> => {
      let broker: Broker
      try {
        broker = await cluster.findBroker({nodeId})
      } catch (error) {
        for (const slot of batch) slot.error = error as KafkaJSErrorLike
        handedOver()
        return
      }
      const byTopic = new Map<string, Slot[]>()
      for (const slot of batch) {
        let list = byTopic.get(slot.topic)
        if (!list) byTopic.set(slot.topic, (list = []))
        list.push(slot)
      }
      const topicData = [...byTopic].map(([topic, list]) => ({
        topic,
        partitions: list.map((s) => ({partition: s.partition, messages: s.messages, firstSequence: s.sequence?.seq}) as {partition: number; messages: unknown[]; firstSequence?: number}),
      }))
      // kafkajs' sequences (transactional producer): one request per broker at a time, under its lock.
      const locked = !book
      if (locked) await eosManager.acquireBrokerLock(broker)
      let encoded = false
      const advanced: Slot[] = []
      try {
        if (eosManager.isTransactional()) await eosManager.addPartitionsToTransaction(topicData)
        if (locked) {
          for (const {topic, partitions} of topicData) {
            for (const entry of partitions) {
              entry.firstSequence = eosManager.getSequence(topic, entry.partition)
              eosManager.updateSequence(topic, entry.partition, recordCount(entry.messages))
            }
          }
          advanced.push(...batch)
        }
        const produce = broker.lookupRequest(apiKeys.Produce, requests.Produce)
        const protocol = produce({
          acks,
          timeout,
          compression,
          topicData,
          transactionalId: eosManager.isTransactional() ? eosManager.getTransactionalId() : undefined,
          producerId: eosManager.getProducerId(),
          producerEpoch: eosManager.getProducerEpoch(),
        })
        const request = {
          ...protocol.request,
          encode: async () => {
            const payload = await protocol.request.encode()
            encoded = true
            handOver(handedOver)
            return payload
          },
        }
        let response: ProduceResponse | undefined
        try {
          // Every partition's error code, not just the first one's (kafkajs' parse throws that one).
          response = (await broker.connectionPool.send({request, response: {decode: protocol.response.decode, parse: async (data: unknown) => data}})) as ProduceResponse | undefined
        } catch (error) {
          if ((error as Error).name === 'KafkaJSConnectionClosedError') await broker.disconnect().catch(() => undefined)
          throw error
        }
        if (acks === 0 || !response) {
          for (const slot of batch) settle(slot, 'acked')
          advanced.length = 0
          return
        }
        const slotOf = new Map(batch.map((s) => [`${s.topic}\u0000${s.partition}`, s]))
        for (const {topicName, partitions} of response.topics) {
          for (const p of partitions) {
            const slot = slotOf.get(`${topicName}\u0000${p.partition}`)
            if (!slot) continue
            slotOf.delete(`${topicName}\u0000${p.partition}`)
            // DUPLICATE_SEQUENCE_NUMBER: the broker has this batch already (an earlier attempt was appended).
            if (p.errorCode === 0 || (p.errorCode === DUPLICATE_SEQUENCE && slot.sequence)) {
              settle(slot, 'acked')
              results.push({topicName, ...p, errorCode: 0})
              if (locked) advanced.splice(advanced.indexOf(slot), 1)
              continue
            }
            const error = createErrorFromCode(p.errorCode)
            slot.error = error
            if (MAYBE_APPENDED.has(p.errorCode)) slot.maybeAppended = true
            if (p.errorCode === OUT_OF_ORDER_SEQUENCE && slot.sequence) {
              // Out of order behind an unresolved earlier batch of the partition: send again once it is resolved.
              // Nothing unresolved before it: the broker's sequence is not where ours is, and this batch (and every
              // later one of the partition) failed: never re-numbered, never reordered.
              if (book!.earlierOpen(slot.topic, slot.partition, slot.sequence).length > 0) slot.error = new SequenceWait()
              else settle(slot, slot.maybeAppended ? 'uncertain' : 'failed')
              continue
            }
            // Not appended: kafkajs' sequence goes back (below). Retriable errors are sent again, the others failed.
            if (!error.retriable) settle(slot, slot.maybeAppended ? 'uncertain' : 'failed')
          }
        }
        // A partition the response does not mention: treat it like a request that got no answer.
        for (const slot of slotOf.values()) {
          slot.error = new Error(`the Produce response did not mention partition ${slot.partition}`)
          slot.maybeAppended = true
        }
      } catch (error) {
        for (const slot of batch) {
          if (slot.status !== 'pending') continue
          slot.error = error as KafkaJSErrorLike
          if (encoded) slot.maybeAppended = true
        }
      } finally {
        handedOver()
        if (locked) {
          for (const slot of advanced) eosManager.updateSequence(slot.topic, slot.partition, -recordCount(slot.messages))
          await eosManager.releaseBrokerLock(broker)
        }
      }
    }

    try {
      return await retrier(async (bail) => {
        await cluster.addMultipleTargetTopics(topics)
        try {
          await cluster.refreshMetadataIfNecessary()
          slots ??= groupSlots(topicMessages, cluster, partitioner, () => new KafkaJSMetadataNotLoaded('Producing to topic without metadata'))
          await assignSequences(slots)
          if (book) {
            // Retries in sequence order (sequences.ts): wait for the earlier batches this send must not overtake.
            const waits = slots.filter((s) => s.status === 'pending' && s.sequence).flatMap((s) => book.mustWaitFor(s.topic, s.partition, s.sequence!).map((e) => e.settled))
            if (waits.length > 0) await waitAtMost(Promise.all(waits), timeout)
          }
          const pending = slots.filter((s) => s.status === 'pending')
          const perBroker = new Map<string, Slot[]>()
          for (const topic of topics) {
            const mine = pending.filter((s) => s.topic === topic)
            if (mine.length === 0) continue
            const byPartition = new Map(mine.map((s) => [s.partition, s]))
            const leaders = cluster.findLeaderForPartitions(topic, [...byPartition.keys()])
            for (const [nodeId, partitions] of Object.entries(leaders)) {
              // Leader -1 (an offline partition: its only replica's node is down) stays "no leader known" below.
              if (Number(nodeId) < 0) continue
              let list = perBroker.get(nodeId)
              if (!list) perBroker.set(nodeId, (list = []))
              for (const partition of partitions) {
                const slot = byPartition.get(Number(partition))
                if (!slot) continue
                list.push(slot)
                byPartition.delete(slot.partition)
              }
            }
            for (const slot of byPartition.values()) slot.error = createErrorFromCode(5) // LEADER_NOT_AVAILABLE: no leader known
          }
          const handed: Promise<void>[] = []
          const sends = [...perBroker].map(([nodeId, batch]) => {
            let done!: () => void
            handed.push(new Promise<void>((resolve) => (done = resolve)))
            return produceTo(nodeId, batch, done)
          })
          // The next call may number and send its batches once these requests are queued (first attempt only:
          // a retry re-sends batches that keep their sequences).
          if (turn) void Promise.all(handed).then(turn.done)
          await Promise.all(sends)
          const left = slots.filter((s) => s.status === 'pending')
          // A slot that waits for earlier batches is thrown last: another one's error may need a metadata refresh.
          if (left.length > 0) throw (left.find((s) => !(s.error instanceof SequenceWait)) ?? left[0]).error ?? new Error('not sent')
          const failed = slots.find((s) => s.status !== 'acked')
          if (failed) bail(failed.error!)
          return results
        } catch (e) {
          const error = e as KafkaJSErrorLike
          // Whatever is still pending is sent again: later batches of these partitions wait for it (sequences.ts).
          for (const slot of slots ?? []) if (slot.status === 'pending' && slot.sequence) slot.sequence.retrying = true
          // Sent again after the retrier's back-off, once the earlier batches are resolved (the wait above).
          if (error instanceof SequenceWait) throw error
          // kafkajs' handling, unchanged.
          if (error.name === 'KafkaJSConnectionClosedError') cluster.removeBroker({host: error.host, port: error.port})
          if (!cluster.isConnected()) {
            logger.debug(`Cluster has disconnected, reconnecting: ${error.message}`)
            await cluster.connect()
            await cluster.refreshMetadata()
            throw error
          }
          if (
            staleMetadata(error) ||
            error.name === 'KafkaJSMetadataNotLoaded' ||
            error.name === 'KafkaJSConnectionError' ||
            error.name === 'KafkaJSConnectionClosedError' ||
            (error.name === 'KafkaJSProtocolError' && error.retriable)
          ) {
            logger.error(`Failed to send messages: ${error.message}`)
            await cluster.refreshMetadata()
            throw error
          }
          logger.error(error.message)
          if (error.retriable) throw error
          bail(error)
          return results
        }
      })
    } catch (error) {
      const outcomes: PartitionOutcome[] = (slots ?? []).map((s) => ({
        topic: s.topic,
        partition: s.partition,
        count: recordCount(s.messages),
        status: s.status === 'pending' ? (s.maybeAppended ? 'uncertain' : 'failed') : s.status,
        error: s.status === 'acked' ? undefined : s.error,
      }))
      for (const [i, s] of (slots ?? []).entries()) s.sequence?.settle(outcomes[i].status)
      if (error && typeof error === 'object') Object.defineProperty(error, OUTCOMES, {value: outcomes, enumerable: false})
      throw error
    } finally {
      // A call that never got as far as sending its batches lets the next one go.
      turn?.done()
    }
  }
}

const OUT_OF_ORDER_SEQUENCE = 45
const DUPLICATE_SEQUENCE = 46

/**
 * Tells `done` that a request whose encode() just resolved is in its connection's queue: kafkajs frames it and
 * queues it (connection.js sendRequest) in promise continuations with no I/O between them, so by the next
 * macrotask it is queued, behind every request encoded before it.
 */
function handOver(done: () => void): void {
  setImmediate(done)
}

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    )
  })
}

function groupSlots(topicMessages: SendArgs['topicMessages'], cluster: Cluster, partitioner: SendMessagesDeps['partitioner'], notLoaded: () => Error): Slot[] {
  const slots: Slot[] = []
  for (const {topic, messages} of topicMessages) {
    const partitionMetadata = cluster.findTopicPartitionMetadata(topic)
    if (partitionMetadata.length === 0) throw notLoaded()
    const byPartition = new Map<number, unknown[]>()
    for (const message of messages) {
      const partition = partitioner({topic, partitionMetadata, message})
      let list = byPartition.get(partition)
      if (!list) byPartition.set(partition, (list = []))
      list.push(message)
    }
    const live = (messages as unknown as Record<symbol, Set<number> | undefined>)[LIVE_ACKS]
    for (const [partition, list] of byPartition) slots.push({topic, partition, messages: list, status: 'pending', maybeAppended: false, live})
  }
  return slots
}
