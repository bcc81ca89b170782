/**
 * A fast decoder for Fetch v11 responses (the version Kafka 2.3+ serves to kafkajs), used by the group-less
 * reader on its hot path: records become RawRecords whose key/value are views into the response buffer, with
 * no intermediate objects (kafkajs' decoder builds several objects and strings per record; this is ~5x faster
 * and keeps memory flat). Partitions that need more care — aborted transactions in the response, or old
 * message formats (magic 0/1) — are handed to kafkajs' own decoder and Batch class (see internals.ts).
 *
 * Layout (https://kafka.apache.org/protocol#The_Messages_Fetch, RecordBatch v2: #recordbatch).
 */
import type {HeaderBytes, RawRecord} from '../../../records/envelope.js'

export interface RawPartition {
  partition: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  abortedTransactions: {producerId: string; firstOffset: string}[]
  /** The record set bytes (a view into the response), null when absent. */
  records: Buffer | null
}

export interface RawFetchResponse {
  errorCode: number
  topics: {topic: string; partitions: RawPartition[]}[]
}

const int64 = (b: Buffer, at: number) => b.readInt32BE(at) * 4294967296 + b.readUInt32BE(at + 4)

/** Fetch v11 response body (after the correlation id). Record sets are left undecoded. */
export function decodeFetchV11(b: Buffer): RawFetchResponse {
  let p = 4 // throttle_time_ms
  const errorCode = b.readInt16BE(p)
  p += 2 + 4 // session_id
  const topicCount = b.readInt32BE(p)
  p += 4
  const topics: RawFetchResponse['topics'] = []
  for (let t = 0; t < topicCount; t++) {
    const nameLength = b.readInt16BE(p)
    p += 2
    const topic = b.toString('utf8', p, p + nameLength)
    p += nameLength
    const partitionCount = b.readInt32BE(p)
    p += 4
    const partitions: RawPartition[] = []
    for (let i = 0; i < partitionCount; i++) {
      const partition = b.readInt32BE(p)
      const pErr = b.readInt16BE(p + 4)
      const highWatermark = int64(b, p + 6)
      const lastStableOffset = int64(b, p + 14)
      p += 30 // + log_start_offset
      const abortedCount = b.readInt32BE(p)
      p += 4
      const abortedTransactions: RawPartition['abortedTransactions'] = []
      for (let a = 0; a < abortedCount; a++) {
        abortedTransactions.push({producerId: String(int64(b, p)), firstOffset: String(int64(b, p + 8))})
        p += 16
      }
      p += 4 // preferred_read_replica
      const size = b.readInt32BE(p)
      p += 4
      const records = size > 0 ? b.subarray(p, Math.min(p + size, b.length)) : null
      if (size > 0) p += size
      partitions.push({partition, errorCode: pErr, highWatermark, lastStableOffset, abortedTransactions, records})
    }
    topics.push({topic, partitions})
  }
  return {errorCode, topics}
}

/** The magic byte of the first batch in a record set (2 for every format Kafka writes since 0.11). */
export function magicOf(records: Buffer): number {
  return records.length > 16 ? records.readInt8(16) : 2
}

export type Decompress = (attributes: number, data: Buffer) => Promise<Buffer>

export interface DecodedRecordSet {
  records: RawRecord[]
  /** One past the last complete batch (its base offset + lastOffsetDelta + 1); fetchOffset when none. */
  nextOffset: number
}

/**
 * Decodes complete v2 record batches of one partition: control batches are skipped, records below
 * `fetchOffset` (a compressed batch starting earlier) are dropped, a partial batch at the end is ignored.
 * Stops after `limit` records (then `nextOffset` is one past the last of them).
 */
export async function decodeRecordSet(topic: string, partition: number, set: Buffer, fetchOffset: number, decompress: Decompress, limit = Number.POSITIVE_INFINITY): Promise<DecodedRecordSet> {
  const records: RawRecord[] = []
  let nextOffset = fetchOffset
  let p = 0
  while (p + 61 <= set.length && records.length < limit) {
    const baseOffset = int64(set, p)
    const batchLength = set.readInt32BE(p + 8)
    const end = p + 12 + batchLength
    if (end > set.length) break // partial batch (the response was cut at maxBytes)
    const attributes = set.readInt16BE(p + 21)
    const lastOffsetDelta = set.readInt32BE(p + 23)
    const baseTimestamp = int64(set, p + 27)
    const maxTimestamp = int64(set, p + 35)
    const count = set.readInt32BE(p + 57)
    nextOffset = Math.max(nextOffset, baseOffset + lastOffsetDelta + 1)
    const control = (attributes & 0x20) !== 0
    if (!control && count > 0) {
      const logAppendTime = (attributes & 0x08) !== 0
      const body = (attributes & 0x07) === 0 ? set.subarray(p + 61, end) : await decompress(attributes, set.subarray(p + 61, end))
      if (!decodeRecords(body, count, topic, partition, baseOffset, logAppendTime ? maxTimestamp : baseTimestamp, logAppendTime, fetchOffset, records, limit)) {
        return {records, nextOffset: records[records.length - 1].offset! + 1}
      }
    }
    p = end
  }
  return {records, nextOffset}
}

/** Appends the batch's records to `out`; false when it stopped at `limit` before the batch's end. */
function decodeRecords(
  b: Buffer,
  count: number,
  topic: string,
  partition: number,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTime: boolean,
  fetchOffset: number,
  out: RawRecord[],
  limit: number,
): boolean {
  let p = 0
  // Zig-zag varints (Kafka's record fields); up to 64-bit values via floating point (exact below 2^53).
  const varint = (): number => {
    let result = 0
    let multiplier = 1
    let byte: number
    do {
      byte = b[p++]
      result += (byte & 0x7f) * multiplier
      multiplier *= 128
    } while (byte & 0x80)
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2
  }
  for (let i = 0; i < count && p < b.length; i++) {
    const length = varint()
    const recordEnd = p + length
    p++ // attributes
    const timestampDelta = varint()
    const offsetDelta = varint()
    const keyLength = varint()
    const key = keyLength < 0 ? null : b.subarray(p, p + keyLength)
    if (keyLength > 0) p += keyLength
    const valueLength = varint()
    const value = valueLength < 0 ? null : b.subarray(p, p + valueLength)
    if (valueLength > 0) p += valueLength
    const headerCount = varint()
    let headers: Record<string, HeaderBytes | HeaderBytes[]> | undefined
    for (let h = 0; h < headerCount; h++) {
      const kl = varint()
      const hk = b.toString('utf8', p, p + kl)
      p += kl
      const vl = varint()
      // Kafka allows a header without a value (length -1): it stays null, distinct from an empty value.
      const hv = vl < 0 ? null : b.subarray(p, p + vl)
      if (vl > 0) p += vl
      headers ??= {}
      const existing = headers[hk]
      headers[hk] = existing === undefined ? hv : Array.isArray(existing) ? [...existing, hv] : [existing, hv]
    }
    p = recordEnd
    const offset = baseOffset + offsetDelta
    if (offset < fetchOffset) continue
    const record: RawRecord = {topic, partition, offset, timestamp: logAppendTime ? baseTimestamp : baseTimestamp + timestampDelta, key, value}
    if (headers) record.headers = headers
    out.push(record)
    if (out.length >= limit && i < count - 1) return false
  }
  return true
}
