/**
 * The fast record-set decoder (src/kafka/kafkajs/protocol/fetch-decoder.ts) against kafkajs' own encoder and decoder: the same
 * bytes must give the same records, for plain and compressed batches, headers, null keys, large offsets and
 * timestamps, records below the fetch offset, control batches and a partial batch at the end.
 */
import {createRequire} from 'node:module'

import kafkajs from 'kafkajs'
import {describe, expect, it} from 'vitest'

import {registerCodecs} from '../../src/kafka/kafkajs/codecs.js'
import {decodeRecordSet, magicOf} from '../../src/kafka/kafkajs/protocol/fetch-decoder.js'
import {loadProtocol} from '../../src/kafka/kafkajs/internals.js'

const require = createRequire(import.meta.url)
const {RecordBatch} = require('kafkajs/src/protocol/recordBatch/v0') as {RecordBatch: (o: object) => Promise<{buffer: Buffer}>}
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => unknown
const Long = require('kafkajs/src/utils/long') as {fromValue(v: number | string): unknown}

const FIRST_OFFSET = 2 ** 40 + 7
const FIRST_TS = 1_795_000_000_000

async function batch(firstOffset: number, compression: number, count: number, withHeaders = true): Promise<Buffer> {
  const records = Array.from({length: count}, (_, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: i * 1000,
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 5 === 4 ? null : Buffer.from(`value-${i}-${'é'.repeat(i)}`),
      headers: withHeaders && i % 2 === 0 ? {a: Buffer.from(`h${i}`), b: [Buffer.from('x'), Buffer.from('y')]} : {},
    }),
  )
  const {buffer} = await RecordBatch({compression, firstOffset: Long.fromValue(firstOffset), firstTimestamp: FIRST_TS, maxTimestamp: FIRST_TS + count * 1000, lastOffsetDelta: count - 1, records})
  return buffer
}

const decompress = async (attributes: number, data: Buffer) => loadProtocol().lookupCodecByAttributes(attributes)!.decompress(data)

async function kafkajsDecode(set: Buffer) {
  const {decodeMessages, Decoder} = loadProtocol()
  const sized = Buffer.alloc(4 + set.length)
  sized.writeInt32BE(set.length, 0)
  set.copy(sized, 4)
  return decodeMessages(new Decoder(sized))
}

describe('decodeRecordSet', () => {
  it('decodes what kafkajs encodes, plain and with every codec, exactly like kafkajs decodes it', async () => {
    await registerCodecs(kafkajs)
    for (const name of ['None', 'GZIP', 'Snappy', 'LZ4', 'ZSTD'] as const) {
      const type: number = kafkajs.CompressionTypes[name]
      const set = Buffer.concat([await batch(FIRST_OFFSET, type, 7), await batch(FIRST_OFFSET + 7, type, 5, false)])
      expect(magicOf(set)).toBe(2)
      const ours = await decodeRecordSet('t', 4, set, FIRST_OFFSET, decompress)
      const theirs = await kafkajsDecode(set)
      expect(ours.records, name).toHaveLength(12)
      expect(ours.nextOffset).toBe(FIRST_OFFSET + 12)
      ours.records.forEach((r, i) => {
        const m = theirs[i]
        expect(r.offset, name).toBe(Number(m.offset))
        expect(r.timestamp).toBe(Number(m.timestamp))
        expect(r.key === null ? null : Buffer.from(r.key).toString('hex')).toBe(m.key === null ? null : Buffer.from(m.key).toString('hex'))
        expect(r.value === null ? null : Buffer.from(r.value).toString('utf8')).toBe(m.value === null ? null : Buffer.from(m.value).toString('utf8'))
        const theirHeaders = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]))
        const ourHeaders = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]))
        expect(ourHeaders).toEqual(theirHeaders)
        expect(r.topic).toBe('t')
        expect(r.partition).toBe(4)
      })
    }
  })

  it('drops records below the fetch offset and ignores a partial batch at the end', async () => {
    const whole = Buffer.concat([await batch(100, 0, 4), await batch(104, 0, 4)])
    const cut = whole.subarray(0, whole.length - 10)
    const decoded = await decodeRecordSet('t', 0, cut, 102, decompress)
    expect(decoded.records.map((r) => r.offset)).toEqual([102, 103])
    expect(decoded.nextOffset).toBe(104)
  })

  it('stops at a record limit, within a batch or at its end, and says where to go on', async () => {
    const set = Buffer.concat([await batch(100, 0, 4), await batch(104, 0, 4)])
    const within = await decodeRecordSet('t', 0, set, 101, decompress, 2)
    expect(within.records.map((r) => r.offset)).toEqual([101, 102])
    expect(within.nextOffset).toBe(103)
    const atEnd = await decodeRecordSet('t', 0, set, 100, decompress, 4)
    expect(atEnd.records.map((r) => r.offset)).toEqual([100, 101, 102, 103])
    expect(atEnd.nextOffset).toBe(104)
  })

  it('skips control batches but moves past them', async () => {
    const control = await batch(10, 0, 1)
    control.writeInt16BE(control.readInt16BE(21) | 0x20, 21) // the control flag (CRC is not checked by readers here)
    const decoded = await decodeRecordSet('t', 0, Buffer.concat([control, await batch(11, 0, 2)]), 10, decompress)
    expect(decoded.records.map((r) => r.offset)).toEqual([11, 12])
    expect(decoded.nextOffset).toBe(13)
  })

  it('an empty or too short set moves nowhere', async () => {
    expect(await decodeRecordSet('t', 0, Buffer.alloc(20), 5, decompress)).toEqual({records: [], nextOffset: 5})
  })
})
