import {mkdtempSync, readFileSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it, vi} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import type {ReadBatch} from '../../src/kafka/reader.js'
import {murmur2} from '../../src/kafka/partitioners.js'
import type {RawRecord} from '../../src/records/envelope.js'
import {
  type CheckpointIdentity,
  checkpointPath,
  copiedSoFar,
  destinationCheckpointOffsets,
  loadCheckpoint,
  newCheckpoint,
  ProgressTracker,
  replayStateDir,
  resumeWindow,
  saveCheckpoint,
} from '../../src/replay/checkpoint.js'
import {copyWindow, emptyCounts, transformRecord} from '../../src/replay/copy.js'
import {choosePartitionMode, deletedBeforeWindow, destinationPartition, isEmptyWindow, parseHeaderAdds, parseWindowSpecs, recordBytes, windowOffsets} from '../../src/replay/plan.js'
import {formatEta as formatDuration} from '../../src/output/numbers.js'
import {formatProgress} from '../../src/replay/progress.js'
import {fingerprint, Reconciler} from '../../src/replay/resume.js'

const rec = (key: string | null, value: string | null, extra: Partial<RawRecord> = {}): RawRecord => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  ...extra,
})

const exitCode = (fn: () => unknown): number | undefined => {
  try {
    fn()
  } catch (error) {
    return (error as KafkitError).exitCode
  }
  return undefined
}

describe('window specs', () => {
  it('parses offsets, times and relative times', () => {
    const now = Date.parse('2026-11-25T12:00:00Z')
    expect(parseWindowSpecs('100', '200', now)).toEqual({from: {kind: 'offset', offset: 100}, to: {kind: 'offset', offset: 200}})
    expect(parseWindowSpecs('@-2h', 'end', now).from).toEqual({kind: 'time', timestamp: now - 7_200_000})
    expect(parseWindowSpecs('@2026-11-24T09:00Z', '@2026-11-24T10:00Z', now).to).toEqual({kind: 'time', timestamp: Date.parse('2026-11-24T10:00:00Z')})
  })

  it('refuses bad specs with exit 2', () => {
    expect(exitCode(() => parseWindowSpecs('yesterday', 'end'))).toBe(2)
    expect(exitCode(() => parseWindowSpecs('stored', 'end'))).toBe(2)
    expect(exitCode(() => parseWindowSpecs('200', '100'))).toBe(2)
    expect(exitCode(() => parseWindowSpecs('@2026-11-24T10:00Z', '@2026-11-24T09:00Z'))).toBe(2)
    expect(exitCode(() => parseWindowSpecs('beginning', 'beginning'))).toBe(2)
  })

  it('counts offsets and detects an empty window', () => {
    const w = [
      {partition: 0, start: 5, end: 10},
      {partition: 1, start: 3, end: 3},
    ]
    expect(windowOffsets(w)).toBe(5)
    expect(isEmptyWindow(w)).toBe(false)
    expect(isEmptyWindow([{partition: 0, start: 3, end: 3}])).toBe(true)
  })

  it('says which partitions start later than --from OFFSET because the records before were deleted', () => {
    const w = [
      {partition: 0, start: 20, end: 20},
      {partition: 1, start: 5, end: 9},
      {partition: 2, start: 3, end: 9},
    ]
    expect(deletedBeforeWindow(w, {kind: 'offset', offset: 5})).toEqual(['partition 0: offsets 5-19 no longer exist (deleted by retention or a truncate); the window starts at 20'])
    // A time or `beginning` starts where the records are: nothing to say.
    expect(deletedBeforeWindow(w, {kind: 'beginning'})).toEqual([])
    expect(deletedBeforeWindow(w, {kind: 'time', timestamp: 0})).toEqual([])
  })
})

describe('flags', () => {
  it('--header-add keeps = in values and refuses a missing name', () => {
    expect(parseHeaderAdds(['replayed-from=orders@2026-11-24T09:00Z', 'a=b=c'])).toEqual([
      ['replayed-from', 'orders@2026-11-24T09:00Z'],
      ['a', 'b=c'],
    ])
    expect(exitCode(() => parseHeaderAdds(['=x']))).toBe(2)
    expect(exitCode(() => parseHeaderAdds(['novalue']))).toBe(2)
  })
})

describe('partitioning', () => {
  it('keeps partitions when the destination has enough, else re-partitions', () => {
    expect(choosePartitionMode({sourcePartitions: [0, 1, 2], destinationCount: 3, destinationTopic: 'd'})).toBe('keep')
    expect(choosePartitionMode({sourcePartitions: [0, 1, 2], destinationCount: 2, destinationTopic: 'd'})).toBe('repartition')
    expect(choosePartitionMode({sourcePartitions: [0], destinationCount: 1, destinationTopic: 'd', repartition: true})).toBe('repartition')
    expect(exitCode(() => choosePartitionMode({sourcePartitions: [0, 5], destinationCount: 3, destinationTopic: 'd', keep: true}))).toBe(2)
  })

  it('re-partitions by key like the Java producer; keyless records follow their source partition', () => {
    expect(destinationPartition('keep', 4, Buffer.from('k'), 6)).toBe(4)
    expect(destinationPartition('repartition', 4, Buffer.from('foobar'), 7)).toBe((murmur2(Buffer.from('foobar')) & 0x7fffffff) % 7)
    expect(destinationPartition('repartition', 5, null, 3)).toBe(2)
  })
})

describe('transformRecord', () => {
  it('keeps key, value, headers and timestamp; adds headers without replacing', () => {
    const source = rec('k', 'v', {partition: 2, offset: 9, timestamp: 1700000000000, headers: {a: Buffer.from('1')}})
    const out = transformRecord(
      source,
      {
        headerAdd: [
          ['a', Buffer.from('2')],
          ['b', Buffer.from('3')],
        ],
        newTimestamps: false,
      },
      1,
    )
    expect(out).toEqual({key: Buffer.from('k'), value: Buffer.from('v'), partition: 1, timestamp: 1700000000000, headers: {a: [Buffer.from('1'), Buffer.from('2')], b: Buffer.from('3')}})
    expect(source.headers).toEqual({a: Buffer.from('1')})
  })

  it('--new-timestamps leaves the timestamp to the producer', () => {
    expect(transformRecord(rec('k', null, {timestamp: 5}), {headerAdd: [], newTimestamps: true}, 0).timestamp).toBeUndefined()
  })

  it('counts key, value and header bytes', () => {
    expect(recordBytes(rec('ab', 'cde', {headers: {h: [Buffer.from('x'), Buffer.from('yz')]}}))).toBe(2 + 3 + 2 + 3)
  })
})

const identity: CheckpointIdentity = {sourceCluster: 'c1', sourceTopic: 'orders', from: '@-2h', to: 'end', destinationCluster: 'c2', destinationTopic: 'orders/replay'}

describe('checkpoints', () => {
  it('lives in KAFKIT_STATE_DIR, else XDG_STATE_HOME, else ~/.local/state', () => {
    expect(replayStateDir({KAFKIT_STATE_DIR: '/s'})).toBe('/s/replay')
    expect(replayStateDir({XDG_STATE_HOME: '/x'})).toBe('/x/kafkit/replay')
    expect(replayStateDir({})).toMatch(/\.local\/state\/kafkit\/replay$/)
  })

  it('is named by what identifies the replay', () => {
    const a = checkpointPath(identity, '/d')
    expect(a).toMatch(/^\/d\/orders--orders_replay--[0-9a-f]{16}\.json$/)
    expect(checkpointPath({...identity}, '/d')).toBe(a)
    expect(checkpointPath({...identity, to: '@-1h'}, '/d')).not.toBe(a)
    expect(checkpointPath({...identity, destinationCluster: 'c3'}, '/d')).not.toBe(a)
    expect(checkpointPath({...identity, partitions: [0]}, '/d')).not.toBe(a)
  })

  it('saves atomically and loads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-cp-'))
    const path = checkpointPath(identity, dir)
    const cp = newCheckpoint(identity, [{partition: 0, start: 10, end: 20}], {mode: 'keep', newTimestamps: false, headerAdd: []}, new Map([[0, 7]]))
    saveCheckpoint(path, cp)
    expect(readdirSync(dir)).toEqual([path.slice(dir.length + 1)])
    expect(loadCheckpoint(path)).toEqual(cp)
    expect(loadCheckpoint(join(dir, 'missing.json'))).toBeUndefined()
    expect(JSON.parse(readFileSync(path, 'utf8')).progress).toEqual({0: {next: 10, copied: 0}})
    expect(destinationCheckpointOffsets(cp)).toEqual(new Map([[0, 7]]))
  })

  it('refuses a corrupt file with a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-cp-'))
    const path = join(dir, 'x.json')
    saveCheckpoint(path, {version: 1} as never)
    expect(() => loadCheckpoint(path)).toThrow(/not valid/)
  })

  it('resumes each partition at next, inside the window', () => {
    const cp = newCheckpoint(
      identity,
      [
        {partition: 0, start: 10, end: 20},
        {partition: 1, start: 0, end: 5},
      ],
      {mode: 'keep', newTimestamps: false, headerAdd: []},
      new Map(),
    )
    cp.progress[0] = {next: 15, copied: 5}
    cp.progress[1] = {next: 99, copied: 5}
    expect(resumeWindow(cp)).toEqual([
      {partition: 0, start: 15, end: 20},
      {partition: 1, start: 5, end: 5},
    ])
    expect(copiedSoFar(cp)).toBe(10)
  })
})

describe('ProgressTracker', () => {
  const fresh = () =>
    newCheckpoint(
      identity,
      [
        {partition: 0, start: 0, end: 100},
        {partition: 1, start: 0, end: 100},
      ],
      {mode: 'repartition', newTimestamps: false, headerAdd: []},
      new Map([
        [0, 50],
        [1, 60],
      ]),
    )

  it('moves next and destination counts only over acknowledged prefixes', () => {
    const cp = fresh()
    const t = new ProgressTracker(cp)
    t.written(0, 0, 0)
    t.written(0, 2, 1) // offset 1 filtered out
    t.written(0, 3, 0)
    expect(t.committed(0, 2)).toBe(true)
    expect(cp.progress[0]).toEqual({next: 3, copied: 2})
    expect(cp.destination.copied).toEqual({0: 1, 1: 1})
    expect(t.pending).toBe(1)
    expect(t.committed(0, 2)).toBe(false)
    t.committed(0, 3)
    expect(cp.progress[0]).toEqual({next: 4, copied: 3})
    expect(destinationCheckpointOffsets(cp)).toEqual(
      new Map([
        [0, 52],
        [1, 61],
      ]),
    )
  })

  it('records already present move with the prefix, not before it', () => {
    const cp = fresh()
    const t = new ProgressTracker(cp)
    t.written(1, 0, 0)
    t.present(1, 1, 1)
    expect(cp.progress[1]).toEqual({next: 0, copied: 0})
    t.committed(1, 0)
    expect(cp.progress[1]).toEqual({next: 2, copied: 2})
    expect(t.present(1, 2, 1)).toBe(true)
    expect(cp.progress[1].next).toBe(3)
  })

  it('readUpTo skips filtered tails only when nothing is pending', () => {
    const cp = fresh()
    const t = new ProgressTracker(cp)
    t.written(0, 5, 0)
    expect(t.readUpTo(0, 40)).toBe(false)
    t.committed(0, 5)
    expect(t.readUpTo(0, 40)).toBe(true)
    expect(cp.progress[0].next).toBe(40)
    expect(t.readUpTo(0, 30)).toBe(false)
  })
})

describe('Reconciler', () => {
  it('matches the prefix of each (source, destination) pair and stops at the first miss', () => {
    const r = new Reconciler(true)
    r.addTail(0, rec('a', '1', {timestamp: 1}))
    r.addTail(0, rec('b', '2', {timestamp: 2}))
    r.addTail(0, rec('x', 'foreign', {timestamp: 3}))
    expect(r.alreadyWritten(0, 0, rec('a', '1', {timestamp: 1}))).toBe(true)
    // Not in the tail: the pair (0, 0) stops matching, even for a later record that is.
    expect(r.alreadyWritten(0, 0, rec('c', '3', {timestamp: 4}))).toBe(false)
    expect(r.alreadyWritten(0, 0, rec('b', '2', {timestamp: 2}))).toBe(false)
    // Another source partition into the same destination partition still matches.
    expect(r.alreadyWritten(1, 0, rec('b', '2', {timestamp: 2}))).toBe(true)
    expect(r.matched).toBe(2)
    expect(r.unmatched).toBe(1)
  })

  it('fingerprints null apart from empty, headers, and timestamps only when kept', () => {
    expect(fingerprint(rec(null, 'v'), true)).not.toBe(fingerprint(rec('', 'v'), true))
    expect(fingerprint(rec('k', 'v', {headers: {h: Buffer.from('1')}}), true)).not.toBe(fingerprint(rec('k', 'v'), true))
    expect(fingerprint(rec('k', 'v', {timestamp: 1}), false)).toBe(fingerprint(rec('k', 'v', {timestamp: 2}), false))
    expect(fingerprint(rec('k', 'v', {timestamp: 1}), true)).not.toBe(fingerprint(rec('k', 'v', {timestamp: 2}), true))
  })
})

async function* batches(list: ReadBatch[]): AsyncGenerator<ReadBatch> {
  for (const b of list) yield b
}

const batch = (partition: number, offsets: number[], nextOffset: number): ReadBatch => ({
  topic: 's',
  partition,
  records: offsets.map((o) => rec(`k${o}`, `v${o}`, {partition, offset: o, timestamp: 1000 + o})),
  nextOffset,
  highWatermark: nextOffset,
  done: false,
})

describe('copyWindow', () => {
  it('filters, transforms, routes and tracks every record in order', async () => {
    const written: {record: RawRecord; source?: {source: string; offset: number}}[] = []
    const cp = newCheckpoint(identity, [{partition: 0, start: 0, end: 10}], {mode: 'keep', newTimestamps: false, headerAdd: []}, new Map([[0, 0]]))
    const tracker = new ProgressTracker(cp)
    const counts = await copyWindow({
      batches: batches([batch(0, [0, 1, 3], 5), batch(0, [5, 6], 10)]),
      // The position object is the loop's own (one per batch): a sink copies what it keeps.
      sink: {write: (record, source) => void written.push({record, source: source && {...source}})},
      route: (p) => p,
      filter: (r) => r.key?.toString() !== 'k1',
      transform: {headerAdd: [['via', Buffer.from('replay')]], newTimestamps: false},
      tracker,
    })
    expect(written.map((w) => w.source)).toEqual([0, 3, 5, 6].map((o) => ({source: '0', offset: o})))
    expect(written[0].record).toEqual({key: Buffer.from('k0'), value: Buffer.from('v0'), partition: 0, timestamp: 1000, headers: {via: Buffer.from('replay')}})
    expect(counts).toMatchObject({read: 5, records: 4, filtered: 1})
    tracker.committed(0, 6)
    tracker.readUpTo(0, 10)
    expect(cp.progress[0]).toEqual({next: 10, copied: 4})
  })

  it('does not write what the destination already has, and stops mid-batch on abort', async () => {
    const reconciler = new Reconciler(true)
    reconciler.addTail(0, {...transformRecord(rec('k0', 'v0', {timestamp: 1000}), {headerAdd: [], newTimestamps: false}, 0)})
    const aborter = new AbortController()
    const written: number[] = []
    const counts = emptyCounts()
    await copyWindow({
      batches: batches([batch(0, [0, 1, 2, 3], 4), batch(0, [4], 5)]),
      sink: {
        write: (_r, source) => {
          written.push(source!.offset)
          if (source!.offset === 2) aborter.abort()
          return undefined
        },
      },
      route: (p) => p,
      transform: {headerAdd: [], newTimestamps: false},
      reconciler,
      signal: aborter.signal,
      counts,
    })
    expect(written).toEqual([1, 2])
    expect(counts.present).toBe(1)
  })

  it('--rate paces the records (on a fake clock: record n is written n/rate seconds after the start)', async () => {
    vi.useFakeTimers()
    try {
      const started = Date.now()
      const writtenAt: number[] = []
      const copying = copyWindow({
        batches: batches([batch(0, [0, 1, 2, 3, 4, 5], 6)]),
        sink: {write: () => void writtenAt.push(Date.now() - started)},
        route: () => 0,
        transform: {headerAdd: [], newTimestamps: false},
        rate: 50,
      })
      await vi.runAllTimersAsync()
      await copying
      expect(writtenAt).toEqual([0, 20, 40, 60, 80, 100])
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('progress', () => {
  it('shows rate, percent of the window and ETA', () => {
    expect(formatProgress({copied: 5000, offsetsDone: 250, offsetsTotal: 1000, elapsedMs: 2000})).toBe('5,000 records · 2,500 rec/s · 25% of the window · ETA 6s')
    expect(formatProgress({copied: 0, offsetsDone: 0, offsetsTotal: 0, elapsedMs: 0})).toBe('0 records · 0 rec/s · 100% of the window')
    expect(formatDuration(3_725_000)).toBe('1h02m')
    expect(formatDuration(65_000)).toBe('1m05s')
  })
})
