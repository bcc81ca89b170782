/**
 * kafkit replay against the real broker: windows by offsets and by time, compared record by record with the
 * source (keys, values, headers, timestamps, partitions); dry run = copy counts; SIGKILL + --resume with no gap
 * and no duplicate; the resume check of records written after the last checkpoint; profiles; errors.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {createClient} from '../../src/kafka/client.js'
import {murmur2} from '../../src/kafka/partitioners.js'
import {ReaderSession} from '../../src/kafka/reader.js'
import {TEST_BROKERS, createTopicWithLeaders, expectCleanError, json, kafkit, uniqueName} from './helpers.js'
import {partitionProducer, replayKilledMidway} from './replay-fixtures.js'

const {kafka, admin, producer, send} = partitionProducer('replay-test')
const stateDir = mkdtempSync(join(tmpdir(), 'kafkit-replay-state-'))
const env = {KAFKIT_STATE_DIR: stateDir}

async function topic(prefix: string, partitions: number): Promise<string> {
  return createTopicWithLeaders(admin, uniqueName(prefix), partitions)
}

const T0 = Date.now() - 3_600_000

/** `perPartition` records in each partition: record i has timestamp T0 + i s, a key (every 7th null), headers, some binary. */
async function fill(name: string, partitions: number, perPartition: number): Promise<void> {
  const messages = []
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < perPartition; i++) {
      messages.push({
        partition: p,
        key: i % 7 === 3 ? null : `k-${p}-${i}`,
        value: i % 11 === 5 ? Buffer.from([0xff, 0x00, p, i & 0xff]) : i % 13 === 6 ? null : `v-${p}-${i}`,
        timestamp: String(T0 + i * 1000),
        headers: i % 5 === 0 ? {h: `${p}-${i}`, dup: ['a', 'b']} : {h: `${p}-${i}`},
      })
    }
  }
  await send(name, messages)
}

interface Row {
  partition: number
  offset: number
  key: string | null
  value: string | null
  headers: string
  timestamp: number
}

const hex = (b: Buffer | null | undefined) => (b === null || b === undefined ? null : b.toString('hex'))

/** Every record of a topic, through the shared partition reader (read committed). */
async function readAll(name: string, brokers = TEST_BROKERS): Promise<Row[]> {
  const client = await createClient({profile: 'test', brokers: brokers.split(','), clientId: 'replay-test'}, {timeoutMs: 15_000})
  const session = await ReaderSession.open(client)
  try {
    const meta = (await session.topics()).find((t) => t.topic === name)!
    const windows = await session.planWindows([{topic: name, partitions: meta.partitions.map((p) => p.partition)}], {from: {kind: 'beginning'}, exitAtEnd: true})
    const rows: Row[] = []
    for await (const batch of session.read(windows)) {
      for (const r of batch.records) {
        const headers = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}=${(Array.isArray(v) ? v : [v]).map((x) => (x === null ? 'null' : x.toString('hex'))).join(',')}`)
        rows.push({partition: batch.partition, offset: r.offset!, key: hex(r.key), value: hex(r.value), headers: headers.join(';'), timestamp: r.timestamp!})
      }
    }
    return rows.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  } finally {
    await session.close()
    await client.disconnect()
  }
}

/** What must be equal between a source record and its copy. */
const content = ({partition, key, value, headers, timestamp}: Row) => ({partition, key, value, headers, timestamp})

interface Summary {
  records: number
  bytes: number
  filtered: number
  alreadyPresent: number
  totalCopied: number
  mode: string
  dryRun: boolean
  empty: boolean
  complete: boolean
  partitions: {partition: number; start: number; end: number; records: number; bytes: number}[]
  checkpoint: string | null
}

describe('replay: windows', () => {
  let src: string
  let source: Row[]
  beforeAll(async () => {
    src = await topic('replay-src', 3)
    await fill(src, 3, 30)
    source = await readAll(src)
  })

  it('copies an offset window of every partition exactly; the dry run counts what is copied', async () => {
    const dst = await topic('replay-dst', 3)
    const dry = await kafkit(['replay', src, dst, '--from', '5', '--to', '14', '--dry-run', '--json'], {env})
    expect(dry.code, dry.stderr).toBe(0)
    const plan = json<Summary>(dry)
    expect(plan).toMatchObject({dryRun: true, records: 30, mode: 'keep'})
    expect(plan.partitions.map((p) => [p.partition, p.start, p.end, p.records])).toEqual([
      [0, 5, 15, 10],
      [1, 5, 15, 10],
      [2, 5, 15, 10],
    ])
    expect(await readAll(dst)).toEqual([])

    const result = await kafkit(['replay', src, dst, '--from', '5', '--to', '14', '--json'], {env})
    expect(result.code, result.stderr).toBe(0)
    const summary = json<Summary>(result)
    expect(summary).toMatchObject({records: 30, complete: true, dryRun: false})
    expect(summary.bytes).toBe(plan.bytes)
    expect(summary.partitions.map((p) => p.records)).toEqual(plan.partitions.map((p) => p.records))
    const copied = await readAll(dst)
    expect(copied.map(content)).toEqual(source.filter((r) => r.offset >= 5 && r.offset <= 14).map(content))
  })

  it('copies a time window (TO included) and says so on stderr', async () => {
    const dst = await topic('replay-dst', 3)
    const from = new Date(T0 + 10_000).toISOString()
    const to = new Date(T0 + 19_000).toISOString()
    const result = await kafkit(['replay', src, dst, '--from', `@${from}`, '--to', `@${to}`], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(new RegExp(`^copied 30 records \\(.*\\) '${src}' -> '${dst}'`))
    const copied = await readAll(dst)
    expect(copied.map(content)).toEqual(source.filter((r) => r.timestamp >= T0 + 10_000 && r.timestamp <= T0 + 19_000).map(content))
  })

  it('re-partitions by key (Java murmur2) into fewer partitions, keeping order, with --grep, --header-add and --new-timestamps', async () => {
    const dst = await topic('replay-dst', 2)
    const before = Date.now()
    const result = await kafkit(['replay', src, dst, '--partitions', '1,2', '--grep', '^k-[12]-1\\d$', '--header-add', 'replayed-from=src', '--new-timestamps', '--json'], {env})
    expect(result.code, result.stderr).toBe(0)
    const summary = json<Summary>(result)
    expect(summary.mode).toBe('repartition')
    const expected = source.filter((r) => r.partition > 0 && r.key !== null && /^k-[12]-1\d$/.test(Buffer.from(r.key, 'hex').toString()))
    expect(summary.records).toBe(expected.length)
    expect(summary.filtered).toBe(60 - expected.length)
    const copied = await readAll(dst)
    expect(copied).toHaveLength(expected.length)
    const added = `replayed-from=${Buffer.from('src').toString('hex')}`
    for (const r of copied) {
      expect(r.partition).toBe((murmur2(Buffer.from(r.key!, 'hex')) & 0x7fffffff) % 2)
      expect(r.headers.endsWith(added)).toBe(true)
      expect(r.timestamp).toBeGreaterThanOrEqual(before - 1000)
    }
    // Order within each source partition is kept in each destination partition.
    for (const q of [0, 1]) {
      const keys = copied.filter((r) => r.partition === q).map((r) => Buffer.from(r.key!, 'hex').toString())
      for (const p of [1, 2]) {
        const mine = keys.filter((k) => k.startsWith(`k-${p}-`))
        expect(mine).toEqual(expected.map((r) => Buffer.from(r.key!, 'hex').toString()).filter((k) => mine.includes(k)))
      }
    }
  })

  it('an empty window copies nothing and says so (exit 0)', async () => {
    const dst = await topic('replay-dst', 3)
    const result = await kafkit(['replay', src, dst, '--from', 'end', '--to', 'end'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/the window is empty.*nothing copied/)
    expect(result.stdout).toBe('')
    expect(await readAll(dst)).toEqual([])
  })

  it('refuses the same topic, unknown topics and partitions, and bad specs', async () => {
    const same = await kafkit(['replay', src, src], {env})
    expect(same.code).toBe(6)
    expect(expectCleanError(same).hint).toMatch(/--allow-same-topic/)
    const unknown = await kafkit(['replay', src, 'replay-no-such-topic'], {env})
    expect(unknown.code).toBe(3)
    expectCleanError(unknown)
    const bad = await kafkit(['replay', src, 'x', '--from', 'yesterday'], {env})
    expect(bad.code).toBe(2)
    expect(expectCleanError(bad).message).toMatch(/--from: 'yesterday'/)
    const json = await kafkit(['replay', src, 'x', '--to', 'stored', '--json'], {env})
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stderr).error.code).toBe('BAD_SPEC')
  }, 120_000)
})

describe('replay: resume', () => {
  it('after SIGKILL, --resume copies the rest: identical to the source, no gap, no duplicate', async () => {
    const src = await topic('replay-kill-src', 3)
    await fill(src, 3, 1500)
    const dst = await topic('replay-kill-dst', 3)
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-replay-kill-'))
    // Paced (9 s for the window) so that it is still copying when the test stops it.
    // Once a checkpoint shows progress, frozen then killed.
    const {finished, copied: progress} = await replayKilledMidway([src, dst, '--rate', '500'], dir, 600, 60_000)
    // The paced copy cannot have ended unless the machine stalled for seconds: then this run proves nothing.
    expect(finished, 'the replay ended before it was killed').toBe(false)
    const copied = progress()
    expect(copied).toBeGreaterThan(0)

    const again = await kafkit(['replay', src, dst], {env: {KAFKIT_STATE_DIR: dir}})
    expect(again.code).toBe(6)
    expect(expectCleanError(again).hint).toMatch(/--resume/)

    const resumed = await kafkit(['replay', src, dst, '--resume', '--json'], {env: {KAFKIT_STATE_DIR: dir}, timeoutMs: 60_000})
    expect(resumed.code, resumed.stderr).toBe(0)
    const summary = json<Summary>(resumed)
    expect(summary).toMatchObject({complete: true, totalCopied: 4500})
    const [a, b] = await Promise.all([readAll(src), readAll(dst)])
    expect(b).toHaveLength(4500)
    expect(b.map(content)).toEqual(a.map(content))

    const done = await kafkit(['replay', src, dst, '--resume'], {env: {KAFKIT_STATE_DIR: dir}})
    expect(done.code).toBe(0)
    expect(done.stderr).toMatch(/nothing left to copy/)
  }, 150_000)

  it('records written after the last checkpoint are found in the destination and not written again', async () => {
    const src = await topic('replay-tail-src', 2)
    await fill(src, 2, 20)
    const dst = await topic('replay-tail-dst', 2)
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-replay-tail-'))
    const first = json<Summary>(await kafkit(['replay', src, dst, '--json'], {env: {KAFKIT_STATE_DIR: dir}}))
    expect(first.records).toBe(40)
    expect(first.partitions[0].records).toBe(20)
    // The crash this simulates: partition 0's last 12 records were acknowledged but the checkpoint was saved before.
    const cp = JSON.parse(readFileSync(first.checkpoint!, 'utf8'))
    cp.progress['0'] = {next: 8, copied: 8}
    cp.destination.copied['0'] = 8
    cp.completed = false
    writeFileSync(first.checkpoint!, JSON.stringify(cp))

    const resumed = await kafkit(['replay', src, dst, '--resume', '--json'], {env: {KAFKIT_STATE_DIR: dir}})
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(json<Summary>(resumed)).toMatchObject({records: 0, alreadyPresent: 12, totalCopied: 40, complete: true})
    const [a, b] = await Promise.all([readAll(src), readAll(dst)])
    expect(b.map(content)).toEqual(a.map(content))
  })
})

describe('replay: profiles', () => {
  it('--to-profile writes through another profile; a protected one gets a dry run unless --execute', async () => {
    const src = await topic('replay-prof-src', 2)
    await fill(src, 2, 10)
    const dst = await topic('replay-prof-dst', 2)
    const config = join(mkdtempSync(join(tmpdir(), 'kafkit-replay-cfg-')), 'config.yaml')
    writeFileSync(config, `profiles:\n  backup:\n    brokers: [${TEST_BROKERS}]\n    protected: true\n`, {mode: 0o600})
    const profileEnv = {...env, KAFKIT_CONFIG: config}
    const dry = await kafkit(['replay', src, dst, '--to-profile', 'backup'], {env: profileEnv})
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stderr).toMatch(/protected: this is a dry run; pass --execute/)
    expect(dry.stdout.trim().split('\n')).toHaveLength(2)
    expect(await readAll(dst)).toEqual([])
    const real = await kafkit(['replay', src, dst, '--to-profile', 'backup', '--execute', '--json'], {env: profileEnv})
    expect(real.code, real.stderr).toBe(0)
    expect(json<Summary & {destination: {profile: string}}>(real)).toMatchObject({records: 20, destination: {profile: 'backup'}})
    expect((await readAll(dst)).map(content)).toEqual((await readAll(src)).map(content))
    expect((await kafkit(['replay', src, dst, '--to-profile', 'nope'], {env: profileEnv})).code).toBe(3)
  })
})

describe('replay: transactions and failures', () => {
  it('copies committed records only: aborted transactions and markers leave offset gaps that are skipped', async () => {
    const src = await topic('replay-txn-src', 1)
    const dst = await topic('replay-txn-dst', 1)
    const tx = kafka.producer({transactionalId: uniqueName('replay-txn'), idempotent: true, maxInFlightRequests: 1})
    await tx.connect()
    try {
      for (const [i, outcome] of ['commit', 'abort', 'commit', 'abort', 'commit'].entries()) {
        const t = await tx.transaction()
        await t.send({topic: src, messages: [0, 1, 2].map((j) => ({partition: 0, key: `t${i}-${j}`, value: outcome}))})
        await (outcome === 'commit' ? t.commit() : t.abort())
      }
    } finally {
      await tx.disconnect()
    }
    const dry = json<Summary>(await kafkit(['replay', src, dst, '--dry-run', '--json'], {env}))
    expect(dry.records).toBe(9)
    const result = await kafkit(['replay', src, dst, '--json'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(json<Summary>(result)).toMatchObject({records: 9, complete: true})
    const copied = await readAll(dst)
    expect(copied.map((r) => Buffer.from(r.key!, 'hex').toString())).toEqual(['t0-0', 't0-1', 't0-2', 't2-0', 't2-1', 't2-2', 't4-0', 't4-1', 't4-2'])
    expect(copied.every((r) => Buffer.from(r.value!, 'hex').toString() === 'commit')).toBe(true)
  })

  it('a record the destination refuses is exit 5 with counts, and the checkpoint stays resumable', async () => {
    const src = await topic('replay-fail-src', 1)
    const name = uniqueName('replay-fail-dst')
    await admin.createTopics({waitForLeaders: true, topics: [{topic: name, numPartitions: 1, replicationFactor: 1, configEntries: [{name: 'max.message.bytes', value: '2000'}]}]})
    await producer.send({
      topic: src,
      messages: [
        {partition: 0, value: 'small'},
        {partition: 0, value: 'x'.repeat(5000)},
        {partition: 0, value: 'after'},
      ],
    })
    const result = await kafkit(['replay', src, name], {env})
    expect(result.code).toBe(5)
    const {message} = expectCleanError(result)
    expect(message).toMatch(/not copied/)
    const asJson = await kafkit(['replay', src, name, '--resume', '--json'], {env})
    expect(asJson.code).toBe(5)
    const error = JSON.parse(asJson.stderr).error
    expect(error.code).toBe('INCOMPLETE')
    expect(error.failed).toBeGreaterThan(0)
  }, 120_000)
})
