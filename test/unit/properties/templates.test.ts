/** consume output: --format templates, --key/--value-decoder, --grep. */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import type {RawRecord} from '../../../src/records/envelope.js'
import {compileFormat, compileGrep, OutputBuffer, parseDecoder} from '../../../src/records/format.js'
import {accepts, RUNS, userText} from './contract.js'

const record: fc.Arbitrary<RawRecord> = fc.record({
  topic: fc.string({maxLength: 8}),
  partition: fc.nat({max: 100}),
  offset: fc.nat(),
  timestamp: fc.integer({min: 0, max: 8.64e15}),
  key: fc.option(
    fc.uint8Array({maxLength: 16}).map((a) => Buffer.from(a)),
    {nil: null},
  ),
  value: fc.option(
    fc.oneof(
      fc.uint8Array({maxLength: 16}).map((a) => Buffer.from(a)),
      fc.json().map((j) => Buffer.from(j)),
    ),
    {nil: null},
  ),
  headers: fc.dictionary(
    fc.string({maxLength: 4}),
    fc.uint8Array({maxLength: 4}).map((a) => Buffer.from(a)),
    {maxKeys: 2},
  ),
})

describe('properties: templates and decoders', {timeout: 120_000}, () => {
  it('any --format is a formatter that never throws on a record, or a one-line exit 2', () => {
    const decoder = fc.constantFrom(undefined, 'utf8', 'hex', 'base64', 'json', 'rot13')
    fc.assert(
      fc.property(fc.oneof(userText('%tpokvsKSTdh%\\ntr0x |', 30), fc.constantFrom('raw', 'json')), decoder, decoder, fc.boolean(), record, (format, k, v, pretty, r) => {
        const formatter = accepts(() => compileFormat({format, keyDecoder: parseDecoder(k, '--key-decoder'), valueDecoder: parseDecoder(v, '--value-decoder'), pretty}), [format, k, v])
        if (!formatter) return
        const out = new OutputBuffer(16)
        formatter(r, out)
        if (format === 'json') expect(JSON.parse(out.take().toString())).toMatchObject({offset: r.offset, partition: r.partition})
      }),
      {numRuns: RUNS},
    )
  })

  it('a template of literal text and %% gives back its text', () => {
    fc.assert(
      fc.property(
        fc.string({maxLength: 20}).filter((s) => !s.includes('%') && !s.includes('\\')),
        (text) => {
          const out = new OutputBuffer(4)
          compileFormat({format: `${text}%%\\n`})({key: null, value: null}, out)
          expect(out.take().toString()).toBe(`${text}%\n`)
        },
      ),
      {numRuns: RUNS},
    )
  })

  it('--grep: any pattern is a filter that never throws, or a one-line exit 2', () => {
    fc.assert(
      fc.property(userText('()[]{}*+?.^$|\\abk0-9', 12), record, (pattern, r) => {
        const keep = accepts(() => compileGrep(pattern), pattern)
        if (keep) expect(typeof keep(r)).toBe('boolean')
      }),
      {numRuns: RUNS},
    )
  })
})
