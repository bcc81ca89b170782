import type {KafkaClient} from './client.js'
import {sendOn} from './kafkajs/internals.js'
import {fetchAllMetadataOnce, withEachBroker} from './kafkajs/protocol/admin-requests.js'
import {API_VERSIONS, type ApiVersionsV3, apiVersionsProtocol} from './kafkajs/protocol/api-versions.js'
import {sessionOf} from './kafkajs/session.js'
import {metadataVersionName, releaseOfLevel} from './kafka-versions.js'
import {fetchWatermarksOf} from './offsets.js'

export interface BrokerInfo {
  id: number
  host: string
  port: number
  address: string
  controller: boolean
  /** broker.rack, null when the broker has none. */
  rack: string | null
}

export interface ClusterInfo {
  clusterId: string
  controller: number | null
  brokers: BrokerInfo[]
  topics: number
  internalTopics: number
  partitions: number
}

/** Cluster id, controller, brokers (with their racks), and how many topics and partitions it holds. */
export async function describeClusterInfo(client: KafkaClient): Promise<ClusterInfo> {
  const session = sessionOf(client)
  const admin = await session.admin()
  // One Metadata request: every topic, and each broker's rack (kafkajs decodes it, its type leaves it out).
  const [cluster, metadata] = await Promise.all([client.call('describing the cluster', () => admin.describeCluster()), fetchAllMetadataOnce(session)])
  const racks = new Map((metadata.brokers as {nodeId: number; rack?: string | null}[]).map((b) => [b.nodeId, b.rack ?? null]))
  const internal = metadata.topicMetadata.filter((t) => t.topic.startsWith('__'))
  return {
    clusterId: cluster.clusterId,
    controller: cluster.controller,
    brokers: cluster.brokers
      .map((b) => ({id: b.nodeId, host: b.host, port: b.port, address: `${b.host}:${b.port}`, controller: b.nodeId === cluster.controller, rack: racks.get(b.nodeId) ?? null}))
      .sort((a, b) => a.id - b.id),
    topics: metadata.topicMetadata.length - internal.length,
    internalTopics: internal.length,
    partitions: metadata.topicMetadata.reduce((n, t) => n + t.partitionMetadata.length, 0),
  }
}

/** What a broker's ApiVersions (v3) says about its software and the cluster's finalized feature levels. */
export interface BrokerSoftware {
  /** The release of the broker's software (`4.4`), from the newest metadata.version level it supports; null: unknown. */
  release: string | null
  /** The metadata.version levels the broker's software supports. */
  supportedMetadataVersion: {min: number; max: number} | null
  /** The cluster's finalized metadata.version as this broker knows it (`4.4-IV2`, level 33). */
  metadataVersion: {level: number; name: string} | null
  /** Every finalized feature (metadata.version, kraft.version, group.version, ...) and its level. */
  finalizedFeatures: Record<string, number>
}

/** Reads a broker's features from an ApiVersions v3 answer. Pure. */
export function brokerSoftware(response: ApiVersionsV3): BrokerSoftware {
  const supported = response.supportedFeatures.find((f) => f.name === 'metadata.version')
  const finalized = response.finalizedFeatures.find((f) => f.name === 'metadata.version')
  return {
    release: supported ? (releaseOfLevel(supported.max) ?? null) : null,
    supportedMetadataVersion: supported ? {min: supported.min, max: supported.max} : null,
    metadataVersion: finalized && response.finalizedFeaturesEpoch >= 0 ? {level: finalized.max, name: metadataVersionName(finalized.max)} : null,
    finalizedFeatures: Object.fromEntries(response.finalizedFeatures.map((f) => [f.name, f.max])),
  }
}

/**
 * Each broker's software release and the finalized feature levels, from an ApiVersions v3 request to each (the
 * request kafkajs sends on connecting is v2, which has no features). A broker that does not answer, or does not
 * know v3 (Kafka before 2.4), maps to an Error.
 */
export async function describeBrokerSoftware(client: KafkaClient, ids: number[]): Promise<Map<number, BrokerSoftware | Error>> {
  return withEachBroker(
    sessionOf(client),
    ids,
    (id) => `asking broker ${id} for its API versions`,
    async (broker, id) => {
      const range = broker.versions[API_VERSIONS]
      if (!range || range.maxVersion < 3) throw new Error(`broker ${id} does not support ApiVersions v3 (Kafka 2.4 or later)`)
      const response = await sendOn(broker, apiVersionsProtocol('cli'))
      if (response.errorCode !== 0) throw new Error(`broker ${id} answered ApiVersions v3 with error code ${response.errorCode}`)
      return brokerSoftware(response)
    },
  )
}

export interface ClusterNodes {
  clusterId: string
  controller: number | null
  brokers: {nodeId: number; host: string; port: number}[]
}

/** The cluster id, the controller and the brokers as the cluster advertises them (one DescribeCluster). */
export async function describeBrokers(client: KafkaClient, what = 'describing the cluster'): Promise<ClusterNodes> {
  const admin = await sessionOf(client).admin()
  const cluster = await client.call(what, () => admin.describeCluster())
  return {clusterId: cluster.clusterId, controller: cluster.controller, brokers: cluster.brokers.map((b) => ({nodeId: b.nodeId, host: b.host, port: b.port}))}
}

/** The cluster id: snapshots and replay checkpoints are named by it, so that one cluster's are never applied to another. */
export async function clusterId(client: KafkaClient): Promise<string> {
  return (await describeBrokers(client)).clusterId
}

/** How many partitions have no leader, or a leader that does not answer ListOffsets for them yet (0: all served). */
export async function partitionsNotServed(client: KafkaClient): Promise<number> {
  const metadata = await fetchAllMetadataOnce(sessionOf(client))
  const leaderless = metadata.topicMetadata.reduce((n, t) => n + t.partitionMetadata.filter((p) => p.leader < 0 || p.partitionErrorCode !== 0).length, 0)
  if (leaderless > 0) return leaderless
  // A leader that has not loaded its partition yet answers NOT_LEADER_OR_FOLLOWER. First one ListOffsets per
  // leader for every topic (one request per topic made a restart of 5,000 topics wait for minutes); when that
  // fails, topic by topic to name how many are not served (kafkajs gives up at the first).
  const topics = metadata.topicMetadata.map((t) => t.topic)
  const allServed = await fetchWatermarksOf(client, topics).then(
    () => true,
    () => false,
  )
  if (allServed) return 0
  const admin = await sessionOf(client).admin()
  for (const t of metadata.topicMetadata) {
    const ok = await admin.fetchTopicOffsets(t.topic).then(
      () => true,
      () => false,
    )
    if (!ok) return t.partitionMetadata.length
  }
  return 0
}
