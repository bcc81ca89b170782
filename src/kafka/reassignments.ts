/**
 * Partition placement of the port: where replicas are (brokers with racks, every partition's replicas and
 * leader), reassignments in progress (ListPartitionReassignments, kafkajs' admin), starting and cancelling them
 * (AlterPartitionReassignments), leader elections (ElectLeaders), and replica sizes on disk (DescribeLogDirs) for
 * the progress of a reassignment. What they mean for a user (plans, progress) is topics/reassign*.ts.
 */
import type {KafkaClient} from './client.js'
import {fetchAllMetadataOnce} from './kafkajs/protocol/admin-requests.js'
import {alterPartitionReassignments, electLeaders as sendElectLeaders, type ElectionType, type PartitionOutcome} from './kafkajs/protocol/reassignments.js'
import {sessionOf} from './kafkajs/session.js'
import {describeAllLogDirs} from './log-dirs.js'

export type {ElectionType, PartitionOutcome}

export interface PlacementBroker {
  id: number
  host: string
  port: number
  rack: string | null
}

export interface PlacedPartition {
  partition: number
  /** -1: no leader. */
  leader: number
  replicas: number[]
  isr: number[]
  offlineReplicas: number[]
}

export interface PlacedTopic {
  topic: string
  internal: boolean
  partitions: PlacedPartition[]
}

export interface Placement {
  /** The brokers the cluster's metadata lists (the live ones), by id. */
  brokers: PlacementBroker[]
  topics: PlacedTopic[]
}

/** Every live broker with its rack, and every topic's partitions (one Metadata request). */
export async function readPlacement(client: KafkaClient): Promise<Placement> {
  const meta = await fetchAllMetadataOnce(sessionOf(client))
  // kafkajs decodes each broker's rack (Metadata v1+) but its type leaves it out.
  const brokers = (meta.brokers as {nodeId: number; host: string; port: number; rack?: string | null}[])
    .map((b) => ({id: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null}))
    .sort((a, b) => a.id - b.id)
  const topics = meta.topicMetadata
    .map((t) => ({
      topic: t.topic,
      internal: Boolean(t.isInternal) || t.topic.startsWith('__'),
      partitions: t.partitionMetadata
        .map((p) => ({partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas ?? []}))
        .sort((a, b) => a.partition - b.partition),
    }))
    .sort((a, b) => a.topic.localeCompare(b.topic))
  return {brokers, topics}
}

export interface OngoingReassignment {
  topic: string
  partition: number
  /** The whole replica set while it moves: the target replicas plus those being removed. */
  replicas: number[]
  adding: number[]
  removing: number[]
}

/** Reassignments in progress: of the named partitions, or of the whole cluster (`undefined`). */
export async function listReassignments(client: KafkaClient, partitions?: {topic: string; partition: number}[]): Promise<OngoingReassignment[]> {
  const admin = await sessionOf(client).admin()
  let topics: {topic: string; partitions: number[]}[] | undefined
  if (partitions) {
    if (partitions.length === 0) return []
    const byTopic = new Map<string, number[]>()
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
    topics = [...byTopic].map(([topic, list]) => ({topic, partitions: list}))
  }
  // kafkajs sends a null array (every reassignment of the cluster) when `topics` is left out.
  const response = await client.call('listing partition reassignments', () => admin.listPartitionReassignments({topics, timeout: client.options.timeoutMs}))
  const result: OngoingReassignment[] = []
  // kafkajs' types say `topic` and `partitionIndex`; its decoder returns `name` and `partition`.
  type Decoded = {name?: string; topic?: string; partitions?: {partition?: number; partitionIndex?: number; replicas?: number[]; addingReplicas?: number[]; removingReplicas?: number[]}[]}
  for (const t of (response.topics ?? []) as Decoded[]) {
    const topic = t.name ?? t.topic ?? ''
    for (const p of t.partitions ?? []) {
      const adding = p.addingReplicas ?? []
      const removing = p.removingReplicas ?? []
      // A partition that is not moving is listed with nothing adding and nothing removing.
      if (adding.length === 0 && removing.length === 0) continue
      result.push({topic, partition: p.partition ?? p.partitionIndex ?? -1, replicas: p.replicas ?? [], adding, removing})
    }
  }
  return result.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

/** Starts reassignments (a replica list per partition) or cancels them (null); one outcome per partition. */
export async function alterReassignments(client: KafkaClient, assignments: {topic: string; partition: number; replicas: number[] | null}[]): Promise<PartitionOutcome[]> {
  return alterPartitionReassignments(sessionOf(client), assignments, client.options.timeoutMs)
}

/** Preferred or unclean leader elections (`null`: every partition of the cluster); one outcome per partition. */
export async function electLeaders(client: KafkaClient, type: ElectionType, partitions: {topic: string; partition: number}[] | null): Promise<PartitionOutcome[]> {
  return sendElectLeaders(sessionOf(client), type, partitions, client.options.timeoutMs)
}

/**
 * The size on disk of every replica on each of the brokers (DescribeLogDirs), keyed `topic\0partition`; a broker
 * that did not answer maps to an Error. A replica being moved between a broker's disks counts once (the current one).
 */
export async function replicaSizes(client: KafkaClient, brokerIds: number[]): Promise<Map<number, Map<string, number> | Error>> {
  const dirs = await describeAllLogDirs(client, brokerIds)
  const result = new Map<number, Map<string, number> | Error>()
  for (const [id, list] of dirs) {
    if (list instanceof Error) {
      result.set(id, list)
      continue
    }
    const sizes = new Map<string, number>()
    for (const dir of list) for (const r of dir.replicas) if (!r.isFuture) sizes.set(`${r.topic}\u0000${r.partition}`, (sizes.get(`${r.topic}\u0000${r.partition}`) ?? 0) + r.size)
    result.set(id, sizes)
  }
  return result
}
