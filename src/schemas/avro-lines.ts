/**
 * produce's fast lane for Avro: one JSON line -> its Avro binary, scanned straight from the input bytes (no string,
 * no JSON.parse, no object per line). It takes only the plain shape of a line: an object whose keys come in the
 * schema's field order (every field present, none extra), strings without escapes (UTF-8 checked), numbers in
 * JSON's syntax, null/true/false, enums by symbol, unions whose branches differ in JSON (["null","string"]), nested
 * records, and timestamps/dates as whole numbers. Anything else (another key order, a missing field with a
 * default, escapes, ISO times, wrapped unions, whole numbers beyond 2^52, a value that does not fit) returns -1: the
 * caller takes that line through JSON.parse and AvroCodec.encodeInto, the exact path, which also names what does
 * not fit. So every line this lane writes is written byte for byte as that path writes it (a property test
 * compares both over random schemas and lines). A schema with a field this lane never writes (bytes, fixed,
 * arrays, maps, decimals, uuids) outside a union has no lane at all.
 *
 * Like consume's lane (avro-json.ts) the schema is compiled into JavaScript source, one function per record type,
 * with the field names as byte comparisons and the input position and output position in local variables.
 *
 * Room: a line's Avro binary is never longer than 2 x its JSON text + 16 bytes (the widest case, a double given as
 * one digit in a union, is 9 bytes for at least 6 bytes of `"k":1,`); the caller reserves that much.
 */
import {isUtf8} from 'node:buffer'

import {type AvroTypeShape, jsonKind, unionIsPlain} from './avro-kinds.js'

/** Writes the Avro binary of the JSON line data[start, end) at out[pos..]: the end of what it wrote, or -1. */
export type AvroLineEncoder = (data: Buffer, start: number, end: number, out: Buffer, pos: number) => number

/** The worst case of out's room a line needs (see the top comment). */
export const roomFor = (lineLength: number): number => 2 * lineLength + 16

/** The lane for a record schema, or undefined when its root is not a record or it has a field the lane never writes. */
export function compileAvroLines(type: AvroTypeShape): AvroLineEncoder | undefined {
  if (type.typeName !== 'record') return undefined
  try {
    return new Generator().compile(type)
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

class Unsupported extends Error {}

const LOGICAL_WHOLE_NUMBERS = new Set([
  'timestamp-millis',
  'timestamp-micros',
  'timestamp-nanos',
  'local-timestamp-millis',
  'local-timestamp-micros',
  'local-timestamp-nanos',
  'date',
  'time-millis',
  'time-micros',
])

/** JSON whitespace at d[i] skipped. */
const WS = 'if (i < e && d[i] <= 32) while (i < e && ((c = d[i]) === 32 || c === 9 || c === 13 || c === 10)) i++;'

/** Code that checks and steps over these bytes at d[i] (4 at a time through the input's DataView), else returns -1. */
function expectBytes(bytes: Buffer): string {
  const checks: string[] = []
  let k = 0
  for (; k + 4 <= bytes.length; k += 4) checks.push(`DI.getUint32(i + ${k}) !== ${bytes.readUInt32BE(k)}`)
  for (; k < bytes.length; k++) checks.push(`d[i + ${k}] !== ${bytes[k]}`)
  return `if (i + ${bytes.length} > e || ${checks.join(' || ')}) return -1; i += ${bytes.length};`
}

/** Runtime helpers of the generated code; I is where the last number ended. */
const HELPERS = `
  let I = 0
  function whole(d, i, e) {
    let negative = false
    if (i < e && d[i] === 45) { negative = true; i++ }
    const first = i
    let n = 0
    while (i < e && d[i] >= 48 && d[i] <= 57) n = n * 10 + (d[i++] - 48)
    const digits = i - first
    // Up to 16 digits below 2^52 (timestamps in micros): every step of n was exact, and so is its zig-zag (2|n|).
    if (digits === 0 || digits > 16 || n > 4503599627370495 || (digits > 1 && d[first] === 48)) return NaN
    if (i < e && (d[i] === 46 || d[i] === 101 || d[i] === 69)) return NaN
    I = i
    return negative ? -n : n
  }
  function digits(d, i, e) { while (i < e && d[i] >= 48 && d[i] <= 57) i++; return i }
  const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]
  function num(d, i, e) {
    const start = i
    const negative = i < e && d[i] === 45
    if (negative) i++
    const first = i
    let m = 0, c
    while (i < e && (c = d[i]) >= 48 && c <= 57) { m = m * 10 + (c - 48); i++ }
    const whole = i - first
    if (whole === 0 || (whole > 1 && d[first] === 48)) return NaN
    let scale = 0
    if (i < e && d[i] === 46) {
      const f = ++i
      while (i < e && (c = d[i]) >= 48 && c <= 57) { m = m * 10 + (c - 48); i++ }
      scale = i - f
      if (scale === 0) return NaN
    }
    let v
    if (i < e && (d[i] === 101 || d[i] === 69)) {
      let k = i + 1
      if (k < e && (d[k] === 43 || d[k] === 45)) k++
      const x = digits(d, k, e)
      if (x === k) return NaN
      i = x
      v = Number(d.latin1Slice(start, i))
    } else if (whole + scale <= 16 && m <= 9007199254740991) {
      // Exact digits over an exact power of ten: one division, correctly rounded, as Number() reads the text.
      v = m / POW10[scale]
      if (negative) v = -v
    } else v = Number(d.latin1Slice(start, i))
    if (!Number.isFinite(v)) return NaN
    I = i
    return v
  }
  function str(d, i, e) {
    if (i >= e || d[i] !== 34) return -1
    const start = ++i
    let ascii = true
    for (; i < e; i++) {
      const c = d[i]
      if (c === 34) break
      if (c === 92 || c < 32) return -1
      if (c >= 128) ascii = false
    }
    if (i >= e) return -1
    if (!ascii && !isUtf8(d.subarray(start, i))) return -1
    return i
  }
  function uv(o, p, z) {
    // 32-bit steps while they are exact; above 2^31, a division (not %, a slow call on doubles)
    while (z >= 0x80000000) { const q = Math.floor(z / 128); o[p++] = (z - q * 128) | 128; z = q }
    while (z >= 128) { o[p++] = (z & 127) | 128; z >>>= 7 }
    o[p++] = z
    return p
  }
  function zz(o, p, n) { return uv(o, p, n >= 0 ? n * 2 : -n * 2 - 1) }
  // Bytes copied 4 at a time through DataViews of the input and the output (3x a byte loop; Buffer.copy's call
  // costs more than the short strings it would copy); the entry function keeps them on the current buffers.
  let DI = new DataView(new ArrayBuffer(0)), DO = DI, lastIn, lastOut
  function copy(d, s, t, o, p) {
    let k = s
    for (; k + 4 <= t; k += 4, p += 4) DO.setUint32(p, DI.getUint32(k))
    for (; k < t; k++) o[p++] = d[k]
    return p
  }
`

class Generator {
  private readonly functions: string[] = []
  private readonly records = new Map<AvroTypeShape, string>()
  private readonly constants: unknown[] = []

  compile(root: AvroTypeShape): AvroLineEncoder {
    const fn = this.record(root)
    const source = `
      ${HELPERS}
      let o
      let P = 0
      ${this.functions.join('\n')}
      return function (d, start, end, out, pos) {
        if (d !== lastIn) { lastIn = d; DI = new DataView(d.buffer, d.byteOffset, d.length) }
        if (out !== lastOut) { lastOut = out; DO = new DataView(out.buffer, out.byteOffset, out.length) }
        o = out
        P = pos
        let i = ${fn}(d, start, end)
        if (i < 0) return -1
        let c
        const e = end
        ${WS}
        return i === end ? P : -1
      }`
    return new Function('K', 'isUtf8', source)(this.constants, isUtf8) as AvroLineEncoder
  }

  /** The name of the function that reads a record of this type at d[i] (returns the index after it, or -1). */
  private record(type: AvroTypeShape): string {
    const known = this.records.get(type)
    if (known) return known
    const fn = `r${this.records.size}`
    this.records.set(type, fn)
    let code = ''
    type.fields!.forEach((f, n) => {
      if (n > 0) code += `${WS} if (i >= e || d[i] !== 44) return -1; i++;`
      code += `${WS} ${expectBytes(Buffer.from(JSON.stringify(f.name)))} ${WS} if (i >= e || d[i] !== 58) return -1; i++; ${WS}\n`
      code += this.value(f.type, false) + '\n'
    })
    this.functions.push(`function ${fn}(d, i, e) {
      let p = P, c, n, s
      ${WS} if (i >= e || d[i] !== 123) return -1; i++;
      ${code}
      ${WS} if (i >= e || d[i] !== 125) return -1; i++;
      P = p
      return i
    }`)
    return fn
  }

  /**
   * Code that reads one value of `type` at d[i] and writes its Avro binary at o[p], returning -1 when the line is
   * not this lane's. `inUnion`: a type the lane never writes only bails this branch (else the schema has no lane).
   */
  private value(type: AvroTypeShape, inUnion: boolean): string {
    const name = type.typeName
    switch (name) {
      case 'null':
        return expectBytes(Buffer.from('null'))
      case 'boolean':
        return `if (i + 4 <= e && d[i] === 116 && d[i + 1] === 114 && d[i + 2] === 117 && d[i + 3] === 101) { o[p++] = 1; i += 4 }
          else if (i + 5 <= e && d[i] === 102 && d[i + 1] === 97 && d[i + 2] === 108 && d[i + 3] === 115 && d[i + 4] === 101) { o[p++] = 0; i += 5 }
          else return -1;`
      case 'int':
        return 'n = whole(d, i, e); if (!(n >= -2147483648 && n <= 2147483647)) return -1; i = I; p = zz(o, p, n);'
      case 'long':
      case 'abstract:long':
        return 'n = whole(d, i, e); if (n !== n) return -1; i = I; p = zz(o, p, n);'
      case 'float':
        return 'n = num(d, i, e); if (n !== n) return -1; i = I; p = o.writeFloatLE(n, p);'
      case 'double':
        return 'n = num(d, i, e); if (n !== n) return -1; i = I; p = o.writeDoubleLE(n, p);'
      case 'string':
        return 's = str(d, i, e); if (s < 0) return -1; p = uv(o, p, (s - i - 1) * 2); p = copy(d, i + 1, s, o, p); i = s + 1;'
      case 'enum': {
        // The symbol's index by its bytes (symbols are plain names: no escapes).
        const k = this.constants.push(type.symbols!.map((x) => Buffer.from(x))) - 1
        return `s = str(d, i, e); if (s < 0) return -1; n = -1;
          for (let x = 0, symbols = K[${k}]; x < symbols.length && n < 0; x++) {
            const y = symbols[x]
            if (y.length !== s - i - 1) continue
            let same = true
            for (let q = 0; q < y.length; q++) if (d[i + 1 + q] !== y[q]) { same = false; break }
            if (same) n = x
          }
          if (n < 0) return -1; p = uv(o, p, n * 2); i = s + 1;`
      }
      case 'record':
      case 'error': {
        const fn = this.record(type)
        return `P = p; i = ${fn}(d, i, e); if (i < 0) return -1; p = P;`
      }
      case 'union:wrapped':
        return this.union(type.types!)
    }
    if (name.startsWith('logical:') && LOGICAL_WHOLE_NUMBERS.has(name.slice(8))) {
      // As AvroCodec takes them from JSON: a whole number is the value itself (an ISO string bails).
      const under = type.underlyingType!.typeName
      if (under === 'long' || under === 'int') return this.value(type.underlyingType!, inUnion)
    }
    if (inUnion) return 'return -1;'
    throw new Unsupported(name)
  }

  /**
   * A union read plainly (as AvroCodec does, avro-kinds.ts): the first byte's kind picks the branch; null may be
   * the only one when the union is wrapped. Objects and arrays bail (a record branch, or {"branch": value}).
   */
  private union(branches: AvroTypeShape[]): string {
    const kinds = new Map(branches.map((b, index) => [jsonKind(b), index]))
    const plain = unionIsPlain(branches)
    const tests: [string, string][] = [
      ['null', 'c === 110'],
      ['boolean', 'c === 116 || c === 102'],
      ['string', 'c === 34'],
      ['number', 'c === 45 || (c >= 48 && c <= 57)'],
    ]
    let code = 'c = i < e ? d[i] : -1;'
    for (const [kind, test] of tests) {
      const index = kinds.get(kind)
      if (index === undefined || (kind !== 'null' && !plain)) continue
      code += ` if (${test}) { p = uv(o, p, ${index * 2}); ${this.value(branches[index], true)} } else`
    }
    return `${code} return -1;`
  }
}
