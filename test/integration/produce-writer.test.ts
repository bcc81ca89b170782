/**
 * RecordWriter (src/kafka/writer.ts) used directly, the way replay will use it, against the real broker:
 * checkpoints from onAck are monotonic, never ahead of what was acknowledged, and end at the last offsets; small
 * batches, several idempotent requests in flight, each partition in order.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createClient, type KafkaClient} from '../../src/kafka/client.js'
import {installKafkaJSPatches} from '../../src/kafka/kafkajs/patches.js'
import {RecordWriter, type BatchAck} from '../../src/kafka/writer.js'
import {TEST_BROKERS, createTopicWithLeaders, kafkit, uniqueName} from './helpers.js'

// Before kafkajs loads, as in the CLI: kafkit's sendMessages, so the idempotent writer pipelines (5 in flight).
expect(installKafkaJSPatches().sendMessages).toBe(true)
const {default: kafkajs} = await import('kafkajs')

const kafka = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), clientId: 'produce-writer-test', logLevel: kafkajs.logLevel.NOTHING})
const admin = kafka.admin()
let client: KafkaClient

beforeAll(async () => {
  await admin.connect()
  client = await createClient({profile: 'test', brokers: TEST_BROKERS.split(','), protected: false, clientId: 'kafkit-test'} as Parameters<typeof createClient>[0], {timeoutMs: 15_000})
})
afterAll(async () => {
  await client?.disconnect()
  await admin.disconnect()
})

describe('RecordWriter', () => {
  it('acknowledges every record and reports safe, monotonic source checkpoints', async () => {
    const topic = uniqueName('produce-writer')
    await admin.createTopics({waitForLeaders: false, topics: [{topic, numPartitions: 3, replicationFactor: 1}]})
    for (let i = 0; i < 100; i++) {
      const {topics} = await admin.fetchTopicMetadata({topics: [topic]}).catch(() => ({topics: []}))
      if (topics[0]?.partitions.length === 3 && topics[0].partitions.every((p) => p.leader >= 0)) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const acks: BatchAck[] = []
    let acknowledged = 0
    const checkpoints = new Map<string, number[]>()
    const writer = await RecordWriter.open(client, {
      topic,
      partitions: 3,
      batchBytes: 2000, // small batches: many requests, several in flight
      requestBytes: 4000,
      requestTimeoutMs: 15_000,
      onAck: (ack) => {
        acks.push(ack)
        acknowledged += ack.records
        for (const [source, offset] of ack.committed) checkpoints.set(source, [...(checkpoints.get(source) ?? []), offset])
      },
    })
    const total = 2000
    for (let i = 0; i < total; i++) {
      const source = i % 2 === 0 ? 'src/0' : 'src/1'
      const wait = writer.write({key: Buffer.from(`k${i % 37}`), value: Buffer.from(`value-${i}`)}, {source, offset: 1000 + i})
      if (wait) await wait
    }
    const stats = await writer.close()
    expect(stats).toMatchObject({written: total, delivered: total, failed: 0})
    expect(acknowledged).toBe(total)
    expect(acks.length).toBeGreaterThan(5)
    for (const [source, list] of checkpoints) {
      expect([...list].sort((a, b) => a - b)).toEqual(list) // monotonic
      expect(list.at(-1)).toBe(source === 'src/0' ? 1000 + total - 2 : 1000 + total - 1)
    }
    const offsets = await admin.fetchTopicOffsets(topic)
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(total)
    expect(Object.values(stats.partitions).reduce((a, b) => a + b, 0)).toBe(total)
  })

  it('writes plain values as record runs (writeValues), mixed with record objects, nothing lost or reordered', async () => {
    // No retention: partition 2 may hold only records stamped in 2023, which the broker's retention check (every
    // 5 minutes) would delete during the test.
    const topic = await createTopicWithLeaders(admin, uniqueName('produce-runs'), 3, {'retention.ms': '-1'})
    const writer = await RecordWriter.open(client, {topic, partitions: 3, batchBytes: 3000, requestBytes: 5000, requestTimeoutMs: 15_000})
    const lines = Array.from({length: 1500}, (_, i) => (i % 100 === 7 ? '' : i % 250 === 3 ? 'long-'.repeat(900) + i : `value-${i}`))
    const data = Buffer.from(lines.join('\n'))
    const bounds: number[] = []
    for (let start = 0, i = 0; i < lines.length; i++) {
      const end = start + Buffer.byteLength(lines[i])
      bounds.push(start, end)
      start = end + 1
    }
    const wait = async (w: Promise<void> | undefined) => w && (await w)
    await wait(writer.writeValues(data, bounds, 0, 700)) // sticky partitions
    await wait(writer.write({key: Buffer.from('k'), value: Buffer.from('an object'), partition: 1}))
    await wait(writer.writeValues(data, bounds, 700, 1500, {partition: 2, timestamp: 1_700_000_000_000}))
    const stats = await writer.close()
    expect(stats).toMatchObject({written: 1501, delivered: 1501, failed: 0})
    expect(stats.requests).toBeGreaterThan(10)

    const out = await kafkit(['consume', topic, '-b', TEST_BROKERS, '--exit', '--format', 'json'])
    expect(out.code).toBe(0)
    const read = out.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {partition: number; key: string | null; value: string; timestamp: string})
    expect(read).toHaveLength(1501)
    const byPartition = (p: number) => read.filter((r) => r.partition === p)
    expect(
      byPartition(1)
        .filter((r) => r.key === 'k')
        .map((r) => r.value),
    ).toEqual(['an object'])
    // Fixed partition and timestamp, in order.
    expect(
      byPartition(2)
        .slice(-800)
        .map((r) => r.value),
    ).toEqual(lines.slice(700))
    expect(
      new Set(
        byPartition(2)
          .slice(-800)
          .map((r) => r.timestamp),
      ),
    ).toEqual(new Set(['2023-11-14T22:13:20.000Z']))
    // Sticky records: every value once, each partition's share in input order.
    const sticky = read.filter((r) => r.key === null && !(r.partition === 2 && r.timestamp.startsWith('2023')))
    expect(sticky.map((r) => r.value).sort()).toEqual(lines.slice(0, 700).sort())
    for (const p of [0, 1, 2]) {
      const values = sticky.filter((r) => r.partition === p && r.value !== '').map((r) => r.value)
      expect(values).toEqual(lines.slice(0, 700).filter((v) => values.includes(v)))
    }
  })
})
