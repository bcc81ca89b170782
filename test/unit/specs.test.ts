import {describe, expect, it} from 'vitest'

import {resolveEnd, resolveStart} from '../../src/kafka/offsets.js'
import {fromEnvelope, toEnvelope} from '../../src/records/envelope.js'
import {parseOffsetSpec, parseRange, parseTime} from '../../src/specs/offset-spec.js'

const NOW = Date.parse('2026-11-25T12:00:00Z')

describe('offset specs', () => {
  it.each([
    ['beginning', {kind: 'beginning'}],
    ['end', {kind: 'end'}],
    ['stored', {kind: 'stored'}],
    ['1234', {kind: 'offset', offset: 1234}],
    ['-100', {kind: 'fromEnd', count: 100}],
    ['@2026-11-24T09:00:00Z', {kind: 'time', timestamp: Date.parse('2026-11-24T09:00:00Z')}],
    ['@1732438800000', {kind: 'time', timestamp: 1_732_438_800_000}],
    ['@-2h', {kind: 'time', timestamp: NOW - 7_200_000}],
    ['@2026-11-24', {kind: 'time', timestamp: Date.parse('2026-11-24T00:00:00Z')}],
  ])('%s', (input, spec) => expect(parseOffsetSpec(input, NOW)).toEqual(spec))

  it.each(['', 'yesterday', '12ab', '@', '@2026-13-45', '--5'])('rejects %j with exit 2 and examples', (input) => {
    expect(() => parseOffsetSpec(input, NOW)).toThrow(expect.objectContaining({exitCode: 2, hint: expect.stringContaining('@-2h')}))
  })

  it('treats a time without a zone as UTC', () => {
    expect(parseTime('2026-11-24T09:00', NOW)).toBe(Date.parse('2026-11-24T09:00:00Z'))
  })

  it('splits ranges even when times contain colons', () => {
    expect(parseRange('100:200', NOW)).toEqual({from: {kind: 'offset', offset: 100}, to: {kind: 'offset', offset: 200}})
    expect(parseRange('@2026-11-24T09:00:00Z:@2026-11-24T10:00:00Z', NOW)).toEqual({
      from: {kind: 'time', timestamp: Date.parse('2026-11-24T09:00:00Z')},
      to: {kind: 'time', timestamp: Date.parse('2026-11-24T10:00:00Z')},
    })
    expect(parseRange('@-48h:@-24h', NOW).to).toEqual({kind: 'time', timestamp: NOW - 86_400_000})
    expect(() => parseRange('100', NOW)).toThrow(/FROM:TO/)
  })
})

describe('resolving specs against watermarks', () => {
  const watermark = {partition: 0, low: 10, high: 110}
  it('clamps starts to the log', () => {
    expect(resolveStart({kind: 'offset', offset: 5}, {watermark})).toBe(10)
    expect(resolveStart({kind: 'offset', offset: 500}, {watermark})).toBe(110)
    expect(resolveStart({kind: 'fromEnd', count: 30}, {watermark})).toBe(80)
    expect(resolveStart({kind: 'fromEnd', count: 300}, {watermark})).toBe(10)
    expect(resolveStart({kind: 'stored'}, {watermark, committed: 50})).toBe(50)
    expect(resolveStart({kind: 'stored'}, {watermark})).toBe(110)
    expect(resolveStart({kind: 'time', timestamp: 1}, {watermark, atTime: 42})).toBe(42)
  })
  it('makes ends exclusive: a closed window includes offset TO', () => {
    expect(resolveEnd({kind: 'offset', offset: 20}, {watermark})).toBe(21)
    expect(resolveEnd({kind: 'end'}, {watermark})).toBe(110)
    expect(() => resolveEnd({kind: 'stored'}, {watermark})).toThrow()
  })
})

describe('record envelope', () => {
  it('round-trips text, binary, null, headers and timestamps', () => {
    const raw = {
      topic: 't',
      partition: 3,
      offset: 1042,
      timestamp: 1_764_000_000_123,
      key: Buffer.from('store-17'),
      value: Buffer.from([0xff, 0x00, 0xfe]),
      headers: {source: Buffer.from('pos'), multi: [Buffer.from('a'), Buffer.from('b')]},
    }
    const envelope = toEnvelope(raw)
    expect(envelope).toMatchObject({key: 'store-17', valueEncoding: 'base64', timestamp: '2025-11-24T16:00:00.123Z', headers: {source: 'pos', multi: ['a', 'b']}})
    expect(envelope.keyEncoding).toBeUndefined()
    expect(fromEnvelope(JSON.stringify(envelope), 1)).toEqual(raw)
  })

  it('keeps tombstones and absent keys as null', () => {
    const back = fromEnvelope(JSON.stringify(toEnvelope({key: null, value: null})), 1)
    expect(back.key).toBeNull()
    expect(back.value).toBeNull()
  })

  it('encodes non-UTF-8 header values as base64', () => {
    const envelope = toEnvelope({key: null, value: Buffer.from('v'), headers: {bin: Buffer.from([0xc3])}})
    expect(envelope.headersEncoding).toBe('base64')
    expect(fromEnvelope(JSON.stringify(envelope), 1).headers).toEqual({bin: Buffer.from([0xc3])})
  })

  it('names the line of malformed JSON', () => {
    expect(() => fromEnvelope('{"value":', 7)).toThrow(/line 7/)
    expect(() => fromEnvelope('{"value":"x","partition":-1}', 8)).toThrow(/line 8: "partition"/)
    expect(() => fromEnvelope('{"value":"%%%","valueEncoding":"base64"}', 9)).toThrow(/not valid base64/)
  })

  it('takes a non-string value as its JSON text', () => {
    expect(fromEnvelope('{"value":{"sku":"A1"}}', 1).value?.toString()).toBe('{"sku":"A1"}')
  })
})
