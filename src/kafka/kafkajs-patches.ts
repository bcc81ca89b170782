/**
 * Speed-ups for kafkajs, installed before kafkajs loads (loadKafkaJS() calls installKafkaJSPatches()): through
 * a hook the bundled kafkajs calls (scripts/bundle.mjs), or by seeding Node's require cache when kafkajs comes
 * from node_modules (tests, `tsc` output). kafkajs has no hooks for any of them. Each replacement produces
 * byte-identical output (the record encoder is compared with kafkajs' own at first use, everything in
 * test/unit/produce-encoding.test.ts); if anything is off, kafkajs' own module is used: correctness never
 * depends on these.
 *
 * 1. CRC32C (`protocol/recordBatch/crc32C`): kafkajs' is pure JS (~0.4 GB/s); `@node-rs/crc32` `crc32c()` is
 *    native and prebuilt (several GB/s).
 * 2. Record encoding (`protocol/recordBatch/record/v0`): kafkajs allocates a zeroed 512-byte Encoder per record
 *    and a temporary array + Buffer per varint; this one writes each record into a shared slab with one size
 *    computation (a large share of kafkajs' per-record cost and of its garbage).
 * 3. The Produce request (`protocol/requests/produce/v3/request`, which v4-v7 reuse), uncompressed: kafkajs builds
 *    an object and an Encoder per record and copies each batch several times; this one sizes the whole request
 *    first and writes every record batch straight into one buffer (compressed requests go to kafkajs' own).
 * 4. Grouping by partition (`producer/groupMessagesPerPartition`): kafkajs copies the partition's array for every
 *    message (`[...current, message]`), quadratic in the batch size; this one appends.
 * 5. Request framing (`protocol/request.js`): kafkajs copies every request body twice into zero-filled buffers
 *    grown to the next power of two (~100 ms per 100 MB produced); this one allocates once and copies the body
 *    once, or not at all when the body was encoded with room for the header in front (the fast Produce request).
 * 6. Leaders per partition (`Cluster.prototype.findLeaderForPartitions`, patched once kafkajs is loaded): kafkajs
 *    searches the partition list and copies the result object for every partition, quadratic: ~15 ms per call
 *    for a 1000-partition topic (`offsets reset` calls it twice, the reader once per fetch loop); this one is
 *    linear with the same result.
 * 7. Metadata refreshes without target topics (`BrokerPool.prototype.refreshMetadata`, `Encoder` for that one
 *    request): ask for no topic instead of every topic (see NO_TOPICS).
 * 8. Per-partition produce outcomes (`producer/sendMessages`, send-messages.ts): not a speed-up but what the
 *    writer's delivered/failed counts rest on; installed even with KAFKIT_KAFKAJS_PATCHES=0.
 *
 * KAFKIT_KAFKAJS_PATCHES=0 turns 1-7 off (before/after measurements).
 */
import {createRequire} from 'node:module'

import {KAFKAJS_BUNDLED, requireKafkaJS} from './kafkajs-require.js'
import {RecordRun, runOf} from './record-runs.js'
import {createSendMessages, markProduceOutcomesInstalled} from './send-messages.js'
import {varintSize, writeVarint} from './varint.js'

type Bytes = Buffer | string | null | undefined
interface RecordInput {
  offsetDelta?: number
  timestampDelta?: number
  key?: Bytes
  value?: Bytes
  headers?: Record<string, Bytes | Bytes[]>
}
/** What kafkajs' Encoder consumers read from an encoded record: `.buf` (checked to be a Buffer) and `.buffer`. */
export interface EncodedRecord {
  buf: Buffer
  buffer: Buffer
  offset: number
}

type PatchName = 'crc32c' | 'record' | 'grouping' | 'produce' | 'framing' | 'sendMessages'
type Installed = Record<PatchName, boolean>
let installed: Installed | undefined
let fastProduceReady = (): boolean => false

/** The kafkajs modules replaced, by the id the bundle's hook passes (scripts/bundle.mjs appends the hook call). */
export const REPLACED_MODULES: Record<PatchName, string> = {
  crc32c: 'kafkajs/src/protocol/recordBatch/crc32C/index.js',
  record: 'kafkajs/src/protocol/recordBatch/record/v0/index.js',
  produce: 'kafkajs/src/protocol/requests/produce/v3/request.js',
  grouping: 'kafkajs/src/producer/groupMessagesPerPartition.js',
  framing: 'kafkajs/src/protocol/request.js',
  sendMessages: 'kafkajs/src/producer/sendMessages.js',
}

/** Where the bundled kafkajs looks for replacements: `(id, exports) => replacement` (see scripts/bundle.mjs). */
export const REPLACE_HOOK = Symbol.for('kafkit.kafkajs.replace')

/**
 * True when uncompressed Produce requests are written by kafkit's encoder, the only one that understands record
 * runs (record-runs.ts). Loads the native CRC32C and checks the record encoder on first call.
 */
export function preEncodedRecordsReady(): boolean {
  return fastProduceReady()
}

/**
 * Puts the replacements in place before kafkajs loads; cheap. Bundled, kafkajs hands each replaced module's
 * exports to REPLACE_HOOK as it loads; from node_modules, the replacements are seeded in Node's require cache. The
 * costly parts (loading the native CRC32C, comparing the record encoder with kafkajs' own) happen on first use,
 * i.e. only in commands that produce: every other command starts ~25 ms sooner. `installed` says which modules
 * were replaced, not yet which replacements won.
 */
export function installKafkaJSPatches(): Installed {
  if (installed) return installed
  installed = {crc32c: false, record: false, grouping: false, produce: false, framing: false, sendMessages: false}
  const require = createRequire(import.meta.url)

  // undefined until first asked; then the native CRC32C, or null when there is none for this platform.
  let native: ((input: Uint8Array) => number) | null | undefined
  const nativeCrc = (): ((input: Uint8Array) => number) | null => {
    if (native !== undefined) return native
    native = null
    try {
      const {crc32c} = require('@node-rs/crc32') as {crc32c: (input: Uint8Array) => number}
      // The CRC32C check value of "123456789", before trusting the binary.
      if (crc32c(Buffer.from('123456789')) >>> 0 === 0xe3069283) native = (buffer: Uint8Array) => crc32c(buffer) >>> 0
    } catch {
      // no prebuilt binary for this platform: kafkajs' JS CRC32C stays
    }
    return native
  }
  let recordOk: boolean | undefined
  let originalRecord: (() => unknown) | undefined
  const recordPatched = () => {
    if (recordOk === undefined) {
      // Bundled, kafkajs' modules load on first require: this one hands its original over as it loads.
      if (!originalRecord) requireKafkaJS('kafkajs/src/protocol/recordBatch/record/v0/index.js')
      recordOk = originalRecord !== undefined && sameAsOriginal(originalRecord() as (r: RecordInput) => {buffer: Buffer})
    }
    return recordOk
  }
  const encoder = () => requireKafkaJS('kafkajs/src/protocol/encoder.js') as EncoderClass
  /** Each replacement, given a way to reach kafkajs' own module. */
  const replacements: Record<PatchName, (original: () => unknown) => unknown> = {
    crc32c: (original) => {
      let crc: ((input: Uint8Array) => number) | undefined
      return (input: Uint8Array) => (crc ??= nativeCrc() ?? (original() as (input: Uint8Array) => number))(input)
    },
    record: (original) => {
      originalRecord = original
      return (r: RecordInput) => (recordPatched() ? encodeRecord(r) : (original() as (r: RecordInput) => EncodedRecord)(r))
    },
    produce: (original) => (args: ProduceArgs) => {
      const crc = nativeCrc()
      return args.compression || !crc || !recordPatched() ? (original() as ProduceRequestFactory)(args) : fastProduceRequest(args, encoder(), crc)
    },
    grouping: () => groupMessagesPerPartition,
    // Byte-identical to kafkajs' framing: checked in test/unit/produce-encoding.test.ts (it is async, so not here).
    framing: () => frameRequest(encoder()),
    sendMessages: () => createSendMessages,
  }
  // The speed-ups can be turned off; per-partition produce outcomes cannot (the writer's counts depend on them).
  const names = process.env.KAFKIT_KAFKAJS_PATCHES === '0' ? (['sendMessages'] as PatchName[]) : (Object.keys(replacements) as PatchName[])
  if (KAFKAJS_BUNDLED) {
    const byId = new Map(names.map((name) => [REPLACED_MODULES[name], replacements[name]]))
    ;(globalThis as Record<symbol, unknown>)[REPLACE_HOOK] = (id: string, exports: unknown) => {
      const make = byId.get(id)
      return make ? make(() => exports) : exports
    }
    for (const name of names) installed[name] = true
  } else {
    for (const name of names) installed[name] = seedRequireCache(require, REPLACED_MODULES[name], replacements[name])
  }
  if (installed.sendMessages) markProduceOutcomesInstalled()
  if (installed.produce && installed.grouping) fastProduceReady = () => nativeCrc() !== null && recordPatched()
  return installed
}

/** Puts `make(original)` in Node's require cache for `id`; `original()` loads kafkajs' own module (on demand, once). */
function seedRequireCache(require: NodeJS.Require, id: string, make: (original: () => unknown) => unknown): boolean {
  try {
    const Module = require('node:module') as {new (id: string): NodeJS.Module}
    const path = require.resolve(id)
    if (require.cache[path]) return false // kafkajs already loaded: too late, keep its module
    let originalExports: unknown
    const original = () => {
      if (originalExports === undefined) {
        const mine = require.cache[path]
        delete require.cache[path]
        try {
          originalExports = require(path)
        } finally {
          require.cache[path] = mine
        }
      }
      return originalExports
    }
    const mod = new Module(path)
    mod.filename = path
    mod.loaded = true
    mod.exports = make(original)
    require.cache[path] = mod
    return true
  } catch {
    return false
  }
}

interface GroupArgs<M> {
  topic: string
  partitionMetadata: unknown[]
  messages: M[]
  partitioner: (args: {topic: string; partitionMetadata: unknown[]; message: M}) => number
}

/** kafkajs' groupMessagesPerPartition, linear. */
export function groupMessagesPerPartition<M>({topic, partitionMetadata, messages, partitioner}: GroupArgs<M>): Record<number, M[]> {
  const result: Record<number, M[]> = {}
  if (partitionMetadata.length === 0) return result
  for (const message of messages) {
    const partition = partitioner({topic, partitionMetadata, message})
    ;(result[partition] ??= []).push(message)
  }
  return result
}

// Records are written one after the other into a slab; a record is a view of it (kept alive by the views).
const SLAB = 256 * 1024
let slab = Buffer.allocUnsafe(SLAB)
let slabOffset = 0

/** kafkajs' Record v0 encoder (Length, Attributes, TimestampDelta, OffsetDelta, Key, Value, Headers), fast. */
export function encodeRecord({offsetDelta = 0, timestampDelta = 0, key, value, headers}: RecordInput): EncodedRecord {
  const keyBytes = toBytes(key)
  const valueBytes = toBytes(value)
  let headerCount = 0
  let headerBytes = 0
  let headerList: [Buffer, Buffer | null][] | undefined
  if (headers) {
    for (const name of Object.keys(headers)) {
      const v = headers[name]
      for (const one of Array.isArray(v) ? v : [v]) {
        const k = Buffer.from(name, 'utf8')
        const b = toBytes(one)
        ;(headerList ??= []).push([k, b])
        headerBytes += varintSize(k.length) + k.length + (b === null ? 1 : varintSize(b.length) + b.length)
        headerCount++
      }
    }
  }
  const body =
    1 +
    varlongSize(timestampDelta) +
    varintSize(offsetDelta) +
    (keyBytes === null ? 1 : varintSize(keyBytes.length) + keyBytes.length) +
    (valueBytes === null ? 1 : varintSize(valueBytes.length) + valueBytes.length) +
    varintSize(headerCount) +
    headerBytes
  const total = varintSize(body) + body
  let buf: Buffer
  let at: number
  if (total > SLAB / 4) {
    buf = Buffer.allocUnsafe(total)
    at = 0
  } else {
    if (slabOffset + total > SLAB) {
      slab = Buffer.allocUnsafe(SLAB)
      slabOffset = 0
    }
    buf = slab
    at = slabOffset
    slabOffset += total
  }
  const start = at
  at = writeVarint(buf, at, body)
  buf[at++] = 0 // attributes
  at = writeVarlong(buf, at, timestampDelta)
  at = writeVarint(buf, at, offsetDelta)
  at = writeBytes(buf, at, keyBytes)
  at = writeBytes(buf, at, valueBytes)
  at = writeVarint(buf, at, headerCount)
  if (headerList) {
    for (const [k, v] of headerList) {
      at = writeBytes(buf, at, k)
      at = writeBytes(buf, at, v)
    }
  }
  const view = buf.subarray(start, at)
  return {buf: view, buffer: view, offset: view.length}
}

function toBytes(value: Bytes): Buffer | null {
  if (value === null || value === undefined) return null
  return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8')
}



/** Zig-zag of a 64-bit value given as a JS number (exact below 2^52, which timestamps are). */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

function varlongSize(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return varintSize(value)
  let z = zigzag64(value)
  let size = 1
  while (z >= 0x80) {
    z = Math.floor(z / 128)
    size++
  }
  return size
}

function writeVarlong(buf: Buffer, at: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, at, value)
  let z = zigzag64(value)
  while (z >= 0x80) {
    buf[at++] = (z % 128) | 0x80
    z = Math.floor(z / 128)
  }
  buf[at++] = z
  return at
}

function writeBytes(buf: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buf[at++] = 1 // varint -1
    return at
  }
  at = writeVarint(buf, at, bytes.length)
  bytes.copy(buf, at)
  return at + bytes.length
}

/** The replacement must write what kafkajs writes; compared on a few tricky records before it is used. */
function sameAsOriginal(original: (r: RecordInput) => {buffer: Buffer}): boolean {
  const samples: RecordInput[] = [
    {offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v')},
    {offsetDelta: 300, timestampDelta: -5, key: Buffer.from('k'), value: null, headers: {a: Buffer.from('1'), b: [Buffer.from('x'), Buffer.from('yy')]}},
    {offsetDelta: 70000, timestampDelta: 1_732_438_800_000, key: 'ключ', value: Buffer.alloc(200, 7)},
    {offsetDelta: 1, timestampDelta: -1_732_438_800_000, key: Buffer.alloc(0), value: Buffer.alloc(0)},
  ]
  return samples.every((s) => original(s).buffer.equals(encodeRecord(s).buffer))
}

// ---- Produce request v3+ (uncompressed) ----

interface EncoderLike {
  buf: Buffer
  offset: number
}
type EncoderClass = new (initialSize?: number) => EncoderLike
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
type ProduceRequestFactory = (args: ProduceArgs) => unknown

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
  const buf = inPlace
    ? Buffer.from(single.bytes.buffer, single.bytes.byteOffset + single.headroom + single.length - (headroom + total), headroom + total)
    : Buffer.allocUnsafe(headroom + total)
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

/** Bytes kept free in front of a fast Produce body for the request header (size, api, correlation, client id). */
const HEADROOM = 64

interface EncoderWithHeadroom {
  buf: Buffer
  offset: number
  readonly buffer: Buffer
  /** The body with HEADROOM free bytes in front of it (`buf` is a view of its tail). */
  kafkitFramed?: Buffer
}

interface FrameArgs {
  correlationId: number
  clientId: string | null
  request: {apiKey: number; apiVersion: number; encode: () => Promise<EncoderWithHeadroom>}
}
type FrameRequest = (args: FrameArgs) => Promise<{buffer: Buffer}>

/** kafkajs' protocol/request.js: INT32 size, INT16 apiKey, INT16 apiVersion, INT32 correlationId, STRING clientId, body. */
export function frameRequest(Encoder: EncoderClass): FrameRequest {
  return async ({correlationId, clientId, request: {apiKey, apiVersion, encode}}) => {
    const payload = await encode()
    const id = clientId === null || clientId === undefined ? null : Buffer.from(clientId, 'utf8')
    const header = 14 + (id ? id.length : 0)
    const body = payload.buffer
    const inPlace = payload.kafkitFramed !== undefined && header <= HEADROOM
    // In place: the header goes into the free bytes just before the body, which is not copied at all.
    const out = inPlace ? payload.kafkitFramed!.subarray(HEADROOM - header) : Buffer.allocUnsafe(header + body.length)
    if (!inPlace) body.copy(out, header)
    out.writeInt32BE(header - 4 + body.length, 0)
    out.writeInt16BE(apiKey, 4)
    out.writeInt16BE(apiVersion, 6)
    out.writeInt32BE(correlationId, 8)
    out.writeInt16BE(id ? id.length : -1, 12)
    if (id) id.copy(out, 14)
    const e = new Encoder(1)
    e.buf = out
    e.offset = out.length
    return e as unknown as {buffer: Buffer}
  }
}


function bytesSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length
}

interface LeaderLookup {
  findTopicPartitionMetadata(topic: string): {partitionId: number; leader?: number | null}[]
}
type FindLeaders = (this: LeaderLookup, topic: string, partitions: (number | string)[]) => Record<string, number[]>

/** kafkajs' Cluster.findLeaderForPartitions, linear: node id -> partition ids, in the order given. */
export function findLeaderForPartitions(this: LeaderLookup, topic: string, partitions: (number | string)[]): Record<string, number[]> {
  const byId = new Map(this.findTopicPartitionMetadata(topic).map((p) => [p.partitionId, p]))
  const result: Record<string, number[]> = {}
  for (const id of partitions) {
    const partitionId = Number.parseInt(String(id), 10)
    const metadata = byId.get(partitionId)
    if (!metadata) continue
    if (metadata.leader === null || metadata.leader === undefined) {
      const {KafkaJSError} = requireKafkaJS('kafkajs/src/errors') as {KafkaJSError: new (message: string, extra?: object) => Error}
      throw new KafkaJSError('Invalid partition metadata', {topic, partitionId, metadata})
    }
    ;(result[metadata.leader] ??= []).push(partitionId)
  }
  return result
}

/**
 * The topic list of a metadata refresh that has no target topics: none. kafkajs writes an empty topic list as
 * null, which Kafka reads as "every topic", so a producer's or an admin's first refresh (before any topic is a
 * target) listed the whole cluster: ~90 KB decoded 2-3 times per command on a broker with 500 topics, megabytes
 * on a large cluster. Explicit "all topics" requests (`topics list`, `admin.fetchTopicMetadata()`, regex
 * subscriptions) do not go through BrokerPool.refreshMetadata and are unchanged.
 */
export const NO_TOPICS: readonly string[] = Object.freeze([])

interface EncoderProto {
  writeNullableArray(this: EncoderProto, array: readonly unknown[], type?: string): EncoderProto
  writeArray(this: EncoderProto, array: readonly unknown[], type?: string, length?: number): EncoderProto
}
interface BrokerPoolProto {
  refreshMetadata(this: BrokerPoolProto, topics: readonly string[]): Promise<void>
  kafkitNoTopics?: true
}

/** Patches that replace methods of kafkajs classes; call once kafkajs is loaded (idempotent). */
export function patchKafkaJSClasses(): boolean {
  if (process.env.KAFKIT_KAFKAJS_PATCHES === '0') return false
  try {
    const Cluster = requireKafkaJS('kafkajs/src/cluster/index.js') as {prototype: {findLeaderForPartitions: FindLeaders}}
    if (Cluster.prototype.findLeaderForPartitions !== findLeaderForPartitions) Cluster.prototype.findLeaderForPartitions = findLeaderForPartitions
    const pool = (requireKafkaJS('kafkajs/src/cluster/brokerPool.js') as {prototype: BrokerPoolProto}).prototype
    const encoder = (requireKafkaJS('kafkajs/src/protocol/encoder.js') as {prototype: EncoderProto}).prototype
    if (!pool.kafkitNoTopics && typeof pool.refreshMetadata === 'function' && typeof encoder.writeNullableArray === 'function' && typeof encoder.writeArray === 'function') {
      const refresh = pool.refreshMetadata
      const writeNullableArray = encoder.writeNullableArray
      // kafkajs' shuffle() returns arrays shorter than 2 as they are, so NO_TOPICS reaches the encoder itself.
      encoder.writeNullableArray = function (array, type) {
        return array === NO_TOPICS ? this.writeArray(array, type, 0) : writeNullableArray.call(this, array, type)
      }
      pool.refreshMetadata = function (topics) {
        return refresh.call(this, topics.length === 0 ? NO_TOPICS : topics)
      }
      pool.kafkitNoTopics = true
    }
    return true
  } catch {
    return false
  }
}
