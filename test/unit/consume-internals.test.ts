/**
 * kafkit reads partitions through kafkajs internals (src/kafka/kafkajs/internals.ts). These tests pin every assumption
 * about them, so that a kafkajs upgrade that moves or changes one fails here rather than in a user's command.
 * The broker-facing behaviour is covered against the real broker in test/integration/consume*.test.ts.
 */
import {createRequire} from 'node:module'

import kafkajs from 'kafkajs'
import {describe, expect, it} from 'vitest'

import {registerCodecs} from '../../src/kafka/kafkajs/codecs.js'
import {
  abortPendingRequests,
  createInternalCluster,
  fetchFromBroker,
  type InternalCluster,
  type InternalMessage,
  listOffsetsOfTopics,
  loadBatchClass,
  loadProtocol,
  partitionsByTopic,
} from '../../src/kafka/kafkajs/internals.js'

const require = createRequire(import.meta.url)

const message = (offset: number, extra: Partial<InternalMessage> & {producerId?: string; inTransaction?: boolean; first?: number; delta?: number} = {}): InternalMessage => ({
  offset: String(offset),
  timestamp: '1700000000000',
  key: extra.key ?? Buffer.from(`k${offset}`),
  value: extra.value ?? Buffer.from(`v${offset}`),
  headers: {},
  isControlRecord: extra.isControlRecord ?? false,
  batchContext: {firstOffset: String(extra.first ?? offset), lastOffsetDelta: extra.delta ?? 0, inTransaction: extra.inTransaction ?? false, producerId: extra.producerId ?? '-1'},
})

/** An aborted transaction (producer 7, offsets 0-1, abort marker 2), then a committed one (producer 8, 3-4, commit marker 5). */
const transactional = {
  partition: 0,
  errorCode: 0,
  highWatermark: '6',
  lastStableOffset: '6',
  abortedTransactions: [{producerId: '7', firstOffset: '0'}],
  messages: [
    message(0, {producerId: '7', inTransaction: true, first: 0, delta: 1}),
    message(1, {producerId: '7', inTransaction: true, first: 0, delta: 1}),
    message(2, {producerId: '7', inTransaction: true, isControlRecord: true, key: Buffer.from([0, 0, 0, 0])}),
    message(3, {producerId: '8', inTransaction: true, first: 3, delta: 1}),
    message(4, {producerId: '8', inTransaction: true, first: 3, delta: 1}),
    message(5, {producerId: '8', inTransaction: true, isControlRecord: true, key: Buffer.from([0, 0, 0, 1])}),
  ],
}

describe('kafkajs internals kafkit relies on', () => {
  it('Kafka creates internal clusters through a private:Kafka:createCluster symbol', () => {
    const kafka = new kafkajs.Kafka({brokers: ['127.0.0.1:1'], logLevel: kafkajs.logLevel.NOTHING})
    const cluster = createInternalCluster(kafka) as unknown as Record<string, unknown>
    for (const method of ['connect', 'disconnect', 'refreshMetadata', 'addMultipleTargetTopics', 'metadata', 'findLeaderForPartitions', 'findBroker', 'fetchTopicsOffset']) {
      expect(typeof cluster[method], method).toBe('function')
    }
    expect(cluster.isolationLevel).toBe(1) // read committed
  })

  it('connections can fail their pending requests (abortPendingRequests walks brokerPool -> connectionPool.pool)', async () => {
    const kafka = new kafkajs.Kafka({brokers: ['127.0.0.1:1'], logLevel: kafkajs.logLevel.NOTHING})
    const cluster = createInternalCluster(kafka)
    const pool = (cluster as unknown as {brokerPool: {createSeedBroker(): Promise<void>; seedBroker: {connectionPool: {pool: unknown[]}}}}).brokerPool
    await pool.createSeedBroker()
    const connections = pool.seedBroker.connectionPool.pool as {rejectRequests: unknown}[]
    expect(connections.length).toBeGreaterThan(0)
    for (const c of connections) expect(typeof c.rejectRequests).toBe('function')
    expect(() => abortPendingRequests(cluster)).not.toThrow()
  })

  it('listOffsetsOfTopics: metadata in brokerPool.metadata.topicMetadata, Broker.listOffsets takes many topics', async () => {
    const Broker = require('kafkajs/src/broker') as {prototype: Record<string, unknown>}
    expect(typeof Broker.prototype.listOffsets).toBe('function')
    // A cluster whose metadata was read: one ListOffsets per leader, answers by topic and partition.
    const sent: {nodeId: string; topics: {topic: string; partitions: {partition: number; timestamp: number}[]}[]}[] = []
    const cluster = {
      isolationLevel: 1,
      brokerPool: {
        metadata: {
          topicMetadata: [
            {
              topic: 'a',
              partitionMetadata: [
                {partitionId: 0, leader: 1},
                {partitionId: 1, leader: 2},
              ],
            },
            {topic: 'b', partitionMetadata: [{partitionId: 0, leader: 1}]},
          ],
        },
      },
      findBroker: async ({nodeId}: {nodeId: string}) => ({
        listOffsets: async ({topics}: {topics: {topic: string; partitions: {partition: number; timestamp: number}[]}[]}) => {
          sent.push({nodeId, topics})
          return {responses: topics.map((t) => ({topic: t.topic, partitions: t.partitions.map((p) => ({partition: p.partition, offset: String(10 * Number(nodeId) + p.partition)}))}))}
        },
      }),
    } as unknown as InternalCluster
    const offsets = await listOffsetsOfTopics(
      cluster,
      [
        {topic: 'a', partitions: [0, 1]},
        {topic: 'b', partitions: [0]},
      ],
      'earliest',
    )
    expect(sent.map((s) => s.nodeId).sort()).toEqual(['1', '2'])
    expect(sent.find((s) => s.nodeId === '1')!.topics).toEqual([
      {topic: 'a', partitions: [{partition: 0, timestamp: -2}]},
      {topic: 'b', partitions: [{partition: 0, timestamp: -2}]},
    ])
    expect([...offsets.get('a')!]).toEqual(
      expect.arrayContaining([
        [0, 10],
        [1, 21],
      ]),
    )
    expect(offsets.get('b')!.get(0)).toBe(10)
    expect([...partitionsByTopic(cluster)]).toEqual([
      ['a', [0, 1]],
      ['b', [0]],
    ])
  })

  it('Broker has fetch() and the Fetch request takes an isolation level', () => {
    const Broker = require('kafkajs/src/broker') as {prototype: Record<string, unknown>}
    expect(typeof Broker.prototype.fetch).toBe('function')
    const fetchV11 = require('kafkajs/src/protocol/requests/fetch/v11/request') as (o: object) => {apiVersion: number}
    expect(fetchV11({replicaId: -1, maxWaitTime: 1, minBytes: 1, maxBytes: 1, isolationLevel: 1, topics: []}).apiVersion).toBe(11)
  })

  it('the fast Fetch path: Broker sends through a private:Broker:sendRequest method, Fetch v11 exists', () => {
    const Broker = require('kafkajs/src/broker') as {prototype: object}
    const symbols = Object.getOwnPropertySymbols(Broker.prototype).map((s) => s.description)
    expect(symbols).toContain('private:Broker:sendRequest')
    const {fetchDefinition, createErrorFromCode, OffsetOutOfRange, decodeMessages, Decoder, lookupCodecByAttributes} = loadProtocol()
    expect((fetchDefinition as {versions: string[]}).versions).toContain('11')
    expect(createErrorFromCode(1).type).toBe('OFFSET_OUT_OF_RANGE')
    expect(createErrorFromCode(6).type).toBe('NOT_LEADER_FOR_PARTITION')
    expect(typeof OffsetOutOfRange).toBe('function')
    expect(typeof decodeMessages).toBe('function')
    expect(typeof Decoder).toBe('function')
    expect(lookupCodecByAttributes(0)).toBeNull()
  })

  it('Batch drops aborted records and control records, and records before the fetch offset', () => {
    const Batch = loadBatchClass()
    const batch = new Batch('t', '0', transactional)
    expect(batch.messages.map((m) => m.offset)).toEqual(['3', '4'])
    expect(batch.rawMessages).toHaveLength(6)
    expect(new Batch('t', '4', transactional).messages.map((m) => m.offset)).toEqual(['4'])
  })

  it('fetchFromBroker: filtered records, next offset past the last record batch (markers included)', async () => {
    const requests: unknown[] = []
    const cluster = {
      findBroker: async () => ({
        fetch: async (request: unknown) => {
          requests.push(request)
          return {responses: [{topicName: 't', partitions: [transactional]}]}
        },
      }),
    } as unknown as InternalCluster
    const [fetched] = await fetchFromBroker(cluster, '1', [{topic: 't', partition: 0, fetchOffset: 0, maxBytes: 100}], {maxWaitTime: 10, maxBytes: 1000})
    expect(fetched.records.map((r) => [r.offset, r.value?.toString()])).toEqual([
      [3, 'v3'],
      [4, 'v4'],
    ])
    expect(fetched.nextOffset).toBe(6)
    expect(fetched.highWatermark).toBe(6)
    expect(fetched.truncated).toBe(false)
    expect(requests[0]).toMatchObject({isolationLevel: 1, topics: [{topic: 't', partitions: [{partition: 0, fetchOffset: '0', maxBytes: 100}]}]})
  })

  it('fetchFromBroker: no data at an offset below the last stable offset means the batch did not fit', async () => {
    const cluster = {
      findBroker: async () => ({fetch: async () => ({responses: [{topicName: 't', partitions: [{...transactional, messages: []}]}]})}),
    } as unknown as InternalCluster
    const [fetched] = await fetchFromBroker(cluster, '1', [{topic: 't', partition: 0, fetchOffset: 2, maxBytes: 1}], {maxWaitTime: 10, maxBytes: 1})
    expect(fetched.truncated).toBe(true)
    expect(fetched.nextOffset).toBe(2)
  })
})

describe('compression codecs', () => {
  it('registers snappy, lz4 and zstd; each compresses and decompresses', async () => {
    await registerCodecs(kafkajs)
    const data = Buffer.from(JSON.stringify(Array.from({length: 2000}, (_, i) => ({i, sku: `A${i % 7}`}))))
    for (const type of ['GZIP', 'Snappy', 'LZ4', 'ZSTD'] as const) {
      const factory = (kafkajs.CompressionCodecs as unknown as Record<number, () => {compress(e: {buffer: Buffer}): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer>}>)[
        kafkajs.CompressionTypes[type]
      ]
      const codec = factory()
      const compressed = await codec.compress({buffer: data})
      expect(compressed.length, type).toBeLessThan(data.length)
      expect((await codec.decompress(compressed)).equals(data), type).toBe(true)
    }
  })

  it('lz4 writes the LZ4 frame format Kafka accepts (magic 0x184D2204, independent blocks), across several blocks', async () => {
    await registerCodecs(kafkajs)
    const codec = (kafkajs.CompressionCodecs as unknown as Record<number, () => {compress(e: {buffer: Buffer}): Promise<Buffer>}>)[kafkajs.CompressionTypes.LZ4]()
    const frame = await codec.compress({buffer: Buffer.from('hello hello hello')})
    expect(frame.readUInt32LE(0)).toBe(0x184d2204)
    expect(frame[4] & 0x20).toBe(0x20) // independent blocks: Kafka rejects dependent ones
    const big = Buffer.from(Array.from({length: 30_000}, (_, i) => `line ${i % 977}\n`).join('')) // > 64 KiB: several blocks
    const codecBoth = (kafkajs.CompressionCodecs as unknown as Record<number, () => {compress(e: {buffer: Buffer}): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer>}>)[
      kafkajs.CompressionTypes.LZ4
    ]()
    expect((await codecBoth.decompress(await codecBoth.compress({buffer: big}))).equals(big)).toBe(true)
  })
})
