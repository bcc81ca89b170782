/** produce input: JSON envelopes (--format json), plain lines (-K, --null-marker), --header and --header-add flags. */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import type {RawRecord} from '../../../src/records/envelope.js'
import {fromEnvelope, toEnvelope} from '../../../src/records/envelope.js'
import {lineParser, parseHeaderFlags, unescapeSeparator} from '../../../src/records/input.js'
import {parseHeaderAdds} from '../../../src/replay/plan.js'
import {accepts, RUNS, userText} from './contract.js'

const FIELDS = ['topic', 'partition', 'offset', 'timestamp', 'key', 'value', 'headers', 'keyEncoding', 'valueEncoding', 'headersEncoding']
const fieldValue = fc.oneof(
  fc.jsonValue({maxDepth: 2}),
  fc.constantFrom('base64', 'utf8', 'AAE=', '%%%', '2026-11-24T10:15:02.114Z', '-1', '1e400', 1e300, -5, 2 ** 53, Number.MAX_VALUE),
  fc.dictionary(fc.string({maxLength: 5}), fc.oneof(fc.string({maxLength: 8}), fc.array(fc.string({maxLength: 4}), {maxLength: 3}), fc.constant(null), fc.integer())),
)
/** Objects with envelope fields (and strangers), JSON texts that are not objects, and broken JSON. */
const envelopeLine = fc.oneof(
  {weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({maxLength: 6})), fieldValue, {maxKeys: 6}).map((o) => JSON.stringify(o))},
  {weight: 1, arbitrary: fc.json({maxDepth: 2})},
  {weight: 1, arbitrary: userText('{}[]":,0123456789abcdefklnrtuvy \\', 60)},
  {weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, {maxKeys: 4}).map((o) => JSON.stringify(o).slice(0, -1))},
)
const bytes = fc.uint8Array({maxLength: 24}).map((a) => Buffer.from(a))
const text = fc.string({unit: 'grapheme', maxLength: 12}).map((s) => Buffer.from(s))
const maybeBytes = fc.option(fc.oneof(bytes, text), {nil: null})
const record: fc.Arbitrary<RawRecord> = fc.record(
  {
    partition: fc.nat({max: 1000}),
    offset: fc.nat(),
    timestamp: fc.integer({min: 0, max: 8.64e15}),
    key: maybeBytes,
    value: maybeBytes,
    headers: fc.dictionary(fc.string({maxLength: 6}), fc.oneof(fc.oneof(bytes, text), fc.array(fc.oneof(bytes, text), {minLength: 1, maxLength: 3})), {maxKeys: 3}),
  },
  {requiredKeys: ['key', 'value']},
)

describe('properties: envelopes and lines', {timeout: 120_000}, () => {
  it('fromEnvelope: any line is a record of bytes or a one-line exit 2 naming the line', () => {
    fc.assert(
      fc.property(envelopeLine, fc.integer({min: 1, max: 1e9}), (line, n) => {
        try {
          const r = fromEnvelope(line, n)
          for (const b of [r.key, r.value]) expect(b === null || Buffer.isBuffer(b)).toBe(true)
          if (r.partition !== undefined) expect(Number.isInteger(r.partition) && r.partition >= 0 && r.partition < 2 ** 31).toBe(true)
          if (r.timestamp !== undefined) expect(r.timestamp >= 0 && r.timestamp <= 8.64e15, line).toBe(true)
          // A header without a value stays null (Kafka allows it); every other value is bytes.
          for (const v of Object.values(r.headers ?? {}).flat()) expect(v === null || Buffer.isBuffer(v)).toBe(true)
        } catch (error) {
          accepts(() => {
            throw error
          }, line)
          expect((error as Error).message).toMatch(new RegExp(`^line ${n}\\b`))
        }
      }),
      {numRuns: RUNS},
    )
  })

  it('toEnvelope -> JSON -> fromEnvelope gives back the same bytes (base64 where not UTF-8)', () => {
    fc.assert(
      fc.property(record, (r) => {
        const back = fromEnvelope(JSON.stringify(toEnvelope(r)), 1)
        expect(back.key).toEqual(r.key)
        expect(back.value).toEqual(r.value)
        expect(back.partition).toBe(r.partition)
        expect(back.timestamp).toBe(r.timestamp)
        const headers = r.headers && Object.keys(r.headers).length > 0 ? r.headers : undefined
        expect(back.headers).toEqual(headers)
      }),
      {numRuns: RUNS},
    )
  })

  it('plain lines with -K and --null-marker: key + value bytes split at the first separator, or a one-line exit 2', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 40}), userText(':\\t|=', 3), fc.option(fc.constantFrom('NULL', '', '\\N')), (line, sep, nullMarker) => {
        const separator = unescapeSeparator(sep)
        const parse = lineParser({format: 'line', keySeparator: separator || undefined, nullMarker: nullMarker ?? undefined})
        const input = Buffer.from(line)
        const r = accepts(() => parse(input, 7), sep)
        if (!r) return
        if (!separator) return void expect(r.value === null || r.value.equals(input)).toBe(true)
        const at = input.indexOf(Buffer.from(separator))
        expect(at).toBeGreaterThanOrEqual(0)
        expect(r.key === null || r.key.equals(input.subarray(0, at))).toBe(true)
      }),
      {numRuns: RUNS},
    )
  })

  it('--header and --header-add: NAME=VALUE pairs (the value may hold =) or a one-line exit 2', () => {
    fc.assert(
      fc.property(fc.array(userText('=ab-', 12), {maxLength: 4}), (items) => {
        const headers = accepts(() => parseHeaderFlags(items), items)
        if (headers) expect(Object.values(headers).flat().length).toBe(items.length)
        const adds = accepts(() => parseHeaderAdds(items), items)
        if (adds) expect(adds.map(([k, v]) => `${k}=${v}`)).toEqual(items)
      }),
      {numRuns: RUNS},
    )
  })

  it('JSON Lines input: any bytes (binary, invalid UTF-8) are a record, a blank line, or a one-line exit 2', () => {
    const parse = lineParser({format: 'json', keepPartition: true, headers: {src: Buffer.from('t')}})
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({maxLength: 40}).map((a) => Buffer.from(a)),
          envelopeLine.map((l) => Buffer.from(l)),
        ),
        (line) => {
          accepts(() => parse(line, 3), line.toString('hex'))
        },
      ),
      {numRuns: RUNS},
    )
  })
})
