/**
 * groups list / describe / delete against the real broker, with groups made by Kafka's own console consumer
 * (org.apache.kafka.tools.consumer.ConsoleConsumer from the kafka-tools jar `kafkit local` fetched).
 */
import type {ChildProcess} from 'node:child_process'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Kafka, logLevel} from 'kafkajs'

import {type RunOptions, TEST_BROKERS, createTopicWithLeaders, expectCleanError, json, kafkit as run, uniqueName} from './helpers.js'
import {CONSOLE_CONSUMER, javaTool, runJava} from './kafka-tools.js'

// Generous per-process budget: CI machines are small and shared.
const kafkit = (args: string[], options: RunOptions = {}) => run(args, {timeoutMs: 90_000, ...options})

const kafka = new Kafka({brokers: TEST_BROKERS.split(','), logLevel: logLevel.NOTHING})
const topic = uniqueName('grp-t')
const prefix = uniqueName('grp')
const consumed = `${prefix}-consumed`

async function produce(perPartition: number) {
  // Idempotent: a retried send on a busy broker must not write the records twice (the counts below are exact).
  const producer = kafka.producer({idempotent: true})
  await producer.connect()
  const messages = [0, 1, 2].flatMap((partition) => Array.from({length: perPartition}, (_, i) => ({partition, value: `v${i}`})))
  await producer.send({topic, messages})
  await producer.disconnect()
}

type Lag = {
  group: string
  state: string
  totalLag: number
  members: {clientId: string}[]
  partitions: {partition: number; committed: number | null; logEnd: number; lag: number | null; clientId: string | null}[]
}

beforeAll(async () => {
  const admin = kafka.admin()
  await admin.connect()
  await createTopicWithLeaders(admin, topic, 3)
  await admin.disconnect()
  await produce(10)
  // A real consumer group: Kafka's console consumer reads all 30 records and commits on exit.
  const run = await runJava(CONSOLE_CONSUMER, ['--bootstrap-server', TEST_BROKERS, '--topic', topic, '--group', consumed, '--from-beginning', '--max-messages', '30'])
  expect(run.code, run.stderr).toBe(0)
  await produce(2) // lag 2 per partition
}, 120_000)

describe('groups list', () => {
  it('lists the group with state, members, protocol and topics (--json)', async () => {
    const result = await kafkit(['groups', 'list', '--json'])
    expect(result.code).toBe(0)
    const groups = json<{group: string; state: string; members: number; protocolType: string; topics: string[]}[]>(result)
    expect(groups.find((g) => g.group === consumed)).toMatchObject({state: 'Empty', members: 0, protocolType: 'consumer', topics: [topic]})
  }, 120_000)

  it('filters by regex; piped output is tab-separated', async () => {
    const result = await kafkit(['groups', 'list', `^${prefix}-consumed$`])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${consumed}\tEmpty\t0\tconsumer\t${topic}\t6\n`) // total lag last: 2 per partition
  }, 120_000)

  it('a bad regex is exit 2', async () => {
    const result = await kafkit(['groups', 'list', '('])
    expect(result.code).toBe(2)
    expectCleanError(result)
  }, 120_000)
})

describe('groups describe', () => {
  it('shows committed offset, log end and lag per partition, with the total', async () => {
    const result = await kafkit(['groups', 'describe', consumed, '--json'])
    expect(result.code).toBe(0)
    const lag = json<Lag>(result)
    expect(lag.partitions.map((p) => [p.partition, p.committed, p.logEnd, p.lag])).toEqual([
      [0, 10, 12, 2],
      [1, 10, 12, 2],
      [2, 10, 12, 2],
    ])
    expect(lag.totalLag).toBe(6)
  }, 120_000)

  it('unknown group: exit 3 with a did-you-mean hint', async () => {
    const result = await kafkit(['groups', 'describe', `${consumed}x`])
    expect(result.code).toBe(3)
    const {message, hint} = expectCleanError(result)
    expect(message).toContain(`${consumed}x`)
    expect(hint).toContain(consumed)
  }, 120_000)

  it('--watch refreshes: one line per sample when piped, JSON Lines with rates under --json', async () => {
    const piped = await kafkit(['groups', 'describe', consumed, '--watch', '--count', '2', '--interval', '100ms'])
    expect(piped.code).toBe(0)
    const lines = piped.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatch(new RegExp(`\\t${consumed}\\tEmpty\\tlag=6\\tconsume=0.0/s\\tproduce=0.0/s\\tcatch-up=never`))
    const asJson = await kafkit(['groups', 'describe', consumed, '--watch', '--count', '2', '--interval', '100ms', '--json'])
    const samples = asJson.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Lag & {rates?: {consumeRate: number; catchUpSeconds: number | null}})
    expect(samples).toHaveLength(2)
    expect(samples[0].rates).toBeUndefined()
    expect(samples[1].rates).toMatchObject({consumeRate: 0, catchUpSeconds: null})
  }, 120_000)
})

describe('active groups', () => {
  const active = `${prefix}-active`
  let consumer: ChildProcess | undefined

  afterAll(() => {
    consumer?.kill('SIGKILL')
  }, 120_000)

  it('shows the members, and refuses reset --execute and delete with exit 6 while they run', async () => {
    consumer = await javaTool(CONSOLE_CONSUMER, ['--bootstrap-server', TEST_BROKERS, '--topic', topic, '--group', active, '--from-beginning'])
    consumer.stdout!.resume()
    consumer.stderr!.resume()
    let lag: Lag | undefined
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      const r = await kafkit(['groups', 'describe', active, '--json'])
      if (r.code === 0) {
        lag = json<Lag>(r)
        if (lag.state === 'Stable' && lag.partitions.length === 3) break
      }
    }
    expect(lag?.state).toBe('Stable')
    expect(lag!.members[0].clientId).toBe('console-consumer')
    expect(lag!.partitions.every((p) => p.clientId === 'console-consumer')).toBe(true)

    const reset = await kafkit(['offsets', 'reset', active, '--topic', topic, '--to-earliest', '--execute'])
    expect(reset.code).toBe(6)
    expect(expectCleanError(reset).message).toMatch(/active member.*console-consumer/)

    const dryRun = await kafkit(['offsets', 'reset', active, '--topic', topic, '--to-earliest'])
    expect(dryRun.code).toBe(0)
    expect(dryRun.stderr).toMatch(/warning: .*active member/)

    const del = await kafkit(['groups', 'delete', active, '--yes'])
    expect(del.code).toBe(6)
    expect(expectCleanError(del).message).toContain('console-consumer')
  }, 150_000)
})

describe('groups delete', () => {
  it('needs --yes without a terminal, deletes with it, and the group is gone', async () => {
    const group = `${prefix}-del`
    const made = await kafkit(['offsets', 'reset', group, '--topic', topic, '--to-earliest', '--execute', '--allow-new-group'], {env: {KAFKIT_STATE_DIR: join(tmpdir(), prefix)}})
    expect(made.code, made.stderr).toBe(0)
    const refused = await kafkit(['groups', 'delete', group])
    expect(refused.code).toBe(6)
    expect(expectCleanError(refused).hint).toContain('--yes')
    const deleted = await kafkit(['groups', 'delete', group, '--yes', '--json'])
    expect(deleted.code).toBe(0)
    expect(json(deleted)).toEqual([{groupId: group, deleted: true}])
    expect((await kafkit(['groups', 'describe', group])).code).toBe(3)
  }, 120_000)

  it('unknown group: exit 3, nothing deleted', async () => {
    const result = await kafkit(['groups', 'delete', consumed, `${prefix}-nope`, '--yes'])
    expect(result.code).toBe(3)
    expect((await kafkit(['groups', 'describe', consumed])).code).toBe(0)
  }, 120_000)
})

describe('with kafkit consume --group', () => {
  it('a group made by kafkit consume shows no lag; after a reset it re-reads exactly the rewound records', async () => {
    const g = `${prefix}-kc`
    const env = {KAFKIT_STATE_DIR: join(tmpdir(), prefix)}
    const first = await kafkit(['consume', topic, '--group', g, '--exit'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout.trim().split('\n')).toHaveLength(36)
    const lag = json<Lag>(await kafkit(['groups', 'describe', g, '--json']))
    expect(lag.partitions.map((p) => [p.committed, p.lag])).toEqual([
      [12, 0],
      [12, 0],
      [12, 0],
    ])
    const reset = await kafkit(['offsets', 'reset', g, '--all-topics', '--shift-by', '-2', '--execute'], {env})
    expect(reset.code, reset.stderr).toBe(0)
    const again = await kafkit(['consume', topic, '--group', g, '--exit'])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout.trim().split('\n').sort()).toEqual(['v0', 'v0', 'v0', 'v1', 'v1', 'v1'])
  }, 120_000)
})

describe('groups of the new consumer protocol (KIP-848)', () => {
  it('are described (state Empty, read with ConsumerGroupDescribe) and reset when empty', async () => {
    const g = `${prefix}-848`
    const made = await runJava(CONSOLE_CONSUMER, [
      '--bootstrap-server',
      TEST_BROKERS,
      '--topic',
      topic,
      '--group',
      g,
      '--from-beginning',
      '--max-messages',
      '36',
      '--consumer-property',
      'group.protocol=consumer',
    ])
    expect(made.code, made.stderr).toBe(0)
    const lag = json<Lag>(await kafkit(['groups', 'describe', g, '--json']))
    expect(lag.state).toBe('Empty')
    expect(lag.partitions.map((p) => p.committed)).toEqual([12, 12, 12])
    const reset = await kafkit(['offsets', 'reset', g, '--all-topics', '--to-offset', '4', '--execute'], {env: {KAFKIT_STATE_DIR: join(tmpdir(), prefix)}})
    expect(reset.code, reset.stderr).toBe(0)
    expect(json<Lag>(await kafkit(['groups', 'describe', g, '--json'])).partitions.map((p) => p.committed)).toEqual([4, 4, 4])
  }, 150_000)
})
