/**
 * `topics reassign`: replication throttles (which replicas, which brokers) and the progress of a reassignment
 * (bytes and partitions left, rate, ETA). Pure.
 */
import type {PartitionChange} from './reassign.js'

export const LEADER_THROTTLED_REPLICAS = 'leader.replication.throttled.replicas'
export const FOLLOWER_THROTTLED_REPLICAS = 'follower.replication.throttled.replicas'
export const LEADER_THROTTLED_RATE = 'leader.replication.throttled.rate'
export const FOLLOWER_THROTTLED_RATE = 'follower.replication.throttled.rate'

export interface TopicThrottle {
  topic: string
  /** `partition:broker` entries: the replicas that may send (every current replica of a moving partition). */
  leader: string[]
  /** `partition:broker` entries: the replicas being added (they fetch). */
  follower: string[]
}

export interface ThrottleSetup {
  /** Bytes per second, for leaders and followers, on every broker of a moving partition (old and new replicas). */
  rate: number
  brokers: number[]
  topics: TopicThrottle[]
}

/**
 * The throttle of a reassignment, as kafka-reassign-partitions.sh sets it: only partitions that copy data are
 * throttled; a leader throttle on each current replica (any may lead while it moves), a follower throttle on
 * each new one, and the rate on every broker involved.
 */
export function throttleSetup(changes: PartitionChange[], rate: number): ThrottleSetup {
  const brokers = new Set<number>()
  const topics = new Map<string, TopicThrottle>()
  for (const c of changes) {
    if (c.adding.length === 0) continue
    let t = topics.get(c.topic)
    if (!t) topics.set(c.topic, (t = {topic: c.topic, leader: [], follower: []}))
    for (const b of c.current) t.leader.push(`${c.partition}:${b}`)
    for (const b of c.adding) t.follower.push(`${c.partition}:${b}`)
    for (const b of [...c.current, ...c.target]) brokers.add(b)
  }
  return {rate, brokers: [...brokers].sort((a, b) => a - b), topics: [...topics.values()].sort((a, b) => a.topic.localeCompare(b.topic))}
}

/** A throttled-replicas value (`0:1,0:2`, `*`, '') as its entries. */
export function parseThrottledReplicas(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** The value to set: what is there plus what is needed (a `*`, every replica, stays as it is). */
export function mergeThrottledReplicas(current: string | null | undefined, needed: string[]): string {
  const entries = parseThrottledReplicas(current)
  if (entries.includes('*')) return '*'
  return [...new Set([...entries, ...needed])].join(',')
}

/**
 * What stays of a throttled-replicas value once the named partitions are done: their entries go. `null` when
 * nothing stays (the key is then deleted); `*` stays.
 */
export function remainingThrottledReplicas(current: string | null | undefined, stillMoving: Set<number>): string | null {
  const entries = parseThrottledReplicas(current)
  if (entries.includes('*')) return '*'
  const left = entries.filter((e) => stillMoving.has(Number(e.split(':')[0])))
  return left.length > 0 ? left.join(',') : null
}

export interface MovingPartition {
  topic: string
  partition: number
  /** The replica set it moves to (the replicas listed minus those being removed). */
  target: number[]
  adding: number[]
  removing: number[]
  leader: number
  /** The leader's size of the partition on disk; null when unknown. */
  leaderBytes: number | null
  /** Bytes the new replicas still lack (sum over them of leader size - their size); null when unknown. */
  bytesLeft: number | null
}

export interface ReassignProgress {
  partitions: MovingPartition[]
  partitionsLeft: number
  /** Sum of the known bytesLeft. */
  bytesLeft: number
  /** Some sizes could not be read (a broker did not answer DescribeLogDirs). */
  sizesUnknown: boolean
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`

/** Progress from the reassignments in progress, each partition's leader and the replica sizes per broker. */
export function progressOf(
  ongoing: {topic: string; partition: number; replicas: number[]; adding: number[]; removing: number[]}[],
  leaders: Map<string, number>,
  sizes: Map<number, Map<string, number> | Error>,
): ReassignProgress {
  let sizesUnknown = false
  const sizeOn = (broker: number, k: string): number | null => {
    const map = sizes.get(broker)
    if (!map || map instanceof Error) return null
    return map.get(k) ?? 0
  }
  const partitions = ongoing.map((o): MovingPartition => {
    const k = key(o.topic, o.partition)
    const leader = leaders.get(k) ?? -1
    const leaderBytes = leader >= 0 ? sizeOn(leader, k) : null
    let bytesLeft: number | null = leaderBytes === null ? null : 0
    for (const b of o.adding) {
      const have = sizeOn(b, k)
      if (have === null || leaderBytes === null) bytesLeft = null
      else if (bytesLeft !== null) bytesLeft += Math.max(0, leaderBytes - have)
    }
    if (bytesLeft === null) sizesUnknown = true
    return {topic: o.topic, partition: o.partition, target: o.replicas.filter((b) => !o.removing.includes(b)), adding: o.adding, removing: o.removing, leader, leaderBytes, bytesLeft}
  })
  return {partitions, partitionsLeft: partitions.length, bytesLeft: partitions.reduce((n, p) => n + (p.bytesLeft ?? 0), 0), sizesUnknown}
}

/** Copy rate (bytes/s) over the last `windowMs`, and the time left at that rate. */
export class RateEstimator {
  private readonly samples: {at: number; left: number}[] = []

  constructor(private readonly windowMs = 15_000) {}

  add(at: number, bytesLeft: number): void {
    this.samples.push({at, left: bytesLeft})
    while (this.samples.length > 2 && at - this.samples[0].at > this.windowMs) this.samples.shift()
  }

  /** Bytes per second copied; undefined until two samples apart in time show progress. */
  rate(): number | undefined {
    if (this.samples.length < 2) return undefined
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    const dt = (last.at - first.at) / 1000
    const done = first.left - last.left
    return dt > 0 && done > 0 ? done / dt : undefined
  }

  /** Milliseconds left at the current rate. */
  etaMs(): number | undefined {
    const rate = this.rate()
    const last = this.samples[this.samples.length - 1]
    return rate && last ? (last.left / rate) * 1000 : undefined
  }
}
