/**
 * The printing half of `consume`: records are filtered (--grep), counted (--count), formatted into one
 * OutputBuffer and written to stdout in large chunks. It also keeps, per partition, the position up to which
 * records have really been written (the write callback fired) — the only offsets a group consumer may commit.
 */
import type {Writable} from 'node:stream'

import type {EncodedRecordSet, RawRecord, ValueTranscoder} from './envelope.js'
import {OutputBuffer, type RecordFormatter} from './format.js'

export interface PrinterOptions {
  formatter: RecordFormatter
  grep?: (record: RawRecord) => boolean
  /** Stop after this many records (--count). */
  limit?: number
  stream: Writable
  /** Write when this many bytes are buffered (and whenever the caller flushes). */
  chunkBytes?: number
  /**
   * The format is the value and a newline (raw, UTF-8, no filter): records still encoded are copied without a
   * RawRecord each (addEncoded). `bailOnWire`: values in the schema registry's wire format take the slow lane.
   */
  valuesLane?: {bailOnWire: boolean; transcode?: ValueTranscoder}
}

export interface PartitionPosition {
  topic: string
  partition: number
  /** Every record before this offset has been written (or skipped by --grep). */
  next: number
}

export class RecordPrinter {
  /** Records written (or buffered). */
  count = 0
  bytes = 0
  readonly partitions = new Set<string>()
  private readonly out = new OutputBuffer()
  private readonly pending = new Map<string, PartitionPosition>()
  /** Positions whose records reached the stream. */
  readonly written = new Map<string, PartitionPosition>()
  private readonly chunkBytes: number

  constructor(private readonly options: PrinterOptions) {
    this.chunkBytes = options.chunkBytes ?? 256 * 1024
  }

  get limitReached(): boolean {
    return this.options.limit !== undefined && this.count >= this.options.limit
  }

  get buffered(): number {
    return this.out.length
  }

  /**
   * Formats a partition's records into the buffer. `nextOffset` is where the partition continues after them.
   * Returns false once --count is reached (records after the limit are not taken).
   */
  add(topic: string, partition: number, records: RawRecord[], nextOffset: number): boolean {
    const {formatter, grep, limit} = this.options
    const key = `${topic}\u0000${partition}`
    let next = nextOffset
    for (let i = 0; i < records.length; i++) {
      const r = records[i]
      if (grep && !grep(r)) continue
      formatter(r, this.out)
      this.count++
      if (limit !== undefined && this.count >= limit) {
        next = (r.offset ?? nextOffset - 1) + 1
        break
      }
    }
    if (records.length > 0) this.partitions.add(key)
    this.pending.set(key, {topic, partition, next})
    return !this.limitReached
  }

  /**
   * The values lane: `add()` for a set still encoded, when the format allows it. Returns undefined when it does
   * not apply (no lane, a --count limit inside the set, a value needing schema decoding): then call `add()`.
   */
  addEncoded(topic: string, partition: number, encoded: EncodedRecordSet | undefined, nextOffset: number): boolean | undefined {
    const {valuesLane, grep, limit} = this.options
    if (!valuesLane || grep || !encoded) return undefined
    if (limit !== undefined && this.count + encoded.count > limit) return undefined
    const mark = this.out.length
    const {transcode} = valuesLane
    // Values in the registry's wire format: transcoded (Avro to JSON) when the schema has the fast lane; plain
    // values are copied (writeValues stops at the first wire-format value), never handed to the schema code. A
    // set is tried the way the last one needed first: a topic's values are nearly always all of one kind.
    const transcodeValues = () => (transcode && encoded.transcodeValues ? encoded.transcodeValues(this.out, 10, transcode) : -1)
    const copyValues = () => encoded.writeValues(this.out, 10, Number.POSITIVE_INFINITY, valuesLane.bailOnWire)
    const [first, second] = this.transcoding ? [transcodeValues, copyValues] : [copyValues, transcodeValues]
    let n = first()
    if (n < 0) {
      this.out.truncate(mark)
      n = second()
      if (n >= 0) this.transcoding = !this.transcoding
    }
    if (n < 0) {
      this.out.truncate(mark)
      return undefined
    }
    this.count += n
    const key = `${topic}\u0000${partition}`
    if (n > 0) this.partitions.add(key)
    this.pending.set(key, {topic, partition, next: nextOffset})
    return !this.limitReached
  }

  /** The last encoded set's values were transcoded (addEncoded tries that first). */
  private transcoding = false

  /** Writes the buffer if it is large enough (or `force`), and waits until the stream took it. */
  async flush(force = false): Promise<void> {
    if (this.out.length === 0) {
      this.settle()
      return
    }
    if (!force && this.out.length < this.chunkBytes) return
    // Not copied: the next flush comes after this write is done (see OutputBuffer.takeView).
    const chunk = this.out.takeView()
    const positions = [...this.pending.values()]
    this.pending.clear()
    await writeChunk(this.options.stream, chunk)
    this.bytes += chunk.length
    for (const p of positions) this.written.set(`${p.topic}\u0000${p.partition}`, p)
  }

  /** Positions with nothing buffered (only skipped records) count as written at once. */
  private settle(): void {
    for (const [k, p] of this.pending) this.written.set(k, p)
    this.pending.clear()
  }
}

export function writeChunk(stream: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()))
  })
}
