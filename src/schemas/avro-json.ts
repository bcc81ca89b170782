/**
 * consume's fast lane for Avro: binary -> JSON bytes in one pass, for the common schemas (records of strings,
 * numbers, booleans, enums, nullable unions, arrays, maps, bytes, timestamp-millis). Plain ASCII strings are
 * copied byte for byte; nothing is built per field. It writes exactly what AvroCodec.toText writes (a unit test
 * compares both on random values of many schemas); a schema with anything else (decimals, other logical types,
 * wrapped unions) has no fast lane and goes through avsc. A record it cannot read returns false: the caller
 * rolls the output back and takes the slow path, which reports the error.
 */
import {isoFromMillis, quote} from './json-text.js'

/** The part of OutputBuffer the transcoder writes to. */
export interface JsonSink {
  readonly length: number
  byte(b: number): void
  bytes(bytes: Buffer | Uint8Array): void
  string(text: string): void
  /** Text known to be ASCII (numbers, literals, base64). */
  latin1(text: string): void
  /** bytes[start, end) copied in. */
  range(bytes: Buffer, start: number, end: number): void
}

/** Reads one value at `pos` and writes its JSON; returns the position after it (or -1: not readable). */
type Transcode = (buf: Buffer, pos: number, out: JsonSink) => number

type Schema = any // eslint-disable-line @typescript-eslint/no-explicit-any

/** A transcoder for a whole payload, or undefined when the schema has a type the fast lane does not cover. */
export function compileAvroJson(schema: Schema, named: Map<string, Schema> = new Map()): ((payload: Buffer, out: JsonSink) => boolean) | undefined {
  let transcode: Transcode
  try {
    transcode = compile(schema, named, '')
  } catch {
    return undefined
  }
  return (payload, out) => {
    const end = transcode(payload, 0, out)
    return end === payload.length
  }
}

class Unsupported extends Error {}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])

function compile(schema: Schema, named: Map<string, Schema>, namespace: string): Transcode {
  if (typeof schema === 'string') {
    if (PRIMITIVES.has(schema)) return primitive(schema)
    const full = schema.includes('.') || !namespace ? schema : `${namespace}.${schema}`
    const found = named.get(full) ?? named.get(schema)
    if (!found) throw new Unsupported(schema)
    return (buf, pos, out) => found.transcode(buf, pos, out)
  }
  if (Array.isArray(schema)) return union(schema, named, namespace)
  const {type} = schema
  if (schema.logicalType !== undefined) {
    if (schema.logicalType === 'timestamp-millis' && type === 'long') return timestampMillis
    throw new Unsupported(String(schema.logicalType))
  }
  if (PRIMITIVES.has(type)) return primitive(type)
  switch (type) {
    case 'record':
    case 'error': {
      const ns = schema.namespace ?? (String(schema.name).includes('.') ? String(schema.name).split('.').slice(0, -1).join('.') : namespace)
      const full = String(schema.name).includes('.') ? schema.name : ns ? `${ns}.${schema.name}` : schema.name
      const entry = {transcode: undefined as unknown as Transcode}
      named.set(full, entry)
      const fields = (schema.fields as {name: string; type: Schema}[]).map((f, i) => ({prefix: Buffer.from(`${i === 0 ? '{' : ','}${quote(f.name)}:`), read: compile(f.type, named, ns)}))
      entry.transcode = (buf, pos, out) => {
        if (fields.length === 0) {
          out.latin1('{}')
          return pos
        }
        for (let i = 0; i < fields.length && pos >= 0; i++) {
          out.bytes(fields[i].prefix)
          pos = fields[i].read(buf, pos, out)
        }
        out.byte(0x7d)
        return pos
      }
      return entry.transcode
    }
    case 'enum': {
      const ns = schema.namespace ?? namespace
      const full = String(schema.name).includes('.') ? schema.name : ns ? `${ns}.${schema.name}` : schema.name
      const symbols = (schema.symbols as string[]).map((s) => Buffer.from(quote(s)))
      const read: Transcode = (buf, pos, out) => {
        const r = readLong(buf, pos)
        if (r < 0) return -1
        const symbol = symbols[value]
        if (!symbol) return -1
        out.bytes(symbol)
        return r
      }
      named.set(full, {transcode: read})
      return read
    }
    case 'array': {
      const item = compile(schema.items, named, namespace)
      return (buf, pos, out) => {
        out.byte(0x5b)
        let first = true
        for (;;) {
          pos = readLong(buf, pos)
          if (pos < 0) return -1
          let count = value
          if (count === 0) break
          if (count < 0) {
            count = -count
            pos = readLong(buf, pos) // the block's size in bytes
            if (pos < 0) return -1
          }
          for (let i = 0; i < count; i++) {
            if (!first) out.byte(0x2c)
            first = false
            pos = item(buf, pos, out)
            if (pos < 0) return -1
          }
        }
        out.byte(0x5d)
        return pos
      }
    }
    case 'map': {
      const values = compile(schema.values, named, namespace)
      return (buf, pos, out) => {
        out.byte(0x7b)
        let first = true
        for (;;) {
          pos = readLong(buf, pos)
          if (pos < 0) return -1
          let count = value
          if (count === 0) break
          if (count < 0) {
            count = -count
            pos = readLong(buf, pos)
            if (pos < 0) return -1
          }
          for (let i = 0; i < count; i++) {
            if (!first) out.byte(0x2c)
            first = false
            pos = string(buf, pos, out)
            if (pos < 0) return -1
            out.byte(0x3a)
            pos = values(buf, pos, out)
            if (pos < 0) return -1
          }
        }
        out.byte(0x7d)
        return pos
      }
    }
    case 'fixed': {
      const size = Number(schema.size)
      const ns = schema.namespace ?? namespace
      const full = String(schema.name).includes('.') ? schema.name : ns ? `${ns}.${schema.name}` : schema.name
      const read: Transcode = (buf, pos, out) => {
        if (pos + size > buf.length) return -1
        out.latin1(`"${buf.toString('base64', pos, pos + size)}"`)
        return pos + size
      }
      named.set(full, {transcode: read})
      return read
    }
  }
  throw new Unsupported(String(type))
}

/** Only unions whose values are written plain: null plus one other branch (the common optional field). */
function union(branches: Schema[], named: Map<string, Schema>, namespace: string): Transcode {
  const reads = branches.map((b) => (b === 'null' || b?.type === 'null' ? undefined : b))
  const others = reads.filter((b) => b !== undefined)
  if (others.length !== 1 || branches.length > 2) throw new Unsupported('union')
  const compiled = branches.map((b, i) => (reads[i] === undefined ? undefined : compile(b, named, namespace)))
  return (buf, pos, out) => {
    pos = readLong(buf, pos)
    if (pos < 0) return -1
    if (value < 0 || value >= compiled.length) return -1
    const read = compiled[value]
    if (!read) {
      out.latin1('null')
      return pos
    }
    return read(buf, pos, out)
  }
}

/** The last varint read (a module variable: no object per read). */
let value = 0

/** Zigzag varint at pos into `value` (exact up to 2^53; beyond, -1: the slow lane writes those as strings). */
function readLong(buf: Buffer, pos: number): number {
  let b = buf[pos++]
  if (b === undefined) return -1
  const n = b & 0x7f
  if (b < 0x80) {
    value = (n >>> 1) ^ -(n & 1)
    return pos
  }
  let shift = 7
  let result = n
  do {
    b = buf[pos++]
    if (b === undefined) return -1
    if (shift >= 49) {
      // 8 or more groups: beyond 2^53 soon; the slow lane takes it.
      if (shift >= 56 || b > 0x07) return -1
    }
    result += (b & 0x7f) * 2 ** shift
    shift += 7
  } while (b >= 0x80)
  value = result % 2 === 1 ? -(result + 1) / 2 : result / 2
  return pos
}

function primitive(type: string): Transcode {
  switch (type) {
    case 'null':
      return (_buf, pos, out) => {
        out.latin1('null')
        return pos
      }
    case 'boolean':
      return (buf, pos, out) => {
        const b = buf[pos]
        if (b !== 0 && b !== 1) return -1
        out.latin1(b === 1 ? 'true' : 'false')
        return pos + 1
      }
    case 'int':
    case 'long':
      return (buf, pos, out) => {
        pos = readLong(buf, pos)
        if (pos < 0) return -1
        out.latin1(`${value}`)
        return pos
      }
    case 'float':
      return (buf, pos, out) => {
        if (pos + 4 > buf.length) return -1
        writeNumber(buf.readFloatLE(pos), out)
        return pos + 4
      }
    case 'double':
      return (buf, pos, out) => {
        if (pos + 8 > buf.length) return -1
        writeNumber(buf.readDoubleLE(pos), out)
        return pos + 8
      }
    case 'string':
      return string
    case 'bytes':
      return (buf, pos, out) => {
        pos = readLong(buf, pos)
        if (pos < 0 || value < 0 || pos + value > buf.length) return -1
        out.latin1(`"${buf.toString('base64', pos, pos + value)}"`)
        return pos + value
      }
  }
  throw new Unsupported(type)
}

function writeNumber(v: number, out: JsonSink): void {
  out.latin1(Number.isFinite(v) ? `${v}` : `"${v}"`)
}

const timestampMillis: Transcode = (buf, pos, out) => {
  pos = readLong(buf, pos)
  if (pos < 0) return -1
  out.latin1(`"${isoFromMillis(value)}"`)
  return pos
}

/** A string: printable ASCII without quote or backslash is copied as it is; anything else goes through quote(). */
function string(buf: Buffer, pos: number, out: JsonSink): number {
  pos = readLong(buf, pos)
  const length = value
  if (pos < 0 || length < 0 || pos + length > buf.length) return -1
  const end = pos + length
  for (let i = pos; i < end; i++) {
    const c = buf[i]
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      out.string(quote(buf.toString('utf8', pos, end)))
      return end
    }
  }
  out.byte(0x22)
  out.range(buf, pos, end)
  out.byte(0x22)
  return end
}
