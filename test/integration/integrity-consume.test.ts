/**
 * Issue #17, the consume / group / error side, against the real broker: a group consumer commits what it wrote
 * when traffic stops; groups of the new consumer protocol (KIP-848) are described, listed and protected from a
 * reset; and errors are the documented ones (TLS / SASL profile on the wrong listener, backwards windows, timeouts).
 * Kafka's own tools (ConsumerGroupCommand, ConsoleConsumer) give the second opinion.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Kafka, logLevel} from 'kafkajs'

import {BIN, type RunOptions, TEST_BROKERS, createTopicWithLeaders, expectCleanError, json, kafkit as run, uniqueName} from './helpers.js'
import {CONSOLE_CONSUMER, GROUP_COMMAND, javaTool, runJava} from './kafka-tools.js'

const kafkit = (args: string[], options: RunOptions = {}) => run(args, {timeoutMs: 90_000, ...options})
const kafka = new Kafka({brokers: TEST_BROKERS.split(','), logLevel: logLevel.NOTHING})
const children: ChildProcess[] = []

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

/** kafkit in the background, its stdout lines counted as they come. */
function background(args: string[]): {child: ChildProcess; lines(): number; stdout(): string; stderr(): string} {
  const child = spawn(process.execPath, [BIN, ...args], {env: {...process.env, NO_COLOR: '1', KAFKIT_BROKERS: TEST_BROKERS}, stdio: ['ignore', 'pipe', 'pipe']})
  children.push(child)
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  return {child, lines: () => out.split('\n').filter(Boolean).length, stdout: () => out, stderr: () => err}
}

/** Creates a topic and waits for its leaders. */
async function newTopic(topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await createTopicWithLeaders(admin, topic, partitions)
  await admin.disconnect()
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) if (await check()) return
  throw new Error(`timed out waiting for ${what}`)
}

/** ConsumerGroupCommand --describe: per partition CURRENT-OFFSET and LOG-END-OFFSET (the second opinion). */
async function describedByKafka(group: string): Promise<{partition: number; current: number | null; logEnd: number}[]> {
  const result = await runJava(GROUP_COMMAND, ['--bootstrap-server', TEST_BROKERS, '--describe', '--group', group])
  expect(result.code, result.stderr).toBe(0)
  return result.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[0] === group && /^\d+$/.test(cols[2]))
    .map((cols) => ({partition: Number(cols[2]), current: cols[3] === '-' ? null : Number(cols[3]), logEnd: Number(cols[4])}))
    .sort((a, b) => a.partition - b.partition)
}

describe('consume --group commits what it wrote when traffic stops (#17 item 3)', () => {
  const topic = uniqueName('ic-idle')
  const group = uniqueName('ic-idle-g')
  const total = 3000

  beforeAll(async () => {
    await newTopic(topic, 3)
    const lines = Array.from({length: total}, (_, i) => `v${i}`).join('\n') + '\n'
    const produced = await kafkit(['produce', topic], {input: lines})
    expect(produced.code, produced.stderr).toBe(0)
  }, 120_000)

  it('within ~1 s of the last record the group has committed everything (ConsumerGroupCommand agrees), and a SIGKILL loses nothing', async () => {
    // No -e: the consumer follows the topic, and no record comes after the last one.
    const consumer = background(['consume', topic, '--group', group, '--from', 'beginning'])
    await until(`${total} records printed`, () => consumer.lines() >= total)
    const printedAt = Date.now()
    // Committed while the consumer still runs, with no further traffic: the lag is 0 on every partition.
    await until(
      'the group to commit every written record',
      async () => {
        const rows = await describedByKafka(group)
        return rows.length === 3 && rows.every((r) => r.current === r.logEnd)
      },
      30_000,
    )
    const committedAfterMs = Date.now() - printedAt
    const rows = await describedByKafka(group)
    console.log(`[integrity] idle group commit: ${total} records, lag 0 on all partitions ${committedAfterMs} ms after the last one was printed (incl. the JVM start of ConsumerGroupCommand)`)
    expect(rows.reduce((n, r) => n + (r.current ?? 0), 0)).toBe(total)
    expect(consumer.child.exitCode).toBeNull() // still running: this is not the exit-time commit

    // A SIGKILL (no exit-time commit at all) and a restart: nothing is read twice.
    consumer.child.kill('SIGKILL')
    await new Promise((resolve) => consumer.child.once('close', resolve))
    const again = await kafkit(['consume', topic, '--group', group, '-e'])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toBe('')
  }, 180_000)
})

describe('usage errors instead of silent results (#17 item 6)', () => {
  const topic = uniqueName('ic-usage')
  beforeAll(async () => {
    await newTopic(topic, 1)
    expect((await kafkit(['produce', topic], {input: 'a\nb\nc\nd\n'})).code).toBe(0)
  }, 120_000)

  it.each([
    [['--range', '3:1'], /^--range 3:1 is backwards: TO 1 is before FROM 3$/],
    [['--from', '2', '--to', '1'], /^--to 1 is before --from 2: the window is backwards$/],
    [['--range', '@-30m:@-150m'], /^--range @-30m:@-150m is backwards/],
  ])('consume %j is exit 2, not an empty exit 0', async (flags, message) => {
    const result = await kafkit(['consume', topic, ...flags])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stdout).toBe('')
    expect(expectCleanError(result).message).toMatch(message)
  })

  it.each([
    ['30d', /longer than the longest wait possible \(24d\)/],
    ['0', /is no time at all/],
  ])('--timeout %s is exit 2 in every command (consume, offsets list, groups list), not a 1 ms timer', async (timeout, message) => {
    for (const args of [
      ['consume', topic, '-e'],
      ['offsets', 'list', topic],
      ['groups', 'list'],
      ['topics', 'list'],
    ]) {
      const result = await kafkit([...args, '--timeout', timeout])
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2)
      expect(expectCleanError(result).message).toMatch(message)
    }
  })

  it('--timeout 24d works (the longest allowed)', async () => {
    const result = await kafkit(['consume', topic, '-e', '--timeout', '24d'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('a\nb\nc\nd\n')
  })
})

describe('groups of the new consumer protocol (KIP-848, group.protocol=consumer) (#17 item 7)', () => {
  const topic = uniqueName('ic-848')
  const group = uniqueName('ic-848-g')
  let consumer: ChildProcess | undefined

  beforeAll(async () => {
    await newTopic(topic, 3)
    const produced = await kafkit(['produce', topic], {input: Array.from({length: 300}, (_, i) => `v${i}`).join('\n') + '\n'})
    expect(produced.code, produced.stderr).toBe(0)
    // Kafka's own console consumer, on the new protocol, staying in the group.
    consumer = await javaTool(CONSOLE_CONSUMER, ['--bootstrap-server', TEST_BROKERS, '--topic', topic, '--group', group, '--from-beginning', '--consumer-property', 'group.protocol=consumer'])
    children.push(consumer)
    let read = 0
    consumer.stdout!.on('data', (d: Buffer) => (read += d.toString().split('\n').length - 1))
    await until('the console consumer to read the topic', () => read >= 300, 90_000)
    // ConsumerGroupCommand (the second opinion) sees it Stable with 1 member.
    await until(
      'ConsumerGroupCommand to show the group Stable',
      async () => {
        const state = await runJava(GROUP_COMMAND, ['--bootstrap-server', TEST_BROKERS, '--describe', '--group', group, '--state'])
        return /\bStable\s+1\s*$/m.test(state.stdout)
      },
      60_000,
    )
  }, 180_000)

  it('groups describe shows it Stable with its member and assignment, read with ConsumerGroupDescribe', async () => {
    const result = await kafkit(['groups', 'describe', group, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const lag = json<{
      state: string
      type: string
      protocol: string
      members: {clientId: string; assignment: {topic: string; partitions: number[]}[]}[]
      partitions: {partition: number; clientId: string | null}[]
    }>(result)
    expect(lag.state).toBe('Stable')
    expect(lag.type).toBe('consumer')
    expect(lag.protocol).toBe('uniform')
    expect(lag.members).toHaveLength(1)
    expect(lag.members[0].clientId).toBe('console-consumer')
    expect(lag.members[0].assignment).toEqual([{topic, partitions: [0, 1, 2]}])
    expect(lag.partitions.map((p) => p.clientId)).toEqual(['console-consumer', 'console-consumer', 'console-consumer'])
  }, 120_000)

  it('groups list shows it Stable with 1 member, of type consumer', async () => {
    const result = await kafkit(['groups', 'list', `^${group}$`, '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(json(result)).toEqual([{group, state: 'Stable', members: 1, protocolType: 'consumer', protocol: 'uniform', type: 'consumer', topics: [topic], lag: expect.any(Number)}])
    const piped = await kafkit(['groups', 'list', `^${group}$`])
    expect(piped.stdout).toMatch(new RegExp(`^${group}\tStable\t1\tuniform \\(KIP-848\\)\t${topic}\t\\d+\n$`))
  }, 120_000)

  it('offsets reset warns in the plan and refuses --execute with exit 6 while it is active', async () => {
    const plan = await kafkit(['offsets', 'reset', group, '--topic', topic, '--to-earliest'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stderr).toMatch(/has 1 active member\(s\): --execute will be refused until they stop/)
    const executed = await kafkit(['offsets', 'reset', group, '--topic', topic, '--to-earliest', '--execute'])
    expect(executed.code, executed.stderr).toBe(6)
    const {message, hint} = expectCleanError(executed)
    expect(message).toBe(`cannot reset the offsets: group '${group}' is Stable with 1 active member: console-consumer (127.0.0.1, ${message.match(/127\.0\.0\.1, (\S+)\)/)?.[1]})`)
    expect(hint).toMatch(/stop its consumers first/)
  }, 120_000)

  it('once its consumer has left, the group is Empty and a reset goes through', async () => {
    consumer!.kill('SIGTERM') // the console consumer leaves the group on SIGTERM
    await new Promise((resolve) => consumer!.once('close', resolve))
    await until(
      'the group to be Empty',
      async () => {
        const result = await kafkit(['groups', 'describe', group, '--json'])
        return result.code === 0 && json<{state: string}>(result).state === 'Empty'
      },
      60_000,
    )
    const executed = await kafkit(['offsets', 'reset', group, '--topic', topic, '--to-earliest', '--execute'])
    expect(executed.code, executed.stderr).toBe(0)
    const rows = await describedByKafka(group)
    expect(rows.map((r) => r.current)).toEqual([0, 0, 0])
  }, 120_000)
})

describe('a secured profile pointed at the plaintext listener (#17 item 6)', () => {
  const ca = join(process.env.HOME ?? '', '.cache/kafkit/local/security/ca.pem')
  const topic = uniqueName('ic-sec')
  beforeAll(async () => {
    await newTopic(topic, 1)
  }, 120_000)

  it('TLS to a listener without TLS: exit 4 with the TLS hint in every command, as profiles test says', async () => {
    const env = {KAFKIT_TLS_CA: ca}
    const test = await kafkit(['profiles', 'test', '--timeout', '5s'], {env})
    expect(test.code).toBe(4)
    const diagnosis = expectCleanError(test)
    for (const args of [
      ['topics', 'list'],
      ['consume', topic, '-e'],
      ['offsets', 'list', topic],
      ['groups', 'list'],
      ['produce', topic],
    ]) {
      const result = await kafkit([...args, '--timeout', '5s'], {env, input: 'x\n'})
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(4)
      const {message, hint} = expectCleanError(result)
      expect(message).toMatch(/^TLS handshake with 127\.0\.0\.1:9092 failed: the broker closed the connection/)
      expect(hint).toBe(diagnosis.hint)
      expect(hint).toMatch(/listener without TLS/)
    }
  }, 180_000)

  it('SASL to a listener without SASL says so (exit 4)', async () => {
    const env = {KAFKIT_SASL_MECHANISM: 'plain', KAFKIT_SASL_USERNAME: 'alice', KAFKIT_SASL_PASSWORD: 'not-the-password'}
    for (const args of [
      ['topics', 'list'],
      ['consume', topic, '-e'],
      ['profiles', 'test'],
    ]) {
      const result = await kafkit([...args, '--timeout', '5s'], {env})
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(4)
      const {message, hint} = expectCleanError(result)
      expect(message).toMatch(/the listener at 127\.0\.0\.1:9092 does not use SASL: it refused the SASL PLAIN login/)
      expect(hint).toMatch(/SASL port/)
    }
  }, 120_000)
})
