/** Durations and sizes: --timeout, --by-duration, relative times, topic configs (retention.ms: 7d, 512MiB), --batch-size. */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {parseSize as parseFlagSize} from '../../../src/records/input.js'
import {formatDuration, parseDuration} from '../../../src/specs/duration.js'
import {parseResetDuration} from '../../../src/offsets/strategy.js'
import {formatHumanDuration, formatSize, parseHumanDuration, parseSize} from '../../../src/topics/human.js'
import {accepts, DIGITS, RUNS, userText} from './contract.js'

const UNITS = ['ms', 's', 'm', 'h', 'd', 'w'] as const
const MS = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}
const durationText = fc.oneof(
  userText(`${DIGITS}.msdhwMSDHWPT -+`),
  fc
    .array(fc.tuple(fc.oneof(fc.nat().map(String), fc.bigInt({min: 0n, max: 10n ** 400n}).map(String)), fc.constantFrom(...UNITS, '', 'x', 'MS')), {maxLength: 4})
    .map((parts) => parts.map(([n, u]) => n + u).join('')),
)
const exactMs = (n: number | undefined) => n === undefined || (Number.isSafeInteger(n) && n >= 0)

describe('properties: durations and sizes', {timeout: 120_000}, () => {
  it('parseDuration: any text is an exact, non-negative number of ms or a one-line exit 2', () => {
    fc.assert(
      fc.property(durationText, fc.constantFrom(undefined, 'ms' as const, 's' as const), (text, bareUnit) => {
        expect(exactMs(accepts(() => parseDuration(text, {bareUnit, label: '--timeout'}), text)), text).toBe(true)
      }),
      {numRuns: RUNS},
    )
  })

  it('compound durations add up, and formatDuration reads back as the same duration', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({max: 100_000}), fc.constantFrom(...UNITS)), {minLength: 1, maxLength: 4}), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('')
        const ms = parts.reduce((sum, [n, u]) => sum + n * MS[u], 0)
        expect(parseDuration(text)).toBe(ms)
        expect(parseDuration(formatDuration(ms))).toBe(ms)
        expect(parseHumanDuration(formatHumanDuration(ms), 'retention.ms', true)).toBe(ms)
      }),
      {numRuns: RUNS},
    )
  })

  it('--by-duration (kafkit and ISO-8601 forms): exact ms or a one-line exit 2', () => {
    fc.assert(
      fc.property(durationText, (text) => {
        expect(exactMs(accepts(() => parseResetDuration(text), text)), text).toBe(true)
      }),
      {numRuns: RUNS},
    )
  })

  it('topic config durations and sizes: whole numbers or a one-line exit 2; formatSize reads back', () => {
    fc.assert(
      fc.property(fc.oneof(durationText, userText(`${DIGITS}.kKmMgGtTiIbB -`)), fc.boolean(), (text, forever) => {
        const ms = accepts(() => parseHumanDuration(text, 'retention.ms', forever), text)
        if (ms !== undefined) expect(Number.isSafeInteger(ms), `${text} -> ${ms}`).toBe(true)
        const bytes = accepts(() => parseSize(text, 'segment.bytes'), text)
        if (bytes !== undefined) {
          expect(Number.isSafeInteger(bytes) && bytes >= 0, `${text} -> ${bytes}`).toBe(true)
          expect(parseSize(formatSize(bytes))).toBe(bytes)
        }
        const flag = accepts(() => parseFlagSize(text, '--batch-size'), text)
        if (flag !== undefined) expect(Number.isSafeInteger(flag) && flag >= 1, `${text} -> ${flag}`).toBe(true)
      }),
      {numRuns: RUNS},
    )
  })
})
