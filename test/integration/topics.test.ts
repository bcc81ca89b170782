import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {TEST_BROKERS, expectCleanError, json, kafkit, uniqueName} from './helpers.js'

interface Described {
  name: string
  partitions: number
  replicationFactor: number
  records: number
  partitionDetails: {partition: number; leader: number; earliest: number; latest: number; records: number}[]
  configs: {name: string; value: string; source: string}[]
}

const describeTopic = async (name: string) => {
  const r = await kafkit(['topics', 'describe', name, '--json'])
  expect(r.code, r.stderr).toBe(0)
  return json<Described>(r)
}
const overrides = (d: Described) => Object.fromEntries(d.configs.filter((c) => c.source === 'topic').map((c) => [c.name, c.value]))

describe('topics', {timeout: 240_000}, () => {
  it('creates, lists (plain and JSON) and describes a topic with human config values', async () => {
    const name = uniqueName('tp-create')
    const created = await kafkit(['topics', 'create', name, '--partitions', '3', '--config', 'retention.ms=3d', '--config', 'cleanup.policy=both', '--json'])
    expect(created.code, created.stderr).toBe(0)
    expect(json(created)).toMatchObject({name, created: true, partitions: 3, replicationFactor: 1, configs: {'retention.ms': '259200000', 'cleanup.policy': 'compact,delete'}})

    const listed = await kafkit(['topics', 'list', `^${name}$`])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toBe(`${name}\t3\t1\tok\n`)
    const listedJson = json<{name: string; partitions: number; internal: boolean; underReplicated: number; offline: number}[]>(await kafkit(['topics', 'list', name, '--json']))
    expect(listedJson).toEqual([{name, partitions: 3, replicationFactor: 1, internal: false, underReplicated: 0, offline: 0}])

    // Two keyed records (the topic compacts) into partition 0 with kcat, another client, so offsets are real.
    execFileSync('kcat', ['-P', '-b', TEST_BROKERS, '-t', name, '-p', '0', '-K', ':'], {input: 'k1:a\nk2:b\n'})
    const d = await describeTopic(name)
    expect(d.partitionDetails).toHaveLength(3)
    expect(d.partitionDetails[0]).toMatchObject({partition: 0, leader: expect.any(Number), earliest: 0, latest: 2, records: 2})
    expect(d.records).toBe(2)
    expect(overrides(d)).toMatchObject({'retention.ms': '259200000', 'cleanup.policy': 'compact,delete'})
    expect(d.configs.every((c) => c.source !== 'default')).toBe(true)

    const again = await kafkit(['topics', 'create', name, '--partitions', '3'])
    expect(again.code).toBe(1)
    expect(expectCleanError(again).hint).toContain('--if-not-exists')
    const idempotent = await kafkit(['topics', 'create', name, '--partitions', '3', '--if-not-exists', '--json'])
    expect(idempotent.code).toBe(0)
    expect(json(idempotent)).toMatchObject({created: false})
  })

  it('hides internal topics unless --all', async () => {
    const plain = json<{name: string}[]>(await kafkit(['topics', 'list', '--json']))
    expect(plain.some((t) => t.name.startsWith('__'))).toBe(false)
    const all = json<{name: string; internal: boolean}[]>(await kafkit(['topics', 'list', '--all', '--json']))
    expect(all.length).toBeGreaterThanOrEqual(plain.length)
    expect(all.filter((t) => t.internal).every((t) => t.name.startsWith('__'))).toBe(true)
  })

  it("reports creation errors in the user's words", async () => {
    const rf = await kafkit(['topics', 'create', uniqueName('tp-rf'), '--partitions', '1', '--replication-factor', '9'])
    expect(rf.code).toBe(2)
    expect(expectCleanError(rf).message).toMatch(/replication factor 9 is larger than the cluster's \d+ broker/)

    const bad = await kafkit(['topics', 'create', 'no spaces please', '--partitions', '1'])
    expect(bad.code).toBe(2)
    expect(expectCleanError(bad).message).toContain('space')

    const key = await kafkit(['topics', 'create', uniqueName('tp-key'), '--partitions', '1', '--config', 'retention.msx=1d'])
    expect(key.code).toBe(2)
    expect(expectCleanError(key).hint).toContain("'retention.ms'")

    const value = await kafkit(['topics', 'create', uniqueName('tp-val'), '--partitions', '1', '--config', 'retention.ms=soon'])
    expect(value.code).toBe(2)
    expect(expectCleanError(value).message).toContain('retention.ms')

    // A value only the broker can judge: its own message comes through.
    const broker = await kafkit(['topics', 'create', uniqueName('tp-val'), '--partitions', '1', '--config', 'min.insync.replicas=0'])
    expect(broker.code).toBe(2)
    expect(expectCleanError(broker).message).toContain('min.insync.replicas')

    const missing = await kafkit(['topics', 'create', uniqueName('tp-miss')])
    expect(missing.code).toBe(2)
    expect(expectCleanError(missing).message).toContain('--partitions')
  })

  it('unknown topics are exit 3 with a did-you-mean', async () => {
    const name = uniqueName('tp-known')
    expect((await kafkit(['topics', 'create', name, '--partitions', '1'])).code).toBe(0)
    const r = await kafkit(['topics', 'describe', name + 'x'])
    expect(r.code).toBe(3)
    expect(expectCleanError(r).hint).toContain(name)
    const j = await kafkit(['topics', 'alter', name + 'x', '--set', 'retention.ms=1d', '--json'])
    expect(j.code).toBe(3)
    expect(JSON.parse(j.stderr).error.code).toBe('TOPIC_NOT_FOUND')
  })

  it('alter changes only the named keys: other overrides survive', async () => {
    const name = uniqueName('tp-alter')
    const c = await kafkit(['topics', 'create', name, '--partitions', '1', '--config', 'retention.ms=2d', '--config', 'segment.ms=6h', '--config', 'cleanup.policy=compact'])
    expect(c.code, c.stderr).toBe(0)

    const set = await kafkit(['topics', 'alter', name, '--set', 'max.message.bytes=2MiB', '--set', 'retention.ms=1d', '--json'])
    expect(set.code, set.stderr).toBe(0)
    expect(json<{changes: {name: string; before: string; after: string}[]}>(set).changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({name: 'max.message.bytes', after: '2097152', afterSource: 'topic'}),
        expect.objectContaining({name: 'retention.ms', before: '172800000', after: '86400000'}),
      ]),
    )
    expect(overrides(await describeTopic(name))).toEqual({'retention.ms': '86400000', 'segment.ms': '21600000', 'cleanup.policy': 'compact', 'max.message.bytes': '2097152'})

    const del = await kafkit(['topics', 'alter', name, '--delete', 'segment.ms'])
    expect(del.code, del.stderr).toBe(0)
    expect(overrides(await describeTopic(name))).toEqual({'retention.ms': '86400000', 'cleanup.policy': 'compact', 'max.message.bytes': '2097152'})

    const typo = await kafkit(['topics', 'alter', name, '--set', 'retention.msx=1d'])
    expect(typo.code).toBe(2)
    expect(expectCleanError(typo).hint).toContain("'retention.ms'")
    const badValue = await kafkit(['topics', 'alter', name, '--set', 'min.insync.replicas=0'])
    expect(badValue.code).toBe(2)
    expect(expectCleanError(badValue).message).toContain('min.insync.replicas')
    // Nothing else moved after the refused changes.
    expect(overrides(await describeTopic(name))).toEqual({'retention.ms': '86400000', 'cleanup.policy': 'compact', 'max.message.bytes': '2097152'})
  })

  it('add-partitions raises the count and warns about keyed records; never lowers it', async () => {
    const name = uniqueName('tp-parts')
    expect((await kafkit(['topics', 'create', name, '--partitions', '1'])).code).toBe(0)
    const r = await kafkit(['topics', 'add-partitions', name, '--total', '3', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(json(r)).toEqual({topic: name, before: 1, after: 3})
    expect(r.stderr).toMatch(/warning: keyed records/)
    // The cluster says so too, with a leader for every new partition.
    const d = await describeTopic(name)
    expect(d.partitions).toBe(3)
    expect(d.partitionDetails.map((p) => p.partition)).toEqual([0, 1, 2])
    const lower = await kafkit(['topics', 'add-partitions', name, '--total', '2'])
    expect(lower.code).toBe(2)
    expect(expectCleanError(lower).message).toContain('already has 3 partitions')
    expect((await describeTopic(name)).partitions).toBe(3)
  })

  it('delete needs --yes without a terminal, refuses internal topics, takes a regex', async () => {
    const prefix = uniqueName('tp-del')
    for (const n of ['a', 'b']) expect((await kafkit(['topics', 'create', `${prefix}-${n}`, '--partitions', '1'])).code).toBe(0)
    const refused = await kafkit(['topics', 'delete', `${prefix}-a`])
    expect(refused.code).toBe(6)
    expect(expectCleanError(refused).hint).toContain('--yes')
    const internal = await kafkit(['topics', 'delete', '__consumer_offsets', '--yes'])
    expect(internal.code).toBe(6)
    const unknown = await kafkit(['topics', 'delete', `${prefix}-zzz`, '--yes'])
    expect(unknown.code).toBe(3)
    const r = await kafkit(['topics', 'delete', '--regex', `^${prefix}-`, '--yes', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(json(r)).toEqual({deleted: [`${prefix}-a`, `${prefix}-b`]})
    const left = json<unknown[]>(await kafkit(['topics', 'list', `^${prefix}`, '--json']))
    expect(left).toEqual([])
  })

  it('apply: plan, --check (8 / 0), --execute, changes, and refused shrinking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-apply-'))
    const file = join(dir, 'topics.yaml')
    const a = uniqueName('tp-apply')
    const write = (partitions: number, retention: string) =>
      writeFileSync(file, `topics:\n  - name: ${a}\n    partitions: ${partitions}\n    configs:\n      retention.ms: ${retention}\n      cleanup.policy: compact\n  - name: ${a}-b\n`)
    write(2, '3d')

    const plan = await kafkit(['topics', 'apply', '-f', file])
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain(`+ create ${a} (2 partitions`)
    expect(plan.stdout).toContain('Plan: 2 to create, 0 to change, 0 to delete.')

    expect((await kafkit(['topics', 'apply', '-f', file, '--check'])).code).toBe(8)
    const exec = await kafkit(['topics', 'apply', '-f', file, '--execute', '--json'])
    expect(exec.code, exec.stderr).toBe(0)
    expect(json(exec)).toMatchObject({executed: true, counts: {create: 2, change: 0, delete: 0}})
    const check = await kafkit(['topics', 'apply', '-f', file, '--check'])
    expect(check.code, check.stderr).toBe(0)
    expect(check.stdout).toContain('No changes')

    await kafkit(['topics', 'alter', a, '--set', 'segment.ms=2h'])
    write(4, '5d')
    const drift = await kafkit(['topics', 'apply', '-f', file, '--check', '--json'])
    expect(drift.code).toBe(8)
    expect(json(drift)).toMatchObject({
      differs: true,
      actions: [{action: 'change', topic: a, partitions: {from: 2, to: 4}, configs: [{name: 'retention.ms', from: '259200000', to: '432000000'}]}],
      unmanagedConfigs: [{topic: a, name: 'segment.ms', value: '7200000'}],
    })
    expect(JSON.parse(drift.stderr).error.code).toBe('CLUSTER_DIFFERS')
    expect((await kafkit(['topics', 'apply', '-f', file, '--execute'])).code).toBe(0)
    const d = await describeTopic(a)
    expect(d.partitions).toBe(4)
    expect(overrides(d)).toEqual({'retention.ms': '432000000', 'cleanup.policy': 'compact', 'segment.ms': '7200000'})

    write(1, '5d')
    const shrink = await kafkit(['topics', 'apply', '-f', file])
    expect(shrink.code).toBe(2)
    expect(expectCleanError(shrink).message).toContain('cannot remove partitions')

    writeFileSync(file, 'topics:\n  - name: x\n    partitions: many\n')
    const bad = await kafkit(['topics', 'apply', '-f', file])
    expect(bad.code).toBe(2)
    expect(expectCleanError(bad).message).toContain('topics[0].partitions')
    await kafkit(['topics', 'delete', a, `${a}-b`, '--yes'])
  })
})
