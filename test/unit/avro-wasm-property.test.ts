/**
 * A second opinion on consume's WebAssembly lane for Avro (src/schemas/avro-wasm.ts, avro-json.wat): over random
 * schemas and values, record batch bodies written here by hand (keys, headers, tombstones, another schema id, a
 * window of offsets), it writes exactly what avsc's decode + the documented JSON mapping (AvroCodec.toText) give,
 * whichever records it declines to the JavaScript lane. Needs the built module (dist/wasm: `npm test` builds it).
 */
import avro from 'avsc'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import type {ValueSink} from '../../src/records/envelope.js'
import {AvroCodec} from '../../src/schemas/avro.js'
import {AvroWasmLane, compileAvroFunction} from '../../src/schemas/avro-wasm.js'
import {GrowingSink, prim, schemaOf, type Shape, top, valueOf} from './avro-arbitraries.js'

const ID = 7
const OTHER_ID = 8

/** A zig-zag varint (lengths and deltas of the record format, up to 2^31). */
function varint(n: number): number[] {
  const out: number[] = []
  let v = n >= 0 ? n * 2 : -n * 2 - 1
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return out
}

/** One record of Kafka's record format v2 (no timestamp delta worth noting). */
function record(offsetDelta: number, key: Buffer | null, value: Buffer | null, headers: [string, string][]): Buffer {
  const field = (b: Buffer | null) => (b === null ? Buffer.from(varint(-1)) : Buffer.concat([Buffer.from(varint(b.length)), b]))
  const inner = Buffer.concat([
    Buffer.from([0, ...varint(offsetDelta * 1000), ...varint(offsetDelta)]),
    field(key),
    field(value),
    Buffer.from(varint(headers.length)),
    ...headers.flatMap(([k, v]) => [field(Buffer.from(k)), field(Buffer.from(v))]),
  ])
  return Buffer.concat([Buffer.from(varint(inner.length)), inner])
}

const wire = (id: number, payload: Buffer) => Buffer.concat([Buffer.from([0, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]), payload])

/** What each record of a batch is: a value of the schema, a tombstone, or a value of another schema id. */
type Entry = {kind: 'value'; value: unknown} | {kind: 'null'} | {kind: 'other'}

const valuesIn = (entries: Entry[], from: number, length: number) => entries.filter((e, i) => e.kind === 'value' && i >= from && i < from + length).length

const hasNoFunction = (s: Shape): boolean =>
  s.k === 'array' || s.k === 'map' || (s.k === 'prim' && s.t === 'bytes') || (s.k === 'opt' && hasNoFunction(s.of)) || (s.k === 'record' && s.fields.some(hasNoFunction))

/** Schemas the lane has a function for (no arrays, maps or bytes), mostly. */
const leaf = fc.oneof(
  prim.filter((p) => p.k === 'prim' && p.t !== 'bytes'),
  fc.constant<Shape>({k: 'ts'}),
  fc.constant<Shape>({k: 'enum'}),
)
const {functionShape} = fc.letrec<{functionShape: Shape}>((tie) => ({
  functionShape: fc.oneof(
    {depthSize: 'xsmall', maxDepth: 3, withCrossShrink: true},
    leaf,
    leaf.filter((l) => !(l.k === 'prim' && l.t === 'null')).map((of): Shape => ({k: 'opt', of})),
    fc.array(tie('functionShape'), {minLength: 0, maxLength: 3}).map((fields): Shape => ({k: 'record', fields})),
  ),
}))
const functionTop = fc.array(functionShape, {minLength: 1, maxLength: 4}).map((fields): Shape => ({k: 'record', fields}))

describe('Avro -> JSON in WebAssembly (property)', () => {
  const lane = AvroWasmLane.get()

  it('is built and loads', () => {
    expect(lane, 'dist/wasm/avro-json.wasm: run `npm run build`').toBeDefined()
  })

  it('writes what avsc decode + the JSON mapping write, for random schemas, values, batches and windows', () => {
    const cases = fc.oneof({weight: 4, arbitrary: functionTop}, {weight: 1, arbitrary: top}).chain((s) =>
      fc.tuple(
        fc.constant(s),
        fc.array(
          fc.oneof(
            {weight: 8, arbitrary: valueOf(s).map((value): Entry => ({kind: 'value', value}))},
            {weight: 1, arbitrary: fc.constant<Entry>({kind: 'null'})},
            {weight: 1, arbitrary: fc.constant<Entry>({kind: 'other'})},
          ),
          {minLength: 1, maxLength: 12},
        ),
        fc.boolean(), // keys and headers
        fc.nat({max: 12}), // window start
        fc.nat({max: 12}), // window length
        fc.constantFrom(64, 300, 1 << 20), // output area: full after a record or two, or never
      ),
    )
    // Values of the schema in the window, and those the module declined: most must be its own.
    let inWindow = 0
    let declined = 0
    fc.assert(
      fc.property(cases, ([shape, entries, extras, from, length, outSize]) => {
        const schema = schemaOf(shape)
        const lane = AvroWasmLane.create()
        const index = lane.place(schema)
        if (hasNoFunction(shape)) {
          expect(compileAvroFunction(schema)).toBeUndefined()
          return
        }
        expect(index).toBeDefined()
        const codec = new AvroCodec(JSON.stringify(schema))
        const type = avro.Type.forSchema(schema as avro.Schema, {wrapUnions: false})
        const values = entries.map((e) => (e.kind === 'value' ? wire(ID, type.toBuffer(e.value)) : e.kind === 'other' ? wire(OTHER_ID, Buffer.from('x')) : null))
        const body = Buffer.concat(values.map((v, i) => record(i, extras ? Buffer.from(`key-${i}`) : null, v, extras ? [['h', 'v'.repeat(i)]] : [])))
        const fellBack: number[] = []
        const fallback = (b: Buffer, start: number, end: number, out: ValueSink): boolean => {
          const id = b.readInt32BE(start + 1)
          fellBack.push(id)
          if (id === OTHER_ID) {
            out.reserve(5).write('other', out.length)
            out.commit(out.length + 5)
            return true
          }
          return codec.fastJsonWriter!(b, start + 5, end, out)
        }
        const transcode = lane.transcoder((id) => (id === ID ? index : undefined), fallback, outSize)
        const sink = new GrowingSink()
        const written = transcode(body, values.length, from, from + length, sink, 10)
        const expected = values
          .map((v, i) => ({v, i}))
          .filter(({i}) => i >= from && i < from + length)
          .map(({v}) => (v === null ? '' : v.readInt32BE(1) === OTHER_ID ? 'other' : codec.toText(codec.decodeRaw(v.subarray(5)))))
        inWindow += valuesIn(entries, from, length)
        declined += fellBack.filter((id) => id === ID).length
        expect(written).toBe(expected.length)
        expect(sink.buf.toString('utf8', 0, sink.length)).toBe(expected.map((line) => `${line}\n`).join(''))
      }),
      {numRuns: Number(process.env.KAFKIT_PROPERTY_RUNS ?? 300)},
    )
    expect(inWindow).toBeGreaterThan(100)
    expect(declined).toBeLessThan(inWindow * 0.7)
  }, 60_000)

  it('hands the whole batch back when it is not well formed', () => {
    const schema = {type: 'record', name: 'R', fields: [{name: 'a', type: 'string'}]}
    const index = lane!.place(schema)!
    const body = record(0, null, wire(ID, Buffer.from([6, 0x61, 0x62, 0x63])), [])
    const transcode = lane!.transcoder(
      () => index,
      () => true,
    )
    const sink = new GrowingSink()
    expect(transcode(body, 1, 0, 1, sink, 10)).toBe(1)
    expect(sink.buf.toString('utf8', 0, sink.length)).toBe('{"a":"abc"}\n')
    // a record length beyond the body
    expect(transcode(body.subarray(0, body.length - 2), 1, 0, 1, new GrowingSink(), 10)).toBe(-1)
  })
})
