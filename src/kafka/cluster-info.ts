import type {KafkaClient} from './client.js'

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
  const admin = await client.admin()
  const [cluster, metadata] = await client.call('describing the cluster', () =>
    Promise.all([admin.describeCluster(), admin.fetchTopicMetadata()]),
  )
  const internal = metadata.topics.filter((t) => t.name.startsWith('__'))
  return {
    clusterId: cluster.clusterId,
    controller: cluster.controller,
    brokers: cluster.brokers
      .map((b) => ({id: b.nodeId, host: b.host, port: b.port, address: `${b.host}:${b.port}`, controller: b.nodeId === cluster.controller}))
      .sort((a, b) => a.id - b.id),
    topics: metadata.topics.length - internal.length,
    internalTopics: internal.length,
    partitions: metadata.topics.reduce((n, t) => n + t.partitions.length, 0),
  }
}
