/**
 * consume's Avro lane for whole record batches, in WebAssembly: one call of avro-json.wat's `run` (built into
 * dist/wasm/) writes every value of a batch body as JSON, where the JavaScript lane (avro-json.ts) made a call per
 * value and per field. Each value is written by a function compiled here for its schema (straight-line code: field
 * names as constant stores, varints, digits, timestamps and 16-byte string copies inline), a module of its own
 * that shares the lane's memory and sits in its table. The records it declines (escaped or non-ASCII strings,
 * doubles other than whole numbers and cents, another schema id, ...) go through the JavaScript lane one by one,
 * so the output is the same bytes whichever lane wrote it (a unit test runs both on random values). Schemas with
 * arrays, maps, bytes or fixed have no function and use the JavaScript lane. Why: docs/ARCHITECTURE.md (Data flow
 * of a consume).
 */
import {readFileSync} from 'node:fs'

import type {ValueSink, ValueTranscoder} from '../records/envelope.js'
import {fullNameOf, namespaceOf, referenceName} from './avro-kinds.js'
import {quote} from './json-text.js'
import {brTable, F64, functionModule, I32, I64, V128, WasmCode} from './wasm-assembler.js'

type Schema = any // eslint-disable-line @typescript-eslint/no-explicit-any

class Unsupported extends Error {}

/** Memory: results at 0, the second's text at ISO, digit pairs at PAIRS, each value function's bound from BOUNDS, then the output and the input areas. */
const ISO = 32
const PAIRS = 0x400
const BOUNDS = 0x800
const OUT = 0x10000
const OUT_SIZE = 0x100000
const IN = OUT + OUT_SIZE + 64
const PAGE = 0x10000

/** The most a number, a boolean or a timestamp writes (a long's 17 digits and sign, a timestamp's 26 bytes). */
const NUMBER_MAX = 32
/** A string writes its bytes, two quotes and up to 15 bytes past its end (copied 16 at a time, overwritten next). */
const STRING_EXTRA = 2 + 16

/** The value function's parameters and locals, by name (flat WAT in the templates below). */
const NAMES: Record<string, number> = {
  ...{$i: 0, $e: 1, $o: 2},
  ...{$v: 3, $c: 4, $n: 5, $k: 6, $chunk: 7, $r: 8, $s: 9, $x: 10, $y: 11, $w: 12, $cents: 13, $d: 14},
  // imports: functions $decimal, $timestamp; global $isoFrom
  ...{$decimal: 0, $timestamp: 1, $isoFrom: 0},
}
const LOCALS: [number, number][] = [
  [1, I64], // $v
  [3, I32], // $c $n $k
  [1, V128], // $chunk
  [2, I64], // $r $s
  [2, F64], // $x $y
  [2, I32], // $w $cents
  [1, I64], // $d
]

const DECLINE = 'i32.const -1 return'

/** A zig-zag varint into $v as the JavaScript lane reads it: raw values below 2^52, at most 8 bytes. */
const VARINT = `
  local.get $i local.get $e i32.ge_u if ${DECLINE} end
  local.get $i i32.load8_u local.set $c
  local.get $i i32.const 1 i32.add local.set $i
  local.get $c i32.const 0x80 i32.lt_u
  if
    local.get $c i64.extend_i32_u local.set $r
  else
    local.get $c i32.const 0x7f i32.and i64.extend_i32_u local.set $r
    i64.const 7 local.set $s
    loop
      local.get $i local.get $e i32.ge_u if ${DECLINE} end
      local.get $i i32.load8_u local.set $c
      local.get $i i32.const 1 i32.add local.set $i
      local.get $r local.get $c i32.const 0x7f i32.and i64.extend_i32_u local.get $s i64.shl i64.or local.set $r
      local.get $s i64.const 7 i64.add local.set $s
      local.get $c i32.const 0x80 i32.and
      if
        local.get $s i64.const 56 i64.ge_u if ${DECLINE} end
        br 1
      end
    end
    local.get $r i64.const 0x10000000000000 i64.ge_u if ${DECLINE} end
  end
  local.get $r i64.const 1 i64.shr_u i64.const 0 local.get $r i64.const 1 i64.and i64.sub i64.xor local.set $v`

/** A negative $v: its sign written, $v made positive. */
const MINUS = `
  local.get $v i64.const 0 i64.lt_s
  if
    local.get $o i32.const 45 i32.store8
    local.get $o i32.const 1 i32.add local.set $o
    i64.const 0 local.get $v i64.sub local.set $v
  end`

/** $v in decimal (a sign, then digits counted with compares and written with 32-bit divisions below 2^32). */
const DIGITS = `
  ${MINUS}
  local.get $v i64.const 0x100000000 i64.lt_u
  if
    local.get $v i32.wrap_i64 local.set $w
    local.get $o i32.const 1 i32.add
    ${[10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9].map((t) => `local.get $w i32.const ${t} i32.ge_u i32.add`).join(' ')}
    local.set $o
    local.get $o local.set $k
    block
      loop
        local.get $w i32.const 100 i32.lt_u br_if 1
        local.get $k i32.const 2 i32.sub local.tee $k
        local.get $w local.get $w i32.const 100 i32.div_u local.tee $n i32.const 100 i32.mul i32.sub i32.const 1 i32.shl i32.load16_u offset=${PAIRS}
        i32.store16
        local.get $n local.set $w
        br 0
      end
    end
    local.get $w i32.const 10 i32.ge_u
    if
      local.get $k i32.const 2 i32.sub local.get $w i32.const 1 i32.shl i32.load16_u offset=${PAIRS} i32.store16
    else
      local.get $k i32.const 1 i32.sub local.get $w i32.const 48 i32.add i32.store8
    end
  else
    local.get $o local.get $v call $decimal local.set $o
  end`

/**
 * A float or double in $x as the JavaScript lane writes it (avro-json.ts dbl): a whole number below 1e15 (not -0)
 * as a long; a whole number of hundredths below 1e13 (prices) as its whole part and cents; anything else
 * (NaN, Infinity, other fractions) is declined.
 */
const NUMBER = `
  local.get $x local.get $x f64.ne if ${DECLINE} end
  local.get $x f64.trunc local.get $x f64.eq local.get $x f64.abs f64.const 1e15 f64.lt i32.and
  if
    local.get $x f64.const 0 f64.eq local.get $x i64.reinterpret_f64 i64.const 0 i64.lt_s i32.and if ${DECLINE} end
    local.get $x i64.trunc_f64_s local.set $v
    i32.const -1 local.set $cents
  else
    local.get $x f64.const 0 f64.eq local.get $x f64.abs f64.const 1e13 f64.ge i32.or if ${DECLINE} end
    local.get $x f64.const 100 f64.mul local.set $y
    local.get $y f64.ceil i64.trunc_f64_s local.set $v
    local.get $v f64.convert_i64_s f64.const 0.5 f64.sub local.get $y f64.gt if local.get $v i64.const 1 i64.sub local.set $v end
    local.get $v f64.convert_i64_s f64.const 100 f64.div local.get $x f64.ne if ${DECLINE} end
    ${MINUS}
    local.get $v i64.const 0x100000000 i64.lt_u
    if
      local.get $v i32.wrap_i64 local.set $w
      local.get $w i32.const 100 i32.rem_u local.set $cents
      local.get $w i32.const 100 i32.div_u i64.extend_i32_u local.set $v
    else
      local.get $v i64.const 100 i64.rem_u i32.wrap_i64 local.set $cents
      local.get $v i64.const 100 i64.div_u local.set $v
    end
  end
  ${DIGITS}
  local.get $cents i32.const 0 i32.ge_s
  if
    local.get $o i32.const 46 i32.store8
    local.get $o local.get $cents i32.const 10 i32.div_u i32.const 48 i32.add i32.store8 offset=1
    local.get $o i32.const 2 i32.add local.set $o
    local.get $cents i32.const 10 i32.rem_u
    if
      local.get $o local.get $cents i32.const 10 i32.rem_u i32.const 48 i32.add i32.store8
      local.get $o i32.const 1 i32.add local.set $o
    end
  end`

/** A string (length in $v): printable ASCII but quote and backslash, checked and copied 16 bytes at a time. */
const STRING = `
  local.get $v local.get $e local.get $i i32.sub i64.extend_i32_u i64.gt_u if ${DECLINE} end
  local.get $v i32.wrap_i64 local.set $n
  local.get $o i32.const 34 i32.store8
  local.get $o i32.const 1 i32.add local.set $o
  i32.const 0 local.set $k
  loop
    local.get $i local.get $k i32.add v128.load local.set $chunk
    local.get $chunk v128.const @space i8x16.lt_u
    local.get $chunk v128.const @tilde i8x16.gt_u v128.or
    local.get $chunk v128.const @quote i8x16.eq v128.or
    local.get $chunk v128.const @backslash i8x16.eq v128.or
    i8x16.bitmask local.set $c
    local.get $n local.get $k i32.sub i32.const 16 i32.lt_s
    if
      local.get $c i32.const 1 local.get $n local.get $k i32.sub i32.shl i32.const 1 i32.sub i32.and local.set $c
    end
    local.get $c if ${DECLINE} end
    local.get $o local.get $k i32.add local.get $chunk v128.store
    local.get $k i32.const 16 i32.add local.tee $k local.get $n i32.lt_s
    br_if 0
  end
  local.get $i local.get $n i32.add local.set $i
  local.get $o local.get $n i32.add local.set $o
  local.get $o i32.const 34 i32.store8
  local.get $o i32.const 1 i32.add local.set $o`
const STRING_CONSTANTS = {
  space: new Uint8Array(16).fill(0x20),
  tilde: new Uint8Array(16).fill(0x7e),
  quote: new Uint8Array(16).fill(0x22),
  backslash: new Uint8Array(16).fill(0x5c),
}

const BOOLEAN = `
  local.get $i local.get $e i32.ge_u if ${DECLINE} end
  local.get $i i32.load8_u local.set $n
  local.get $i i32.const 1 i32.add local.set $i
  local.get $n i32.const 1 i32.eq
  if
    local.get $o i32.const 0x65757274 i32.store
    local.get $o i32.const 4 i32.add local.set $o
  else
    local.get $n if ${DECLINE} end
    local.get $o i32.const 0x736c6166 i32.store
    local.get $o i32.const 0x65 i32.store8 offset=4
    local.get $o i32.const 5 i32.add local.set $o
  end`

const NULL = `
  local.get $o i32.const 0x6c6c756e i32.store
  local.get $o i32.const 4 i32.add local.set $o`

/** Milliseconds in $v: in the second of the text kept (at ISO), written here; else by the module's $timestamp. */
const TIMESTAMP = (iso: number) => `
  local.get $v global.get $isoFrom i64.sub local.tee $d i64.const 1000 i64.lt_u
  if
    local.get $d i32.wrap_i64 local.set $c
    local.get $o i32.const 34 i32.store8
    local.get $o i32.const ${iso} v128.load v128.store offset=1
    local.get $o i32.const ${iso + 16} i32.load i32.store offset=17
    local.get $o local.get $c i32.const 100 i32.div_u i32.const 48 i32.add i32.store8 offset=21
    local.get $o local.get $c i32.const 10 i32.div_u i32.const 10 i32.rem_u i32.const 48 i32.add i32.store8 offset=22
    local.get $o local.get $c i32.const 10 i32.rem_u i32.const 48 i32.add i32.store8 offset=23
    local.get $o i32.const 0x225a i32.store16 offset=24
    local.get $o i32.const 26 i32.add local.set $o
  else
    local.get $o local.get $v call $timestamp local.tee $o i32.const 0 i32.lt_s if ${DECLINE} end
  end`

/** The value function of `schema` (a module of its own) and its bound, or undefined when the schema has a type it does not cover. */
export function compileAvroFunction(schema: Schema): {module: Uint8Array; bound: number} | undefined {
  try {
    const compiler = new FunctionCompiler()
    compiler.value(schema, '', [])
    compiler.end()
    return {module: compiler.module(), bound: compiler.bound}
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

/** Straight-line code for one schema: no dispatch, field names as constant stores. */
class FunctionCompiler {
  private readonly code = new WasmCode(NAMES)
  /** What one value writes at most beyond its string bytes. */
  bound = 0
  /** Text waiting to be written (a field's name, a brace): joined with the next until an op needs the output. */
  private pending: number[] = []
  private readonly named = new Map<string, {schema: Schema; namespace: string}>()

  module(): Uint8Array {
    return functionModule({
      types: [
        [[I32, I32, I32], [I32]],
        [[I32, I64], [I32]],
      ],
      imports: [
        {module: 'avro', name: 'memory', kind: {memory: 1}},
        {module: 'avro', name: 'decimal', kind: {func: 1}},
        {module: 'avro', name: 'timestamp', kind: {func: 1}},
        {module: 'avro', name: 'isoFrom', kind: {global: I64}},
      ],
      type: 0,
      locals: LOCALS,
      body: this.code.bytes,
      exportName: 'value',
    })
  }

  end(): void {
    this.flush()
    this.code.emit(`local.get $i local.get $e i32.ne if ${DECLINE} end local.get $o`)
  }

  private text(text: string): void {
    this.pending.push(...Buffer.from(text, 'utf8'))
  }

  /** The pending text as 16-byte stores (up to 15 bytes more written: the bound counts them). */
  private flush(): void {
    const bytes = this.pending
    if (bytes.length === 0) return
    this.pending = []
    this.writeConstant(bytes)
  }

  private writeConstant(bytes: number[]): void {
    const constants: Record<string, Uint8Array> = {}
    for (let k = 0; k < bytes.length; k += 16) {
      constants[`c${k}`] = Uint8Array.from({length: 16}, (_, j) => bytes[k + j] ?? 0)
      this.code.emit(`local.get $o v128.const @c${k} v128.store offset=${k}`, constants)
    }
    this.code.emit(`local.get $o i32.const ${bytes.length} i32.add local.set $o`)
    this.bound += bytes.length + 16
  }

  private emit(template: string, bound: number, constants?: Record<string, Uint8Array>): void {
    this.flush()
    this.code.emit(template, constants)
    this.bound += bound
  }

  value(schema: Schema, namespace: string, records: string[]): void {
    if (typeof schema === 'string') {
      if (PRIMITIVES.has(schema)) return this.primitive(schema)
      const found = this.named.get(referenceName(schema, namespace)) ?? this.named.get(schema)
      if (!found) throw new Unsupported(schema)
      return this.value(found.schema, found.namespace, records)
    }
    if (Array.isArray(schema)) return this.union(schema, namespace, records)
    const {type} = schema
    if (schema.logicalType !== undefined) {
      if (schema.logicalType === 'timestamp-millis' && type === 'long') return this.emit(`${VARINT} ${TIMESTAMP(ISO)}`, NUMBER_MAX)
      throw new Unsupported(String(schema.logicalType))
    }
    if (PRIMITIVES.has(type)) return this.primitive(type)
    switch (type) {
      case 'record':
      case 'error': {
        const ns = namespaceOf(schema, namespace)
        const name = fullNameOf(schema, namespace)
        // A record inside itself (a tree, a list) would need a call stack: the JavaScript lane has one.
        if (records.includes(name)) throw new Unsupported('recursive record')
        this.named.set(name, {schema, namespace: ns})
        const fields = schema.fields as {name: string; type: Schema}[]
        if (fields.length === 0) return this.text('{}')
        fields.forEach((f, n) => {
          this.text(`${n === 0 ? '{' : ','}${quote(f.name)}:`)
          this.value(f.type, ns, [...records, name])
        })
        return this.text('}')
      }
      case 'enum': {
        this.named.set(fullNameOf(schema, namespace), {schema, namespace})
        return this.enumeration((schema.symbols as string[]).map((x) => [...Buffer.from(quote(x), 'utf8')]))
      }
    }
    throw new Unsupported(String(type))
  }

  /** The index in $v picks a symbol: a br_table over one block per symbol, each writing its text. */
  private enumeration(symbols: number[][]): void {
    const count = symbols.length
    this.emit(`${VARINT} local.get $v i64.const ${count} i64.ge_u if ${DECLINE} end block`, 0)
    for (let k = 0; k < count; k++) this.code.emit('block')
    this.code.emit('local.get $v i32.wrap_i64')
    brTable(
      this.code,
      symbols.map((_, k) => k),
      count - 1,
    )
    const bound = this.bound
    let widest = 0
    symbols.forEach((symbol, k) => {
      this.code.emit('end')
      this.bound = bound
      this.writeConstant(symbol)
      widest = Math.max(widest, this.bound - bound)
      this.code.emit(`br ${count - 1 - k}`)
    })
    this.code.emit('end')
    this.bound = bound + widest
  }

  /** null and one other type, written plain (the JavaScript lane's only union too). */
  private union(branches: Schema[], namespace: string, records: string[]): void {
    const isNull = (b: Schema) => b === 'null' || b?.type === 'null'
    if (branches.length !== 2 || branches.filter(isNull).length !== 1) throw new Unsupported('union')
    const nullAt = isNull(branches[0]) ? 0 : 1
    this.emit(`${VARINT} local.get $v i64.const ${nullAt} i64.eq if ${NULL} else local.get $v i64.const ${1 - nullAt} i64.ne if ${DECLINE} end`, 4)
    this.value(branches[1 - nullAt], namespace, records)
    this.flush()
    this.code.emit('end')
  }

  private primitive(type: string): void {
    switch (type) {
      case 'null':
        return this.emit(NULL, 4)
      case 'boolean':
        return this.emit(BOOLEAN, 5)
      case 'int':
      case 'long':
        return this.emit(`${VARINT} ${DIGITS}`, NUMBER_MAX)
      case 'double':
        return this.emit(
          `local.get $i i32.const 8 i32.add local.get $e i32.gt_s if ${DECLINE} end local.get $i f64.load local.set $x local.get $i i32.const 8 i32.add local.set $i i32.const -1 local.set $cents ${NUMBER}`,
          NUMBER_MAX,
        )
      case 'float':
        return this.emit(
          `local.get $i i32.const 4 i32.add local.get $e i32.gt_s if ${DECLINE} end local.get $i f32.load f64.promote_f32 local.set $x local.get $i i32.const 4 i32.add local.set $i i32.const -1 local.set $cents ${NUMBER}`,
          NUMBER_MAX,
        )
      case 'string':
        return this.emit(`${VARINT} ${STRING}`, STRING_EXTRA, STRING_CONSTANTS)
    }
    throw new Unsupported(type)
  }
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])

/** Reads the records of a batch body: see AvroWasmLane.transcoder. */
export type RecordsTranscoder = (body: Buffer, count: number, lo: number, hi: number, out: ValueSink, separator: number) => number

interface Table {
  readonly length: number
  grow(n: number): number
  set(index: number, value: unknown): void
}

interface Exports {
  memory: {readonly buffer: ArrayBuffer; grow(pages: number): number}
  values: Table
  decimal: unknown
  timestamp: unknown
  isoFrom: unknown
  run(prog: number, id: number, pos: number, end: number, left: number, lo: number, hi: number, out: number, outEnd: number, sep: number): number
}

/** Node's WebAssembly global (this project's TypeScript libraries do not declare it). */
const wasmApi = (globalThis as unknown as {WebAssembly: {Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports?: object) => {exports: unknown}}}).WebAssembly

/** The compiled module and its instance, one per process (every schema's function goes into its table). */
let module: object | undefined
let lane: AvroWasmLane | null | undefined

export class AvroWasmLane {
  private u8: Uint8Array
  private results: Int32Array
  /** Value functions placed so far; 0 is the module's own, which declines every value. */
  private functions = 1

  private constructor(private readonly exports: Exports) {
    this.u8 = new Uint8Array(exports.memory.buffer)
    this.results = new Int32Array(exports.memory.buffer, 0, 8)
  }

  /** The lane, or undefined when the module is missing (an unbuilt checkout) or the engine cannot run it. */
  static get(): AvroWasmLane | undefined {
    if (lane === undefined) {
      try {
        lane = AvroWasmLane.create()
      } catch {
        lane = null
      }
    }
    return lane ?? undefined
  }

  /** A new instance (tests: a table of their own). */
  static create(): AvroWasmLane {
    // Memory grows with the first batch (transcoder): a consume that meets no Avro value keeps one page.
    module ??= new wasmApi.Module(readFileSync(wasmFile()))
    return new AvroWasmLane(new wasmApi.Instance(module).exports as unknown as Exports)
  }

  /** Compiles the value function of `schema` into the table: its number, or undefined (the schema has none). */
  place(schema: Schema): number | undefined {
    const compiled = compileAvroFunction(schema)
    if (!compiled || BOUNDS + 4 * (this.functions + 1) > OUT) return undefined
    const {memory, decimal, timestamp, isoFrom, values} = this.exports
    let instance: {exports: unknown}
    try {
      instance = new wasmApi.Instance(new wasmApi.Module(compiled.module), {avro: {memory, decimal, timestamp, isoFrom}})
    } catch {
      // An engine that refuses the code (none known: the tests compile every kind of schema) leaves the schema
      // to the JavaScript lane, which writes the same bytes.
      return undefined
    }
    const index = this.functions++
    if (values.length <= index) values.grow(values.length)
    values.set(index, (instance.exports as {value: unknown}).value)
    new DataView(this.u8.buffer).setInt32(BOUNDS + 4 * index, compiled.bound, true)
    return index
  }

  /**
   * A writer of the values of whole batch bodies (see ValueTranscoder.records): `functionOf(id)` gives the value
   * function (place()) of a schema id met, `fallback` writes a value this module declines. It keeps the function
   * in use and its schema id between batches (consecutive batches nearly always share it). `outSize`: the output
   * area's size (smaller in tests, to make it fill up).
   */
  transcoder(functionOf: (id: number) => number | undefined, fallback: ValueTranscoder, outSize = OUT_SIZE): RecordsTranscoder {
    let current = 0
    let currentId = -1
    return (body, count, lo, hi, out, separator) => {
      const end = IN + body.length
      this.grow(end + 64)
      const {u8, results} = this
      u8.set(body, IN)
      let pos = IN
      let left = count
      let written = 0
      for (;;) {
        const status = this.exports.run(current, currentId, pos, end, left, clamp(lo), clamp(hi), OUT, OUT + Math.min(outSize, OUT_SIZE), separator)
        const n = results[2] - OUT
        if (n > 0) {
          out.reserve(n).set(u8.subarray(OUT, OUT + n), out.length)
          out.commit(out.length + n)
        }
        written += results[3]
        if (status === 0) return written
        if (status === 3) return -1
        pos = results[0]
        left = results[1]
        if (status === 1) continue
        // Declined: another schema id (choose its function, then try again), or a value for the JavaScript lane.
        const value = results[4] - IN
        const valueEnd = results[5] - IN
        const id = valueEnd - value >= 5 && body[value] === 0 ? body.readInt32BE(value + 1) : undefined
        if (id !== undefined && id !== currentId) {
          const index = functionOf(id)
          if (index !== undefined) {
            current = index
            currentId = id
            continue
          }
        }
        if (!fallback(body, value, valueEnd, out)) return -1
        out.reserve(1)[out.length] = separator
        out.commit(out.length + 1)
        written++
        pos = results[6]
        left--
      }
    }
  }

  private grow(bytes: number): void {
    const memory = this.exports.memory
    if (memory.buffer.byteLength >= bytes) return
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE))
    this.u8 = new Uint8Array(memory.buffer)
    this.results = new Int32Array(memory.buffer, 0, 8)
  }
}

const clamp = (n: number) => Math.max(-0x80000000, Math.min(0x7fffffff, n))

/** dist/wasm/avro-json.wasm, from the bundle (any chunk or entry), dist/schemas, or the sources (tests). */
function wasmFile(): URL {
  const here = import.meta.url
  const at = here.lastIndexOf('/dist/')
  return new URL(at >= 0 ? `${here.slice(0, at)}/dist/wasm/avro-json.wasm` : '../../dist/wasm/avro-json.wasm', here)
}
