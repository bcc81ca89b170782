import type {KafkaClient} from './client.js'
import {fetchAllMetadataOnce} from './kafkajs/protocol/admin-requests.js'
import {sessionOf} from './kafkajs/session.js'

export interface BrokerInfo {
  id: number
  host: string
  port: number
  address: string
  controller: boolean
}

export interface ClusterInfo {
  clusterId: string
  controller: number | null
  brokers: BrokerInfo[]
  topics: number
  internalTopics: number
  partitions: number
}

/** Cluster id, controller, brokers, and how many topics and partitions it holds. */
export async function describeClusterInfo(client: KafkaClient): Promise<ClusterInfo> {
  const admin = await sessionOf(client).admin()
  const [cluster, metadata] = await client.call('describing the cluster', () => Promise.all([admin.describeCluster(), admin.fetchTopicMetadata()]))
  const internal = metadata.topics.filter((t) => t.name.startsWith('__'))
  return {
    clusterId: cluster.clusterId,
    controller: cluster.controller,
    brokers: cluster.brokers.map((b) => ({id: b.nodeId, host: b.host, port: b.port, address: `${b.host}:${b.port}`, controller: b.nodeId === cluster.controller})).sort((a, b) => a.id - b.id),
    topics: metadata.topics.length - internal.length,
    internalTopics: internal.length,
    partitions: metadata.topics.reduce((n, t) => n + t.partitions.length, 0),
  }
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
  const admin = await sessionOf(client).admin()
  // A leader that has not loaded its partition yet answers NOT_LEADER_OR_FOLLOWER (kafkajs gives up at once).
  for (const t of metadata.topicMetadata) {
    const ok = await admin.fetchTopicOffsets(t.topic).then(
      () => true,
      () => false,
    )
    if (!ok) return t.partitionMetadata.length
  }
  return 0
}
