/**
 * `offsets reset` and `offsets undo` against a cluster: gather the group, its offsets and the logs, build the
 * plan (src/offsets/plan.ts), and execute it: refuse while members are active, snapshot, commit.
 */
import {readFile, rm} from 'node:fs/promises'

import {refusedError, usageError} from '../errors.js'
import type {KafkaClient} from '../kafka/client.js'
import {clusterId} from '../kafka/cluster-info.js'
import {type GroupDescription, type PartitionOffset, describeGroups, fetchCommittedOffsets, openOffsetCommitter, unknownGroup} from '../kafka/groups.js'
import {requireTopics} from '../kafka/metadata.js'
import {type Watermark, fetchWatermarksOf} from '../kafka/offsets.js'
import {partitionKey} from '../groups/lag.js'
import {parseCsv} from './csv.js'
import {type ResetPlan, buildPlan, planOffsets, selectPartitions} from './plan.js'
import {type Snapshot, loadSnapshot, saveSnapshot} from './snapshots.js'
import {type Strategy, type TopicScope, describeStrategy} from './strategy.js'

export interface ResetOptions {
  group: string
  strategy: Strategy
  /** --topic T[:P,...] */
  scopes: TopicScope[]
  allTopics: boolean
  /** Allow setting the offsets of a group that does not exist yet (it is created by the commit). */
  allowNewGroup?: boolean
  /** The text of --from-file (read by the caller so tests can pass it); read from strategy.path when absent. */
  csvText?: string
}

export interface PreparedReset {
  plan: ResetPlan
  group: GroupDescription
  /** The group does not exist yet. */
  isNew: boolean
}

async function describeOrNew(client: KafkaClient, groupId: string, allowNew: boolean): Promise<{group: GroupDescription; isNew: boolean}> {
  const [group] = await describeGroups(client, [groupId])
  if (group && group.state !== 'Dead') return {group, isNew: false}
  if (!allowNew) {
    const err = await unknownGroup(client, groupId)
    throw Object.assign(err, {hint: `${err.hint}; to create it with these offsets, add --allow-new-group`})
  }
  return {group: {groupId, state: 'Dead', protocolType: '', protocol: '', members: []}, isNew: true}
}

async function watermarksOf(client: KafkaClient, topics: string[]): Promise<Map<string, Watermark[]>> {
  await requireTopics(client, topics) // unknown topic: exit 3 with did-you-mean
  return (await fetchWatermarksOf(client, topics)).watermarks
}

export async function prepareReset(client: KafkaClient, options: ResetOptions): Promise<PreparedReset> {
  const {strategy} = options
  // Independent look-ups side by side (a group that does not exist has no committed offsets); with --topic the
  // topics are known at once, so their watermarks are read at the same time.
  const knownTopics = strategy.kind !== 'file' && !options.allTopics && options.scopes.length > 0 ? [...new Set(options.scopes.map((s) => s.topic))] : undefined
  const early = knownTopics ? watermarksOf(client, knownTopics) : undefined
  early?.catch(() => undefined) // awaited below, after the group checks (whose errors come first)
  const [{group, isNew}, committed] = await Promise.all([describeOrNew(client, options.group, Boolean(options.allowNewGroup)), fetchCommittedOffsets(client, options.group)])

  let scopes: TopicScope[]
  let explicit: Map<string, number> | undefined
  if (strategy.kind === 'file') {
    const text = options.csvText ?? (await readCsv(strategy.path))
    let rows = parseCsv(text, options.group, strategy.path === '-' ? 'stdin' : strategy.path)
    if (options.scopes.length > 0) {
      rows = rows.filter((r) => options.scopes.some((s) => s.topic === r.topic && (!s.partitions || s.partitions.includes(r.partition))))
    }
    if (rows.length === 0) throw usageError(`${strategy.path} has no offsets for group '${options.group}'`, 'expected lines of topic,partition,offset (kafka-consumer-groups --export)', 'EMPTY_CSV')
    explicit = new Map(rows.map((r) => [partitionKey(r.topic, r.partition), r.offset]))
    const byTopic = new Map<string, number[]>()
    for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.partition])
    scopes = [...byTopic].map(([topic, partitions]) => ({topic, partitions}))
  } else if (options.allTopics) {
    const topics = new Set(committed.map((c) => c.topic))
    for (const m of group.members) for (const a of m.assignment) topics.add(a.topic)
    if (topics.size === 0) throw usageError(`group '${options.group}' has no committed offsets, so --all-topics names nothing`, 'name the topics: --topic orders (or --topic orders:0,1)', 'NO_TOPICS')
    scopes = [...topics].sort().map((topic) => ({topic}))
  } else {
    if (options.scopes.length === 0) throw usageError('which topics? none given', 'add --topic T (repeatable, T:0,1 for some partitions) or --all-topics', 'NO_TOPICS')
    scopes = options.scopes
  }

  const topics = [...new Set(scopes.map((s) => s.topic))]
  const watermarks = await (early ?? watermarksOf(client, topics))
  const partitions = selectPartitions(scopes, watermarks)

  let atTime: Map<string, number> | undefined
  if (strategy.kind === 'datetime' || strategy.kind === 'duration') {
    atTime = new Map()
    const results = (await fetchWatermarksOf(client, topics, strategy.timestamp)).atTime
    for (const [t, offsets] of results) for (const [p, o] of offsets) atTime.set(partitionKey(t, p), o)
  }

  const plan = buildPlan({group: options.group, strategy, partitions, watermarks, committed, atTime, explicit, strategyLabel: describeStrategy(strategy)})
  return {plan, group, isNew}
}

async function readCsv(path: string): Promise<string> {
  try {
    return path === '-' ? await readStdin() : await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw usageError(
      `--from-file: cannot read ${path === '-' ? 'stdin' : `'${path}'`}${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`,
      'a CSV of topic,partition,offset lines, e.g. from kafka-consumer-groups --export',
      'BAD_CSV',
    )
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export interface PreparedUndo {
  plan: ResetPlan
  group: GroupDescription
  snapshot: Snapshot
  clusterId: string
}

/** The plan that puts the group back where a snapshot (the newest by default) found it. */
export async function prepareUndo(client: KafkaClient, groupId: string, snapshotId?: string): Promise<PreparedUndo> {
  const [{group}, cluster, committed] = await Promise.all([describeOrNew(client, groupId, false), clusterId(client), fetchCommittedOffsets(client, groupId)])
  const snapshot = await loadSnapshot(cluster, groupId, snapshotId)
  const restorable = snapshot.offsets.filter((o): o is PartitionOffset => o.offset !== null)
  const notRestorable = snapshot.offsets.filter((o) => o.offset === null)
  const topics = [...new Set(restorable.map((o) => o.topic))]
  const watermarks = await watermarksOf(client, topics)
  const explicit = new Map(restorable.map((o) => [partitionKey(o.topic, o.partition), o.offset]))
  const plan = buildPlan({
    group: groupId,
    strategy: {kind: 'file', path: snapshot.id},
    partitions: selectPartitions(
      topics.map((topic) => ({topic, partitions: restorable.filter((o) => o.topic === topic).map((o) => o.partition)})),
      watermarks,
    ),
    watermarks,
    committed,
    explicit,
    strategyLabel: `snapshot ${snapshot.id}`,
  })
  if (notRestorable.length > 0) {
    plan.warnings.push(
      `${notRestorable.length} partition${notRestorable.length === 1 ? '' : 's'} had no committed offset before (${notRestorable
        .slice(0, 3)
        .map((o) => `${o.topic}:${o.partition}`)
        .join(', ')}${notRestorable.length > 3 ? ', ...' : ''}); a commit cannot be removed, so they keep their current offset`,
    )
  }
  return {plan, group, snapshot, clusterId: cluster}
}

/** Exit 6 while the group has members: their commits would overwrite ours, and the broker refuses anyway. */
export function assertInactive(group: GroupDescription, action: string): void {
  // 'Unknown' (a KIP-848 group kafkajs cannot describe): the coordinator refuses a commit while it has members.
  if (group.members.length === 0 && (group.state === 'Empty' || group.state === 'Dead' || group.state === 'Unknown')) return
  const who = group.members.map((m) => `${m.clientId} (${m.host}, ${m.memberId})`)
  throw Object.assign(
    refusedError(
      `cannot ${action}: group '${group.groupId}' is ${group.state} with ${group.members.length} active member${group.members.length === 1 ? '' : 's'}: ${who.slice(0, 5).join(', ')}${who.length > 5 ? `, and ${who.length - 5} more` : ''}`,
      'stop its consumers first (kafkit groups describe shows them), then run this again',
      'GROUP_ACTIVE',
    ),
    {details: {members: group.members.map((m) => ({memberId: m.memberId, clientId: m.clientId, host: m.host}))}},
  )
}

export interface Execution {
  snapshot: {id: string; path: string}
  committed: number
}

/**
 * Executes a plan: checks the group again (a consumer may have joined since the plan was shown), saves the
 * current offsets as a snapshot, then commits exactly the plan's targets.
 */
export async function executePlan(client: KafkaClient, plan: ResetPlan, reason: string, options: {allowNewGroup?: boolean} = {}): Promise<Execution> {
  // The committer connects while the group is checked again: one round of latency less.
  const committer = openOffsetCommitter(client)
  try {
    const [{group}, cluster] = await Promise.all([describeOrNew(client, plan.group, Boolean(options.allowNewGroup)), committer.clusterId()])
    assertInactive(group, 'reset the offsets')
    const snapshot = await saveSnapshot({
      clusterId: cluster,
      group: plan.group,
      reason,
      offsets: plan.rows.map((r) => ({topic: r.topic, partition: r.partition, offset: r.current})),
    })
    try {
      await committer.commit(plan.group, planOffsets(plan))
    } catch (error) {
      // Nothing was committed: a snapshot of a reset that never happened would only mislead a later undo.
      await rm(snapshot.path, {force: true}).catch(() => undefined)
      throw error
    }
    return {snapshot: {id: snapshot.id, path: snapshot.path}, committed: plan.rows.length}
  } finally {
    await committer.close()
  }
}
