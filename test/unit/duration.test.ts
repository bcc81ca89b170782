import {describe, expect, it} from 'vitest'

import {formatDuration, parseDuration} from '../../src/specs/duration.js'

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('%s -> %d ms', (input, ms) => expect(parseDuration(input)).toBe(ms))

  it('takes a bare number only with a bare unit', () => {
    expect(parseDuration('30', {bareUnit: 's'})).toBe(30_000)
    expect(() => parseDuration('30')).toThrow(/not a duration/)
  })

  it.each(['', 'soon', '10 s', '5x', 'h', '-5s'])('rejects %j with a usage error', (input) => {
    expect(() => parseDuration(input)).toThrow(expect.objectContaining({exitCode: 2}))
  })

  it('formats back to the shortest exact unit', () => {
    expect(formatDuration(604_800_000)).toBe('1w')
    expect(formatDuration(5_400_000)).toBe('90m')
    expect(formatDuration(1500)).toBe('1500ms')
  })
})
