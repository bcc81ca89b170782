/**
 * A second opinion on produce's Avro fast lane (src/schemas/avro-lines.ts): over random schemas and random JSON
 * lines (plain, spaced, reordered, escaped, cut short, with a field missing or extra, numbers in other forms), every
 * line the lane writes is written byte for byte as JSON.parse + AvroCodec.encode write it, and a line that path
 * refuses the lane leaves to it. The bytes after a line's end (the next line) never change the result.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {AvroCodec} from '../../src/schemas/avro.js'
import {roomFor} from '../../src/schemas/avro-lines.js'

type Shape = {k: 'prim'; t: string} | {k: 'logical'; t: 'timestamp-millis' | 'date' | 'uuid'} | {k: 'enum'} | {k: 'union'; of: Shape[]} | {k: 'array'; of: Shape} | {k: 'record'; fields: Shape[]}

const prim = fc.constantFrom('int', 'long', 'double', 'float', 'string', 'boolean', 'bytes', 'null').map((t): Shape => ({k: 'prim', t}))
const logical = fc.constantFrom('timestamp-millis' as const, 'date' as const, 'uuid' as const).map((t): Shape => ({k: 'logical', t}))
const leaf = fc.oneof(prim, logical, fc.constant<Shape>({k: 'enum'}))
const {shape} = fc.letrec<{shape: Shape}>((tie) => ({
  shape: fc.oneof(
    {depthSize: 'xsmall', maxDepth: 3, withCrossShrink: true},
    leaf,
    leaf.filter((l) => !(l.k === 'prim' && l.t === 'null')).map((of): Shape => ({k: 'union', of: [{k: 'prim', t: 'null'}, of]})),
    fc.constant<Shape>({
      k: 'union',
      of: [
        {k: 'prim', t: 'int'},
        {k: 'prim', t: 'string'},
      ],
    }),
    fc.constant<Shape>({
      k: 'union',
      of: [
        {k: 'prim', t: 'int'},
        {k: 'prim', t: 'long'},
      ],
    }),
    {weight: 1, arbitrary: tie('shape').map((of): Shape => ({k: 'array', of}))},
    fc.array(tie('shape'), {minLength: 0, maxLength: 3}).map((fields): Shape => ({k: 'record', fields})),
  ),
}))
const top = fc.array(shape, {minLength: 1, maxLength: 6}).map((fields): Shape => ({k: 'record', fields}))

function schemaOf(s: Shape, names = {n: 0}): unknown {
  switch (s.k) {
    case 'prim':
      return s.t
    case 'logical':
      return {type: s.t === 'timestamp-millis' ? 'long' : s.t === 'date' ? 'int' : 'string', logicalType: s.t}
    case 'enum':
      return {type: 'enum', name: `E${names.n++}`, symbols: ['A', 'B_2', 'C']}
    case 'union':
      return s.of.map((b) => schemaOf(b, names))
    case 'array':
      return {type: 'array', items: schemaOf(s.of, names)}
    case 'record':
      return {type: 'record', name: `R${names.n++}`, fields: s.fields.map((f, i) => ({name: `f${i}`, type: schemaOf(f, names)}))}
  }
}

const text = fc.oneof(fc.string(), fc.string({unit: 'grapheme'}), fc.constantFrom('quote " slash \\ ctl \u0001', 'é 😀', '', 'store-7'))
const number = fc.oneof(
  fc.integer(),
  fc.integer({min: -(2 ** 53), max: 2 ** 53}),
  fc.double({noNaN: true}),
  fc.integer({min: -1e9, max: 1e9}).map((c) => c / 100),
  fc.constantFrom(-0, 2 ** 31, -(2 ** 31) - 1, 1e15, 1e16 + 1, 0.1, 1234567890.123456, Number('9007199254.740991'), 0.30000000000000004),
)

/** Mostly values that fit the shape, sometimes any number or text (which the exact path may refuse). */
function valueOf(s: Shape): fc.Arbitrary<unknown> {
  return fc.oneof({weight: 9, arbitrary: fitting(s)}, {weight: 1, arbitrary: fc.oneof(number, text)})
}

function fitting(s: Shape): fc.Arbitrary<unknown> {
  switch (s.k) {
    case 'prim':
      switch (s.t) {
        case 'int':
          return fc.oneof(fc.integer(), fc.constantFrom(0, -0, 2 ** 31 - 1, -(2 ** 31)))
        case 'long':
          return fc.oneof(
            fc.integer({min: -(2 ** 53), max: 2 ** 53}),
            fc.constantFrom(1e15, 1e15 - 1, -(1e15 - 1), 2 ** 53 - 1, 2 ** 53, -(2 ** 53) + 1, 2 ** 52 - 1, 2 ** 52, -(2 ** 52) + 1, 1_764_000_000_000_000),
          )
        case 'double':
        case 'float':
          return number
        case 'string':
        case 'bytes':
          return text
        case 'boolean':
          return fc.boolean()
        default:
          return fc.constant(null)
      }
    case 'logical':
      return fc.oneof(fc.integer(), fc.constantFrom('2026-11-24T09:00:00.000Z', '2026-11-24', '0f8fad5b-d9cb-469f-a165-70867728950e'))
    case 'enum':
      return fc.constantFrom('A', 'B_2', 'C', 'D')
    case 'union':
      return fc.oneof(...s.of.map(fitting))
    case 'array':
      return fc.array(fitting(s.of), {maxLength: 3})
    case 'record':
      return fc.tuple(...s.fields.map((f) => (f.k === 'record' ? valueOf(f) : fitting(f)))).map((values) => Object.fromEntries(values.map((v, i) => [`f${i}`, v])))
  }
}

/** JSON text of a value, in one of the forms a line may take. */
interface Style {
  space: boolean
  /** \u escapes for every letter of strings and keys */
  escape: boolean
  /** numbers written as 1.0 / 1e0 where whole */
  numberForm: 'plain' | 'fraction' | 'exponent'
  reverseKeys: boolean
}

function write(value: unknown, style: Style): string {
  const sp = style.space ? ' ' : ''
  if (value === null || typeof value === 'boolean') return String(value)
  if (typeof value === 'number') {
    const plain = JSON.stringify(value)
    if (Number.isInteger(value) && !plain.includes('e') && style.numberForm === 'fraction') return `${plain}.0`
    if (Number.isInteger(value) && !plain.includes('e') && style.numberForm === 'exponent') return `${plain}e0`
    return plain
  }
  if (typeof value === 'string')
    return style.escape ? `"${[...value].map((ch) => (/[a-z]/i.test(ch) ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(ch).slice(1, -1))).join('')}"` : JSON.stringify(value)
  if (Array.isArray(value)) return `[${sp}${value.map((v) => write(v, style)).join(`,${sp}`)}${sp}]`
  const entries = Object.entries(value as Record<string, unknown>)
  if (style.reverseKeys) entries.reverse()
  return `${sp}{${sp}${entries.map(([k, v]) => `${write(k, {...style, escape: false})}${sp}:${sp}${write(v, style)}`).join(`${sp},${sp}`)}${sp}}${sp}`
}

const rarely = fc.oneof({weight: 6, arbitrary: fc.constant(false)}, {weight: 1, arbitrary: fc.constant(true)})
const style = fc.record({
  space: fc.boolean(),
  escape: rarely,
  numberForm: fc.oneof({weight: 6, arbitrary: fc.constant('plain' as const)}, fc.constant('fraction' as const), fc.constant('exponent' as const)),
  reverseKeys: rarely,
})

/** What produce's exact path writes for the line, or undefined where it refuses it. */
function exact(codec: AvroCodec, line: string): Buffer | undefined {
  try {
    return codec.encode(JSON.parse(line) as unknown)
  } catch {
    return undefined
  }
}

describe('produce Avro lines lane (property)', () => {
  it('writes what JSON.parse + AvroCodec.encode write, or leaves the line to them', () => {
    const cases = top.chain((s) =>
      fc.tuple(
        fc.constant(schemaOf(s)),
        fc.array(
          fc.tuple(
            fitting(s),
            style,
            fc.oneof(
              {weight: 6, arbitrary: fc.constant('whole' as const)},
              fc.constant('cut' as const),
              fc.constant('extra' as const),
              fc.constant('missing' as const),
              fc.constant('misfit' as const),
            ),
            fc.oneof(number, text),
          ),
          {minLength: 1, maxLength: 6},
        ),
        fc.constantFrom('', '\n', '}', ',"f9":1}', '1}', '0', 'e5}', ' ]'),
      ),
    )
    let fast = 0
    let accepted = 0
    fc.assert(
      fc.property(cases, ([schema, lines, after]) => {
        const codec = new AvroCodec(JSON.stringify(schema))
        // No lane for a schema with bytes, arrays, uuids... outside a union: every line takes the exact path.
        const encoder = codec.lineEncoder
        if (!encoder) return
        for (const [value, how, change, other] of lines) {
          let line = write(value, how)
          const record = value as Record<string, unknown>
          if (change === 'cut') line = line.slice(0, Math.floor(line.length / 2))
          if (change === 'extra') line = write({...record, extra: 1}, how)
          if (change === 'misfit') line = write({...record, f0: other}, how)
          if (change === 'missing') line = write(Object.fromEntries(Object.entries(record).slice(1)), how)
          const data = Buffer.from(line + after)
          const end = Buffer.byteLength(line)
          const out = Buffer.alloc(3 + roomFor(end))
          const written = encoder(data, 0, end, out, 3)
          const reference = exact(codec, line)
          if (reference) accepted++
          if (written >= 0) {
            fast++
            expect(reference, `the lane wrote ${line} that the exact path refuses`).toBeDefined()
            expect(out.subarray(3, written).toString('hex'), line).toBe(reference!.toString('hex'))
          }
        }
      }),
      {numRuns: 600},
    )
    // The lane is taken (not merely safe) for a good share of the lines the exact path writes.
    expect(fast).toBeGreaterThan(accepted / 5)
  }, 60_000)

  it('takes every line of the bench and walkthrough shape', () => {
    const codec = new AvroCodec(
      JSON.stringify({
        type: 'record',
        name: 'Sale',
        fields: [
          {name: 'id', type: 'long'},
          {name: 'store_id', type: 'string'},
          {name: 'qty', type: 'int'},
          {name: 'price', type: 'double'},
          {name: 'ts', type: {type: 'long', logicalType: 'timestamp-millis'}},
          {name: 'channel', type: {type: 'enum', name: 'Channel', symbols: ['STORE', 'WEB', 'APP']}},
          {name: 'customer', type: ['null', 'string'], default: null},
          {name: 'note', type: 'string'},
        ],
      }),
    )
    for (const line of [
      '{"id":1,"store_id":"store-7","qty":-2,"price":12.5,"ts":1764000000000,"channel":"WEB","customer":null,"note":"aisle 7"}',
      '{"id": 9007199254740, "store_id": "magasin-été", "qty": 0, "price": 1e3, "ts": 0, "channel": "APP", "customer": "c-1", "note": ""}',
    ]) {
      const out = Buffer.alloc(roomFor(line.length))
      const end = codec.lineEncoder!(Buffer.from(line), 0, Buffer.byteLength(line), out, 0)
      expect(end, line).toBeGreaterThan(0)
      expect(out.subarray(0, end).toString('hex')).toBe(exact(codec, line)!.toString('hex'))
    }
  })
})
