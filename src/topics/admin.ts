/**
 * Topic operations as commands use them: list, describe, create, alter configs, add partitions, apply a desired
 * state. Validation and the user's words are here; the network calls are the port's (kafka/topics.ts). Errors
 * are KafkitErrors with the documented exit codes (docs/ARCHITECTURE.md).
 */
import {ExitCode, KafkitError, usageError} from '../errors.js'
import type {KafkaClient} from '../kafka/client.js'
import {authorizationError, type ErrorContext} from '../kafka/errors.js'
import {type TopicPartitions, unknownTopic} from '../kafka/metadata.js'
import {fetchWatermarks} from '../kafka/offsets.js'
import {
  allTopicPartitions,
  alterTopicConfig,
  BrokerResourceError,
  brokerConfigs,
  type ConfigChange,
  createPartitions,
  createTopicRequests,
  deleteTopics,
  describeTopicConfigs as describeConfigEntries,
  waitForLeaders,
} from '../kafka/topics.js'
import type {ActualTopic, ApplyPlan} from './apply.js'
import {checkConfigKey, closestKey, KNOWN_TOPIC_CONFIG_KEYS, normalizeConfigValue} from './configs.js'
import type {CreateDefaults} from './prompts.js'
import {buildDescription, configSourceName, summarizeTopic, type TopicConfigEntry, type TopicDescription, type TopicListEntry} from './summary.js'

export {deleteTopics}

export async function listTopics(client: KafkaClient): Promise<TopicListEntry[]> {
  return (await allTopicPartitions(client)).map((t) => summarizeTopic(t.topic, t.partitions))
}

/** The named topics' partitions; an unknown name is exit 3 with the closest existing name. */
async function requireTopic(client: KafkaClient, name: string): Promise<TopicPartitions> {
  const all = await allTopicPartitions(client)
  const found = all.find((t) => t.topic === name)
  if (!found)
    throw unknownTopic(
      name,
      all.map((t) => t.topic),
    )
  return found
}

/** Every config entry of some topics (one request), keyed by topic, with the source named. */
export async function describeTopicConfigs(client: KafkaClient, topics: string[]): Promise<Map<string, TopicConfigEntry[]>> {
  const raw = await describeConfigEntries(client, topics)
  return new Map([...raw].map(([topic, entries]) => [topic, entries.map((e) => ({...e, source: configSourceName(e.source)}))]))
}

export async function describeTopic(client: KafkaClient, name: string): Promise<TopicDescription> {
  const meta = await requireTopic(client, name)
  const [watermarks, configs] = await Promise.all([fetchWatermarks(client, name), describeTopicConfigs(client, [name])])
  return buildDescription(name, meta.partitions, watermarks, configs.get(name) ?? [])
}

/** The cluster's answers to the questions of interactive creation (the shape prompts.ts asks with). */
export type ClusterTopicDefaults = CreateDefaults

/** What a new topic gets when nothing is said: the broker count and the broker's topic defaults. */
export async function clusterTopicDefaults(client: KafkaClient): Promise<ClusterTopicDefaults> {
  const names = ['num.partitions', 'default.replication.factor', 'min.insync.replicas', 'log.retention.ms', 'log.retention.hours', 'compression.type']
  const {brokers, values} = await brokerConfigs(client, names)
  const num = (key: string, fallback: number) => (values.has(key) && Number.isFinite(Number(values.get(key))) ? Number(values.get(key)) : fallback)
  const retentionMs = values.has('log.retention.ms') ? num('log.retention.ms', 604_800_000) : num('log.retention.hours', 168) * 3_600_000
  return {
    brokers,
    numPartitions: num('num.partitions', 1),
    defaultReplicationFactor: num('default.replication.factor', 1),
    minInsyncReplicas: num('min.insync.replicas', 1),
    retentionMs,
    compressionType: values.get('compression.type') ?? 'producer',
  }
}

export interface NewTopic {
  name: string
  /** Undefined: the broker's num.partitions. */
  partitions?: number
  /** Undefined: the broker's default.replication.factor. */
  replicationFactor?: number
  /** Raw `key=value` pairs as the user wrote them (human units allowed). */
  configs: [string, string][]
}

export interface CreatedTopic {
  name: string
  created: boolean
  partitions: number
  replicationFactor: number
  configs: Record<string, string>
}

/** Human values -> Kafka's, with unknown keys refused (closest valid key in the hint). */
export function normalizeTopicConfigs(configs: [string, string | number | boolean][], validKeys?: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of configs) {
    checkConfigKey(key, validKeys)
    out[key] = normalizeConfigValue(key, value)
  }
  return out
}

export async function createTopics(client: KafkaClient, topics: NewTopic[], options: {ifNotExists?: boolean; validateOnly?: boolean} = {}): Promise<CreatedTopic[]> {
  const requests = topics.map((t) => {
    const configs = normalizeTopicConfigs(t.configs)
    return {
      topic: t.name,
      numPartitions: t.partitions ?? -1,
      replicationFactor: t.replicationFactor ?? -1,
      configEntries: Object.entries(configs).map(([name, value]) => ({name, value})),
      configs,
    }
  })
  const outcomes = await createTopicRequests(
    client,
    requests.map(({configs: _c, ...r}) => r),
    {validateOnly: options.validateOnly},
  )
  const created = new Set<string>()
  for (const outcome of outcomes) {
    if (!outcome.error) {
      created.add(outcome.topic)
      continue
    }
    if (outcome.error.type === 'TOPIC_ALREADY_EXISTS' && options.ifNotExists) continue
    throw topicErrorToKafkit(outcome.error, client.errorContext, 'CREATE')
  }
  const names = requests.map((r) => r.topic)
  const metadata = options.validateOnly ? [] : await waitForLeaders(client, names)
  return requests.map((r) => {
    const meta = metadata.find((m) => m.topic === r.topic)
    return {
      name: r.topic,
      created: created.has(r.topic),
      partitions: meta?.partitions.length ?? r.numPartitions,
      replicationFactor: meta ? Math.max(0, ...meta.partitions.map((p) => p.replicas.length)) : r.replicationFactor,
      configs: r.configs,
    }
  })
}

/** A broker's per-topic error in the user's words. */
export function topicErrorToKafkit(error: BrokerResourceError, ctx?: ErrorContext, operation = 'ALTER'): KafkitError {
  const topic = error.resource
  const msg = error.message.replace(/\.$/, '')
  switch (error.type) {
    case 'TOPIC_ALREADY_EXISTS':
      return new KafkitError('TOPIC_EXISTS', `topic '${topic}' already exists`, {
        hint: 'add --if-not-exists to succeed when it does, or change it with `kafkit topics alter`',
        exitCode: ExitCode.FAILED,
      })
    case 'INVALID_REPLICATION_FACTOR': {
      const brokers = (/available brokers:?\s*(\d+)/i.exec(msg) ?? /only (\d+) broker/i.exec(msg))?.[1]
      const wanted = (/Replication factor:?\s*(\d+)/i.exec(msg) ?? /replication factor of (\d+)/i.exec(msg))?.[1]
      return usageError(
        brokers
          ? `replication factor ${wanted ?? ''} is larger than the cluster's ${brokers} broker${brokers === '1' ? '' : 's'}`.replace('factor  is', 'factor is')
          : `invalid replication factor: ${msg}`,
        brokers ? `use --replication-factor ${brokers} or less` : 'the replication factor must be between 1 and the number of brokers',
        'INVALID_REPLICATION_FACTOR',
      )
    }
    case 'INVALID_PARTITIONS':
      return usageError(`invalid partition count: ${msg}`, 'use --partitions 1 or more', 'INVALID_PARTITIONS')
    case 'INVALID_TOPIC_EXCEPTION':
      return usageError(`invalid topic name '${topic}': ${msg}`, "topic names use letters, digits, '.', '_' and '-', up to 249 characters", 'INVALID_TOPIC_NAME')
    case 'INVALID_CONFIG':
    case 'INVALID_REQUEST': {
      const unknownKey = /Unknown topic config name:\s*(\S+)/i.exec(msg)?.[1]
      if (unknownKey) {
        const near = closestKey(unknownKey, KNOWN_TOPIC_CONFIG_KEYS)
        return usageError(`unknown topic config '${unknownKey}'`, near ? `did you mean '${near}'?` : 'see the topic configs in the Kafka docs', 'UNKNOWN_CONFIG')
      }
      return usageError(`invalid config${topic ? ` for '${topic}'` : ''}: ${msg}`, 'check the value; durations take units (7d, 12h), sizes too (512MiB)', 'BAD_CONFIG_VALUE')
    }
    case 'POLICY_VIOLATION':
      return new KafkitError('POLICY_VIOLATION', `the cluster's policy refused it: ${msg}`, {exitCode: ExitCode.FAILED})
    case 'TOPIC_AUTHORIZATION_FAILED':
    case 'CLUSTER_AUTHORIZATION_FAILED':
      return authorizationError(error.type, {brokers: [], ...ctx, access: topic ? [{operation, resourceType: 'topic', name: topic}] : []}, error)
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return unknownTopic(topic, [])
    default:
      return new KafkitError(error.type, `${topic ? `'${topic}': ` : ''}${msg}`, {hint: 'run again with --debug for details', exitCode: ExitCode.FAILED})
  }
}

export interface PartitionIncrease {
  topic: string
  before: number
  after: number
}

export async function addPartitions(client: KafkaClient, topic: string, total: number): Promise<PartitionIncrease> {
  const meta = await requireTopic(client, topic)
  const before = meta.partitions.length
  if (total <= before) {
    throw usageError(
      `'${topic}' already has ${before} partition${before === 1 ? '' : 's'}; --total must be more than that`,
      total < before ? 'Kafka cannot remove partitions: create a new topic and copy (`kafkit replay`)' : `e.g. --total ${before + 1}`,
      'INVALID_PARTITIONS',
    )
  }
  await createPartitions(client, topic, total)
  return {topic, before, after: total}
}

export interface ConfigEdit {
  name: string
  op: 'set' | 'delete'
  before: string | null
  after: string | null
  beforeSource: string
  afterSource: string
}

export interface AlterPlanInput {
  set: [string, string | number | boolean][]
  delete: string[]
}

/**
 * Changes only the named keys of a topic (IncrementalAlterConfigs), validated against the keys the cluster
 * itself reports for the topic; every other override stays as it is.
 */
export async function alterTopicConfigs(client: KafkaClient, topic: string, input: AlterPlanInput, options: {dryRun?: boolean} = {}): Promise<ConfigEdit[]> {
  await requireTopic(client, topic)
  const before = (await describeTopicConfigs(client, [topic])).get(topic) ?? []
  const validKeys = new Set([...before.map((c) => c.name)])
  const changes: ConfigChange[] = []
  for (const [key, value] of input.set) {
    checkConfigKey(key, validKeys.size > 0 ? validKeys : undefined)
    changes.push({name: key, op: 'set', value: normalizeConfigValue(key, value)})
  }
  for (const key of input.delete) {
    checkConfigKey(key, validKeys.size > 0 ? validKeys : undefined)
    changes.push({name: key, op: 'delete'})
  }
  const dup = changes.find((c, i) => changes.findIndex((o) => o.name === c.name) !== i)
  if (dup) throw usageError(`'${dup.name}' is changed twice`, 'name each key once in --set / --delete', 'BAD_CONFIG')
  try {
    await alterTopicConfig(client, topic, changes, {validateOnly: options.dryRun})
  } catch (error) {
    if (error instanceof BrokerResourceError) throw topicErrorToKafkit(error, client.errorContext, 'ALTER_CONFIGS')
    throw error
  }
  const after = options.dryRun ? undefined : (await describeTopicConfigs(client, [topic])).get(topic)
  const find = (list: TopicConfigEntry[] | undefined, name: string) => list?.find((c) => c.name === name)
  return changes.map((c) => {
    const b = find(before, c.name)
    const a = find(after, c.name)
    return {
      name: c.name,
      op: c.op as 'set' | 'delete',
      before: b?.value ?? null,
      after: a ? a.value : c.op === 'set' ? (c.value ?? null) : null,
      beforeSource: b?.source ?? 'default',
      afterSource: a?.source ?? (c.op === 'set' ? 'topic' : 'default'),
    }
  })
}

/** The cluster's side of `topics apply`: every topic's shape, and the configs of the topics the file names. */
export async function readActualTopics(client: KafkaClient, configsOf: string[]): Promise<ActualTopic[]> {
  const all = await listTopics(client)
  const existing = new Set(all.map((t) => t.name))
  const configs = await describeTopicConfigs(
    client,
    configsOf.filter((n) => existing.has(n)),
  )
  return all.map((t) => ({name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor, configs: configs.get(t.name) ?? []}))
}

/** Runs a plan: creations, then changes (partitions, configs), then deletions. */
export async function executeApplyPlan(client: KafkaClient, plan: ApplyPlan): Promise<void> {
  const creates = plan.actions.filter((a) => a.action === 'create')
  if (creates.length > 0) {
    await createTopics(
      client,
      creates.map((a) => ({name: a.topic, partitions: a.partitions, replicationFactor: a.replicationFactor, configs: Object.entries(a.configs)})),
    )
  }
  for (const a of plan.actions) {
    if (a.action !== 'change') continue
    if (a.partitions) await createPartitions(client, a.topic, a.partitions.to)
    if (a.configs.length > 0) {
      const changes: ConfigChange[] = a.configs.map((c) => (c.to === null ? {name: c.name, op: 'delete'} : {name: c.name, op: 'set', value: c.to}))
      try {
        await alterTopicConfig(client, a.topic, changes)
      } catch (error) {
        if (error instanceof BrokerResourceError) throw topicErrorToKafkit(error, client.errorContext, 'ALTER_CONFIGS')
        throw error
      }
    }
  }
  await deleteTopics(
    client,
    plan.actions.filter((a) => a.action === 'delete').map((a) => a.topic),
  )
}
