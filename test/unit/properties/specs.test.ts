/** Offset, time and range specs (--from/--to/--range, replay windows, offsets reset --to-datetime/--to-offset/--shift-by, --partitions, --topic). */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {parsePartitionList} from '../../../src/kafka/reader.js'
import {parseStrategy, parseTopicScope} from '../../../src/offsets/strategy.js'
import {parseWindowSpecs} from '../../../src/replay/plan.js'
import {describeSpec, parseOffsetSpec, parseRange, parseTime} from '../../../src/specs/offset-spec.js'
import {accepts, DIGITS, RUNS, userText} from './contract.js'

const NOW = Date.parse('2026-11-25T12:00:00Z')
const SPEC_CHARS = `${DIGITS}@:-+.TZtz ${'beginnedstorlaw'}hmsdw`
/** Near-valid specs: words, numbers, times and durations glued from the pieces specs are made of. */
const specPiece = fc.oneof(
  fc.constantFrom('beginning', 'earliest', 'start', 'end', 'latest', 'stored', 'committed', 'now', '@', '-', ':', 'T', 'Z', '+01:00'),
  fc.nat().map(String),
  fc.bigInt({min: 0n, max: 10n ** 30n}).map(String),
  fc.date({min: new Date(-1e15), max: new Date(1e15), noInvalidDate: true}).map((d) => d.toISOString()),
  fc.tuple(fc.nat({max: 1e6}), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w')).map(([n, u]) => `${n}${u}`),
)
const specText = fc.oneof(
  userText(SPEC_CHARS),
  fc.array(specPiece, {maxLength: 5}).map((p) => p.join('')),
)

/** An accepted spec is usable: numbers are safe integers, times are real dates, describing it cannot throw. */
function checkSpec(spec: ReturnType<typeof parseOffsetSpec>): void {
  if (spec.kind === 'offset') expect(Number.isSafeInteger(spec.offset) && spec.offset >= 0).toBe(true)
  if (spec.kind === 'fromEnd') expect(Number.isSafeInteger(spec.count) && spec.count >= 0).toBe(true)
  if (spec.kind === 'time') {
    expect(Number.isFinite(new Date(spec.timestamp).getTime()), `timestamp ${spec.timestamp}`).toBe(true)
    expect(parseOffsetSpec(describeSpec(spec), NOW)).toEqual(spec)
  }
}

describe('properties: offset/time/range specs', {timeout: 120_000}, () => {
  it('parseOffsetSpec: any text is a usable spec or a one-line exit 2', () => {
    fc.assert(
      fc.property(specText, (text) => {
        const spec = accepts(() => parseOffsetSpec(text, NOW, '--from'), text)
        if (spec) checkSpec(spec)
      }),
      {numRuns: RUNS},
    )
  })

  it('parseTime: any text is a real date or a one-line exit 2', () => {
    fc.assert(
      fc.property(specText, (text) => {
        const ms = accepts(() => parseTime(text, NOW, '--to-datetime'), text)
        if (ms !== undefined) expect(Number.isFinite(new Date(ms).getTime()), `${text} -> ${ms}`).toBe(true)
      }),
      {numRuns: RUNS},
    )
  })

  it('every ISO time and epoch millisecond in range parses back to itself', () => {
    fc.assert(
      fc.property(fc.date({min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true}), fc.boolean(), (date, epoch) => {
        const text = epoch ? String(date.getTime()).padStart(10, '0') : date.toISOString()
        expect(parseOffsetSpec(`@${text}`, NOW)).toEqual({kind: 'time', timestamp: date.getTime()})
      }),
      {numRuns: RUNS},
    )
  })

  it('parseRange: any FROM:TO text is two usable specs or a one-line exit 2; generated ranges parse to their parts', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          specText,
          fc.tuple(specText, specText).map(([a, b]) => `${a}:${b}`),
        ),
        (text) => {
          const range = accepts(() => parseRange(text, NOW), text)
          if (range) {
            checkSpec(range.from)
            checkSpec(range.to)
          }
        },
      ),
      {numRuns: RUNS},
    )
  })

  it('parseWindowSpecs (replay --from/--to): usable specs, never stored, or a one-line exit 2', () => {
    fc.assert(
      fc.property(specText, specText, (from, to) => {
        const w = accepts(() => parseWindowSpecs(from, to, NOW), [from, to])
        if (w) {
          checkSpec(w.from)
          checkSpec(w.to)
          expect(w.from.kind).not.toBe('stored')
        }
      }),
      {numRuns: RUNS},
    )
  })

  it('offsets reset strategies (--to-offset, --shift-by, --to-datetime, --by-duration): usable or a one-line exit 2', () => {
    const flag = fc.constantFrom('to-offset', 'shift-by', 'to-datetime', 'by-duration')
    fc.assert(
      fc.property(flag, fc.oneof(specText, userText(`${DIGITS}PTDHMS.+-`)), (name, value) => {
        const s = accepts(() => parseStrategy({[name]: value}, NOW), [name, value])
        if (!s) return
        if (s.kind === 'offset') expect(Number.isSafeInteger(s.offset)).toBe(true)
        if (s.kind === 'shift') expect(Number.isSafeInteger(s.by)).toBe(true)
        if (s.kind === 'datetime' || s.kind === 'duration') expect(Number.isFinite(new Date(s.timestamp).getTime()), JSON.stringify(s)).toBe(true)
      }),
      {numRuns: RUNS},
    )
  })

  it('--partitions lists and --topic scopes: sorted, unique, safe partition numbers, or a one-line exit 2', () => {
    fc.assert(
      fc.property(userText(`${DIGITS},- :ab`, 30), (text) => {
        const list = accepts(() => parsePartitionList(text), text)
        if (list) {
          expect(list.length).toBeGreaterThan(0)
          expect(list.every((p) => Number.isSafeInteger(p) && p >= 0 && p < 2 ** 31)).toBe(true)
          expect([...new Set(list)].sort((a, b) => a - b)).toEqual(list)
        }
        const scope = accepts(() => parseTopicScope(`orders:${text}`), text)
        if (scope?.partitions) expect(scope.partitions.every((p) => Number.isSafeInteger(p) && p < 2 ** 31)).toBe(true)
      }),
      {numRuns: RUNS},
    )
  })
})
