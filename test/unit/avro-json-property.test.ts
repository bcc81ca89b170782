/**
 * A second opinion on the generated Avro -> JSON transcoder (src/schemas/avro-json.ts): over random schemas of the
 * kinds it covers and random values (with the edges that take its shortcuts: prices in cents, 32-bit limits,
 * timestamps, escapes), it writes exactly what avsc's decode + the documented JSON mapping (AvroCodec.toText) give.
 */
import avro from 'avsc'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {AvroCodec} from '../../src/schemas/avro.js'
import {GrowingSink, schemaOf, top, valueOf} from './avro-arbitraries.js'

describe('Avro -> JSON transcoder (property)', () => {
  it('writes what avsc decode + the JSON mapping write, for random schemas and values', () => {
    const cases = top.chain((s) => fc.tuple(fc.constant(schemaOf(s)), fc.array(valueOf(s), {minLength: 1, maxLength: 5})))
    fc.assert(
      fc.property(cases, ([schema, values]) => {
        const codec = new AvroCodec(JSON.stringify(schema))
        expect(codec.hasFastJson).toBe(true)
        const type = avro.Type.forSchema(schema as avro.Schema, {wrapUnions: false})
        for (const value of values) {
          const bytes = Buffer.concat([Buffer.from('ab'), type.toBuffer(value), Buffer.from('cd')])
          const sink = new GrowingSink()
          sink.reserve(3).write('xy,', 0)
          sink.commit(3)
          expect(codec.fastJsonWriter!(bytes, 2, bytes.length - 2, sink)).toBe(true)
          expect(sink.buf.toString('utf8', 0, sink.length)).toBe(`xy,${codec.toText(codec.decodeRaw(bytes.subarray(2, bytes.length - 2)))}`)
        }
      }),
      {numRuns: 100},
    )
  }, 30_000)
})
