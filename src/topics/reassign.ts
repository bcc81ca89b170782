/**
 * `topics reassign`: where each partition's replicas go, and which replica leads. Pure.
 *
 * The plan, per topic (topics in name order, partitions in number order; ties broken by what the topics planned
 * before it hold, then by broker id, so the same input always gives the same plan):
 *
 * 1. Replica sets (skipped with `leadersOnly`, where every set stays as it is):
 *    - keep every current replica on an allowed broker (fewest moves), then drop replicas where the set is too
 *      large (a lower replication factor) or does not spread over the racks (rack awareness: at most
 *      ceil(RF / racks) replicas per rack, and as many racks as RF and the racks allow);
 *    - balance: each rack gets its share of the topic's replicas (near its size's share, within what the spread
 *      of each partition allows), each of its brokers floor or ceil of that, the extra ones going to the brokers
 *      that hold the fewest of the topics planned before and then the most of this one (fewest moves); a broker
 *      over its share gives up replicas, where one under its share can take the place and not its partitions'
 *      preferred leaders while it can give up others;
 *    - fill the sets: the rack with the fewest replicas of the partition first, then the broker furthest under
 *      its share; then newly placed replicas move from brokers over their share to brokers under it (directly,
 *      or through a third broker of another partition), and any two brokers two replicas apart are evened out.
 * 2. Preferred leaders (the first replica of each set): each eligible broker leads floor or ceil(partitions /
 *    brokers) of the topic's partitions; a partition keeps its preferred leader while that broker is under its
 *    share, and a last pass moves leadership from a broker that leads two more than another to that one, along
 *    the shortest chain of partitions where needed.
 *    Excluded brokers never lead (with `leadersOnly` they keep their replicas, last in the set).
 */
import {usageError} from '../errors.js'

export interface PlanBroker {
  id: number
  rack: string | null
}

export interface PlanPartition {
  partition: number
  replicas: number[]
  /** The current leader, -1 when none. */
  leader: number
}

export interface PlanTopic {
  topic: string
  partitions: PlanPartition[]
}

export interface ReassignRequest {
  /** The brokers replicas (and leaders) may be on; default: every broker of the cluster. */
  brokerIds?: number[]
  /** Brokers that get no replica, or with leadersOnly no leader. */
  exclude?: number[]
  /** The new replication factor of every partition; default: each partition's current one. */
  replicationFactor?: number
  /** Keep every replica set: change only the order, and so the preferred leaders. Nothing is copied. */
  leadersOnly?: boolean
}

export interface PartitionChange {
  topic: string
  partition: number
  current: number[]
  target: number[]
  /** Replicas to copy (new brokers of the set), and replicas to delete. */
  adding: number[]
  removing: number[]
  /** The leader now (-1: none), and the preferred leader (first replica) before and after. */
  leader: number
  preferredBefore: number
  preferredAfter: number
}

export interface BrokerLoad {
  broker: number
  rack: string | null
  /** False for a broker that holds replicas but is not in the cluster's metadata (down, or gone). */
  live: boolean
  replicasBefore: number
  replicasAfter: number
  /** Partitions it leads now, and partitions it is the preferred leader of after the plan. */
  leadersBefore: number
  leadersAfter: number
}

export interface ReassignPlan {
  topics: string[]
  /** The brokers replicas may be on (sorted). */
  brokers: number[]
  excluded: number[]
  leadersOnly: boolean
  rackAware: boolean
  /** Every partition considered. */
  partitions: number
  /** The partitions whose replica list changes (set or order). */
  changes: PartitionChange[]
  /** Replicas copied to a new broker, and deleted from one. */
  replicasAdded: number
  replicasRemoved: number
  /** Partitions whose preferred leader changes. */
  leaderChanges: number
  load: BrokerLoad[]
  warnings: string[]
}

/** `--broker-ids 1,2,3` / `--exclude-broker 2,3`. */
export function parseBrokerIds(text: string, flag: string): number[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p)))
    throw usageError(`${flag}: '${text}' is not a list of broker ids`, `e.g. ${flag} 1,2,3 (ids as in 'kafkit brokers list')`, 'BAD_BROKER')
  return [...new Set(parts.map(Number))].sort((a, b) => a - b)
}

const NO_RACK = '\u0000none'

export function planReassignment(topics: PlanTopic[], brokers: PlanBroker[], request: ReassignRequest = {}): ReassignPlan {
  const live = new Set(brokers.map((b) => b.id))
  const known = [...live].sort((a, b) => a - b)
  const unknown = (ids: number[]) => ids.filter((id) => !live.has(id))
  const badIds = unknown(request.brokerIds ?? [])
  if (badIds.length > 0) throw usageError(`--broker-ids: no broker ${badIds.join(', ')} in the cluster`, `its brokers are ${known.join(', ')} ('kafkit brokers list')`, 'BAD_BROKER')
  const badExcluded = unknown(request.exclude ?? [])
  if (badExcluded.length > 0) throw usageError(`--exclude-broker: no broker ${badExcluded.join(', ')} in the cluster`, `its brokers are ${known.join(', ')} ('kafkit brokers list')`, 'BAD_BROKER')
  if (request.leadersOnly && request.replicationFactor !== undefined)
    throw usageError('--leaders-only keeps every replica set: it cannot change the replication factor', 'drop --leaders-only to change the replication factor')
  const excluded = new Set(request.exclude ?? [])
  const allowed = (request.brokerIds ?? known).filter((id) => !excluded.has(id)).sort((a, b) => a - b)
  if (allowed.length === 0) throw usageError('no broker is left to place replicas on', `the cluster's brokers are ${known.join(', ')}; exclude fewer`, 'BAD_BROKER')

  const rackOf = new Map(brokers.map((b) => [b.id, b.rack ?? NO_RACK]))
  const rackNames = new Set(allowed.map((b) => rackOf.get(b)!))
  const rackAware = allowed.some((b) => rackOf.get(b) !== NO_RACK)
  const warnings: string[] = []
  if (rackAware && rackNames.has(NO_RACK)) {
    warnings.push(`broker(s) ${allowed.filter((b) => rackOf.get(b) === NO_RACK).join(', ')} have no rack (broker.rack): placed as if they shared one rack of their own`)
  }
  const rf = request.replicationFactor
  if (!request.leadersOnly && rf !== undefined && rf > allowed.length)
    throw usageError(
      `replication factor ${rf} needs ${rf} brokers; only ${allowed.length} (${allowed.join(', ')}) may hold replicas`,
      'lower --replication-factor, or allow more brokers',
      'BAD_REPLICATION_FACTOR',
    )

  const down = new Set<number>()
  for (const t of topics) for (const p of t.partitions) for (const r of p.replicas) if (!live.has(r)) down.add(r)
  if (down.size > 0 && !request.leadersOnly) {
    warnings.push(`broker(s) ${[...down].sort((a, b) => a - b).join(', ')} hold replicas but are not in the cluster's metadata (down?): the plan moves those replicas to live brokers`)
  }

  // What the topics planned so far hold: ties between brokers go to the one holding (leading) fewer.
  const globalReplicas = new Map<number, number>()
  const globalLeaders = new Map<number, number>()
  const add = (map: Map<number, number>, b: number, n = 1) => map.set(b, (map.get(b) ?? 0) + n)

  const changes: PartitionChange[] = []
  const sortedTopics = [...topics].sort((a, b) => a.topic.localeCompare(b.topic))
  let partitionCount = 0
  const targets = new Map<string, number[]>()
  for (const topic of sortedTopics) {
    const partitions = [...topic.partitions].sort((a, b) => a.partition - b.partition)
    partitionCount += partitions.length
    const sets = request.leadersOnly ? new Map(partitions.map((p) => [p.partition, dedupe(p.replicas)])) : placeReplicas(topic.topic, partitions, allowed, rackOf, rackAware, rf, globalReplicas)
    const ordered = orderLeaders(topic.topic, partitions, sets, allowed, excluded, globalLeaders, warnings, Boolean(request.leadersOnly))
    for (const p of partitions) {
      const target = ordered.get(p.partition)!
      targets.set(`${topic.topic}\u0000${p.partition}`, target)
      for (const b of target) add(globalReplicas, b)
      if (target.length > 0) add(globalLeaders, target[0])
      if (sameList(target, p.replicas)) continue
      changes.push({
        topic: topic.topic,
        partition: p.partition,
        current: p.replicas,
        target,
        adding: target.filter((b) => !p.replicas.includes(b)),
        removing: p.replicas.filter((b) => !target.includes(b)),
        leader: p.leader,
        preferredBefore: p.replicas[0] ?? -1,
        preferredAfter: target[0] ?? -1,
      })
    }
  }

  // Before and after, per broker (every live broker, and any other broker that holds a replica now).
  const loadOf = new Map<number, BrokerLoad>()
  const row = (b: number) => {
    let r = loadOf.get(b)
    if (!r) loadOf.set(b, (r = {broker: b, rack: brokers.find((x) => x.id === b)?.rack ?? null, live: live.has(b), replicasBefore: 0, replicasAfter: 0, leadersBefore: 0, leadersAfter: 0}))
    return r
  }
  for (const b of known) row(b)
  for (const topic of sortedTopics) {
    for (const p of topic.partitions) {
      for (const b of p.replicas) row(b).replicasBefore++
      if (p.leader >= 0) row(p.leader).leadersBefore++
      const target = targets.get(`${topic.topic}\u0000${p.partition}`)!
      for (const b of target) row(b).replicasAfter++
      if (target.length > 0) row(target[0]).leadersAfter++
    }
  }

  return {
    topics: sortedTopics.map((t) => t.topic),
    brokers: allowed,
    excluded: [...excluded].sort((a, b) => a - b),
    leadersOnly: Boolean(request.leadersOnly),
    rackAware,
    partitions: partitionCount,
    changes,
    replicasAdded: changes.reduce((n, c) => n + c.adding.length, 0),
    replicasRemoved: changes.reduce((n, c) => n + c.removing.length, 0),
    leaderChanges: changes.filter((c) => c.preferredBefore !== c.preferredAfter).length,
    load: [...loadOf.values()].sort((a, b) => a.broker - b.broker),
    warnings,
  }
}

function dedupe(list: number[]): number[] {
  return [...new Set(list)]
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** Compares keys element by element (numbers, smaller first). */
function byKey<T>(items: T[], key: (item: T) => number[]): T[] {
  const keyed = items.map((item) => ({item, k: key(item)}))
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i] - b.k[i]
    return 0
  })
  return keyed.map((x) => x.item)
}

/** Step 1: the replica set of every partition of one topic (unordered beyond keeping current replicas first). */
function placeReplicas(
  topic: string,
  partitions: PlanPartition[],
  allowed: number[],
  rackOf: Map<number, string>,
  rackAware: boolean,
  replicationFactor: number | undefined,
  globalReplicas: Map<number, number>,
): Map<number, number[]> {
  const allowedSet = new Set(allowed)
  const racks = new Set(allowed.map((b) => rackOf.get(b)!))
  const rfOf = new Map(partitions.map((p) => [p.partition, replicationFactor ?? dedupe(p.replicas).length]))
  for (const p of partitions) {
    const n = rfOf.get(p.partition)!
    if (n > allowed.length) {
      throw usageError(
        `partition ${topic}-${p.partition} has ${n} replicas, but only ${allowed.length} broker(s) (${allowed.join(', ')}) may hold replicas`,
        'lower --replication-factor, allow more brokers, or move only the leaders with --leaders-only',
        'BAD_REPLICATION_FACTOR',
      )
    }
    if (n < 1) throw usageError(`partition ${topic}-${p.partition} has no replicas`, 'give --replication-factor', 'BAD_REPLICATION_FACTOR')
  }
  const maxPerRack = (n: number) => (rackAware ? Math.ceil(n / racks.size) : n)
  const rackCount = (set: number[], rack: string) => set.filter((b) => rackOf.get(b) === rack).length

  // Keep what may stay.
  const sets = new Map<number, number[]>()
  const original = new Map<number, Set<number>>()
  const count = new Map<number, number>(allowed.map((b) => [b, 0]))
  for (const p of partitions) {
    original.set(p.partition, new Set(p.replicas))
    const kept = dedupe(p.replicas).filter((b) => allowedSet.has(b))
    sets.set(p.partition, kept)
    for (const b of kept) count.set(b, count.get(b)! + 1)
  }
  const drop = (p: PlanPartition, b: number) => {
    sets.set(
      p.partition,
      sets.get(p.partition)!.filter((x) => x !== b),
    )
    count.set(b, count.get(b)! - 1)
  }
  // The replica to give up in a partition: not its preferred leader nor its leader when possible, else the
  // broker holding the most, else the last.
  const victim = (p: PlanPartition, candidates: number[]) => {
    const set = sets.get(p.partition)!
    return byKey(candidates, (b) => [b === set[0] ? 1 : 0, b === p.leader ? 1 : 0, -count.get(b)!, -set.indexOf(b)])[0]
  }
  for (const p of partitions) {
    const n = rfOf.get(p.partition)!
    for (;;) {
      const set = sets.get(p.partition)!
      const crowded = set.filter((b) => rackCount(set, rackOf.get(b)!) > maxPerRack(n))
      // Too few racks for the slots left to reach min(RF, racks) of them: a replica of a shared rack goes.
      const racksUsed = new Set(set.map((b) => rackOf.get(b)!)).size
      const shared = rackAware && Math.min(n, racks.size) - racksUsed > n - Math.min(set.length, n) ? set.filter((b) => rackCount(set, rackOf.get(b)!) > 1) : []
      if (crowded.length > 0) drop(p, victim(p, crowded))
      else if (set.length > n) drop(p, victim(p, set))
      else if (shared.length > 0) drop(p, victim(p, shared))
      else break
    }
  }

  // Each broker's share of the topic's replicas. With racks, each rack's share first: near its size's share of
  // the total, within what spreading each partition over the racks lets it hold; then its brokers' shares.
  const total = partitions.reduce((n, p) => n + rfOf.get(p.partition)!, 0)
  const rackList = [...racks].sort()
  const members = new Map(rackList.map((r) => [r, allowed.filter((b) => rackOf.get(b) === r)]))
  const rackTotal = new Map<string, number>()
  if (!rackAware) rackTotal.set(rackList[0], total)
  else {
    const bounds = new Map(
      rackList.map((r) => {
        let lo = 0
        let hi = 0
        for (const p of partitions) {
          const n = rfOf.get(p.partition)!
          lo += Math.floor(n / racks.size)
          hi += Math.min(Math.ceil(n / racks.size), members.get(r)!.length)
        }
        return [r, {lo, hi}]
      }),
    )
    for (const r of rackList) {
      const {lo, hi} = bounds.get(r)!
      rackTotal.set(r, Math.min(hi, Math.max(lo, Math.round((total * members.get(r)!.length) / allowed.length))))
    }
    // Even out the rounding: one replica at a time to (from) the rack furthest under (over) its size's share.
    for (let sum = [...rackTotal.values()].reduce((a, b) => a + b, 0); sum !== total;) {
      const step = sum < total ? 1 : -1
      const movable = rackList.filter((r) => (step > 0 ? rackTotal.get(r)! < bounds.get(r)!.hi : rackTotal.get(r)! > bounds.get(r)!.lo))
      if (movable.length === 0) break
      const r = byKey(movable, (x) => [step * (rackTotal.get(x)! / members.get(x)!.length), rackList.indexOf(x)])[0]
      rackTotal.set(r, rackTotal.get(r)! + step)
      sum += step
    }
  }
  const quota = new Map<number, number>()
  for (const r of rackList) {
    const inRack = members.get(r)!
    const base = Math.floor(rackTotal.get(r)! / inRack.length)
    const extra = rackTotal.get(r)! % inRack.length
    // Brokers that hold fewer of the topics planned before get the extra ones first (the topics together stay
    // balanced too); among equals, those holding the most of this topic already (fewest moves).
    byKey(inRack, (b) => [globalReplicas.get(b) ?? 0, -count.get(b)!, b]).forEach((b, i) => quota.set(b, base + (i < extra ? 1 : 0)))
  }
  for (const b of allowed) {
    const excess = count.get(b)! - quota.get(b)!
    if (excess <= 0) continue
    // Brokers under their share stay under while others give up replicas: one ordering per broker.
    const under = allowed.filter((x) => count.get(x)! < quota.get(x)!)
    const holding = partitions.filter((p) => sets.get(p.partition)!.includes(b))
    // Give up a replica where a broker under its share can take the place, then where it is not the preferred
    // leader, then where its rack is crowded, then in the last partitions.
    const order = byKey(holding, (x) => {
      const set = sets.get(x.partition)!
      return [under.some((u) => !set.includes(u)) ? 0 : 1, set[0] === b ? 1 : 0, x.leader === b ? 1 : 0, -rackCount(set, rackOf.get(b)!), -x.partition]
    })
    for (const p of order.slice(0, excess)) drop(p, b)
  }

  // Fill: the rack with the fewest replicas of the partition, then the broker furthest under its share.
  const fresh = new Map<number, Set<number>>(partitions.map((p) => [p.partition, new Set<number>()]))
  for (const p of partitions) {
    const n = rfOf.get(p.partition)!
    while (sets.get(p.partition)!.length < n) {
      const set = sets.get(p.partition)!
      const candidates = allowed.filter((b) => !set.includes(b))
      const b = byKey(candidates, (x) => [rackAware ? rackCount(set, rackOf.get(x)!) : 0, count.get(x)! - quota.get(x)!, globalReplicas.get(x) ?? 0, x])[0]
      set.push(b)
      fresh.get(p.partition)!.add(b)
      count.set(b, count.get(b)! + 1)
    }
  }

  // Repair: a replica placed above on a broker over its share moves to one under its share, where racks allow;
  // when the broker under its share is already in that partition, through a third broker of another partition.
  // Replacing `out` by `into` keeps the partition's rack spread: no rack above its share, no fewer racks.
  const fits = (set: number[], out: number, into: number, n: number) => {
    if (!rackAware || rackOf.get(into) === rackOf.get(out)) return true
    const rest = set.filter((b) => b !== out)
    return rackCount(rest, rackOf.get(into)!) < maxPerRack(n) && (rackCount(rest, rackOf.get(out)!) > 0 || rackCount(rest, rackOf.get(into)!) === 0)
  }
  const replace = (p: number, out: number, into: number) => {
    const set = sets.get(p)!
    set[set.indexOf(out)] = into
    const added = fresh.get(p)!
    added.delete(out)
    // A broker that held the replica before is not new to the partition.
    if (!original.get(p)!.has(into)) added.add(into)
    count.set(out, count.get(out)! - 1)
    count.set(into, count.get(into)! + 1)
  }
  const isOver = (b: number) => count.get(b)! > quota.get(b)!
  const isUnder = (b: number) => count.get(b)! < quota.get(b)!
  // One sweep of direct moves: a new replica on a broker over its share goes to one under its share.
  const directPass = (): boolean => {
    let moved = false
    for (const p of partitions) {
      const set = sets.get(p.partition)!
      const n = rfOf.get(p.partition)!
      for (const from of [...fresh.get(p.partition)!]) {
        if (!isOver(from) || !set.includes(from)) continue
        const to = allowed.find((b) => isUnder(b) && !set.includes(b) && fits(set, from, b, n))
        if (to === undefined) continue
        replace(p.partition, from, to)
        moved = true
      }
    }
    return moved
  }
  // p: from -> x, q: x -> u, when the broker u under its share is in p already (x is in q, not in p).
  const chainOnce = (): boolean => {
    const under = allowed.filter(isUnder)
    for (const p of partitions) {
      const set = sets.get(p.partition)!
      const n = rfOf.get(p.partition)!
      for (const from of fresh.get(p.partition)!) {
        if (!isOver(from)) continue
        for (const u of under) {
          for (const q of partitions) {
            const other = sets.get(q.partition)!
            if (q === p || other.includes(u)) continue
            const xs = byKey(
              other.filter((x) => x !== from && !set.includes(x) && fits(set, from, x, n) && fits(other, x, u, rfOf.get(q.partition)!)),
              (x) => [fresh.get(q.partition)!.has(x) ? 0 : 1, x],
            )
            if (xs.length === 0) continue
            replace(q.partition, xs[0], u)
            replace(p.partition, from, xs[0])
            return true
          }
        }
      }
    }
    return false
  }
  for (let round = 0; round < total; round++) {
    if (!allowed.some(isOver) || !allowed.some(isUnder)) break
    if (!directPass() && !chainOnce()) break
  }
  // Racks of unequal sizes can make the shares above unreachable: then even out any two brokers two replicas
  // apart, newly placed replicas first (a kept one moves only when nothing else evens them out).
  const evenOnce = (): boolean => {
    const desc = byKey(allowed, (b) => [-count.get(b)!, b])
    for (const from of desc) {
      for (const to of [...desc].reverse()) {
        if (count.get(from)! - count.get(to)! < 2) break
        let kept: PlanPartition | undefined
        for (const p of partitions) {
          const set = sets.get(p.partition)!
          if (!set.includes(from) || set.includes(to) || !fits(set, from, to, rfOf.get(p.partition)!)) continue
          if (fresh.get(p.partition)!.has(from)) {
            replace(p.partition, from, to)
            return true
          }
          kept ??= p
        }
        if (kept) {
          replace(kept.partition, from, to)
          return true
        }
      }
    }
    return false
  }
  for (let round = 0; round < total && evenOnce(); round++);
  // Kept replicas first, in their current order; the new ones after.
  for (const p of partitions) {
    const set = sets.get(p.partition)!
    const before = original.get(p.partition)!
    sets.set(p.partition, [...p.replicas.filter((b) => set.includes(b)), ...set.filter((b) => !before.has(b))])
  }
  return sets
}

/** Step 2: the order of each set, the preferred leader first. */
function orderLeaders(
  topic: string,
  partitions: PlanPartition[],
  sets: Map<number, number[]>,
  allowed: number[],
  excluded: Set<number>,
  globalLeaders: Map<number, number>,
  warnings: string[],
  leadersOnly: boolean,
): Map<number, number[]> {
  const eligible = new Set(allowed)
  const candidatesOf = (p: PlanPartition) => sets.get(p.partition)!.filter((b) => eligible.has(b))
  const leaders = new Map<number, number>()
  const choice = new Map<number, number>()
  const leaderPool = new Set(partitions.flatMap((p) => candidatesOf(p)))
  const cap = leaderPool.size > 0 ? Math.ceil(partitions.filter((p) => candidatesOf(p).length > 0).length / leaderPool.size) : 0
  const stuck: number[] = []
  for (const p of byKey(partitions, (x) => [candidatesOf(x).length, x.partition])) {
    const set = sets.get(p.partition)!
    const candidates = candidatesOf(p)
    if (candidates.length === 0) {
      if (set.length > 0 && excluded.has(set[0])) stuck.push(p.partition)
      choice.set(p.partition, set[0])
      continue
    }
    const preferred = p.replicas[0]
    const b = byKey(candidates, (x) => [(leaders.get(x) ?? 0) >= cap ? 1 : 0, x === preferred ? 0 : 1, leaders.get(x) ?? 0, globalLeaders.get(x) ?? 0, set.indexOf(x), x])[0]
    choice.set(p.partition, b)
    leaders.set(b, (leaders.get(b) ?? 0) + 1)
  }
  if (stuck.length > 0) {
    warnings.push(
      `${topic}: partition(s) ${stuck.join(', ')} have replicas only on excluded broker(s) ${[...excluded].join(', ')}: their leader cannot move${leadersOnly ? ' without moving data (drop --leaders-only)' : ''}`,
    )
  }
  // Repair: while a broker leads two more than one it can hand leadership to, directly or along a chain of
  // partitions (A's partition to X, X's partition to B), the shortest such chain moves one leadership to B.
  const ledBy = new Map<number, PlanPartition[]>()
  for (const p of partitions) {
    const b = choice.get(p.partition)
    if (b !== undefined && eligible.has(b)) ledBy.set(b, [...(ledBy.get(b) ?? []), p])
  }
  const improve = (): boolean => {
    for (const a of byKey([...leaderPool], (b) => [-(leaders.get(b) ?? 0), b])) {
      const top = leaders.get(a) ?? 0
      const via = new Map<number, {from: number; partition: PlanPartition}>()
      const queue = [a]
      const seen = new Set([a])
      while (queue.length > 0) {
        const x = queue.shift()!
        for (const p of ledBy.get(x) ?? []) {
          for (const y of byKey(candidatesOf(p), (b) => [b === p.replicas[0] ? 0 : 1, b])) {
            if (seen.has(y)) continue
            seen.add(y)
            via.set(y, {from: x, partition: p})
            if ((leaders.get(y) ?? 0) <= top - 2) {
              leaders.set(a, top - 1)
              leaders.set(y, (leaders.get(y) ?? 0) + 1)
              for (let node = y; node !== a;) {
                const step = via.get(node)!
                choice.set(step.partition.partition, node)
                ledBy.set(
                  step.from,
                  ledBy.get(step.from)!.filter((x) => x !== step.partition),
                )
                ledBy.set(node, [...(ledBy.get(node) ?? []), step.partition])
                node = step.from
              }
              return true
            }
            queue.push(y)
          }
        }
      }
    }
    return false
  }
  for (let round = 0; round < partitions.length * 2 && improve(); round++);
  const ordered = new Map<number, number[]>()
  for (const p of partitions) {
    const set = sets.get(p.partition)!
    const leader = choice.get(p.partition)!
    const rest = set.filter((b) => b !== leader)
    // Excluded brokers (kept with --leaders-only) go last: they are the last choice of any election too.
    ordered.set(p.partition, leader === undefined ? set : [leader, ...rest.filter((b) => !excluded.has(b)), ...rest.filter((b) => excluded.has(b))])
  }
  return ordered
}
