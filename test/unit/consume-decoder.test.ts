/**
 * The fast record-set decoder (src/kafka/kafkajs/protocol/fetch-decoder.ts) against kafkajs' own encoder and decoder: the same
 * bytes must give the same records, for plain and compressed batches, headers, null keys, large offsets and
 * timestamps, records below the fetch offset, control batches and a partial batch at the end.
 */
import {createRequire} from 'node:module'

import kafkajs from 'kafkajs'
import {describe, expect, it} from 'vitest'

import {registerCodecs} from '../../src/kafka/kafkajs/codecs.js'
import {decodeRecordSet, magicOf, scanRecordSet} from '../../src/kafka/kafkajs/protocol/fetch-decoder.js'
import {OutputBuffer} from '../../src/records/format.js'
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

/** What the values lane writes for these records: each value (nothing for null) and a newline. */
const valueLines = (records: {value: Buffer | null}[]) => Buffer.concat(records.flatMap((r) => [r.value ?? Buffer.alloc(0), Buffer.from('\n')]))

describe('scanRecordSet (records kept encoded: decoded on demand, values copied straight out)', () => {
  it('gives the same records and values as decodeRecordSet: codecs, fetch offset, limits, window ends', async () => {
    await registerCodecs(kafkajs)
    for (const name of ['None', 'GZIP', 'LZ4'] as const) {
      const type: number = kafkajs.CompressionTypes[name]
      const set = Buffer.concat([await batch(100, type, 7), await batch(107, type, 5, false), await batch(112, type, 3)])
      for (const [from, limit] of [
        [100, undefined],
        [103, undefined],
        [101, 2],
        [100, 7],
        [105, 6],
      ] as [number, number | undefined][]) {
        const eager = await decodeRecordSet('t', 3, set, from, decompress, limit)
        const lazy = await scanRecordSet('t', 3, set, from, decompress, limit)
        expect(lazy.nextOffset, `${name} ${from} ${limit}`).toBe(eager.nextOffset)
        expect(lazy.records.count).toBe(eager.records.length)
        expect(lazy.records.lastOffset).toBe(eager.records.at(-1)?.offset ?? -1)
        expect(lazy.records.decode()).toEqual(eager.records)
        const out = new OutputBuffer(16)
        expect(lazy.records.writeValues(out, 10)).toBe(eager.records.length)
        expect(out.take().toString('hex')).toBe(valueLines(eager.records).toString('hex'))
        for (const end of [from + 1, 108, 113, 200]) {
          const below = lazy.records.below(end)
          const kept = eager.records.filter((r) => r.offset! < end)
          expect(below.count, `${name} ${from} below ${end}`).toBe(kept.length)
          expect(below.decode()).toEqual(kept)
          const cut = new OutputBuffer(16)
          below.writeValues(cut, 10)
          expect(cut.take().toString('hex')).toBe(valueLines(kept).toString('hex'))
        }
      }
    }
  })

  it('bails out (-1) on a value in the schema registry wire format when asked to', async () => {
    const wire = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), Buffer.from('avro')])
    const {buffer} = await RecordBatch({
      compression: 0,
      firstOffset: Long.fromValue(0),
      firstTimestamp: FIRST_TS,
      maxTimestamp: FIRST_TS,
      lastOffsetDelta: 1,
      records: [Record({offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('plain'), headers: {}}), Record({offsetDelta: 1, timestampDelta: 0, key: null, value: wire, headers: {}})],
    })
    const {records} = await scanRecordSet('t', 0, buffer, 0, decompress)
    expect(records.writeValues(new OutputBuffer(), 10, undefined, true)).toBe(-1)
    expect(records.writeValues(new OutputBuffer(), 10, undefined, false)).toBe(2)
  })
})
