/**
 * DescribeLogDirs (API key 35, v1), which kafkajs 2.2.4 does not have: each broker's log directories and the size
 * of every partition replica in them. Sent to every broker (each answers for its own disks), over kafkajs
 * connections made by the command's Kafka instance, like incremental-alter-configs.ts.
 */
import type {KafkaClient} from './client.js'
import {privateCluster, sendOn} from './kafkajs/internals.js'
import {sessionOf} from './kafkajs/session.js'
import {fetchAllMetadataOnce} from './kafkajs/protocol/admin-requests.js'
import {requireKafkaJS} from './kafkajs/require.js'

const DESCRIBE_LOG_DIRS = 35

interface Encoder {
  writeInt32(value: number): Encoder
}
interface Decoder {
  readInt16(): number
  readInt32(): number
  readInt64(): {toString(): string}
  readBoolean(): boolean
  readString(): string | null
  readArray<T>(reader: (d: Decoder) => T): T[]
}

export interface LogDirReplica {
  topic: string
  partition: number
  size: number
  offsetLag: number
  isFuture: boolean
}
export interface LogDir {
  errorCode: number
  path: string
  replicas: LogDirReplica[]
}

/** DescribeLogDirs Request (Version: 1) => [topics]: a null array asks for every topic. */
export function describeLogDirsRequest() {
  const Encoder = requireKafkaJS('kafkajs/src/protocol/encoder') as new () => Encoder
  return {apiKey: DESCRIBE_LOG_DIRS, apiVersion: 1, apiName: 'DescribeLogDirs', encode: async () => new Encoder().writeInt32(-1)}
}

/**
 * DescribeLogDirs Response (Version: 1) => throttle_time_ms [results]
 *   results => error_code log_dir [topics]
 *     topics => name [partitions]
 *       partitions => partition_index partition_size offset_lag is_future_key (INT32 INT64 INT64 BOOLEAN)
 */
export function describeLogDirsResponse() {
  const Decoder = requireKafkaJS('kafkajs/src/protocol/decoder') as new (b: Buffer) => Decoder
  return {
    decode: async (raw: Buffer): Promise<LogDir[]> => {
      const d = new Decoder(raw)
      d.readInt32()
      return d.readArray((r) => {
        const errorCode = r.readInt16()
        const path = r.readString() ?? ''
        const replicas = r
          .readArray((t) => {
            const topic = t.readString() ?? ''
            return t.readArray((p) => ({topic, partition: p.readInt32(), size: Number(p.readInt64().toString()), offsetLag: Number(p.readInt64().toString()), isFuture: p.readBoolean()}))
          })
          .flat()
        return {errorCode, path, replicas}
      })
    },
    parse: async (data: LogDir[]) => data,
  }
}

interface RawBroker {
  versions: Record<number, {minVersion: number; maxVersion: number}>
  connectionPool: {send<T>(protocol: {request: unknown; response: {decode: (raw: Buffer) => Promise<T>; parse: (d: T) => Promise<T>}}): Promise<T>}
}
interface RawCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  refreshMetadata(): Promise<void>
  findBroker(args: {nodeId: string}): Promise<RawBroker>
}

export interface BrokerOverview {
  id: number
  host: string
  port: number
  rack: string | null
  controller: boolean
  leaders: number
  replicas: number
  /** Undefined when the broker did not answer DescribeLogDirs (reason in `logDirsError`). */
  logDirs?: {path: string; error?: string; size: number; replicas: number}[]
  logDirsError?: string
}

/** Every broker with its rack (kafkajs keeps it in the raw Metadata), leader/replica counts and log dirs. */
export async function describeBrokers(client: KafkaClient): Promise<BrokerOverview[]> {
  const meta = await fetchAllMetadataOnce(sessionOf(client))
  // kafkajs decodes each broker's rack (Metadata v1+) but its type leaves it out.
  const brokers = meta.brokers as {nodeId: number; host: string; port: number; rack?: string | null}[]
  const admin = await sessionOf(client).admin()
  const cluster = await client.call('describing the cluster', () => admin.describeCluster())
  const leaders = new Map<number, number>()
  const replicas = new Map<number, number>()
  for (const t of meta.topicMetadata) {
    for (const p of t.partitionMetadata) {
      leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1)
      for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1)
    }
  }
  const logDirs = await describeAllLogDirs(
    client,
    brokers.map((b) => b.nodeId),
  )
  return brokers
    .map((b): BrokerOverview => {
      const dirs = logDirs.get(b.nodeId)
      const base: BrokerOverview = {
        id: b.nodeId,
        host: b.host,
        port: b.port,
        rack: b.rack ?? null,
        controller: b.nodeId === cluster.controller,
        leaders: leaders.get(b.nodeId) ?? 0,
        replicas: replicas.get(b.nodeId) ?? 0,
      }
      if (dirs instanceof Error) return {...base, logDirsError: dirs.message}
      return {
        ...base,
        logDirs: (dirs ?? []).map((d) => ({
          path: d.path,
          ...(d.errorCode !== 0 ? {error: `error code ${d.errorCode}`} : {}),
          size: d.replicas.reduce((n, r) => n + r.size, 0),
          replicas: d.replicas.length,
        })),
      }
    })
    .sort((a, b) => a.id - b.id)
}

export async function describeAllLogDirs(client: KafkaClient, ids: number[]): Promise<Map<number, LogDir[] | Error>> {
  const cluster = privateCluster<RawCluster>(sessionOf(client).kafka, {allowAutoTopicCreation: false})
  if (!cluster) throw new Error('this kafkajs version has no cluster factory (kafkit expects kafkajs 2.2.x)')
  const result = new Map<number, LogDir[] | Error>()
  try {
    await client.call('connecting to the brokers', async () => {
      await cluster.connect()
      await cluster.refreshMetadata()
    })
    await Promise.all(
      ids.map(async (id) => {
        try {
          const broker = await client.call(`reading the log dirs of broker ${id}`, () => cluster.findBroker({nodeId: String(id)}))
          const range = broker.versions[DESCRIBE_LOG_DIRS]
          if (!range || range.minVersion > 1 || range.maxVersion < 1) throw new Error(`broker ${id} does not support DescribeLogDirs v1`)
          result.set(id, await client.call(`reading the log dirs of broker ${id}`, () => sendOn(broker, {request: describeLogDirsRequest(), response: describeLogDirsResponse()})))
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
