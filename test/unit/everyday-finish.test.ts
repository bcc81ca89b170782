/**
 * The pure parts of the last everyday-use items: replay's progress (percent and ETA from the window), the live
 * counter kept off the line the user types into, --transactional's flag rules and its aborted message, and the
 * group consumer's fetch size for `consume --group -c N`.
 */
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {ExitCode, KafkitError} from '../../src/errors.js'
import {fetchBytesFor} from '../../src/kafka/group-reader.js'
import {testStreams} from '../../src/output/io.js'
import {checkProduceFlags, liveCounter, transactionAborted} from '../../src/produce/produce.js'
import {formatProgress, windowProgress} from '../../src/replay/progress.js'

describe('replay progress', () => {
  const window = [
    {partition: 0, start: 100, end: 1100},
    {partition: 1, start: 0, end: 1000},
  ]

  it('starts at 0% of the window, not 100%', () => {
    const p = windowProgress(window, () => undefined)
    expect(p).toEqual({offsetsDone: 0, offsetsTotal: 2000})
    const line = formatProgress({copied: 0, ...p, elapsedMs: 250})
    expect(line).toContain('0% of the window')
    expect(line).not.toContain('ETA')
  })

  it('counts from each partition start to the copy position, capped at its end, and shows an ETA', () => {
    const positions = new Map([
      [0, 600],
      [1, 5000],
    ])
    const p = windowProgress(window, (q) => positions.get(q))
    expect(p).toEqual({offsetsDone: 500 + 1000, offsetsTotal: 2000})
    // 75% after 3 s: 1 s left.
    expect(formatProgress({copied: 1500, ...p, elapsedMs: 3000})).toBe('1,500 records · 500 rec/s · 75% of the window · ETA 1s')
  })

  it('is 100% with no ETA once every partition is at its end', () => {
    const p = windowProgress(window, (q) => (q === 0 ? 1100 : 1000))
    expect(formatProgress({copied: 2000, ...p, elapsedMs: 4000})).toContain('100% of the window')
  })
})

describe('produce live counter', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('is not written while the user types the records on the terminal (stdin a TTY)', () => {
    let now = 0
    const tty = testStreams({stderrTTY: true, stdinTTY: true})
    const counter = liveCounter(
      tty.io,
      () => 3,
      () => now,
    )
    now = 5000
    vi.advanceTimersByTime(2000)
    counter.stop()
    expect(tty.stderr.text()).toBe('')
  })

  it('is written when the input is piped and stderr is a terminal', () => {
    let now = 0
    const tty = testStreams({stderrTTY: true, stdinTTY: false})
    const counter = liveCounter(
      tty.io,
      () => 2000,
      () => now,
    )
    now = 2000
    vi.advanceTimersByTime(250)
    counter.stop()
    expect(tty.stderr.text()).toContain('2,000 records delivered')
  })
})

describe('produce --transactional', () => {
  const base = {format: 'line', acks: -1 as const}
  const usage = (flags: Parameters<typeof checkProduceFlags>[0]) => {
    try {
      checkProduceFlags(flags)
    } catch (error) {
      return error as KafkitError
    }
    return undefined
  }

  it('needs acks=all, the idempotent producer, and no --failed-to (exit 2)', () => {
    expect(usage({...base, transactional: true})).toBeUndefined()
    for (const flags of [
      {...base, acks: 1 as const, transactional: true},
      {...base, acks: 0 as const, transactional: true},
      {...base, idempotent: false, transactional: true},
      {...base, transactional: true, 'failed-to': 'rest.jsonl'},
    ]) {
      const error = usage(flags)
      expect(error?.exitCode).toBe(ExitCode.USAGE)
      expect(error?.message).toMatch(/transactional/)
    }
  })

  it('says nothing is visible after an abort and keeps the cause exit code', () => {
    const info = {topic: 'orders', transactionalId: 'tx-1', records: 60_000, timeoutMs: 60_000}
    const badLine = transactionAborted(new KafkitError('MALFORMED_JSON', 'day.jsonl: line 60001: not valid JSON', {exitCode: ExitCode.USAGE, hint: 'each line must be one JSON object'}), info)
    expect(badLine.exitCode).toBe(ExitCode.USAGE)
    expect(badLine.message).toBe("transaction aborted: none of the 60,000 records written to 'orders' are visible to read-committed readers: day.jsonl: line 60001: not valid JSON")
    expect(badLine.details).toMatchObject({transaction: 'aborted', transactionalId: 'tx-1', abortConfirmed: true})

    const ctrlC = transactionAborted(new KafkitError('INTERRUPTED', 'interrupted', {exitCode: ExitCode.INTERRUPTED}), {...info, records: 1})
    expect(ctrlC.exitCode).toBe(ExitCode.INTERRUPTED)
    expect(ctrlC.message).toBe("transaction aborted: none of the 1 record written to 'orders' is visible to read-committed readers (Ctrl-C)")

    const lost = transactionAborted(new KafkitError('INCOMPLETE', 'partition 2: broker gone', {exitCode: ExitCode.INCOMPLETE}), {
      ...info,
      abortError: new KafkitError('TIMEOUT', 'aborting the transaction was not acknowledged within 10s'),
    })
    expect(lost.exitCode).toBe(ExitCode.INCOMPLETE)
    expect(lost.message).toContain('the abort was not confirmed')
    expect(lost.message).toContain('within 60s (--transaction-timeout)')
  })
})

describe('consume --group -c N fetch size', () => {
  it("asks for about 256 bytes a record between 16 KiB and kafkajs' 1 MiB a partition", () => {
    expect(fetchBytesFor(undefined)).toBeUndefined()
    expect(fetchBytesFor(1)).toEqual({maxBytesPerPartition: 16 * 1024, maxBytes: 64 * 1024})
    expect(fetchBytesFor(1000)?.maxBytesPerPartition).toBe(256_000)
    expect(fetchBytesFor(10_000_000)).toEqual({maxBytesPerPartition: 1 << 20, maxBytes: 4 << 20})
  })
})
