/**
 * consume's Avro lane for whole record batches, in WebAssembly (avro-json.wat, built into dist/wasm/): one call
 * writes every value of a batch body as JSON, where the JavaScript lane (avro-json.ts) made a call per value and
 * per field. A schema is compiled into a small program of ops that the module runs; the records it declines
 * (escaped or non-ASCII strings, doubles other than whole numbers and cents, another schema id, ...) go through
 * the JavaScript lane one by one, so the output is the same bytes whichever lane wrote it (a unit test runs both
 * on random values). Schemas with arrays, maps, bytes or fixed have no program and use the JavaScript lane.
 * Why a second lane: docs/ARCHITECTURE.md (Schemas).
 */
import {readFileSync} from 'node:fs'

import type {ValueSink, ValueTranscoder} from '../records/envelope.js'
import {fullNameOf, namespaceOf} from './avro-kinds.js'
import {quote} from './json-text.js'

type Schema = any // eslint-disable-line @typescript-eslint/no-explicit-any

class Unsupported extends Error {}

const enum Op {
  END = 0,
  CONST = 1,
  LONG = 2,
  DOUBLE = 3,
  FLOAT = 4,
  STRING = 5,
  BOOLEAN = 6,
  NULL = 7,
  ENUM = 8,
  TIMESTAMP_MILLIS = 9,
  UNION = 10,
}

const VARINT_FIRST = new Set([Op.LONG, Op.STRING, Op.ENUM, Op.TIMESTAMP_MILLIS, Op.UNION])

/** The most a number, a boolean or a timestamp writes (a long's 17 digits and sign, a timestamp's 26 bytes). */
const NUMBER_MAX = 32
/** A string writes its bytes, two quotes and up to 15 bytes past its end (copied 16 at a time, overwritten next). */
const STRING_EXTRA = 2 + 16

/** Ops and the bound of what one value writes beyond its string bytes, for a program placed at `base`. */
export function compileAvroProgram(schema: Schema, base: number): Uint8Array | undefined {
  try {
    const builder = new ProgramBuilder(base)
    builder.value(schema, '', [])
    builder.op(Op.END)
    return builder.finish()
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

class ProgramBuilder {
  private bytes: number[] = [0, 0, 0, 0]
  private bound = 0
  /** Where the last CONST's length is, while the next bytes may join it. */
  private openConst = -1
  private readonly named = new Map<string, Schema>()

  constructor(private readonly base: number) {}

  finish(): Uint8Array {
    const out = Uint8Array.from(this.bytes)
    new DataView(out.buffer).setUint32(0, this.bound, true)
    return out
  }

  /** An op; right after a CONST, the CONST becomes its prefix (0x80: one dispatch less per field). */
  op(code: Op): void {
    // 0x40: the op's value starts with a varint, which the module reads before dispatching
    const byte = VARINT_FIRST.has(code) ? code | 0x40 : code
    if (this.openConst >= 0 && code !== Op.CONST) this.bytes[this.openConst - 1] = byte | 0x80
    else this.bytes.push(byte)
    this.openConst = -1
  }

  private u16(v: number): void {
    if (v > 0xffff) throw new Unsupported('too long')
    this.bytes.push(v & 0xff, v >>> 8)
  }

  private u32(v: number, at = this.bytes.length): void {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]
    if (at === this.bytes.length) this.bytes.push(...b)
    else this.bytes.splice(at, 4, ...b)
  }

  private text(text: string): void {
    const bytes = [...Buffer.from(text, 'utf8')]
    this.bound += bytes.length
    if (this.openConst >= 0) {
      const length = this.bytes[this.openConst] + this.bytes[this.openConst + 1] * 256 + bytes.length
      if (length <= 0xffff) {
        this.bytes[this.openConst] = length & 0xff
        this.bytes[this.openConst + 1] = length >>> 8
        this.bytes.push(...bytes)
        return
      }
    }
    this.op(Op.CONST)
    // copied 16 bytes at a time: up to 15 more written
    this.bound += 16
    this.openConst = this.bytes.length
    this.u16(bytes.length)
    this.bytes.push(...bytes)
  }

  value(schema: Schema, namespace: string, records: string[]): void {
    if (typeof schema === 'string') {
      if (PRIMITIVES.has(schema)) return this.primitive(schema)
      const full = schema.includes('.') || !namespace ? schema : `${namespace}.${schema}`
      const found = this.named.get(full) ?? this.named.get(schema)
      if (!found) throw new Unsupported(schema)
      return this.value(found.schema, found.namespace, records)
    }
    if (Array.isArray(schema)) return this.union(schema, namespace, records)
    const {type} = schema
    if (schema.logicalType !== undefined) {
      if (schema.logicalType === 'timestamp-millis' && type === 'long') {
        this.op(Op.TIMESTAMP_MILLIS)
        this.bound += NUMBER_MAX
        return
      }
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
        const symbols = (schema.symbols as string[]).map((x) => [...Buffer.from(quote(x), 'utf8')])
        this.named.set(fullNameOf(schema, namespace), {schema, namespace})
        this.op(Op.ENUM)
        const start = this.bytes.length
        this.u16(symbols.length)
        const skipAt = this.bytes.length
        this.u32(0)
        const table = this.bytes.length
        for (let k = 0; k < symbols.length; k++) this.u32(0)
        symbols.forEach((symbol, k) => {
          this.u32(this.base + this.bytes.length, table + 4 * k)
          this.u16(symbol.length)
          this.bytes.push(...symbol)
        })
        // skip: from the count to the next op
        this.u32(this.bytes.length - start, skipAt)
        this.bound += Math.max(...symbols.map((x) => x.length)) + 16
        return
      }
    }
    throw new Unsupported(String(type))
  }

  /** null and one other type, written plain (the JavaScript lane's only union too). */
  private union(branches: Schema[], namespace: string, records: string[]): void {
    const isNull = (b: Schema) => b === 'null' || b?.type === 'null'
    if (branches.length !== 2 || branches.filter(isNull).length !== 1) throw new Unsupported('union')
    const nullAt = isNull(branches[0]) ? 0 : 1
    this.op(Op.UNION)
    this.bytes.push(nullAt)
    const skipAt = this.bytes.length
    this.u32(0)
    const start = this.bytes.length
    this.bound += 4
    this.value(branches[1 - nullAt], namespace, records)
    this.u32(this.bytes.length - start, skipAt)
    // What follows the union must not join a CONST inside its branch.
    this.openConst = -1
  }

  private primitive(type: string): void {
    const ops: Record<string, [Op, number]> = {
      null: [Op.NULL, 4],
      boolean: [Op.BOOLEAN, 5],
      int: [Op.LONG, NUMBER_MAX],
      long: [Op.LONG, NUMBER_MAX],
      float: [Op.FLOAT, NUMBER_MAX],
      double: [Op.DOUBLE, NUMBER_MAX],
      string: [Op.STRING, STRING_EXTRA],
    }
    const found = ops[type]
    if (!found) throw new Unsupported(type)
    this.op(found[0])
    this.bound += found[1]
  }
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])

/** Memory: results at 0, programs from PROGRAMS (256 KiB: hundreds of schemas), then the output and the input areas. */
const PROGRAMS = 64
const OUT = 0x40000
const OUT_SIZE = 0x100000
const IN = OUT + OUT_SIZE + 64
const PAGE = 0x10000

/** Reads the records of a batch body: see AvroWasmLane.records. */
export type RecordsTranscoder = (body: Buffer, count: number, lo: number, hi: number, out: ValueSink, separator: number) => number

interface Exports {
  memory: {readonly buffer: ArrayBuffer; grow(pages: number): number}
  run(prog: number, id: number, pos: number, end: number, left: number, lo: number, hi: number, out: number, outEnd: number, sep: number): number
}

/** Node's WebAssembly global (this project's TypeScript libraries do not declare it). */
const wasmApi = (globalThis as unknown as {WebAssembly: {Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => {exports: unknown}}}).WebAssembly

/** The compiled module and the instance, one per process (its program area is shared by every schema met). */
let module: object | undefined
let lane: AvroWasmLane | null | undefined

export class AvroWasmLane {
  private u8: Uint8Array
  private results: Int32Array
  private nextProgram = PROGRAMS + 8

  private constructor(private readonly exports: Exports) {
    this.u8 = new Uint8Array(exports.memory.buffer)
    this.results = new Int32Array(exports.memory.buffer, 0, 8)
    // At PROGRAMS, the program of no schema (bound 0, an unknown op): every value declines until one is chosen.
    this.u8.set([0, 0, 0, 0, 0xff], PROGRAMS)
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

  /** A new instance (tests: a program area of its own). */
  static create(): AvroWasmLane {
    module ??= new wasmApi.Module(readFileSync(wasmFile()))
    const created = new AvroWasmLane(new wasmApi.Instance(module).exports as unknown as Exports)
    created.grow(IN + PAGE)
    return created
  }

  /** Places the program of `schema`; its address, or undefined (no program for this schema, or no room left). */
  place(schema: Schema): number | undefined {
    const base = this.nextProgram
    const program = compileAvroProgram(schema, base)
    if (!program || base + program.length > OUT - 64) return undefined
    this.u8.set(program, base)
    this.nextProgram = (base + program.length + 7) & ~7
    return base
  }

  /**
   * A writer of the values of whole batch bodies (see ValueTranscoder.records): `program(id)` gives the program
   * of a schema id met, `fallback` writes a value this module declines. It keeps the program in use and its
   * schema id between batches (consecutive batches nearly always share it). `outSize`: the output area's size
   * (smaller in tests, to make it fill up).
   */
  transcoder(program: (id: number) => number | undefined, fallback: ValueTranscoder, outSize = OUT_SIZE): RecordsTranscoder {
    let current = PROGRAMS
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
        // Declined: another schema id (choose its program, then try again), or a value for the JavaScript lane.
        const value = results[4] - IN
        const valueEnd = results[5] - IN
        const id = valueEnd - value >= 5 && body[value] === 0 ? body.readInt32BE(value + 1) : undefined
        if (id !== undefined && id !== currentId) {
          const address = program(id)
          if (address !== undefined) {
            current = address
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
