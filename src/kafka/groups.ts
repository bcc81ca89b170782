/**
 * Consumer-group admin calls: list, describe, committed offsets, set offsets, delete. Every call is bounded by
 * the command's --timeout (client.call) and kafkajs errors become KafkitErrors.
 */
import type {Kafka} from './kafkajs/session.js'

import {notFoundError, refusedError} from '../errors.js'
import {type ConsumerGroupDescribed, type FlexCluster, consumerGroupDescribe, createFlexCluster, listGroupsWithTypes, protocolError} from './kafkajs/protocol/consumer-groups-v2.js'
import {rootCause} from './errors.js'
import {closest} from '../util/strings.js'
import type {KafkaClient} from './client.js'
import {clusterId} from './cluster-info.js'
import {clusterIdOf, privateCluster} from './kafkajs/internals.js'
import {sessionOf} from './kafkajs/session.js'

export interface GroupListing {
  groupId: string
  protocolType: string
  /** classic, or consumer for the new consumer protocol (KIP-848); share, streams. Absent from brokers before Kafka 3.7. */
  type?: string
}

export interface TopicAssignment {
  topic: string
  partitions: number[]
}

export interface GroupMember {
  memberId: string
  clientId: string
  host: string
  assignment: TopicAssignment[]
}

export interface GroupDescription {
  groupId: string
  /**
   * Stable, PreparingRebalance, CompletingRebalance, Empty, Dead (= does not exist); for groups of the new consumer
   * protocol also Assigning, Reconciling; Unknown only when a broker cannot describe such a group.
   */
  state: string
  /** classic, or consumer (KIP-848, `group.protocol=consumer`); absent when the broker does not tell. */
  type?: string
  protocolType: string
  protocol: string
  members: GroupMember[]
}

export interface PartitionOffset {
  topic: string
  partition: number
  offset: number
}

export async function listGroups(client: KafkaClient): Promise<GroupListing[]> {
  // ListGroups v5 tells each group's type (a KIP-848 group is type consumer); kafkajs' v2 is the fallback.
  const typed = await client.call('listing consumer groups', () => withFlexCluster(client, listGroupsWithTypes))
  if (typed) return typed.map((g) => ({groupId: g.groupId, protocolType: g.protocolType, type: g.groupType.toLowerCase()})).sort((a, b) => a.groupId.localeCompare(b.groupId))
  const admin = await sessionOf(client).admin()
  const {groups} = await client.call('listing consumer groups', () => admin.listGroups())
  return groups.map((g) => ({groupId: g.groupId, protocolType: g.protocolType})).sort((a, b) => a.groupId.localeCompare(b.groupId))
}

async function withFlexCluster<T>(client: KafkaClient, fn: (cluster: FlexCluster) => Promise<T>): Promise<T> {
  const cluster = createFlexCluster(sessionOf(client).kafka)
  try {
    await cluster.connect()
    return await fn(cluster)
  } finally {
    await cluster.disconnect().catch(() => undefined)
  }
}

/** Describes groups; a group the coordinator does not know comes back with state `Dead`. */
export async function describeGroups(client: KafkaClient, groupIds: string[]): Promise<GroupDescription[]> {
  if (groupIds.length === 0) return []
  const admin = await sessionOf(client).admin()
  client.expectAccess(...groupIds.map((name) => ({operation: 'DESCRIBE', resourceType: 'group' as const, name})))
  const {groups} = await client.call('describing consumer groups', () => admin.describeGroups(groupIds))
  const {AssignerProtocol} = sessionOf(client).kafkajs
  // Groups of the new consumer protocol (KIP-848, group.protocol=consumer) are invisible to DescribeGroups, the
  // API kafkajs speaks: they come back Dead though ListGroups lists them. ConsumerGroupDescribe reads them.
  const dead = groups.filter((g) => g.state === 'Dead')
  const listed = dead.length > 0 ? new Map((await listGroups(client)).map((g) => [g.groupId, g])) : new Map<string, GroupListing>()
  const described = await describeConsumerProtocolGroups(
    client,
    dead.filter((g) => listed.has(g.groupId) && listed.get(g.groupId)?.type !== 'classic').map((g) => g.groupId),
  )
  return groups.map((g) => {
    const v2 = described.get(g.groupId)
    if (v2) return v2
    return {
      groupId: g.groupId,
      state: g.state === 'Dead' && listed.has(g.groupId) ? 'Unknown' : g.state,
      ...(listed.get(g.groupId)?.type ? {type: listed.get(g.groupId)!.type} : g.state === 'Dead' ? {} : {type: 'classic'}),
      protocolType: g.protocolType,
      protocol: g.protocol,
      members: membersOf(g, AssignerProtocol.MemberAssignment.decode),
    }
  })
}

/** A DescribeGroups answer's members, as kafkit shows them (the consumer protocol's assignment decoded). */
export function membersOf(
  g: {protocolType: string; members: {memberId: string; clientId: string; clientHost: string; memberAssignment: Buffer}[]},
  decode: (b: Buffer) => {assignment: Record<string, number[]>} | null,
): GroupMember[] {
  return g.members.map((m) => ({memberId: m.memberId, clientId: m.clientId, host: m.clientHost.replace(/^\//, ''), assignment: decodeAssignment(g.protocolType, m.memberAssignment, decode)}))
}

/**
 * Groups of the new consumer protocol (KIP-848, group.protocol=consumer), read with ConsumerGroupDescribe: the
 * classic DescribeGroups (the API kafkajs speaks) answers Dead for them. Undefined for a group it does not know.
 */
export async function describeConsumerProtocolGroups(client: KafkaClient, groupIds: string[]): Promise<Map<string, GroupDescription | undefined>> {
  const described = new Map<string, GroupDescription | undefined>()
  if (groupIds.length === 0) return described
  await client.call('describing consumer groups', () =>
    withFlexCluster(client, async (cluster) => {
      for (const groupId of groupIds) described.set(groupId, fromConsumerGroupDescribe(await consumerGroupDescribe(cluster, groupId)))
    }),
  )
  return described
}

/** A ConsumerGroupDescribe answer as a GroupDescription; undefined when there is none (GROUP_ID_NOT_FOUND, no API). */
function fromConsumerGroupDescribe(group: ConsumerGroupDescribed | undefined): GroupDescription | undefined {
  if (!group) return undefined
  if (group.errorCode === 69) return undefined // GROUP_ID_NOT_FOUND (also: a classic group)
  if (group.errorCode !== 0) throw protocolError(group.errorCode, group.errorMessage)
  return {
    groupId: group.groupId,
    state: group.groupState,
    type: 'consumer',
    protocolType: 'consumer',
    protocol: group.assignorName,
    members: group.members.map((m) => ({memberId: m.memberId, clientId: m.clientId, host: m.clientHost.replace(/^\//, ''), assignment: m.assignment})),
  }
}

/** A member's assignment, for the `consumer` protocol (other protocols carry their own format: none). */
export function decodeAssignment(protocolType: string, buffer: Buffer, decode: (b: Buffer) => {assignment: Record<string, number[]>} | null): TopicAssignment[] {
  // Only the `consumer` protocol's assignment format is known; connect workers etc. carry their own.
  if (protocolType !== 'consumer' || !buffer || buffer.length === 0) return []
  try {
    const decoded = decode(buffer)
    if (!decoded) return []
    return Object.entries(decoded.assignment)
      .map(([topic, partitions]) => ({topic, partitions: [...partitions].sort((a, b) => a - b)}))
      .sort((a, b) => a.topic.localeCompare(b.topic))
  } catch {
    return []
  }
}

/** One group, or exit 3 with the closest existing group name as a hint. */
export async function requireGroup(client: KafkaClient, groupId: string): Promise<GroupDescription> {
  const [group] = await describeGroups(client, [groupId])
  if (!group || group.state === 'Dead') throw await unknownGroup(client, groupId)
  return group
}

export async function unknownGroup(client: KafkaClient, groupId: string) {
  const existing = await listGroups(client).catch(() => [] as GroupListing[])
  const close = closest(
    groupId,
    existing.map((g) => g.groupId),
  )
  return notFoundError('GROUP_NOT_FOUND', `consumer group '${groupId}' does not exist`, close ? `did you mean '${close}'? (kafkit groups list)` : "list groups with 'kafkit groups list'")
}

/** The group's committed offsets (all topics, or the given ones); partitions without a commit are left out. */
export async function fetchCommittedOffsets(client: KafkaClient, groupId: string, topics?: string[]): Promise<PartitionOffset[]> {
  const admin = await sessionOf(client).admin()
  const result = await client.call(`reading the offsets of group '${groupId}'`, () => admin.fetchOffsets({groupId, topics}))
  const offsets: PartitionOffset[] = []
  for (const t of result) {
    for (const p of t.partitions) {
      const offset = Number(p.offset)
      if (offset >= 0) offsets.push({topic: t.topic, partition: p.partition, offset})
    }
  }
  return offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

type Cluster = {
  connect(): Promise<void>
  disconnect(): Promise<void>
  findGroupCoordinator(args: {groupId: string}): Promise<{
    offsetCommit(args: {groupId: string; groupGenerationId: number; memberId: string; topics: {topic: string; partitions: {partition: number; offset: string}[]}[]}): Promise<unknown>
  }>
}

/**
 * kafkajs' own admin.setOffsets joins the group with a throw-away consumer, once per topic: seconds per call.
 * The Java AdminClient (alterConsumerGroupOffsets) instead sends one OffsetCommit with generation -1 and no
 * member id, which the coordinator accepts for a group without active members. We do the same through the
 * cluster object kafkajs builds for its own clients (reached by its symbol; the admin API does not expose it).
 */
function createCluster(kafka: Kafka): Cluster | undefined {
  return privateCluster<Cluster>(kafka, {})
}

/** Commits offsets for groups without active members (see createCluster), on a connection opened up front. */
export interface OffsetCommitter {
  /** Commits the given offsets for a group that has no active members, in one request. */
  commit(groupId: string, offsets: PartitionOffset[]): Promise<void>
  /** The cluster id, from the Metadata response the connection read anyway (else asked separately). */
  clusterId(): Promise<string>
  close(): Promise<void>
}

/**
 * Opens the committer's connection now, so that it overlaps with the look-ups before a commit (the connection
 * costs a Metadata round trip of every topic). Close it when done.
 */
export function openOffsetCommitter(client: KafkaClient): OffsetCommitter {
  const cluster = createCluster(sessionOf(client).kafka)
  const connected = cluster ? client.call('connecting to Kafka', () => cluster.connect()) : undefined
  connected?.catch(() => undefined) // awaited (and reported) by commit()
  return {
    async commit(groupId, offsets) {
      if (offsets.length === 0) return
      const byTopic = new Map<string, {partition: number; offset: string}[]>()
      for (const o of offsets) {
        const list = byTopic.get(o.topic) ?? []
        list.push({partition: o.partition, offset: String(o.offset)})
        byTopic.set(o.topic, list)
      }
      const topics = [...byTopic].map(([topic, partitions]) => ({topic, partitions}))
      if (!cluster) {
        // Fallback for a kafkajs without that factory: the slow but public path.
        const admin = await sessionOf(client).admin()
        for (const t of topics) await client.call(`setting the offsets of group '${groupId}'`, () => admin.setOffsets({groupId, topic: t.topic, partitions: t.partitions}))
        return
      }
      await connected
      await client.call(`committing the offsets of group '${groupId}'`, async () => {
        const coordinator = await cluster.findGroupCoordinator({groupId})
        try {
          await coordinator.offsetCommit({groupId, groupGenerationId: -1, memberId: '', topics})
        } catch (error) {
          // The coordinator accepts a commit without a member id only while the group is empty: it gained members
          // since we looked, or it is a KIP-848 group whose members DescribeGroups cannot show.
          const type = (rootCause(error) as {type?: string}).type ?? ''
          if (['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'STALE_MEMBER_EPOCH', 'FENCED_MEMBER_EPOCH', 'REBALANCE_IN_PROGRESS'].includes(type)) {
            throw refusedError(
              `cannot commit offsets for group '${groupId}': it has active members (the coordinator refused the commit: ${type})`,
              'stop its consumers first, then run this again',
              'GROUP_ACTIVE',
            )
          }
          throw error
        }
      })
    },
    async clusterId() {
      await connected?.catch(() => undefined)
      return (cluster && clusterIdOf(cluster)) ?? clusterId(client)
    },
    async close() {
      await cluster?.disconnect().catch(() => undefined)
    },
  }
}

export interface GroupDeletion {
  groupId: string
  deleted: boolean
  error?: string
}

export async function deleteGroups(client: KafkaClient, groupIds: string[]): Promise<GroupDeletion[]> {
  const admin = await sessionOf(client).admin()
  return client.call('deleting consumer groups', async () => {
    try {
      await admin.deleteGroups(groupIds)
      return groupIds.map((groupId) => ({groupId, deleted: true}))
    } catch (error) {
      // KafkaJSDeleteGroupsError lists the groups that failed; the others were deleted.
      const failed = (error as {groups?: {groupId: string; error?: {type?: string; message?: string}}[]}).groups
      if (!failed || failed.length === 0) throw error
      return groupIds.map((groupId) => {
        const f = failed.find((x) => x.groupId === groupId)
        return f ? {groupId, deleted: false, error: f.error?.type ?? f.error?.message ?? 'failed'} : {groupId, deleted: true}
      })
    }
  })
}
