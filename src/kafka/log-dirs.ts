/**
 * `kafkit brokers`: every broker with its rack, leader/replica counts and log directories. DescribeLogDirs
 * (API key 35, v1, which kafkajs 2.2.4 lacks) is encoded in kafkajs/protocol/log-dirs.ts and sent to every broker.
 */
import type {KafkaClient} from './client.js'
import {sendOn} from './kafkajs/internals.js'
import {fetchAllMetadataOnce, withEachBroker} from './kafkajs/protocol/admin-requests.js'
import {DESCRIBE_LOG_DIRS, type LogDir, describeLogDirsRequest, describeLogDirsResponse} from './kafkajs/protocol/log-dirs.js'
import {sessionOf} from './kafkajs/session.js'

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
  return withEachBroker(
    sessionOf(client),
    ids,
    (id) => `reading the log dirs of broker ${id}`,
    async (broker, id) => {
      const range = broker.versions[DESCRIBE_LOG_DIRS]
      if (!range || range.minVersion > 1 || range.maxVersion < 1) throw new Error(`broker ${id} does not support DescribeLogDirs v1`)
      return sendOn(broker, {request: describeLogDirsRequest(), response: describeLogDirsResponse()})
    },
  )
}
