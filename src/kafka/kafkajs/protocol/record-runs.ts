/**
 * Record runs: keyless, headerless records encoded straight into one partition's RecordBatch body as their
 * values are read, with no JavaScript object per record (librdkafka's model). `produce` uses them for plain
 * lines (`RecordWriter.writeValues`): 1M × 100 B lines cost ~0.1 s here instead of ~1 s as record objects.
 *
 * A run travels through kafkajs as one marker object in the messages array (`run.marker`): kafkajs' own code only
 * checks each message's value and hands the array to kafkit's sendMessages (patches/send-messages.ts), which
 * counts records with `recordCount()` (idempotent sequence numbers) and groups by the marker's partition. Only
 * kafkit's Produce request encoder (patches/produce-request.ts `encodeProduceBody`) understands the marker; it copies the
 * run's bytes behind a batch header. kafkajs' own encoder (compressed requests) would not, so the writer uses runs
 * only when `preEncodedRecordsReady()` says the fast encoder is in charge, and reading `timestamp` from the
 * marker throws: a run that ever reached kafkajs' encoder fails its request loudly instead of writing garbage.
 *
 * Each record is written as Kafka's Record v2: length, attributes 0, timestampDelta 0 (every record of a run has
 * the run's timestamp), offsetDelta (its index in the run), key null, value, 0 headers.
 */
import type {RawRecord} from '../../../records/envelope.js'
import {varintSize, writeVarint} from './varint.js'

export interface RunMarker {
  readonly kafkitRun: RecordRun
  readonly key: null
  /** Present so that kafkajs' "message without a value" check passes; never encoded. */
  readonly value: Buffer
  readonly partition: number
  readonly timestamp: never
}

const EMPTY = Buffer.alloc(0)

export class RecordRun {
  /** `headroom` free bytes, then the encoded records (`length` bytes). */
  bytes: Uint8Array
  length = 0
  count = 0
  readonly marker: RunMarker
  /** The timestamp was asked for (not "now"): records given back by toRecords() carry it. */
  stamped = false
  /** Where records came from: record `at` onwards (up to the next entry) are lines `line`, `line + 1`, ... of input `source`. */
  readonly origins: {at: number; source: number; line: number}[] = []

  constructor(
    readonly partition: number,
    /** Milliseconds since the epoch: the batch's base and max timestamp. */
    readonly timestamp: number,
    /** The batch size the writer aims at: allocating it at once saves growing (and copying) the run. */
    initialBytes = 64 * 1024,
    /**
     * Free bytes kept in front of the records, where the encoder can write a one-partition Produce request's
     * header, batch header and framing, and send the run's own memory instead of copying it into a request.
     */
    readonly headroom = 0,
    /** Memory of an acknowledged run to write into again (no new allocation, no garbage), if large enough. */
    reuse?: Uint8Array,
  ) {
    this.bytes = reuse && reuse.length >= headroom + initialBytes ? reuse : uninitialized(headroom + initialBytes)
    const run = this
    this.marker = {
      kafkitRun: run,
      key: null,
      value: EMPTY,
      partition,
      get timestamp(): never {
        throw new Error("kafkit: a pre-encoded record run reached kafkajs' own Produce encoder")
      },
    }
  }

  /**
   * Appends `data[start, end)` as one record's value. `data` must be a plain view (Uint8Array.prototype.set is
   * ~2× faster than Buffer#copy for 100-byte values, which creates a view per call).
   */
  append(data: Uint8Array, start: number, end: number): void {
    const length = end - start
    const delta = this.count
    // attributes + timestampDelta(0) + offsetDelta + key(null) + value length + value + header count(0)
    const body = 1 + 1 + varintSize(delta) + 1 + varintSize(length) + length + 1
    const end0 = this.headroom + this.length
    const need = end0 + varintSize(body) + body
    if (need > this.bytes.length) this.grow(need)
    const buf = this.bytes
    let at = writeVarint(buf, end0, body)
    buf[at++] = 0 // attributes
    buf[at++] = 0 // timestampDelta
    at = writeVarint(buf, at, delta)
    buf[at++] = 1 // key length -1 (zig-zag): null
    at = writeVarint(buf, at, length)
    buf.set(data.subarray(start, end), at)
    at += length
    buf[at++] = 0 // no headers
    this.length = at - this.headroom
    this.count++
  }

  /** The encoded records. */
  records(): Uint8Array {
    return this.bytes.subarray(this.headroom, this.headroom + this.length)
  }

  /** The run's records decoded back (for reports of undelivered records: not a fast path). */
  toRecords(): RawRecord[] {
    const b = this.bytes
    const end = this.headroom + this.length
    const out: RawRecord[] = []
    let p = this.headroom
    let origin = -1
    while (p < end) {
      const length = readVarint(b, p)
      p = length.next
      const recordEnd = p + length.value
      p += 2 // attributes, timestampDelta 0
      p = readVarint(b, p).next // offsetDelta
      p++ // null key
      const valueLength = readVarint(b, p)
      const value = Buffer.from(b.subarray(valueLength.next, valueLength.next + valueLength.value))
      const record: RawRecord = {key: null, value, partition: this.partition}
      if (this.stamped) record.timestamp = this.timestamp
      const index = out.length
      while (origin + 1 < this.origins.length && this.origins[origin + 1].at <= index) origin++
      if (origin >= 0) {
        const o = this.origins[origin]
        record.inputSource = o.source
        record.inputLine = o.line + index - o.at
      }
      out.push(record)
      p = recordEnd
    }
    return out
  }

  private grow(need: number): void {
    let size = this.bytes.length * 2
    while (size < need) size *= 2
    const bigger = uninitialized(size)
    bigger.set(this.bytes.subarray(0, this.headroom + this.length))
    this.bytes = bigger
  }
}

/** A zig-zag varint at `at`. */
function readVarint(b: Uint8Array, at: number): {value: number; next: number} {
  let result = 0
  let shift = 0
  let byte: number
  do {
    byte = b[at++]
    result += (byte & 0x7f) * 2 ** shift
    shift += 7
  } while (byte & 0x80)
  return {value: result % 2 === 0 ? result / 2 : -(result + 1) / 2, next: at}
}

/** Memory that is written before it is read: no zero-filling (Buffer's pool), as a plain Uint8Array view. */
function uninitialized(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafe(size)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size)
}

/** The run a partition's messages stand for, or undefined when they are ordinary records. */
export function runOf(messages: readonly unknown[]): RecordRun | undefined {
  const first = messages[0] as Partial<RunMarker> | undefined
  const run = first?.kafkitRun
  if (!run) return undefined
  // One marker per partition and request (the writer never mixes runs and records, and keeps one run per partition).
  if (messages.length !== 1) throw new Error(`kafkit: ${messages.length} record runs for one partition of a request`)
  return run
}

/** The records a messages array stands for: one per message, or each run's count (markers). */
export function recordCount(messages: readonly unknown[]): number {
  if (!(messages[0] as Partial<RunMarker> | undefined)?.kafkitRun) return messages.length
  let count = 0
  for (const m of messages as RunMarker[]) count += m.kafkitRun.count
  return count
}
