/**
 * Cluster operations on the shared broker: client quotas (read back by Kafka's ConfigCommand, and the other way),
 * record deletion (new low watermarks read by Kafka's GetOffsetShell and kcat) and group clones (the copy read by
 * Kafka's ConsumerGroupCommand).
 */
import {execFile} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Kafka, logLevel} from 'kafkajs'

import {type RunOptions, TEST_BROKERS, createTopicWithLeaders, expectCleanError, json, kafkit as run, uniqueName} from './helpers.js'
import {GROUP_COMMAND, runJava} from './kafka-tools.js'

const CONFIG_COMMAND = 'org.apache.kafka.tools.ConfigCommand'
const GET_OFFSET_SHELL = 'org.apache.kafka.tools.GetOffsetShell'
const exec = promisify(execFile)
const kafkit = (args: string[], options: RunOptions = {}) => run(args, {timeoutMs: 90_000, ...options})
/** Kafka's ConfigCommand against the shared broker. */
const configCommand = (...args: string[]) => runJava(CONFIG_COMMAND, ['--bootstrap-server', TEST_BROKERS, ...args])

const kafka = new Kafka({brokers: TEST_BROKERS.split(','), logLevel: logLevel.NOTHING})
const admin = kafka.admin()
beforeAll(() => admin.connect(), 60_000)
afterAll(() => admin.disconnect())

describe('quotas', () => {
  const user = uniqueName('q-user')
  const clientId = uniqueName('q-client')
  const userAndClient = ['--entity-type', 'users', '--entity-name', user, '--entity-type', 'clients', '--entity-name', clientId]

  it("sets quotas that Kafka's ConfigCommand reads, lists quotas ConfigCommand set, and removes them", async () => {
    const plan = await kafkit(['quotas', 'set', '--user', user, '--set', 'producer_byte_rate=1MiB', '--set', 'request_percentage=150', '--json'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(json<{executed: boolean; changes: unknown[]}>(plan)).toMatchObject({
      executed: false,
      changes: [
        {key: 'producer_byte_rate', before: null, after: 1048576},
        {key: 'request_percentage', before: null, after: 150},
      ],
    })
    // The plan changed nothing.
    expect(json<{quotas: unknown[]}>(await kafkit(['quotas', 'list', '--user', user, '--json'])).quotas).toEqual([])

    const set = await kafkit(['quotas', 'set', '--user', user, '--set', 'producer_byte_rate=1MiB', '--set', 'request_percentage=150', '--execute'])
    expect(set.code, set.stderr).toBe(0)
    const described = await configCommand('--describe', '--entity-type', 'users', '--entity-name', user)
    expect(described.code, described.stderr).toBe(0)
    expect(described.stdout).toContain(`Quota configs for user-principal '${user}' are`)
    expect(described.stdout).toMatch(/producer_byte_rate=1048576\.0/)
    expect(described.stdout).toMatch(/request_percentage=150\.0/)

    // The other way: Kafka's tool sets a user + client-id quota, kafkit lists it.
    const altered = await configCommand('--alter', ...userAndClient, '--add-config', 'consumer_byte_rate=4096,controller_mutation_rate=10')
    expect(altered.code, altered.stderr).toBe(0)
    const listed = json<{quotas: {entity: string; user?: string; clientId?: string; key: string; value: number}[]}>(await kafkit(['quotas', 'list', '--user', user, '--client-id', clientId, '--json']))
    expect(listed.quotas).toEqual([
      {entity: `user=${user},client-id=${clientId}`, user, clientId, key: 'consumer_byte_rate', value: 4096},
      {entity: `user=${user},client-id=${clientId}`, user, clientId, key: 'controller_mutation_rate', value: 10},
    ])
    const all = json<{quotas: {user?: string; key: string}[]}>(await kafkit(['quotas', 'list', '--json']))
    expect(
      all.quotas
        .filter((q) => q.user === user)
        .map((q) => q.key)
        .sort(),
    ).toEqual(['consumer_byte_rate', 'controller_mutation_rate', 'producer_byte_rate', 'request_percentage'])

    // Setting the same value again is no change; changing one keeps the other.
    const again = json<{changes: unknown[]; unchanged: string[]}>(await kafkit(['quotas', 'set', '--user', user, '--set', 'producer_byte_rate=1048576', '--execute', '--json']))
    expect(again).toMatchObject({changes: [], unchanged: ['producer_byte_rate']})

    const removed = await kafkit(['quotas', 'remove', '--user', user, '--execute'])
    expect(removed.code, removed.stderr).toBe(0)
    const removed2 = await kafkit(['quotas', 'remove', '--user', user, '--client-id', clientId, '--key', 'consumer_byte_rate', '--execute'])
    expect(removed2.code, removed2.stderr).toBe(0)
    const after = await configCommand('--describe', ...userAndClient)
    expect(after.code, after.stderr).toBe(0)
    expect(after.stdout).toMatch(/are controller_mutation_rate=10\.0\s*$/)
    expect(json<{quotas: unknown[]}>(await kafkit(['quotas', 'list', '--user', user, '--json'])).quotas).toEqual([])
    await kafkit(['quotas', 'remove', '--user', user, '--client-id', clientId, '--execute'])
  }, 300_000)

  it('refuses bad input with one line and exit 2', async () => {
    const badKey = await kafkit(['quotas', 'set', '--user', 'x', '--set', 'producer-byte-rate=1'])
    expect(badKey.code).toBe(2)
    expect(expectCleanError(badKey).hint).toContain("did you mean 'producer_byte_rate'")
    const mixed = await kafkit(['quotas', 'set', '--user', 'x', '--ip', '10.0.0.1', '--set', 'connection_creation_rate=1'])
    expect(mixed.code).toBe(2)
    expect(expectCleanError(mixed).message).toContain('IP quota cannot be combined')
    const none = await kafkit(['quotas', 'remove'])
    expect(none.code).toBe(2)
  }, 120_000)
})

describe('topics truncate', () => {
  const topic = uniqueName('trunc')
  const PER_PARTITION = 2000
  const BASE = Date.now() - 3_600_000

  beforeAll(async () => {
    await createTopicWithLeaders(admin, topic, 3)
    const producer = kafka.producer()
    await producer.connect()
    for (let p = 0; p < 3; p++) {
      const messages = Array.from({length: PER_PARTITION}, (_, i) => ({partition: p, key: `k${i}`, value: `p${p}-${i}`.padEnd(200, '.'), timestamp: String(BASE + i * 1000)}))
      for (let i = 0; i < messages.length; i += 500) await producer.send({topic, acks: -1, messages: messages.slice(i, i + 500)})
    }
    await producer.disconnect()
  }, 120_000)

  const lowWatermarks = async () => {
    const shell = await runJava(GET_OFFSET_SHELL, ['--bootstrap-server', TEST_BROKERS, '--topic', topic, '--time', '-2'])
    expect(shell.code, shell.stderr).toBe(0)
    return shell.stdout
      .trim()
      .split('\n')
      .map((l) => Number(l.split(':')[2]))
  }

  it("shows the plan, deletes what it showed, and Kafka's GetOffsetShell and kcat see the new start", async () => {
    const plan = await kafkit(['topics', 'truncate', topic, '--before', '500', '--json'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(json(plan)).toMatchObject({executed: false, deleted: 1500, partitions: [0, 1, 2].map((partition) => ({partition, low: 0, high: PER_PARTITION, before: 500, deleted: 500}))})
    expect(await lowWatermarks()).toEqual([0, 0, 0])

    const done = await kafkit(['topics', 'truncate', topic, '--before', '500', '--execute', '--json'])
    expect(done.code, done.stderr).toBe(0)
    expect(json(done)).toMatchObject({executed: true, deleted: 1500})
    expect(await lowWatermarks()).toEqual([500, 500, 500])

    // By time, one partition: the first record at or after BASE + 1200 s is offset 1200.
    const byTime = await kafkit(['topics', 'truncate', topic, '--before', `@${new Date(BASE + 1_200_000).toISOString()}`, '--partitions', '1', '--execute', '--json'])
    expect(byTime.code, byTime.stderr).toBe(0)
    expect(json(byTime)).toMatchObject({deleted: 700, partitions: [{partition: 1, low: 500, before: 1200, deleted: 700}]})
    expect(await lowWatermarks()).toEqual([500, 1200, 500])

    // Before the start: clamped, nothing to delete.
    const clamped = json<{deleted: number; partitions: {clamped?: string}[]}>(await kafkit(['topics', 'truncate', topic, '--before', '10', '--json']))
    expect(clamped.deleted).toBe(0)
    expect(clamped.partitions.every((p) => p.clamped === 'low')).toBe(true)

    const {stdout} = await exec('kcat', ['-C', '-b', TEST_BROKERS, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p:%o\n'], {maxBuffer: 64 << 20, timeout: 60_000})
    const lines = stdout.trim().split('\n')
    expect(lines.length).toBe(3 * PER_PARTITION - 1500 - 700)
    const firstOf = (p: number) => Math.min(...lines.filter((l) => l.startsWith(`${p}:`)).map((l) => Number(l.split(':')[1])))
    expect([firstOf(0), firstOf(1), firstOf(2)]).toEqual([500, 1200, 500])
  }, 300_000)

  it('refuses on a protected profile without --yes, and bad input with exit 2', async () => {
    const badPoint = await kafkit(['topics', 'truncate', topic, '--before', 'soon'])
    expect(badPoint.code).toBe(2)
    expect(expectCleanError(badPoint).message).toContain("--before: 'soon' is not an offset or @TIME")
    const badPartition = await kafkit(['topics', 'truncate', topic, '--before', '900', '--partitions', '7'])
    expect(badPartition.code).toBe(2)
    expect(expectCleanError(badPartition).message).toContain('has no partition 7')

    const config = join(mkdtempSync(join(tmpdir(), 'kafkit-admin-ops-')), 'config.yaml')
    writeFileSync(config, `current: prod\nprofiles:\n  prod:\n    brokers: [${TEST_BROKERS}]\n    protected: true\n`, {mode: 0o600})
    const env = {KAFKIT_CONFIG: config, KAFKIT_BROKERS: undefined}
    const refused = await kafkit(['topics', 'truncate', topic, '--before', '900', '--partitions', '2', '--execute', '-p', 'prod'], {env})
    expect(refused.code).toBe(6)
    expect(expectCleanError(refused).hint).toContain('--yes')
    expect(await lowWatermarks()).toEqual([500, 1200, 500])
    const confirmed = await kafkit(['topics', 'truncate', topic, '--before', '900', '--partitions', '2', '--execute', '-p', 'prod', '--yes'], {env})
    expect(confirmed.code, confirmed.stderr).toBe(0)
    expect(confirmed.stderr).toContain("protected profile 'prod'")
    expect(await lowWatermarks()).toEqual([500, 1200, 900])
  }, 120_000)
})

describe('groups clone', () => {
  const topic = uniqueName('gclone')
  const group = uniqueName('gclone-src')
  const copy = `${group}-copy`

  beforeAll(async () => {
    await createTopicWithLeaders(admin, topic, 3)
    await admin
      .setOffsets({
        groupId: group,
        topic,
        partitions: [
          {partition: 0, offset: '0'},
          {partition: 1, offset: '0'},
          {partition: 2, offset: '0'},
        ],
      })
      .catch(() => undefined)
  }, 120_000)

  it("copies committed offsets to a new group that Kafka's ConsumerGroupCommand reads, and refuses an existing one", async () => {
    // Offsets need records to point into: 50 per partition, committed at 10, 20, 30.
    const producer = kafka.producer()
    await producer.connect()
    for (let p = 0; p < 3; p++) await producer.send({topic, messages: Array.from({length: 50}, (_, i) => ({partition: p, value: `v${i}`}))})
    await producer.disconnect()
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        {partition: 0, offset: '10'},
        {partition: 1, offset: '20'},
        {partition: 2, offset: '30'},
      ],
    })

    const plan = await kafkit(['groups', 'clone', group, copy, '--json'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(json(plan)).toMatchObject({
      executed: false,
      offsets: [
        {topic, partition: 0, offset: 10},
        {topic, partition: 1, offset: 20},
        {topic, partition: 2, offset: 30},
      ],
    })
    const done = await kafkit(['groups', 'clone', group, copy, '--execute'])
    expect(done.code, done.stderr).toBe(0)

    const described = await runJava(GROUP_COMMAND, ['--bootstrap-server', TEST_BROKERS, '--describe', '--group', copy, '--offsets'])
    expect(described.code, described.stderr).toBe(0)
    const rows = described.stdout
      .split('\n')
      .filter((l) => l.includes(topic))
      .map((l) => l.trim().split(/\s+/))
      .map((c) => [Number(c[2]), Number(c[3])])
      .sort((a, b) => a[0] - b[0])
    expect(rows).toEqual([
      [0, 10],
      [1, 20],
      [2, 30],
    ])

    const again = await kafkit(['groups', 'clone', group, copy, '--execute'])
    expect(again.code).toBe(6)
    expect(expectCleanError(again).message).toBe(`group '${copy}' already exists`)
    const forced = await kafkit(['groups', 'clone', group, copy, '--force', '--execute'])
    expect(forced.code, forced.stderr).toBe(0)
    const missing = await kafkit(['groups', 'clone', `${group}-nope`, `${copy}-2`])
    expect(missing.code).toBe(3)
  }, 300_000)
})

describe('cluster config', () => {
  // Harmless on a shared broker: how long an idle log cleaner sleeps.
  const KEY = 'log.cleaner.backoff.ms'
  type Entry = {name: string; value: string; source: string; synonyms: {value: string; source: string}[]}
  const get = async (broker?: string) => {
    const r = await kafkit(['cluster', 'config', 'get', KEY, ...(broker ? ['--broker', broker] : []), '--json'])
    expect(r.code, r.stderr).toBe(0)
    return json<{broker: number; configs: Entry[]}>(r).configs[0]
  }

  it("sets and unsets cluster-wide and per-broker values, each shown with its source, as Kafka's ConfigCommand sees them", async () => {
    const broker = String(json<{brokers: {id: number}[]}>(await kafkit(['cluster', 'info', '--json'])).brokers[0].id)
    expect(await get()).toMatchObject({value: '15000', source: 'default'})

    const plan = await kafkit(['cluster', 'config', 'set', '--set', `${KEY}=15001`, '--json'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(json(plan)).toMatchObject({executed: false, changes: [{name: KEY, before: '15000', beforeSource: 'default', after: '15001', afterSource: 'cluster-default'}]})
    expect((await get()).source).toBe('default')

    try {
      expect((await kafkit(['cluster', 'config', 'set', '--all-brokers', '--set', `${KEY}=15001`, '--execute'])).code).toBe(0)
      const clusterWide = await configCommand('--describe', '--entity-type', 'brokers', '--entity-default')
      expect(clusterWide.stdout).toContain(`${KEY}=15001`)
      expect(await get()).toMatchObject({value: '15001', source: 'cluster-default'})

      // Kafka's tool sets the broker's own value: kafkit shows it winning, the cluster-wide one below it.
      const altered = await configCommand('--alter', '--entity-type', 'brokers', '--entity-name', broker, '--add-config', `${KEY}=15002`)
      expect(altered.code, altered.stderr).toBe(0)
      const both = await get(broker)
      expect(both).toMatchObject({value: '15002', source: 'broker'})
      expect(both.synonyms.map((s) => s.source)).toEqual(['broker', 'cluster-default', 'default'])

      const unsetBroker = await kafkit(['cluster', 'config', 'unset', KEY, '--broker', broker, '--execute', '--json'])
      expect(unsetBroker.code, unsetBroker.stderr).toBe(0)
      expect(json(unsetBroker)).toMatchObject({changes: [{name: KEY, before: '15002', beforeSource: 'broker', after: '15001', afterSource: 'cluster-default'}]})
      expect(await get(broker)).toMatchObject({value: '15001', source: 'cluster-default'})
    } finally {
      await kafkit(['cluster', 'config', 'unset', KEY, '--broker', broker, '--execute'])
      await kafkit(['cluster', 'config', 'unset', KEY, '--execute'])
    }
    expect(await get()).toMatchObject({value: '15000', source: 'default'})
    const after = await configCommand('--describe', '--entity-type', 'brokers', '--entity-default')
    expect(after.stdout).not.toContain(KEY)
  }, 300_000)

  it('refuses unknown keys, read-only keys, bad values and unknown brokers with exit 2', async () => {
    const typo = await kafkit(['cluster', 'config', 'set', '--set', 'log.cleaner.backof.ms=1'])
    expect(typo.code).toBe(2)
    expect(expectCleanError(typo).hint).toContain(`did you mean '${KEY}'`)
    const readOnly = await kafkit(['cluster', 'config', 'set', '--set', 'process.roles=broker'])
    expect(readOnly.code).toBe(2)
    expect(expectCleanError(readOnly).message).toContain('read-only')
    const badValue = await kafkit(['cluster', 'config', 'set', '--set', `${KEY}=soon`])
    expect(badValue.code).toBe(2)
    expect(expectCleanError(badValue).message).toContain('the broker refused it')
    const noBroker = await kafkit(['cluster', 'config', 'get', '--broker', '99'])
    expect(noBroker.code).toBe(2)
    expect(expectCleanError(noBroker).message).toBe('there is no broker 99')
  }, 120_000)
})

describe('brokers', () => {
  it("lists each broker with its log dirs as Kafka's LogDirsCommand sees them, and leader/replica counts", async () => {
    const topic = uniqueName('brokers')
    await createTopicWithLeaders(admin, topic, 4)
    const list = await kafkit(['brokers', 'list', '--json'])
    expect(list.code, list.stderr).toBe(0)
    const brokers = json<{brokers: {id: number; controller: boolean; leaders: number; replicas: number; logDirs: {path: string; size: number; replicas: number}[]}[]}>(list).brokers
    expect(brokers.length).toBeGreaterThan(0)
    expect(brokers.filter((b) => b.controller).length).toBeLessThanOrEqual(1)
    for (const b of brokers) expect(b.logDirs.reduce((n, d) => n + d.replicas, 0)).toBe(b.replicas)
    expect(brokers.reduce((n, b) => n + b.leaders, 0)).toBeGreaterThanOrEqual(4)

    const theirs = await runJava('org.apache.kafka.tools.LogDirsCommand', ['--bootstrap-server', TEST_BROKERS, '--describe', '--topic-list', topic])
    expect(theirs.code, theirs.stderr).toBe(0)
    const doc = JSON.parse(theirs.stdout.split('\n').find((l) => l.startsWith('{'))!) as {brokers: {broker: number; logDirs: {logDir: string; partitions: {partition: string}[]}[]}[]}
    for (const b of doc.brokers) {
      const ours = brokers.find((x) => x.id === b.broker)!
      expect(ours.logDirs.map((d) => d.path).sort()).toEqual(b.logDirs.map((d) => d.logDir).sort())
    }
    expect(doc.brokers.flatMap((b) => b.logDirs.flatMap((d) => d.partitions)).length).toBe(4)

    const one = await kafkit(['brokers', 'describe', String(brokers[0].id), '--json'])
    expect(json(one)).toMatchObject({id: brokers[0].id, logDirs: brokers[0].logDirs.map((d) => ({path: d.path}))})
    const missing = await kafkit(['brokers', 'describe', '9999'])
    expect(missing.code).toBe(3)
    expect(expectCleanError(missing).message).toBe('there is no broker 9999')
  }, 180_000)
})

describe('topics clone', () => {
  it("creates a topic with the source's partitions and own configs, as Kafka's TopicCommand describes it", async () => {
    const source = uniqueName('clone-src')
    const dest = `${source}-copy`
    await createTopicWithLeaders(admin, source, 5, {'retention.ms': '3600000', 'cleanup.policy': 'compact', 'max.message.bytes': '200000'})
    const plan = await kafkit(['topics', 'clone', source, dest, '--json'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(json(plan)).toMatchObject({executed: false, partitions: 5, replicationFactor: 1, configs: {'retention.ms': '3600000', 'cleanup.policy': 'compact', 'max.message.bytes': '200000'}})
    expect((await admin.listTopics()).includes(dest)).toBe(false)

    const done = await kafkit(['topics', 'clone', source, dest, '--execute'])
    expect(done.code, done.stderr).toBe(0)
    const described = await runJava('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', TEST_BROKERS, '--describe', '--topic', dest])
    expect(described.code, described.stderr).toBe(0)
    expect(described.stdout).toMatch(/PartitionCount: 5\s+ReplicationFactor: 1/)
    for (const c of ['retention.ms=3600000', 'cleanup.policy=compact', 'max.message.bytes=200000']) expect(described.stdout).toContain(c)

    const again = await kafkit(['topics', 'clone', source, dest, '--execute'])
    expect(again.code).toBe(6)
    expect(expectCleanError(again).message).toMatch(new RegExp(`^topic '${dest}' already exists on profile`))
    const missing = await kafkit(['topics', 'clone', `${source}-nope`, `${dest}-2`])
    expect(missing.code).toBe(3)
  }, 180_000)

  it('with --data copies every record losslessly: partition, offset, key, value, headers and timestamp, as kcat reads them', async () => {
    const source = uniqueName('clone-data')
    const dest = `${source}-copy`
    await createTopicWithLeaders(admin, source, 3)
    const producer = kafka.producer()
    await producer.connect()
    const base = Date.now() - 86_400_000
    for (let p = 0; p < 3; p++) {
      const messages = Array.from({length: 700}, (_, i) => ({
        partition: p,
        key: i % 50 === 0 ? null : `k${p}-${i}`,
        value: i % 70 === 0 ? null : `v${p}-${i}`.repeat(1 + (i % 5)),
        timestamp: String(base + p * 1000 + i),
        headers: i % 3 === 0 ? {trace: `t${i}`, h2: 'x'} : undefined,
      }))
      await producer.send({topic: source, acks: -1, messages})
    }
    await producer.disconnect()
    // Configs that would refuse (keyless records in a compacted topic) or restamp (LogAppendTime) the copied
    // records: the copy gets them once its records are in.
    const altered = await kafkit(['topics', 'alter', source, '--set', 'cleanup.policy=compact', '--set', 'message.timestamp.type=LogAppendTime'])
    expect(altered.code, altered.stderr).toBe(0)

    const plan = await kafkit(['topics', 'clone', source, dest, '--data', '--json'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(json(plan)).toMatchObject({executed: false, data: {records: 2100, copied: 0, configsAfterCopy: ['cleanup.policy', 'message.timestamp.type']}})
    expect((await admin.listTopics()).includes(dest)).toBe(false)

    const done = await kafkit(['topics', 'clone', source, dest, '--data', '--execute', '--json'])
    expect(done.code, done.stderr).toBe(0)
    expect(json(done)).toMatchObject({executed: true, partitions: 3, data: {records: 2100, copied: 2100, complete: true}})
    const configs = json<{configs: {name: string; value: string; source: string}[]}>(await kafkit(['topics', 'describe', dest, '--json'])).configs
    expect(
      configs
        .filter((c) => c.source === 'topic')
        .map((c) => `${c.name}=${c.value}`)
        .sort(),
    ).toEqual(['cleanup.policy=compact', 'message.timestamp.type=LogAppendTime'])
    // kcat reads both: the same records at the same partitions and offsets (-Z: NULL for null keys and values).
    const read = async (topic: string) => {
      const {stdout} = await exec('kcat', ['-C', '-b', TEST_BROKERS, '-t', topic, '-o', 'beginning', '-e', '-q', '-Z', '-f', '%p|%o|%k|%s|%T|%h\n'], {maxBuffer: 64 << 20, timeout: 60_000})
      return stdout.split('\n').filter(Boolean).sort()
    }
    const [a, b] = await Promise.all([read(source), read(dest)])
    expect(a).toHaveLength(2100)
    expect(b).toEqual(a)
    expect(a.filter((l) => l.includes('trace=t'))).toHaveLength(3 * 234)
  }, 180_000)
})
