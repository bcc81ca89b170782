/**
 * Replaces kafkajs' Record v0 encoder (`kafkajs/src/protocol/recordBatch/record/v0/index.js`).
 * Why: kafkajs allocates a zeroed 512-byte Encoder per record and a temporary array + Buffer per varint; this one
 * writes each record into a shared slab with one size computation (a large share of kafkajs' per-record cost and
 * of its garbage). It is compared with kafkajs' own on tricky records at first use (sameAsOriginal) and kafkajs'
 * stays when they differ.
 * Checked on: kafkajs 2.2.4. Pinned by: test/unit/produce-encoding.test.ts ("record encoding": byte for byte) and
 * test/unit/kafkajs-patches.test.ts ("the record encoder kafkajs loads is the fast one ...").
 */
import {varintSize, writeVarint} from '../protocol/varint.js'

export type Bytes = Buffer | string | null | undefined
export interface RecordInput {
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

export function toBytes(value: Bytes): Buffer | null {
  if (value === null || value === undefined) return null
  return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8')
}

/** Zig-zag of a 64-bit value given as a JS number (exact below 2^52, which timestamps are). */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

export function varlongSize(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return varintSize(value)
  let z = zigzag64(value)
  let size = 1
  while (z >= 0x80) {
    z = Math.floor(z / 128)
    size++
  }
  return size
}

export function writeVarlong(buf: Buffer, at: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, at, value)
  let z = zigzag64(value)
  while (z >= 0x80) {
    buf[at++] = (z % 128) | 0x80
    z = Math.floor(z / 128)
  }
  buf[at++] = z
  return at
}

export function writeBytes(buf: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buf[at++] = 1 // varint -1
    return at
  }
  at = writeVarint(buf, at, bytes.length)
  bytes.copy(buf, at)
  return at + bytes.length
}

/** The replacement must write what kafkajs writes; compared on a few tricky records before it is used. */
export function sameAsOriginal(original: (r: RecordInput) => {buffer: Buffer}): boolean {
  const samples: RecordInput[] = [
    {offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v')},
    {offsetDelta: 300, timestampDelta: -5, key: Buffer.from('k'), value: null, headers: {a: Buffer.from('1'), b: [Buffer.from('x'), Buffer.from('yy')]}},
    {offsetDelta: 70000, timestampDelta: 1_732_438_800_000, key: 'ключ', value: Buffer.alloc(200, 7)},
    {offsetDelta: 1, timestampDelta: -1_732_438_800_000, key: Buffer.alloc(0), value: Buffer.alloc(0)},
  ]
  return samples.every((s) => original(s).buffer.equals(encodeRecord(s).buffer))
}

export function bytesSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length
}
