/**
 * Replaces kafkajs' Produce request (`kafkajs/src/protocol/requests/produce/v3/request.js`, which v4-v7 reuse) for
 * uncompressed requests; compressed ones go to kafkajs' own.
 * Why: kafkajs builds an object and an Encoder per record and copies each batch several times; this one sizes the
 * whole request first and writes every record batch straight into one buffer, and writes kafkit's pre-encoded
 * record runs (../protocol/record-runs.ts) around their own memory.
 * Checked on: kafkajs 2.2.4. Pinned by: test/unit/produce-encoding.test.ts ("produce request encoding", "record runs": the
 * bytes kafkajs writes) and test/unit/kafkajs-patches.test.ts ("uncompressed Produce requests take the fast path").
 */
import {type RecordRun, runOf} from '../protocol/record-runs.js'
import {varintSize, writeVarint} from '../protocol/varint.js'
import {type EncoderClass, type EncoderWithHeadroom, HEADROOM} from './framing.js'
import {type Bytes, bytesSize, toBytes, varlongSize, writeBytes, writeVarlong} from './record-encoder.js'

interface ProduceMessage {
  key?: Bytes
  value?: Bytes
  headers?: Record<string, Bytes | Bytes[]>
  timestamp?: string | number
}
export interface ProduceArgs {
  acks: number
  timeout: number
  transactionalId?: string | null
  /** kafkajs passes a number (-1), a string (from InitProducerId) or its Long. */
  producerId?: {value: bigint} | number | string | bigint
  producerEpoch?: number
  compression?: number
  topicData: {topic: string; partitions: {partition: number; firstSequence?: number; messages: ProduceMessage[]}[]}[]
}
export type ProduceRequestFactory = (args: ProduceArgs) => unknown

/** Same fields as kafkajs' v3 request; `encode()` writes the whole body into one buffer. */
export function fastProduceRequest(args: ProduceArgs, Encoder: EncoderClass, crc32c: (input: Uint8Array) => number) {
  return {
    apiKey: 0,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => args.acks !== 0,
    encode: async () => {
      const e = new Encoder(1) as EncoderWithHeadroom
      const framed = encodeProduceBody(args, crc32c, HEADROOM)
      e.buf = framed.subarray(HEADROOM)
      e.offset = e.buf.length
      e.kafkitFramed = framed
      return e
    },
  }
}

interface PreparedRecord {
  key: Buffer | null
  value: Buffer | null
  headers?: [Buffer, Buffer | null][]
  timestamp: number
  body: number
}

/** The Produce request body (v3-v7 share it): transactional id, acks, timeout, topics -> partitions -> batches. */
export function encodeProduceBody(args: ProduceArgs, crc32c: (input: Uint8Array) => number, headroom = 0): Buffer {
  const now = Date.now()
  const transactionalId = args.transactionalId ?? null
  const tid = transactionalId === null ? null : Buffer.from(transactionalId, 'utf8')
  const id = args.producerId
  const producerId = id === undefined || id === null ? -1n : typeof id === 'object' ? BigInt(id.value) : BigInt(id)
  const producerEpoch = args.producerEpoch ?? 0
  const transactional = transactionalId !== null
  // Pass 1: sizes.
  let total = 2 + (tid ? tid.length : 0) + 2 + 4 + 4
  const prepared: {topic: Buffer; partitions: {partition: number; firstSequence: number; records: PreparedRecord[]; run?: RecordRun; first: number; max: number; size: number}[]}[] = []
  for (const {topic, partitions} of args.topicData) {
    const t = Buffer.from(topic, 'utf8')
    total += 2 + t.length + 4
    const ps = []
    for (const {partition, firstSequence, messages} of partitions) {
      const run = runOf(messages)
      if (run) {
        // Already encoded (record-runs.ts): only the batch header is written here.
        const size = BATCH_HEADER + run.length
        total += 4 + 4 + size
        ps.push({partition, firstSequence: firstSequence ?? 0, records: [], run, first: run.timestamp, max: run.timestamp, size})
        continue
      }
      let first = Number.POSITIVE_INFINITY
      let max = Number.NEGATIVE_INFINITY
      const records: PreparedRecord[] = new Array(messages.length)
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]
        const timestamp = m.timestamp === undefined || m.timestamp === null || m.timestamp === '' ? now : Number(m.timestamp)
        if (timestamp < first) first = timestamp
        if (timestamp > max) max = timestamp
        const r: PreparedRecord = {key: Buffer.isBuffer(m.key) ? m.key : toBytes(m.key), value: Buffer.isBuffer(m.value) ? m.value : toBytes(m.value), timestamp, body: 0}
        if (m.headers) {
          for (const name of Object.keys(m.headers)) {
            const v = m.headers[name]
            for (const one of Array.isArray(v) ? v : [v]) (r.headers ??= []).push([Buffer.from(name, 'utf8'), toBytes(one)])
          }
        }
        records[i] = r
      }
      let size = 0
      for (let i = 0; i < records.length; i++) {
        const r = records[i]
        let body = 1 + varlongSize(r.timestamp - first) + varintSize(i) + bytesSize(r.key) + bytesSize(r.value) + varintSize(r.headers?.length ?? 0)
        if (r.headers) for (const [k, v] of r.headers) body += bytesSize(k) + bytesSize(v)
        r.body = body
        size += varintSize(body) + body
      }
      size += BATCH_HEADER
      total += 4 + 4 + size
      ps.push({partition, firstSequence: firstSequence ?? 0, records, first: records.length ? first : now, max: records.length ? max : now, size})
    }
    prepared.push({topic: t, partitions: ps})
  }
  // Pass 2: bytes (after `headroom` unused bytes, where frameRequest() can put the request header). A request of
  // one run ends with that run's records: it is written around them, in the run's own memory, when they fit.
  const single = prepared.length === 1 && prepared[0].partitions.length === 1 ? prepared[0].partitions[0].run : undefined
  const inPlace = single !== undefined && headroom + total - single.length <= single.headroom
  const buf = inPlace ? Buffer.from(single.bytes.buffer, single.bytes.byteOffset + single.headroom + single.length - (headroom + total), headroom + total) : Buffer.allocUnsafe(headroom + total)
  let at = headroom
  if (tid) {
    buf.writeInt16BE(tid.length, at)
    tid.copy(buf, at + 2)
    at += 2 + tid.length
  } else {
    buf.writeInt16BE(-1, at)
    at += 2
  }
  buf.writeInt16BE(args.acks, at)
  buf.writeInt32BE(args.timeout, at + 2)
  buf.writeInt32BE(prepared.length, at + 6)
  at += 10
  for (const {topic, partitions} of prepared) {
    buf.writeInt16BE(topic.length, at)
    topic.copy(buf, at + 2)
    at += 2 + topic.length
    buf.writeInt32BE(partitions.length, at)
    at += 4
    for (const p of partitions) {
      buf.writeInt32BE(p.partition, at)
      buf.writeInt32BE(p.size, at + 4)
      at += 8
      const batchStart = at
      buf.writeBigInt64BE(0n, at) // firstOffset
      buf.writeInt32BE(p.size - 12, at + 8) // length: everything after this field
      buf.writeInt32BE(0, at + 12) // partitionLeaderEpoch
      buf.writeInt8(2, at + 16) // magic
      const crcAt = at + 17
      at += 21
      const crcStart = at
      const count = p.run ? p.run.count : p.records.length
      buf.writeInt16BE(transactional ? 16 : 0, at)
      buf.writeInt32BE(count - 1, at + 2)
      buf.writeBigInt64BE(BigInt(p.first), at + 6)
      buf.writeBigInt64BE(BigInt(p.max), at + 14)
      buf.writeBigInt64BE(BigInt.asIntN(64, producerId), at + 22)
      buf.writeInt16BE(producerEpoch, at + 30)
      buf.writeInt32BE(p.firstSequence, at + 32)
      buf.writeInt32BE(count, at + 36)
      at += 40
      if (p.run) {
        if (!inPlace) buf.set(p.run.records(), at)
        at += p.run.length
      }
      for (let i = 0; i < p.records.length; i++) {
        const r = p.records[i]
        at = writeVarint(buf, at, r.body)
        buf[at++] = 0
        at = writeVarlong(buf, at, r.timestamp - p.first)
        at = writeVarint(buf, at, i)
        at = writeBytes(buf, at, r.key)
        at = writeBytes(buf, at, r.value)
        at = writeVarint(buf, at, r.headers?.length ?? 0)
        if (r.headers) {
          for (const [k, v] of r.headers) {
            at = writeBytes(buf, at, k)
            at = writeBytes(buf, at, v)
          }
        }
      }
      buf.writeUInt32BE(crc32c(buf.subarray(crcStart, at)), crcAt)
      if (at - batchStart !== p.size) throw new Error(`produce encoder: batch size ${at - batchStart} != ${p.size}`)
    }
  }
  if (at !== headroom + total) throw new Error(`produce encoder: wrote ${at - headroom} of ${total} bytes`)
  return buf
}

/** RecordBatch v2 header: firstOffset(8) length(4) epoch(4) magic(1) crc(4) attributes(2) lastOffsetDelta(4)
 *  baseTimestamp(8) maxTimestamp(8) producerId(8) producerEpoch(2) baseSequence(4) records(4). */
const BATCH_HEADER = 61
