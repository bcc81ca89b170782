/**
 * One replay, end to end: plan (or load the checkpoint), dry run or copy, checkpoint after every acknowledged
 * request, reconcile on resume, summary. The command (src/commands/replay.ts) parses flags, builds the two
 * clients and renders; this module owns the order of things.
 */
import {ExitCode, KafkitError, refusedError, notFoundError} from '../errors.js'
import type {KafkaClient} from '../kafka/client.js'
import {clusterId} from '../kafka/cluster-info.js'
import {topicMaxMessageBytes} from '../kafka/topics.js'
import {ReaderSession, resolveTargets} from '../kafka/reader.js'
import {COMPRESSIONS, type CompressionName} from '../kafka/writer.js'
import type {RawRecord} from '../records/envelope.js'
import {type Checkpoint, type CheckpointIdentity, checkpointPath, copiedSoFar, loadCheckpoint, newCheckpoint, replayStateDir, removeCheckpoint, resumeWindow, saveCheckpoint} from './checkpoint.js'
import {windowProgress} from './progress.js'
import {copyWindow, emptyCounts, type CopyCounts, type CopyParams, type RecordSink} from './copy.js'
import {compileGrep} from '../records/format.js'
import {choosePartitionMode, deletedBeforeWindow, destinationPartition, planWindow, type PartitionMode, type WindowPartition, type WindowSpecs, windowOffsets} from './plan.js'
import {copyRun, type CopyRunResult} from './run-copy.js'
import {countOf} from '../output/numbers.js'

export {COMPRESSIONS}

export interface ReplayOptions {
  sourceTopic: string
  destinationTopic: string
  /** The specs as written (checkpoint identity) and parsed. */
  from: string
  to: string
  specs: WindowSpecs
  partitions?: number[]
  keepPartition?: boolean
  repartition?: boolean
  newTimestamps: boolean
  grep?: string
  headerAdd: [string, string][]
  rate?: number
  compression: CompressionName
  dryRun: boolean
  resume: boolean
  restart: boolean
  allowSameTopic: boolean
  /** Replay across schema registries: rewrites the ids of wire-format keys and values (src/schemas/id-mapper.ts). */
  schemaIds?: CopyParams['schemaIds']
  /** Worker threads copying partitions side by side (`--parallel N`; 1 = the main thread copies). */
  parallel?: number
  /** Directory of checkpoints (tests); default replayStateDir(). */
  stateDir?: string
  requestTimeoutMs: number
}

export interface ReplayHooks {
  info(line: string): void
  warn(line: string): void
  /** Progress for the TTY line: called about 4× a second while copying. */
  progress?(snapshot: {copied: number; offsetsDone: number; offsetsTotal: number; elapsedMs: number}): void
  /** Ctrl-C / SIGTERM: the replay stops reading, flushes, saves and returns interrupted. */
  signal?: AbortSignal
}

export interface ReplayPartitionSummary {
  partition: number
  /** Source offsets of this run: start (inclusive) and end (exclusive). */
  start: number
  end: number
  /** Records copied (dry run: that would be copied) this run. */
  records: number
  bytes: number
  /** Destination partition (keep mode), or null when records are spread by key. */
  destination: number | null
}

export interface ReplaySummary {
  source: {topic: string; cluster: string; profile: string}
  destination: {topic: string; cluster: string; profile: string}
  window: {from: string; to: string; offsets: number; partitions: {partition: number; start: number; end: number}[]}
  mode: PartitionMode
  dryRun: boolean
  resumed: boolean
  empty: boolean
  complete: boolean
  interrupted: boolean
  /** This run. */
  records: number
  bytes: number
  /** Left out by --grep. */
  filtered: number
  /** Found already in the destination on resume (written by the interrupted run after its last checkpoint). */
  alreadyPresent: number
  failed: number
  /** Copied over all runs of this replay (resumes included). */
  totalCopied: number
  partitions: ReplayPartitionSummary[]
  durationMs: number
  recordsPerSecond: number
  checkpoint: string | null
  /** Replay across schema registries: each source schema id met, its subject and its id in the destination registry. */
  schemas?: {sourceId: number; subject: string | null; destinationId: number | null; action: string}[]
}

export interface Endpoint {
  client: KafkaClient
  profile: string
}

export async function runReplay(source: Endpoint, destination: Endpoint, options: ReplayOptions, hooks: ReplayHooks): Promise<ReplaySummary> {
  const started = Date.now()
  const sourceSession = await ReaderSession.open(source.client)
  const destinationSession = destination.client === source.client ? sourceSession : await ReaderSession.open(destination.client)
  try {
    const [sourceTopics, destinationTopics] = await Promise.all([sourceSession.topics(), destination.client === source.client ? undefined : destinationSession.topics()])
    const [target] = resolveTargets(sourceTopics, [options.sourceTopic], {partitions: options.partitions})
    const [destinationTarget] = resolveTargets(destinationTopics ?? sourceTopics, [options.destinationTopic])
    const destinationCount = destinationTarget.partitions.length

    const [sourceCluster, destinationCluster] = await Promise.all([clusterId(source.client), destination.client === source.client ? undefined : clusterId(destination.client)])
    const destCluster = destinationCluster ?? sourceCluster
    if (sourceCluster === destCluster && options.sourceTopic === options.destinationTopic && !options.allowSameTopic) {
      throw refusedError(
        `source and destination are the same topic '${options.sourceTopic}' on the same cluster`,
        'copying a topic into itself duplicates the window; pass --allow-same-topic if that is what you want',
        'SAME_TOPIC',
      )
    }

    const identity: CheckpointIdentity = {
      sourceCluster,
      sourceTopic: options.sourceTopic,
      from: options.from,
      to: options.to,
      partitions: options.partitions,
      destinationCluster: destCluster,
      destinationTopic: options.destinationTopic,
    }
    const path = checkpointPath(identity, options.stateDir ?? replayStateDir())
    const existing = loadCheckpoint(path)

    let checkpoint: Checkpoint | undefined
    let window: WindowPartition[]
    let mode: PartitionMode
    let grep = options.grep
    let headerAdd = options.headerAdd
    let newTimestamps = options.newTimestamps
    const resumed = options.resume && !options.dryRun
    if (options.resume) {
      if (!existing) {
        throw notFoundError(
          'CHECKPOINT_NOT_FOUND',
          `no checkpoint of a replay from '${options.sourceTopic}' (--from ${options.from} --to ${options.to}) to '${options.destinationTopic}'`,
          'run the same command without --resume to start it; --from, --to and --partitions must match the first run',
        )
      }
      checkpoint = existing
      assertSameOptions(existing, options)
      mode = existing.options.mode
      grep = existing.options.grep
      headerAdd = existing.options.headerAdd
      newTimestamps = existing.options.newTimestamps
      window = resumeWindow(existing)
      if (existing.completed) hooks.info(`this replay completed at ${existing.updatedAt}: nothing left to copy`)
    } else {
      if (existing && !existing.completed && !options.restart && !options.dryRun) {
        throw refusedError(
          `an interrupted replay of this window exists (${countOf(copiedSoFar(existing), 'record')} copied, checkpoint ${existing.updatedAt})`,
          'continue it with --resume (no gap, no duplicate), or copy the whole window again with --restart',
          'CHECKPOINT_EXISTS',
        )
      }
      window = await planWindow(sourceSession, options.sourceTopic, target.partitions, options.specs)
      for (const line of deletedBeforeWindow(window, options.specs.from)) hooks.warn(`'${options.sourceTopic}' ${line}`)
      mode = choosePartitionMode({keep: options.keepPartition, repartition: options.repartition, sourcePartitions: target.partitions, destinationCount, destinationTopic: options.destinationTopic})
    }

    const offsets = windowOffsets(window)
    const summary: ReplaySummary = {
      source: {topic: options.sourceTopic, cluster: sourceCluster, profile: source.profile},
      destination: {topic: options.destinationTopic, cluster: destCluster, profile: destination.profile},
      window: {from: options.from, to: options.to, offsets, partitions: (checkpoint?.window ?? window).map(({partition, start, end}) => ({partition, start, end}))},
      mode,
      dryRun: options.dryRun,
      resumed,
      empty: offsets === 0 && !checkpoint,
      complete: false,
      interrupted: false,
      records: 0,
      bytes: 0,
      filtered: 0,
      alreadyPresent: 0,
      failed: 0,
      totalCopied: checkpoint ? copiedSoFar(checkpoint) : 0,
      partitions: [],
      durationMs: 0,
      recordsPerSecond: 0,
      checkpoint: null,
    }
    const finish = (counts: CopyCounts) => {
      summary.records = counts.records
      summary.bytes = counts.bytes
      summary.filtered = counts.filtered
      summary.alreadyPresent = counts.present
      summary.partitions = window.map((w) => {
        const c = counts.partitions.get(w.partition)
        return {partition: w.partition, start: w.start, end: w.end, records: c?.records ?? 0, bytes: c?.bytes ?? 0, destination: mode === 'keep' ? w.partition : null}
      })
      summary.durationMs = Date.now() - started
      summary.recordsPerSecond = summary.durationMs > 0 ? Math.round((summary.records * 1000) / summary.durationMs) : summary.records
      return summary
    }

    if (offsets === 0) {
      if (checkpoint) {
        summary.complete = true
        summary.checkpoint = path
        if (!checkpoint.completed) {
          checkpoint.completed = true
          saveCheckpoint(path, checkpoint)
        }
      } else {
        hooks.info(`the window is empty: no records in '${options.sourceTopic}' between ${options.from} and ${options.to}; nothing copied`)
        summary.complete = true
      }
      return finish(emptyCounts())
    }

    const filter = compileGrep(grep)
    const transform = {headerAdd: headerAdd.map(([k, v]) => [k, Buffer.from(v)] as [string, Buffer]), newTimestamps}
    const route = (p: number, record: RawRecord) => destinationPartition(mode, p, record.key, destinationCount)
    const readerWindows = window.map((w) => ({topic: options.sourceTopic, partition: w.partition, start: w.start, end: w.end}))

    if (options.dryRun) {
      const reader = sourceSession.read(readerWindows)
      const counts = emptyCounts()
      const sink: RecordSink = {write: () => undefined}
      const stopReader = () => reader.stop()
      hooks.signal?.addEventListener('abort', stopReader)
      const ticker = progressTicker(hooks, () => counts, window, started)
      try {
        await copyWindow({batches: reader, sink, route, filter, transform, counts, signal: hooks.signal, schemaIds: options.schemaIds})
      } finally {
        ticker.stop()
        hooks.signal?.removeEventListener('abort', stopReader)
        await reader.close()
      }
      summary.interrupted = Boolean(hooks.signal?.aborted)
      summary.complete = !summary.interrupted
      return finish(counts)
    }

    // A fresh run saves its checkpoint (window, options, where the destination stood) before writing anything.
    const fresh = !checkpoint
    if (!checkpoint) {
      const destinationPartitions = Array.from({length: destinationCount}, (_, q) => q)
      const marks = await destinationSession.watermarks(options.destinationTopic, destinationPartitions)
      checkpoint = newCheckpoint(identity, window, {mode, newTimestamps, grep, headerAdd}, new Map(marks.map((m) => [m.partition, m.high])))
      saveCheckpoint(path, checkpoint)
    }
    summary.checkpoint = path
    const cp = checkpoint

    let dirty = false
    let lastSave = 0
    const save = (force = false) => {
      if (!dirty && !force) return
      // At most 5 saves a second: each save covers every ack before it, and what was acknowledged after the last
      // save is found in the destination on resume (readDestinationTail), so waiting loses nothing.
      if (!force && Date.now() - lastSave < 200) return
      saveCheckpoint(path, cp)
      dirty = false
      lastSave = Date.now()
    }
    const maxMessageBytes = await topicMaxMessageBytes(destination.client, options.destinationTopic)
    const common = {
      sourceTopic: options.sourceTopic,
      destinationTopic: options.destinationTopic,
      destinationCount,
      checkpoint: cp,
      resumed,
      compression: options.compression,
      requestTimeoutMs: options.requestTimeoutMs,
      maxMessageBytes,
      signal: hooks.signal,
      info: hooks.info,
      warn: hooks.warn,
      save: (force: boolean) => {
        dirty = true
        save(force)
      },
      // A fresh replay that cannot even open its producer (auth, ACLs) has written nothing: no checkpoint to resume.
      onOpenFailed: () => {
        if (fresh) removeCheckpoint(path)
      },
    }
    const workers = parallelWorkers(options, mode, window, source, destination, hooks)
    let result: CopyRunResult
    if (workers > 1) {
      const {copyInWorkers} = await import('./parallel.js')
      result = await copyInWorkers({
        ...common,
        workers,
        window,
        source: {connection: source.client.connection, timeoutMs: source.client.options.timeoutMs},
        destination: destination.client === source.client ? undefined : {connection: destination.client.connection, timeoutMs: destination.client.options.timeoutMs},
        options: {grep, headerAdd, newTimestamps, mode, rate: options.rate},
        progress: hooks.progress ? (offsetsDone: number, copied: number) => hooks.progress!({copied, offsetsDone, offsetsTotal: offsets, elapsedMs: Date.now() - started}) : undefined,
      })
    } else {
      let live: CopyCounts | undefined
      const ticker = progressTicker(hooks, () => live, window, started)
      try {
        result = await copyRun({
          ...common,
          sourceSession,
          destination: destination.client,
          destinationSession,
          window,
          route,
          filter,
          transform,
          rate: options.rate,
          schemaIds: options.schemaIds,
          onCounts: (c) => (live = c),
        })
      } finally {
        ticker.stop()
      }
    }
    const {counts, stats, failure} = result
    const interrupted = Boolean(hooks.signal?.aborted)
    const done = !failure && !interrupted && stats.failed === 0 && result.windowDone
    if (done) cp.completed = true
    save(true)

    // Records handed to the writer and not acknowledged are the records not copied.
    counts.records = stats.delivered
    summary.failed = stats.failed
    summary.totalCopied = copiedSoFar(cp)
    summary.interrupted = interrupted
    summary.complete = done
    if (result.unmatched > 0) {
      hooks.warn(`${countOf(result.unmatched, 'record')} in '${options.destinationTopic}' after the checkpoint did not come from this replay (another producer?); they were left alone`)
    }
    finish(counts)
    if (failure || stats.failed > 0) {
      const cause = (stats.firstError ?? failure) as KafkitError | Error | undefined
      throw new KafkitError('INCOMPLETE', `${countOf(stats.failed, 'record')} not copied (${countOf(stats.delivered, 'record')} copied this run)${cause ? `: ${cause.message}` : ''}`, {
        hint: 'fix the cause, then run the same command with --resume: it continues after the last acknowledged record',
        exitCode: ExitCode.INCOMPLETE,
        cause,
        details: {copied: stats.delivered, failed: stats.failed, totalCopied: summary.totalCopied, checkpoint: path},
      })
    }
    return summary
  } finally {
    if (destinationSession !== sourceSession) await destinationSession.close()
    await sourceSession.close()
  }
}

/** Resume with different output options would make the destination inconsistent: refuse, and say which. */
function assertSameOptions(checkpoint: Checkpoint, options: ReplayOptions): void {
  const differences: string[] = []
  const was = checkpoint.options
  if (options.repartition && was.mode !== 'repartition') differences.push('--repartition')
  if (options.keepPartition && was.mode !== 'keep') differences.push('--keep-partition')
  if (options.newTimestamps !== was.newTimestamps) differences.push('--new-timestamps')
  if ((options.grep ?? undefined) !== (was.grep ?? undefined)) differences.push('--grep')
  if (JSON.stringify(options.headerAdd) !== JSON.stringify(was.headerAdd)) differences.push('--header-add')
  if (differences.length > 0) {
    throw new KafkitError('RESUME_OPTIONS_DIFFER', `--resume: ${differences.join(', ')} differ${differences.length === 1 ? 's' : ''} from the interrupted run`, {
      hint: 'resume with the same options as the first run, or start again with --restart',
      exitCode: ExitCode.USAGE,
    })
  }
}

function progressTicker(hooks: ReplayHooks, counts: () => CopyCounts | undefined, window: WindowPartition[], started: number): {stop(): void} {
  if (!hooks.progress) return {stop() {}}
  // The copy loop's position, not the reader's: the reader prefetches ahead (a small window is read at once) and
  // would say 100% before anything is copied.
  const timer = setInterval(() => {
    const live = counts()
    const {offsetsDone, offsetsTotal} = windowProgress(window, (p) => live?.partitions.get(p)?.next)
    hooks.progress!({copied: live?.records ?? 0, offsetsDone, offsetsTotal, elapsedMs: Date.now() - started})
  }, 250)
  timer.unref()
  return {stop: () => clearInterval(timer)}
}

/**
 * How many workers copy (`--parallel N`): at most one per source partition with records to copy, and 1 where
 * workers cannot be used — records spread by key (a destination partition would get several writers, and resume
 * counts on one writer per destination partition), schema ids rewritten across registries, or a connection whose
 * credentials are code (OAUTHBEARER, MSK IAM tokens) that a worker thread cannot receive.
 */
function parallelWorkers(options: ReplayOptions, mode: PartitionMode, window: WindowPartition[], source: Endpoint, destination: Endpoint, hooks: ReplayHooks): number {
  const asked = options.parallel ?? 1
  if (asked <= 1) return 1
  const busy = window.filter((w) => w.end > w.start).length
  const why =
    mode !== 'keep'
      ? 'records are spread by key (--repartition): each destination partition must have one writer'
      : options.schemaIds
        ? 'schema ids are rewritten for another registry'
        : !cloneable([source.client.connection, destination.client.connection])
          ? 'the connection settings hold code (e.g. an OAUTHBEARER token provider) that a worker cannot receive'
          : undefined
  if (why) {
    hooks.warn(`--parallel ${asked}: copying with one worker, as ${why}`)
    return 1
  }
  return Math.max(1, Math.min(asked, busy))
}

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value)
    return true
  } catch {
    return false
  }
}
