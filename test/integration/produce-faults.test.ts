/**
 * Produce with faults, on a private 3-node cluster (ports 9955-9957, controllers +10000): the idempotent writer's
 * pipelined requests (5 in flight, compressed or not, kafkit's own sequence numbers: src/kafka/kafkajs/patches/sequences.ts)
 * keep every record exactly once and each partition in input order while a node is SIGKILLed and restarted in
 * the middle of a produce, or is down when the produce starts and comes back during it (its retried batches go in
 * sequence order); and a produce given every node while one is dead uses the live ones and waits for a
 * new leader (it exited 4 when kafkajs asked the dead node for a producer id). Read back by kcat.
 */
import {execFile} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {kafkit, uniqueName} from './helpers.js'
import {type IsolatedCluster, isolatedCluster} from './isolated-cluster.js'

const exec = promisify(execFile)
const PORT = 9955
const dir = mkdtempSync(join(tmpdir(), 'kafkit-produce-faults-'))

/** A topic with these replicas per partition (the first one leads), once every partition has its leader. */
async function topicOn(cluster: IsolatedCluster, name: string, replicas: number[][]): Promise<string> {
  const admin = new kafkajs.Kafka({brokers: cluster.brokers.split(','), logLevel: kafkajs.logLevel.NOTHING}).admin()
  await admin.connect()
  try {
    await admin.createTopics({waitForLeaders: false, topics: [{topic: name, replicaAssignment: replicas.map((nodes, partition) => ({partition, replicas: nodes}))}]})
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const meta = await admin.fetchTopicMetadata({topics: [name]}).catch(() => undefined)
      if (meta?.topics[0]?.partitions.length === replicas.length && meta.topics[0].partitions.every((p) => p.leader === replicas[p.partitionId][0])) return name
    }
    throw new Error(`topic ${name} has no leaders after 60 s`)
  } finally {
    await admin.disconnect()
  }
}

/** Every record of the topic as `partition value`, per partition in offset order (kcat). */
async function readAll(brokers: string, topic: string): Promise<Map<number, string[]>> {
  const {stdout} = await exec('kcat', ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %s\n'], {maxBuffer: 256 << 20, timeout: 120_000})
  const out = new Map<number, string[]>()
  for (const line of stdout.split('\n')) {
    if (!line) continue
    const space = line.indexOf(' ')
    const p = Number(line.slice(0, space))
    let list = out.get(p)
    if (!list) out.set(p, (list = []))
    list.push(line.slice(space + 1))
  }
  return out
}

/** `total` numbered lines (`0000001 xxx…`): read back, each line's number says where it belongs. */
function numberedLines(total: number): string {
  return Array.from({length: total}, (_, i) => `${String(i + 1).padStart(7, '0')} ${'x'.repeat(40)}`).join('\n') + '\n'
}

/** Every numbered line (1..total) read exactly once, and each partition in input order. */
function expectEachLineOnceInOrder(read: Map<number, string[]>, total: number, label: string): void {
  const seen = new Uint8Array(total + 1)
  let count = 0
  for (const [partition, values] of read) {
    let last = 0
    for (const value of values) {
      const n = Number(value.slice(0, 7))
      expect(n, `${label}, partition ${partition}: line ${n} after line ${last}`).toBeGreaterThan(last)
      last = n
      seen[n]++
      count++
    }
  }
  expect(count, label).toBe(total)
  expect(
    seen.subarray(1).every((s) => s === 1),
    label,
  ).toBe(true)
}

describe('produce while a node of three fails', () => {
  let cluster: IsolatedCluster
  let deadTopic: string
  let killed = false
  beforeAll(async () => {
    cluster = await isolatedCluster({nodes: 3, port: PORT})
    // Made while every node runs (the test's plain kafkajs admin asks 'the controller', which may be the dead one).
    deadTopic = await topicOn(cluster, uniqueName('faults-dead'), [
      [2, 1],
      [1, 3],
      [3, 1],
    ])
  }, 300_000)
  afterAll(async () => {
    await cluster?.destroy()
  }, 120_000)

  it('a node SIGKILLed and restarted in the middle of two produces, uncompressed (300,000 numbered lines) and gzip (100,000), 5 requests in flight: every line exactly once, each partition in input order', async () => {
    // Replication factor 1 on nodes 1 and 2: node 2's partitions wait for it to come back (its log, and the
    // producer state in it, recovered after the SIGKILL). Records without keys go to each partition in turn.
    // Uncompressed lines take kafkit's encoder (record runs); gzip takes kafkajs' (asynchronous compression, which
    // once let a later request overtake an earlier one): both run at once, through the same restart.
    const runs = [
      {codec: 'none', total: 300_000, rate: 60_000},
      {codec: 'gzip', total: 100_000, rate: 20_000},
    ]
    const produces = await Promise.all(
      runs.map(async ({codec, total, rate}) => {
        const topic = await topicOn(cluster, uniqueName(`faults-restart-${codec}`), [[1], [2], [1], [2]])
        const file = join(dir, `numbered-${codec}.txt`)
        writeFileSync(file, numberedLines(total))
        return {codec, total, topic, file, rate}
      }),
    )
    // --rate spreads each produce over ~5 s, so that the kill lands in the middle of it; small batches put many
    // requests in flight per partition (5, the default).
    const results = produces.map(({codec, topic, file, rate}) =>
      kafkit(['produce', topic, '-f', file, '-z', codec, '--rate', String(rate), '--batch-size', '16KiB', '--timeout', '3m', '--json'], {env: {KAFKIT_BROKERS: cluster.brokers}, timeoutMs: 240_000}),
    )
    await new Promise((r) => setTimeout(r, 2500))
    await cluster.kill(2)
    await cluster.restart(2)
    for (const [i, {codec, total, topic}] of produces.entries()) {
      const result = await results[i]
      expect(result.code, `${codec}: ${result.stderr}`).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({records: total, failed: 0})

      const read = await readAll(cluster.brokers, topic)
      expectEachLineOnceInOrder(read, total, codec)
      expect(read.get(1)?.length ?? 0).toBeGreaterThan(0)
      expect(read.get(0)?.length ?? 0).toBeGreaterThan(0)
    }
  }, 300_000)

  it('a node dead when the produce starts and back seconds later: the batches retried for its partitions go in sequence order, every line once, in input order', async () => {
    // A broker that restarts with none of this producer's records has no state for it, and takes whatever
    // sequence comes first: retried batches sent all at once (5 in flight) let a later one in before the first,
    // which the broker then refused as out of order (exit 5; seen in CI). Retries now go in sequence order.
    await cluster.allUp()
    const topic = await topicOn(cluster, uniqueName('faults-late'), [[1], [2], [1], [2]])
    const total = 60_000
    const file = join(dir, 'numbered-late.txt')
    writeFileSync(file, numberedLines(total))
    await cluster.kill(2)
    const result = kafkit(['produce', topic, '-f', file, '--rate', '20000', '--batch-size', '16KiB', '--timeout', '3m', '--json'], {env: {KAFKIT_BROKERS: cluster.brokers}, timeoutMs: 240_000})
    await new Promise((r) => setTimeout(r, 2000))
    await cluster.restart(2)
    const r = await result
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({records: total, failed: 0})
    const read = await readAll(cluster.brokers, topic)
    expectEachLineOnceInOrder(read, total, 'late node')
    expect(read.get(1)?.length ?? 0).toBeGreaterThan(0)
  }, 300_000)

  it('-b listing every node, one SIGKILLed: produce uses the live ones and waits for the new leader (it exited 4 when kafkajs asked the dead one for a producer id)', async () => {
    const topic = deadTopic
    if (!killed) await cluster.kill(2)
    killed = true
    // Which node the metadata names as "the controller" is random, and a dead node stays in it until it is
    // fenced (seconds): several runs, started at once. Keys put records on every partition, node 2's included.
    const runs = 4
    const partitions = new Set<string>()
    for (let run = 0; run < runs; run++) {
      const lines = Array.from({length: 2000}, (_, i) => `k${i % 50}:run${run}-${i}`)
      const result = await kafkit(['produce', topic, '-K', ':', '-b', cluster.brokers, '--timeout', '40s', '--json'], {input: lines.join('\n') + '\n', timeoutMs: 90_000})
      expect(result.code, `run ${run}: ${result.stderr}`).toBe(0)
      const summary = JSON.parse(result.stdout) as {records: number; failed: number; partitions: Record<string, number>}
      expect(summary).toMatchObject({records: 2000, failed: 0})
      for (const p of Object.keys(summary.partitions)) partitions.add(p)
    }
    expect(partitions).toEqual(new Set(['0', '1', '2']))
    const live = cluster.brokers
      .split(',')
      .filter((_, i) => i !== 1)
      .join(',')
    const read = await readAll(live, topic)
    expect([...read.values()].reduce((n, list) => n + list.length, 0)).toBe(runs * 2000)
  }, 240_000)
})
