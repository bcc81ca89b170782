/**
 * `produce` with injected IOStreams (fake stdin/stdout/stderr): its flag paths and rendering run in-process, and
 * its domain module (src/produce/produce.ts) is tested on its own. The round trip uses the real broker.
 */
import {EventEmitter} from 'node:events'
import {Readable} from 'node:stream'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {injectIOStreams} from '../../src/base-command.js'
import Consume from '../../src/commands/consume.js'
import Produce from '../../src/commands/produce.js'
import TopicsCreate from '../../src/commands/topics/create.js'
import TopicsDelete from '../../src/commands/topics/delete.js'
import {KafkitError} from '../../src/errors.js'
import {testStreams} from '../../src/output/io.js'
import {runInProcess} from './in-process.js'
import {checkProduceFlags, incompleteError, liveCounter, onInterrupt, produceSummary} from '../../src/produce/produce.js'

const brokers = process.env.KAFKIT_TEST_BROKERS ?? '127.0.0.1:9092'

const run = runInProcess

afterEach(() => injectIOStreams())

describe('produce flag paths on fake streams', () => {
  it('contradicting flags: one error line on stderr, exit 2, nothing on stdout', async () => {
    const r = await run(Produce, ['t', '--value', 'x', '--file', 'a.txt'])
    expect(r.exit).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('error: --value/--value-file write one record; they do not combine with --file\n')
  })

  it('--json: the error is one JSON object on stderr', async () => {
    const r = await run(Produce, ['t', '--idempotent', '--acks', '1', '--json'])
    expect(r.exit).toBe(2)
    expect(r.stdout).toBe('')
    expect(JSON.parse(r.stderr)).toMatchObject({error: {code: 'USAGE', message: 'the idempotent producer needs --acks all'}})
  })

  it('a missing --file is exit 2 before anything connects', async () => {
    const r = await run(Produce, ['t', '--file', '/nonexistent/records.txt', '-b', '127.0.0.1:1'])
    expect(r.exit).toBe(2)
    expect(r.stderr).toContain("cannot read '/nonexistent/records.txt': no such file")
  })

  it('no colour on a fake terminal with --no-color', async () => {
    const r = await run(Produce, ['t', '--key', 'k', '-K', ':', '--no-color'], {stderrTTY: true})
    expect(r.stderr).toBe('error: --key and --key-separator both set the key: use one\n')
  })

  it('colour on a fake terminal', async () => {
    const r = await run(Produce, ['t', '--key', 'k', '-K', ':'], {stderrTTY: true})
    expect(r.stderr).toContain('\u001B[31m')
  })
})

describe('produce domain module', () => {
  it('flag rules', () => {
    expect(() => checkProduceFlags({format: 'json', acks: -1, key: 'k'})).toThrow(/--format json reads keys from the envelope/)
    expect(() => checkProduceFlags({format: 'line', acks: -1, 'keep-partition': true, partition: 1})).toThrow(/contradict/)
    expect(() => checkProduceFlags({format: 'line', acks: -1, value: 'v', key: 'k'})).not.toThrow()
  })

  it('a partial failure is exit 5 naming both counts, the first cause and what is safe to retry', () => {
    const cause = new KafkitError('RECORD_TOO_LARGE', 'the record is too large', {hint: 'raise max.message.bytes'})
    const report = {topic: 't', delivered: 9, failed: 1} as never
    const error = incompleteError({delivered: 9, failed: 1, uncertain: 0, firstError: cause}, report, undefined)
    expect(error).toMatchObject({code: 'RECORD_TOO_LARGE', exitCode: 5, details: {topic: 't', cause: 'raise max.message.bytes'}})
    expect(error.message).toBe("1 of 10 records was not delivered to 't' (9 delivered): the record is too large")
    expect(error.hint).toBe('resending all the input would duplicate the 9 delivered records: --failed-to FILE writes the undelivered ones to retry')
    expect(incompleteError({delivered: 9, failed: 1, uncertain: 0, firstError: cause}, report, 'failed.jsonl').hint).toBe(
      'retry only what was not delivered: kafkit produce t --format json -f failed.jsonl',
    )
  })

  it('the summary counts what was delivered', () => {
    const summary = produceSummary('t', {delivered: 1500, failed: 0, bytes: 2048, partitions: [0, 1]} as never, 1, false, 1000)
    expect(summary).toMatchObject({topic: 't', records: 1500, recordsPerSecond: 1500, skipped: 1, interrupted: false})
  })

  it('the first Ctrl-C stops reading, the second leaves with exit 130', () => {
    const signals = new EventEmitter()
    const aborter = new AbortController()
    const exit = vi.fn()
    const stop = onInterrupt(aborter, exit, signals as never)
    signals.emit('SIGINT')
    expect(aborter.signal.aborted).toBe(true)
    expect(exit).not.toHaveBeenCalled()
    signals.emit('SIGINT')
    expect(exit).toHaveBeenCalledWith(130)
    stop()
    expect(signals.listenerCount('SIGINT')).toBe(0)
  })

  it('the live counter writes on a terminal only, after the first second, and clears its line', () => {
    vi.useFakeTimers()
    try {
      let now = 0
      const tty = testStreams({stderrTTY: true})
      const counter = liveCounter(
        tty.io,
        () => 1500,
        () => now,
      )
      vi.advanceTimersByTime(500)
      expect(tty.stderr.text()).toBe('')
      now = 1500
      vi.advanceTimersByTime(250)
      expect(tty.stderr.text()).toBe('\r\u001B[K1,500 records delivered (1,000/s)')
      counter.stop()
      expect(tty.stderr.text()).toBe('\r\u001B[K1,500 records delivered (1,000/s)\r\u001B[K')
      const pipe = testStreams({stderrTTY: false})
      liveCounter(
        pipe.io,
        () => 1500,
        () => now,
      ).stop()
      expect(pipe.stderr.text()).toBe('')
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('produce and consume in-process on fake streams (real broker)', () => {
  it('2,000 lines from a fake stdin come back, in order, on a fake stdout', async () => {
    const topic = `arch-iostreams-${Date.now().toString(36)}`
    const lines = Array.from({length: 2000}, (_, i) => `record-${i}`)
    expect((await run(TopicsCreate, [topic, '--partitions', '1', '-b', brokers])).exit).toBe(0)
    try {
      const produced = await run(Produce, [topic, '-b', brokers], {stdin: Readable.from([lines.join('\n') + '\n'])})
      expect(produced.exit).toBe(0)
      expect(produced.stdout).toBe('')
      expect(produced.stderr).toMatch(new RegExp(`^produced 2,000 records \\(\\S+ KiB\\) to '${topic}' partition 0 in `))
      const consumed = await run(Consume, [topic, '--from', 'beginning', '-e', '-b', brokers])
      expect(consumed.exit).toBe(0)
      expect(consumed.stdout).toBe(lines.join('\n') + '\n')
    } finally {
      await run(TopicsDelete, [topic, '--yes', '-b', brokers])
    }
  })
})
