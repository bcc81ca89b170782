/**
 * Produce-side integrity (issue #17), the pure parts: LZ4 blocks that follow the format's end-of-block rules,
 * strict envelopes, null header values, and the report of what a failed produce delivered. The broker-facing
 * halves are in test/integration/integrity-produce.test.ts.
 */
import {randomBytes} from 'node:crypto'
import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import {LZ4_BLOCK, lz4Codec, lz4CompressFrame} from '../../src/kafka/kafkajs/codecs.js'
import {RecordRun} from '../../src/kafka/kafkajs/protocol/record-runs.js'
import type {UndeliveredBatch, WriterStats} from '../../src/kafka/writer.js'
import {fromEnvelope, toEnvelope} from '../../src/records/envelope.js'
import {failureReport, formatFailureReport, undeliveredEnvelopes} from '../../src/produce/summary.js'

const require = createRequire(import.meta.url)
const {hash: xxh32} = require('lz4js/xxh32.js') as {hash: (seed: number, b: Uint8Array, i: number, n: number) => number}

/**
 * Walks an LZ4 frame's blocks and returns every breach of the block format's end-of-block rules in a block that
 * fills the 64 KiB the broker decodes into: the last match must start at least 12 bytes before the block's end
 * (MFLIMIT) and end at least 5 bytes before it (LASTLITERALS). lz4-java refuses such a block.
 */
function blockRuleBreaches(frame: Buffer): string[] {
  const breaches: string[] = []
  let p = 7
  for (let block = 0; ; block++) {
    let size = frame.readUInt32LE(p)
    p += 4
    if (size === 0) break
    const raw = (size & 0x80000000) !== 0
    size &= 0x7fffffff
    if (!raw) {
      let ip = p
      let op = 0
      const end = p + size
      const matches: [number, number][] = []
      while (ip < end) {
        const token = frame[ip++]
        let literals = token >> 4
        if (literals === 15) for (let b = 255; b === 255; literals += b) b = frame[ip++]
        ip += literals
        op += literals
        if (ip >= end) break
        ip += 2
        let length = token & 15
        if (length === 15) for (let b = 255; b === 255; length += b) b = frame[ip++]
        matches.push([op, op + length + 4])
        op += length + 4
      }
      for (const [start, stop] of matches) {
        if (op === LZ4_BLOCK && op - start < 12) breaches.push(`block ${block}: a match starts ${op - start} bytes before its end`)
        if (op - stop < 5) breaches.push(`block ${block}: a match ends ${op - stop} bytes before its end`)
      }
    }
    p += size
  }
  return breaches
}

describe('lz4 frames Kafka decodes', () => {
  // Issue #17: 40,000 short lines into one partition made the broker fail with "LZ4Exception: Error decoding offset".
  const lines = Buffer.from(Array.from({length: 40_000}, (_, i) => `line-${i + 1}\n`).join(''))

  it("no match starts within 12 bytes of a full block's end (the 40,000-line batch that failed)", async () => {
    const frame = lz4CompressFrame(lines, xxh32)
    expect(blockRuleBreaches(frame)).toEqual([])
    expect((await lz4Codec().decompress(frame)).equals(lines)).toBe(true)
  })

  it('keeps the rules on many inputs: random, repetitive, runs of one byte, every size around a block', async () => {
    const codec = lz4Codec()
    const sizes = [0, 1, 12, 13, 100, LZ4_BLOCK - 1, LZ4_BLOCK, LZ4_BLOCK + 1, 3 * LZ4_BLOCK + 17]
    for (const [n, size] of sizes.entries()) {
      const inputs = [
        randomBytes(size),
        Buffer.from(Array.from({length: size}, (_, i) => 97 + ((i * 7 + n) % 5))),
        Buffer.alloc(size, n),
        Buffer.from(Array.from({length: Math.ceil(size / 8) + 1}, (_, i) => `k${i % 91}=${i}\n`).join('')).subarray(0, size),
      ]
      for (const input of inputs) {
        const frame = lz4CompressFrame(input, xxh32)
        expect(frame.readUInt32LE(0)).toBe(0x184d2204)
        expect([frame[4], frame[5]]).toEqual([0x60, 0x40]) // independent blocks, no checksums; 64 KiB blocks
        expect(blockRuleBreaches(frame), `size ${size}`).toEqual([])
        expect((await codec.decompress(frame)).equals(input), `size ${size}`).toBe(true)
      }
    }
  }, 120_000)
})

describe('envelopes are strict', () => {
  const parse = (line: string, n = 7) => {
    try {
      return fromEnvelope(line, n)
    } catch (error) {
      return error as KafkitError
    }
  }

  it('a misspelt field is exit 2 naming the line and the field, with a did-you-mean (not a tombstone)', () => {
    const error = parse('{"key":"k","vaule":"x"}') as KafkitError
    expect(error).toBeInstanceOf(KafkitError)
    expect(error.exitCode).toBe(2)
    expect(error.message).toBe('line 7: unknown field "vaule" (did you mean "value"?)')
    expect((parse('{"value":"v","hedaers":{}}') as KafkitError).message).toContain('(did you mean "headers"?)')
    expect((parse('{"value":"v","zzzzzz":1}') as KafkitError).message).toBe('line 7: unknown field "zzzzzz"')
  })

  it('{} and an envelope without "value" are refused; "value": null is a tombstone', () => {
    expect((parse('{}') as KafkitError).message).toBe('line 7: no "value" field')
    expect((parse('{"key":"k"}') as KafkitError).exitCode).toBe(2)
    expect(parse('{"key":"k","value":null}')).toEqual({key: Buffer.from('k'), value: null})
  })

  it('a negative or huge timestamp is exit 2 naming the line', () => {
    for (const ts of ['-1', '"-5"', '"1960-01-01T00:00:00Z"', '1e20', '"99999999999999999999"']) {
      const error = parse(`{"value":"v","timestamp":${ts}}`, 12) as KafkitError
      expect(error, ts).toBeInstanceOf(KafkitError)
      expect(error.exitCode, ts).toBe(2)
      expect(error.message, ts).toMatch(/^line 12: "timestamp" .* (before 1970-01-01|too large)/)
    }
    expect(parse('{"value":"v","timestamp":0}')).toMatchObject({timestamp: 0})
    expect(parse('{"value":"v","timestamp":"2026-11-24T09:00:00.123Z"}')).toMatchObject({timestamp: Date.parse('2026-11-24T09:00:00.123Z')})
  })

  it('null header values are carried as null both ways, distinct from empty ones', () => {
    const record = parse('{"key":"k","value":"v","headers":{"n":null,"e":"","l":["x",null]}}')
    expect(record).toEqual({key: Buffer.from('k'), value: Buffer.from('v'), headers: {n: null, e: Buffer.alloc(0), l: [Buffer.from('x'), null]}})
    expect(toEnvelope(record as ReturnType<typeof fromEnvelope>)).toEqual({key: 'k', value: 'v', headers: {n: null, e: '', l: ['x', null]}})
    // base64 headers: null stays null, the others are base64
    const binary = toEnvelope({key: null, value: null, headers: {b: Buffer.from([0xff]), n: null}})
    expect(binary).toEqual({key: null, value: null, headers: {b: '/w==', n: null}, headersEncoding: 'base64'})
    expect(fromEnvelope(JSON.stringify(binary), 1).headers).toEqual({b: Buffer.from([0xff]), n: null})
  })
})

describe('what a failed produce reports', () => {
  const stats = (over: Partial<WriterStats>): WriterStats => ({written: 0, delivered: 0, failed: 0, uncertain: 0, bytes: 0, partitions: {}, failedPartitions: {}, requests: 0, ...over})
  const rec = (value: string, line: number, source = 0, partition?: number) => ({key: Buffer.from(`k-${value}`), value: Buffer.from(value), inputLine: line, inputSource: source, partition})
  const error = (message: string) => new KafkitError('X', message, {exitCode: 5})

  it('per partition: delivered, not delivered, the first undelivered line; the undelivered records as envelopes in input order', () => {
    const undelivered: UndeliveredBatch[] = [
      {partition: 2, records: [rec('c', 9, 1), rec('a', 4, 1)], error: error('partition 2: out of range'), uncertain: false},
      {partition: 0, records: [rec('z', 30, 0)], error: error('partition 0: no answer'), uncertain: true},
    ]
    const report = failureReport('t', stats({delivered: 10, failed: 3, uncertain: 1, partitions: {0: 4, 1: 6}, failedPartitions: {0: 1, 2: 2}}), undelivered, ['a.txt', 'b.txt'], {source: 1, line: 10})
    expect(report).toEqual({
      topic: 't',
      records: 13,
      delivered: 10,
      failed: 3,
      uncertain: 1,
      partitions: {
        0: {delivered: 4, failed: 1, uncertain: 1, error: 'no answer', firstUndelivered: {source: 'a.txt', line: 30}},
        1: {delivered: 6, failed: 0},
        2: {delivered: 0, failed: 2, error: 'out of range', firstUndelivered: {source: 'b.txt', line: 4}},
      },
      notRead: {source: 'b.txt', line: 10},
    })
    expect(formatFailureReport(report, true)).toEqual([
      'partition 0: 4 delivered, 1 not delivered from a.txt line 30 on (1 of them got no answer: they may be in the topic): no answer',
      'partition 2: 0 delivered, 2 not delivered from b.txt line 4 on: out of range',
      'partition 1: all 6 records delivered',
      'not read: the input from b.txt line 10 on',
    ])
    // What --failed-to writes: produce --format json reads it back, record for record, in input order.
    const lines = undeliveredEnvelopes(undelivered).trimEnd().split('\n')
    expect(lines.map((l, i) => fromEnvelope(l, i + 1))).toEqual([
      {key: Buffer.from('k-z'), value: Buffer.from('z'), partition: 0},
      {key: Buffer.from('k-a'), value: Buffer.from('a'), partition: 2},
      {key: Buffer.from('k-c'), value: Buffer.from('c'), partition: 2},
    ])
  })

  it('a record run gives its records back with their input lines (plain lines are not record objects)', () => {
    const run = new RecordRun(3, 1_700_000_000_000, 64, 16)
    const data = Buffer.from('first\nsecond\n' + 'x'.repeat(300))
    run.origins.push({at: 0, source: 0, line: 5})
    run.append(data, 0, 5)
    run.append(data, 6, 12)
    run.origins.push({at: 2, source: 1, line: 1})
    run.append(data, 13, 313)
    expect(run.toRecords()).toEqual([
      {key: null, value: Buffer.from('first'), partition: 3, inputSource: 0, inputLine: 5},
      {key: null, value: Buffer.from('second'), partition: 3, inputSource: 0, inputLine: 6},
      {key: null, value: Buffer.from('x'.repeat(300)), partition: 3, inputSource: 1, inputLine: 1},
    ])
    run.stamped = true
    expect(run.toRecords()[0].timestamp).toBe(1_700_000_000_000)
  })
})
