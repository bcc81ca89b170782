/**
 * `topics reassign` and `topics elect-leaders` against a cluster: read the placement, plan, start, follow,
 * throttle and un-throttle, cancel, elect. The plans themselves are pure (reassign.ts, reassign-progress.ts,
 * elect.ts); this module owns the order of the network calls. Errors are KafkitErrors with the documented exit
 * codes.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import {ExitCode, KafkitError, refusedError} from '../errors.js'
import {alterBrokerConfigs, describeBrokerConfigs} from '../kafka/broker-configs.js'
import type {KafkaClient} from '../kafka/client.js'
import {unknownTopic} from '../kafka/metadata.js'
import {alterReassignments, electLeaders, listReassignments, type OngoingReassignment, type PartitionOutcome, type Placement, readPlacement, replicaSizes} from '../kafka/reassignments.js'
import {alterTopicConfig, BrokerResourceError, describeTopicConfigs} from '../kafka/topics.js'
import {countOf} from '../output/numbers.js'
import {type ElectionPlan, type ElectionType, planElection} from './elect.js'
import {type PartitionChange, planReassignment, type PlanTopic, type ReassignPlan, type ReassignRequest} from './reassign.js'
import {
  FOLLOWER_THROTTLED_RATE,
  FOLLOWER_THROTTLED_REPLICAS,
  LEADER_THROTTLED_RATE,
  LEADER_THROTTLED_REPLICAS,
  mergeThrottledReplicas,
  parseThrottledReplicas,
  progressOf,
  type ReassignProgress,
  remainingThrottledReplicas,
  type ThrottleSetup,
} from './reassign-progress.js'

export type {ElectionType}

/** The named topics of the placement (unknown: exit 3 with the closest name), or every topic. */
export function selectTopics(placement: Placement, names: string[] | undefined): PlanTopic[] {
  const byName = new Map(placement.topics.map((t) => [t.topic, t]))
  const chosen = names
    ? [...new Set(names)].map((name) => {
        const found = byName.get(name)
        if (!found) throw unknownTopic(name, [...byName.keys()])
        return found
      })
    : placement.topics
  return chosen.map((t) => ({topic: t.topic, partitions: t.partitions.map((p) => ({partition: p.partition, replicas: p.replicas, leader: p.leader}))}))
}

/** Reads the cluster and plans (nothing changes). */
export async function prepareReassignment(client: KafkaClient, names: string[] | undefined, request: ReassignRequest): Promise<{plan: ReassignPlan; placement: Placement}> {
  const placement = await readPlacement(client)
  const plan = planReassignment(selectTopics(placement, names), placement.brokers, request)
  return {plan, placement}
}

const keyOf = (p: {topic: string; partition: number}) => `${p.topic}\u0000${p.partition}`

/** Refuses to start while any partition of the plan is already moving (exit 6). */
export async function refuseIfMoving(client: KafkaClient, changes: PartitionChange[]): Promise<void> {
  const ongoing = await listReassignments(client, changes)
  if (ongoing.length === 0) return
  const names = ongoing.slice(0, 5).map((o) => `${o.topic}-${o.partition}`)
  throw refusedError(
    `${countOf(ongoing.length, 'partition')} of the plan ${ongoing.length === 1 ? 'is' : 'are'} being reassigned already (${names.join(', ')}${ongoing.length > 5 ? ', ...' : ''})`,
    'follow it with `kafkit topics reassign --status --wait`, or cancel it with `kafkit topics reassign --cancel --execute`',
    'REASSIGNMENT_IN_PROGRESS',
  )
}

/** The broker's refusal of some partitions, as one error naming the first (exit 1; exit 2 for an invalid assignment). */
function outcomeError(failed: PartitionOutcome[], what: string): KafkitError {
  const first = failed[0]
  const more = failed.length > 1 ? ` (and ${countOf(failed.length - 1, 'other partition')})` : ''
  const usage = first.error === 'INVALID_REPLICA_ASSIGNMENT' || first.error === 'INVALID_REPLICATION_FACTOR'
  return new KafkitError(first.error || 'BROKER_ERROR', `${what} ${first.topic}-${first.partition}: ${first.message ?? first.error}${more}`, {
    hint: usage ? 'check the plan against `kafkit brokers list`' : 'run again with --debug for details',
    exitCode: usage ? ExitCode.USAGE : ExitCode.FAILED,
    details: {failed: failed.map(({topic, partition, error, message}) => ({topic, partition, error, message}))},
  })
}

/** Starts the plan's reassignments (one request). */
export async function startReassignment(client: KafkaClient, changes: PartitionChange[]): Promise<void> {
  const outcomes = await alterReassignments(
    client,
    changes.map((c) => ({topic: c.topic, partition: c.partition, replicas: c.target})),
  )
  const failed = outcomes.filter((o) => o.errorCode !== 0)
  if (failed.length > 0) throw outcomeError(failed, 'the controller refused to reassign')
}

/** Cancels the reassignments of these partitions (their replica sets go back to what they were). */
export async function cancelReassignments(client: KafkaClient, partitions: {topic: string; partition: number}[]): Promise<PartitionOutcome[]> {
  const outcomes = await alterReassignments(
    client,
    partitions.map((p) => ({topic: p.topic, partition: p.partition, replicas: null})),
  )
  // Finished between the listing and the cancel: nothing to cancel any more.
  const failed = outcomes.filter((o) => o.errorCode !== 0 && o.error !== 'NO_REASSIGNMENT_IN_PROGRESS')
  if (failed.length > 0) throw outcomeError(failed, 'the controller refused to cancel the reassignment of')
  return outcomes
}

function configRefusal(error: unknown, what: string): unknown {
  if (!(error instanceof BrokerResourceError)) return error
  return new KafkitError(error.type, `${what}: ${error.message.replace(/\.$/, '')}`, {
    hint: error.type.includes('AUTHORIZATION') ? 'the principal needs ALTER_CONFIGS on the cluster and the topics' : 'run again with --debug for details',
    exitCode: ExitCode.FAILED,
  })
}

/** Sets the throttle: the rate on each broker involved, the throttled replicas on each topic (added to what is there). */
export async function applyThrottles(client: KafkaClient, setup: ThrottleSetup): Promise<void> {
  const rate = String(Math.round(setup.rate))
  for (const broker of setup.brokers) {
    await alterBrokerConfigs(client, String(broker), [
      {name: LEADER_THROTTLED_RATE, op: 'set', value: rate},
      {name: FOLLOWER_THROTTLED_RATE, op: 'set', value: rate},
    ]).catch((error: unknown) => {
      throw configRefusal(error, `setting the replication throttle of broker ${broker}`)
    })
  }
  const configs = await describeTopicConfigs(
    client,
    setup.topics.map((t) => t.topic),
  )
  for (const t of setup.topics) {
    const entries = configs.get(t.topic) ?? []
    const value = (name: string) => entries.find((e) => e.name === name)?.value
    await alterTopicConfig(client, t.topic, [
      {name: LEADER_THROTTLED_REPLICAS, op: 'set', value: mergeThrottledReplicas(value(LEADER_THROTTLED_REPLICAS), t.leader)},
      {name: FOLLOWER_THROTTLED_REPLICAS, op: 'set', value: mergeThrottledReplicas(value(FOLLOWER_THROTTLED_REPLICAS), t.follower)},
    ]).catch((error: unknown) => {
      throw configRefusal(error, `throttling the replicas of '${t.topic}'`)
    })
  }
}

export interface Throttles {
  /** Brokers with a replication rate set (bytes/s; null where only one of the two is set). */
  brokers: {broker: number; leaderRate: number | null; followerRate: number | null}[]
  /** Topics with throttled replicas. */
  topics: {topic: string; leader: string[]; follower: string[]}[]
}

/** The throttles set now: every live broker's rates, and the throttled replicas of the given topics. */
export async function readThrottles(client: KafkaClient, brokerIds: number[], topics: string[]): Promise<Throttles> {
  const brokers: Throttles['brokers'] = []
  for (const id of brokerIds) {
    const entries = await describeBrokerConfigs(client, String(id))
    const rate = (name: string) => {
      const e = entries.find((x) => x.name === name)
      return e && e.source === 'broker' && e.value !== null && e.value !== '' ? Number(e.value) : null
    }
    const leaderRate = rate(LEADER_THROTTLED_RATE)
    const followerRate = rate(FOLLOWER_THROTTLED_RATE)
    if (leaderRate !== null || followerRate !== null) brokers.push({broker: id, leaderRate, followerRate})
  }
  const configs = await describeTopicConfigs(client, topics)
  const withReplicas: Throttles['topics'] = []
  for (const topic of [...topics].sort()) {
    const entries = configs.get(topic) ?? []
    const list = (name: string) => parseThrottledReplicas(entries.find((e) => e.name === name && e.source === 1)?.value)
    const leader = list(LEADER_THROTTLED_REPLICAS)
    const follower = list(FOLLOWER_THROTTLED_REPLICAS)
    if (leader.length > 0 || follower.length > 0) withReplicas.push({topic, leader, follower})
  }
  return {brokers, topics: withReplicas}
}

export interface ThrottleRemoval {
  /** Topics whose throttled replicas were removed (all of them, or those of partitions no longer moving). */
  topics: string[]
  /** Brokers whose rates were removed. */
  brokers: number[]
  /** Rates kept because other reassignments are still in progress in the cluster. */
  brokersKept: number[]
}

/**
 * Removes the throttles of finished reassignments: on each topic, the throttled replicas of partitions that are
 * no longer moving (the key goes when nothing stays); the broker rates once no reassignment is in progress
 * anywhere in the cluster (another one may still rely on them).
 */
export async function removeThrottles(client: KafkaClient, brokerIds: number[], topics: string[]): Promise<ThrottleRemoval> {
  const ongoing = await listReassignments(client)
  const current = await readThrottles(client, brokerIds, topics)
  const removal: ThrottleRemoval = {topics: [], brokers: [], brokersKept: []}
  for (const t of current.topics) {
    const moving = new Set(ongoing.filter((o) => o.topic === t.topic).map((o) => o.partition))
    const changes = [LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS].flatMap((name) => {
      const before = (name === LEADER_THROTTLED_REPLICAS ? t.leader : t.follower).join(',')
      if (before === '') return []
      const after = remainingThrottledReplicas(before, moving)
      if (after === before) return []
      return [after === null ? {name, op: 'delete' as const} : {name, op: 'set' as const, value: after}]
    })
    if (changes.length === 0) continue
    await alterTopicConfig(client, t.topic, changes).catch((error: unknown) => {
      throw configRefusal(error, `removing the replication throttle of '${t.topic}'`)
    })
    removal.topics.push(t.topic)
  }
  for (const b of current.brokers) {
    if (ongoing.length > 0) {
      removal.brokersKept.push(b.broker)
      continue
    }
    await alterBrokerConfigs(client, String(b.broker), [
      {name: LEADER_THROTTLED_RATE, op: 'delete'},
      {name: FOLLOWER_THROTTLED_RATE, op: 'delete'},
    ]).catch((error: unknown) => {
      throw configRefusal(error, `removing the replication throttle of broker ${b.broker}`)
    })
    removal.brokers.push(b.broker)
  }
  return removal
}

/** The progress of the reassignments in progress: of the given partitions, or all of the cluster's. */
export async function readProgress(client: KafkaClient, partitions?: {topic: string; partition: number}[]): Promise<ReassignProgress & {ongoing: OngoingReassignment[]}> {
  const ongoing = await listReassignments(client, partitions)
  if (ongoing.length === 0) return {...progressOf([], new Map(), new Map()), ongoing}
  const placement = await readPlacement(client)
  const leaders = new Map<string, number>()
  for (const t of placement.topics) for (const p of t.partitions) leaders.set(keyOf({topic: t.topic, partition: p.partition}), p.leader)
  const involved = new Set<number>()
  for (const o of ongoing) {
    const leader = leaders.get(keyOf(o))
    if (leader !== undefined && leader >= 0) involved.add(leader)
    for (const b of o.adding) involved.add(b)
  }
  const live = new Set(placement.brokers.map((b) => b.id))
  const sizes = await replicaSizes(
    client,
    [...involved].filter((b) => live.has(b)),
  )
  return {...progressOf(ongoing, leaders, sizes), ongoing}
}

export interface FollowHooks {
  progress(snapshot: ReassignProgress, elapsedMs: number): void
  signal?: AbortSignal
  pollMs?: number
}

/** Polls until none of the partitions is moving any more, or the signal fires (interrupted). */
export async function followReassignment(client: KafkaClient, partitions: {topic: string; partition: number}[] | undefined, hooks: FollowHooks): Promise<{interrupted: boolean; durationMs: number}> {
  const started = Date.now()
  for (;;) {
    const snapshot = await readProgress(client, partitions)
    hooks.progress(snapshot, Date.now() - started)
    if (snapshot.partitionsLeft === 0) return {interrupted: false, durationMs: Date.now() - started}
    try {
      // Every second at first, then less often (each look opens connections to the brokers involved): 5 s at most.
      await sleep(hooks.pollMs ?? Math.min(5000, 1000 + Math.floor((Date.now() - started) / 10)), undefined, {signal: hooks.signal})
    } catch {
      return {interrupted: true, durationMs: Date.now() - started}
    }
    if (hooks.signal?.aborted) return {interrupted: true, durationMs: Date.now() - started}
  }
}

/**
 * Partitions whose replica list is not the expected one (someone cancelled or changed the reassignment). The
 * broker answering Metadata may learn of the end a moment after the controller: asked again until it agrees, for
 * up to the command's timeout.
 */
export async function differingFromPlan(
  client: KafkaClient,
  expected: {topic: string; partition: number; target: number[]}[],
  options: {ordered?: boolean} = {},
): Promise<{topic: string; partition: number; replicas: number[]; target: number[]}[]> {
  const ordered = options.ordered ?? true
  const deadline = Date.now() + client.options.timeoutMs
  for (;;) {
    const placement = await readPlacement(client)
    const now = new Map<string, number[]>()
    for (const t of placement.topics) for (const p of t.partitions) now.set(keyOf({topic: t.topic, partition: p.partition}), p.replicas)
    const differs = expected
      .map((c) => ({topic: c.topic, partition: c.partition, replicas: now.get(keyOf(c)) ?? [], target: c.target}))
      .filter((x) => x.replicas.length !== x.target.length || x.replicas.some((b, i) => (ordered ? b !== x.target[i] : !x.target.includes(b))))
    if (differs.length === 0 || Date.now() > deadline) return differs
    await sleep(250)
  }
}

export interface ElectionResult {
  topic: string
  partition: number
  /** The leader before and after the election (-1: none). */
  before: number
  after: number
  /** `elected`, `not-needed` (already led by the broker asked for), or Kafka's error name. */
  outcome: string
  message?: string
}

/** Reads the cluster and plans an election of the named topics' partitions (every topic's without names). */
export async function prepareElection(client: KafkaClient, type: ElectionType, names: string[] | undefined, partitions?: number[]): Promise<ElectionPlan> {
  const placement = await readPlacement(client)
  const topics = selectTopics(placement, names)
  const full = new Map(placement.topics.map((t) => [t.topic, t]))
  return planElection(
    type,
    topics.map((t) => ({topic: t.topic, partitions: full.get(t.topic)!.partitions})),
    placement.brokers.map((b) => b.id),
    partitions,
  )
}

/**
 * Runs the elections of a plan and reads the leaders afterwards (asked again, for up to the command's timeout,
 * until the broker answering Metadata has learnt of every new leader).
 */
export async function runElection(client: KafkaClient, type: ElectionType, partitions: {topic: string; partition: number; leader: number}[]): Promise<ElectionResult[]> {
  if (partitions.length === 0) return []
  const outcomes = await electLeaders(client, type, partitions)
  const byKey = new Map(outcomes.map((o) => [keyOf(o), o]))
  const elected = partitions.filter((p) => (byKey.get(keyOf(p))?.errorCode ?? 0) === 0)
  const leaders = new Map<string, number>()
  const preferred = new Map<string, number>()
  for (const deadline = Date.now() + client.options.timeoutMs; ; await sleep(250)) {
    const placement = await readPlacement(client)
    for (const t of placement.topics) {
      for (const p of t.partitions) {
        leaders.set(keyOf({topic: t.topic, partition: p.partition}), p.leader)
        preferred.set(keyOf({topic: t.topic, partition: p.partition}), p.replicas[0] ?? -1)
      }
    }
    const known = elected.every((p) => {
      const leader = leaders.get(keyOf(p)) ?? -1
      return type === 'preferred' ? leader === preferred.get(keyOf(p)) : leader >= 0
    })
    if (known || Date.now() > deadline) break
  }
  return partitions.map((p) => {
    const o = byKey.get(keyOf(p))
    const outcome = !o || o.errorCode === 0 ? 'elected' : o.error === 'ELECTION_NOT_NEEDED' ? 'not-needed' : o.error
    return {
      topic: p.topic,
      partition: p.partition,
      before: p.leader,
      after: leaders.get(keyOf(p)) ?? -1,
      outcome,
      ...(o && o.errorCode !== 0 && outcome !== 'not-needed' ? {message: o.message ?? undefined} : {}),
    }
  })
}

/** After a reassignment: a preferred election where the new preferred leader does not lead yet. */
export async function electPreferred(client: KafkaClient, changes: PartitionChange[]): Promise<ElectionResult[]> {
  const placement = await readPlacement(client)
  const leaders = new Map<string, number>()
  for (const t of placement.topics) for (const p of t.partitions) leaders.set(keyOf({topic: t.topic, partition: p.partition}), p.leader)
  const todo = changes.filter((c) => leaders.get(keyOf(c)) !== c.preferredAfter).map((c) => ({topic: c.topic, partition: c.partition, leader: leaders.get(keyOf(c)) ?? -1}))
  return runElection(client, 'preferred', todo)
}
