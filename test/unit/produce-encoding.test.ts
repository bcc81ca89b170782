/** The kafkajs speed-ups must write exactly the bytes kafkajs writes (compared with kafkajs' own modules). */
import {createRequire} from 'node:module'

import {crc32c} from '@node-rs/crc32'
import {describe, expect, it} from 'vitest'

import {RecordRun} from '../../src/kafka/kafkajs/protocol/record-runs.js'
import {encodeRecord, fastProduceRequest, frameRequest, groupMessagesPerPartition, type ProduceArgs} from '../../src/kafka/kafkajs/patches.js'

const require = createRequire(import.meta.url)
type Encoded = {buffer: Buffer}
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => Encoded
const kafkajsProduce = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (a: object) => {encode: () => Promise<Encoded>}
const Encoder = require('kafkajs/src/protocol/encoder.js')
const Long = require('kafkajs/src/utils/long.js')
const kafkajsFrame = require('kafkajs/src/protocol/request.js') as (a: object) => Promise<Encoded>

const ts = (n: number) => String(1_732_438_800_000 + n)

describe('record encoding', () => {
  const cases: object[] = [
    {offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('hello')},
    {offsetDelta: 5, timestampDelta: 123, key: Buffer.from('k'), value: null},
    {offsetDelta: 200_000, timestampDelta: -7, key: 'ключ', value: Buffer.alloc(70_000, 1), headers: {a: Buffer.from('1'), b: [Buffer.from('x'), Buffer.from('')]}},
    {offsetDelta: 1, timestampDelta: 2 ** 40, key: Buffer.alloc(0), value: Buffer.alloc(0)},
  ]
  cases.forEach((c, i) => {
    it(`matches kafkajs byte for byte (${i})`, () => {
      expect(encodeRecord(c).buffer.equals(kafkajsRecord(c).buffer)).toBe(true)
    })
  })
})

describe('produce request encoding', () => {
  const messages = (n: number, p: number) =>
    Array.from({length: n}, (_, i) => ({
      key: i % 3 === 0 ? null : Buffer.from(`key-${p}-${i}`),
      value: i % 7 === 0 ? null : Buffer.from('v'.repeat(i)),
      timestamp: ts(i * 10),
      headers: i % 5 === 0 ? {h: Buffer.from(String(i)), multi: [Buffer.from('a'), Buffer.from('b')]} : undefined,
    }))
  const args = (extra: Partial<ProduceArgs> = {}): ProduceArgs => ({
    acks: -1,
    timeout: 30_000,
    producerId: new Long(4242n),
    producerEpoch: 3,
    topicData: [
      {
        topic: 'orders',
        partitions: [
          {partition: 0, firstSequence: 17, messages: messages(50, 0)},
          {partition: 2, firstSequence: 0, messages: messages(1, 2)},
        ],
      },
      {topic: 'другой', partitions: [{partition: 1, firstSequence: 5, messages: messages(300, 1)}]},
    ],
    ...extra,
  })

  for (const [name, extra] of [
    ['idempotent', {}],
    ['transactional', {transactionalId: 'tx-1'}],
    ['plain, acks=1', {acks: 1, producerId: undefined, producerEpoch: undefined}],
    ['producer id as a string (InitProducerId)', {producerId: '987654321012'}],
  ] as [string, Partial<ProduceArgs>][]) {
    it(`writes what kafkajs writes: ${name}`, async () => {
      const ours = await fastProduceRequest(args(extra), Encoder, (b) => crc32c(b) >>> 0).encode()
      const theirs = await kafkajsProduce(args(extra)).encode()
      expect(ours.buf.subarray(0, ours.offset).equals(theirs.buffer)).toBe(true)
    })
  }
})

describe('record runs', () => {
  const values = ['', 'v', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(300), 'ключ-значение', 'w'.repeat(20_000)]
  const run = (partition: number, n: number, timestamp: number, headroom = 0) => {
    const r = new RecordRun(partition, timestamp, 16, headroom) // tiny: it must grow
    const data = Buffer.from(Array.from({length: n}, (_, i) => values[i % values.length]).join('\n'))
    let start = 0
    for (let i = 0; i < n; i++) {
      const end = i === n - 1 ? data.length : data.indexOf(10, start)
      r.append(data, start, end)
      start = end + 1
    }
    return r
  }
  const asRecords = (n: number, timestamp: number) => Array.from({length: n}, (_, i) => ({key: null, value: Buffer.from(values[i % values.length]), timestamp: String(timestamp)}))

  it('encode the batches kafkajs encodes for the same keyless values', async () => {
    const t = 1_732_438_800_123
    const runs = {
      topicData: [
        {
          topic: 'orders',
          partitions: [
            {partition: 0, firstSequence: 3, messages: [run(0, 200, t).marker]},
            {partition: 4, firstSequence: 0, messages: [run(4, 1, t).marker]},
          ],
        },
      ],
    }
    const records = {
      topicData: [
        {
          topic: 'orders',
          partitions: [
            {partition: 0, firstSequence: 3, messages: asRecords(200, t)},
            {partition: 4, firstSequence: 0, messages: asRecords(1, t)},
          ],
        },
      ],
    }
    const common = {acks: -1, timeout: 30_000, producerId: new Long(77n), producerEpoch: 1}
    const ours = await fastProduceRequest({...common, ...runs} as ProduceArgs, Encoder, (b) => crc32c(b) >>> 0).encode()
    const theirs = await kafkajsProduce({...common, ...records}).encode()
    expect(ours.buf.subarray(0, ours.offset).equals(theirs.buffer)).toBe(true)
  })

  it("encode a one-run request in the run's own memory (headroom), with the same bytes", async () => {
    const t = 1_732_438_800_123
    const common = {acks: -1, timeout: 30_000, producerId: new Long(77n), producerEpoch: 1}
    const r = run(3, 500, t, 512)
    const ours = await fastProduceRequest(
      {...common, topicData: [{topic: 'orders', partitions: [{partition: 3, firstSequence: 9, messages: [r.marker]}]}]} as ProduceArgs,
      Encoder,
      (b) => crc32c(b) >>> 0,
    ).encode()
    const theirs = await kafkajsProduce({...common, topicData: [{topic: 'orders', partitions: [{partition: 3, firstSequence: 9, messages: asRecords(500, t)}]}]}).encode()
    expect(ours.buf.buffer).toBe(r.bytes.buffer) // not copied
    expect(ours.buf.subarray(0, ours.offset).equals(theirs.buffer)).toBe(true)
    // Framing writes the request header into the rest of the headroom, still without a copy.
    const framed = await frameRequest(Encoder)({correlationId: 5, clientId: 'kafkit', request: {apiKey: 0, apiVersion: 3, encode: async () => ours}})
    const theirsFramed = await kafkajsFrame({correlationId: 5, clientId: 'kafkit', request: {apiKey: 0, apiVersion: 3, encode: async () => theirs}})
    expect(framed.buffer.equals(theirsFramed.buffer)).toBe(true)
  })

  it("fail loudly in kafkajs' own encoder instead of writing garbage", async () => {
    const messages = [run(0, 3, 1).marker]
    await expect(kafkajsProduce({acks: -1, timeout: 1000, compression: 1, topicData: [{topic: 't', partitions: [{partition: 0, messages}]}]}).encode()).rejects.toThrow(/record run reached kafkajs/)
  })
})

describe('request framing', () => {
  const framing = frameRequest(Encoder)
  const body = (text: string) => async () => {
    const e = new Encoder()
    e.writeString(text)
    return e
  }
  for (const clientId of ['kafkit', 'клиент', null]) {
    it(`frames any request as kafkajs does (client id ${clientId})`, async () => {
      const request = {apiKey: 3, apiVersion: 6, encode: body('x'.repeat(1000))}
      const ours = await framing({correlationId: 42, clientId, request})
      const theirs = await kafkajsFrame({correlationId: 42, clientId, request})
      expect(ours.buffer.equals(theirs.buffer)).toBe(true)
    })
  }

  it('frames the fast Produce request in place, with the same bytes as kafkajs', async () => {
    const produce = () =>
      fastProduceRequest({acks: -1, timeout: 1000, topicData: [{topic: 't', partitions: [{partition: 0, messages: [{value: Buffer.from('v'), timestamp: ts(0)}]}]}]}, Encoder, (b) => crc32c(b) >>> 0)
    const ours = await framing({correlationId: 9, clientId: 'kafkit', request: produce()})
    const theirs = await kafkajsFrame({correlationId: 9, clientId: 'kafkit', request: produce()})
    expect(ours.buffer.equals(theirs.buffer)).toBe(true)
  })
})

describe('grouping by partition', () => {
  it('keeps order within a partition', () => {
    const messages = Array.from({length: 10}, (_, i) => ({partition: i % 3, i}))
    const grouped = groupMessagesPerPartition({topic: 't', partitionMetadata: [{}], messages, partitioner: ({message}) => message.partition})
    expect(grouped[0].map((m) => m.i)).toEqual([0, 3, 6, 9])
    expect(grouped[2].map((m) => m.i)).toEqual([2, 5, 8])
  })
})
