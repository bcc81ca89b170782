/**
 * A small WebAssembly assembler for code generated at run time (avro-wasm.ts compiles a function per Avro schema):
 * instructions written as flat WAT text (`local.get $i i32.load8_u offset=1 ...`) become the binary encoding, and
 * `functionModule` wraps one function in a module. Only the instructions the generator uses are known; anything
 * else throws. A unit test holds the bytes to wabt's (test/unit/wasm-assembler.test.ts). Why not wabt or binaryen
 * at run time: megabytes of compiler for a few hundred bytes of code, and their start-up.
 */

type Immediate = 'none' | 'local' | 'global' | 'func' | 'i32' | 'i64' | 'f64' | 'memory' | 'block' | 'depth' | 'v128'

const SIMD = 0xfd

/** Opcodes: one byte, or the SIMD prefix and its index (encoded as LEB128). */
const INSTRUCTIONS: Record<string, [number[], Immediate]> = {
  block: [[0x02], 'block'],
  loop: [[0x03], 'block'],
  if: [[0x04], 'block'],
  else: [[0x05], 'none'],
  end: [[0x0b], 'none'],
  br: [[0x0c], 'depth'],
  br_if: [[0x0d], 'depth'],
  return: [[0x0f], 'none'],
  call: [[0x10], 'func'],
  drop: [[0x1a], 'none'],
  select: [[0x1b], 'none'],
  'local.get': [[0x20], 'local'],
  'local.set': [[0x21], 'local'],
  'local.tee': [[0x22], 'local'],
  'global.get': [[0x23], 'global'],
  'global.set': [[0x24], 'global'],
  'i32.load': [[0x28], 'memory'],
  'f32.load': [[0x2a], 'memory'],
  'f64.load': [[0x2b], 'memory'],
  'i32.load8_u': [[0x2d], 'memory'],
  'i32.load16_u': [[0x2f], 'memory'],
  'i32.store': [[0x36], 'memory'],
  'i64.store': [[0x37], 'memory'],
  'i32.store8': [[0x3a], 'memory'],
  'i32.store16': [[0x3b], 'memory'],
  'i32.const': [[0x41], 'i32'],
  'i64.const': [[0x42], 'i64'],
  'f64.const': [[0x44], 'f64'],
  'i32.eqz': [[0x45], 'none'],
  'i32.eq': [[0x46], 'none'],
  'i32.ne': [[0x47], 'none'],
  'i32.lt_s': [[0x48], 'none'],
  'i32.lt_u': [[0x49], 'none'],
  'i32.gt_s': [[0x4a], 'none'],
  'i32.gt_u': [[0x4b], 'none'],
  'i32.ge_s': [[0x4e], 'none'],
  'i32.ge_u': [[0x4f], 'none'],
  'i64.eq': [[0x51], 'none'],
  'i64.ne': [[0x52], 'none'],
  'i64.lt_s': [[0x53], 'none'],
  'i64.lt_u': [[0x54], 'none'],
  'i64.gt_u': [[0x56], 'none'],
  'i64.ge_u': [[0x5a], 'none'],
  'f64.eq': [[0x61], 'none'],
  'f64.ne': [[0x62], 'none'],
  'f64.lt': [[0x63], 'none'],
  'f64.gt': [[0x64], 'none'],
  'f64.ge': [[0x66], 'none'],
  'i32.add': [[0x6a], 'none'],
  'i32.sub': [[0x6b], 'none'],
  'i32.mul': [[0x6c], 'none'],
  'i32.div_u': [[0x6e], 'none'],
  'i32.rem_u': [[0x70], 'none'],
  'i32.and': [[0x71], 'none'],
  'i32.or': [[0x72], 'none'],
  'i32.shl': [[0x74], 'none'],
  'i64.add': [[0x7c], 'none'],
  'i64.sub': [[0x7d], 'none'],
  'i64.div_u': [[0x80], 'none'],
  'i64.rem_u': [[0x82], 'none'],
  'i64.and': [[0x83], 'none'],
  'i64.or': [[0x84], 'none'],
  'i64.xor': [[0x85], 'none'],
  'i64.shl': [[0x86], 'none'],
  'i64.shr_u': [[0x88], 'none'],
  'f64.abs': [[0x99], 'none'],
  'f64.ceil': [[0x9b], 'none'],
  'f64.trunc': [[0x9d], 'none'],
  'f64.sub': [[0xa1], 'none'],
  'f64.mul': [[0xa2], 'none'],
  'f64.div': [[0xa3], 'none'],
  'i32.wrap_i64': [[0xa7], 'none'],
  'i64.extend_i32_u': [[0xad], 'none'],
  'i64.trunc_f64_s': [[0xb0], 'none'],
  'f64.convert_i64_s': [[0xb9], 'none'],
  'f64.promote_f32': [[0xbb], 'none'],
  'i64.reinterpret_f64': [[0xbd], 'none'],
  'v128.load': [[SIMD, 0x00], 'memory'],
  'v128.store': [[SIMD, 0x0b], 'memory'],
  'v128.const': [[SIMD, 0x0c], 'v128'],
  'i8x16.splat': [[SIMD, 0x0f], 'none'],
  'i8x16.eq': [[SIMD, 0x23], 'none'],
  'i8x16.lt_u': [[SIMD, 0x26], 'none'],
  'i8x16.gt_u': [[SIMD, 0x28], 'none'],
  'v128.or': [[SIMD, 0x50], 'none'],
  'i8x16.bitmask': [[SIMD, 0x64], 'none'],
}

export const I32 = 0x7f
export const I64 = 0x7e
export const F64 = 0x7c
export const V128 = 0x7b

export function unsignedLeb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return out
}

export function signedLeb(value: bigint): number[] {
  const out: number[] = []
  for (;;) {
    const byte = Number(value & 0x7fn)
    value >>= 7n
    if ((value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

/**
 * A function body being written. `emit` takes flat WAT: names of locals ($x), globals and functions as given to
 * the constructor, numbers in decimal or 0x hex, `offset=N` after a load or a store, `@name` for a v128
 * constant's 16 bytes passed in `constants`; `if`, `block` and `loop` have no result; `br N` counts levels.
 */
export class WasmCode {
  readonly bytes: number[] = []

  constructor(private readonly names: Record<string, number>) {}

  emit(text: string, constants: Record<string, Uint8Array> = {}): this {
    const tokens = text.split(/\s+/).filter(Boolean)
    for (let t = 0; t < tokens.length; t++) {
      const name = tokens[t]
      const found = INSTRUCTIONS[name]
      if (!found) throw new Error(`wasm-assembler: unknown instruction '${name}'`)
      const [opcode, immediate] = found
      this.bytes.push(opcode[0], ...(opcode.length > 1 ? unsignedLeb(opcode[1]) : []))
      const operand = () => {
        const next = tokens[++t]
        if (next === undefined) throw new Error(`wasm-assembler: '${name}' needs an operand`)
        return next
      }
      switch (immediate) {
        case 'none':
          break
        case 'block':
          this.bytes.push(0x40)
          break
        case 'local':
        case 'global':
        case 'func': {
          const ref = operand()
          const index = ref.startsWith('$') ? this.names[ref] : Number(ref)
          if (index === undefined || !Number.isInteger(index)) throw new Error(`wasm-assembler: unknown name '${ref}'`)
          this.bytes.push(...unsignedLeb(index))
          break
        }
        case 'depth':
          this.bytes.push(...unsignedLeb(Number(operand())))
          break
        case 'i32':
          this.bytes.push(...signedLeb(BigInt.asIntN(32, BigInt(operand()))))
          break
        case 'i64':
          this.bytes.push(...signedLeb(BigInt.asIntN(64, BigInt(operand()))))
          break
        case 'f64': {
          const b = new Uint8Array(8)
          new DataView(b.buffer).setFloat64(0, Number(operand()), true)
          this.bytes.push(...b)
          break
        }
        case 'memory': {
          let offset = 0
          if (tokens[t + 1]?.startsWith('offset=')) offset = Number(tokens[++t].slice(7))
          this.bytes.push(0, ...unsignedLeb(offset))
          break
        }
        case 'v128': {
          const ref = operand()
          const value = constants[ref.slice(1)]
          if (!ref.startsWith('@') || value?.length !== 16) throw new Error(`wasm-assembler: '${ref}' is not a 16-byte constant`)
          this.bytes.push(...value)
          break
        }
      }
    }
    return this
  }
}

/** br_table to `targets[index]` levels out, `fallback` for any other index (not flat WAT: its operands are a list). */
export function brTable(code: WasmCode, targets: number[], fallback: number): void {
  code.bytes.push(0x0e, ...unsignedLeb(targets.length), ...targets.flatMap(unsignedLeb), ...unsignedLeb(fallback))
}

const vector = (items: number[][]) => [...unsignedLeb(items.length), ...items.flat()]
const text = (s: string) => vector([...Buffer.from(s, 'utf8')].map((b) => [b]))
const section = (id: number, content: number[]) => [id, ...unsignedLeb(content.length), ...content]

export interface Import {
  module: string
  name: string
  /** A function of this type index, a memory of at least this many pages, or a mutable global of this value type. */
  kind: {func: number} | {memory: number} | {global: number}
}

/**
 * A module of one exported function: `types` are [params, results] pairs, `imports` come first in the function
 * and global index spaces, `locals` are the body's locals after the parameters ([count, type] runs).
 */
export function functionModule(options: {types: [number[], number[]][]; imports: Import[]; type: number; locals: [number, number][]; body: number[]; exportName: string}): Uint8Array {
  const {types, imports, type, locals, body, exportName} = options
  const functionImports = imports.filter((i) => 'func' in i.kind).length
  const importEntry = (i: Import) => {
    const k = i.kind
    const description = 'func' in k ? [0x00, ...unsignedLeb(k.func)] : 'memory' in k ? [0x02, 0x00, ...unsignedLeb(k.memory)] : [0x03, k.global, 0x01]
    return [...text(i.module), ...text(i.name), ...description]
  }
  const code = [...vector(locals.map(([count, valueType]) => [...unsignedLeb(count), valueType])), ...body, 0x0b]
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types.map(([params, results]) => [0x60, ...vector(params.map((p) => [p])), ...vector(results.map((r) => [r]))]))),
    ...section(2, vector(imports.map(importEntry))),
    ...section(3, vector([unsignedLeb(type)])),
    ...section(7, vector([[...text(exportName), 0x00, ...unsignedLeb(functionImports)]])),
    ...section(10, vector([[...unsignedLeb(code.length), ...code]])),
  ])
}
