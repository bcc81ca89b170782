/**
 * Reassignment and leader elections on a private 3-node cluster (one for the whole file): the replication factor
 * of a topic goes 1 -> 3 under a concurrent produce and every acknowledged record is there afterwards (read by
 * kcat; Kafka's ReassignPartitionsCommand --verify calls the reassignment complete); a broker's leaders move off
 * it, it is stopped and produce and consume keep working, and once it is back `elect-leaders --preferred` gives
 * it its partitions again (Kafka's TopicCommand describes the leaders); a throttled reassignment is followed,
 * refused on a protected profile, cancelled, and its throttle removed. `cluster info` names the Kafka version.
 */
import {execFile, spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {Kafka, logLevel} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {json, kafkit, type RunOptions, type RunResult, uniqueName} from './helpers.js'
import {type IsolatedCluster, isolatedCluster} from './isolated-cluster.js'
import {runJava} from './kafka-tools.js'
import {requireService} from './required-service.js'

const PORT = 9980
const REASSIGN_COMMAND = 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand'
const TOPIC_COMMAND = 'org.apache.kafka.tools.TopicCommand'
const exec = promisify(execFile)
const hasJava = spawnSync('java', ['-version']).status === 0
const available = requireService('java (for a private Kafka cluster)', hasJava, 'install a JDK 17+')

let cluster: IsolatedCluster
let kafka: Kafka
const run = (args: string[], options: RunOptions = {}) => kafkit(args, {timeoutMs: 120_000, ...options, env: {...cluster.env, KAFKIT_BROKERS: cluster.brokers, ...options.env}})
const ok = (r: RunResult) => expect(r.code, `${r.stderr}\n${r.stdout.slice(0, 500)}`).toBe(0)

interface Partition {
  partitionId: number
  leader: number
  replicas: number[]
  isr: number[]
}
async function partitions(topic: string): Promise<Partition[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const {topics} = await admin.fetchTopicMetadata({topics: [topic]})
    return [...topics[0].partitions].sort((a, b) => a.partitionId - b.partitionId)
  } finally {
    await admin.disconnect()
  }
}

/**
 * The topic's partitions once `settled` holds for them (a broker learns of a change a moment after the controller
 * made it), or as they are after 15 s.
 */
async function partitionsWhen(topic: string, settled: (ps: Partition[]) => boolean): Promise<Partition[]> {
  for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 250))) {
    const ps = await partitions(topic).catch((error: unknown) => {
      if (Date.now() > deadline) throw error
      return undefined
    })
    if (ps && (settled(ps) || Date.now() > deadline)) return ps
  }
}

/** Every key in the topic, read by kcat (a reader that is not kafkit). */
async function keysByKcat(topic: string): Promise<string[]> {
  const {stdout} = await exec('kcat', ['-C', '-b', cluster.brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\n'], {maxBuffer: 256 << 20, timeout: 60_000})
  return stdout.split('\n').filter(Boolean)
}

/** A config file whose profile `prod` is protected and points at this cluster. */
function protectedProfile(): NodeJS.ProcessEnv {
  const config = join(mkdtempSync(join(tmpdir(), 'kafkit-reassign-')), 'config.yaml')
  writeFileSync(config, `current: prod\nprofiles:\n  prod:\n    brokers: [${cluster.brokers}]\n    protected: true\n`, {mode: 0o600})
  return {KAFKIT_CONFIG: config, KAFKIT_BROKERS: undefined}
}

describe.runIf(available)('reassignment and leader elections on a 3-node cluster', () => {
  /** The topic whose replication factor goes 1 -> 3 (its preferred leaders are on every broker). */
  let raised = ''

  beforeAll(async () => {
    cluster = await isolatedCluster({nodes: 3, port: PORT})
    kafka = new Kafka({brokers: cluster.brokers.split(','), logLevel: logLevel.NOTHING})
  }, 300_000)
  afterAll(async () => cluster?.destroy(), 120_000)

  it('raises the replication factor 1 -> 3 under a concurrent produce, throttled; no acknowledged record is lost', async () => {
    const topic = uniqueName('rf')
    ok(await run(['topics', 'create', topic, '--partitions', '3', '--replication-factor', '1']))
    const producer = kafka.producer({idempotent: true, maxInFlightRequests: 1})
    await producer.connect()
    const value = (i: number) => `v${i}`.padEnd(300, '.')
    let next = 0
    const batch = (n: number) => Array.from({length: n}, () => ({key: `k${next}`, value: value(next++)}))
    // ~6 MB first, so that the copy, throttled to 1 MiB/s per broker, takes a few seconds.
    for (let b = 0; b < 20; b++) await producer.send({topic, acks: -1, messages: batch(1000)})
    const acked = new Set<string>(Array.from({length: next}, (_, i) => `k${i}`))
    let stop = false
    const failures: string[] = []
    // About 150 KB/s: well below the throttle, or the new replicas would never catch up with the log's end.
    const load = (async () => {
      while (!stop) {
        const messages = batch(50)
        try {
          await producer.send({topic, acks: -1, messages})
          for (const m of messages) acked.add(m.key)
        } catch (error) {
          failures.push((error as Error).message)
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()

    const plan = json<{changes: unknown[]; replicasAdded: number; leaderChanges: number}>(await run(['topics', 'reassign', topic, '--replication-factor', '3', '--json']))
    expect(plan).toMatchObject({replicasAdded: 6, leaderChanges: 0})
    expect(plan.changes).toHaveLength(3)

    const status = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 2000))
      return run(['topics', 'reassign', '--status', '--json'])
    })()
    const ackedBefore = acked.size
    const done = await run(['topics', 'reassign', topic, '--replication-factor', '3', '--execute', '--throttle', '1MiB', '--json'])
    const ackedDuring = acked.size - ackedBefore
    stop = true
    await load
    await producer.disconnect()
    ok(done)
    expect(json(done)).toMatchObject({
      executed: true,
      completed: true,
      replicasAdded: 6,
      throttle: {rate: 1048576, brokers: [1, 2, 3]},
      throttlesRemoved: {brokers: [1, 2, 3], topics: [topic]},
      differs: [],
    })
    expect(failures).toEqual([])
    expect(ackedDuring).toBeGreaterThan(0)

    // While it moved: partitions and bytes left, and the throttle on every broker.
    const seen = json<{partitionsLeft: number; bytesLeft: number; throttles: {brokers: {leaderRate: number}[]; topics: {topic: string}[]}}>(await status)
    if (seen.partitionsLeft > 0) {
      expect(seen.bytesLeft).toBeGreaterThan(0)
      expect(seen.throttles.brokers.map((b) => b.leaderRate)).toEqual([1048576, 1048576, 1048576])
      expect(seen.throttles.topics.map((t) => t.topic)).toEqual([topic])
    }
    const after = json<{inProgress: unknown[]; throttles: {brokers: unknown[]; topics: unknown[]}}>(await run(['topics', 'reassign', '--status', '--json']))
    expect(after).toMatchObject({inProgress: [], throttles: {brokers: [], topics: []}})

    const meta = await partitionsWhen(topic, (ps) => ps.every((p) => p.isr.length === 3))
    for (const p of meta) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3])
      expect([...p.isr].sort()).toEqual([1, 2, 3])
    }
    // Kafka's own tool agrees the reassignment is complete (it keeps the throttles it finds: there are none).
    const file = join(cluster.dir, 'reassignment.json')
    writeFileSync(file, JSON.stringify({version: 1, partitions: meta.map((p) => ({topic, partition: p.partitionId, replicas: p.replicas}))}))
    const [verify, keys] = await Promise.all([
      runJava(REASSIGN_COMMAND, ['--bootstrap-server', cluster.brokers, '--reassignment-json-file', file, '--verify', '--preserve-throttles']),
      keysByKcat(topic),
    ])
    expect(verify.code, verify.stderr).toBe(0)
    for (const p of meta) expect(verify.stdout).toContain(`Reassignment of partition ${topic}-${p.partitionId} is completed.`)
    // Nothing lost, nothing twice.
    const present = new Set(keys)
    expect([...acked].filter((k) => !present.has(k))).toEqual([])
    expect(keys.length).toBe(present.size)
    raised = topic
  }, 240_000)

  it('moves the leaders off a broker; with it stopped, produce and consume go on; elect-leaders --preferred gives its partitions back', async () => {
    expect(raised).not.toBe('')
    const topic = uniqueName('maint')
    ok(await run(['topics', 'create', topic, '--partitions', '6', '--replication-factor', '3']))
    expect((await partitionsWhen(topic, (ps) => ps.length === 6 && ps.every((p) => p.leader >= 0))).filter((p) => p.leader === 2)).not.toEqual([])

    // Leaders only: nothing is copied, broker 2 keeps its replicas (last in each list) and leads nothing.
    const off = await run(['topics', 'reassign', topic, '--exclude-broker', '2', '--leaders-only', '--execute', '--json'])
    ok(off)
    expect(json(off)).toMatchObject({executed: true, completed: true, replicasAdded: 0, replicasRemoved: 0})
    // Kafka's TopicCommand describes the topic while broker 2 stops (cleanly: the leaders it still has, of the
    // topics not prepared, move away now).
    const [described] = await Promise.all([runJava(TOPIC_COMMAND, ['--bootstrap-server', cluster.brokers, '--describe', '--topic', topic]), cluster.kill(2, 'SIGTERM')])
    expect(described.code, described.stderr).toBe(0)
    const rows = described.stdout.split('\n').filter((l) => /\tPartition: \d+/.test(l))
    expect(rows).toHaveLength(6)
    for (const row of rows) {
      expect(row).not.toMatch(/Leader: 2\b/)
      expect(row).toMatch(/Replicas: \d,\d,2\b/)
    }

    const lines = Array.from({length: 2000}, (_, i) => `m${i}\tx${i}`).join('\n') + '\n'
    ok(await run(['produce', topic, '-K', '\\t'], {input: lines}))
    ok(await run(['produce', raised, '-K', '\\t'], {input: lines}))
    const back = await run(['consume', topic, '--from', 'beginning', '-e', '-f', '%k\\n'])
    ok(back)
    expect(back.stdout.split('\n').filter(Boolean).sort()).toEqual(Array.from({length: 2000}, (_, i) => `m${i}`).sort())
    expect((await partitionsWhen(raised, (ps) => ps.every((p) => p.leader !== 2))).every((p) => p.leader !== 2)).toBe(true)

    await cluster.restart(2)
    for (const deadline = Date.now() + 90_000; ; await new Promise((r) => setTimeout(r, 500))) {
      const all = [...(await partitions(raised).catch(() => [])), ...(await partitions(topic).catch(() => []))]
      if (all.length === 9 && all.every((p) => p.isr.includes(2))) break
      if (Date.now() > deadline) throw new Error('broker 2 did not rejoin the ISRs within 90 s')
    }

    // The raised topic's partition preferred on broker 2 is led elsewhere; the prepared topic is not (2 is last).
    const plan = json<{rows: {topic: string; partition: number; candidates: number[]; eligible: boolean}[]}>(await run(['topics', 'elect-leaders', '--json']))
    const preferredOn2 = (await partitions(raised)).filter((p) => p.replicas[0] === 2).map((p) => p.partitionId)
    expect(preferredOn2).not.toEqual([])
    expect(plan.rows.filter((r) => r.topic === raised).map((r) => r.partition)).toEqual(preferredOn2)
    expect(plan.rows.filter((r) => r.topic === topic)).toEqual([])
    const elected = await run(['topics', 'elect-leaders', '--preferred', '--execute', '--json'])
    ok(elected)
    expect(json<{results: {outcome: string}[]}>(elected).results.every((r) => r.outcome === 'elected' || r.outcome === 'not-needed')).toBe(true)
    for (const p of await partitionsWhen(raised, (ps) => ps.every((x) => x.leader === x.replicas[0]))) expect(p.leader).toBe(p.replicas[0])

    // Spread the prepared topic's leaders again: broker 2 leads its share.
    const spread = await run(['topics', 'reassign', topic, '--leaders-only', '--execute', '--json'])
    ok(spread)
    const leaders = (await partitionsWhen(topic, (ps) => ps.every((p) => p.leader === p.replicas[0]))).map((p) => p.leader)
    expect([1, 2, 3].map((b) => leaders.filter((l) => l === b).length)).toEqual([2, 2, 2])
    const again = json<{changes: unknown[]}>(await run(['topics', 'reassign', topic, raised, '--json']))
    expect(again.changes).toEqual([])
  }, 240_000)

  it('follows a throttled reassignment, refuses it on a protected profile without --yes, cancels it and removes the throttle', async () => {
    // One partition of 3 MB: a follower's first fetch takes up to 1 MiB unthrottled, the rest waits for the throttle.
    const topic = uniqueName('slow')
    ok(await run(['topics', 'create', topic, '--partitions', '1', '--replication-factor', '1']))
    const lines = Array.from({length: 8000}, (_, i) => `k${i}\t${'v'.repeat(400)}`).join('\n') + '\n'
    ok(await run(['produce', topic, '-K', '\\t'], {input: lines}))

    const prod = protectedProfile()
    const refused = await run(['topics', 'reassign', topic, '--replication-factor', '2', '--execute', '-p', 'prod'], {env: prod})
    expect(refused.code).toBe(6)
    expect(refused.stderr).toContain('--yes')
    expect((await partitions(topic)).every((p) => p.replicas.length === 1)).toBe(true)

    const started = await run(['topics', 'reassign', topic, '--replication-factor', '2', '--execute', '--throttle', '20KiB', '--no-wait', '--json'])
    ok(started)
    const throttle = json<{throttle: {rate: number; brokers: number[]}}>(started).throttle
    expect(json(started)).toMatchObject({executed: true, completed: false, throttle: {rate: 20480}})
    expect(throttle.brokers).toHaveLength(2) // the partition's replica and the new one
    const status = json<{
      partitionsLeft: number
      bytesLeft: number
      inProgress: {topic: string; adding: number[]}[]
      throttles: {brokers: {broker: number; followerRate: number}[]; topics: {topic: string; follower: string[]}[]}
    }>(await run(['topics', 'reassign', '--status', topic, '--json']))
    expect(status.partitionsLeft).toBe(1)
    expect(status.bytesLeft).toBeGreaterThan(1_000_000)
    expect(status.inProgress.every((p) => p.topic === topic && p.adding.length === 1)).toBe(true)
    expect(status.throttles.brokers.map((b) => [b.broker, b.followerRate])).toEqual(throttle.brokers.map((b) => [b, 20480]))
    expect(status.throttles.topics[0].follower).toHaveLength(1)
    // A second plan over moving partitions is refused.
    const busy = await run(['topics', 'reassign', topic, '--replication-factor', '3', '--execute'])
    expect(busy.code).toBe(6)

    const plan = json<{executed: boolean; partitions: unknown[]}>(await run(['topics', 'reassign', '--cancel', topic, '--json']))
    expect(plan).toMatchObject({executed: false})
    expect(plan.partitions).toHaveLength(1)
    expect((await run(['topics', 'reassign', '--cancel', topic, '--execute', '-p', 'prod'], {env: prod})).code).toBe(6)
    const cancelled = await run(['topics', 'reassign', '--cancel', topic, '--execute', '-p', 'prod', '--yes', '--json'], {env: prod})
    ok(cancelled)
    expect(json(cancelled)).toMatchObject({executed: true, throttlesRemoved: {brokers: throttle.brokers, topics: [topic]}})
    expect((await partitionsWhen(topic, (ps) => ps.every((p) => p.replicas.length === 1))).every((p) => p.replicas.length === 1)).toBe(true)
    expect(json(await run(['topics', 'reassign', '--status', '--json']))).toMatchObject({inProgress: [], throttles: {brokers: [], topics: []}})
    expect(await keysByKcat(topic)).toHaveLength(8000)
  }, 180_000)

  it('cluster info names the Kafka version: exact for the cluster kafkit local started, the release from the brokers otherwise', async () => {
    const local = json<{version: {kafka: string; source: string; metadataVersion: string}; brokers: {kafkaVersion: string; rack: null}[]}>(await run(['cluster', 'info', '--json']))
    expect(local.version).toMatchObject({kafka: '4.4.0', source: 'kafkit local', metadataVersion: '4.4-IV2'})
    expect(local.brokers.map((b) => [b.kafkaVersion, b.rack])).toEqual([
      ['4.4', null],
      ['4.4', null],
      ['4.4', null],
    ])
    const elsewhere = await run(['cluster', 'info', '--json'], {env: {KAFKIT_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'kafkit-none-'))}})
    expect(json(elsewhere)).toMatchObject({version: {kafka: '4.4', source: 'ApiVersions', metadataVersionLevel: 33}})
    const text = await run(['cluster', 'info'])
    ok(text)
    expect(text.stdout).toMatch(/^kafka\t4\.4\.0 \(kafkit local\)$/m)
  }, 60_000)
})
