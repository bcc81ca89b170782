/**
 * consume's fast lane for Avro: binary -> JSON bytes in one pass, for the common schemas (records of strings,
 * numbers, booleans, enums, nullable unions, arrays, maps, bytes, timestamp-millis). The schema is compiled into
 * JavaScript source (one function per record type, `new Function`), which writes straight into the output buffer:
 * field names as byte stores, plain ASCII strings copied byte for byte, no call or object per field. It writes exactly what AvroCodec.toText writes (a unit test
 * compares both on random values of many schemas); a schema with anything else (decimals, other logical types,
 * wrapped unions) has no fast lane and goes through avsc. A record it cannot read returns false: the caller
 * rolls the output back and takes the slow path, which reports the error.
 */
import {fullNameOf, namespaceOf, referenceName} from './avro-kinds.js'
import {isoFromMillis, quote} from './json-text.js'

/** The part of OutputBuffer the transcoder writes to: it fills the buffer itself. */
export interface JsonSink {
  readonly length: number
  /** Room for n more bytes after `length`; the buffer to write into (valid until the next reserve). */
  reserve(n: number): Buffer
  /** The bytes up to `length` are written. */
  commit(length: number): void
}

type Schema = any // eslint-disable-line @typescript-eslint/no-explicit-any

/** Writes the JSON of the Avro record at payload[start, end) into out; false: nothing usable (roll back). */
export type AvroJsonWriter = (payload: Buffer, start: number, end: number, out: JsonSink) => boolean

class Unsupported extends Error {}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])

/** A transcoder for a whole payload, or undefined when the schema has a type the fast lane does not cover. */
export function compileAvroJson(schema: Schema): AvroJsonWriter | undefined {
  try {
    return new Generator().compile(schema)
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

const bytesOf = (text: string) => Array.from(Buffer.from(text, 'utf8'))

/** Reads a zig-zag varint into V, one-byte values (most lengths, small numbers) without a call; -1 from the function when cut short. */
const RL = 'if (i < e && b[i] < 0x80) { V = (b[i] >>> 1) ^ -(b[i] & 1); i++ } else { i = rl(b, i, e); if (i < 0) return -1 }'

class Generator {
  private readonly functions: string[] = []
  private readonly named = new Map<string, {fn: string; kind: 'record' | 'inline'; code?: (v: string) => string; max?: number}>()
  private readonly constants: unknown[] = []
  private count = 0
  private readonly maxes: number[] = []

  compile(schema: Schema): AvroJsonWriter {
    const root = this.value(schema, '', 'top')
    const maxc = Math.max(root.max, ...this.maxes)
    const reserve = (max: number) => `if (p + ${max} + e - i > o.length) { o = grow(p, ${max} + e - i) }`
    const source = `
      let V = 0, O, P = 0, OUT, S = 0
      const MAXC = ${maxc}
      ${HELPERS}
      ${this.functions.join('\n')}
      function top(b, i, e) { let o = O, p = P; ${root.code.replaceAll('/*RESERVE*/', reserve(root.max))} O = o; P = p; return i }
      return function (b, start, end, out) {
        OUT = out
        P = out.length
        O = out.reserve(${root.max} + end - start)
        const i = top(b, start, end)
        if (i !== end) return false
        out.commit(P)
        return true
      }`
    return new Function('K', 'isoFromMillis', 'quote', source)(this.constants, isoFromMillis, quote) as AvroJsonWriter
  }

  /**
   * Code that reads one value of `schema` at b[i] (i, e, b in scope; o, p the output) and writes its JSON, returning -1
   * from the function when the bytes do not fit; `max` bounds its output beyond the payload bytes it consumes.
   */
  private value(schema: Schema, namespace: string, _where: string): {code: string; max: number; needsSync?: boolean} {
    if (typeof schema === 'string') {
      if (PRIMITIVES.has(schema)) return this.primitive(schema)
      const found = this.named.get(referenceName(schema, namespace)) ?? this.named.get(schema)
      if (!found) throw new Unsupported(schema)
      if (found.kind === 'inline') return {code: found.code!(''), max: found.max!}
      return {code: `O = o; P = p; i = ${found.fn}(b, i, e); if (i < 0) return -1; o = O; p = P; /*RESERVE*/`, max: 0}
    }
    if (Array.isArray(schema)) return this.union(schema, namespace)
    const {type} = schema
    if (schema.logicalType !== undefined) {
      if (schema.logicalType === 'timestamp-millis' && type === 'long') return {code: `${RL}; p = iso(o, p, V);`, max: 26}
      throw new Unsupported(String(schema.logicalType))
    }
    if (PRIMITIVES.has(type)) return this.primitive(type)
    switch (type) {
      case 'record':
      case 'error': {
        const ns = namespaceOf(schema, namespace)
        const fn = `r${this.count++}`
        this.named.set(fullNameOf(schema, namespace), {fn, kind: 'record'})
        const fields = schema.fields as {name: string; type: Schema}[]
        let code = ''
        let max = 2
        fields.forEach((f, n) => {
          const prefix = bytesOf(`${n === 0 ? '{' : ','}${quote(f.name)}:`)
          const inner = this.value(f.type, ns, fn)
          max += prefix.length + inner.max
          code += `${prefix.map((c, k) => `o[p + ${k}] = ${c};`).join(' ')} p += ${prefix.length};\n${inner.code}\n`
        })
        if (fields.length === 0) code = 'o[p] = 123; o[p + 1] = 125; p += 2;'
        else code += 'o[p++] = 125;'
        // Room for the whole record beyond its payload bytes, checked once at its start (and after loops and
        // nested records, which reserve their own).
        this.maxes.push(max)
        this.functions.push(`function ${fn}(b, i, e) {
          let o = O, p = P
          if (p + ${max} + e - i > o.length) { o = grow(p, ${max} + e - i) }
          ${code.replaceAll('/*RESERVE*/', `if (p + ${max} + e - i > o.length) { o = grow(p, ${max} + e - i) }`)}
          O = o; P = p; return i
        }`)
        return {code: `O = o; P = p; i = ${fn}(b, i, e); if (i < 0) return -1; o = O; p = P; /*RESERVE*/`, max: 0}
      }
      case 'enum': {
        const symbols = (schema.symbols as string[]).map((x) => Uint8Array.from(bytesOf(quote(x))))
        const k = this.constants.push(symbols) - 1
        const max = Math.max(...symbols.map((x) => x.length))
        const code = () => `${RL} if (V < 0 || V >= ${symbols.length}) return -1; p = put(o, p, K[${k}][V]);`
        this.named.set(fullNameOf(schema, namespace), {fn: '', kind: 'inline', code, max})
        return {code: code(), max}
      }
      case 'fixed': {
        const size = Number(schema.size)
        const code = () => `if (i + ${size} > e) return -1; p = b64(o, p, b, i, i + ${size}); i += ${size};`
        const max = Math.ceil(size / 3) * 4 + 2
        this.named.set(fullNameOf(schema, namespace), {fn: '', kind: 'inline', code, max})
        return {code: code(), max}
      }
      case 'array':
      case 'map': {
        const isMap = type === 'map'
        const item = this.value(isMap ? schema.values : schema.items, namespace, '')
        // Each item (and its comma, and a map key's quotes and colon) gets its room before it is written.
        const room = item.max + 4
        const key = isMap ? `p = str(o, p, b, i, e); if (p < 0) return -1; i = S; o = O; o[p++] = 58;` : ''
        return {
          code: `o[p++] = ${isMap ? 123 : 91}
            for (let first = true;;) {
              ${RL}
              let n = V
              if (n === 0) break
              if (n < 0) { n = -n; ${RL} }
              for (; n > 0; n--) {
                if (p + ${room} + e - i > o.length) { o = grow(p, ${room} + e - i) }
                if (!first) o[p++] = 44
                first = false
                ${key}
                ${item.code}
              }
            }
            o[p++] = ${isMap ? 125 : 93}
            /*RESERVE*/`,
          max: 2,
        }
      }
    }
    throw new Unsupported(String(type))
  }

  /** Only unions whose values are written plain: null plus one other branch (the common optional field). */
  private union(branches: Schema[], namespace: string): {code: string; max: number} {
    const isNull = (b: Schema) => b === 'null' || b?.type === 'null'
    if (branches.length !== 2 || branches.filter(isNull).length !== 1) throw new Unsupported('union')
    const nullAt = isNull(branches[0]) ? 0 : 1
    const other = this.value(branches[1 - nullAt], namespace, '')
    return {
      code: `${RL}
        if (V === ${nullAt}) { o[p] = 110; o[p + 1] = 117; o[p + 2] = 108; o[p + 3] = 108; p += 4 }
        else if (V === ${1 - nullAt}) { ${other.code} }
        else return -1`,
      max: Math.max(4, other.max),
    }
  }

  private primitive(type: string): {code: string; max: number} {
    switch (type) {
      case 'null':
        return {code: 'o[p] = 110; o[p + 1] = 117; o[p + 2] = 108; o[p + 3] = 108; p += 4;', max: 4}
      case 'boolean':
        return {
          code: `if (b[i] === 1) { o[p] = 116; o[p + 1] = 114; o[p + 2] = 117; o[p + 3] = 101; p += 4 } else if (b[i] === 0) { o[p] = 102; o[p + 1] = 97; o[p + 2] = 108; o[p + 3] = 115; o[p + 4] = 101; p += 5 } else return -1; i++;`,
          max: 5,
        }
      case 'int':
      case 'long':
        return {code: `${RL} p = num(o, p, V);`, max: 24}
      case 'float':
        return {code: 'if (i + 4 > e) return -1; p = dbl(o, p, b.readFloatLE(i)); i += 4;', max: 26}
      case 'double':
        return {code: 'if (i + 8 > e) return -1; p = dbl(o, p, b.readDoubleLE(i)); i += 8;', max: 26}
      case 'string':
        return {code: 'p = str(o, p, b, i, e); if (p < 0) return -1; i = S; o = O;', max: 2}
      case 'bytes':
        // base64 is longer than its bytes: room for it first.
        return {
          code: `${RL} if (V < 0 || i + V > e) return -1; { const n = V; if (p + Math.ceil(n / 3) * 4 + 2 + MAXC + e - i > o.length) { o = grow(p, Math.ceil(n / 3) * 4 + 2 + MAXC + e - i) } p = b64(o, p, b, i, i + n); i += n }`,
          max: 4,
        }
    }
    throw new Unsupported(type)
  }
}

/** Runtime helpers of the generated code (in its scope: V the last varint, O/P the output between functions). */
const HELPERS = `
  function grow(p, n) { OUT.commit(p); O = OUT.reserve(n); return O }
  function rl(b, i, e) {
    if (i >= e) return -1
    let c = b[i++]
    if (c < 0x80) { V = (c >>> 1) ^ -(c & 1); return i }
    // Up to 4 bytes (28 bits) in integer arithmetic, the rest in doubles (exact to 2^53; beyond: -1, the avsc lane).
    let r = c & 0x7f, s = 7, m = 128
    do {
      if (i >= e) return -1
      c = b[i++]
      if (s < 28) r |= (c & 0x7f) << s
      else if (s >= 49 && (s >= 56 || c > 0x07)) return -1
      else r += (c & 0x7f) * m
      s += 7
      m *= 128
    } while (c >= 0x80)
    V = s <= 28 ? (r >>> 1) ^ -(r & 1) : r % 2 === 1 ? -(r + 1) / 2 : r / 2
    return i
  }
  function num(o, p, v) {
    if (v < 0) { o[p++] = 45; v = -v }
    if (v < 10) { o[p] = 48 + v; return p + 1 }
    let n = 1
    for (let t = 10; t <= v; t *= 10) n++
    const end = p + n
    let q = end
    // Below 2^31 in 32-bit integer arithmetic, beyond in doubles (exact to 2^53).
    if (v < 2147483648) {
      while (v >= 10) { const t = (v / 10) | 0; o[--q] = 48 + v - t * 10; v = t }
      o[--q] = 48 + v
    } else for (; q > p; q--) { const d = v % 10; o[q - 1] = 48 + d; v = (v - d) / 10 }
    return end
  }
  function lat(o, p, s) { for (let k = 0; k < s.length; k++) o[p++] = s.charCodeAt(k); return p }
  function dbl(o, p, v) {
    if (Number.isFinite(v)) {
      if (Number.isInteger(v) && Math.abs(v) < 1e15 && !Object.is(v, -0)) return num(o, p, v)
      // Up to two decimals (prices): when cents / 100 is exactly v, its digits are what String(v) gives.
      if (v !== 0 && Math.abs(v) < 1e13) {
        let c = Math.round(v * 100)
        if (c / 100 === v) {
          if (c < 0) { o[p++] = 45; c = -c }
          const whole = Math.floor(c / 100)
          const cents = c - whole * 100
          p = num(o, p, whole)
          o[p++] = 46
          o[p++] = 48 + Math.floor(cents / 10)
          if (cents % 10 !== 0) o[p++] = 48 + (cents % 10)
          return p
        }
      }
      return lat(o, p, '' + v)
    }
    o[p++] = 34; p = lat(o, p, '' + v); o[p++] = 34; return p
  }
  // The second's text ("2026-11-24T09:00:00.") is kept as bytes: consecutive records mostly share it.
  let IS = -1
  const IP = new Uint8Array(20)
  function iso(o, p, v) {
    o[p++] = 34
    if (Number.isInteger(v) && v >= 0 && v < 253402300800000) {
      const second = Math.floor(v / 1000)
      if (second !== IS) { const t = isoFromMillis(v); for (let k = 0; k < 20; k++) IP[k] = t.charCodeAt(k); IS = second }
      for (let k = 0; k < 20; k++) o[p + k] = IP[k]
      const ms = v - second * 1000
      o[p + 20] = 48 + Math.floor(ms / 100); o[p + 21] = 48 + (Math.floor(ms / 10) % 10); o[p + 22] = 48 + (ms % 10); o[p + 23] = 90
      p += 24
    } else p = lat(o, p, isoFromMillis(v))
    o[p++] = 34
    return p
  }
  function put(o, p, x) { for (let k = 0; k < x.length; k++) o[p++] = x[k]; return p }
  function b64(o, p, b, s, t) { o[p++] = 34; p += o.write(b.toString('base64', s, t), p, 'latin1'); o[p++] = 34; return p }
  // A string at b[i]: printable ASCII without quote or backslash copied as it is, anything else through quote();
  // returns the output position (-1: not readable), the input position in S, and the (maybe grown) buffer in O.
  // 1: a byte JSON takes as it is (printable ASCII but quote and backslash).
  const PLAIN = new Uint8Array(256).map((_, c) => (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c ? 1 : 0))
  // Plain runs go 4 bytes at a time through DataViews of the input and the output (kept on the current buffers):
  // a word is plain when no byte is >= 0x80, < 0x20, a quote, a backslash or DEL (the classic has-zero-byte tests).
  let DB = new DataView(new ArrayBuffer(0)), DOUT = DB, lastB, lastO
  const zeroByte = (x) => ((x - 0x01010101) & ~x & 0x80808080) !== 0
  function str(o, p, b, i, e) {
    if (i < e && b[i] < 0x80) { V = (b[i] >>> 1) ^ -(b[i] & 1); i++ } else i = rl(b, i, e)
    const n = V
    if (i < 0 || n < 0 || i + n > e) return -1
    const end = i + n
    let q = p + 1
    o[p] = 34
    let j = i
    if (n >= 4) {
      if (b !== lastB) { lastB = b; DB = new DataView(b.buffer, b.byteOffset, b.length) }
      if (o !== lastO) { lastO = o; DOUT = new DataView(o.buffer, o.byteOffset, o.length) }
      for (; j + 4 <= end; j += 4, q += 4) {
        const w = DB.getUint32(j)
        if ((w & 0x80808080) !== 0 || ((w - 0x20202020) & ~w & 0x80808080) !== 0 || zeroByte(w ^ 0x22222222) || zeroByte(w ^ 0x5c5c5c5c) || zeroByte(w ^ 0x7f7f7f7f)) break
        DOUT.setUint32(q, w)
      }
    }
    for (; j < end; j++) {
      const c = b[j]
      if (PLAIN[c] === 0) {
        const text = quote(b.toString('utf8', i, end))
        const bytes = Buffer.byteLength(text)
        if (p + bytes + MAXC + e - end > o.length) o = grow(p, bytes + MAXC + e - end)
        p += o.write(text, p, 'utf8')
        O = o
        S = end
        return p
      }
      o[q++] = c
    }
    o[q++] = 34
    O = o
    S = end
    return q
  }`
