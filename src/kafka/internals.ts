/**
 * The small typed surface kafkit uses of kafkajs' *internal* classes (published in the package under
 * node_modules/kafkajs/src, not in its public API): the Cluster (metadata, leaders, brokers, ListOffsets) and
 * Broker.fetch with the consumer's Batch class (aborted-transaction and control-record filtering).
 *
 * Why: kafkajs' public consumer always joins a consumer group; reading partitions directly needs these.
 * Everything that touches kafkajs internals is in this file, and test/unit/consume-internals.test.ts checks
 * each assumption (symbol names, method names, Batch behaviour) so that a kafkajs upgrade that breaks one
 * fails a test instead of a user's command.
 */
import {createRequire} from 'node:module'

import type {Kafka} from 'kafkajs'

import type {RawRecord} from '../records/envelope.js'

const require = createRequire(import.meta.url)

/** One message as kafkajs' fetch decoder returns it. */
export interface InternalMessage {
  offset: string
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers?: Record<string, Buffer | Buffer[] | null>
  isControlRecord?: boolean
  batchContext?: {firstOffset: string; lastOffsetDelta: number; inTransaction?: boolean; producerId?: string}
}

interface InternalPartitionData {
  partition: number
  errorCode: number
  highWatermark: string
  lastStableOffset?: string
  logStartOffset?: string
  abortedTransactions?: {producerId: string; firstOffset: string}[]
  messages: InternalMessage[]
}

interface InternalBroker {
  fetch(request: {
    maxWaitTime: number
    minBytes: number
    maxBytes: number
    isolationLevel: number
    topics: {topic: string; partitions: {partition: number; fetchOffset: string; maxBytes: number}[]}[]
  }): Promise<{responses: {topicName: string; partitions: InternalPartitionData[]}[]}>
}

interface InternalTopicMetadata {
  topic: string
  partitionMetadata: {partitionId: number; leader: number; replicas: number[]; isr: number[]}[]
}

/** kafkajs/src/cluster/index.js, the methods kafkit relies on. */
export interface InternalCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  refreshMetadata(): Promise<void>
  addMultipleTargetTopics(topics: string[]): Promise<void>
  metadata(options?: {topics?: string[]}): Promise<{topicMetadata: InternalTopicMetadata[]}>
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>
  findBroker(options: {nodeId: string}): Promise<InternalBroker>
  fetchTopicsOffset(
    topics: {topic: string; partitions: {partition: number}[]; fromBeginning?: boolean; fromTimestamp?: number}[],
  ): Promise<{topic: string; partitions: {partition: number; offset: string}[]}[]>
}

interface InternalBatch {
  messages: InternalMessage[]
  rawMessages: InternalMessage[]
  highWatermark: string
}

type BatchClass = new (topic: string, fetchedOffset: string, partitionData: InternalPartitionData) => InternalBatch

export const READ_COMMITTED = 1
const CREATE_CLUSTER = 'private:Kafka:createCluster'

/** Loads the internal Batch class (throws a clear error if the path moved). */
export function loadBatchClass(): BatchClass {
  return require('kafkajs/src/consumer/batch') as BatchClass
}

/** A new Cluster with the Kafka instance's configuration (brokers, TLS, SASL, timeouts, retries). */
export function createInternalCluster(kafka: Kafka, options: {isolationLevel?: number; metadataMaxAge?: number} = {}): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER)
  const create = symbol && (kafka as unknown as Record<symbol, unknown>)[symbol]
  if (typeof create !== 'function') throw new Error(`kafkajs internals changed: ${CREATE_CLUSTER} not found on the Kafka instance`)
  return (create as (o: object) => InternalCluster)({
    allowAutoTopicCreation: false,
    isolationLevel: options.isolationLevel ?? READ_COMMITTED,
    metadataMaxAge: options.metadataMaxAge ?? 300_000,
  })
}

/** One partition's part of a fetch response, filtered (read committed, no control records) and decoded. */
export interface FetchedPartition {
  topic: string
  partition: number
  records: RawRecord[]
  /**
   * Where the next fetch starts: one past the last record batch returned (not the last visible record), so
   * batches that end in control records, aborted records or compacted-away offsets are passed over.
   */
  nextOffset: number
  highWatermark: number
  /** Last stable offset (read committed reads stop there); equals the high watermark without transactions. */
  lastStableOffset: number
  /** True when data exists at fetchOffset but the batch did not fit in maxBytes (raise the limit). */
  truncated: boolean
}

export interface FetchRequest {
  topic: string
  partition: number
  fetchOffset: number
  maxBytes: number
}

let BatchCtor: BatchClass | undefined

/** One Fetch request to one broker (the leader of every partition in `requests`). */
export async function fetchFromBroker(
  cluster: InternalCluster,
  nodeId: string,
  requests: FetchRequest[],
  options: {maxWaitTime: number; maxBytes: number; isolationLevel?: number},
): Promise<FetchedPartition[]> {
  BatchCtor ??= loadBatchClass()
  const byTopic = new Map<string, {partition: number; fetchOffset: string; maxBytes: number}[]>()
  const offsets = new Map<string, number>()
  for (const r of requests) {
    let list = byTopic.get(r.topic)
    if (!list) byTopic.set(r.topic, (list = []))
    list.push({partition: r.partition, fetchOffset: String(r.fetchOffset), maxBytes: r.maxBytes})
    offsets.set(`${r.topic}\u0000${r.partition}`, r.fetchOffset)
  }
  const broker = await cluster.findBroker({nodeId})
  const {responses} = await broker.fetch({
    maxWaitTime: options.maxWaitTime,
    minBytes: 1,
    maxBytes: options.maxBytes,
    isolationLevel: options.isolationLevel ?? READ_COMMITTED,
    topics: [...byTopic].map(([topic, partitions]) => ({topic, partitions})),
  })
  const result: FetchedPartition[] = []
  for (const {topicName: topic, partitions} of responses) {
    for (const data of partitions) {
      const fetchOffset = offsets.get(`${topic}\u0000${data.partition}`)
      if (fetchOffset === undefined) continue
      const batch = new BatchCtor(topic, String(fetchOffset), data)
      const highWatermark = Number(data.highWatermark)
      const lastStableOffset = data.lastStableOffset !== undefined && Number(data.lastStableOffset) >= 0 ? Number(data.lastStableOffset) : highWatermark
      const raw = batch.rawMessages
      let nextOffset = fetchOffset
      if (raw.length > 0) {
        const last = raw[raw.length - 1]
        const ctx = last.batchContext
        const batchEnd = ctx ? Number(ctx.firstOffset) + ctx.lastOffsetDelta + 1 : Number(last.offset) + 1
        nextOffset = Math.max(fetchOffset, batchEnd, Number(last.offset) + 1)
      }
      const records: RawRecord[] = new Array(batch.messages.length)
      for (let i = 0; i < batch.messages.length; i++) records[i] = toRawRecord(topic, data.partition, batch.messages[i])
      result.push({topic, partition: data.partition, records, nextOffset, highWatermark, lastStableOffset, truncated: raw.length === 0 && fetchOffset < lastStableOffset})
    }
  }
  return result
}

function toRawRecord(topic: string, partition: number, m: InternalMessage): RawRecord {
  const record: RawRecord = {topic, partition, offset: Number(m.offset), timestamp: Number(m.timestamp), key: m.key ?? null, value: m.value ?? null}
  const headers = m.headers
  if (headers) {
    for (const k in headers) {
      const v = headers[k]
      record.headers ??= {}
      record.headers[k] = v === null ? Buffer.alloc(0) : v
    }
  }
  return record
}

/** Partition lists per leader node id. Partitions without a known leader are left out (retry after refresh). */
export function leadersOf(cluster: InternalCluster, topic: string, partitions: number[]): Map<string, number[]> {
  return new Map(Object.entries(cluster.findLeaderForPartitions(topic, partitions)))
}

/** ListOffsets (with the cluster's isolation level): earliest, latest (last stable offset), or first at a time. */
export async function listOffsets(
  cluster: InternalCluster,
  topic: string,
  partitions: number[],
  at: 'earliest' | 'latest' | number,
): Promise<Map<number, number>> {
  const spec = at === 'earliest' ? {fromBeginning: true} : at === 'latest' ? {fromBeginning: false} : {fromTimestamp: at}
  const response = await cluster.fetchTopicsOffset([{topic, partitions: partitions.map((partition) => ({partition})), ...spec}])
  const result = new Map<number, number>()
  for (const t of response) for (const p of t.partitions) result.set(p.partition, Number(p.offset))
  return result
}

/** Errors after which fresh metadata (a new leader) lets the fetch succeed. */
export const STALE_METADATA_ERRORS = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'REPLICA_NOT_AVAILABLE',
  'KAFKA_STORAGE_ERROR',
  'NOT_ENOUGH_REPLICAS',
])

export function isStaleMetadataError(error: unknown): boolean {
  const e = error as {type?: string; name?: string}
  return (
    (e?.type !== undefined && STALE_METADATA_ERRORS.has(e.type)) ||
    e?.name === 'KafkaJSTopicMetadataNotLoaded' ||
    e?.name === 'KafkaJSBrokerNotFound' ||
    e?.name === 'KafkaJSConnectionError' ||
    e?.name === 'KafkaJSConnectionClosedError' ||
    e?.name === 'KafkaJSRequestTimeoutError' ||
    e?.name === 'KafkaJSError'
  )
}

/** The partition an OFFSET_OUT_OF_RANGE error is about, if it is one. */
export function offsetOutOfRange(error: unknown): {topic: string; partition: number} | undefined {
  const e = error as {name?: string; type?: string; topic?: string; partition?: number}
  return e?.type === 'OFFSET_OUT_OF_RANGE' && e.topic !== undefined && e.partition !== undefined ? {topic: e.topic, partition: e.partition} : undefined
}
