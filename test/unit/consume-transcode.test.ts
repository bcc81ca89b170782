/**
 * EncodedRecords.transcodeValues (consume's values lane for Avro, src/records/format-stream.ts): every value in the
 * window through the transcoder, in order, whatever its size becomes; -1 as soon as the transcoder declines one.
 */
import {createRequire} from 'node:module'

import kafkajs from 'kafkajs'
import {describe, expect, it} from 'vitest'

import {registerCodecs} from '../../src/kafka/kafkajs/codecs.js'
import {loadProtocol} from '../../src/kafka/kafkajs/internals.js'
import {decodeRecordSet, scanRecordSet} from '../../src/kafka/kafkajs/protocol/fetch-decoder.js'
import type {ValueTranscoder} from '../../src/records/envelope.js'
import {OutputBuffer} from '../../src/records/format.js'

const require = createRequire(import.meta.url)
const {RecordBatch} = require('kafkajs/src/protocol/recordBatch/v0') as {RecordBatch: (o: object) => Promise<{buffer: Buffer}>}
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => unknown
const Long = require('kafkajs/src/utils/long') as {fromValue(v: number | string): unknown}

async function batch(firstOffset: number, compression: number, count: number): Promise<Buffer> {
  const records = Array.from({length: count}, (_, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: i * 1000,
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}-${'k'.repeat(i * 40)}`),
      value: i % 5 === 4 ? null : Buffer.from(`value-${i}-${'é'.repeat(i * 30)}`),
      headers: i % 2 === 0 ? {a: Buffer.from(`h${i}`)} : {},
    }),
  )
  const {buffer} = await RecordBatch({compression, firstOffset: Long.fromValue(firstOffset), firstTimestamp: 1_795_000_000_000, maxTimestamp: 1_795_000_100_000, lastOffsetDelta: count - 1, records})
  return buffer
}

const decompress = async (attributes: number, data: Buffer) => loadProtocol().lookupCodecByAttributes(attributes)!.decompress(data)

/** Each value written twice with a marker between: longer than the value, so the output outgrows the input. */
const twice: ValueTranscoder = (body, start, end, out) => {
  const n = end - start
  const at = out.length
  const target = out.reserve(2 * n + 1)
  body.copy(target, at, start, end)
  target[at + n] = 0x7c
  body.copy(target, at + n + 1, start, end)
  out.commit(at + 2 * n + 1)
  return true
}

describe('EncodedRecords.transcodeValues', () => {
  it('transcodes each value of the window in order, null values as nothing, and declines as a whole', async () => {
    await registerCodecs(kafkajs)
    for (const name of ['None', 'GZIP'] as const) {
      const type: number = kafkajs.CompressionTypes[name]
      const set = Buffer.concat([await batch(100, type, 7), await batch(107, type, 5)])
      for (const from of [100, 103, 109]) {
        const eager = await decodeRecordSet('t', 3, set, from, decompress)
        const lazy = await scanRecordSet('t', 3, set, from, decompress)
        for (const end of [200, 108]) {
          const kept = eager.records.filter((r) => r.offset! < end)
          const out = new OutputBuffer(16)
          expect(lazy.records.below(end).transcodeValues(out, 10, twice), `${name} ${from} ${end}`).toBe(kept.length)
          const expected = kept.map((r) => (r.value === null ? '\n' : `${r.value.toString('latin1')}|${r.value.toString('latin1')}\n`)).join('')
          expect(out.take().toString('latin1')).toBe(expected)
        }
        let calls = 0
        const declineThird: ValueTranscoder = (...args) => ++calls < 3 && twice(...args)
        expect(lazy.records.transcodeValues(new OutputBuffer(), 10, declineThird)).toBe(calls === 3 ? -1 : lazy.records.count)
      }
    }
  })
})
