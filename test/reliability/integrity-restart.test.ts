/**
 * Issue #17 item 8, on a private one-node cluster (ports 9840-9849): right after a broker restart, partitions
 * take seconds to get their leaders back (a few thousand partitions make the window visible). Reads started in
 * that window (`consume`, `offsets list`, and `consume --group`, whose coordinator loads again) wait within
 * --timeout instead of failing with kafkajs' "This server is not the leader for that topic-partition" or
 * "Failed to find group coordinator"; `kafkit local start` returns only once the node serves every partition.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import {afterAll, describe, expect, it} from 'vitest'
import {Kafka, logLevel} from 'kafkajs'

import {isListening} from '../../src/local/ports.js'
import {type RunResult, kafkit, uniqueName} from '../integration/helpers.js'
import {type IsolatedCluster, isolatedCluster} from '../integration/isolated-cluster.js'

const PORT = 9840
// Enough for a window of seconds on a lone machine (about 6,500 made ~6 s), few enough for a small CI machine.
const PARTITIONS = 2000

describe('reads right after a broker restart (#17 item 8)', () => {
  let cluster: IsolatedCluster | undefined
  afterAll(async () => {
    await cluster?.destroy()
  }, 180_000)

  it(`consume and offsets list started as soon as the restarted node listens wait for the leaders of ${PARTITIONS} partitions; local start returns once they are served`, async () => {
    cluster = await isolatedCluster({nodes: 1, port: PORT})
    const env = {KAFKIT_BROKERS: cluster.brokers}
    const topic = uniqueName('restart-many')
    const created = await kafkit(['topics', 'create', topic, '--partitions', String(PARTITIONS), '--timeout', '120s'], {env, timeoutMs: 180_000})
    expect(created.code, created.stderr).toBe(0)
    // A new topic's partitions are served only once their logs exist (minutes on a busy machine): `offsets list`
    // waits for that within its --timeout.
    const served = await kafkit(['offsets', 'list', topic, '--timeout', '5m'], {env, timeoutMs: 360_000})
    expect(served.code, served.stderr).toBe(0)
    const records = Array.from({length: 500}, (_, i) => `r${i}`)
    const produced = await kafkit(['produce', topic, '--timeout', '5m'], {env, input: records.join('\n') + '\n', timeoutMs: 360_000})
    expect(produced.code, produced.stderr).toBe(0)
    // A group that has read (and committed) everything: after the restart its coordinator has to load again.
    const group = uniqueName('restart-group')
    const first = await kafkit(['consume', topic, '--group', group, '-e', '--timeout', '5m'], {env, timeoutMs: 360_000})
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout.split('\n').filter(Boolean)).toHaveLength(records.length)

    await cluster.stop()
    // Start it again in the background, and read as soon as its port answers: inside the leaderless window.
    const starting = kafkit(['local', 'start', '--wait', '8m'], {env: cluster.env, noBrokers: true, timeoutMs: 540_000})
    while (!(await isListening(PORT, '127.0.0.1'))) await sleep(50)
    const listeningAt = Date.now()
    const [consumed, offsets, grouped] = await Promise.all([
      kafkit(['consume', topic, '-e', '--timeout', '6m'], {env, timeoutMs: 420_000}),
      kafkit(['offsets', 'list', topic, '--json', '--timeout', '6m'], {env, timeoutMs: 420_000}),
      kafkit(['consume', topic, '--group', group, '-e', '--timeout', '6m'], {env, timeoutMs: 420_000}),
    ])
    const readsDoneAt = Date.now()
    const started: RunResult = await starting
    const startReturnedAfterMs = Date.now() - listeningAt
    console.log(
      `[integrity] restart with ${PARTITIONS} partitions: consume exit ${consumed.code} after ${consumed.durationMs} ms, offsets list exit ${offsets.code} after ${offsets.durationMs} ms, consume --group exit ${grouped.code} after ${grouped.durationMs} ms (all started when the port listened); local start returned ${startReturnedAfterMs} ms after the port listened (the reads were done after ${readsDoneAt - listeningAt} ms)`,
    )
    expect(consumed.code, consumed.stderr).toBe(0)
    expect(offsets.code, offsets.stderr).toBe(0)
    expect(grouped.code, grouped.stderr).toBe(0)
    expect(grouped.stdout).toBe('') // its commits survived the restart: nothing is read twice
    expect(started.code, started.stderr).toBe(0)

    // Right after `local start` returned, a plain kafkajs admin (which gives up at the first NOT_LEADER) works.
    const kafka = new Kafka({brokers: [cluster.brokers], logLevel: logLevel.NOTHING})
    const admin = kafka.admin()
    await admin.connect()
    const plain = await admin.fetchTopicOffsets(topic).then(
      (o) => ({ok: true as const, partitions: o.length}),
      (e: Error) => ({ok: false as const, error: e.message}),
    )
    const metadata = await admin.fetchTopicMetadata({topics: [topic]})
    await admin.disconnect()

    expect(consumed.stdout.split('\n').filter(Boolean).sort()).toEqual([...records].sort())
    const rows = (JSON.parse(offsets.stdout) as {partitions: {latest: number}[]}).partitions
    expect(rows).toHaveLength(PARTITIONS)
    expect(rows.reduce((n, r) => n + r.latest, 0)).toBe(records.length)
    expect(plain).toEqual({ok: true, partitions: PARTITIONS})
    expect(metadata.topics[0].partitions.every((p) => p.leader >= 0)).toBe(true)
  }, 1_500_000)
})
