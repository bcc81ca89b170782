/**
 * The small typed surface kafkit uses of kafkajs' *internal* classes (published in the package under
 * node_modules/kafkajs/src, not in its public API): the Cluster (metadata, leaders, brokers, ListOffsets) and
 * Broker.fetch with the consumer's Batch class (aborted-transaction and control-record filtering).
 *
 * Why: kafkajs' public consumer always joins a consumer group; reading partitions directly needs these.
 * Every private symbol (`private:Kafka:createCluster`, `private:Broker:sendRequest`) and private field
 * (`brokerPool`, `connectionPool`) kafkit touches is reached in this file; the module replacements are in
 * patches/, kafkit's own requests (built with kafkajs' Encoder/Decoder) in protocol/. Checked on kafkajs 2.2.4:
 * test/unit/consume-internals.test.ts checks each assumption (symbol names, method names, Batch behaviour) so
 * that a kafkajs upgrade that breaks one fails a test instead of a user's command.
 */

import type {Kafka} from 'kafkajs'

import type {RawRecord} from '../../records/envelope.js'
import {decodeFetchV11, type EncodedRecords, magicOf, type RawPartition, scanRecordSet} from './protocol/fetch-decoder.js'
import {requireKafkaJS} from './require.js'

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
  listOffsets(request: {
    isolationLevel: number
    topics: {topic: string; partitions: {partition: number; timestamp: number}[]}[]
  }): Promise<{responses: {topic: string; partitions: {partition: number; offset: string}[]}[]}>
  lookupRequest(apiKey: number, definition: unknown): (args: object) => {request: {apiVersion: number}; response: unknown}
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
  /** The target topic's partitions from the last metadata read ([] for a topic that is not a target). */
  findTopicPartitionMetadata(topic: string): InternalTopicMetadata['partitionMetadata']
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
export const READ_UNCOMMITTED = 0
const CREATE_CLUSTER = 'private:Kafka:createCluster'

/** Loads the internal Batch class (throws a clear error if the path moved). */
export function loadBatchClass(): BatchClass {
  return requireKafkaJS('kafkajs/src/consumer/batch') as BatchClass
}

/**
 * kafkajs' own cluster factory (the private `createCluster` of a Kafka instance, reached by its symbol): a Cluster
 * with the instance's configuration (brokers, TLS, SASL, socket factory, timeouts, retries). undefined when this
 * kafkajs has none.
 */
export function privateCluster<C = InternalCluster>(kafka: Kafka, options: object): C | undefined {
  const owner = kafka as unknown as Record<symbol, unknown>
  const symbol = Object.getOwnPropertySymbols(owner).find((s) => s.description === CREATE_CLUSTER)
  const factory = symbol ? owner[symbol] : undefined
  return typeof factory === 'function' ? (factory as (o: object) => C)(options) : undefined
}

/**
 * Runs `create` (kafka.admin(), ...) and hands every kafkajs cluster it makes to `onCluster`: the private
 * factory is wrapped for the duration of the call.
 */
export function captureClusters<T>(kafka: Kafka, create: () => T, onCluster: (cluster: {refreshMetadata(): Promise<void>}) => void): T {
  const owner = kafka as unknown as Record<symbol, (options: object) => {refreshMetadata(): Promise<void>}>
  const symbol = Object.getOwnPropertySymbols(owner).find((s) => s.description === CREATE_CLUSTER)
  const factory = symbol ? owner[symbol] : undefined
  if (!symbol || typeof factory !== 'function') return create()
  owner[symbol] = (options: object) => {
    const cluster = factory(options)
    onCluster(cluster)
    return cluster
  }
  try {
    return create()
  } finally {
    owner[symbol] = factory
  }
}

/** A new Cluster with the Kafka instance's configuration (brokers, TLS, SASL, timeouts, retries). */
export function createInternalCluster(kafka: Kafka, options: {isolationLevel?: number; metadataMaxAge?: number} = {}): InternalCluster {
  const cluster = privateCluster(kafka, {
    allowAutoTopicCreation: false,
    isolationLevel: options.isolationLevel ?? READ_COMMITTED,
    metadataMaxAge: options.metadataMaxAge ?? 300_000,
  })
  if (!cluster) throw new Error(`kafkajs internals changed: ${CREATE_CLUSTER} not found on the Kafka instance`)
  return cluster
}

/** The broker a cluster connected to first (its private `brokerPool.seedBroker`). */
export function seedBrokerOf<B>(cluster: object): B {
  return (cluster as {brokerPool: {seedBroker: B}}).brokerPool.seedBroker
}

/** The brokers in the last Metadata response a cluster read (private `brokerPool.metadata`). */
export function brokersOf(cluster: object): {nodeId: number}[] {
  return (cluster as {brokerPool?: {metadata?: {brokers?: {nodeId: number}[]}}}).brokerPool?.metadata?.brokers ?? []
}

/** The cluster id from the last Metadata response a cluster read (private `brokerPool.metadata`), if any. */
export function clusterIdOf(cluster: object): string | undefined {
  return (cluster as {brokerPool?: {metadata?: {clusterId?: string}}}).brokerPool?.metadata?.clusterId
}

/** Sends a request built with kafkajs' Encoder over a broker's private connection pool (SASL, TLS, timeouts are kafkajs'). */
export function sendOn<T>(broker: object, protocol: {request: object; response: {decode: (raw: Buffer) => Promise<T>; parse: (data: T) => Promise<T>}; requestTimeout?: number}): Promise<T> {
  return (broker as {connectionPool: {send(p: typeof protocol): Promise<T>}}).connectionPool.send(protocol)
}

interface InternalConnection {
  rejectRequests(error: Error): void
}

interface InternalBrokerPool {
  seedBroker?: {connectionPool?: {pool?: InternalConnection[]}}
  brokers?: Record<string, {connectionPool?: {pool?: InternalConnection[]}}>
}

/**
 * Fails every request still waiting on the cluster's connections (a long-polling Fetch), so that a disconnect
 * right after it does not wait up to maxWaitMs: kafkajs' Connection.disconnect() waits for in-flight requests.
 */
export function abortPendingRequests(cluster: InternalCluster): void {
  const pool = (cluster as unknown as {brokerPool?: InternalBrokerPool}).brokerPool
  if (!pool) return
  const brokers = [pool.seedBroker, ...Object.values(pool.brokers ?? {})]
  const closed = new Error('the reader was closed')
  for (const broker of brokers) {
    for (const connection of broker?.connectionPool?.pool ?? []) connection.rejectRequests(closed)
  }
}

/**
 * The names of every topic, from one Metadata request to a connected broker: no kafkajs retrier, which retries a
 * deleted target topic's UNKNOWN_TOPIC_OR_PARTITION until the command's timeout.
 */
export async function topicNames(cluster: InternalCluster): Promise<Set<string>> {
  const pool = (cluster as unknown as {brokerPool: {findConnectedBroker(): Promise<{metadata(topics: string[]): Promise<{topicMetadata: {topic: string}[]}>}>}}).brokerPool
  const broker = await pool.findConnectedBroker()
  const {topicMetadata} = await broker.metadata([])
  return new Set(topicMetadata.map((t) => t.topic))
}

/** One partition's part of a fetch response, filtered (read committed, no control records) and decoded. */
export interface FetchedPartition {
  topic: string
  partition: number
  /** Decoded on first use when `encoded` is set. */
  readonly records: RawRecord[]
  /** kafkit's own decoder: the records still encoded (RawRecords made on demand, or values copied straight out). */
  encoded?: EncodedRecords
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

interface KafkaJSProtocol {
  fetchDefinition: unknown
  createErrorFromCode(code: number): Error & {type?: string}
  OffsetOutOfRange: new (e: Error, o: {topic: string; partition: number}) => Error
  decodeMessages(decoder: unknown): Promise<InternalMessage[]>
  Decoder: new (b: Buffer) => unknown
  lookupCodecByAttributes(attributes: number): {decompress(b: Buffer): Promise<Buffer>} | null
}

let protocol: KafkaJSProtocol | undefined

/** The kafkajs modules the fast path needs (loaded once; a missing one fails the unit tests). */
export function loadProtocol(): KafkaJSProtocol {
  protocol ??= {
    fetchDefinition: (requireKafkaJS('kafkajs/src/protocol/requests') as {requests: {Fetch: unknown}}).requests.Fetch,
    createErrorFromCode: (requireKafkaJS('kafkajs/src/protocol/error') as {createErrorFromCode: KafkaJSProtocol['createErrorFromCode']}).createErrorFromCode,
    OffsetOutOfRange: (requireKafkaJS('kafkajs/src/errors') as {KafkaJSOffsetOutOfRange: KafkaJSProtocol['OffsetOutOfRange']}).KafkaJSOffsetOutOfRange,
    decodeMessages: requireKafkaJS('kafkajs/src/protocol/requests/fetch/v4/decodeMessages') as KafkaJSProtocol['decodeMessages'],
    Decoder: requireKafkaJS('kafkajs/src/protocol/decoder') as KafkaJSProtocol['Decoder'],
    lookupCodecByAttributes: (requireKafkaJS('kafkajs/src/protocol/message/compression') as {lookupCodecByAttributes: KafkaJSProtocol['lookupCodecByAttributes']}).lookupCodecByAttributes,
  }
  return protocol
}

const SEND_REQUEST = 'private:Broker:sendRequest'
const FETCH_API_KEY = 1

/**
 * Sends a Fetch request through the broker's connection (kafkajs' request building, SASL, TLS, timeouts) but
 * takes the response body undecoded, for decodeFetchV11. undefined when the broker negotiated a version other
 * than 11 (the caller then uses Broker.fetch).
 */
async function rawFetch(broker: InternalBroker, args: object): Promise<Buffer | undefined> {
  const {fetchDefinition} = loadProtocol()
  const request = broker.lookupRequest(FETCH_API_KEY, fetchDefinition)(args)
  if (request.request.apiVersion !== 11) return undefined
  let proto: object | null = Object.getPrototypeOf(broker)
  let send: symbol | undefined
  while (proto && !send) {
    send = Object.getOwnPropertySymbols(proto).find((s) => s.description === SEND_REQUEST)
    proto = Object.getPrototypeOf(proto)
  }
  if (!send) return undefined
  const sender = (broker as unknown as Record<symbol, (r: object) => Promise<Buffer>>)[send].bind(broker)
  return sender({...request, response: {decode: async (raw: Buffer) => raw, parse: async (raw: Buffer) => raw}})
}

/** One Fetch request to one broker (the leader of every partition in `requests`). */
export async function fetchFromBroker(
  cluster: InternalCluster,
  nodeId: string,
  requests: FetchRequest[],
  /** maxRecords: decode no more than this many records, the rest of the answer is dropped (kafkit's own decoder;
   *  partitions that need kafkajs' decoder, transactions or old formats, are decoded whole). */
  options: {maxWaitTime: number; maxBytes: number; isolationLevel?: number; maxRecords?: number},
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
  const args = {
    maxWaitTime: options.maxWaitTime,
    minBytes: 1,
    maxBytes: options.maxBytes,
    // The cluster's own level unless told (ReaderSession.open's `isolation`).
    isolationLevel: options.isolationLevel ?? (cluster as {isolationLevel?: number}).isolationLevel ?? READ_COMMITTED,
    topics: [...byTopic].map(([topic, partitions]) => ({topic, partitions})),
  }
  const raw = typeof broker.lookupRequest === 'function' ? await rawFetch(broker, args) : undefined
  if (raw) return decodeRawResponse(raw, offsets, options.maxRecords)
  const {responses} = await broker.fetch(args)
  const result: FetchedPartition[] = []
  for (const {topicName: topic, partitions} of responses) {
    for (const data of partitions) {
      const fetchOffset = offsets.get(`${topic}\u0000${data.partition}`)
      if (fetchOffset !== undefined) result.push(fromBatch(topic, fetchOffset, data))
    }
  }
  return result
}

/** kafkajs' decoding + Batch filtering (aborted transactions, control records) of one partition. */
function fromBatch(topic: string, fetchOffset: number, data: InternalPartitionData): FetchedPartition {
  BatchCtor ??= loadBatchClass()
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
  return {topic, partition: data.partition, records, nextOffset, highWatermark, lastStableOffset, truncated: raw.length === 0 && fetchOffset < lastStableOffset}
}

async function decodeRawResponse(raw: Buffer, offsets: Map<string, number>, maxRecords?: number): Promise<FetchedPartition[]> {
  let limit = maxRecords ?? Number.POSITIVE_INFINITY
  const kafkajs = loadProtocol()
  const response = decodeFetchV11(raw)
  if (response.errorCode !== 0) throw kafkajs.createErrorFromCode(response.errorCode)
  const errors: {topic: string; partition: RawPartition}[] = []
  const result: FetchedPartition[] = []
  const decompress = async (attributes: number, data: Buffer) => {
    const codec = kafkajs.lookupCodecByAttributes(attributes)
    if (!codec) throw new Error(`unknown compression codec ${attributes & 7}`)
    return codec.decompress(data)
  }
  for (const {topic, partitions} of response.topics) {
    for (const part of partitions) {
      const fetchOffset = offsets.get(`${topic}\u0000${part.partition}`)
      if (fetchOffset === undefined) continue
      if (part.errorCode !== 0) {
        errors.push({topic, partition: part})
        continue
      }
      const lastStableOffset = part.lastStableOffset >= 0 ? part.lastStableOffset : part.highWatermark
      if (part.records && (part.abortedTransactions.length > 0 || magicOf(part.records) < 2)) {
        // Aborted transactions or an old message format: kafkajs' decoder and its Batch class do the filtering.
        const sized = Buffer.allocUnsafe(4 + part.records.length)
        sized.writeInt32BE(part.records.length, 0)
        part.records.copy(sized, 4)
        const messages = await kafkajs.decodeMessages(new kafkajs.Decoder(sized))
        result.push(
          fromBatch(topic, fetchOffset, {
            partition: part.partition,
            errorCode: 0,
            highWatermark: String(part.highWatermark),
            lastStableOffset: String(part.lastStableOffset),
            abortedTransactions: part.abortedTransactions,
            messages,
          }),
        )
        continue
      }
      const scanned = part.records && limit > 0 ? await scanRecordSet(topic, part.partition, part.records, fetchOffset, decompress, limit) : undefined
      const nextOffset = scanned?.nextOffset ?? fetchOffset
      limit -= scanned?.records.count ?? 0
      // Object.assign, not a spread: a spread would call the lazy `records` getter (decoding every record).
      result.push(
        Object.assign(lazyRecords(scanned?.records), {
          topic,
          partition: part.partition,
          nextOffset,
          highWatermark: part.highWatermark,
          lastStableOffset,
          truncated: nextOffset === fetchOffset && fetchOffset < lastStableOffset,
        }),
      )
    }
  }
  if (errors.length > 0) {
    // The same errors kafkajs' Fetch parser throws (the reader retries, refreshes metadata or resets).
    const {topic, partition} = errors[0]
    const error = kafkajs.createErrorFromCode(partition.errorCode)
    if (error.type === 'OFFSET_OUT_OF_RANGE') throw new kafkajs.OffsetOutOfRange(error, {topic, partition: partition.partition})
    throw error
  }
  return result
}

/** `records` decoded on first use (and kept), `encoded` for the values lane. */
export function lazyRecords(encoded: EncodedRecords | undefined): {readonly records: RawRecord[]; encoded?: EncodedRecords} {
  if (!encoded || encoded.count === 0) return {records: []}
  let records: RawRecord[] | undefined
  return {
    encoded,
    get records() {
      return (records ??= encoded.decode())
    },
  }
}

function toRawRecord(topic: string, partition: number, m: InternalMessage): RawRecord {
  const record: RawRecord = {topic, partition, offset: Number(m.offset), timestamp: Number(m.timestamp), key: m.key ?? null, value: m.value ?? null}
  const headers = m.headers
  if (headers) {
    for (const k in headers) {
      const v = headers[k]
      record.headers ??= {}
      record.headers[k] = v // null: a header without a value
    }
  }
  return record
}

/** Partition lists per leader node id. Partitions without a known leader are left out (retry after refresh). */
export function leadersOf(cluster: InternalCluster, topic: string, partitions: number[]): Map<string, number[]> {
  return new Map(Object.entries(cluster.findLeaderForPartitions(topic, partitions)))
}

/**
 * ListOffsets of many topics at once: one request per leader however many topics, answers indexed by topic and
 * partition. kafkajs' fetchTopicsOffset sends the same requests but looks every topic up in a list and merges
 * the answers by copying an object per topic: quadratic in the number of topics (seconds at 10,000 partitions).
 * Partitions without metadata (not a target topic, or not in the last metadata read) are left out, as there.
 */
export async function listOffsetsOfTopics(cluster: InternalCluster, targets: {topic: string; partitions: number[]}[], at: 'earliest' | 'latest' | number): Promise<Map<string, Map<number, number>>> {
  const timestamp = at === 'earliest' ? -2 : at === 'latest' ? -1 : at
  const known = (cluster as unknown as {brokerPool?: {metadata?: {topicMetadata?: InternalTopicMetadata[]}}}).brokerPool?.metadata?.topicMetadata
  const index = new Map(known?.map((t) => [t.topic, new Map(t.partitionMetadata.map((p) => [p.partitionId, p.leader]))]))
  const perNode = new Map<string, {topic: string; partitions: {partition: number; timestamp: number}[]}[]>()
  for (const {topic, partitions} of targets) {
    const leaders = index.get(topic)
    // A partition without a leader: kafkajs' own look-up throws the error its callers know (retried after a refresh).
    const byLeader = leaders && partitions.every((p) => !leaders.has(p) || (leaders.get(p) ?? null) !== null) ? groupBy(partitions, leaders) : leadersOf(cluster, topic, partitions)
    for (const [nodeId, list] of byLeader) {
      let topics = perNode.get(nodeId)
      if (!topics) perNode.set(nodeId, (topics = []))
      topics.push({topic, partitions: list.map((partition) => ({partition, timestamp}))})
    }
  }
  const result = new Map<string, Map<number, number>>()
  const isolationLevel = (cluster as unknown as {isolationLevel?: number}).isolationLevel ?? READ_COMMITTED
  await Promise.all(
    [...perNode].map(async ([nodeId, topics]) => {
      const broker = await cluster.findBroker({nodeId})
      const {responses} = await broker.listOffsets({isolationLevel, topics})
      for (const t of responses) {
        let offsets = result.get(t.topic)
        if (!offsets) result.set(t.topic, (offsets = new Map()))
        for (const p of t.partitions) offsets.set(p.partition, Number(p.offset))
      }
    }),
  )
  return result
}

/** The partitions of every target topic, from the last metadata read, indexed once (see listOffsetsOfTopics). */
export function partitionsByTopic(cluster: InternalCluster): Map<string, number[]> {
  const known = (cluster as unknown as {brokerPool?: {metadata?: {topicMetadata?: InternalTopicMetadata[]}}}).brokerPool?.metadata?.topicMetadata ?? []
  return new Map(known.map((t) => [t.topic, t.partitionMetadata.map((p) => p.partitionId).sort((a, b) => a - b)]))
}

function groupBy(partitions: number[], leaders: Map<number, number>): Map<string, number[]> {
  const byLeader = new Map<string, number[]>()
  for (const partition of partitions) {
    const leader = leaders.get(partition)
    if (leader === undefined) continue
    const list = byLeader.get(String(leader))
    if (list) list.push(partition)
    else byLeader.set(String(leader), [partition])
  }
  return byLeader
}

/** ListOffsets (with the cluster's isolation level): earliest, latest (last stable offset), or first at a time. */
export async function listOffsets(cluster: InternalCluster, topic: string, partitions: number[], at: 'earliest' | 'latest' | number): Promise<Map<number, number>> {
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
  // kafkajs wraps the real error when its retrier gives up (KafkaJSNonRetriableError `cause`,
  // KafkaJSNumberOfRetriesExceeded `originalError`): a broker restarting is still a connection error.
  let e = error as {type?: string; name?: string; cause?: unknown; originalError?: unknown} | undefined
  for (let depth = 0; e && depth < 5; depth++) {
    if (
      (e.type !== undefined && STALE_METADATA_ERRORS.has(e.type)) ||
      e.name === 'KafkaJSTopicMetadataNotLoaded' ||
      e.name === 'KafkaJSBrokerNotFound' ||
      e.name === 'KafkaJSConnectionError' ||
      e.name === 'KafkaJSConnectionClosedError' ||
      e.name === 'KafkaJSRequestTimeoutError' ||
      e.name === 'KafkaJSError'
    ) {
      return true
    }
    e = (e.cause ?? e.originalError) as typeof e
  }
  return false
}

/** The partition an OFFSET_OUT_OF_RANGE error is about, if it is one. */
export function offsetOutOfRange(error: unknown): {topic: string; partition: number} | undefined {
  const e = error as {name?: string; type?: string; topic?: string; partition?: number}
  return e?.type === 'OFFSET_OUT_OF_RANGE' && e.topic !== undefined && e.partition !== undefined ? {topic: e.topic, partition: e.partition} : undefined
}
