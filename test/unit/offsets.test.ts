import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {formatCsv, parseCsv} from '../../src/offsets/csv.js'
import {buildPlan, selectPartitions, type PlanInputs} from '../../src/offsets/plan.js'
import {encodeGroup, listSnapshots, loadSnapshot, saveSnapshot, snapshotId, stateDir} from '../../src/offsets/snapshots.js'
import {describeStrategy, parseResetDuration, parseStrategy, parseTopicScope, type Strategy} from '../../src/offsets/strategy.js'
import {partitionKey} from '../../src/groups/lag.js'

const NOW = Date.parse('2026-11-25T12:00:00Z')

describe('parseStrategy', () => {
  it('parses each kafka-consumer-groups strategy', () => {
    expect(parseStrategy({'to-earliest': true})).toEqual({kind: 'earliest'})
    expect(parseStrategy({'to-latest': true})).toEqual({kind: 'latest'})
    expect(parseStrategy({'to-current': true})).toEqual({kind: 'current'})
    expect(parseStrategy({'to-offset': '42'})).toEqual({kind: 'offset', offset: 42})
    expect(parseStrategy({'shift-by': '-5'})).toEqual({kind: 'shift', by: -5})
    expect(parseStrategy({'shift-by': '+5'})).toEqual({kind: 'shift', by: 5})
    expect(parseStrategy({'to-datetime': '2026-11-24T09:00:00Z'}, NOW)).toEqual({kind: 'datetime', timestamp: Date.parse('2026-11-24T09:00:00Z')})
    expect(parseStrategy({'to-datetime': '2026-11-24T09:00:00.000'}, NOW)).toEqual({kind: 'datetime', timestamp: Date.parse('2026-11-24T09:00:00Z')})
    expect(parseStrategy({'by-duration': '2h'}, NOW)).toEqual({kind: 'duration', ms: 7_200_000, timestamp: NOW - 7_200_000})
    expect(parseStrategy({'from-file': 'x.csv'})).toEqual({kind: 'file', path: 'x.csv'})
  })

  it('exits 2 on conflicting or missing strategies', () => {
    expect(() => parseStrategy({'to-earliest': true, 'to-latest': true})).toThrow(expect.objectContaining({exitCode: 2, code: 'CONFLICTING_STRATEGIES'}))
    expect(() => parseStrategy({'to-earliest': false})).toThrow(expect.objectContaining({exitCode: 2, code: 'NO_STRATEGY'}))
  })

  it('exits 2 with an example on a bad datetime, duration or offset', () => {
    expect(() => parseStrategy({'to-datetime': 'yesterday'})).toThrow(expect.objectContaining({exitCode: 2, hint: expect.stringContaining('2026-11-24T09:00:00Z')}))
    expect(() => parseStrategy({'by-duration': 'soon'})).toThrow(expect.objectContaining({exitCode: 2, hint: expect.stringContaining('--by-duration 2h')}))
    expect(() => parseStrategy({'to-offset': '-1'})).toThrow(expect.objectContaining({exitCode: 2}))
    expect(() => parseStrategy({'shift-by': 'x'})).toThrow(expect.objectContaining({exitCode: 2}))
  })

  it('reads ISO-8601 durations as kafka-consumer-groups does', () => {
    expect(parseResetDuration('PT2H')).toBe(7_200_000)
    expect(parseResetDuration('P1DT30M')).toBe(86_400_000 + 1_800_000)
    expect(parseResetDuration('1h30m')).toBe(5_400_000)
    expect(parseResetDuration('-30m')).toBe(1_800_000)
    expect(() => parseResetDuration('P')).toThrow(expect.objectContaining({exitCode: 2}))
  })

  it('describes a strategy', () => {
    expect(describeStrategy({kind: 'shift', by: -3})).toBe('--shift-by -3')
  })
})

describe('parseTopicScope', () => {
  it('reads TOPIC and TOPIC:P,P', () => {
    expect(parseTopicScope('orders')).toEqual({topic: 'orders'})
    expect(parseTopicScope('orders:2,0,2')).toEqual({topic: 'orders', partitions: [0, 2]})
    expect(() => parseTopicScope('orders:a')).toThrow(expect.objectContaining({exitCode: 2}))
  })
})

const wms = new Map([['t', [0, 1, 2].map((partition) => ({partition, low: 10, high: 100}))]])
const all = [0, 1, 2].map((partition) => ({topic: 't', partition}))
const committed = [
  {topic: 't', partition: 0, offset: 50},
  {topic: 't', partition: 1, offset: 95},
]
const plan = (strategy: Strategy, extra: Partial<PlanInputs> = {}) =>
  buildPlan({group: 'g', strategy, partitions: all, watermarks: wms, committed, strategyLabel: describeStrategy(strategy), ...extra})

describe('buildPlan', () => {
  it('to-earliest / to-latest', () => {
    expect(plan({kind: 'earliest'}).rows.map((r) => r.target)).toEqual([10, 10, 10])
    const latest = plan({kind: 'latest'})
    expect(latest.rows.map((r) => [r.current, r.target, r.delta, r.lagAfter])).toEqual([
      [50, 100, 50, 0],
      [95, 100, 5, 0],
      [null, 100, null, 0],
    ])
    expect(latest.changes).toBe(3)
  })

  it('clamps out-of-range targets with a warning, as Kafka does', () => {
    const p = plan({kind: 'offset', offset: 500})
    expect(p.rows.every((r) => r.target === 100 && r.requested === 500 && r.clamped === 'latest')).toBe(true)
    expect(p.warnings).toHaveLength(3)
    const low = plan({kind: 'offset', offset: 3})
    expect(low.rows[0]).toMatchObject({target: 10, clamped: 'earliest'})
  })

  it('shift-by moves committed offsets and clamps; refuses partitions without a commit', () => {
    expect(() => plan({kind: 'shift', by: 10})).toThrow(expect.objectContaining({exitCode: 2, code: 'NO_COMMITTED_OFFSET'}))
    const p = plan({kind: 'shift', by: 10}, {partitions: all.slice(0, 2)})
    expect(p.rows.map((r) => [r.target, r.delta, r.clamped])).toEqual([
      [60, 10, undefined],
      [100, 5, 'latest'],
    ])
  })

  it('to-current keeps commits and puts uncommitted partitions at the end', () => {
    const p = plan({kind: 'current'})
    expect(p.rows.map((r) => r.target)).toEqual([50, 95, 100])
    expect(p.changes).toBe(1)
  })

  it('datetime uses the offsets at that time, the log end where none is that new', () => {
    const atTime = new Map([[partitionKey('t', 0), 20]])
    expect(plan({kind: 'datetime', timestamp: 1}, {atTime}).rows.map((r) => r.target)).toEqual([20, 100, 100])
  })

  it('file targets only the listed partitions', () => {
    const explicit = new Map([[partitionKey('t', 2), 42]])
    const p = plan({kind: 'file', path: 'x'}, {explicit})
    expect(p.rows).toHaveLength(1)
    expect(p.rows[0]).toMatchObject({partition: 2, current: null, target: 42, lagAfter: 58})
  })

  it('unknown partition: exit 3', () => {
    expect(() => selectPartitions([{topic: 't', partitions: [7]}], wms)).toThrow(expect.objectContaining({exitCode: 3, code: 'PARTITION_NOT_FOUND'}))
    expect(selectPartitions([{topic: 't'}, {topic: 't', partitions: [1]}], wms)).toHaveLength(3)
  })
})

describe('CSV (kafka-consumer-groups format)', () => {
  it('round-trips topic,partition,offset', () => {
    const rows = [
      {topic: 'a', partition: 0, offset: 5},
      {topic: 'a.b-c', partition: 12, offset: 0},
    ]
    expect(formatCsv(rows)).toBe('a,0,5\na.b-c,12,0\n')
    expect(parseCsv(formatCsv(rows), 'g')).toEqual(rows)
  })

  it('reads the 4-column multi-group form, blank lines and CRLF', () => {
    expect(parseCsv('g,a,0,5\r\nother,a,1,9\r\n\r\n', 'g')).toEqual([{topic: 'a', partition: 0, offset: 5}])
  })

  it('exits 2 with the line number on a malformed line', () => {
    expect(() => parseCsv('a,0,5\na,x,5\n', 'g', 'f.csv')).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining('f.csv line 2')}))
  })
})

describe('snapshots', () => {
  let dir: string
  afterAll(async () => dir && rm(dir, {recursive: true, force: true}))

  it('state dir: KAFKIT_STATE_DIR, else XDG_STATE_HOME/kafkit, else ~/.local/state/kafkit', () => {
    expect(stateDir({KAFKIT_STATE_DIR: '/x'})).toBe('/x')
    expect(stateDir({XDG_STATE_HOME: '/s'})).toBe('/s/kafkit')
    expect(stateDir({})).toMatch(/\.local\/state\/kafkit$/)
    expect(encodeGroup('../a/b')).not.toMatch(/\/|^\./)
    expect(snapshotId(new Date('2026-11-25T20:44:12.123Z'))).toBe('20261125T204412123Z')
  })

  it('saves, lists newest first, and loads by id or prefix', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kafkit-snap-'))
    const env = {KAFKIT_STATE_DIR: dir}
    const base = {clusterId: 'c1', group: 'g/1', reason: 'reset --to-earliest', offsets: [{topic: 't', partition: 0, offset: 5}]}
    const first = await saveSnapshot(base, new Date('2026-11-25T10:00:00Z'), env)
    const second = await saveSnapshot({...base, offsets: [{topic: 't', partition: 0, offset: null}]}, new Date('2026-11-25T11:00:00Z'), env)
    const dup = await saveSnapshot(base, new Date('2026-11-25T11:00:00Z'), env)
    expect(dup.id).toBe(`${second.id}-2`)
    const list = await listSnapshots('c1', 'g/1', env)
    expect(list.map((s) => s.id)).toEqual([dup.id, second.id, first.id])
    expect((await loadSnapshot('c1', 'g/1', '20261125T10', env)).offsets[0].offset).toBe(5)
    expect((await loadSnapshot('c1', 'g/1', undefined, env)).id).toBe(dup.id)
    await expect(loadSnapshot('c2', 'g/1', undefined, env)).rejects.toMatchObject({exitCode: 3})
    await expect(loadSnapshot('c1', 'g/1', 'nope', env)).rejects.toMatchObject({exitCode: 3})
  })
})
