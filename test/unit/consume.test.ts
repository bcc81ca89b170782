import {PassThrough} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import type {TopicPartitions} from '../../src/kafka/metadata.js'
import {BatchQueue, parsePartitionList, type ReadBatch, resolveTargets} from '../../src/kafka/reader.js'
import type {RawRecord} from '../../src/records/envelope.js'
import {compileFormat} from '../../src/records/format.js'
import {RecordPrinter} from '../../src/records/format-stream.js'

const topic = (name: string, partitions: number): TopicPartitions => ({
  topic: name,
  partitions: Array.from({length: partitions}, (_, partition) => ({partition, leader: 1, replicas: [1], isr: [1]})),
})
const all = [topic('orders', 3), topic('orders-eu', 2), topic('payments', 1), topic('__consumer_offsets', 50)]

const exitCode = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return (error as KafkitError).exitCode
  }
  return 0
}

describe('resolveTargets', () => {
  it('names: every partition of each topic, in argument order, duplicates once', () => {
    expect(resolveTargets(all, ['payments', 'orders', 'payments'])).toEqual([
      {topic: 'payments', partitions: [0]},
      {topic: 'orders', partitions: [0, 1, 2]},
    ])
  })

  it('an unknown topic is exit 3 with a did-you-mean', () => {
    expect(exitCode(() => resolveTargets(all, ['ordres']))).toBe(3)
    expect(() => resolveTargets(all, ['ordres'])).toThrow(/'ordres' does not exist/)
  })

  it('regex: matching topics, internal ones only when asked for', () => {
    expect(resolveTargets(all, ['^orders'], {regex: true}).map((t) => t.topic)).toEqual(['orders', 'orders-eu'])
    expect(resolveTargets(all, ['.*'], {regex: true}).map((t) => t.topic)).not.toContain('__consumer_offsets')
    expect(resolveTargets(all, ['^__consumer'], {regex: true}).map((t) => t.topic)).toEqual(['__consumer_offsets'])
    expect(exitCode(() => resolveTargets(all, ['^nothing'], {regex: true}))).toBe(3)
    expect(exitCode(() => resolveTargets(all, ['('], {regex: true}))).toBe(2)
  })

  it('partitions: a missing one is exit 3; with a regex it applies where it exists', () => {
    expect(resolveTargets(all, ['orders'], {partitions: [0, 2]})).toEqual([{topic: 'orders', partitions: [0, 2]}])
    expect(exitCode(() => resolveTargets(all, ['orders'], {partitions: [5]}))).toBe(3)
    expect(resolveTargets(all, ['^orders'], {regex: true, partitions: [2]})).toEqual([{topic: 'orders', partitions: [2]}])
  })
})

describe('parsePartitionList', () => {
  it('lists and ranges', () => {
    expect(parsePartitionList('3,0,1-2,3')).toEqual([0, 1, 2, 3])
    expect(exitCode(() => parsePartitionList('a'))).toBe(2)
    expect(exitCode(() => parsePartitionList('3-1'))).toBe(2)
    expect(exitCode(() => parsePartitionList(','))).toBe(2)
  })
})

const rec = (partition: number, offset: number, value = `v${offset}`): RawRecord => ({topic: 't', partition, offset, timestamp: 0, key: null, value: Buffer.from(value)})

describe('RecordPrinter', () => {
  it('writes in chunks and marks positions written only after the write', async () => {
    const stream = new PassThrough()
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    const printer = new RecordPrinter({formatter: compileFormat({format: 'raw'}), stream, chunkBytes: 1024})
    printer.add('t', 0, [rec(0, 0), rec(0, 1)], 2)
    printer.add('t', 1, [rec(1, 5)], 6)
    await printer.flush()
    expect(chunks).toHaveLength(0) // below the chunk size: nothing written, nothing marked
    expect(printer.written.size).toBe(0)
    await printer.flush(true)
    expect(Buffer.concat(chunks).toString()).toBe('v0\nv1\nv5\n')
    expect(chunks).toHaveLength(1)
    expect([...printer.written.values()]).toEqual([
      {topic: 't', partition: 0, next: 2},
      {topic: 't', partition: 1, next: 6},
    ])
  })

  it('stops at --count mid-batch; the position is after the last record written', async () => {
    const stream = new PassThrough()
    stream.resume()
    const printer = new RecordPrinter({formatter: compileFormat({format: 'raw'}), stream, limit: 2})
    expect(printer.add('t', 0, [rec(0, 10), rec(0, 11), rec(0, 12)], 13)).toBe(false)
    await printer.flush(true)
    expect(printer.count).toBe(2)
    expect(printer.written.get('t\u00000')?.next).toBe(12)
  })

  it('--grep: skipped records advance the position without output', async () => {
    const stream = new PassThrough()
    stream.resume()
    const printer = new RecordPrinter({formatter: compileFormat({format: 'raw'}), stream, grep: (r) => r.value!.toString() === 'yes'})
    printer.add('t', 0, [rec(0, 0, 'no'), rec(0, 1, 'no')], 2)
    await printer.flush(true)
    expect(printer.count).toBe(0)
    expect(printer.written.get('t\u00000')?.next).toBe(2)
  })
})

describe('BatchQueue', () => {
  const batch = (n: number): ReadBatch => ({topic: 't', partition: 0, records: [rec(0, n, 'x'.repeat(100))], nextOffset: n + 1, highWatermark: 100, done: false})

  it('hands batches over in order, applies back-pressure, ends', async () => {
    const queue = new BatchQueue(200)
    const pushed: number[] = []
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await queue.push(batch(i))
        pushed.push(i)
      }
      queue.end()
    })()
    await new Promise((r) => setTimeout(r, 10))
    expect(pushed.length).toBeLessThan(5) // waiting for the consumer
    const seen: number[] = []
    for await (const b of queue) seen.push(b.nextOffset - 1)
    await producer
    expect(seen).toEqual([0, 1, 2, 3, 4])
  })

  it('keeps no reference to a batch once it is taken (a slow stdout reader must not pin fetch responses)', async () => {
    const queue = new BatchQueue(1 << 20)
    for (let i = 0; i < 10; i++) await queue.push(batch(i))
    const iterator = queue[Symbol.asyncIterator]()
    const first = (await iterator.next()).value as ReadBatch
    const held = (queue as unknown as {items: unknown[]}).items
    expect(held.filter((item) => (item as {batch?: ReadBatch} | undefined)?.batch === first)).toEqual([])
    expect(queue.length).toBe(9)
  })

  it('close() releases a waiting producer and ends the consumer; fail() surfaces the error', async () => {
    const queue = new BatchQueue(1)
    await queue.push(batch(0))
    const blocked = queue.push(batch(1))
    queue.close()
    await blocked
    const seen: ReadBatch[] = []
    for await (const b of queue) seen.push(b)
    expect(seen.length).toBeLessThanOrEqual(1)

    const failing = new BatchQueue(10)
    failing.fail(new Error('boom'))
    await expect(
      (async () => {
        for await (const _ of failing) void _
      })(),
    ).rejects.toThrow('boom')
  })
})
