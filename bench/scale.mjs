/**
 * The scale clusters of the bench: one private single-node Kafka per size, built once and reused by later runs.
 *
 * Size i (BENCH_SCALE_SIZES, default "1000x100,3400x500": topics x groups) lives in
 * $BENCH_SCALE_DIR/<topics>t-<groups>g (default ~/.cache/kafkit/bench-scale) and listens on 127.0.0.1:<9960 + i>
 * (BENCH_SCALE_PORT; its KRaft controller on that port + 10000). It holds:
 *   - topics scale-00000 ... : 3 partitions each, 9 records each (3 a partition), replication factor 1;
 *   - groups scale-group-000 ...: each with offset 0 committed on 3 topics (9 partitions, lag 27), no members;
 *   - the group scale-reset: offset 0 committed on every partition of every topic (what `offsets reset` moves);
 *   - topics.yaml: the whole cluster as a topics file (`topics apply --check` finds nothing to do).
 * build.json, written last, records what was built and how long it took; a cluster without it is built again from
 * scratch. A built cluster that is not running is started (its data is kept); the bench never stops it:
 * `KAFKIT_LOCAL_DIR=<dir>/local kafkit local stop` does, `rm -rf <dir>` forgets it.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {KAFKIT} from './lib.mjs'

export const PARTITIONS = 3
export const RECORDS_PER_TOPIC = 9
export const TOPICS_PER_GROUP = 3
export const RESET_GROUP = 'scale-reset'
export const topicName = (i) => `scale-${String(i).padStart(5, '0')}`
export const groupName = (i) => `scale-group-${String(i).padStart(3, '0')}`

export function scaleSizes(env = process.env) {
  const base = Number(env.BENCH_SCALE_PORT ?? 9960)
  const root = env.BENCH_SCALE_DIR ?? join(homedir(), '.cache', 'kafkit', 'bench-scale')
  return (env.BENCH_SCALE_SIZES ?? '1000x100,3400x500').split(',').map((spec, i) => {
    const [topics, groups] = spec.split('x').map(Number)
    const dir = join(root, `${topics}t-${groups}g`)
    return {
      label: `${topics} topics / ${groups} groups`,
      topics,
      groups,
      partitions: topics * PARTITIONS,
      port: base + i,
      brokers: `127.0.0.1:${base + i}`,
      dir,
      localDir: join(dir, 'local'),
      topicsFile: join(dir, 'topics.yaml'),
    }
  })
}

const kafkitEnv = (size) => ({...process.env, KAFKIT_LOCAL_DIR: size.localDir, NO_COLOR: '1'})

function localRunning(size) {
  try {
    execFileSync(process.execPath, [KAFKIT, 'local', 'status'], {env: kafkitEnv(size), stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

function localStart(size, log) {
  const started = Date.now()
  // 1 GB of heap: the default 512 MB is short for ~10,000 partitions' metadata and the group coordinator.
  execFileSync(process.execPath, [KAFKIT, 'local', 'start', '--port', String(size.port), '--heap', '1g', '--wait', '10m'], {env: kafkitEnv(size), stdio: ['ignore', 'ignore', 'inherit']})
  log(`  scale ${size.label}: broker up on ${size.brokers} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
}

async function admin(size) {
  const {default: kafkajs} = await import('kafkajs')
  const kafka = new kafkajs.Kafka({clientId: 'kafkit-bench-scale', brokers: [size.brokers], logLevel: kafkajs.logLevel.NOTHING, requestTimeout: 120_000})
  const a = kafka.admin()
  await a.connect()
  return {kafka, admin: a}
}

const chunks = (n, size) => Array.from({length: Math.ceil(n / size)}, (_, c) => Array.from({length: Math.min(size, n - c * size)}, (_, j) => c * size + j))

/** Creates, fills and seeds one size's cluster (from scratch: a half-built one is wiped first). */
async function build(size, log) {
  const t0 = Date.now()
  const phase = {}
  const mark = (name, since) => (phase[name] = Math.round((Date.now() - since) / 1000))
  if (existsSync(size.localDir)) {
    try {
      execFileSync(process.execPath, [KAFKIT, 'local', 'stop'], {env: kafkitEnv(size), stdio: 'ignore'})
    } catch {
      // nothing was running
    }
  }
  rmSync(size.dir, {recursive: true, force: true})
  mkdirSync(size.dir, {recursive: true})
  log(`  scale ${size.label}: building in ${size.dir} (once; later runs reuse it)`)
  let t = Date.now()
  localStart(size, log)
  mark('brokerStartS', t)
  const {kafka, admin: a} = await admin(size)
  try {
    t = Date.now()
    for (const chunk of chunks(size.topics, 200)) {
      await a.createTopics({topics: chunk.map((i) => ({topic: topicName(i), numPartitions: PARTITIONS, replicationFactor: 1})), waitForLeaders: false, timeout: 120_000})
      log(`  scale ${size.label}: ${chunk.at(-1) + 1}/${size.topics} topics created`)
    }
    // Every partition must have a leader before records go in.
    for (let tries = 0; ; tries++) {
      const md = await a.fetchTopicMetadata({topics: []}).catch(() => ({topics: []}))
      const ready = md.topics.filter((x) => x.name.startsWith('scale-')).reduce((n, x) => n + x.partitions.filter((p) => p.leader >= 0).length, 0)
      if (ready >= size.partitions) break
      if (tries > 600) throw new Error(`scale ${size.label}: only ${ready}/${size.partitions} partitions have a leader`)
      await new Promise((r) => setTimeout(r, 1000))
    }
    mark('topicsS', t)

    t = Date.now()
    const producer = kafka.producer({allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1})
    await producer.connect()
    const per = RECORDS_PER_TOPIC / PARTITIONS
    for (const chunk of chunks(size.topics, 250)) {
      await producer.sendBatch({
        acks: -1,
        topicMessages: chunk.map((i) => ({
          topic: topicName(i),
          messages: Array.from({length: RECORDS_PER_TOPIC}, (_, r) => ({partition: Math.floor(r / per), key: `k${r}`, value: `${topicName(i)} record ${r}`})),
        })),
      })
    }
    await producer.disconnect()
    mark('recordsS', t)

    t = Date.now()
    // One OffsetCommit per group with generation -1 and no member (what the Java AdminClient's
    // alterConsumerGroupOffsets sends): kafkajs' admin.setOffsets joins the group once per topic, seconds a call.
    const owner = kafka
    const factory = owner[Object.getOwnPropertySymbols(owner).find((s) => s.description === 'private:Kafka:createCluster')]
    const cluster = factory({})
    await cluster.connect()
    const commit = async (groupId, topics) => {
      const zeros = Array.from({length: PARTITIONS}, (_, partition) => ({partition, offset: '0'}))
      for (const chunk of chunks(topics.length, 1000)) {
        // The first commits wait for __consumer_offsets to be created and loaded (NOT_COORDINATOR, ...).
        for (let tries = 0; ; tries++) {
          try {
            const coordinator = await cluster.findGroupCoordinator({groupId})
            await coordinator.offsetCommit({groupId, groupGenerationId: -1, memberId: '', topics: chunk.map((j) => ({topic: topics[j], partitions: zeros}))})
            break
          } catch (error) {
            if (!error.retriable || tries > 120) throw error
            await new Promise((r) => setTimeout(r, 1000))
          }
        }
      }
    }
    for (let g = 0; g < size.groups; g++)
      await commit(
        groupName(g),
        Array.from({length: TOPICS_PER_GROUP}, (_, k) => topicName((g * TOPICS_PER_GROUP + k) % size.topics)),
      )
    await commit(
      RESET_GROUP,
      Array.from({length: size.topics}, (_, i) => topicName(i)),
    )
    await cluster.disconnect()
    mark('groupsS', t)
  } finally {
    await a.disconnect()
  }
  const lines = ['topics:']
  for (let i = 0; i < size.topics; i++) lines.push(`  - {name: ${topicName(i)}, partitions: ${PARTITIONS}, replicationFactor: 1}`)
  writeFileSync(size.topicsFile, lines.join('\n') + '\n')
  const manifest = {
    topics: size.topics,
    groups: size.groups,
    partitions: size.partitions,
    port: size.port,
    builtAt: new Date().toISOString(),
    buildS: Math.round((Date.now() - t0) / 1000),
    phases: phase,
  }
  writeFileSync(join(size.dir, 'build.json'), JSON.stringify(manifest, null, 2) + '\n')
  log(`  scale ${size.label}: built in ${manifest.buildS} s (${JSON.stringify(phase)})`)
  return manifest
}

/** The cluster of one size, built if needed and running; returns its build.json. */
export async function ensureScaleCluster(size, log) {
  const manifestFile = join(size.dir, 'build.json')
  if (!existsSync(manifestFile)) return build(size, log)
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
  if (!localRunning(size)) localStart(size, log)
  return manifest
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `node bench/scale.mjs`: build (or start) every size without running the bench.
  for (const size of scaleSizes()) console.log(JSON.stringify(await ensureScaleCluster(size, (l) => process.stderr.write(`${l}\n`))))
}
