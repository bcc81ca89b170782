/** The pure halves of the schema support: wire format, Avro/Protobuf/JSON Schema <-> JSON, decoding rules. */
import {mkdtempSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import avro from 'avsc'
import {describe, expect, it} from 'vitest'

import {OutputBuffer} from '../../src/records/format.js'

import {AvroCodec, decimalBytes, decimalText, isoFromMillis} from '../../src/schemas/avro.js'
import {RecordDecoding} from '../../src/schemas/decoding.js'
import {JsonSchemaCodec} from '../../src/schemas/json-schema.js'
import {loadProtoFile, ProtoFile} from '../../src/schemas/protobuf.js'
import {compileSchema, SchemaStore, type RegistryApi} from '../../src/schemas/store.js'
import {encodeMessageIndexes, frame, readMessageIndexes, wireSchemaId, withSchemaId} from '../../src/schemas/wire.js'
import {schemaKindOf} from '../../src/schemas/produce-setup.js'

describe('wire format', () => {
  it('magic 0 and a big-endian id', () => {
    const bytes = frame(258, Buffer.from('xy'))
    expect([...bytes]).toEqual([0, 0, 0, 1, 2, 0x78, 0x79])
    expect(wireSchemaId(bytes)).toBe(258)
    expect(wireSchemaId(Buffer.from('{"a":1}'))).toBeUndefined()
    expect(wireSchemaId(Buffer.from([0, 0, 0]))).toBeUndefined()
    expect(wireSchemaId(null)).toBeUndefined()
    expect(wireSchemaId(withSchemaId(bytes, 7))).toBe(7)
    expect(wireSchemaId(bytes)).toBe(258) // the original is untouched
  })

  it('Protobuf message indexes: zigzag varints, [0] as the single byte 0', () => {
    expect([...encodeMessageIndexes([0])]).toEqual([0])
    expect([...encodeMessageIndexes([1])]).toEqual([2, 2])
    expect([...encodeMessageIndexes([1, 0])]).toEqual([4, 2, 0])
    expect([...encodeMessageIndexes([70])]).toEqual([2, 0x8c, 0x01])
    for (const indexes of [[0], [1], [2, 5], [0, 0, 3], [70, 200]]) {
      const bytes = Buffer.concat([encodeMessageIndexes(indexes), Buffer.from([9])])
      expect(readMessageIndexes(bytes, 0)).toEqual({indexes, next: bytes.length - 1})
    }
    expect(() => readMessageIndexes(Buffer.from([4, 2]), 0)).toThrow(/cut short/)
    const framed = frame(5, Buffer.from([8, 1]), [1, 0])
    expect([...framed]).toEqual([0, 0, 0, 0, 5, 4, 2, 0, 8, 1])
  })
})

const SALE = {
  type: 'record',
  name: 'Sale',
  namespace: 'retail',
  fields: [
    {name: 'store_id', type: 'string'},
    {name: 'qty', type: 'int'},
    {name: 'big', type: 'long'},
    {name: 'price', type: {type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2}},
    {name: 'at', type: {type: 'long', logicalType: 'timestamp-millis'}},
    {name: 'at_us', type: {type: 'long', logicalType: 'timestamp-micros'}},
    {name: 'day', type: {type: 'int', logicalType: 'date'}},
    {name: 'time', type: {type: 'int', logicalType: 'time-millis'}},
    {name: 'id', type: {type: 'string', logicalType: 'uuid'}},
    {name: 'raw', type: 'bytes'},
    {name: 'ratio', type: 'double'},
    {name: 'kind', type: {type: 'enum', name: 'Kind', symbols: ['SALE', 'RETURN']}},
    {name: 'customer', type: ['null', 'string'], default: null},
    {
      name: 'payment',
      type: ['null', {type: 'record', name: 'Card', fields: [{name: 'last4', type: 'string'}]}, {type: 'record', name: 'Cash', fields: [{name: 'change', type: 'int'}]}],
      default: null,
    },
    {name: 'tags', type: {type: 'map', values: 'int'}},
    {name: 'lines', type: {type: 'array', items: {type: 'record', name: 'Line', fields: [{name: 'sku', type: 'string'}]}}},
  ],
}

const SALE_JSON = {
  store_id: 'store-7',
  qty: -2,
  big: '9007199254740993',
  price: '-12.50',
  at: '2026-11-24T09:00:00.123Z',
  at_us: '2026-11-24T09:00:00.123456Z',
  day: '2026-11-24',
  time: '09:30:00.250',
  id: '6f1c1b8e-2f7a-4b8e-9a3c-1b2c3d4e5f60',
  raw: 'AAEC/w==',
  ratio: 'NaN',
  kind: 'RETURN',
  customer: 'c-1',
  payment: {'retail.Card': {last4: '4242'}},
  tags: {a: 1},
  lines: [{sku: 'A1'}, {sku: 'B2'}],
}

describe('Avro', () => {
  const codec = new AvroCodec(JSON.stringify(SALE))

  it('round trip through the documented JSON mapping', () => {
    const bytes = codec.encode(SALE_JSON)
    expect(codec.decode(bytes)).toEqual(SALE_JSON)
  })

  it('the JSON text written straight from avsc values is JSON.stringify of the JSON value', () => {
    const values = [
      SALE_JSON,
      {...SALE_JSON, customer: null, payment: {'retail.Cash': {change: 3}}, store_id: 'quote " back \\ slash \u0001 \ud83d\ude00 lone \ud800', tags: {}, lines: [], ratio: -0, big: -5},
    ]
    for (const value of values) {
      const raw = codec.decodeRaw(codec.encode(value))
      expect(codec.toText(raw)).toBe(JSON.stringify(codec.toPlain(raw)))
    }
  })

  it('the bytes are what any Avro writer produces (avsc on its own reads them)', () => {
    const plain = avro.Type.forSchema(SALE as avro.Schema, {wrapUnions: true})
    const decoded = plain.fromBuffer(codec.encode({...SALE_JSON, big: 5})) as Record<string, unknown>
    expect(decoded.at).toBe(Date.parse('2026-11-24T09:00:00.123Z'))
    expect(decoded.at_us).toBe(Date.parse('2026-11-24T09:00:00.123Z') * 1000 + 456)
    expect(decoded.day).toBe(Date.parse('2026-11-24') / 86_400_000)
    expect(decoded.time).toBe((9 * 3600 + 30 * 60) * 1000 + 250)
    expect([...(decoded.price as Buffer)]).toEqual([0xfb, 0x1e]) // -1250
  })

  it('accepts epoch numbers, plain numbers for decimals, null for nullable unions', () => {
    const value = codec.decode(codec.encode({...SALE_JSON, at: 1_764_000_000_000, price: 3.5, customer: null, payment: null})) as Record<string, unknown>
    expect(value.at).toBe('2025-11-24T16:00:00.000Z')
    expect(value.price).toBe('3.50')
    expect(value.customer).toBeNull()
  })

  it('unions: plain when the branches look different in JSON, wrapped otherwise', () => {
    const u = new AvroCodec(
      JSON.stringify({
        type: 'record',
        name: 'U',
        fields: [
          {name: 'a', type: ['null', 'string', 'int']},
          {name: 'b', type: ['int', 'long']},
        ],
      }),
    )
    expect(u.decode(u.encode({a: 5, b: {long: 7}}))).toEqual({a: 5, b: {long: 7}})
    expect(u.decode(u.encode({a: 'x', b: {int: 1}}))).toEqual({a: 'x', b: {int: 1}})
    expect(u.decode(u.encode({a: {string: 'wrapped in'}, b: {int: 1}}))).toEqual({a: 'wrapped in', b: {int: 1}})
  })

  it('a value that does not fit names the field path', () => {
    expect(() => codec.encode({...SALE_JSON, qty: 'x'})).toThrow('value.qty: expected an int (32-bit whole number), got "x"')
    expect(() => codec.encode({...SALE_JSON, lines: [{sku: 'A'}, {sku: 3}]})).toThrow('value.lines[1].sku: expected a string, got 3')
    const {store_id: _, ...missing} = SALE_JSON
    expect(() => codec.encode(missing)).toThrow('value.store_id: is missing (the field has no default)')
    expect(() => codec.encode({...SALE_JSON, extra: 1})).toThrow('value.extra: is not a field of retail.Sale')
    expect(() => codec.encode({...SALE_JSON, price: '1.234'})).toThrow(/value.price: expected a decimal with at most 2 digits/)
    expect(() => codec.encode({...SALE_JSON, kind: 'LOST'})).toThrow('value.kind: expected one of SALE, RETURN, got "LOST"')
    expect(() => codec.encode({...SALE_JSON, payment: {last4: '1'}})).toThrow(/value.payment: expected a wrapped union value/)
  })

  it('fields with defaults may be left out', () => {
    const {customer: _c, payment: _p, ...rest} = SALE_JSON
    expect(codec.decode(codec.encode(rest))).toMatchObject({customer: null, payment: null})
  })

  it('truncated or trailing bytes are errors', () => {
    const bytes = codec.encode(SALE_JSON)
    expect(() => codec.decode(bytes.subarray(0, 10))).toThrow()
    expect(() => codec.decode(Buffer.concat([bytes, Buffer.from([1])]))).toThrow(/left after/)
  })

  it('references: named types of another schema', () => {
    const card = JSON.stringify({type: 'record', name: 'Card', namespace: 'pay', fields: [{name: 'last4', type: 'string'}]})
    const order = new AvroCodec(JSON.stringify({type: 'record', name: 'Order', fields: [{name: 'card', type: 'pay.Card'}]}), [{schema: card}])
    expect(order.decode(order.encode({card: {last4: '1234'}}))).toEqual({card: {last4: '1234'}})
  })

  it('timestamps are written as toISOString writes them', () => {
    let x = 7
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31
      const ms = i < 10_000 ? x * 117_000 + (i % 1000) : 1_764_000_000_000 + i * 37
      expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString())
    }
    for (const ms of [0, -1, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999, 253_402_300_800_000, -62_198_755_200_000]) expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString())
  })

  it('decimals keep every digit', () => {
    expect(decimalText(decimalBytes('123456789.01', 2, 12)!, 2)).toBe('123456789.01')
    expect(decimalText(decimalBytes('-0.01', 2, 0)!, 2)).toBe('-0.01')
    expect(decimalText(Buffer.from([0x80]), 0)).toBe('-128')
    expect(decimalBytes('1000', 0, 3)).toBeUndefined()
  })
})

const SALES_PROTO = `syntax = "proto3";
package acme.sales;
import "acme/common.proto";
import "google/protobuf/timestamp.proto";

message Header { string id = 1; }
message Sale {
  string store_id = 1;
  int32 qty = 2;
  acme.common.Money price = 3;
  google.protobuf.Timestamp at = 4;
  enum Kind { SALE = 0; RETURN = 1; }
  Kind kind = 5;
  message Line { string sku = 1; int64 units = 2; }
  repeated Line lines = 6;
  map<string, int32> tags = 7;
}
`
const COMMON_PROTO = 'syntax = "proto3";\npackage acme.common;\nmessage Money { string currency = 1; int64 units = 2; int32 nanos = 3; }\n'

describe('Protobuf', () => {
  const file = new ProtoFile(SALES_PROTO, 'sales.proto', {files: new Map([['acme/common.proto', COMMON_PROTO]])})

  it('message indexes: top-level in order, nested below (enums and imports do not count)', () => {
    expect(file.messages.map((m) => m.name)).toEqual(['Header', 'Sale'])
    expect(file.message([0]).name).toBe('acme.sales.Header')
    expect(file.message([1]).name).toBe('acme.sales.Sale')
    expect(file.message([1, 0]).name).toBe('acme.sales.Sale.Line')
    expect(file.messageByName('acme.sales.Sale.Line').indexes).toEqual([1, 0])
    expect(file.messageByName('Sale').indexes).toEqual([1])
    expect(() => file.message([2])).toThrow(/point to no message/)
    expect(() => file.messageByName('Nope')).toThrow(/no message 'Nope'/)
  })

  it('ProtoJSON both ways, with references and well-known types', () => {
    const sale = file.messageByName('acme.sales.Sale')
    const json = {
      storeId: 's7',
      qty: -2,
      price: {currency: 'EUR', units: '12', nanos: 500000000},
      at: '2026-11-24T09:00:00.123Z',
      kind: 'RETURN',
      lines: [{sku: 'A1', units: '9007199254740993'}],
      tags: {x: 1},
    }
    expect(sale.decode(sale.encode(json))).toEqual(json)
    // proto field names are accepted as well
    expect(sale.decode(sale.encode({store_id: 's1'}))).toEqual({storeId: 's1'})
  })

  it('a value that does not fit names the field path', () => {
    const sale = file.messageByName('acme.sales.Sale')
    expect(() => sale.encode({qty: 'abc'})).toThrow(/^value.qty: invalid integer/)
    expect(() => sale.encode({lines: [{sku: 'a'}, {sku: 5}]})).toThrow(/^value.lines\[1\].sku: expected string/)
    expect(() => sale.encode({nope: 1})).toThrow('value.nope: is not a field of acme.sales.Sale')
    expect(() => sale.encode({price: {units: 'x'}})).toThrow(/^value.price.units: invalid integer/)
  })

  it('--proto files with imports from --proto-path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-proto-'))
    mkdirSync(join(dir, 'acme'))
    writeFileSync(join(dir, 'acme', 'common.proto'), COMMON_PROTO)
    writeFileSync(join(dir, 'sales.proto'), SALES_PROTO)
    const loaded = loadProtoFile(join(dir, 'sales.proto'), [dir])
    expect(loaded.messageByName('acme.sales.Sale').indexes).toEqual([1])
    expect(() => loadProtoFile(join(dir, 'sales.proto'), [join(dir, 'acme')])).not.toThrow() // own directory searched too
    writeFileSync(join(dir, 'broken.proto'), 'syntax = "proto3"; import "missing.proto"; message A {}')
    expect(() => loadProtoFile(join(dir, 'broken.proto'))).toThrow(/import "missing.proto" not found/)
  })
})

describe('JSON Schema', () => {
  const schema = JSON.stringify({
    type: 'object',
    properties: {sku: {type: 'string'}, qty: {type: 'integer'}, lines: {type: 'array', items: {type: 'object', properties: {n: {type: 'number'}}}}},
    required: ['sku'],
    additionalProperties: false,
  })
  const codec = new JsonSchemaCodec(schema)

  it('validates and writes JSON text', () => {
    expect(codec.encode({sku: 'A', qty: 2}).toString()).toBe('{"sku":"A","qty":2}')
    expect(codec.decode(Buffer.from('{"sku":"A"}'))).toEqual({sku: 'A'})
  })

  it('names the field path', () => {
    expect(() => codec.encode({qty: 2})).toThrow('value.sku: is missing (required)')
    expect(() => codec.encode({sku: 'A', qty: 'x'})).toThrow('value.qty: must be integer')
    expect(() => codec.encode({sku: 'A', lines: [{n: 1}, {n: 'x'}]})).toThrow('value.lines[1].n: must be number')
    expect(() => codec.encode({sku: 'A', other: 1})).toThrow('value.other: is not allowed by the schema (additionalProperties)')
  })

  it('2020-12 schemas and references', () => {
    const item = JSON.stringify({$id: 'item.json', type: 'object', properties: {sku: {type: 'string'}}, required: ['sku']})
    const order = new JsonSchemaCodec(JSON.stringify({$schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: {item: {$ref: 'item.json'}}}), [
      {name: 'item.json', schema: item},
    ])
    expect(() => order.encode({item: {}})).toThrow('value.item.sku: is missing (required)')
  })
})

describe('schema kinds of files', () => {
  it('by extension, then by content', () => {
    expect(schemaKindOf('a.avsc', '{}')).toBe('AVRO')
    expect(schemaKindOf('a.proto', '')).toBe('PROTOBUF')
    expect(schemaKindOf('a.json', '{"type":"record","name":"A","fields":[]}')).toBe('AVRO')
    expect(schemaKindOf('a.json', '{"type":"object"}')).toBe('JSON')
  })
})

describe('consume decoding', () => {
  const avroSchema = JSON.stringify({type: 'record', name: 'R', fields: [{name: 'n', type: 'int'}]})
  const registry: RegistryApi = {
    getSchemaById: async (id) => {
      if (id === 1) return {id, schema: avroSchema, schemaType: 'AVRO', references: []}
      if (id === 2) return {id, schema: SALES_PROTO, schemaType: 'PROTOBUF', references: [{name: 'acme/common.proto', subject: 'common', version: 1}]}
      throw Object.assign(new Error('not found'), {notFound: true})
    },
    getVersion: async () => ({id: 9, subject: 'common', version: 1, schema: COMMON_PROTO, schemaType: 'PROTOBUF', references: []}),
    getSubjectVersionsById: async () => [],
    register: async () => ({id: 1}),
    lookup: async () => undefined,
  }
  const isNotFound = (e: unknown) => Boolean((e as {notFound?: boolean}).notFound)

  it('auto: known ids are decoded, anything else is left alone; bad payloads are counted', async () => {
    const warnings: string[] = []
    const store = new SchemaStore(registry, isNotFound)
    const decoding = new RecordDecoding({keyFormat: 'auto', valueFormat: 'auto', store, warn: (w) => warnings.push(w)})
    const avroCodec = new AvroCodec(avroSchema)
    const proto = (await compileSchema(2, await registry.getSchemaById(2), (ref) => registry.getVersion(ref.subject, ref.version))) as {kind: 'PROTOBUF'; proto: ProtoFile}
    const line = proto.proto.messageByName('acme.sales.Sale.Line')
    const records = [
      {key: null, value: frame(1, avroCodec.encode({n: 5})), offset: 0},
      {key: Buffer.from('plain'), value: Buffer.from('{"a":1}'), offset: 1},
      {key: null, value: frame(3, Buffer.from('x')), offset: 2},
      {key: null, value: frame(2, line.encode({sku: 'A'}), line.indexes), offset: 3},
      {key: null, value: frame(1, Buffer.from([0x80])), offset: 4},
    ]
    await decoding.prepare(records)
    const first = decoding.value!.decode(records[0].value)!
    expect([first.value, first.schemaId, first.text]).toEqual([{n: 5}, 1, '{"n":5}'])
    expect(decoding.value!.decode(records[1].value)).toBeUndefined()
    expect(decoding.value!.decode(records[2].value)).toBeUndefined() // unknown id: shown as it is, not a failure
    expect(decoding.value!.decode(records[3].value)).toEqual({value: {sku: 'A'}, schemaId: 2})
    expect(decoding.failures).toBe(0)
    expect(decoding.value!.decode(records[4].value)).toBeUndefined()
    expect(decoding.failures).toBe(1)
    expect(warnings[0]).toMatch(/has schema id 1 but its AVRO payload cannot be decoded/)
  })

  it('an explicit format counts records that are not in it', async () => {
    const warnings: string[] = []
    const decoding = new RecordDecoding({keyFormat: 'raw', valueFormat: 'protobuf', store: new SchemaStore(registry, isNotFound), warn: (w) => warnings.push(w), warnLimit: 1})
    const records = [
      {key: null, value: Buffer.from('text')},
      {key: null, value: frame(1, new AvroCodec(avroSchema).encode({n: 1}))},
      {key: null, value: Buffer.from('more')},
    ]
    await decoding.prepare(records)
    for (const r of records) expect(decoding.value!.decode(r.value)).toBeUndefined()
    expect(decoding.failures).toBe(3)
    expect(warnings).toEqual([expect.stringMatching(/magic byte 0/), 'more records could not be decoded: they are counted, not shown one by one'])
    expect(decoding.key).toBeUndefined()
  })
})

describe('Avro fast lane (binary -> JSON bytes)', () => {
  class Sink extends OutputBuffer {
    constructor() {
      super(16)
    }
    text() {
      return this.take().toString('utf8')
    }
  }
  const schemas = [
    {
      type: 'record',
      name: 'A',
      fields: [
        {name: 's', type: 'string'},
        {name: 'i', type: 'int'},
        {name: 'l', type: 'long'},
        {name: 'd', type: 'double'},
        {name: 'f', type: 'float'},
        {name: 'b', type: 'boolean'},
        {name: 'n', type: 'null'},
      ],
    },
    {
      type: 'record',
      name: 'B',
      namespace: 'x',
      fields: [
        {name: 'e', type: {type: 'enum', name: 'E', symbols: ['P', 'Q', 'R']}},
        {name: 'o', type: ['null', 'string']},
        {name: 'o2', type: ['long', 'null']},
        {name: 'again', type: 'E'},
        {name: 'ts', type: {type: 'long', logicalType: 'timestamp-millis'}},
      ],
    },
    {
      type: 'record',
      name: 'C',
      fields: [
        {
          name: 'arr',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'Item',
              fields: [
                {name: 'k', type: 'string'},
                {name: 'm', type: {type: 'map', values: 'int'}},
              ],
            },
          },
        },
        {name: 'raw', type: 'bytes'},
        {name: 'fx', type: {type: 'fixed', name: 'F4', size: 4}},
        {name: 'items2', type: {type: 'array', items: 'Item'}},
      ],
    },
  ]

  it('writes exactly what the avsc lane writes, on random values', () => {
    for (const schema of schemas) {
      const codec = new AvroCodec(JSON.stringify(schema))
      expect(codec.hasFastJson).toBe(true)
      const plain = avro.Type.forSchema(schema as avro.Schema)
      for (let i = 0; i < 300; i++) {
        let value = plain.random() as unknown as Record<string, unknown>
        if (schema.name === 'B') value = {...value, ts: Math.floor(Math.random() * 4e12)}
        if (i % 10 === 0 && schema.name === 'A') value = {...value, s: 'quote " slash \\ ctl \u0001 é 😀'}
        const bytes = plain.toBuffer(value)
        const sink = new Sink()
        expect(codec.writeJson(bytes, 0, sink)).toBe(true)
        expect(sink.text()).toBe(codec.toText(codec.decodeRaw(bytes)))
      }
    }
  })

  it('has no fast lane for what it does not cover, and refuses bytes it cannot read', () => {
    expect(new AvroCodec(JSON.stringify(SALE)).hasFastJson).toBe(false)
    const codec = new AvroCodec(JSON.stringify(schemas[0]))
    const bytes = codec.encode({s: 'x', i: 1, l: '1152921504606846976', d: 1, f: 1, b: true, n: null})
    expect(codec.writeJson(bytes, 0, new Sink())).toBe(false) // a long beyond 2^53: the avsc lane writes it as a string
    expect(codec.writeJson(bytes.subarray(0, 3), 0, new Sink())).toBe(false)
  })
})
