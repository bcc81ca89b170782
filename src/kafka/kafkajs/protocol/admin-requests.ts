/**
 * Requests kafkajs 2.2.4 does not have, sent over a kafkajs broker connection:
 *
 * - IncrementalAlterConfigs (API key 44, v0): changes only the named config keys. kafkajs has only the
 *   replace-all AlterConfigs, where a naive call drops every other override of the topic.
 * - CreateTopics v4 (the v3 body of kafkajs with `-1` meaning the broker's default partitions / replication
 *   factor, KIP-464), decoded so that the broker's own error message ("Replication factor: 3 larger than
 *   available brokers: 1") reaches the user; kafkajs' parser drops it.
 *
 * The requests are built with kafkajs' own Encoder/Decoder (./codec.ts), exactly like its `protocol/requests/alterConfigs`,
 * and sent through a kafkajs Cluster created by the same `Kafka` instance (same brokers, TLS, SASL, socket
 * factory), so authentication and connection handling are kafkajs'.
 */

import {privateCluster, seedBrokerOf, sendOn} from '../internals.js'
import {requireKafkaJS} from '../require.js'
import type {KafkaJSSession} from '../session.js'
import {type Encoder, kafkajsCodec} from './codec.js'

interface ProtocolRequest {
  apiKey: number
  apiVersion: number
  apiName: string
  encode: () => Promise<Encoder>
}
interface ProtocolResponse<T> {
  decode: (raw: Buffer) => Promise<T>
  parse: (data: T) => Promise<T>
}

export interface RawMetadata {
  brokers: {nodeId: number; host: string; port: number}[]
  topicMetadata: {
    topicErrorCode: number
    topic: string
    isInternal?: boolean
    partitionMetadata: {partitionErrorCode: number; partitionId: number; leader: number; replicas: number[]; isr: number[]; offlineReplicas?: number[]}[]
  }[]
}

/** The parts of a kafkajs Broker we use (kafkajs/src/broker). */
interface RawBroker {
  nodeId: number
  /** Metadata of the named topics; all topics for `[]`. */
  metadata(topics: string[]): Promise<RawMetadata>
  versions: Record<number, {minVersion: number; maxVersion: number}>
}
interface RawCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  refreshMetadata(): Promise<void>
  findControllerBroker(): Promise<RawBroker>
  findBroker(args: {nodeId: string}): Promise<RawBroker>
}

const INCREMENTAL_ALTER_CONFIGS = 44
const CREATE_TOPICS = 19
/** ConfigResource types of a topic and of a broker. */
export const RESOURCE_TOPIC = 2
const RESOURCE_BROKER = 4

export type AlterOp = 'set' | 'delete' | 'append' | 'subtract'
const OP_CODE: Record<AlterOp, number> = {set: 0, delete: 1, append: 2, subtract: 3}

export interface ConfigChange {
  name: string
  op: AlterOp
  /** Ignored (sent as null) for `delete`. */
  value?: string | null
}

export interface AlterResource {
  type?: number
  name: string
  changes: ConfigChange[]
}

/** An error a broker returned for one resource / topic, with the broker's own message when it sent one. */
export class BrokerResourceError extends Error {
  constructor(
    readonly resource: string,
    readonly type: string,
    readonly errorCode: number,
    message: string,
  ) {
    super(message)
    this.name = 'BrokerResourceError'
  }
}

/**
 * IncrementalAlterConfigs Request (Version: 0) => [resources] validate_only
 *   resources => resource_type resource_name [configs]
 *     resource_type => INT8
 *     resource_name => STRING
 *     configs => name config_operation value
 *       name => STRING
 *       config_operation => INT8
 *       value => NULLABLE_STRING
 *   validate_only => BOOLEAN
 */
export function incrementalAlterConfigsRequest(resources: AlterResource[], validateOnly = false): ProtocolRequest {
  const {Encoder} = kafkajsCodec()
  return {
    apiKey: INCREMENTAL_ALTER_CONFIGS,
    apiVersion: 0,
    apiName: 'IncrementalAlterConfigs',
    encode: async () =>
      new Encoder()
        .writeArray(
          resources.map((r) =>
            new Encoder()
              .writeInt8(r.type ?? RESOURCE_TOPIC)
              .writeString(r.name)
              .writeArray(
                r.changes.map((c) =>
                  new Encoder()
                    .writeString(c.name)
                    .writeInt8(OP_CODE[c.op])
                    .writeString(c.op === 'delete' ? null : (c.value ?? null)),
                ),
              ),
          ),
        )
        .writeBoolean(validateOnly),
  }
}

export interface ResourceResult {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
}

/**
 * IncrementalAlterConfigs Response (Version: 0) => throttle_time_ms [responses]
 *   responses => error_code error_message resource_type resource_name
 * (the same layout as AlterConfigs v0's response)
 */
export function incrementalAlterConfigsResponse(): ProtocolResponse<{throttleTime: number; resources: ResourceResult[]}> {
  const {Decoder} = kafkajsCodec()
  return {
    decode: async (raw) => {
      const decoder = new Decoder(raw)
      const throttleTime = decoder.readInt32()
      const resources = decoder.readArray((d) => ({
        errorCode: d.readInt16(),
        errorMessage: d.readString(),
        resourceType: d.readInt8(),
        resourceName: d.readString() ?? '',
      }))
      return {throttleTime, resources}
    },
    // Errors are per resource: the caller turns them into BrokerResourceErrors with the broker's message.
    parse: async (data) => data,
  }
}

/** CreateTopics v4: kafkajs' v3 body (identical layout); the response keeps each topic's error message. */
export interface NewTopicRequest {
  topic: string
  /** -1: the broker's num.partitions. */
  numPartitions: number
  /** -1: the broker's default.replication.factor. */
  replicationFactor: number
  configEntries: {name: string; value: string}[]
}

function createTopicsProtocol(topics: NewTopicRequest[], validateOnly: boolean, timeoutMs: number, version: number) {
  const {Decoder} = kafkajsCodec()
  const v3 = requireKafkaJS('kafkajs/src/protocol/requests/createTopics/v3/request') as (args: {topics: NewTopicRequest[]; validateOnly: boolean; timeout: number}) => ProtocolRequest
  const request = {...v3({topics, validateOnly, timeout: timeoutMs}), apiVersion: version}
  const response: ProtocolResponse<{topics: {topic: string; errorCode: number; errorMessage: string | null}[]}> = {
    decode: async (raw) => {
      const decoder = new Decoder(raw)
      decoder.readInt32() // throttle_time_ms
      return {topics: decoder.readArray((d) => ({topic: d.readString() ?? '', errorCode: d.readInt16(), errorMessage: d.readString()}))}
    },
    parse: async (data) => data,
  }
  return {request, response}
}

/**
 * One Metadata request for every topic. kafkajs' admin.fetchTopicMetadata() sends two (a refresh, then the
 * request), which on a cluster with thousands of partitions is most of `topics list`'s network time.
 */
export async function fetchAllMetadataOnce(client: KafkaJSSession): Promise<RawMetadata> {
  return withBroker(client, 'reading topic metadata', (broker) => broker.metadata([]), {anyBroker: true})
}

/**
 * Runs `fn` with a connected broker (the controller as kafkajs sees it, as kafkajs' admin does for configs
 * and topic creation) of a short-lived kafkajs Cluster made by the command's own Kafka instance.
 */
export async function withBroker<T>(
  client: Pick<KafkaJSSession, 'kafka' | 'call'>,
  what: string,
  fn: (broker: RawBroker) => Promise<T>,
  options: {anyBroker?: boolean; nodeId?: number} = {},
): Promise<T> {
  // Never auto-create a topic by asking for its metadata (brokers with auto.create.topics.enable=true would).
  const cluster = privateCluster<RawCluster>(client.kafka, {allowAutoTopicCreation: false})
  if (!cluster) throw new Error('this kafkajs version has no cluster factory (kafkit expects kafkajs 2.2.x)')
  try {
    return await client.call(what, async () => {
      await cluster.connect()
      // Reads can go to the broker we are connected to: no metadata round trip to find the controller.
      if (options.anyBroker) return fn(seedBrokerOf<RawBroker>(cluster))
      await cluster.refreshMetadata()
      if (options.nodeId !== undefined) return fn(await cluster.findBroker({nodeId: String(options.nodeId)}))
      return fn(await cluster.findControllerBroker())
    })
  } finally {
    await cluster.disconnect().catch(() => undefined)
  }
}

/**
 * Runs `fn` with each of the given brokers (each answers for itself: its disks, its software) over one short-lived
 * kafkajs Cluster; a broker that cannot be reached or fails maps to an Error, the others still answer.
 */
export async function withEachBroker<T>(
  client: Pick<KafkaJSSession, 'kafka' | 'call'>,
  ids: number[],
  what: (id: number) => string,
  fn: (broker: RawBroker, id: number) => Promise<T>,
): Promise<Map<number, T | Error>> {
  const cluster = privateCluster<RawCluster>(client.kafka, {allowAutoTopicCreation: false})
  if (!cluster) throw new Error('this kafkajs version has no cluster factory (kafkit expects kafkajs 2.2.x)')
  const result = new Map<number, T | Error>()
  try {
    await client.call('connecting to the brokers', async () => {
      await cluster.connect()
      await cluster.refreshMetadata()
    })
    await Promise.all(
      ids.map(async (id) => {
        try {
          const broker = await client.call(what(id), () => cluster.findBroker({nodeId: String(id)}))
          result.set(id, await client.call(what(id), () => fn(broker, id)))
        } catch (error) {
          result.set(id, error instanceof Error ? error : new Error(String(error)))
        }
      }),
    )
  } finally {
    await cluster.disconnect().catch(() => undefined)
  }
  return result
}

function requireVersion(broker: RawBroker, apiKey: number, version: number, name: string): void {
  const range = broker.versions[apiKey]
  if (!range || range.minVersion > version || range.maxVersion < version) {
    throw new BrokerResourceError('', 'UNSUPPORTED_VERSION', 35, `the broker does not support ${name} v${version} (it supports ${range ? `v${range.minVersion}-v${range.maxVersion}` : 'none'})`)
  }
}

/**
 * Changes only the given keys of each resource. Throws a BrokerResourceError (with the broker's message,
 * e.g. "Invalid value abc for configuration retention.ms") for the first resource that failed.
 */
export async function incrementalAlterConfigs(client: KafkaJSSession, resources: AlterResource[], options: {validateOnly?: boolean} = {}): Promise<void> {
  if (resources.length === 0 || resources.every((r) => r.changes.length === 0)) return
  // One broker's own configs are changed by that broker ("Unexpected broker id" from any other, as Kafka's
  // AdminClient knows); topics and the cluster-wide default ('') go to the controller.
  const groups = new Map<number | undefined, AlterResource[]>()
  for (const r of resources) {
    const nodeId = r.type === RESOURCE_BROKER && /^\d+$/.test(r.name) ? Number(r.name) : undefined
    groups.set(nodeId, [...(groups.get(nodeId) ?? []), r])
  }
  const results: ResourceResult[] = []
  for (const [nodeId, group] of groups) {
    const result = await withBroker(
      client,
      nodeId !== undefined ? `changing the configs of broker ${nodeId}` : group.every((r) => (r.type ?? RESOURCE_TOPIC) === RESOURCE_TOPIC) ? 'changing topic configs' : 'changing configs',
      async (broker) => {
        requireVersion(broker, INCREMENTAL_ALTER_CONFIGS, 0, 'IncrementalAlterConfigs')
        return sendOn(broker, {request: incrementalAlterConfigsRequest(group, options.validateOnly), response: incrementalAlterConfigsResponse()})
      },
      {nodeId},
    )
    results.push(...result.resources)
  }
  const {errorType} = kafkajsCodec()
  const failed = results.find((r) => r.errorCode !== 0)
  if (failed) {
    const known = errorType(failed.errorCode)
    throw new BrokerResourceError(failed.resourceName, known.type, failed.errorCode, failed.errorMessage ?? known.message)
  }
}

export interface CreateTopicOutcome {
  topic: string
  /** Undefined on success. */
  error?: BrokerResourceError
}

/** Creates topics in one request; each topic's outcome carries the broker's own error message. */
export async function createTopicsWithMessages(client: KafkaJSSession, topics: NewTopicRequest[], options: {validateOnly?: boolean; timeoutMs: number}): Promise<CreateTopicOutcome[]> {
  const {errorType} = kafkajsCodec()
  const data = await withBroker(client, 'creating topics', async (broker) => {
    const range = broker.versions[CREATE_TOPICS]
    // v4 lets -1 mean the broker default; v5+ are "flexible" versions kafkajs cannot encode.
    const version = range && range.maxVersion >= 4 && range.minVersion <= 4 ? 4 : 3
    const {request, response} = createTopicsProtocol(topics, Boolean(options.validateOnly), Math.max(1000, options.timeoutMs - 500), version)
    return sendOn(broker, {request, response})
  })
  return data.topics.map((t) => {
    if (t.errorCode === 0) return {topic: t.topic}
    const known = errorType(t.errorCode)
    return {topic: t.topic, error: new BrokerResourceError(t.topic, known.type, t.errorCode, t.errorMessage ?? known.message)}
  })
}
