/**
 * Random Avro schemas and values for the property tests of the Avro -> JSON lanes (avro-json-property,
 * avro-wasm-property), with the edges that take their shortcuts: prices in cents, 32-bit limits, timestamps,
 * escapes, strings longer than a 16-byte chunk; and the output sink they write to.
 */
import fc from 'fast-check'

export type Shape = {k: 'prim'; t: string} | {k: 'ts'} | {k: 'enum'} | {k: 'opt'; of: Shape} | {k: 'array'; of: Shape} | {k: 'map'; of: Shape} | {k: 'record'; fields: Shape[]}

export const prim = fc.constantFrom('int', 'long', 'double', 'float', 'string', 'boolean', 'bytes', 'null').map((t): Shape => ({k: 'prim', t}))
const leaf = fc.oneof(prim, fc.constant<Shape>({k: 'ts'}), fc.constant<Shape>({k: 'enum'}))
export const {shape} = fc.letrec<{shape: Shape}>((tie) => ({
  shape: fc.oneof(
    {depthSize: 'xsmall', maxDepth: 3, withCrossShrink: true},
    leaf,
    leaf.filter((l) => !(l.k === 'prim' && l.t === 'null')).map((of): Shape => ({k: 'opt', of})),
    tie('shape').map((of): Shape => ({k: 'array', of})),
    tie('shape').map((of): Shape => ({k: 'map', of})),
    fc.array(tie('shape'), {minLength: 0, maxLength: 3}).map((fields): Shape => ({k: 'record', fields})),
  ),
}))
export const top = fc.array(shape, {minLength: 1, maxLength: 6}).map((fields): Shape => ({k: 'record', fields}))

export function schemaOf(s: Shape, names = {n: 0}): unknown {
  switch (s.k) {
    case 'prim':
      return s.t
    case 'ts':
      return {type: 'long', logicalType: 'timestamp-millis'}
    case 'enum':
      return {type: 'enum', name: `E${names.n++}`, symbols: ['A', 'B_2', 'céline'.normalize('NFD').replace(/[^\w]/g, '') || 'C']}
    case 'opt':
      return ['null', schemaOf(s.of, names)]
    case 'array':
      return {type: 'array', items: schemaOf(s.of, names)}
    case 'map':
      return {type: 'map', values: schemaOf(s.of, names)}
    case 'record':
      return {type: 'record', name: `R${names.n++}`, fields: s.fields.map((f, i) => ({name: `f${i}`, type: schemaOf(f, names)}))}
  }
}

const text = fc.oneof(
  fc.string(),
  fc.string({unit: 'binary'}),
  fc.string({minLength: 14, maxLength: 70}),
  fc.constantFrom('quote " slash \\ ctl \u0001\u001f', 'é 😀', '\u2028', 'aisle 7, shelf 3, restocked by the evening crew', 'seventeen chars: \u007f after'),
)
const double = fc.oneof(
  fc.double(),
  fc.integer({min: -1e9, max: 1e9}).map((c) => c / 100),
  fc.integer({min: -1e6, max: 1e6}).map((c) => c / 10),
  fc.constantFrom(-0, 0.1 + 0.2, 1e21, 1e-7, 2 ** 31, -(2 ** 31), 2 ** 53),
)
const long = fc.oneof(fc.integer(), fc.integer({min: -(2 ** 50), max: 2 ** 50}), fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 50, -(2 ** 50), 9, 10, 99, 100))

export function valueOf(s: Shape): fc.Arbitrary<unknown> {
  switch (s.k) {
    case 'prim':
      switch (s.t) {
        case 'int':
          return fc.integer()
        case 'long':
          return long
        case 'double':
          return double
        case 'float':
          return double.map((d) => Math.fround(d))
        case 'string':
          return text
        case 'boolean':
          return fc.boolean()
        case 'bytes':
          return fc.uint8Array({maxLength: 20}).map((b) => Buffer.from(b))
        default:
          return fc.constant(null)
      }
    case 'ts':
      return fc.oneof(fc.integer({min: -62_135_596_800_000, max: 253_402_300_799_999}), fc.integer({min: 1_764_000_000_000, max: 1_764_000_100_000}))
    case 'enum':
      return fc.constantFrom('A', 'B_2', 'celine')
    case 'opt':
      return fc.option(valueOf(s.of), {nil: null})
    case 'array':
      return fc.array(valueOf(s.of), {maxLength: 4})
    case 'map':
      // Not the key __proto__: avsc's own decoding (the reference here) turns it into the object's prototype.
      return fc.dictionary(
        text.filter((k) => k !== '__proto__'),
        valueOf(s.of),
        {maxKeys: 4},
      )
    case 'record':
      return fc.tuple(...s.fields.map(valueOf)).map((values) => Object.fromEntries(values.map((v, i) => [`f${i}`, v])))
  }
}

/** An output sink (the part of OutputBuffer the lanes use) that grows from 16 bytes, to exercise their growing. */
export class GrowingSink {
  buf = Buffer.alloc(16)
  length = 0
  reserve(n: number): Buffer {
    if (this.length + n > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n))
      this.buf.copy(bigger, 0, 0, this.length)
      this.buf = bigger
    }
    return this.buf
  }

  commit(length: number): void {
    this.length = length
  }
}
