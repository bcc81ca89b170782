/**
 * A group's lag: per partition committed offset, log end and the difference, with the member that owns it.
 * Pure: the cluster look-ups are in src/kafka/groups.ts and src/kafka/offsets.ts.
 */
import type {GroupDescription, PartitionOffset} from '../kafka/groups.js'
import type {Watermark} from '../kafka/offsets.js'

export interface PartitionLag {
  topic: string
  partition: number
  /** null: the group has committed nothing for this partition. */
  committed: number | null
  logStart: number
  logEnd: number
  /** logEnd - committed; null without a committed offset. */
  lag: number | null
  memberId: string | null
  clientId: string | null
  host: string | null
  /**
   * Time lag: how long the oldest unconsumed record (the one at the committed offset) has waited, in ms. 0 when
   * caught up; null without a commit or when its timestamp could not be read.
   */
  timeLagMs?: number | null
}

export interface GroupLag {
  group: string
  state: string
  protocol: string
  /** classic, or consumer (the new consumer protocol, KIP-848). */
  type?: string
  members: {memberId: string; clientId: string; host: string; assignment: {topic: string; partitions: number[]}[]}[]
  topics: string[]
  partitions: PartitionLag[]
  totalLag: number
  /** The largest time lag of any partition (null when none is known). */
  maxTimeLagMs?: number | null
}

export const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`

/**
 * Rows for every partition the group has committed or has assigned to a member (what kafka-consumer-groups
 * --describe shows). `watermarks` holds every topic involved.
 */
export function computeLag(group: GroupDescription, committed: PartitionOffset[], watermarks: Map<string, Watermark[]>): GroupLag {
  const owner = new Map<string, GroupDescription['members'][number]>()
  for (const m of group.members) for (const a of m.assignment) for (const p of a.partitions) owner.set(partitionKey(a.topic, p), m)
  const committedBy = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]))
  const keys = new Map<string, {topic: string; partition: number}>()
  for (const c of committed) keys.set(partitionKey(c.topic, c.partition), c)
  for (const m of group.members) for (const a of m.assignment) for (const p of a.partitions) keys.set(partitionKey(a.topic, p), {topic: a.topic, partition: p})

  const partitions: PartitionLag[] = []
  for (const [key, {topic, partition}] of keys) {
    const w = watermarks.get(topic)?.find((x) => x.partition === partition)
    const c = committedBy.get(key)
    const member = owner.get(key)
    const logEnd = w?.high ?? 0
    partitions.push({
      topic,
      partition,
      committed: c ?? null,
      logStart: w?.low ?? 0,
      logEnd,
      lag: c === undefined ? null : Math.max(0, logEnd - c),
      memberId: member?.memberId ?? null,
      clientId: member?.clientId ?? null,
      host: member?.host ?? null,
    })
  }
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  return {
    group: group.groupId,
    state: group.state,
    protocol: group.protocol,
    ...(group.type ? {type: group.type} : {}),
    members: group.members.map((m) => ({memberId: m.memberId, clientId: m.clientId, host: m.host, assignment: m.assignment})),
    topics: [...new Set(partitions.map((p) => p.topic))],
    partitions,
    totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
  }
}

/**
 * Adds the time lag to computed lag rows: `timestamps` holds, by partitionKey, the timestamp of the first record at
 * or after the committed offset of each lagging partition.
 */
export function withTimeLag(lag: GroupLag, timestamps: Map<string, number>, now: number): GroupLag {
  let max: number | null = null
  const partitions = lag.partitions.map((p) => {
    let timeLagMs: number | null = null
    if (p.lag === 0) timeLagMs = 0
    else if (p.lag !== null) {
      const ts = timestamps.get(partitionKey(p.topic, p.partition))
      if (ts !== undefined) timeLagMs = Math.max(0, now - ts)
    }
    if (timeLagMs !== null) max = Math.max(max ?? 0, timeLagMs)
    return {...p, timeLagMs}
  })
  return {...lag, partitions, maxTimeLagMs: max}
}

/** `850ms`, `42s`, `3m 10s`, `2h 05m`, `1d 03h`; `-` when unknown. */
export function formatTimeLag(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-'
  if (ms < 1000) return ms === 0 ? '0s' : `${Math.round(ms)}ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(s / 86_400)}d ${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`
}
