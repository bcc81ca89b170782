/**
 * Replay checkpoints: what a replay has copied, saved after every acknowledged batch so that `--resume` after a
 * crash, a SIGKILL or Ctrl-C continues with no gap and no duplicate.
 *
 * One JSON file per replay in `$KAFKIT_STATE_DIR/replay` (else `$XDG_STATE_HOME/kafkit/replay`, else
 * `~/.local/state/kafkit/replay`), named by a hash of what identifies the replay: source cluster id + topic, the
 * FROM/TO specs as written, the partition filter, destination cluster id + topic. The file keeps the window as
 * resolved the first time (so `--from @-2h` means the same offsets on resume) and, per source partition, `next`:
 * the first source offset not yet known to be copied (last copied + 1).
 *
 * Two facts make "no duplicate" hold after a crash:
 * - `next` only moves past a record once it and every earlier record of its partition are acknowledged
 *   (RecordWriter's `committed`), and the file is replaced atomically (write a temp file, rename).
 * - Records acknowledged (or written but never acknowledged) after the last save are found in the destination on
 *   resume: `destination.base[q] + destination.copied[q]` is where the destination partition q stood at the last
 *   save, anything after it is compared with what the replay is about to write (src/replay/resume.ts).
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {KafkitError, ExitCode} from '../errors.js'
import type {PartitionMode, WindowPartition} from './plan.js'

export const CHECKPOINT_VERSION = 1

export interface CheckpointIdentity {
  sourceCluster: string
  sourceTopic: string
  from: string
  to: string
  /** The --partitions filter as given (normalised), or undefined for all. */
  partitions?: number[]
  destinationCluster: string
  destinationTopic: string
}

export interface PartitionProgress {
  /** First source offset not yet known to be copied. */
  next: number
  /** Records copied (acknowledged) from this partition, over all runs. */
  copied: number
}

export interface Checkpoint {
  version: typeof CHECKPOINT_VERSION
  id: string
  identity: CheckpointIdentity
  createdAt: string
  updatedAt: string
  /** The window as resolved by the first run. */
  window: WindowPartition[]
  /** How records were written (a resume writes the same way). */
  options: {mode: PartitionMode; newTimestamps: boolean; grep?: string; headerAdd: [string, string][]}
  progress: Record<string, PartitionProgress>
  destination: {
    /** Destination high watermark per partition before the first write. */
    base: Record<string, number>
    /** Records copied into each destination partition that `progress` accounts for. */
    copied: Record<string, number>
  }
  completed: boolean
}

/** kafkit's state root + `/replay`. */
export function replayStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.KAFKIT_STATE_DIR || (env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, 'kafkit') : join(homedir(), '.local', 'state', 'kafkit'))
  return join(root, 'replay')
}

export function checkpointId(identity: CheckpointIdentity): string {
  const canonical = JSON.stringify([identity.sourceCluster, identity.sourceTopic, identity.from, identity.to, identity.partitions ?? null, identity.destinationCluster, identity.destinationTopic])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

/** `<src>--<dest>--<hash>.json`: the topics make `ls` readable; the hash makes the name unique. */
export function checkpointPath(identity: CheckpointIdentity, dir = replayStateDir()): string {
  const safe = (s: string) => s.replaceAll(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)
  return join(dir, `${safe(identity.sourceTopic)}--${safe(identity.destinationTopic)}--${checkpointId(identity)}.json`)
}

export function newCheckpoint(identity: CheckpointIdentity, window: WindowPartition[], options: Checkpoint['options'], destinationBase: Map<number, number>, now = new Date()): Checkpoint {
  const progress: Record<string, PartitionProgress> = {}
  for (const w of window) progress[w.partition] = {next: w.start, copied: 0}
  const base: Record<string, number> = {}
  const copied: Record<string, number> = {}
  for (const [q, high] of destinationBase) {
    base[q] = high
    copied[q] = 0
  }
  return {
    version: CHECKPOINT_VERSION,
    id: checkpointId(identity),
    identity,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    window,
    options,
    progress,
    destination: {base, copied},
    completed: false,
  }
}

export function loadCheckpoint(path: string): Checkpoint | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new KafkitError('CHECKPOINT_UNREADABLE', `cannot read checkpoint ${path}: ${(error as Error).message}`, {
      exitCode: ExitCode.FAILED,
      hint: 'check the permissions of the state directory (KAFKIT_STATE_DIR)',
    })
  }
  try {
    const parsed = JSON.parse(text) as Checkpoint
    if (parsed.version !== CHECKPOINT_VERSION || !Array.isArray(parsed.window) || typeof parsed.progress !== 'object') throw new Error('unexpected shape')
    return parsed
  } catch (error) {
    throw new KafkitError('CHECKPOINT_CORRUPT', `checkpoint ${path} is not valid (${(error as Error).message})`, {
      exitCode: ExitCode.FAILED,
      hint: 'delete it and start the replay again with --restart (records already copied would be copied again)',
    })
  }
}

/** Replaces the file atomically: a reader (or a crash) sees the old checkpoint or the new one, never half of one. */
export function saveCheckpoint(path: string, checkpoint: Checkpoint, now = new Date()): void {
  checkpoint.updatedAt = now.toISOString()
  const dir = path.slice(0, path.lastIndexOf('/'))
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, JSON.stringify(checkpoint, null, 1) + '\n', {mode: 0o600})
  renameSync(temp, path)
}

export function removeCheckpoint(path: string): void {
  rmSync(path, {force: true})
}

/** Every checkpoint in the state dir (for listing); unreadable files are skipped. */
export function listCheckpoints(dir = replayStateDir()): {path: string; checkpoint: Checkpoint}[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const result: {path: string; checkpoint: Checkpoint}[] = []
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      const checkpoint = loadCheckpoint(join(dir, name))
      if (checkpoint) result.push({path: join(dir, name), checkpoint})
    } catch {
      // not ours to judge here
    }
  }
  return result
}

/** Where each source partition resumes: the checkpoint's `next`, never outside the window. */
export function resumeWindow(checkpoint: Checkpoint): WindowPartition[] {
  return checkpoint.window.map((w) => {
    const next = checkpoint.progress[w.partition]?.next ?? w.start
    return {partition: w.partition, start: Math.min(Math.max(next, w.start), w.end), end: w.end}
  })
}

/** Records known copied over all runs. */
export function copiedSoFar(checkpoint: Checkpoint): number {
  return Object.values(checkpoint.progress).reduce((sum, p) => sum + p.copied, 0)
}

/**
 * Turns the writer's per-source `committed` offsets into checkpoint progress. For each source partition it keeps
 * the records handed to the writer (or found already present in the destination on resume) in source order; when
 * everything up to a record is acknowledged, the records up to it move into `copied` counts and `next` moves past
 * it. `next` and `destination.copied` therefore always describe the same prefix. Pure bookkeeping; the caller
 * saves the checkpoint.
 */
export class ProgressTracker {
  private readonly queues = new Map<number, {offsets: number[]; destinations: number[]; done: boolean[]; head: number}>()

  constructor(private readonly checkpoint: Checkpoint) {}

  private queue(partition: number) {
    let queue = this.queues.get(partition)
    if (!queue) this.queues.set(partition, (queue = {offsets: [], destinations: [], done: [], head: 0}))
    return queue
  }

  /** A record handed to the writer. */
  written(sourcePartition: number, offset: number, destinationPartition: number): void {
    const queue = this.queue(sourcePartition)
    queue.offsets.push(offset)
    queue.destinations.push(destinationPartition)
    queue.done.push(false)
  }

  /** A record found already in the destination (resume): copied once everything before it is. */
  present(sourcePartition: number, offset: number, destinationPartition: number): boolean {
    const queue = this.queue(sourcePartition)
    queue.offsets.push(offset)
    queue.destinations.push(destinationPartition)
    queue.done.push(true)
    return this.drain(sourcePartition)
  }

  /** Everything written from `partition` up to and including `offset` is acknowledged. Returns true when progress moved. */
  committed(partition: number, offset: number): boolean {
    const queue = this.queues.get(partition)
    if (!queue) return false
    for (let i = queue.head; i < queue.offsets.length && queue.offsets[i] <= offset; i++) queue.done[i] = true
    return this.drain(partition)
  }

  private drain(partition: number): boolean {
    const queue = this.queues.get(partition)!
    const progress = (this.checkpoint.progress[partition] ??= {next: 0, copied: 0})
    const copied = this.checkpoint.destination.copied
    let moved = false
    while (queue.head < queue.offsets.length && queue.done[queue.head]) {
      const q = queue.destinations[queue.head]
      copied[q] = (copied[q] ?? 0) + 1
      progress.copied++
      progress.next = Math.max(progress.next, queue.offsets[queue.head] + 1)
      queue.head++
      moved = true
    }
    if (queue.head > 8192 && queue.head * 2 > queue.offsets.length) {
      queue.offsets = queue.offsets.slice(queue.head)
      queue.destinations = queue.destinations.slice(queue.head)
      queue.done = queue.done.slice(queue.head)
      queue.head = 0
    }
    return moved
  }

  /**
   * The partition was read up to `offset` (exclusive) and every record taken from it is copied: records after the
   * last copied one (filtered out by --grep, compacted away, transaction markers) need not be read again.
   */
  readUpTo(partition: number, offset: number): boolean {
    const queue = this.queues.get(partition)
    if (queue && queue.head < queue.offsets.length) return false
    const progress = (this.checkpoint.progress[partition] ??= {next: offset, copied: 0})
    if (offset <= progress.next) return false
    progress.next = offset
    return true
  }

  /** Records written and not yet acknowledged. */
  get pending(): number {
    let n = 0
    for (const q of this.queues.values()) n += q.offsets.length - q.head
    return n
  }
}

/** Where destination partition q stood at the last save: anything after it was written after that save. */
export function destinationCheckpointOffsets(checkpoint: Checkpoint): Map<number, number> {
  const result = new Map<number, number>()
  for (const [q, base] of Object.entries(checkpoint.destination.base)) result.set(Number(q), base + (checkpoint.destination.copied[q] ?? 0))
  return result
}
