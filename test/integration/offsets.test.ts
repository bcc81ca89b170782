/**
 * offsets list / reset / undo / snapshots against the real broker, with a group made by Kafka's console
 * consumer, and CSV moving both ways with Kafka's ConsumerGroupCommand.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {Kafka, logLevel} from 'kafkajs'

import {type RunOptions, TEST_BROKERS, createTopicWithLeaders, expectCleanError, json, kafkit as run, uniqueName} from './helpers.js'
import {CONSOLE_CONSUMER, GROUP_COMMAND, runJava} from './kafka-tools.js'

// Snapshots of this file's runs go to their own state dir.
const STATE_DIR = mkdtempSync(join(tmpdir(), 'kafkit-offsets-state-'))
// Generous per-process budget: CI machines are small and shared.
const kafkit = (args: string[], options: RunOptions = {}) => run(args, {timeoutMs: 90_000, ...options, env: {KAFKIT_STATE_DIR: STATE_DIR, ...options.env}})

/** Runs independent commands at most `width` at a time (side by side, without swamping two cores). */
async function pooled<T>(tasks: (() => Promise<T>)[], width = 3): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  await Promise.all(
    Array.from({length: width}, async () => {
      for (let i = next++; i < tasks.length; i = next++) results[i] = await tasks[i]()
    }),
  )
  return results
}

const kafka = new Kafka({brokers: TEST_BROKERS.split(','), logLevel: logLevel.NOTHING})
const topic = uniqueName('ofs-t')
const prefix = uniqueName('ofs')
const group = `${prefix}-g`
// Record i of every partition is stamped BASE + i seconds.
const BASE = Date.now() - 3_600_000

type Plan = {
  group: string
  executed: boolean
  partitions: {topic: string; partition: number; current: number | null; target: number; requested: number; clamped?: string; delta: number | null; lagAfter: number}[]
  warnings: string[]
  snapshot?: {id: string}
}

/** The group's committed offsets per partition of the topic (-1: none), read in-process with kafkajs. */
async function committed(g: string): Promise<number[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [offsets] = await admin.fetchOffsets({groupId: g, topics: [topic]})
    return offsets.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset))
  } finally {
    await admin.disconnect()
  }
}

beforeAll(async () => {
  const admin = kafka.admin()
  await admin.connect()
  await createTopicWithLeaders(admin, topic, 3)
  await admin.disconnect()
  // Idempotent: a retried send on a busy broker must not write the records twice (the counts below are exact).
  const producer = kafka.producer({idempotent: true})
  await producer.connect()
  await producer.send({topic, messages: [0, 1, 2].flatMap((partition) => Array.from({length: 10}, (_, i) => ({partition, value: `v${i}`, timestamp: String(BASE + i * 1000)})))})
  await producer.disconnect()
  const consumed = await runJava(CONSOLE_CONSUMER, ['--bootstrap-server', TEST_BROKERS, '--topic', topic, '--group', group, '--from-beginning', '--max-messages', '30'])
  expect(consumed.code, consumed.stderr).toBe(0)
}, 120_000)

describe('offsets list', () => {
  it('earliest, latest and the offset at a time per partition', async () => {
    const result = await kafkit(['offsets', 'list', topic, '--at', `@${new Date(BASE + 4500).toISOString()}`, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const list = json<{partitions: {partition: number; earliest: number; latest: number; atTime: number}[]}>(result)
    expect(list.partitions.map((p) => [p.partition, p.earliest, p.latest, p.atTime])).toEqual([
      [0, 0, 10, 5],
      [1, 0, 10, 5],
      [2, 0, 10, 5],
    ])
    const piped = await kafkit(['offsets', 'list', topic])
    expect(piped.stdout.split('\n')[0]).toBe(`${topic}\t0\t0\t10\t10`)
    expect((await kafkit(['offsets', 'list', `${topic}-nope`])).code).toBe(3)
  }, 120_000)
})

describe('offsets reset: the plan', () => {
  const plan = async (...args: string[]) => {
    const result = await kafkit(['offsets', 'reset', group, ...args, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const p = json<Plan>(result)
    expect(p.executed).toBe(false)
    return p
  }
  const targets = (p: Plan) => p.partitions.map((r) => r.target)

  it('every strategy, without --execute, shows current -> new and changes nothing', async () => {
    const file = join(STATE_DIR, 'plan.csv')
    writeFileSync(file, `${topic},2,6\n`)
    // Independent dry runs, a few side by side.
    const [earliest, latest, offset, shifted, datetime, longAgo, justNow, current, fromFile] = await pooled([
      () => plan('--topic', topic, '--to-earliest'),
      () => plan('--all-topics', '--to-latest'),
      () => plan('--topic', `${topic}:1`, '--to-offset', '4'),
      () => plan('--topic', topic, '--shift-by', '-3'),
      () => plan('--topic', topic, '--to-datetime', new Date(BASE + 5000).toISOString()),
      () => plan('--topic', topic, '--by-duration', '7d'),
      () => plan('--topic', topic, '--by-duration', '1ms'),
      () => plan('--all-topics', '--to-current'),
      () => plan('--from-file', file),
    ])
    expect(targets(earliest)).toEqual([0, 0, 0])
    expect(targets(latest)).toEqual([10, 10, 10])
    expect(targets(offset)).toEqual([4])
    expect(shifted.partitions[0]).toMatchObject({current: 10, target: 7, delta: -3, lagAfter: 3})
    expect(targets(datetime)).toEqual([5, 5, 5])
    expect(targets(longAgo)).toEqual([0, 0, 0])
    expect(targets(justNow)).toEqual([10, 10, 10])
    expect(targets(current)).toEqual([10, 10, 10])
    expect(fromFile.partitions).toMatchObject([{partition: 2, current: 10, target: 6}])
    expect(await committed(group)).toEqual([10, 10, 10])
  }, 120_000)

  it('clamps out-of-range targets to the log with a warning', async () => {
    const result = await kafkit(['offsets', 'reset', group, '--topic', `${topic}:0`, '--shift-by', '+5', '--json'])
    expect(json<Plan>(result).partitions[0]).toMatchObject({requested: 15, target: 10, clamped: 'latest'})
    expect(result.stderr).toBe('')
    const human = await kafkit(['offsets', 'reset', group, '--topic', `${topic}:0`, '--to-offset', '99'])
    expect(human.stdout).toBe(`${topic}\t0\t10\t10\t0\t0\n`)
    expect(human.stderr).toMatch(/warning: .*offset 99 is past the log end 10; using latest \(10\)/)
    expect(human.stderr).toContain('nothing changed')
  }, 120_000)

  it('--export prints kafka-consumer-groups CSV', async () => {
    const result = await kafkit(['offsets', 'reset', group, '--topic', topic, '--to-offset', '2', '--export'])
    expect(result.stdout).toBe(`${topic},0,2\n${topic},1,2\n${topic},2,2\n`)
  })
})

describe('offsets reset --execute and undo', () => {
  it('moves exactly the plan, snapshots first, and undo restores exactly', async () => {
    // The group the console consumer made in beforeAll (the dry-run tests above left it untouched).
    const g = group
    expect(await committed(g)).toEqual([10, 10, 10])

    const first = await kafkit(['offsets', 'reset', g, '--topic', `${topic}:0,1`, '--to-offset', '3', '--execute', '--json'])
    expect(first.code, first.stderr).toBe(0)
    const firstPlan = json<Plan>(first)
    expect(firstPlan.executed).toBe(true)
    expect(firstPlan.snapshot?.id).toMatch(/^\d{8}T\d{9}Z/)
    expect(await committed(g)).toEqual([3, 3, 10])

    const second = await kafkit(['offsets', 'reset', g, '--all-topics', '--shift-by', '-1', '--execute'])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(`kafkit offsets undo ${g}`)
    expect(await committed(g)).toEqual([2, 2, 9])

    const preview = await kafkit(['offsets', 'undo', g, '--json'])
    expect(preview.code).toBe(0)
    expect(json<Plan>(preview).partitions.map((r) => [r.current, r.target])).toEqual([
      [2, 3],
      [2, 3],
      [9, 10],
    ])
    expect(await committed(g)).toEqual([2, 2, 9])

    expect((await kafkit(['offsets', 'undo', g, '--execute'])).code).toBe(0)
    expect(await committed(g)).toEqual([3, 3, 10])
    const back = await kafkit(['offsets', 'undo', g, '--snapshot', firstPlan.snapshot!.id, '--execute'])
    expect(back.code, back.stderr).toBe(0)
    expect(await committed(g)).toEqual([10, 10, 10])

    const snapshots = await kafkit(['offsets', 'snapshots', g, '--json'])
    const list = json<{id: string; reason: string; partitions: number}[]>(snapshots)
    expect(list.map((s) => s.reason)).toEqual([`undo to ${firstPlan.snapshot!.id}`, expect.stringMatching(/^undo to /), 'reset --shift-by -1', 'reset --to-offset 3'])
    expect(list.at(-1)!.partitions).toBe(2)
  }, 180_000)

  it('protected profiles need --yes', async () => {
    const config = join(STATE_DIR, 'config.yaml')
    writeFileSync(config, `current: prod\nprofiles:\n  prod:\n    brokers: [${TEST_BROKERS}]\n    protected: true\n`, {mode: 0o600})
    const env = {KAFKIT_CONFIG: config, KAFKIT_BROKERS: undefined}
    const g = `${prefix}-prot`
    const refused = await kafkit(['offsets', 'reset', g, '--topic', topic, '--to-earliest', '--execute', '--allow-new-group', '-p', 'prod'], {env})
    expect(refused.code).toBe(6)
    expect(expectCleanError(refused).hint).toContain('--yes')
    const ok = await kafkit(['offsets', 'reset', g, '--topic', topic, '--to-earliest', '--execute', '--allow-new-group', '-p', 'prod', '--yes'], {env})
    expect(ok.code, ok.stderr).toBe(0)
    expect(await committed(g)).toEqual([0, 0, 0])
  }, 120_000)
})

describe('CSV both ways with kafka-consumer-groups', () => {
  it("kafkit's --export is applied by Kafka's --from-file, and Kafka's --export by kafkit's --from-file", async () => {
    const g = `${prefix}-csv`
    const made = await kafkit(['offsets', 'reset', g, '--topic', topic, '--to-earliest', '--execute', '--allow-new-group'])
    expect(made.code, made.stderr).toBe(0)

    const ours = join(STATE_DIR, 'ours.csv')
    const exported = await kafkit(['offsets', 'reset', g, '--topic', topic, '--to-datetime', new Date(BASE + 2000).toISOString(), '--export'])
    writeFileSync(ours, exported.stdout)
    const applied = await runJava(GROUP_COMMAND, ['--bootstrap-server', TEST_BROKERS, '--reset-offsets', '--group', g, '--from-file', ours, '--execute'])
    expect(applied.code, applied.stderr).toBe(0)
    expect(await committed(g)).toEqual([2, 2, 2])

    const theirs = join(STATE_DIR, 'theirs.csv')
    const kafkaExport = await runJava(GROUP_COMMAND, ['--bootstrap-server', TEST_BROKERS, '--reset-offsets', '--group', g, '--topic', `${topic}:0,2`, '--shift-by', '5', '--dry-run', '--export'])
    expect(kafkaExport.code, kafkaExport.stderr).toBe(0)
    writeFileSync(theirs, kafkaExport.stdout)
    const ours2 = await kafkit(['offsets', 'reset', g, '--from-file', theirs, '--execute'])
    expect(ours2.code, ours2.stderr).toBe(0)
    expect(await committed(g)).toEqual([7, 2, 7])
    expect(readFileSync(theirs, 'utf8')).toMatch(new RegExp(`^${topic},[02],7$`, 'm'))
  }, 180_000)
})

describe('errors', () => {
  const reset = (...args: string[]) => kafkit(['offsets', 'reset', ...args])

  it('unknown group, topic or partition: exit 3', async () => {
    const [noGroup, noTopic, noPartition, undoNoGroup, undoNoSnapshot] = await pooled([
      () => reset(`${prefix}-nope`, '--topic', topic, '--to-earliest'),
      () => reset(group, '--topic', `${topic}-nope`, '--to-earliest'),
      () => reset(group, '--topic', `${topic}:7`, '--to-earliest'),
      () => kafkit(['offsets', 'undo', `${prefix}-nope`]),
      () => kafkit(['offsets', 'undo', group], {env: {KAFKIT_STATE_DIR: mkdtempSync(join(tmpdir(), 'kafkit-empty-state-'))}}), // no snapshots there
    ])
    expect(noGroup.code).toBe(3)
    expect(expectCleanError(noGroup).hint).toContain('--allow-new-group')
    expect(noTopic.code).toBe(3)
    expect(noPartition.code).toBe(3)
    expect(expectCleanError(noPartition).message).toContain('partition 7')
    expect(undoNoGroup.code).toBe(3)
    expect(undoNoSnapshot.code).toBe(3)
  }, 120_000)

  it('bad datetime or duration: exit 2 with an example; conflicting strategies: exit 2', async () => {
    const badFile = join(STATE_DIR, 'bad.csv')
    writeFileSync(badFile, 'not,a,number\n')
    const [badTime, badDuration, both, noTopic, noStrategy, badCsv] = await pooled([
      () => reset(group, '--topic', topic, '--to-datetime', 'yesterday'),
      () => reset(group, '--topic', topic, '--by-duration', 'a while'),
      () => reset(group, '--topic', topic, '--to-earliest', '--to-offset', '3'),
      () => reset(group, '--to-earliest'),
      () => reset(group, '--topic', topic),
      () => reset(group, '--from-file', badFile),
    ])
    expect(badTime.code).toBe(2)
    expect(expectCleanError(badTime).hint).toMatch(/2026-11-24T09:00:00Z/)
    expect(badDuration.code).toBe(2)
    expect(expectCleanError(badDuration).hint).toMatch(/--by-duration 2h/)
    expect(both.code).toBe(2)
    expect(expectCleanError(both).message).toMatch(/conflicting/)
    expect(noTopic.code).toBe(2)
    expect(noStrategy.code).toBe(2)
    expect(badCsv.code).toBe(2)
    expect(expectCleanError(badCsv).message).toContain('line 1')
  }, 120_000)
})
