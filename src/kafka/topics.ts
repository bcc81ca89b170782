/**
 * Topic admin calls of the port: metadata, configs, creation, deletion, partitions, config changes. They return
 * kafkit's types and throw KafkitErrors (or, per topic, BrokerResourceError with the broker's own message);
 * what they mean for a user (validation, summaries, plans) is topics/.
 */
import type {KafkaClient} from './client.js'
import {BrokerResourceError, ConfigChange, createTopicsWithMessages, fetchAllMetadataOnce, incrementalAlterConfigs, RESOURCE_TOPIC, withBroker} from './kafkajs/protocol/admin-requests.js'
import {sessionOf} from './kafkajs/session.js'
import {TopicPartitions, toTopicPartitions} from './metadata.js'

export {BrokerResourceError}
export type {ConfigChange}

const RESOURCE_BROKER = 4

/** Every topic's partitions from one Metadata request. */
export async function allTopicPartitions(client: KafkaClient): Promise<TopicPartitions[]> {
  const {topicMetadata} = await fetchAllMetadataOnce(sessionOf(client))
  return topicMetadata.map((t) => ({
    topic: t.topic,
    partitions: t.partitionMetadata
      .map((p) => ({partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas}))
      .sort((a, b) => a.partition - b.partition),
  }))
}

/** A config entry as DescribeConfigs returns it; `source` is Kafka's ConfigSource number. */
export interface ConfigEntry {
  name: string
  value: string | null
  source: number
  sensitive: boolean
  readOnly: boolean
}

/** Every config entry of some topics (one request), keyed by topic. */
export async function describeTopicConfigs(client: KafkaClient, topics: string[]): Promise<Map<string, ConfigEntry[]>> {
  const result = new Map<string, ConfigEntry[]>()
  if (topics.length === 0) return result
  const admin = await sessionOf(client).admin()
  const response = await client.call('reading topic configs', () => admin.describeConfigs({resources: topics.map((name) => ({type: RESOURCE_TOPIC, name})), includeSynonyms: false}))
  for (const resource of response.resources) {
    result.set(
      resource.resourceName,
      resource.configEntries.map((e) => ({
        name: e.configName,
        value: e.configValue ?? null,
        source: e.configSource as unknown as number,
        sensitive: e.isSensitive,
        readOnly: e.readOnly,
      })),
    )
  }
  return result
}

/**
 * The broker count, and the named configs of the first broker (empty when describing broker configs is
 * forbidden, as on managed clusters).
 */
export async function brokerConfigs(client: KafkaClient, names: string[]): Promise<{brokers: number; values: Map<string, string>}> {
  const admin = await sessionOf(client).admin()
  const cluster = await client.call('describing the cluster', () => admin.describeCluster())
  const brokerId = String(cluster.brokers[0]?.nodeId ?? 1)
  const values = new Map<string, string>()
  try {
    const response = await client.call('reading broker defaults', () => admin.describeConfigs({resources: [{type: RESOURCE_BROKER, name: brokerId, configNames: names}], includeSynonyms: false}))
    for (const e of response.resources[0]?.configEntries ?? []) if (e.configValue != null) values.set(e.configName, e.configValue)
  } catch {
    // Describing broker configs may be forbidden (managed clusters): the caller falls back to Kafka's defaults.
  }
  return {brokers: cluster.brokers.length, values}
}

export interface TopicRequest {
  topic: string
  /** -1: the broker's num.partitions. */
  numPartitions: number
  /** -1: the broker's default.replication.factor. */
  replicationFactor: number
  configEntries: {name: string; value: string}[]
}

/** Creates topics in one request; each outcome carries the broker's own error message. */
export async function createTopicRequests(client: KafkaClient, requests: TopicRequest[], options: {validateOnly?: boolean} = {}): Promise<{topic: string; error?: BrokerResourceError}[]> {
  return createTopicsWithMessages(sessionOf(client), requests, {validateOnly: options.validateOnly, timeoutMs: client.options.timeoutMs})
}

/** After creation, a topic's partitions get leaders within moments; wait for that (as kafkajs does), bounded. */
export async function waitForLeaders(client: KafkaClient, names: string[]): Promise<TopicPartitions[]> {
  const admin = await sessionOf(client).admin()
  const deadline = Date.now() + client.options.timeoutMs
  for (;;) {
    try {
      const {topics} = await admin.fetchTopicMetadata({topics: names})
      const mapped = topics.map(toTopicPartitions)
      if (mapped.length === names.length && mapped.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return mapped
    } catch {
      // Not yet in the metadata of the broker we asked: retry below.
    }
    if (Date.now() > deadline) return []
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function deleteTopics(client: KafkaClient, names: string[]): Promise<void> {
  if (names.length === 0) return
  const admin = await sessionOf(client).admin()
  await client.call('deleting topics', () => admin.deleteTopics({topics: names, timeout: client.options.timeoutMs}))
  await waitUntilGone(client, names)
}

/**
 * The controller has deleted the topics when DeleteTopics answers, but brokers' metadata follows a moment
 * later: wait for that (bounded), so that `delete` then `create` of the same name, or a list, sees it gone.
 */
async function waitUntilGone(client: KafkaClient, names: string[]): Promise<void> {
  const deadline = Date.now() + Math.max(500, client.options.timeoutMs - 1000)
  await withBroker(
    sessionOf(client),
    'waiting for the deletion to reach the brokers',
    async (broker) => {
      for (;;) {
        const {topicMetadata} = await broker.metadata([])
        const left = new Set(topicMetadata.map((t) => t.topic))
        if (!names.some((n) => left.has(n)) || Date.now() > deadline) return
        await new Promise((resolve) => setTimeout(resolve, 150))
      }
    },
    {anyBroker: true},
  ).catch(() => undefined) // the deletion itself succeeded; this wait is a courtesy
}

/** Raises a topic's partition count to `total`. */
export async function createPartitions(client: KafkaClient, topic: string, total: number): Promise<void> {
  const admin = await sessionOf(client).admin()
  await client.call(`adding partitions to '${topic}'`, () => admin.createPartitions({topicPartitions: [{topic, count: total}], timeout: client.options.timeoutMs}))
}

/** Changes only the named config keys of a topic (IncrementalAlterConfigs); throws BrokerResourceError when refused. */
export async function alterTopicConfig(client: KafkaClient, topic: string, changes: ConfigChange[], options: {validateOnly?: boolean} = {}): Promise<void> {
  await incrementalAlterConfigs(sessionOf(client), [{name: topic, changes}], options)
}

/**
 * The topic's max.message.bytes (produce and replay keep batches below it), or undefined when the configs cannot
 * be read (then the broker judges).
 */
export async function topicMaxMessageBytes(client: KafkaClient, topic: string): Promise<number | undefined> {
  try {
    const session = sessionOf(client)
    const admin = await session.admin()
    const {resources} = await client.call('reading topic config', () =>
      admin.describeConfigs({includeSynonyms: false, resources: [{type: session.kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes']}]}),
    )
    const value = Number(resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue)
    return Number.isFinite(value) && value > 0 ? value : undefined
  } catch {
    return undefined
  }
}

/** The names of every topic the connection may see (internal ones included). */
export async function topicNames(client: KafkaClient): Promise<string[]> {
  const admin = await sessionOf(client).admin()
  return client.call('listing topics', () => admin.listTopics())
}

export type ConfigSourceName = 'topic' | 'broker' | 'cluster-default' | 'static-broker' | 'default' | 'broker-logger' | 'client-metrics' | 'group' | 'unknown'

/** DescribeConfigs' config_source numbers (KIP-226) as words. */
export function configSourceName(source: number | undefined): ConfigSourceName {
  switch (source) {
    case 1:
      return 'topic'
    case 2:
      return 'broker'
    case 3:
      return 'cluster-default'
    case 4:
      return 'static-broker'
    case 5:
      return 'default'
    case 6:
      return 'broker-logger'
    case 7:
      return 'client-metrics'
    case 8:
      return 'group'
    default:
      return 'unknown'
  }
}
