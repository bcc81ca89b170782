/**
 * Produce input: bytes -> lines -> records.
 *
 * - `readLineChunks` splits a byte stream into lines one read chunk at a time (no per-line promise: a chunk of
 *   thousands of lines is handed over at once, which is what makes a 1M-line file fast). Lines are offsets into
 *   the chunk, not copies or views. A line longer than `maxLineBytes` is reported to `onTooLong`, which
 *   either throws (stop) or returns (the rest of that line is dropped).
 * - `lineParser` turns a line into a record: plain lines (`--key-separator`, `--null-marker`, `--header`) or
 *   JSON envelope lines (`fromEnvelope`). Bad input throws a usage error that names the line.
 */
import {isUtf8} from 'node:buffer'

import {KafkitError, usageError} from '../errors.js'
import {RawRecord, fromEnvelope, fromEnvelopeObject} from './envelope.js'

export type InputFormat = 'line' | 'json'
export const INPUT_FORMATS: readonly InputFormat[] = ['line', 'json']

export interface LineChunk {
  /** The bytes the lines are in. */
  data: Buffer
  /** Line i is `data[bounds[2i], bounds[2i + 1])`, without its '\n'. Offsets, not views: no object per line. */
  bounds: number[]
  /** 1-based number of the chunk's first line in its input. */
  firstLine: number
}

/** Line `i` of a chunk as a view. */
export function lineOf(chunk: LineChunk, i: number): Buffer {
  return chunk.data.subarray(chunk.bounds[2 * i], chunk.bounds[2 * i + 1])
}

export interface LineReaderOptions {
  maxLineBytes: number
  /** Called for an over-long line; throw to stop, return to drop the line and go on. */
  onTooLong: (lineNumber: number, bytesSoFar: number) => void
}

const NL = 0x0a

export async function* readLineChunks(source: AsyncIterable<Buffer | string>, options: LineReaderOptions): AsyncGenerator<LineChunk> {
  let carry: Buffer[] = []
  let carryBytes = 0
  let dropping = false // inside an over-long line that was reported and is being skipped
  let lineNumber = 1
  for await (const piece of source) {
    const data = typeof piece === 'string' ? Buffer.from(piece) : piece
    let bounds: number[] = []
    let first = lineNumber
    let start = 0
    let nl = data.indexOf(NL, 0)
    while (nl !== -1) {
      if (dropping) {
        dropping = false
        first = ++lineNumber
      } else if (carryBytes > 0 || nl - start > options.maxLineBytes) {
        // A line begun in an earlier chunk (always this chunk's first line), or an over-long one.
        const line = carryBytes > 0 ? Buffer.concat([...carry, data.subarray(start, nl)], carryBytes + nl - start) : undefined
        const length = line ? line.length : nl - start
        carry = []
        carryBytes = 0
        if (length > options.maxLineBytes) {
          // Hand over the lines before it, so that numbering stays exact (firstLine + index).
          if (bounds.length > 0) yield {data, bounds, firstLine: first}
          bounds = []
          options.onTooLong(lineNumber, length)
        } else {
          yield {data: line!, bounds: [0, length], firstLine: lineNumber}
        }
        first = ++lineNumber
      } else {
        bounds.push(start, nl)
        lineNumber++
      }
      start = nl + 1
      nl = data.indexOf(NL, start)
    }
    if (start < data.length && !dropping) {
      const rest = data.subarray(start)
      carry.push(rest)
      carryBytes += rest.length
      if (carryBytes > options.maxLineBytes) {
        // Say so now rather than buffer an endless line.
        if (bounds.length > 0) yield {data, bounds, firstLine: first}
        bounds = []
        options.onTooLong(lineNumber, carryBytes)
        carry = []
        carryBytes = 0
        dropping = true
      }
    }
    if (bounds.length > 0) yield {data, bounds, firstLine: first}
  }
  if (carryBytes > 0 && !dropping) {
    const line = Buffer.concat(carry, carryBytes)
    yield {data: line, bounds: [0, line.length], firstLine: lineNumber}
  }
}

export interface LineParserOptions {
  format: InputFormat
  /** Splits key and value at its first occurrence (line format). */
  keySeparator?: string
  /** A key or value equal to this is null (a tombstone for a value). */
  nullMarker?: string
  /** Added to every record (`--header k=v`). */
  headers?: Record<string, Buffer | Buffer[]>
  /** JSON: keep the envelope's partition (`--keep-partition`). */
  keepPartition?: boolean
  /**
   * Produce with a schema (src/schemas): keys / values are JSON, turned into their bytes by these (which throw a
   * usage error naming the field that does not fit). Line format: the value part of each line (and the key part
   * with --key-separator) is JSON; envelope format: the `key` / `value` fields are JSON values.
   */
  encodeKey?: (json: unknown, lineNumber: number) => Buffer
  encodeValue?: (json: unknown, lineNumber: number) => Buffer
}

/** True when lineParser(options) makes each line, unchanged, the value of a keyless record without headers. */
export function linesAreValues(options: LineParserOptions): boolean {
  return (
    options.format === 'line' &&
    !options.keySeparator &&
    options.nullMarker === undefined &&
    (!options.headers || Object.keys(options.headers).length === 0) &&
    !options.encodeValue &&
    !options.encodeKey
  )
}

/** Returns null for a line that is not a record (a blank line in JSON Lines). */
export type LineParser = (line: Buffer, lineNumber: number) => RawRecord | null

export function lineParser(options: LineParserOptions): LineParser {
  const headers = options.headers && Object.keys(options.headers).length > 0 ? options.headers : undefined
  const encoders = options.encodeKey || options.encodeValue ? {key: options.encodeKey, value: options.encodeValue} : undefined
  if (options.format === 'json') {
    return (line, lineNumber) => {
      if (isBlank(line)) return null
      if (!isUtf8(line)) throw malformed(lineNumber, 'is not valid UTF-8', 'JSON Lines must be UTF-8; binary keys/values travel as base64 with "valueEncoding":"base64"')
      const record = encoders
        ? fromEnvelopeObject(parseJsonLine(line, lineNumber), lineNumber, {
            key: encoders.key && ((j) => encoders.key!(j, lineNumber)),
            value: encoders.value && ((j) => encoders.value!(j, lineNumber)),
          })
        : fromEnvelope(line.toString('utf8'), lineNumber)
      delete record.topic
      delete record.offset
      if (!options.keepPartition) delete record.partition
      if (headers) record.headers = {...headers, ...record.headers}
      return record
    }
  }
  const separator = options.keySeparator ? Buffer.from(options.keySeparator) : undefined
  const nullMarker = options.nullMarker === undefined ? undefined : Buffer.from(options.nullMarker)
  const plainNull = (bytes: Buffer): Buffer | null => (nullMarker && bytes.equals(nullMarker) ? null : bytes)
  // With a schema, each part is JSON encoded into its bytes (the null marker still means null).
  const encoded = (encode: ((json: unknown, lineNumber: number) => Buffer) | undefined) =>
    encode ? (bytes: Buffer, lineNumber: number) => (nullMarker && bytes.equals(nullMarker) ? null : encode(parseJsonLine(bytes, lineNumber), lineNumber)) : plainNull
  const orNull = encoded(options.encodeValue)
  const keyOrNull = encoded(options.encodeKey)
  if (!separator) {
    return (line, lineNumber) => {
      if (encoders && isBlank(line)) return null
      return {key: null, value: orNull(line, lineNumber), headers}
    }
  }
  const sepText = options.keySeparator!
  return (line, lineNumber) => {
    const at = line.indexOf(separator)
    if (at === -1) {
      throw malformed(lineNumber, `has no key separator '${printable(sepText)}'`, `write KEY${printable(sepText)}VALUE on every line, or pass --skip-invalid to skip such lines`)
    }
    return {key: keyOrNull(line.subarray(0, at), lineNumber), value: orNull(line.subarray(at + separator.length), lineNumber), headers}
  }
}

/** `--header k=v` (repeatable; a repeated name becomes a list, as Kafka allows). */
export function parseHeaderFlags(flags: string[] | undefined): Record<string, Buffer | Buffer[]> {
  const headers: Record<string, Buffer | Buffer[]> = {}
  for (const flag of flags ?? []) {
    const at = flag.indexOf('=')
    if (at <= 0) throw usageError(`--header '${flag}' is not NAME=VALUE`, 'e.g. --header source=import --header trace-id=abc', 'BAD_HEADER')
    const name = flag.slice(0, at)
    const value = Buffer.from(flag.slice(at + 1))
    const existing = headers[name]
    headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value]
  }
  return headers
}

/** Separator flags accept the escapes people type in shells: `\t`, `\n`, `\\`. */
export function unescapeSeparator(text: string): string {
  return text.replaceAll(/\\([tn\\0])/g, (_, c: string) => ({t: '\t', n: '\n', '\\': '\\', '0': '\0'})[c]!)
}

export function malformed(lineNumber: number, what: string, hint: string): KafkitError {
  return usageError(`line ${lineNumber} ${what}`, hint, 'MALFORMED_LINE')
}

function parseJsonLine(bytes: Buffer, lineNumber: number): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw usageError(
      `line ${lineNumber}: not valid JSON (${(error as Error).message})`,
      'with a schema, each record is one JSON value per line (or a JSON envelope with --format json)',
      'MALFORMED_JSON',
    )
  }
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false
  return true
}

function printable(text: string): string {
  return text.replaceAll('\t', '\\t').replaceAll('\n', '\\n')
}

const SIZE_UNITS: Record<string, number> = {'': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1 << 20, mb: 1_000_000, mib: 1 << 20, g: 1 << 30, gb: 1e9, gib: 1 << 30}

/** `1048576`, `512k`, `1MiB`, `10MB` -> bytes. */
export function parseSize(text: string, label: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim())
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined
  if (!match || unit === undefined || Number(match[1]) * unit < 1 || !Number.isSafeInteger(Math.floor(Number(match[1]) * unit))) {
    throw usageError(`${label}: '${text}' is not a size`, 'use bytes or a unit: 65536, 512KiB, 1MiB, 10MB', 'BAD_SIZE')
  }
  return Math.floor(Number(match[1]) * unit)
}
