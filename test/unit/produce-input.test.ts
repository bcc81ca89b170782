import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import type {RawRecord} from '../../src/records/envelope.js'
import {LineChunk, lineOf, lineParser, linesAreValues, parseHeaderFlags, parseSize, readLineChunks, unescapeSeparator} from '../../src/records/input.js'
import {InputError, pumpRecords} from '../../src/records/input-pump.js'
import {compactRanges, formatSummary} from '../../src/produce/summary.js'

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p)
}

async function lines(parts: string[], maxLineBytes = 100, onTooLong = (_l: number, _b: number) => {}): Promise<[number, string][]> {
  const out: [number, string][] = []
  for await (const chunk of readLineChunks(chunks(...parts), {maxLineBytes, onTooLong}) as AsyncGenerator<LineChunk>) {
    for (let i = 0; i < chunk.bounds.length / 2; i++) out.push([chunk.firstLine + i, lineOf(chunk, i).toString()])
  }
  return out
}

describe('readLineChunks', () => {
  it('splits lines across chunk boundaries and keeps a last line without newline', async () => {
    expect(await lines(['a\nb', 'c\n\nd', 'e'])).toEqual([
      [1, 'a'],
      [2, 'bc'],
      [3, ''],
      [4, 'de'],
    ])
  })

  it('keeps \\r and bytes as they are', async () => {
    expect(await lines(['x\r\ny\n'])).toEqual([
      [1, 'x\r'],
      [2, 'y'],
    ])
  })

  it('reports an over-long line and, when told to go on, keeps numbering exact', async () => {
    const tooLong: number[] = []
    const got = await lines(['ok\n0123456789', '0123456789\nnext\n', 'also-way-too-long-line\nlast\n'], 8, (n) => tooLong.push(n))
    expect(tooLong).toEqual([2, 4])
    expect(got).toEqual([
      [1, 'ok'],
      [3, 'next'],
      [5, 'last'],
    ])
  })

  it('stops when onTooLong throws', async () => {
    await expect(
      lines(['short\nwaaaaaay too long\n'], 5, (n) => {
        throw new Error(`line ${n}`)
      }),
    ).rejects.toThrow('line 2')
  })
})

describe('lineParser', () => {
  const b = (s: string) => Buffer.from(s)
  it('plain lines: the whole line is the value', () => {
    expect(lineParser({format: 'line'})(b('a:b'), 1)).toMatchObject({key: null, value: b('a:b')})
  })

  it('splits at the first separator; the null marker makes keys and values null', () => {
    const parse = lineParser({format: 'line', keySeparator: '::', nullMarker: 'NULL'})
    expect(parse(b('k::v::w'), 1)).toMatchObject({key: b('k'), value: b('v::w')})
    expect(parse(b('k::NULL'), 1)).toMatchObject({key: b('k'), value: null})
    expect(parse(b('NULL::v'), 1)).toMatchObject({key: null, value: b('v')})
    expect(() => parse(b('no separator'), 7)).toThrow(/line 7 has no key separator '::'/)
  })

  it('adds --header values to every record', () => {
    const headers = parseHeaderFlags(['a=1', 'b=x=y', 'a=2'])
    expect(headers).toEqual({a: [b('1'), b('2')], b: b('x=y')})
    expect(lineParser({format: 'line', headers})(b('v'), 1)?.headers).toBe(headers)
    expect(() => parseHeaderFlags(['novalue'])).toThrow(KafkitError)
  })

  it('json: envelopes, blank lines skipped, partition only with keepPartition, bad UTF-8 and JSON named', () => {
    const parse = lineParser({format: 'json'})
    expect(parse(b('{"key":"k","value":"v","partition":2,"topic":"x","offset":5}'), 1)).toEqual({key: b('k'), value: b('v')})
    expect(lineParser({format: 'json', keepPartition: true})(b('{"value":"v","partition":2}'), 1)?.partition).toBe(2)
    expect(parse(b('   '), 1)).toBeNull()
    expect(() => parse(Buffer.from([0x7b, 0xff, 0x7d]), 4)).toThrow(/line 4 is not valid UTF-8/)
    expect(() => parse(b('{oops'), 9)).toThrow(/line 9: not valid JSON/)
  })

  it('separators accept shell escapes', () => {
    expect(unescapeSeparator('\\t')).toBe('\t')
    expect(unescapeSeparator('a\\\\b')).toBe('a\\b')
  })
})

describe('parseSize', () => {
  it('reads bytes and units', () => {
    expect(parseSize('65536', 'x')).toBe(65536)
    expect(parseSize('512KiB', 'x')).toBe(512 * 1024)
    expect(parseSize('1m', 'x')).toBe(1 << 20)
    expect(parseSize('10MB', 'x')).toBe(10_000_000)
    expect(() => parseSize('lots', '--batch-size')).toThrow(/--batch-size: 'lots' is not a size/)
    expect(() => parseSize('0', 'x')).toThrow()
  })
})

describe('pumpRecords', () => {
  const sink = () => {
    const written: RawRecord[] = []
    return {written, write: (r: RawRecord) => void written.push(r)}
  }
  const source = (name: string, ...parts: string[]) => ({name, open: () => chunks(...parts)})

  it('feeds every record of every source and applies --timestamp', async () => {
    const s = sink()
    const result = await pumpRecords({sources: [source('a', 'x\ny\n'), source('b', 'z')], parse: lineParser({format: 'line'}), sink: s, maxLineBytes: 100, timestamp: 42})
    expect(result).toEqual({read: 3, skipped: 0, interrupted: false})
    expect(s.written.map((r) => [r.value?.toString(), r.timestamp])).toEqual([
      ['x', 42],
      ['y', 42],
      ['z', 42],
    ])
  })

  it('stops at a bad line with its number (and file name when there are several)', async () => {
    const s = sink()
    const error = await pumpRecords({sources: [source('one.txt', 'k:v\n'), source('two.txt', 'k:v\nbad\n')], parse: lineParser({format: 'line', keySeparator: ':'}), sink: s, maxLineBytes: 100}).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).message).toBe("two.txt: line 2 has no key separator ':'")
    expect((error as InputError).line).toBe(2)
    expect(s.written).toHaveLength(2)
  })

  it('--skip-invalid counts and reports instead', async () => {
    const skipped: string[] = []
    const result = await pumpRecords({
      sources: [source('stdin', 'k:v\nbad\nk:w\n')],
      parse: lineParser({format: 'line', keySeparator: ':'}),
      sink: sink(),
      maxLineBytes: 100,
      skipInvalid: true,
      onSkip: (s) => skipped.push(s.reason),
    })
    expect(result).toMatchObject({read: 2, skipped: 1})
    expect(skipped).toEqual(["line 2 has no key separator ':'"])
  })

  it('refuses a record above the size limit with both sizes (exit 5)', async () => {
    const error = (await pumpRecords({
      sources: [source('stdin', 'ok\n' + 'x'.repeat(50) + '\n')],
      parse: lineParser({format: 'line'}),
      sink: sink(),
      maxLineBytes: 100,
      maxRecord: {limit: 40, size: (r) => r.value!.length},
    }).catch((e: unknown) => e)) as KafkitError
    expect(error.message).toBe("line 2: the record is 50 bytes, above the topic's max.message.bytes (40 bytes)")
    expect(error.exitCode).toBe(5)
  })

  it('stops reading when aborted and says so', async () => {
    const controller = new AbortController()
    const s = {written: 0, write: () => void (++s.written === 2 && controller.abort())}
    const result = await pumpRecords({sources: [source('stdin', 'a\nb\nc\nd\n')], parse: lineParser({format: 'line'}), sink: s, maxLineBytes: 100, signal: controller.signal})
    expect(result).toMatchObject({read: 2, interrupted: true})
  })

  it('waits for backpressure', async () => {
    let release!: () => void
    let waited = false
    const s = {n: 0, write: () => (++s.n === 1 ? new Promise<void>((r) => (release = () => ((waited = true), r()))) : undefined)}
    const done = pumpRecords({sources: [source('stdin', 'a\nb\n')], parse: lineParser({format: 'line'}), sink: s, maxLineBytes: 100})
    await new Promise((r) => setTimeout(r, 20))
    expect(s.n).toBe(1)
    release()
    expect((await done).read).toBe(2)
    expect(waited).toBe(true)
  })
})

describe('linesAreValues', () => {
  it('only when the parser keeps each line as it is, keyless and without headers', () => {
    expect(linesAreValues({format: 'line'})).toBe(true)
    expect(linesAreValues({format: 'line', headers: {}})).toBe(true)
    expect(linesAreValues({format: 'json'})).toBe(false)
    expect(linesAreValues({format: 'line', keySeparator: ':'})).toBe(false)
    expect(linesAreValues({format: 'line', nullMarker: 'NULL'})).toBe(false)
    expect(linesAreValues({format: 'line', headers: {a: Buffer.from('1')}})).toBe(false)
  })
})

describe('pumpRecords fast lane (linesAreValues)', () => {
  const source = (name: string, ...parts: string[]) => ({name, open: () => chunks(...parts)})
  const fastSink = () => {
    const values: string[] = []
    const records: RawRecord[] = []
    let calls = 0
    return {
      values,
      records,
      get calls() {
        return calls
      },
      write: (r: RawRecord) => void records.push(r),
      writeValues: (data: Buffer, bounds: readonly number[], from: number, to: number, timestamp?: number) => {
        calls++
        for (let i = from; i < to; i++) values.push(`${data.subarray(bounds[2 * i], bounds[2 * i + 1]).toString()}@${timestamp}`)
        return undefined
      },
    }
  }

  it('hands whole chunks over as values, lines split across chunks and empty lines included', async () => {
    const s = fastSink()
    const result = await pumpRecords({sources: [source('stdin', 'a\nbb', 'b\n\nc\nd', 'd')], parse: lineParser({format: 'line'}), sink: s, maxLineBytes: 100, linesAreValues: true, timestamp: 7})
    expect(result).toEqual({read: 5, skipped: 0, interrupted: false})
    expect(s.values).toEqual(['a@7', 'bbb@7', '@7', 'c@7', 'dd@7'])
    expect(s.records).toHaveLength(0)
  })

  it('falls back to one record per line for a chunk with a line that may exceed max.message.bytes', async () => {
    const s = fastSink()
    const error = (await pumpRecords({
      sources: [source('stdin', 'ok\n', 'ok\n' + 'x'.repeat(500) + '\n')],
      parse: lineParser({format: 'line'}),
      sink: s,
      maxLineBytes: 1000,
      linesAreValues: true,
      maxRecord: {limit: 300, size: (r) => r.value!.length + 70},
    }).catch((e: unknown) => e)) as KafkitError
    expect(error.message).toBe("line 3: the record is 570 bytes, above the topic's max.message.bytes (300 bytes)")
    expect(s.values).toEqual(['ok@undefined'])
    expect(s.records.map((r) => r.value?.toString())).toEqual(['ok'])
  })

  it('is not used with --rate', async () => {
    const s = fastSink()
    await pumpRecords({sources: [source('stdin', 'a\nb\n')], parse: lineParser({format: 'line'}), sink: s, maxLineBytes: 100, linesAreValues: true, rate: 1000})
    expect(s.calls).toBe(0)
    expect(s.records).toHaveLength(2)
  })
})

describe('summary', () => {
  it('one line with partitions as ranges', () => {
    expect(compactRanges([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8')
    expect(formatSummary({topic: 't', records: 1500, bytes: 2048, partitions: {0: 500, 1: 500, 2: 500}, failed: 0, skipped: 1, durationMs: 1000, recordsPerSecond: 1500, interrupted: false})).toBe(
      "produced 1,500 records (2.00 KiB) to 't' partitions 0-2 in 1.00s, 1,500 records/s, 2.00 KiB/s, 1 invalid line skipped",
    )
  })
})
