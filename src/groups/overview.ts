/** The cluster look-ups behind `groups list` and `groups describe`. */
import {usageError} from '../errors.js'
import type {KafkaClient} from '../kafka/client.js'
import {describeGroupBatch, type GroupBatch} from '../kafka/group-batch.js'
import {unknownGroup} from '../kafka/groups.js'
import type {Watermark} from '../kafka/offsets.js'
import {type GroupLag, computeLag, partitionKey, withTimeLag} from './lag.js'

export interface GroupSummary {
  group: string
  state: string
  members: number
  protocolType: string
  protocol: string
  /** classic, or consumer (the new consumer protocol, KIP-848); absent when the broker does not tell. */
  type?: string
  topics: string[]
  /** Total lag over the partitions the group has committed (what `groups describe` sums). */
  lag: number
}

export function compileGroupFilter(pattern?: string): RegExp | undefined {
  if (!pattern) return undefined
  try {
    return new RegExp(pattern)
  } catch (error) {
    throw usageError(`'${pattern}' is not a regular expression: ${(error as Error).message}`, "e.g. kafkit groups list '^billing-'", 'BAD_REGEX')
  }
}

/**
 * Every group (or those matching `pattern`) with state, members, topics and total lag, from one round of
 * requests (src/kafka/group-batch.ts), however many groups there are.
 */
export async function summarizeGroups(client: KafkaClient, pattern?: string): Promise<GroupSummary[]> {
  const filter = compileGroupFilter(pattern)
  const batch = await describeGroupBatch(client, {filter})
  return batch.groups.map((g) => {
    const lag = lagOf(batch, g.groupId)
    // A group's topics: what its members are assigned, else what it has committed. A group made only by offset
    // commits (kafka-consumer-groups, offsets reset --allow-new-group) has no protocol type.
    return {group: g.groupId, state: g.state, members: g.members.length, protocolType: g.protocolType, protocol: g.protocol, ...(g.type ? {type: g.type} : {}), topics: lag.topics, lag: lag.totalLag}
  })
}

/** The lag of one group, with the time lag (exit 3 when it does not exist). */
export async function describeGroupLag(client: KafkaClient, groupId: string): Promise<GroupLag> {
  const batch = await describeGroupBatch(client, {groupIds: [groupId], logStart: true, timestamps: true})
  const group = batch.groups.find((g) => g.groupId === groupId)
  if (!group || group.state === 'Dead') throw await unknownGroup(client, groupId)
  return lagOf(batch, groupId, Date.now())
}

/** The lag of every group (or those matching `pattern`), with the time lag, from one round of requests. */
export async function describeAllGroupsLag(client: KafkaClient, pattern?: string): Promise<GroupLag[]> {
  const filter = compileGroupFilter(pattern)
  const batch = await describeGroupBatch(client, {filter, logStart: true, timestamps: true})
  const now = Date.now()
  return batch.groups.map((g) => lagOf(batch, g.groupId, now))
}

const indexed = new WeakMap<GroupBatch, Map<string, Watermark[]>>()

/** The batch's log offsets by topic, built once per batch (many groups read the same topics). */
function watermarksByTopic(batch: GroupBatch): Map<string, Watermark[]> {
  let map = indexed.get(batch)
  if (!map) {
    map = new Map()
    for (const [key, high] of batch.logEnd) {
      const [topic, partition] = key.split('\u0000')
      const list = map.get(topic) ?? []
      list.push({partition: Number(partition), low: batch.logStart.get(key) ?? 0, high})
      map.set(topic, list)
    }
    indexed.set(batch, map)
  }
  return map
}

/** One group's lag rows from a batch; with `now`, the time lag too. */
function lagOf(batch: GroupBatch, groupId: string, now?: number): GroupLag {
  const group = batch.groups.find((g) => g.groupId === groupId)!
  const committed = batch.committed.get(groupId) ?? []
  const watermarks = new Map<string, Watermark[]>()
  const topics = new Set(committed.map((c) => c.topic))
  for (const m of group.members) for (const a of m.assignment) topics.add(a.topic)
  const byTopic = watermarksByTopic(batch)
  for (const topic of topics) watermarks.set(topic, byTopic.get(topic) ?? [])
  const lag = computeLag(group, committed, watermarks)
  if (now === undefined) return lag
  const timestamps = new Map<string, number>()
  for (const c of committed) {
    const ts = batch.timestamps.get(`${groupId}\u0000${c.topic}\u0000${c.partition}`)
    if (ts !== undefined) timestamps.set(partitionKey(c.topic, c.partition), ts)
  }
  return withTimeLag(lag, timestamps, now)
}
