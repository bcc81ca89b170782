/**
 * Cross-cluster replay: a second cluster at KAFKIT_TEST_BROKERS_2 when one answers there, else a private one
 * started for this file on port 9700 (./isolated-cluster.ts) and removed afterwards.
 */
import {mkdtempSync} from 'node:fs'
import {createConnection} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createClient} from '../../src/kafka/client.js'
import {ReaderSession} from '../../src/kafka/reader.js'
import {TEST_BROKERS, json, kafkit, uniqueName} from './helpers.js'
import {IsolatedCluster, isolatedCluster} from './isolated-cluster.js'

let SECOND = process.env.KAFKIT_TEST_BROKERS_2 ?? '127.0.0.1:9700'

async function reachable(address: string): Promise<boolean> {
  const [host, port] = address.split(',')[0].split(':')
  return new Promise((resolve) => {
    const socket = createConnection({host, port: Number(port)})
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)))
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

async function createTopic(brokers: string, name: string, partitions: number): Promise<void> {
  // No retention: the records are stamped in 2023, and the broker's retention check (every 5 minutes) would
  // otherwise delete them during the test (seen: the second replay found every partition starting at 20).
  const admin = new kafkajs.Kafka({brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING}).admin()
  await admin.connect()
  try {
    await admin.createTopics({waitForLeaders: true, topics: [{topic: name, numPartitions: partitions, replicationFactor: 1, configEntries: [{name: 'retention.ms', value: '-1'}]}]})
  } finally {
    await admin.disconnect()
  }
}

async function readAll(brokers: string, topic: string): Promise<string[]> {
  const client = await createClient({profile: 'test', brokers: brokers.split(','), clientId: 'replay-test'}, {timeoutMs: 15_000})
  const session = await ReaderSession.open(client)
  try {
    const meta = (await session.topics()).find((t) => t.topic === topic)!
    const windows = await session.planWindows([{topic, partitions: meta.partitions.map((p) => p.partition)}], {from: {kind: 'beginning'}, exitAtEnd: true})
    const rows: string[] = []
    for await (const batch of session.read(windows)) {
      for (const r of batch.records)
        rows.push(JSON.stringify([batch.partition, r.key?.toString('hex'), r.value?.toString('hex'), r.timestamp, Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)])]))
    }
    return rows.sort()
  } finally {
    await session.close()
    await client.disconnect()
  }
}

describe('replay across clusters', () => {
  let own: IsolatedCluster | undefined
  beforeAll(async () => {
    if (await reachable(SECOND)) return
    own = await isolatedCluster({nodes: 1, port: 9700})
    SECOND = own.brokers
  }, 180_000)
  afterAll(async () => {
    await own?.destroy()
  }, 60_000)

  it('copies a window to another cluster with --to-brokers: same records, partitions, timestamps and headers', async () => {
    const src = uniqueName('replay-x-src')
    const dst = uniqueName('replay-x-dst')
    await createTopic(TEST_BROKERS, src, 3)
    await createTopic(SECOND, dst, 3)
    const producer = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING}).producer({idempotent: true})
    await producer.connect()
    await producer.send({
      topic: src,
      messages: Array.from({length: 60}, (_, i) => ({partition: i % 3, key: `k${i}`, value: `v${i}`, timestamp: String(1_700_000_000_000 + i), headers: {n: String(i)}})),
    })
    await producer.disconnect()
    const state = mkdtempSync(join(tmpdir(), 'kafkit-replay-x-'))
    const result = await kafkit(['replay', src, dst, '--to-brokers', SECOND, '--from', '2', '--to', '17', '--json'], {env: {KAFKIT_STATE_DIR: state}})
    expect(result.code, result.stderr).toBe(0)
    const summary = json<{records: number; source: {cluster: string}; destination: {cluster: string}}>(result)
    expect(summary.records).toBe(48)
    expect(summary.source.cluster).not.toBe(summary.destination.cluster)
    const [a, b] = await Promise.all([readAll(TEST_BROKERS, src), readAll(SECOND, dst)])
    const window = a.filter((row) => {
      const v = Number(Buffer.from(JSON.parse(row)[2], 'hex').toString().slice(1))
      const offset = Math.floor(v / 3)
      return offset >= 2 && offset <= 17
    })
    expect(b).toEqual(window)
    // The same topic name on another cluster is not "the same topic".
    await createTopic(SECOND, src, 3)
    const same = await kafkit(['replay', src, src, '--to-brokers', SECOND, '--from', '0', '--to', '0', '--json'], {env: {KAFKIT_STATE_DIR: state}})
    expect(same.code, same.stderr).toBe(0)
    expect(json<{records: number}>(same).records, `${same.stdout}\n${same.stderr}`).toBe(3)
  }, 120_000)
})
