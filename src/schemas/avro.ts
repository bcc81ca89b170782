/**
 * Avro <-> JSON with avsc. avsc reads and writes the binary encoding; this module maps avsc's values to the JSON
 * kafkit prints and back (README "Avro as JSON"):
 *
 *   union        the plain value (null, or the branch's value) when the branches look different in JSON (at most
 *                one branch per JSON kind: number, string, boolean, object, array), e.g. ["null","string"];
 *                otherwise Avro's JSON encoding, the branch name as the only key: {"com.acme.Card": {...}}
 *   bytes, fixed base64
 *   decimal      a string with the exact digits: "12.50"
 *   timestamp-millis / -micros   ISO-8601 UTC ("2026-11-24T09:00:00.000Z", 6 digits for micros);
 *   local-timestamp-*            the same without the Z; date "2026-11-24"; time-millis/-micros "09:00:00.000"
 *   long         a number, or a string when beyond 2^53 (JSON numbers lose digits there)
 *   float/double a number; NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity"
 *   enum         the symbol; map an object; record an object in field order
 *
 * Writing (produce) accepts the same forms, and also epoch numbers for timestamps and dates, numbers for
 * decimals, and the wrapped form for any union. A value that does not fit the schema is a SchemaMismatch naming
 * the field path (value.items[2].qty).
 */
import avro from 'avsc'

import {compileAvroJson, type AvroJsonWriter, type JsonSink} from './avro-json.js'
import {type AvroTypeShape, jsonKind, unionIsPlain} from './avro-kinds.js'
import {compileAvroLines, type AvroLineEncoder} from './avro-lines.js'
import {AvroWasmLane} from './avro-wasm.js'
import {isoFromMillis, quote} from './json-text.js'

export {isoFromMillis, quote}
import {SchemaMismatch} from './errors.js'

type AvroType = avro.Type & {
  typeName: string
  fields?: {name: string; type: AvroType; defaultValue?: () => unknown}[]
  itemsType?: AvroType
  valuesType?: AvroType
  types?: AvroType[]
  symbols?: string[]
  size?: number
  branchName?: string
  name?: string
  underlyingType?: AvroType
  attrs?: Record<string, unknown>
  recordConstructor?: new (...args: unknown[]) => unknown
}

/** A logical type avsc keeps in the tree untouched: the conversions happen here, where JSON is known. */
class MarkedLogicalType extends avro.types.LogicalType {
  readonly attrs: Record<string, unknown>
  constructor(attrs: Record<string, unknown>, opts?: unknown) {
    super(attrs as never, opts as never)
    this.attrs = attrs
  }

  _fromValue(value: unknown): unknown {
    return value
  }

  _toValue(value: unknown): unknown {
    return value
  }

  _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    const under = (this as unknown as {underlyingType: avro.Type}).underlyingType
    return (type as AvroType).typeName === (under as AvroType).typeName ? (v: unknown) => v : undefined
  }
}

const LOGICAL = [
  'decimal',
  'uuid',
  'date',
  'time-millis',
  'time-micros',
  'timestamp-millis',
  'timestamp-micros',
  'timestamp-nanos',
  'local-timestamp-millis',
  'local-timestamp-micros',
  'local-timestamp-nanos',
  'duration',
]
const logicalTypes = Object.fromEntries(LOGICAL.map((name) => [name, MarkedLogicalType]))

/** Longs beyond 2^53 are read as BigInt (avsc's default refuses them) and written from BigInt, number or digits. */
const LongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const n = buf.readBigInt64LE()
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n
  },
  toBuffer: (n: number | bigint) => {
    const buf = Buffer.alloc(8)
    buf.writeBigInt64LE(BigInt(n))
    return buf
  },
  fromJSON: (v: unknown) => v,
  toJSON: (v: unknown) => v,
  isValid: (v: unknown) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint',
  compare: (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0),
})

export interface AvroReference {
  /** The referenced schema's text (its named types become usable by name). */
  schema: string
}

export class AvroCodec {
  /** avsc's own longs (numbers, fast); `bigType` reads and writes longs beyond 2^53 as BigInt when this one refuses. */
  readonly type: AvroType
  private bigTypeCache?: AvroType
  private readonly plain: Conv
  private readonly text: TextConv
  private readonly fromJsonConv: FromJson
  private scratch = Buffer.allocUnsafe(64 * 1024)

  constructor(
    private readonly schema: string,
    private readonly references: AvroReference[] = [],
  ) {
    this.type = compile(schema, references, false)
    this.plain = toPlainConv(this.type)
    this.text = toTextConv(this.type)
    this.fromJsonConv = fromJsonConv(this.type)
  }

  private fastJson?: AvroJsonWriter | null

  /**
   * Writes the JSON of the Avro payload at bytes[start..] (what toText gives) straight into `out`, when the schema
   * has the fast lane (avro-json.ts). False: nothing usable was written (no fast lane, or bytes it cannot read); roll back.
   */
  writeJson(bytes: Buffer, start: number, out: JsonSink): boolean {
    const writer = this.fastJsonWriter
    return writer ? writer(bytes, start, bytes.length, out) : false
  }

  /** The compiled fast lane (undefined: the schema has none). */
  get fastJsonWriter(): AvroJsonWriter | undefined {
    if (this.fastJson === undefined) this.fastJson = this.references.length > 0 ? null : (compileAvroJson(parseJson(this.schema)) ?? null)
    return this.fastJson ?? undefined
  }

  private wasm?: number | null

  /** This schema's value function in the WebAssembly lane (avro-wasm.ts): its number; undefined: none (the JavaScript lane). */
  get wasmFunction(): number | undefined {
    // The JavaScript lane writes what the WebAssembly lane declines: no function without it.
    if (this.wasm === undefined) this.wasm = (this.fastJsonWriter && AvroWasmLane.get()?.place(parseJson(this.schema))) ?? null
    return this.wasm ?? undefined
  }

  get hasFastJson(): boolean {
    return Boolean(this.fastJsonWriter)
  }

  private lines?: AvroLineEncoder | null

  /** produce's fast lane (avro-lines.ts): a JSON line's bytes -> Avro binary, for a record schema; else undefined. */
  get lineEncoder(): AvroLineEncoder | undefined {
    if (this.lines === undefined) this.lines = compileAvroLines(this.type as AvroTypeShape) ?? null
    return this.lines ?? undefined
  }

  private get bigType(): AvroType {
    return (this.bigTypeCache ??= compile(this.schema, this.references, true))
  }

  /** Avro binary -> avsc's value (decode() and text() turn it into JSON). Throws when the bytes are not this schema's. */
  decodeRaw(payload: Buffer): unknown {
    let result: {value: unknown; offset: number}
    try {
      result = this.type.decode(payload, 0)
    } catch (error) {
      if (!/precision loss/.test((error as Error).message)) throw error
      result = this.bigType.decode(payload, 0)
    }
    const {value, offset} = result
    if (offset !== payload.length) {
      if (offset < 0) throw new Error('the Avro payload is cut short')
      throw new Error(`${payload.length - offset} bytes left after the Avro record`)
    }
    return value
  }

  /** Avro binary -> the JSON value (see the mapping above). */
  decode(payload: Buffer): unknown {
    return this.toPlain(this.decodeRaw(payload))
  }

  toPlain(raw: unknown): unknown {
    return this.plain ? this.plain(raw) : raw
  }

  /** The JSON text of a decoded value: JSON.stringify(toPlain(raw)), without the object in between. */
  toText(raw: unknown): string {
    return this.text(raw)
  }

  /**
   * encode() straight into buf at pos (produce's lines lane): the end of what was written, or a negative number
   * when buf has no room for it (nothing usable written: retry with a bigger buffer).
   */
  encodeInto(json: unknown, path: string, buf: Buffer, pos: number): number {
    const value = this.fromJsonConv(json, path)
    try {
      return this.type.encode(value, buf, pos)
    } catch {
      // A long beyond 2^53 arrives as a BigInt, which only the BigInt type writes.
      return this.bigType.encode(value, buf, pos)
    }
  }

  /** The JSON value -> Avro binary; a SchemaMismatch names the field that does not fit. */
  encode(json: unknown, path = 'value'): Buffer {
    const value = this.fromJsonConv(json, path)
    let type = this.type
    let end: number
    try {
      end = type.encode(value, this.scratch, 0)
    } catch (error) {
      // A long beyond 2^53 arrives as a BigInt, which only the BigInt type writes.
      type = this.bigType
      end = type.encode(value, this.scratch, 0)
      void error
    }
    if (end < 0) {
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, -end + this.scratch.length))
      end = type.encode(value, this.scratch, 0)
    }
    const out = Buffer.allocUnsafe(end)
    this.scratch.copy(out, 0, 0, end)
    return out
  }
}

function compile(schema: string, references: AvroReference[], bigLongs: boolean): AvroType {
  const registry: Record<string, avro.Type> = {}
  const options = {registry, logicalTypes, wrapUnions: true, ...(bigLongs ? {typeHook: longHook} : {})} as unknown as avro.ForSchemaOptions
  for (const ref of references) avro.Type.forSchema(parseJson(ref.schema) as avro.Schema, options)
  return avro.Type.forSchema(parseJson(schema) as avro.Schema, options) as AvroType
}

function longHook(schema: unknown): avro.Type | undefined {
  return schema === 'long' || (schema && typeof schema === 'object' && (schema as {type?: unknown}).type === 'long' && !(schema as {logicalType?: unknown}).logicalType)
    ? (LongType as unknown as avro.Type)
    : undefined
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // A bare primitive name ("string") is a valid Avro schema that registries store without quotes.
    return text.trim()
  }
}

// ---- avsc value -> JSON ------------------------------------------------------------------------------------------

/** null: the value is already its JSON (no conversion anywhere below). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one slot holds the converter of any Avro type
type Conv = ((value: any) => unknown) | null

function toPlainConv(type: AvroType, seen = new Map<AvroType, Conv | 'pending'>()): Conv {
  const name = type.typeName
  switch (name) {
    case 'null':
    case 'boolean':
    case 'int':
    case 'string':
    case 'enum':
      return null
    case 'long':
    case 'abstract:long':
      return (v: number | bigint) => (typeof v === 'bigint' ? v.toString() : v)
    case 'float':
    case 'double':
      return (v: number) => (Number.isFinite(v) ? v : String(v))
    case 'bytes':
    case 'fixed':
      return (v: Buffer) => v.toString('base64')
    case 'array': {
      const item = toPlainConv(type.itemsType!, seen)
      return item ? (v: unknown[]) => v.map(item) : null
    }
    case 'map': {
      const value = toPlainConv(type.valuesType!, seen)
      if (!value) return null
      return (v: Record<string, unknown>) => {
        const out: Record<string, unknown> = {}
        for (const k in v) out[k] = value(v[k])
        return out
      }
    }
    case 'record':
    case 'error': {
      const known = seen.get(type)
      if (known === 'pending') {
        // A recursive record: its conversion is looked up when called.
        return (v: unknown) => (seen.get(type) as Exclude<Conv, null>)(v)
      }
      if (known !== undefined) return known
      seen.set(type, 'pending')
      const fields = type.fields!.map((f) => ({name: f.name, conv: toPlainConv(f.type, seen)}))
      const converted = fields.filter((f) => f.conv)
      let conv: Conv
      if (converted.length === 0 && ![...seen.values()].includes('pending' as never)) conv = null
      else {
        const all = fields
        conv = (v: Record<string, unknown>) => {
          const out: Record<string, unknown> = {}
          for (let i = 0; i < all.length; i++) {
            const f = all[i]
            out[f.name] = f.conv ? f.conv(v[f.name]) : v[f.name]
          }
          return out
        }
      }
      // Records inside a recursion always get a function (a later lookup may need one).
      if (conv === null) conv = (v: unknown) => v
      seen.set(type, conv)
      return conv
    }
    case 'union:wrapped': {
      const branches = type.types!
      const wrapped = !unionIsPlain(branches)
      const convs = new Map<string, Conv>(branches.map((b) => [b.branchName!, toPlainConv(b, seen)]))
      return (v: Record<string, unknown> | null) => {
        if (v === null) return null
        const branch = Object.keys(v)[0]
        const conv = convs.get(branch)
        const inner = conv ? conv(v[branch]) : v[branch]
        return wrapped ? {[branch]: inner} : inner
      }
    }
  }
  if (name.startsWith('logical:')) return logicalToPlain(name.slice(8), type)
  throw new Error(`unsupported Avro type ${name}`)
}

function logicalToPlain(logical: string, type: AvroType): Conv {
  const attrs = type.attrs ?? {}
  switch (logical) {
    case 'timestamp-millis':
      return (v: number) => isoTime(v, 1, true)
    case 'timestamp-micros':
      return (v: number) => isoTime(v, 1000, true)
    case 'timestamp-nanos':
      return (v: number | bigint) => isoTime(v, 1_000_000, true)
    case 'local-timestamp-millis':
      return (v: number) => isoTime(v, 1, false)
    case 'local-timestamp-micros':
      return (v: number) => isoTime(v, 1000, false)
    case 'local-timestamp-nanos':
      return (v: number | bigint) => isoTime(v, 1_000_000, false)
    case 'date':
      return (v: number) => new Date(v * 86_400_000).toISOString().slice(0, 10)
    case 'time-millis':
      return (v: number) => timeOfDay(v, 1)
    case 'time-micros':
      return (v: number) => timeOfDay(v, 1000)
    case 'decimal': {
      const scale = Number(attrs.scale ?? 0)
      return (v: Buffer) => decimalText(v, scale)
    }
    default:
      // uuid (a string), duration (fixed 12): as their underlying type.
      return toPlainConv(type.underlyingType!)
  }
}

function isoTime(v: number | bigint, perMilli: number, utc: boolean): string {
  if (typeof v === 'number' && perMilli === 1) {
    const iso = isoFromMillis(v)
    return utc ? iso : iso.slice(0, -1)
  }
  const big = BigInt(v)
  const per = BigInt(perMilli)
  let ms = big / per
  let rest = big % per
  if (rest < 0n) {
    rest += per
    ms -= 1n
  }
  const iso = new Date(Number(ms)).toISOString()
  const digits = perMilli === 1 ? '' : rest.toString().padStart(String(perMilli).length - 1, '0')
  const text = `${iso.slice(0, -1)}${digits}`
  return utc ? `${text}Z` : text
}

function timeOfDay(v: number, perMilli: number): string {
  const ms = Math.floor(v / perMilli)
  const rest = v - ms * perMilli
  const text = new Date(ms).toISOString().slice(11, 23)
  return perMilli === 1 ? text : `${text}${String(rest).padStart(String(perMilli).length - 1, '0')}`
}

// ---- avsc value -> JSON text (the same as JSON.stringify of the plain value, without building it) ----------------

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one slot holds the converter of any Avro type
type TextConv = (value: any) => string

function toTextConv(type: AvroType, seen = new Map<AvroType, TextConv>()): TextConv {
  const name = type.typeName
  switch (name) {
    case 'null':
      return () => 'null'
    case 'boolean':
      return (v: boolean) => (v ? 'true' : 'false')
    case 'int':
      return (v: number) => `${v}`
    case 'long':
    case 'abstract:long':
      return (v: number | bigint) => (typeof v === 'bigint' ? `"${v}"` : `${v}`)
    case 'float':
    case 'double':
      return (v: number) => (Number.isFinite(v) ? `${v}` : `"${v}"`)
    case 'string':
    case 'enum':
      return quote
    case 'bytes':
    case 'fixed':
      return (v: Buffer) => `"${v.toString('base64')}"`
    case 'array': {
      const item = toTextConv(type.itemsType!, seen)
      return (v: unknown[]) => {
        let out = '['
        for (let i = 0; i < v.length; i++) out += i === 0 ? item(v[i]) : `,${item(v[i])}`
        return `${out}]`
      }
    }
    case 'map': {
      const value = toTextConv(type.valuesType!, seen)
      return (v: Record<string, unknown>) => {
        let out = '{'
        for (const k in v) out += `${out.length > 1 ? ',' : ''}${quote(k)}:${value(v[k])}`
        return `${out}}`
      }
    }
    case 'record':
    case 'error': {
      const known = seen.get(type)
      if (known) return known
      let fields: {name: string; prefix: string; conv: TextConv}[] = []
      const conv: TextConv = (v: Record<string, unknown>) => {
        let out = ''
        for (let i = 0; i < fields.length; i++) out += fields[i].prefix + fields[i].conv(v[fields[i].name])
        return `${out}}`
      }
      seen.set(type, conv)
      fields = type.fields!.map((f, i) => ({name: f.name, prefix: `${i === 0 ? '{' : ','}${quote(f.name)}:`, conv: toTextConv(f.type, seen)}))
      if (fields.length === 0) return () => '{}'
      return conv
    }
    case 'union:wrapped': {
      const branches = type.types!
      const wrapped = !unionIsPlain(branches)
      const convs = new Map<string, TextConv>(branches.map((b) => [b.branchName!, toTextConv(b, seen)]))
      return (v: Record<string, unknown> | null) => {
        if (v === null) return 'null'
        const branch = Object.keys(v)[0]
        const inner = convs.get(branch)!(v[branch])
        return wrapped ? `{${quote(branch)}:${inner}}` : inner
      }
    }
  }
  if (name.startsWith('logical:')) {
    const plain = logicalToPlain(name.slice(8), type)
    if (plain === null) return toTextConv(type.underlyingType!, seen)
    const kind = jsonKind(type)
    return kind === 'string' ? (v: unknown) => quote(plain(v) as string) : (v: unknown) => JSON.stringify(plain(v))
  }
  throw new Error(`unsupported Avro type ${name}`)
}

/** Two's-complement big-endian unscaled value + scale -> exact decimal text. */
export function decimalText(bytes: Buffer, scale: number): string {
  let n = 0n
  for (const b of bytes) n = (n << 8n) | BigInt(b)
  if (bytes.length > 0 && bytes[0] & 0x80) n -= 1n << BigInt(bytes.length * 8)
  const negative = n < 0n
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0')
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits
  return negative ? `-${text}` : text
}

// ---- JSON -> avsc value ------------------------------------------------------------------------------------------

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one slot holds the converter of any Avro type
type FromJson = (json: any, path: string) => unknown

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : String(v)

function mismatch(path: string, expected: string, got: unknown): SchemaMismatch {
  return new SchemaMismatch(path, `expected ${expected}, got ${describe(got)}`)
}

function fromJsonConv(type: AvroType, seen = new Map<AvroType, FromJson>()): FromJson {
  const name = type.typeName
  switch (name) {
    case 'null':
      return (v, p) => {
        if (v !== null) throw mismatch(p, 'null', v)
        return null
      }
    case 'boolean':
      return (v, p) => {
        if (typeof v !== 'boolean') throw mismatch(p, 'true or false', v)
        return v
      }
    case 'int':
      return (v, p) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -2_147_483_648 || v > 2_147_483_647) throw mismatch(p, 'an int (32-bit whole number)', v)
        return v
      }
    case 'long':
    case 'abstract:long':
      return (v, p) => {
        if (typeof v === 'number' && Number.isInteger(v)) return v
        if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) {
          const n = BigInt(v)
          if (n >= -(2n ** 63n) && n < 2n ** 63n) return Number.isSafeInteger(Number(v)) ? Number(v) : n
        }
        throw mismatch(p, 'a long (whole number)', v)
      }
    case 'float':
    case 'double':
      return (v, p) => {
        if (typeof v === 'number') return v
        if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v)
        throw mismatch(p, 'a number', v)
      }
    case 'string':
      return (v, p) => {
        if (typeof v !== 'string') throw mismatch(p, 'a string', v)
        return v
      }
    case 'bytes':
      return (v, p) => {
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw mismatch(p, 'base64 bytes', v)
        return Buffer.from(v, 'base64')
      }
    case 'fixed':
      return (v, p) => {
        const buf = typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? Buffer.from(v, 'base64') : undefined
        if (!buf || buf.length !== type.size) throw mismatch(p, `${type.size} bytes in base64`, v)
        return buf
      }
    case 'enum':
      return (v, p) => {
        if (typeof v !== 'string' || !type.symbols!.includes(v)) throw mismatch(p, `one of ${type.symbols!.join(', ')}`, v)
        return v
      }
    case 'array': {
      const item = fromJsonConv(type.itemsType!, seen)
      return (v, p) => {
        if (!Array.isArray(v)) throw mismatch(p, 'an array', v)
        return v.map((x, i) => item(x, `${p}[${i}]`))
      }
    }
    case 'map': {
      const value = fromJsonConv(type.valuesType!, seen)
      return (v, p) => {
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw mismatch(p, 'an object (map)', v)
        const out: Record<string, unknown> = {}
        for (const k of Object.keys(v)) out[k] = value(v[k], `${p}.${k}`)
        return out
      }
    }
    case 'record':
    case 'error': {
      const known = seen.get(type)
      if (known) return known
      let fields: {name: string; conv: FromJson; hasDefault: boolean; defaultValue?: () => unknown}[] = []
      let lastPath: string | undefined
      let paths: string[] = []
      const Record = type.recordConstructor as unknown as new (...args: unknown[]) => Record<string, unknown>
      const conv: FromJson = (v, p) => {
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw mismatch(p, `an object (record ${type.name})`, v)
        // The fields' paths are built once per record path (not per value: produce converts millions).
        if (p !== lastPath) {
          paths = fields.map((f) => `${p}.${f.name}`)
          lastPath = p
        }
        const values: unknown[] = []
        let present = 0
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i]
          const x = v[f.name]
          if (x === undefined) {
            if (!f.hasDefault) throw new SchemaMismatch(paths[i], 'is missing (the field has no default)')
            values.push(undefined) // avsc fills in the default
          } else {
            present++
            values.push(f.conv(x, paths[i]))
          }
        }
        // More keys than fields found: one of them is not a field (JSON has no undefined values).
        let keys = 0
        for (const k in v) if (Object.hasOwn(v, k)) keys++
        if (keys !== present) {
          for (const k of Object.keys(v)) {
            if (!fields.some((f) => f.name === k)) throw new SchemaMismatch(`${p}.${k}`, `is not a field of ${type.name}`)
          }
        }
        return new Record(...values)
      }
      seen.set(type, conv)
      fields = type.fields!.map((f) => ({name: f.name, conv: fromJsonConv(f.type, seen), hasDefault: f.defaultValue?.() !== undefined || hasNullDefault(f)}))
      return conv
    }
    case 'union:wrapped': {
      const branches = type.types!
      const plain = unionIsPlain(branches)
      const convs = branches.map((b) => ({name: b.branchName!, kind: jsonKind(b), conv: fromJsonConv(b, seen)}))
      const objectBranch = convs.find((b) => b.kind === 'object')
      return (v, p) => {
        if (v === null) {
          if (!convs.some((b) => b.kind === 'null')) throw mismatch(p, `one of ${convs.map((b) => b.name).join(', ')}`, v)
          return null
        }
        // Avro's JSON encoding: {"branch": value}.
        if (typeof v === 'object' && !Array.isArray(v)) {
          const keys = Object.keys(v)
          const named = keys.length === 1 ? convs.find((b) => b.name === keys[0] || b.name.split('.').pop() === keys[0]) : undefined
          // ...unless the object is the value of the union's record branch that has a field of that name.
          if (named && !(plain && objectBranch && keyIsField(objectBranch, branches, keys[0]))) return {[named.name]: named.conv(v[keys[0]], `${p}.${keys[0]}`)}
        }
        if (!plain)
          throw mismatch(
            p,
            `a wrapped union value {"<branch>": value} with a branch of ${convs
              .filter((b) => b.kind !== 'null')
              .map((b) => b.name)
              .join(', ')}`,
            v,
          )
        const kind = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'bigint' ? 'number' : typeof v
        const branch = convs.find((b) => b.kind === kind)
        if (!branch) throw mismatch(p, `one of ${convs.map((b) => b.name).join(', ')}`, v)
        return {[branch.name]: branch.conv(v, p)}
      }
    }
  }
  if (name.startsWith('logical:')) return logicalFromJson(name.slice(8), type, seen)
  throw new Error(`unsupported Avro type ${name}`)
}

function keyIsField(branch: {name: string}, branches: AvroType[], key: string): boolean {
  const record = branches.find((b) => b.branchName === branch.name)
  return Boolean(record?.fields?.some((f) => f.name === key))
}

function hasNullDefault(field: {type: AvroType; defaultValue?: () => unknown}): boolean {
  // avsc returns undefined both for "no default" and for a null default of a union: tell them apart.
  const schema = (field as unknown as {_default?: unknown})._default
  return schema !== undefined || (field.type.typeName === 'union:wrapped' && (field as unknown as {defaultValue: () => unknown}).defaultValue() === null)
}

function logicalFromJson(logical: string, type: AvroType, seen: Map<AvroType, FromJson>): FromJson {
  const under = fromJsonConv(type.underlyingType!, seen)
  const attrs = type.attrs ?? {}
  const time =
    (perMilli: number, utc: boolean): FromJson =>
    (v, p) => {
      if (typeof v === 'number' && Number.isInteger(v)) return v
      if (typeof v === 'string') {
        const parsed = parseIsoTime(v, perMilli, utc)
        if (parsed !== undefined) return parsed
      }
      throw mismatch(p, `an ISO-8601 time${utc ? ' (UTC)' : ''} or a whole number`, v)
    }
  switch (logical) {
    case 'timestamp-millis':
      return time(1, true)
    case 'timestamp-micros':
      return time(1000, true)
    case 'timestamp-nanos':
      return time(1_000_000, true)
    case 'local-timestamp-millis':
      return time(1, false)
    case 'local-timestamp-micros':
      return time(1000, false)
    case 'local-timestamp-nanos':
      return time(1_000_000, false)
    case 'date':
      return (v, p) => {
        if (typeof v === 'number' && Number.isInteger(v)) return v
        if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))) return Date.parse(`${v}T00:00:00Z`) / 86_400_000
        throw mismatch(p, 'a date YYYY-MM-DD or days since 1970-01-01', v)
      }
    case 'time-millis':
    case 'time-micros': {
      const per = logical === 'time-millis' ? 1 : 1000
      return (v, p) => {
        if (typeof v === 'number' && Number.isInteger(v)) return v
        const m = typeof v === 'string' ? /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(v) : null
        if (m) {
          const frac = (m[4] ?? '').padEnd(6, '0')
          const micros = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + Number(frac)
          return per === 1 ? Math.floor(micros / 1000) : micros
        }
        throw mismatch(p, 'a time of day HH:MM:SS.sss', v)
      }
    }
    case 'decimal': {
      const scale = Number(attrs.scale ?? 0)
      const precision = Number(attrs.precision ?? 0)
      const size = type.underlyingType!.typeName === 'fixed' ? type.underlyingType!.size : undefined
      return (v, p) => {
        const bytes = typeof v === 'number' || typeof v === 'string' ? decimalBytes(String(v), scale, precision, size) : undefined
        if (!bytes) throw mismatch(p, `a decimal with at most ${scale} digits after the point${precision ? ` and ${precision} in all` : ''} (a string like "12.50" keeps every digit)`, v)
        return bytes
      }
    }
    default:
      return under
  }
}

function parseIsoTime(text: string, perMilli: number, utc: boolean): number | bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text)
  if (!m) return undefined
  const zone = m[4] ?? (utc ? undefined : 'Z')
  if (utc && zone === undefined) return undefined
  const ms = Date.parse(`${m[1]}T${m[2]}${zone === undefined || !utc ? 'Z' : zone}`)
  if (Number.isNaN(ms)) return undefined
  // ms is whole seconds here (the fraction was left out of Date.parse): add the fraction in the unit's precision.
  const nanos = BigInt((m[3] ?? '').padEnd(9, '0'))
  const value = BigInt(ms) * BigInt(perMilli) + (nanos * BigInt(perMilli)) / 1_000_000n
  return Number.isSafeInteger(Number(value)) ? Number(value) : value
}

/** "12.5" at scale 2 -> the two's-complement bytes of 1250; undefined when it has more digits than allowed. */
export function decimalBytes(text: string, scale: number, precision: number, size?: number): Buffer | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim())
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined
  const frac = (m[3] ?? '').replace(/0+$/, '')
  if (frac.length > scale) return undefined
  const digits = `${m[2]}${frac.padEnd(scale, '0')}`.replace(/^0+(?=\d)/, '')
  if (precision && digits.replace(/^0+/, '').length > precision) return undefined
  let n = BigInt(digits || '0')
  if (m[1] === '-') n = -n
  const bytes: number[] = []
  let length = 1
  while (n >= 1n << BigInt(length * 8 - 1) || n < -(1n << BigInt(length * 8 - 1))) length++
  if (size !== undefined) {
    if (length > size) return undefined
    length = size
  }
  let v = n < 0n ? (1n << BigInt(length * 8)) + n : n
  for (let i = 0; i < length; i++) {
    bytes.unshift(Number(v & 0xffn))
    v >>= 8n
  }
  return Buffer.from(bytes)
}
