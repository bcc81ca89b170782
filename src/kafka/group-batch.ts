/**
 * Many consumer groups in one round of requests, for `groups list` and `groups describe --all`: the way Kafka's
 * ConsumerGroupCommand --describe --all-groups does it, not one round trip per group.
 *
 * - FindCoordinator v4 (KIP-699): every group's coordinator in one request (else one per group, in parallel);
 * - DescribeGroups: one request per coordinator, for all of its groups;
 * - OffsetFetch v8 (KIP-709): one request per coordinator for all of its groups (else one per group);
 * - ListOffsets: one request per partition leader (kafkajs groups them by leader);
 * - Fetch: for the time lag, one request per leader, asking each lagging partition for the record at the
 *   group's committed offset (its timestamp is how long the oldest unconsumed record has waited).
 *
 * kafkajs 2.2.4 speaks neither FindCoordinator v4 nor OffsetFetch v8 ("flexible" versions, KIP-482), so both are
 * encoded in kafkajs/protocol/group-batch-requests.ts, as kafkajs/protocol/admin-requests.ts does for its requests,
 * and sent over kafkajs' broker connections (same TLS, SASL, timeouts).
 */
import type {KafkaClient} from './client.js'
import {describeConsumerProtocolGroups, membersOf, type GroupDescription, type GroupListing, listGroups, type PartitionOffset} from './groups.js'
import {createInternalCluster, fetchFromBroker, type InternalCluster, listOffsetsOfTopics, READ_COMMITTED, seedBrokerOf, sendOn} from './kafkajs/internals.js'
import {FIND_COORDINATOR, findCoordinatorV4, OFFSET_FETCH, offsetFetchV8, protocolError} from './kafkajs/protocol/group-batch-requests.js'
import {sessionOf} from './kafkajs/session.js'

/** Retriable coordinator errors: COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR. */
const COORDINATOR_RETRIABLE = new Set([14, 15, 16])

/** A kafkajs Broker, the parts used here. */
interface Broker {
  nodeId?: number
  versions: Record<number, {minVersion: number; maxVersion: number}>
  describeGroups(args: {groupIds: string[]}): Promise<{
    groups: {errorCode: number; groupId: string; state: string; protocolType: string; protocol: string; members: {memberId: string; clientId: string; clientHost: string; memberAssignment: Buffer}[]}[]
  }>
}

type Cluster = InternalCluster & {
  findGroupCoordinatorMetadata(args: {groupId: string}): Promise<{coordinator: {nodeId: number}}>
}

/** What one round of requests found out about the selected groups. */
export interface GroupBatch {
  groups: GroupDescription[]
  /** Committed offsets by group id (partitions without a commit left out). */
  committed: Map<string, PartitionOffset[]>
  /** Log end (next offset) by `topic\0partition`. */
  logEnd: Map<string, number>
  /** Log start by `topic\0partition` (only with `logStart: true`). */
  logStart: Map<string, number>
  /** Timestamp (ms) of the first record at or after each group's committed offset, by `group\0topic\0partition`. */
  timestamps: Map<string, number>
}

export interface GroupBatchOptions {
  /** These groups; unknown ones come back with state Dead. */
  groupIds?: string[]
  /** Else every group whose id this matches (every group without it). */
  filter?: RegExp
  /** Read log start offsets too. */
  logStart?: boolean
  /** Read the timestamp of the record at each lagging partition's committed offset (the time lag). */
  timestamps?: boolean
  /** At most this many partitions are asked for a timestamp (the rest have no time lag). */
  maxTimestampPartitions?: number
}

export const offsetKey = (topic: string, partition: number) => `${topic}\u0000${partition}`

/** Describes groups, their committed offsets and the log ends of their partitions in one round of requests. */
export async function describeGroupBatch(client: KafkaClient, options: GroupBatchOptions): Promise<GroupBatch> {
  let ids = options.groupIds
  let listing: Map<string, GroupListing> | undefined
  if (!ids) {
    const all = await listGroups(client)
    listing = new Map(all.map((g) => [g.groupId, g]))
    ids = all.map((g) => g.groupId).filter((id) => !options.filter || options.filter.test(id))
  }
  const result: GroupBatch = {groups: [], committed: new Map(), logEnd: new Map(), logStart: new Map(), timestamps: new Map()}
  if (ids.length === 0) return result

  const cluster = createInternalCluster(sessionOf(client).kafka, {isolationLevel: READ_COMMITTED}) as Cluster
  try {
    // Connect and read the brokers (coordinators are found among them).
    await client.call('connecting to Kafka', async () => {
      await cluster.connect()
      await cluster.refreshMetadata()
    })
    const coordinators = await client.call('finding the group coordinators', () => findCoordinators(cluster, ids))
    const byCoordinator = new Map<number, string[]>()
    for (const id of ids) {
      const node = coordinators.get(id)!
      byCoordinator.set(node, [...(byCoordinator.get(node) ?? []), id])
    }
    const {AssignerProtocol} = sessionOf(client).kafkajs
    await client.call('describing consumer groups', () =>
      Promise.all(
        [...byCoordinator].map(async ([node, groupIds]) => {
          const broker = (await cluster.findBroker({nodeId: String(node)})) as unknown as Broker
          const [described, offsets] = await Promise.all([broker.describeGroups({groupIds}), fetchOffsetsOf(client, broker, groupIds)])
          for (const g of described.groups) {
            result.groups.push({
              groupId: g.groupId,
              state: g.state,
              protocolType: g.protocolType,
              protocol: g.protocol,
              members: membersOf(g, AssignerProtocol.MemberAssignment.decode),
            })
          }
          for (const [group, list] of offsets) result.committed.set(group, list)
        }),
      ),
    )
    // Groups of the new consumer protocol (KIP-848) are invisible to DescribeGroups (Dead, though listed):
    // ConsumerGroupDescribe reads them; a group listed but described by neither shows as Unknown.
    const types = (listing ??= new Map((await listGroups(client)).map((g) => [g.groupId, g])))
    const newProtocol = result.groups.filter((g) => g.state === 'Dead' && types.has(g.groupId) && types.get(g.groupId)?.type !== 'classic').map((g) => g.groupId)
    const v2 = await describeConsumerProtocolGroups(client, newProtocol)
    result.groups = result.groups.map((g) => {
      const described = v2.get(g.groupId)
      if (described) return described
      const type = types.get(g.groupId)?.type
      return {...g, ...(g.state === 'Dead' && types.has(g.groupId) ? {state: 'Unknown'} : {}), ...(type ? {type} : {})}
    })
    result.groups.sort((a, b) => a.groupId.localeCompare(b.groupId))

    // Every partition any group committed to or has assigned.
    const partitions = new Map<string, Set<number>>()
    const add = (topic: string, partition: number) => partitions.set(topic, (partitions.get(topic) ?? new Set()).add(partition))
    for (const list of result.committed.values()) for (const o of list) add(o.topic, o.partition)
    for (const g of result.groups) for (const m of g.members) for (const a of m.assignment) for (const p of a.partitions) add(a.topic, p)
    if (partitions.size === 0) return result

    // A topic deleted since a group committed to it has no log end: it is left out of ListOffsets.
    const existing = await client.call('reading topic metadata', async () => {
      const {topicMetadata} = await cluster.metadata({topics: []})
      return new Map(topicMetadata.map((t) => [t.topic, new Set(t.partitionMetadata.map((p) => p.partitionId))]))
    })
    const request = [...partitions]
      .filter(([topic]) => existing.has(topic))
      .map(([topic, set]) => ({topic, partitions: [...set].filter((p) => existing.get(topic)!.has(p)).map((partition) => ({partition}))}))
    await client.call('reading log end offsets', async () => {
      await cluster.addMultipleTargetTopics(request.map((r) => r.topic))
      // One ListOffsets per leader (kafkajs' fetchTopicsOffset merges its answers in quadratic time).
      const targets = request.map((r) => ({topic: r.topic, partitions: r.partitions.map((p) => p.partition)}))
      const [ends, starts] = await Promise.all([
        listOffsetsOfTopics(cluster, targets, 'latest'),
        options.logStart || options.timestamps ? listOffsetsOfTopics(cluster, targets, 'earliest') : undefined,
      ])
      for (const [topic, offsets] of ends) for (const [p, o] of offsets) result.logEnd.set(offsetKey(topic, p), o)
      for (const [topic, offsets] of starts ?? []) for (const [p, o] of offsets) result.logStart.set(offsetKey(topic, p), o)
    })

    if (options.timestamps) await readTimestamps(client, cluster, result, options.maxTimestampPartitions ?? 2000)
    return result
  } finally {
    await cluster.disconnect().catch(() => undefined)
  }
}

/** Each group's coordinator node: one FindCoordinator v4 for all, else one v0-v3 request per group. */
async function findCoordinators(cluster: Cluster, groupIds: string[]): Promise<Map<string, number>> {
  const broker = seedBrokerOf<Broker>(cluster)
  const range = broker.versions[FIND_COORDINATOR]
  const found = new Map<string, number>()
  if (!range || range.maxVersion < 4) {
    await Promise.all(groupIds.map(async (groupId) => found.set(groupId, (await cluster.findGroupCoordinatorMetadata({groupId})).coordinator.nodeId)))
    return found
  }
  let pending = [...new Set(groupIds)]
  for (let attempt = 0; pending.length > 0; attempt++) {
    const answer = await sendOn(broker, findCoordinatorV4(pending))
    const retry: string[] = []
    for (const c of answer) {
      if (c.errorCode === 0) found.set(c.key, c.nodeId)
      else if (COORDINATOR_RETRIABLE.has(c.errorCode) && attempt < 20) retry.push(c.key)
      else throw protocolError(c.errorCode, c.errorMessage)
    }
    pending = retry
    if (retry.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 1000)))
  }
  return found
}

/** The committed offsets of groups on one coordinator: one OffsetFetch v8 for all, else one request per group. */
async function fetchOffsetsOf(client: KafkaClient, broker: Broker, groupIds: string[]): Promise<Map<string, PartitionOffset[]>> {
  const range = broker.versions[OFFSET_FETCH]
  const result = new Map<string, PartitionOffset[]>()
  if (!range || range.maxVersion < 8) {
    const {fetchCommittedOffsets} = await import('./groups.js')
    for (const id of groupIds) result.set(id, await fetchCommittedOffsets(client, id))
    return result
  }
  let pending = groupIds
  for (let attempt = 0; pending.length > 0; attempt++) {
    const answer = await sendOn(broker, offsetFetchV8(pending))
    const retry: string[] = []
    for (const g of answer) {
      if (g.errorCode !== 0) {
        if (COORDINATOR_RETRIABLE.has(g.errorCode) && attempt < 20) retry.push(g.groupId)
        else throw protocolError(g.errorCode)
        continue
      }
      const offsets: PartitionOffset[] = []
      for (const t of g.topics) for (const p of t.partitions) if (p.errorCode === 0 && p.offset >= 0) offsets.push({topic: t.name, partition: p.partition, offset: p.offset})
      result.set(
        g.groupId,
        offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      )
    }
    pending = retry
    if (retry.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 1000)))
  }
  return result
}

/**
 * The timestamp of the first record at each lagging partition's committed offset: one Fetch per leader with all
 * its lagging partitions (64 KiB each: a batch holding the record usually fits), then the partitions whose
 * batch did not fit, one by one (a fetch always returns the first partition's whole first batch), up to 20.
 */
async function readTimestamps(client: KafkaClient, cluster: Cluster, batch: GroupBatch, max: number): Promise<void> {
  // One read per distinct (topic, partition, offset): groups at the same offset share it.
  const wanted = new Map<string, {topic: string; partition: number; offset: number; keys: string[]}>()
  for (const [group, offsets] of batch.committed) {
    for (const o of offsets) {
      const end = batch.logEnd.get(offsetKey(o.topic, o.partition))
      if (end === undefined || o.offset >= end) continue
      const offset = Math.max(o.offset, batch.logStart.get(offsetKey(o.topic, o.partition)) ?? 0)
      const id = `${o.topic}\u0000${o.partition}\u0000${offset}`
      const entry = wanted.get(id) ?? {topic: o.topic, partition: o.partition, offset, keys: []}
      entry.keys.push(`${group}\u0000${o.topic}\u0000${o.partition}`)
      wanted.set(id, entry)
    }
  }
  const reads = [...wanted.values()].slice(0, max)
  if (reads.length === 0) return
  const found = new Map<string, number>()
  const readKey = (r: {topic: string; partition: number; offset: number}) => `${r.topic}\u0000${r.partition}\u0000${r.offset}`
  const fetchGroup = async (group: typeof reads, partitionBytes: number) => {
    // Partitions per leader (several reads of one partition at different offsets go in separate requests).
    const rounds: (typeof reads)[] = []
    for (const r of group) {
      const round = rounds.find((x) => !x.some((y) => y.topic === r.topic && y.partition === r.partition)) ?? (rounds.push([]), rounds.at(-1)!)
      round.push(r)
    }
    for (const round of rounds) {
      await cluster.addMultipleTargetTopics([...new Set(round.map((r) => r.topic))])
      const byLeader = new Map<string, typeof reads>()
      for (const r of round) {
        const leader = Object.entries(cluster.findLeaderForPartitions(r.topic, [r.partition])).find(([, ps]) => ps.includes(r.partition))?.[0]
        if (leader !== undefined) byLeader.set(leader, [...(byLeader.get(leader) ?? []), r])
      }
      await Promise.all(
        [...byLeader].map(async ([leader, list]) => {
          const fetched = await fetchFromBroker(
            cluster,
            leader,
            list.map((r) => ({topic: r.topic, partition: r.partition, fetchOffset: r.offset, maxBytes: partitionBytes})),
            {maxWaitTime: 0, maxBytes: Math.max(partitionBytes, 16 * 1024 * 1024)},
          ).catch(() => [])
          for (const f of fetched) {
            const r = list.find((x) => x.topic === f.topic && x.partition === f.partition)
            const first = r && f.records.find((rec) => (rec.offset ?? -1) >= r.offset)
            if (r && first?.timestamp !== undefined) found.set(readKey(r), first.timestamp)
          }
        }),
      )
    }
  }
  await client.call('reading the oldest unconsumed records', async () => {
    await fetchGroup(reads, 64 * 1024)
    const missing = reads.filter((r) => !found.has(readKey(r))).slice(0, 20)
    for (const r of missing) await fetchGroup([r], 8 * 1024 * 1024)
  })
  for (const r of reads) {
    const ts = found.get(readKey(r))
    if (ts !== undefined) for (const key of r.keys) batch.timestamps.set(key, ts)
  }
}
