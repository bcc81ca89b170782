/**
 * `replay --parallel N`: the source partitions are split among N worker threads, each with its own reader,
 * producer and connections, so that reading, encoding and writing use more than one core. Each partition is
 * copied by one worker, in order, and (partitions kept, the only mode allowed here) each destination partition
 * has one writer. The main thread owns the checkpoint: workers post their partitions' progress (what
 * checkpoint.ts's tracker says is acknowledged) and the main thread merges and saves it, so the file is the same
 * as a one-worker replay's and `--resume` works with any N. Data flow: docs/ARCHITECTURE.md (Replay).
 */
import {type MessagePort, Worker} from 'node:worker_threads'

import {KafkitError} from '../errors.js'
import type {KafkaConnection} from '../kafka/connection.js'
import {compileGrep} from '../records/format.js'
import type {Checkpoint, PartitionProgress} from './checkpoint.js'
import {type CopyCounts, emptyCounts, type PartitionCount} from './copy.js'
import {windowProgress} from './progress.js'
import {destinationPartition, type PartitionMode, type WindowPartition} from './plan.js'
import type {CopyRunResult} from './run-copy.js'
import type {CompressionName, WriterStats} from '../kafka/writer.js'

export interface Endpoint {
  connection: KafkaConnection
  timeoutMs: number
}

/** What a worker is given (structured-cloned into it). */
export interface WorkerTask {
  source: Endpoint
  /** Another cluster; undefined: the source one. */
  destination?: Endpoint
  sourceTopic: string
  destinationTopic: string
  destinationCount: number
  window: WindowPartition[]
  checkpoint: Checkpoint
  resumed: boolean
  options: {grep?: string; headerAdd: [string, string][]; newTimestamps: boolean; mode: PartitionMode; rate?: number}
  compression: CompressionName
  requestTimeoutMs: number
  maxMessageBytes?: number
}

interface SerializedError {
  code?: string
  message: string
  hint?: string
  exitCode?: number
  details?: Record<string, unknown>
}

type WorkerMessage =
  | {type: 'progress'; progress: Record<string, PartitionProgress>; copied: Record<string, number>; offsetsDone: number; records: number}
  | {type: 'log'; level: 'info' | 'warn'; line: string}
  | {
      type: 'done'
      counts: Omit<CopyCounts, 'partitions'> & {partitions: [number, PartitionCount][]}
      stats: Omit<WriterStats, 'firstError'> & {firstError?: SerializedError}
      failure?: SerializedError
      windowDone: boolean
      unmatched: number
    }

export interface ParallelParams extends Omit<WorkerTask, 'window' | 'resumed' | 'checkpoint'> {
  workers: number
  window: WindowPartition[]
  checkpoint: Checkpoint
  resumed: boolean
  signal?: AbortSignal
  info(line: string): void
  warn(line: string): void
  save(force: boolean): void
  progress?(offsetsDone: number, copied: number): void
}

/** Partitions to workers: the largest first, each to the least loaded worker (records left to copy). */
export function splitWindow(window: WindowPartition[], workers: number): WindowPartition[][] {
  const shares = Array.from({length: workers}, () => ({load: 0, partitions: [] as WindowPartition[]}))
  for (const w of [...window].sort((a, b) => b.end - b.start - (a.end - a.start) || a.partition - b.partition)) {
    const least = shares.reduce((min, s) => (s.load < min.load ? s : min))
    least.partitions.push(w)
    least.load += w.end - w.start
  }
  return shares.map((s) => s.partitions.sort((a, b) => a.partition - b.partition)).filter((p) => p.length > 0)
}

/** dist/bundle/replay-worker.js, from the bundle (any chunk or entry) or from the sources (tests). */
function workerFile(): URL {
  const here = import.meta.url
  const at = here.lastIndexOf('/dist/')
  return new URL(at >= 0 ? `${here.slice(0, at)}/dist/bundle/replay-worker.js` : '../../dist/bundle/replay-worker.js', here)
}

export async function copyInWorkers(params: ParallelParams): Promise<CopyRunResult> {
  const shares = splitWindow(params.window, params.workers)
  const cp = params.checkpoint
  const done: Extract<WorkerMessage, {type: 'done'}>[] = []
  const live = shares.map(() => ({offsetsDone: 0, records: 0}))
  const ticker = params.progress
    ? setInterval(() => {
        params.progress!(
          live.reduce((n, l) => n + l.offsetsDone, 0),
          live.reduce((n, l) => n + l.records, 0),
        )
      }, 250)
    : undefined
  ticker?.unref()
  const workers: Worker[] = []
  const stop = () => {
    for (const w of workers) w.postMessage({type: 'stop'})
  }
  params.signal?.addEventListener('abort', stop)
  try {
    await Promise.all(
      shares.map(
        (window, i) =>
          new Promise<void>((resolve) => {
            const task: WorkerTask = {
              source: params.source,
              destination: params.destination,
              sourceTopic: params.sourceTopic,
              destinationTopic: params.destinationTopic,
              destinationCount: params.destinationCount,
              window,
              checkpoint: cp,
              resumed: params.resumed,
              options: {...params.options, rate: params.options.rate === undefined ? undefined : Math.max(1, Math.floor(params.options.rate / shares.length))},
              compression: params.compression,
              requestTimeoutMs: params.requestTimeoutMs,
              maxMessageBytes: params.maxMessageBytes,
            }
            const worker = new Worker(workerFile(), {workerData: task})
            workers.push(worker)
            if (params.signal?.aborted) worker.postMessage({type: 'stop'})
            let finished = false
            worker.on('message', (message: WorkerMessage) => {
              if (message.type === 'log') {
                if (message.level === 'warn') params.warn(message.line)
                else params.info(message.line)
              } else if (message.type === 'progress') {
                // Each worker owns its partitions' entries (partitions kept: destination q = source p).
                Object.assign(cp.progress, message.progress)
                Object.assign(cp.destination.copied, message.copied)
                live[i] = {offsetsDone: message.offsetsDone, records: message.records}
                params.save(false)
              } else {
                finished = true
                done.push(message)
                resolve()
              }
            })
            worker.on('error', (error) => {
              if (!finished) {
                finished = true
                done.push(crashed(window, error.message))
              }
            })
            worker.on('exit', (code) => {
              if (!finished) done.push(crashed(window, `exit code ${code}`))
              resolve()
            })
          }),
      ),
    )
  } finally {
    if (ticker) clearInterval(ticker)
    params.signal?.removeEventListener('abort', stop)
    // Each has said its last word ('done') or ended: nothing of theirs is needed any more.
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return merge(done)
}

/** A worker that ended without a word: nothing is known to be copied beyond what it reported. */
function crashed(window: WindowPartition[], why: string): Extract<WorkerMessage, {type: 'done'}> {
  const {partitions: _p, ...counts} = emptyCounts()
  return {
    type: 'done',
    counts: {...counts, partitions: []},
    stats: {written: 0, delivered: 0, failed: 0, uncertain: 0, bytes: 0, partitions: {}, failedPartitions: {}, requests: 0},
    failure: {code: 'WORKER_FAILED', message: `the worker copying partition${window.length === 1 ? '' : 's'} ${window.map((w) => w.partition).join(',')} stopped: ${why}`},
    windowDone: false,
    unmatched: 0,
  }
}

function revive(error: SerializedError | undefined): KafkitError | undefined {
  if (!error) return undefined
  return new KafkitError(error.code ?? 'FAILED', error.message, {hint: error.hint, exitCode: error.exitCode, details: error.details})
}

function merge(results: Extract<WorkerMessage, {type: 'done'}>[]): CopyRunResult {
  const counts = emptyCounts()
  const stats: WriterStats = {written: 0, delivered: 0, failed: 0, uncertain: 0, bytes: 0, partitions: {}, failedPartitions: {}, requests: 0}
  let failure: unknown
  let unmatched = 0
  let windowDone = true
  for (const r of results) {
    counts.read += r.counts.read
    counts.records += r.counts.records
    counts.bytes += r.counts.bytes
    counts.filtered += r.counts.filtered
    counts.present += r.counts.present
    for (const [p, c] of r.counts.partitions) counts.partitions.set(p, c)
    for (const k of ['written', 'delivered', 'failed', 'uncertain', 'bytes', 'requests'] as const) stats[k] += r.stats[k]
    Object.assign(stats.partitions, r.stats.partitions)
    Object.assign(stats.failedPartitions, r.stats.failedPartitions)
    stats.firstError ??= revive(r.stats.firstError)
    failure ??= revive(r.failure)
    unmatched += r.unmatched
    windowDone &&= r.windowDone
  }
  return {counts, stats, failure, windowDone, unmatched}
}

const serialize = (error: unknown): SerializedError | undefined => {
  if (error === undefined) return undefined
  const e = error as Partial<KafkitError> & {message?: string}
  return {code: e.code, message: e.message ?? String(error), hint: e.hint, exitCode: e.exitCode, details: e.details}
}

/** The worker's side (worker.ts): copy its share with the same code as a one-worker replay, report to `port`. */
export async function runWorker(task: WorkerTask, port: MessagePort): Promise<void> {
  const aborter = new AbortController()
  const onMessage = (message: {type: string}) => {
    if (message.type === 'stop') aborter.abort()
  }
  port.on('message', onMessage)
  const log = (level: 'info' | 'warn') => (line: string) => port.postMessage({type: 'log', level, line})
  const cp = task.checkpoint
  const mine = task.window.map((w) => w.partition)
  let counts: CopyCounts | undefined
  let lastPost = 0
  const report = (force: boolean) => {
    if (!force && Date.now() - lastPost < 100) return
    lastPost = Date.now()
    const progress: Record<string, PartitionProgress> = {}
    const copied: Record<string, number> = {}
    for (const p of mine) {
      if (cp.progress[p]) progress[p] = cp.progress[p]
      if (cp.destination.copied[p] !== undefined) copied[p] = cp.destination.copied[p]
    }
    // The copy loop's position, not the reader's prefetch (see progressTicker in replay.ts).
    const {offsetsDone} = windowProgress(task.window, (p) => counts?.partitions.get(p)?.next)
    port.postMessage({type: 'progress', progress, copied, offsetsDone, records: counts?.records ?? 0})
  }
  const [{createClient}, {ReaderSession}, {copyRun}] = await Promise.all([import('../kafka/client.js'), import('../kafka/reader.js'), import('./run-copy.js')])
  let result: CopyRunResult | undefined
  let failure: unknown
  const source = await createClient(task.source.connection, {timeoutMs: task.source.timeoutMs})
  const destination = task.destination ? await createClient(task.destination.connection, {timeoutMs: task.destination.timeoutMs}) : source
  const sourceSession = await ReaderSession.open(source)
  const destinationSession = destination === source ? sourceSession : await ReaderSession.open(destination)
  try {
    const {mode, newTimestamps, headerAdd, grep} = task.options
    result = await copyRun({
      sourceSession,
      sourceTopic: task.sourceTopic,
      destination,
      destinationSession,
      destinationTopic: task.destinationTopic,
      destinationCount: task.destinationCount,
      window: task.window,
      checkpoint: cp,
      resumed: task.resumed,
      tailPartitions: mine,
      route: (p, record) => destinationPartition(mode, p, record.key, task.destinationCount),
      filter: compileGrep(grep),
      transform: {headerAdd: headerAdd.map(([k, v]) => [k, Buffer.from(v)] as [string, Buffer]), newTimestamps},
      compression: task.compression,
      rate: task.options.rate,
      requestTimeoutMs: task.requestTimeoutMs,
      maxMessageBytes: task.maxMessageBytes,
      signal: aborter.signal,
      info: log('info'),
      warn: log('warn'),
      save: report,
      onCounts: (c) => (counts = c),
    })
  } catch (error) {
    failure = error
  } finally {
    if (destinationSession !== sourceSession) await destinationSession.close()
    await sourceSession.close()
    if (destination !== source) await destination.disconnect()
    await source.disconnect()
  }
  report(true)
  const c = result?.counts ?? emptyCounts()
  const {firstError, ...stats} = result?.stats ?? {written: 0, delivered: 0, failed: 0, uncertain: 0, bytes: 0, partitions: {}, failedPartitions: {}, requests: 0}
  port.postMessage({
    type: 'done',
    counts: {read: c.read, records: c.records, bytes: c.bytes, filtered: c.filtered, present: c.present, partitions: [...c.partitions]},
    stats: {...stats, firstError: serialize(firstError)},
    failure: serialize(failure ?? result?.failure),
    windowDone: result?.windowDone ?? false,
    unmatched: result?.unmatched ?? 0,
  } satisfies WorkerMessage)
  // A listening port keeps the thread alive: let it end.
  port.off('message', onMessage)
  port.unref()
}
