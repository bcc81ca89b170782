/**
 * `kafkit produce` beside its command (as replay/ is for `replay`): the flag rules, Ctrl-C handling, the live
 * counter on a terminal and the shape of every outcome (summary, partial failure, interruption), where they can be
 * unit-tested. The command binds flags, opens the writer and renders.
 */
import {realpath, stat} from 'node:fs/promises'
import {resolve} from 'node:path'

import {ExitCode, KafkitError, formatMs, usageError} from '../errors.js'
import type {WriterStats} from '../kafka/writer.js'
import {countOf, formatCount} from '../output/numbers.js'
import type {IOStreams} from '../output/io.js'
import type {InputError} from '../records/input-pump.js'
import type {FailureReport, ProduceSummary} from './summary.js'

/** The flags whose combinations are checked before anything is read or connected. */
export interface ProduceFlagSet {
  format: string
  acks: -1 | 0 | 1
  value?: string
  'value-file'?: string
  file?: string[]
  key?: string
  'key-separator'?: string
  'keep-partition'?: boolean
  partition?: number
  idempotent?: boolean
  transactional?: boolean
  'failed-to'?: string
}

/** Contradicting flags are a usage error (exit 2) naming both. */
export function checkProduceFlags(flags: ProduceFlagSet): void {
  const single = flags.value !== undefined || flags['value-file'] !== undefined
  if (flags.value !== undefined && flags['value-file'] !== undefined) throw usageError('use --value or --value-file, not both')
  if (single && flags.file) throw usageError('--value/--value-file write one record; they do not combine with --file')
  if (flags.key !== undefined && flags['key-separator'] !== undefined) throw usageError('--key and --key-separator both set the key: use one')
  if (flags.format === 'json' && (flags['key-separator'] !== undefined || flags.key !== undefined)) throw usageError('--format json reads keys from the envelope: drop --key/--key-separator')
  if (flags['keep-partition'] && flags.partition !== undefined) throw usageError('--keep-partition and --partition contradict each other')
  if (flags.idempotent && flags.acks !== -1) throw usageError('the idempotent producer needs --acks all', 'drop --idempotent, or use --acks all')
  if (flags.transactional && flags.acks !== -1) throw usageError('--transactional needs --acks all (a transaction is written by the idempotent producer)', 'drop --acks')
  if (flags.transactional && flags.idempotent === false) throw usageError('--transactional needs the idempotent producer', 'drop --no-idempotent')
  if (flags.transactional && flags['failed-to'] !== undefined)
    throw usageError('--failed-to and --transactional: an aborted transaction delivers nothing, there is no rest to retry', 'drop --failed-to: after a failure, run the whole input again')
  if (flags['key-separator'] === '') throw usageError('--key-separator is empty: nothing to split the lines at', "give a separator, e.g. -K ':' or -K '\\t'; drop -K for lines without keys")
}

/** --failed-to must be writable and must not be one of the inputs (it is written after they are read, possibly not to the end). */
export async function checkFailedTo(file: string, inputs: string[]): Promise<void> {
  const info = await stat(file).catch(() => undefined)
  if (info?.isDirectory()) throw usageError(`--failed-to '${file}' is a directory`, 'give a file name, e.g. --failed-to failed.jsonl')
  const real = async (f: string) => realpath(f).catch(() => resolve(f))
  const target = await real(file)
  for (const input of inputs) {
    if ((await real(input)) === target)
      throw usageError(`--failed-to '${file}' is also an input: it would be overwritten before it is read to the end`, 'write the undelivered records to another file, e.g. --failed-to failed-2.jsonl')
  }
}

/** --partition beyond the topic's partitions: exit 3 with the valid range. */
export function partitionNotFound(topic: string, partition: number, partitions: number): KafkitError {
  return new KafkitError('PARTITION_NOT_FOUND', `partition ${partition} does not exist: '${topic}' has ${countOf(partitions, 'partition')} (0-${partitions - 1})`, {
    hint: `kafkit topics describe ${topic}`,
    exitCode: ExitCode.NOT_FOUND,
  })
}

/** What `produce` reports (stderr, or stdout with --json) once the writer is closed. */
export function produceSummary(topic: string, stats: WriterStats, skipped: number, interrupted: boolean, durationMs: number): ProduceSummary {
  return {
    topic,
    records: stats.delivered,
    bytes: stats.bytes,
    partitions: stats.partitions,
    failed: stats.failed,
    skipped,
    durationMs,
    recordsPerSecond: durationMs > 0 ? Math.round((stats.delivered * 1000) / durationMs) : stats.delivered,
    interrupted,
  }
}

/**
 * Exit 5 after records were not delivered: how many of how many, the first cause, and what is safe to retry
 * (the --failed-to file, and the input not read); `report` (per partition) becomes the --json error's details.
 */
export function incompleteError(stats: Pick<WriterStats, 'delivered' | 'failed' | 'uncertain' | 'firstError'>, report: FailureReport, failedTo: string | undefined): KafkitError {
  const cause = stats.firstError
  const n = (count: number) => formatCount(count)
  const uncertain = stats.uncertain > 0 ? `${n(stats.uncertain)} of them got no answer and may be in the topic: check before retrying those; ` : ''
  const rest = report.notRead ? `, then the input from ${report.notRead.source === 'stdin' ? '' : `${report.notRead.source} `}line ${n(report.notRead.line)} on` : ''
  const retry =
    failedTo === undefined
      ? `${uncertain}resending all the input would duplicate the ${n(stats.delivered)} delivered records: --failed-to FILE writes the undelivered ones to retry${rest ? ` (${rest.slice(2)})` : ''}`
      : `${uncertain}retry only what was not delivered: kafkit produce ${report.topic} --format json -f ${failedTo}${rest}`
  const total = stats.delivered + stats.failed
  return new KafkitError(
    cause?.code === 'RECORD_TOO_LARGE' ? 'RECORD_TOO_LARGE' : 'INCOMPLETE',
    `${n(stats.failed)} of ${n(total)} record${total === 1 ? '' : 's'} ${stats.failed === 1 ? 'was' : 'were'} not delivered to '${report.topic}' (${n(stats.delivered)} delivered)${cause ? `: ${cause.message}` : ''}`,
    {
      hint: stats.delivered > 0 || report.notRead ? retry : (cause?.hint ?? retry),
      exitCode: ExitCode.INCOMPLETE,
      cause,
      details: {...report, ...(cause?.hint ? {cause: cause.hint} : {})},
    },
  )
}

/** A bad line stopped the input: its own error, saying how many records before it were delivered. */
export function inputFailure(error: InputError, stats: Pick<WriterStats, 'delivered' | 'failed'>, details: object = {}): KafkitError {
  const done = `${stats.delivered} record${stats.delivered === 1 ? '' : 's'} before it ${stats.delivered === 1 ? 'was' : 'were'} delivered${stats.failed > 0 ? `, ${stats.failed} failed` : ''}`
  return new KafkitError(error.code, `${error.message} (${done})`, {hint: error.hint, exitCode: error.exitCode, details: {line: error.line, source: error.source, ...details}})
}

/** Ctrl-C: what was read was delivered; exit 130. */
export function interruptedError(summary: ProduceSummary): KafkitError {
  return new KafkitError('INTERRUPTED', `interrupted: ${countOf(summary.records, 'record')} read before Ctrl-C ${summary.records === 1 ? 'was' : 'were'} delivered, 0 failed`, {
    exitCode: ExitCode.INTERRUPTED,
    details: {...summary},
  })
}

/** A transactional.id of kafkit's own for --transactional without --transactional-id (one per run). */
export function defaultTransactionalId(topic: string, random: string): string {
  return `kafkit-produce-${topic}-${random}`
}

/**
 * --transactional after a failure, a bad line or Ctrl-C: the transaction was aborted (or, if the abort was not
 * confirmed, the broker aborts it once the transaction timeout passes), so nothing read is visible to
 * read-committed readers. The exit code is the cause's (2 bad line, 5 delivery, 130 Ctrl-C, ...).
 */
export function transactionAborted(cause: KafkitError, info: {topic: string; transactionalId: string; records: number; timeoutMs: number; abortError?: KafkitError}): KafkitError {
  const what = `transaction aborted: none of the ${countOf(info.records, 'record')} written to '${info.topic}' ${info.records === 1 ? 'is' : 'are'} visible to read-committed readers`
  const unconfirmed = info.abortError ? `; the abort was not confirmed (${info.abortError.message}): the broker aborts the transaction within ${formatMs(info.timeoutMs)} (--transaction-timeout)` : ''
  const interrupted = cause.exitCode === ExitCode.INTERRUPTED
  return new KafkitError(interrupted ? 'INTERRUPTED' : cause.code, `${what}${interrupted ? ' (Ctrl-C)' : `: ${cause.message}`}${unconfirmed}`, {
    hint: interrupted ? 'run the same command again to write the whole input' : `${cause.hint ? `${cause.hint}; then ` : ''}run the same command again: the whole input is written anew`,
    exitCode: cause.exitCode,
    cause,
    details: {transaction: 'aborted', transactionalId: info.transactionalId, records: info.records, abortConfirmed: !info.abortError, cause: cause.message},
  })
}

interface SignalSource {
  on(event: 'SIGINT', listener: () => void): unknown
  off(event: 'SIGINT', listener: () => void): unknown
}

/**
 * The first Ctrl-C aborts `aborter` (reading stops, what was read is flushed); a second one leaves at once with
 * exit 130. Returns the function that stops listening.
 */
export function onInterrupt(aborter: AbortController, exit: (code: number) => void = (code) => process.exit(code), source: SignalSource = process): () => void {
  const listener = () => {
    if (aborter.signal.aborted) exit(ExitCode.INTERRUPTED)
    aborter.abort()
  }
  source.on('SIGINT', listener)
  return () => source.off('SIGINT', listener)
}

/**
 * "123,456 records delivered (8,000/s)" on a terminal's stderr, refreshed 4 times a second after the first second.
 * Not while the user types the records on that terminal (stdin a TTY): the counter would share the line being
 * typed; the summary after Ctrl-D says what was delivered (README "produce").
 */
export function liveCounter(io: IOStreams, delivered: () => number, now: () => number = Date.now): {stop: () => void} {
  if (!io.stderrIsTTY || io.json || io.stdinIsTTY) return {stop() {}}
  const started = now()
  let shown = false
  const timer = setInterval(() => {
    if (now() - started < 1000) return
    shown = true
    const count = delivered()
    const rate = Math.round((count * 1000) / (now() - started))
    io.stderr.write(`\r\u001B[K${formatCount(count)} records delivered (${formatCount(rate)}/s)`)
  }, 250)
  timer.unref()
  return {
    stop: () => {
      clearInterval(timer)
      if (shown) io.stderr.write('\r\u001B[K')
    },
  }
}

/** --key / --value with a schema: the text is JSON (a string is "quoted"); anything else is exit 2. */
export function parseJsonFlag(text: string, flag: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw usageError(`${flag}: not valid JSON with a schema: ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`, `e.g. ${flag} '{"sku":"A1","qty":2}' (a string is "quoted")`, 'MALFORMED_JSON')
  }
}
