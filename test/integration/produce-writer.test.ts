/**
 * RecordWriter (src/kafka/writer.ts) used directly, the way replay will use it, against the real broker:
 * checkpoints from onAck are monotonic, never ahead of what was acknowledged, and end at the last offsets.
 */
import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createClient, type KafkaClient} from '../../src/kafka/client.js'
import {RecordWriter, type BatchAck} from '../../src/kafka/writer.js'
import {TEST_BROKERS, uniqueName} from './helpers.js'

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
})
