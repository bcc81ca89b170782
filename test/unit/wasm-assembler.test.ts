/**
 * A second opinion on the run-time WebAssembly assembler (src/schemas/wasm-assembler.ts): the same code written
 * for it and as WAT for wabt (the compiler scripts/wasm.mjs builds the lane's module with) gives the same bytes.
 */
import wabtInit from 'wabt'
import {describe, expect, it} from 'vitest'

import {brTable, F64, functionModule, I32, I64, V128, WasmCode} from '../../src/schemas/wasm-assembler.js'

/** [kafkit's flat text, the same in wabt's WAT]: memory ops get align=1 there (kafkit writes alignment 0). */
const PAIRS: [string, string][] = [
  ['local.get $a local.set $b local.tee $b drop', 'local.get 0 local.set 1 local.tee 1 drop'],
  ['global.get $g global.set $g', 'global.get 0 global.set 0'],
  ['i32.const -1 i32.const 0x65757274 i32.const 127 i32.const 128 i32.const -129', 'i32.const -1 i32.const 0x65757274 i32.const 127 i32.const 128 i32.const -129'],
  ['i64.const 0x10000000000000 i64.const 253402300800000 i64.const -7', 'i64.const 0x10000000000000 i64.const 253402300800000 i64.const -7'],
  ['f64.const 1e15 f64.const 0.5 f64.const 100', 'f64.const 1e15 f64.const 0.5 f64.const 100'],
  [
    'i32.load i32.load8_u offset=21 i32.load16_u f32.load f64.load offset=8 i32.store i64.store i32.store8 offset=4 i32.store16 offset=24',
    'i32.load align=1 i32.load8_u offset=21 align=1 i32.load16_u align=1 f32.load align=1 f64.load offset=8 align=1 i32.store align=1 i64.store align=1 i32.store8 offset=4 align=1 i32.store16 offset=24 align=1',
  ],
  [
    'v128.load v128.store offset=17 v128.const @x i8x16.splat i8x16.eq i8x16.lt_u i8x16.gt_u v128.or i8x16.bitmask',
    'v128.load align=1 v128.store offset=17 align=1 v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 126 i8x16.splat i8x16.eq i8x16.lt_u i8x16.gt_u v128.or i8x16.bitmask',
  ],
  ['block loop if br 2 else br_if 1 end end end return call $f select', 'block loop if br 2 else br_if 1 end end end return call 0 select'],
  [
    'i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.ge_s i32.ge_u i32.add i32.sub i32.mul i32.div_u i32.rem_u i32.and i32.or i32.shl',
    'i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.ge_s i32.ge_u i32.add i32.sub i32.mul i32.div_u i32.rem_u i32.and i32.or i32.shl',
  ],
  [
    'i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_u i64.ge_u i64.add i64.sub i64.div_u i64.rem_u i64.and i64.or i64.xor i64.shl i64.shr_u',
    'i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_u i64.ge_u i64.add i64.sub i64.div_u i64.rem_u i64.and i64.or i64.xor i64.shl i64.shr_u',
  ],
  [
    'f64.eq f64.ne f64.lt f64.gt f64.ge f64.abs f64.ceil f64.trunc f64.sub f64.mul f64.div i32.wrap_i64 i64.extend_i32_u i64.trunc_f64_s f64.convert_i64_s f64.promote_f32 i64.reinterpret_f64',
    'f64.eq f64.ne f64.lt f64.gt f64.ge f64.abs f64.ceil f64.trunc f64.sub f64.mul f64.div i32.wrap_i64 i64.extend_i32_u i64.trunc_f64_s f64.convert_i64_s f64.promote_f32 i64.reinterpret_f64',
  ],
]

const x = Uint8Array.from({length: 16}, (_, k) => (k === 15 ? 126 : 32))

async function wabtModule(body: string): Promise<Uint8Array> {
  const wabt = await wabtInit()
  const source = `(module
    (type (func (param i32 i32 i32) (result i32)))
    (type (func (param i32 i64) (result i32)))
    (import "avro" "memory" (memory 1))
    (import "avro" "decimal" (func (type 1)))
    (import "avro" "isoFrom" (global (mut i64)))
    (func (export "value") (type 0) (local i64 i32 v128 f64) ${body}))`
  const module = wabt.parseWat('test.wat', source, {simd: true})
  const bytes = Uint8Array.from(module.toBinary({}).buffer)
  module.destroy()
  return bytes
}

function kafkitModule(code: WasmCode): Uint8Array {
  return functionModule({
    types: [
      [[I32, I32, I32], [I32]],
      [[I32, I64], [I32]],
    ],
    imports: [
      {module: 'avro', name: 'memory', kind: {memory: 1}},
      {module: 'avro', name: 'decimal', kind: {func: 1}},
      {module: 'avro', name: 'isoFrom', kind: {global: I64}},
    ],
    type: 0,
    locals: [
      [1, I64],
      [1, I32],
      [1, V128],
      [1, F64],
    ],
    body: code.bytes,
    exportName: 'value',
  })
}

describe('wasm-assembler', () => {
  it.each(PAIRS)('%s: the same bytes as wabt', async (mine, theirs) => {
    const code = new WasmCode({$a: 0, $b: 1, $g: 0, $f: 0}).emit(mine, {x})
    expect(Buffer.from(kafkitModule(code)).toString('hex')).toBe(Buffer.from(await wabtModule(theirs)).toString('hex'))
  })

  it('br_table', async () => {
    const code = new WasmCode({}).emit('block block block local.get 0')
    brTable(code, [0, 1], 2)
    code.emit('end end end i32.const 0')
    expect(Buffer.from(kafkitModule(code)).toString('hex')).toBe(Buffer.from(await wabtModule('block block block local.get 0 br_table 0 1 2 end end end i32.const 0')).toString('hex'))
  })

  it('refuses what it does not know', () => {
    expect(() => new WasmCode({}).emit('i32.popcnt')).toThrow(/unknown instruction 'i32.popcnt'/)
    expect(() => new WasmCode({}).emit('local.get $nope')).toThrow(/unknown name/)
    expect(() => new WasmCode({}).emit('v128.const @missing')).toThrow(/16-byte constant/)
  })
})
