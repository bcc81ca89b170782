/**
 * Replay window planning: FROM/TO specs -> per-partition [start, end) source offsets, the `--partitions` filter,
 * where each record goes in the destination (keep the partition or re-partition by key), and the small parsers
 * of the command's flags (`--header-add k=v`). The cluster look-up is `planWindow`; everything else is
 * pure and unit-tested.
 */
import {usageError} from '../errors.js'
import type {ReaderSession} from '../kafka/reader.js'
import {murmur2Partitioner, NO_KEY} from '../kafka/partitioners.js'
import type {RawRecord} from '../records/envelope.js'
import {checkWindowOrder, type OffsetSpec, parseOffsetSpec} from '../specs/offset-spec.js'

/** One source partition's part of the window: offsets `start` (inclusive) to `end` (exclusive). */
export interface WindowPartition {
  partition: number
  start: number
  end: number
}

export interface ReplayWindow {
  topic: string
  /** The specs as the user wrote them (checkpoint identity) and as resolved (for display). */
  from: string
  to: string
  partitions: WindowPartition[]
}

export interface WindowSpecs {
  from: OffsetSpec
  to: OffsetSpec
}

/** --from / --to. `stored` means nothing here (replay has no group). A TO before FROM is caught when both are absolute. */
export function parseWindowSpecs(from: string, to: string, now = Date.now()): WindowSpecs {
  const fromSpec = parseOffsetSpec(from, now, '--from')
  const toSpec = parseOffsetSpec(to, now, '--to')
  for (const [flag, spec] of [
    ['--from', fromSpec],
    ['--to', toSpec],
  ] as const) {
    if (spec.kind === 'stored') throw usageError(`${flag}: 'stored' needs a consumer group, and replay has none`, 'use an offset, a time or beginning/end, e.g. --from @-2h', 'BAD_SPEC')
  }
  checkWindowOrder(fromSpec, toSpec)
  if (toSpec.kind === 'beginning') throw usageError('--to beginning makes an empty window', 'end with an offset, a time or end', 'BAD_SPEC')
  return {from: fromSpec, to: toSpec}
}

/** `--header-add k=v` (repeatable) -> [name, value] pairs, in order; the value may contain `=`. */
export function parseHeaderAdds(inputs: string[]): [string, string][] {
  return inputs.map((input) => {
    const i = input.indexOf('=')
    if (i <= 0) throw usageError(`--header-add: '${input}' is not NAME=VALUE`, 'e.g. --header-add replayed-from=orders@2026-11-24T09:00Z', 'BAD_HEADER')
    return [input.slice(0, i), input.slice(i + 1)]
  })
}

/** Offsets in the window (an upper bound of its records: compaction and transaction markers leave gaps). */
export function windowOffsets(window: WindowPartition[]): number {
  return window.reduce((sum, p) => sum + (p.end - p.start), 0)
}

export function isEmptyWindow(window: WindowPartition[]): boolean {
  return windowOffsets(window) === 0
}

/**
 * Resolves the window against the source cluster with the shared reader's planning (read committed: a window
 * ends at the last stable offset). The end offsets are read once, so the window is fixed when the replay starts:
 * records written afterwards are not copied.
 */
export async function planWindow(session: ReaderSession, topic: string, partitions: number[], specs: WindowSpecs): Promise<WindowPartition[]> {
  const windows = await session.planWindows([{topic, partitions}], {from: specs.from, to: specs.to})
  return windows.map((w) => ({partition: w.partition, start: w.start, end: Math.max(w.start, w.end ?? w.start)})).sort((x, y) => x.partition - y.partition)
}

/**
 * A `--from OFFSET` below a partition's log start begins at the log start (resolveStart clamps it up): the
 * records before it are gone (retention, `topics truncate`). One line per such partition, so a window that
 * came out shorter or empty says why.
 */
export function deletedBeforeWindow(window: WindowPartition[], from: WindowSpecs['from']): string[] {
  if (from.kind !== 'offset') return []
  return window
    .filter((w) => w.start > from.offset)
    .map((w) => `partition ${w.partition}: offsets ${from.offset}-${w.start - 1} no longer exist (deleted by retention or a truncate); the window starts at ${w.start}`)
}

export type PartitionMode = 'keep' | 'repartition'

/**
 * Keep partitions when the destination has at least as many (the default then, `--keep-partition`), else
 * re-partition by key (`--repartition`). Asking to keep partitions the destination lacks is a usage error.
 */
export function choosePartitionMode(options: {keep?: boolean; repartition?: boolean; sourcePartitions: number[]; destinationCount: number; destinationTopic: string}): PartitionMode {
  const {keep, repartition, sourcePartitions, destinationCount} = options
  if (keep && repartition) throw usageError('--keep-partition and --repartition exclude each other', 'pick one')
  if (repartition) return 'repartition'
  const highest = Math.max(-1, ...sourcePartitions)
  if (highest < destinationCount) return 'keep'
  if (keep) {
    throw usageError(
      `--keep-partition: '${options.destinationTopic}' has ${destinationCount} partition(s), the window uses partition ${highest}`,
      `add partitions to it ('kafkit topics add-partitions') or use --repartition`,
      'PARTITION_MISMATCH',
    )
  }
  return 'repartition'
}

/**
 * Where a record goes. Re-partitioning uses the Java producer's murmur2 (same key -> same partition as a Java
 * service). Keyless records go to `source partition % count`: deterministic (so a resumed replay can tell what
 * it already wrote) and order-preserving within a source partition.
 */
export function destinationPartition(mode: PartitionMode, sourcePartition: number, key: Buffer | null, destinationCount: number): number {
  if (mode === 'keep') return sourcePartition
  const p = murmur2Partitioner(key, destinationCount)
  return p === NO_KEY ? sourcePartition % destinationCount : p
}

/** Bytes a record occupies for `--dry-run`: key + value + header names and values (no protocol overhead). */
export function recordBytes(record: RawRecord): number {
  let bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0)
  if (record.headers) {
    for (const [name, value] of Object.entries(record.headers)) {
      for (const v of Array.isArray(value) ? value : [value]) bytes += Buffer.byteLength(name) + (v?.length ?? 0)
    }
  }
  return bytes
}
