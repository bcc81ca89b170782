/**
 * What `topics list` and `topics describe` report, computed from metadata, watermarks and configs. Pure.
 */
import {usageError} from '../errors.js'
import {type ConfigSourceName, configSourceName} from '../kafka/topics.js'

export {configSourceName, type ConfigSourceName}
import {isInternalTopic} from './names.js'

export interface PartitionMetadata {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
  offlineReplicas?: number[]
}

export interface TopicListEntry {
  name: string
  partitions: number
  replicationFactor: number
  internal: boolean
  /** Partitions whose in-sync replicas are fewer than their replicas. */
  underReplicated: number
  /** Partitions without a leader: nobody can read or write them. */
  offline: number
}

export function summarizeTopic(name: string, partitions: PartitionMetadata[]): TopicListEntry {
  return {
    name,
    partitions: partitions.length,
    replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
    internal: isInternalTopic(name),
    underReplicated: partitions.filter((p) => p.leader >= 0 && p.isr.length < p.replicas.length).length,
    offline: partitions.filter((p) => p.leader < 0).length,
  }
}

/** Topics to show: a name regex (a bad one is a usage error upstream), internal ones only with `all`. */
export function filterTopics(entries: TopicListEntry[], options: {regex?: RegExp; all?: boolean}): TopicListEntry[] {
  return entries
    .filter((t) => options.all || !t.internal)
    .filter((t) => !options.regex || options.regex.test(t.name))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** `ok`, `2 under-replicated`, `1 offline` — the marker column of `topics list`. */
export function healthLabel(t: Pick<TopicListEntry, 'underReplicated' | 'offline'>): string {
  const parts: string[] = []
  if (t.offline > 0) parts.push(`${t.offline} offline`)
  if (t.underReplicated > 0) parts.push(`${t.underReplicated} under-replicated`)
  return parts.length > 0 ? parts.join(', ') : 'ok'
}

export interface TopicConfigEntry {
  name: string
  value: string | null
  source: ConfigSourceName
  sensitive: boolean
  readOnly: boolean
}

export interface PartitionDescription {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
  offlineReplicas: number[]
  underReplicated: boolean
  earliest: number
  latest: number
  /** latest - earliest: exact for plain topics; an upper bound with compaction or transaction markers. */
  records: number
}

export interface TopicDescription {
  name: string
  internal: boolean
  partitions: number
  replicationFactor: number
  underReplicated: number
  offline: number
  records: number
  partitionDetails: PartitionDescription[]
  /** Config entries that differ from Kafka's built-in default (set on the topic, the broker or the cluster). */
  configs: TopicConfigEntry[]
}

export function buildDescription(name: string, partitions: PartitionMetadata[], watermarks: {partition: number; low: number; high: number}[], configs: TopicConfigEntry[]): TopicDescription {
  const marks = new Map(watermarks.map((w) => [w.partition, w]))
  const details = [...partitions]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => {
      const w = marks.get(p.partition) ?? {low: 0, high: 0}
      return {
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        offlineReplicas: p.offlineReplicas ?? [],
        underReplicated: p.isr.length < p.replicas.length,
        earliest: w.low,
        latest: w.high,
        records: Math.max(0, w.high - w.low),
      }
    })
  const summary = summarizeTopic(name, partitions)
  return {
    name,
    internal: summary.internal,
    partitions: summary.partitions,
    replicationFactor: summary.replicationFactor,
    underReplicated: summary.underReplicated,
    offline: summary.offline,
    records: details.reduce((n, p) => n + p.records, 0),
    partitionDetails: details,
    configs: configs.filter((c) => c.source !== 'default').sort((a, b) => a.name.localeCompare(b.name)),
  }
}

/** A topic filter as the user typed it; a bad expression is a usage error (exit 2). */
export function compileRegex(source: string | undefined, flag = 'REGEX'): RegExp | undefined {
  if (source === undefined) return undefined
  try {
    return new RegExp(source)
  } catch (error) {
    throw usageError(`${flag} '${source}' is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`, 'e.g. "^orders-" or "events$"', 'BAD_REGEX')
  }
}
