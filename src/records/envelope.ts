/**
 * The record envelope (docs/ARCHITECTURE.md): one JSON object per record, written by `consume --format json`, read by
 * `produce --format json`, used by replay checkpoints. Keys, values and header values that are not valid UTF-8
 * travel as base64 with an `*Encoding: "base64"` marker; null is a tombstone / absent key / a header without a
 * value (Kafka allows one). Nothing is lost.
 *
 * Reading is strict: a field the envelope does not have is an error (a misspelt "vaule" would otherwise write a
 * tombstone), and "value" must be there (`"value": null` is how a tombstone is written).
 */
import {isUtf8} from 'node:buffer'

import {usageError} from '../errors.js'
import {closest} from '../util/strings.js'

export type HeaderValue = string | null | (string | null)[]
/** A header's value as bytes: null is a header without a value (Kafka's null header value). */
export type HeaderBytes = Buffer | null

export interface RecordEnvelope {
  topic?: string
  partition?: number
  offset?: number
  /** ISO-8601 with milliseconds. */
  timestamp?: string
  key: string | null
  value: string | null
  headers?: Record<string, HeaderValue>
  keyEncoding?: 'base64'
  valueEncoding?: 'base64'
  /** All header values are base64 (set when any of them is not UTF-8). */
  headersEncoding?: 'base64'
}

/** A record as bytes, the form the client layer reads and writes. */
export interface RawRecord {
  topic?: string
  partition?: number
  offset?: number
  /** Milliseconds since the epoch. */
  timestamp?: number
  key: Buffer | null
  value: Buffer | null
  headers?: Record<string, HeaderBytes | HeaderBytes[]>
  /** Where produce read it: the input (an index into produce's list of inputs) and its 1-based line. Never sent. */
  inputSource?: number
  inputLine?: number
}

/** Where the values lane writes bytes (OutputBuffer fits). */
export interface ValueSink {
  readonly length: number
  /** Room for `n` more bytes after `length`: the buffer to write them into (valid until the next call). */
  reserve(n: number): Buffer
  /** The bytes up to `end` are written. */
  commit(end: number): void
}

/**
 * A partition's records still in Kafka's encoding, as the reader fetched them (src/kafka/kafkajs/protocol/
 * fetch-decoder.ts): `consume`'s raw format copies values from it without a RawRecord per record.
 */
export interface EncodedRecordSet {
  /** Records in the set. */
  readonly count: number
  /** Offset of the last record (-1 when none). */
  readonly lastOffset: number
  /** Encoded bytes held (what the set pins in memory, roughly). */
  readonly bytes: number
  /**
   * Appends each record's value (nothing for null) and `separator`, for at most `limit` records; returns how
   * many, or -1 when `bailOnWire` and a value looks like the schema registry's wire format (magic byte 0, 4-byte
   * id): the caller then drops what was appended and formats the records one by one.
   */
  writeValues(out: ValueSink, separator: number, limit?: number, bailOnWire?: boolean): number
  /** Each value through `write` (which may change its size) and `separator`; -1 when `write` declined one. */
  transcodeValues?(out: ValueSink, separator: number, write: ValueTranscoder): number
}

/** Appends the value at body[start, end) to `out` in another form; false: it cannot (nothing usable written). */
export type ValueTranscoder = ((body: Buffer, start: number, end: number, out: ValueSink) => boolean) & {
  /**
   * The same for every record of a batch body (record format v2) at once: the values of the `count` records whose
   * offset delta is in [lo, hi), each followed by `separator`; how many were written, or -1 (roll back).
   */
  records?: (body: Buffer, count: number, lo: number, hi: number, out: ValueSink, separator: number) => number
}

export function toEnvelope(record: RawRecord): RecordEnvelope {
  // Built field by field in docs/ARCHITECTURE.md's order (topic, partition, offset, timestamp, key, value, headers), the
  // order JSON.stringify keeps.
  const envelope = {} as RecordEnvelope
  if (record.topic !== undefined) envelope.topic = record.topic
  if (record.partition !== undefined) envelope.partition = record.partition
  if (record.offset !== undefined) envelope.offset = record.offset
  if (record.timestamp !== undefined) envelope.timestamp = new Date(record.timestamp).toISOString()
  const key = encode(record.key)
  envelope.key = key.text
  const value = encode(record.value)
  envelope.value = value.text
  if (key.base64) envelope.keyEncoding = 'base64'
  if (value.base64) envelope.valueEncoding = 'base64'
  const headers = record.headers
  if (headers && Object.keys(headers).length > 0) {
    const all = Object.values(headers).flat()
    const base64 = all.some((v) => v !== null && !isUtf8(v))
    envelope.headers = {}
    for (const [k, v] of Object.entries(headers)) {
      const text = (b: HeaderBytes) => (b === null ? null : b.toString(base64 ? 'base64' : 'utf8'))
      envelope.headers[k] = Array.isArray(v) ? v.map(text) : text(v)
    }
    if (base64) envelope.headersEncoding = 'base64'
  }
  return envelope
}

function encode(bytes: Buffer | null): {text: string | null; base64: boolean} {
  if (bytes === null) return {text: null, base64: false}
  if (isUtf8(bytes)) return {text: bytes.toString('utf8'), base64: false}
  return {text: bytes.toString('base64'), base64: true}
}

/**
 * The envelope's fields: anything else on a line is refused (with a did-you-mean). keySchemaId/valueSchemaId are
 * what consume wrote for a decoded record; like topic and offset they describe where it came from, and produce
 * takes the schema from --value-schema/--value-subject, so that `consume --format json | produce --format json`
 * round-trips.
 */
export const ENVELOPE_FIELDS = ['topic', 'partition', 'offset', 'timestamp', 'key', 'value', 'headers', 'keyEncoding', 'valueEncoding', 'headersEncoding', 'keySchemaId', 'valueSchemaId'] as const

/** The latest timestamp a record can have here: JavaScript's last date (+275760-09-13), far below Kafka's int64. */
export const MAX_TIMESTAMP = 8_640_000_000_000_000

/**
 * Parses one JSON Lines envelope into bytes. `value` is required (null for a tombstone), `key` defaults to null.
 * `timestamp` accepts ISO-8601 or epoch milliseconds from 1970 on. Unknown fields are refused. Errors name the
 * line number.
 */
export function fromEnvelope(line: string, lineNumber: number): RawRecord {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch (error) {
    throw usageError(`line ${lineNumber}: not valid JSON (${(error as Error).message})`, 'each line must be one JSON object: {"key":"k","value":"v"}', 'MALFORMED_JSON')
  }
  return fromEnvelopeObject(parsed, lineNumber)
}

/**
 * fromEnvelope after JSON.parse. `encode` (produce with a schema, src/schemas) turns the key's / value's JSON value
 * into its bytes; null stays null (a tombstone / no key).
 */
export function fromEnvelopeObject(parsed: unknown, lineNumber: number, encode?: {key?: (json: unknown) => Buffer; value?: (json: unknown) => Buffer}): RawRecord {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw usageError(`line ${lineNumber}: expected a JSON object`, 'each line must be one JSON object: {"key":"k","value":"v"}', 'MALFORMED_JSON')
  }
  const e = parsed as Record<string, unknown>
  for (const field of Object.keys(e)) {
    if ((ENVELOPE_FIELDS as readonly string[]).includes(field)) continue
    const guess = closest(field, [...ENVELOPE_FIELDS])
    throw usageError(
      `line ${lineNumber}: unknown field "${field}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
      `an envelope has ${ENVELOPE_FIELDS.map((f) => `"${f}"`).join(', ')}; a tombstone is "value": null`,
      'MALFORMED_JSON',
    )
  }
  if (!('value' in e)) {
    throw usageError(`line ${lineNumber}: no "value" field`, 'every envelope has a "value": {"key":"k","value":"v"}; a tombstone is "value": null', 'MALFORMED_JSON')
  }
  const bad = (field: string, expected: string) => usageError(`line ${lineNumber}: "${field}" must be ${expected}`, 'see the record envelope in the README', 'MALFORMED_JSON')
  const bytes = (field: 'key' | 'value', encoding: unknown): Buffer | null => {
    const v = e[field]
    if (v === undefined || v === null) return null
    const encoder = encode?.[field]
    if (encoder) return encoder(v)
    if (typeof v !== 'string') {
      // A JSON value that is not a string (an object, a number) is taken as its JSON text.
      return Buffer.from(JSON.stringify(v))
    }
    if (encoding === 'base64') return decodeBase64(v, field, lineNumber)
    if (encoding !== undefined && encoding !== 'utf8') throw bad(`${field}Encoding`, '"base64" or "utf8"')
    return Buffer.from(v, 'utf8')
  }
  const record: RawRecord = {key: bytes('key', e.keyEncoding), value: bytes('value', e.valueEncoding)}
  if (e.topic !== undefined) {
    if (typeof e.topic !== 'string') throw bad('topic', 'a string')
    record.topic = e.topic
  }
  if (e.partition !== undefined && e.partition !== null) {
    if (!Number.isInteger(e.partition) || (e.partition as number) < 0 || (e.partition as number) > 2 ** 31 - 1) throw bad('partition', 'a whole number >= 0')
    record.partition = e.partition as number
  }
  if (e.offset !== undefined && e.offset !== null) {
    if ((typeof e.offset === 'number' || (typeof e.offset === 'string' && /^\d+$/.test(e.offset))) && Number.isSafeInteger(Number(e.offset)) && Number(e.offset) >= 0) record.offset = Number(e.offset)
    else throw bad('offset', 'a whole number')
  }
  if (e.timestamp !== undefined && e.timestamp !== null) {
    const ts = typeof e.timestamp === 'number' ? e.timestamp : typeof e.timestamp === 'string' ? (/^-?\d+$/.test(e.timestamp) ? Number(e.timestamp) : Date.parse(e.timestamp)) : Number.NaN
    if (!Number.isFinite(ts)) throw bad('timestamp', 'an ISO-8601 time or epoch milliseconds')
    // Kafka refuses negative timestamps (its Java producer too); beyond MAX_TIMESTAMP no date exists.
    if (ts < 0)
      throw usageError(
        `line ${lineNumber}: "timestamp" ${JSON.stringify(e.timestamp)} is before 1970-01-01 (negative epoch milliseconds)`,
        'Kafka record timestamps are epoch milliseconds from 1970 on',
        'MALFORMED_JSON',
      )
    if (ts > MAX_TIMESTAMP)
      throw usageError(
        `line ${lineNumber}: "timestamp" ${JSON.stringify(e.timestamp)} is too large (the latest is ${MAX_TIMESTAMP}, +275760-09-13)`,
        'timestamps are epoch milliseconds, not micro- or nanoseconds',
        'MALFORMED_JSON',
      )
    if (!Number.isInteger(ts)) throw bad('timestamp', 'whole epoch milliseconds')
    record.timestamp = ts
  }
  if (e.headers !== undefined && e.headers !== null) {
    if (typeof e.headers !== 'object' || Array.isArray(e.headers)) throw bad('headers', 'an object of strings')
    if (e.headersEncoding !== undefined && e.headersEncoding !== 'base64' && e.headersEncoding !== 'utf8') throw bad('headersEncoding', '"base64" or "utf8"')
    const base64 = e.headersEncoding === 'base64'
    record.headers = {}
    for (const [k, v] of Object.entries(e.headers as Record<string, unknown>)) {
      const one = (x: unknown): HeaderBytes => {
        if (x === null) return null
        if (typeof x !== 'string') throw bad(`headers.${k}`, 'a string, null, or a list of them')
        return base64 ? decodeBase64(x, `headers.${k}`, lineNumber) : Buffer.from(x, 'utf8')
      }
      record.headers[k] = Array.isArray(v) ? v.map(one) : one(v)
    }
  }
  return record
}

function decodeBase64(text: string, field: string, lineNumber: number): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw usageError(`line ${lineNumber}: "${field}" is marked base64 but is not valid base64`, 'remove the encoding marker for plain text', 'MALFORMED_JSON')
  }
  return Buffer.from(text, 'base64')
}
