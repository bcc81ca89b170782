/**
 * The produce loop without Kafka: sources -> lines -> records -> a sink (the RecordWriter). Pure enough to unit
 * test with a fake sink: line numbers, --skip-invalid, --rate, size checks and interruption live here.
 */
import {KafkitError, ExitCode} from '../errors.js'
import type {RawRecord} from './envelope.js'
import {LineParser, lineOf, readLineChunks} from './input.js'

export interface RecordSink {
  /** Returns a promise only when the caller must wait (backpressure). The record's `inputSource`/`inputLine` are set. */
  write(record: RawRecord): Promise<void> | undefined
  /**
   * The fast lane (see `PumpOptions.linesAreValues`): lines `[from, to)` of `data` (`bounds` as in LineChunk),
   * each the value of a keyless, headerless record with this timestamp (or now). Line `i` is `origin.firstLine + i`
   * of input `origin.source` (an index into `sources`).
   */
  writeValues?(data: Buffer, bounds: readonly number[], from: number, to: number, timestamp: number | undefined, origin: {source: number; firstLine: number}): Promise<void> | undefined
}

export interface InputSource {
  /** Shown in messages: a file name, or 'stdin'. */
  name: string
  open: () => AsyncIterable<Buffer | string>
}

export interface SkippedLine {
  source: string
  line: number
  reason: string
}

export interface PumpOptions {
  sources: InputSource[]
  parse: LineParser
  sink: RecordSink
  maxLineBytes: number
  skipInvalid?: boolean
  /** Every record gets this timestamp (ms). */
  timestamp?: number
  /** Records per second, at most. */
  rate?: number
  /** A record whose single-record batch exceeds this is refused (max.message.bytes); size function given. */
  maxRecord?: {limit: number; size: (record: RawRecord) => number}
  /**
   * `parse` makes every line the value of a keyless record without headers (plain lines): whole chunks may then
   * go to `sink.writeValues` without a record object per line (unless --rate, `check` or an oversized line need
   * each record).
   */
  linesAreValues?: boolean
  /**
   * With linesAreValues: each chunk's lines -> the values to write (JSON -> a schema's wire format), or undefined
   * to take that chunk line by line through `parse` (a blank line, a line that does not fit).
   */
  encodeValues?: (data: Buffer, bounds: readonly number[]) => {data: Buffer; bounds: readonly number[]} | undefined
  /** Validates a record before it is written (e.g. an envelope's partition); throw a KafkitError to refuse. */
  check?: (record: RawRecord, where: () => string) => void
  /** Stops reading (Ctrl-C); what was read is still handed to the sink. */
  signal?: AbortSignal
  onSkip?: (skipped: SkippedLine) => void
  /** Called after each chunk, for a live counter. */
  onProgress?: (read: number) => void
}

export interface PumpResult {
  /** Records handed to the sink. */
  read: number
  skipped: number
  interrupted: boolean
}

/** A bad line: the caller adds how many records were delivered before it. */
export class InputError extends KafkitError {
  constructor(
    readonly inner: KafkitError,
    readonly source: string,
    readonly line: number,
  ) {
    super(inner.code, inner.message, {hint: inner.hint, exitCode: inner.exitCode, details: {source, line}})
  }
}

export async function pumpRecords(options: PumpOptions): Promise<PumpResult> {
  const result: PumpResult = {read: 0, skipped: 0, interrupted: false}
  // --rate's clock starts once the first record is in the sink's hands (its first write may wait for the
  // connection): started at the call, the records due during the connection went out in one burst.
  let started = Date.now()
  const {sink, parse, signal} = options
  const multi = options.sources.length > 1
  const fastLane = options.linesAreValues && !options.rate && !options.check && sink.writeValues ? sink.writeValues.bind(sink) : undefined
  // Values this long or shorter certainly fit max.message.bytes as keyless records (the exact check is per record).
  const valueLimit = options.maxRecord ? options.maxRecord.limit - KEYLESS_RECORD_BATCH_OVERHEAD : Number.POSITIVE_INFINITY
  for (const [sourceIndex, source] of options.sources.entries()) {
    const where = (line: number) => (multi || source.name !== 'stdin' ? `${source.name}: line ${line}` : `line ${line}`)
    const reject = (error: unknown, line: number): void => {
      const kerr = error instanceof KafkitError ? error : new KafkitError('MALFORMED_LINE', String((error as Error)?.message ?? error), {exitCode: ExitCode.USAGE})
      const message = kerr.message.startsWith(`line ${line}`) && (multi || source.name !== 'stdin') ? `${source.name}: ${kerr.message}` : kerr.message
      if (options.skipInvalid) {
        result.skipped++
        options.onSkip?.({source: source.name, line, reason: message})
        return
      }
      throw new InputError(new KafkitError(kerr.code, message, {hint: kerr.hint, exitCode: kerr.exitCode}), source.name, line)
    }
    const chunks = readLineChunks(source.open(), {
      maxLineBytes: options.maxLineBytes,
      onTooLong: (line, bytes) =>
        reject(
          new KafkitError('LINE_TOO_LONG', `line ${line} is longer than --max-line-bytes (${bytes} bytes or more > ${options.maxLineBytes})`, {
            hint: 'raise --max-line-bytes, or pass --skip-invalid to skip such lines',
            exitCode: ExitCode.USAGE,
          }),
          line,
        ),
    })
    try {
      for await (const chunk of chunks) {
        const {bounds, firstLine} = chunk
        const count = bounds.length / 2
        const values = fastLane && options.encodeValues ? options.encodeValues(chunk.data, bounds) : chunk
        if (fastLane && values && fitsFastLane(values.bounds, valueLimit)) {
          if (signal?.aborted) {
            result.interrupted = true
            return result
          }
          const pending = fastLane(values.data, values.bounds, 0, count, options.timestamp, {source: sourceIndex, firstLine})
          result.read += count
          if (pending) await pending
          options.onProgress?.(result.read)
          continue
        }
        for (let i = 0; i < count; i++) {
          const lineNumber = firstLine + i
          let record: RawRecord | null
          try {
            record = parse(lineOf(chunk, i), lineNumber)
            if (record === null) continue
            if (options.timestamp !== undefined) record.timestamp = options.timestamp
            options.check?.(record, () => where(lineNumber))
            if (options.maxRecord) {
              const size = options.maxRecord.size(record)
              if (size > options.maxRecord.limit) {
                throw new KafkitError('RECORD_TOO_LARGE', `line ${lineNumber}: the record is ${size} bytes, above the topic's max.message.bytes (${options.maxRecord.limit} bytes)`, {
                  hint: "raise the topic's max.message.bytes, compress (--compression), or pass --skip-invalid to skip it",
                  exitCode: ExitCode.INCOMPLETE,
                })
              }
            }
          } catch (error) {
            reject(error, lineNumber)
            continue
          }
          if (options.rate) {
            const due = started + (result.read * 1000) / options.rate
            const wait = due - Date.now()
            if (wait > 0) await sleep(wait, signal)
          }
          if (signal?.aborted) {
            result.interrupted = true
            return result
          }
          record.inputSource = sourceIndex
          record.inputLine = lineNumber
          const pending = sink.write(record)
          result.read++
          if (pending) await pending
          if (result.read === 1) started = Date.now()
        }
        options.onProgress?.(result.read)
        if (signal?.aborted) {
          result.interrupted = true
          return result
        }
      }
    } catch (error) {
      if (signal?.aborted && !(error instanceof KafkitError)) {
        result.interrupted = true
        return result
      }
      throw error
    }
  }
  return result
}

/** A bound of what a RecordBatch holding one keyless, headerless record adds to its value (61 + varints). */
const KEYLESS_RECORD_BATCH_OVERHEAD = 80

function fitsFastLane(bounds: readonly number[], valueLimit: number): boolean {
  if (valueLimit === Number.POSITIVE_INFINITY) return true
  for (let i = 0; i < bounds.length; i += 2) if (bounds[i + 1] - bounds[i] > valueLimit) return false
  return true
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, {once: true})
  })
}
