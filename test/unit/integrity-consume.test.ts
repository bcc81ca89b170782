/**
 * Issue #17, the consume / group / error side, without a broker: the commit timer of `consume --group`,
 * backwards windows, timer-sized durations, secret commands killed as a process group.
 */
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import {
  decodeConsumerGroupDescribeResponse,
  decodeListGroupsResponse,
  encodeConsumerGroupDescribeRequest,
  encodeListGroupsRequest,
  supportedVersion,
} from '../../src/kafka/kafkajs/protocol/consumer-groups-v2.js'
import {NOT_TLS_HINT, mapKafkaError, retriableCause, tlsHandshakeHint} from '../../src/kafka/errors.js'
import {CommitTimer} from '../../src/kafka/group-reader.js'
import {runSecretCommand} from '../../src/profiles/secrets.js'
import {parseWindowSpecs} from '../../src/replay/plan.js'
import {MAX_TIMER_MS, parseWaitDuration} from '../../src/specs/duration.js'
import {checkWindowOrder, parseOffsetSpec, parseRange} from '../../src/specs/offset-spec.js'

const usage = (fn: () => unknown): KafkitError => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(KafkitError)
    expect((error as KafkitError).exitCode).toBe(2)
    return error as KafkitError
  }
  throw new Error('no error thrown')
}

describe('CommitTimer: commits while no record arrives', () => {
  it('commits on every tick with nothing else happening, one commit at a time', async () => {
    let commits = 0
    let running = 0
    let overlapped = false
    const timer = new CommitTimer(async () => {
      running++
      if (running > 1) overlapped = true
      commits++
      await sleep(30)
      running--
    }, 20)
    await sleep(250)
    await timer.stop()
    const after = commits
    await sleep(100)
    expect(after).toBeGreaterThanOrEqual(3)
    expect(commits).toBe(after) // nothing after stop()
    expect(overlapped).toBe(false)
  })

  it('a failing commit does not stop the next ones', async () => {
    let calls = 0
    const timer = new CommitTimer(async () => {
      calls++
      throw new Error('rebalancing')
    }, 10)
    await sleep(100)
    await timer.stop()
    expect(calls).toBeGreaterThanOrEqual(2)
  })

  it('stop() waits for the commit in flight', async () => {
    let finished = false
    const timer = new CommitTimer(async () => {
      await sleep(80)
      finished = true
    }, 10_000)
    void timer.tick()
    await timer.stop()
    expect(finished).toBe(true)
  })
})

describe('backwards windows are exit 2', () => {
  it('--range 3:1, @-30m:@-150m, -5:-10', () => {
    expect(usage(() => parseRange('3:1')).message).toBe('--range 3:1 is backwards: TO 1 is before FROM 3')
    expect(usage(() => parseRange('@-30m:@-150m')).message).toMatch(/^--range @-30m:@-150m is backwards: TO @\S+ is before FROM @\S+$/)
    expect(usage(() => parseRange('-5:-10')).message).toBe('--range -5:-10 is backwards: TO -10 is before FROM -5')
  })

  it('--from 2 --to 1', () => {
    const err = usage(() => checkWindowOrder(parseOffsetSpec('2'), parseOffsetSpec('1')))
    expect(err.message).toBe('--to 1 is before --from 2: the window is backwards')
    expect(err.hint).toMatch(/swap/)
  })

  it('forward, one-record and mixed windows are fine', () => {
    expect(parseRange('1:3')).toEqual({from: {kind: 'offset', offset: 1}, to: {kind: 'offset', offset: 3}})
    expect(parseRange('3:3').to).toEqual({kind: 'offset', offset: 3})
    expect(parseRange('@-150m:@-30m').from.kind).toBe('time')
    expect(() => checkWindowOrder(parseOffsetSpec('500'), parseOffsetSpec('@-1h'))).not.toThrow()
    expect(() => checkWindowOrder(parseOffsetSpec('-10'), parseOffsetSpec('-5'))).not.toThrow()
    expect(() => checkWindowOrder(parseOffsetSpec('beginning'), parseOffsetSpec('end'))).not.toThrow()
  })

  it('replay --from/--to share the check', () => {
    expect(usage(() => parseWindowSpecs('5', '2')).message).toBe('--to 2 is before --from 5: the window is backwards')
  })
})

describe('--timeout and --interval: never a silent 1 ms timer', () => {
  it('0 is exit 2', () => {
    expect(usage(() => parseWaitDuration('0', '--timeout')).message).toBe("--timeout: '0' is no time at all")
    expect(usage(() => parseWaitDuration('0s', '--timeout')).code).toBe('BAD_DURATION')
  })

  it("anything above Node's timer limit is exit 2 (30d, 25d), 24d is the most", () => {
    expect(usage(() => parseWaitDuration('30d', '--timeout')).message).toBe("--timeout: '30d' is longer than the longest wait possible (24d)")
    usage(() => parseWaitDuration('25d', '--interval'))
    expect(parseWaitDuration('24d', '--timeout')).toBe(24 * 86_400_000)
    expect(parseWaitDuration('24d', '--timeout')).toBeLessThan(MAX_TIMER_MS)
    expect(parseWaitDuration('10', '--timeout')).toBe(10_000)
    expect(parseWaitDuration('500ms', '--timeout')).toBe(500)
  })
})

describe('secret commands: a timeout kills the whole process group', () => {
  it('no child of a timed-out passwordCommand survives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-secret-'))
    const pidFile = join(dir, 'child.pid')
    // The shell starts a child of its own (as `pass` starts gpg) and waits for it.
    const command = `sleep 300 & echo $! > ${pidFile}; wait`
    const error = await runSecretCommand(command, 'SASL PLAIN password', 500).then(
      () => undefined,
      (e: unknown) => e as KafkitError,
    )
    expect(error?.message).toBe('SASL PLAIN password: the command failed (timed out after 1s)')
    expect(error?.exitCode).toBe(4)
    expect(existsSync(pidFile)).toBe(true)
    const pid = Number(readFileSync(pidFile, 'utf8').trim())
    await sleep(200)
    expect(alive(pid), `child ${pid} of the timed-out command is still running`).toBe(false)
  })

  it('a command that works gives its output; one that fails gives its exit code and stderr line', async () => {
    expect(await runSecretCommand('echo s3cret', 'pw')).toBe('s3cret')
    await expect(runSecretCommand('echo nope >&2; exit 3', 'pw')).rejects.toThrow('pw: the command failed (exit 3: nope)')
    await expect(runSecretCommand('true', 'pw')).rejects.toThrow('pw: the command printed nothing')
  })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // A zombie (exited, not yet reaped) is not running.
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
  } catch {
    return false
  }
}

/** Compact string: uvarint(length + 1) then the bytes. */
const cs = (text: string) => [text.length + 1, ...Buffer.from(text)]
const int16 = (n: number) => [(n >> 8) & 0xff, n & 0xff]
const int32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]

describe('ConsumerGroupDescribe (API 69) and ListGroups v5: the bytes', () => {
  it('request: compact array of compact strings, a boolean, an empty tag buffer', () => {
    expect([...encodeConsumerGroupDescribeRequest(['g1', 'orders'])]).toEqual([3, ...cs('g1'), ...cs('orders'), 0, 0])
    expect([...encodeConsumerGroupDescribeRequest([], true)]).toEqual([1, 1, 0])
    // A 200-character id: its length (201) takes two varint bytes.
    const long = 'x'.repeat(200)
    expect([...encodeConsumerGroupDescribeRequest([long]).subarray(0, 3)]).toEqual([2, 0xc9, 0x01])
  })

  it('response v0: a Stable group with one member and its assignment', () => {
    const topicId = Array.from({length: 16}, (_, i) => i)
    const assignment = [2, ...topicId, ...cs('orders'), 3, ...int32(2), ...int32(0), 0, 0] // [orders: 2, 0], tags
    const member = [
      ...cs('bNIzIqjZTE2bv02YIIIgFw'),
      0, // instance id null
      0, // rack id null
      ...int32(7), // member epoch
      ...cs('console-consumer'),
      ...cs('/127.0.0.1'),
      2,
      ...cs('orders'), // subscribed topics
      0, // regex null
      ...assignment,
      1,
      0, // target assignment: no topics, tags
      0, // member tags
    ]
    const body = Buffer.from([
      ...int32(0), // throttle
      2, // one group
      ...int16(0),
      0,
      ...cs('billing'),
      ...cs('Stable'),
      ...int32(5),
      ...int32(5),
      ...cs('uniform'),
      2,
      ...member,
      ...int32(-2147483648),
      0, // authorized operations, group tags
      0, // response tags
    ])
    const decoded = decodeConsumerGroupDescribeResponse(body)
    expect(decoded.groups).toEqual([
      {
        errorCode: 0,
        errorMessage: null,
        groupId: 'billing',
        groupState: 'Stable',
        groupEpoch: 5,
        assignmentEpoch: 5,
        assignorName: 'uniform',
        members: [
          {
            memberId: 'bNIzIqjZTE2bv02YIIIgFw',
            instanceId: null,
            rackId: null,
            memberEpoch: 7,
            clientId: 'console-consumer',
            clientHost: '/127.0.0.1',
            subscribedTopicNames: ['orders'],
            subscribedTopicRegex: null,
            assignment: [{topic: 'orders', partitions: [0, 2]}],
            targetAssignment: [],
          },
        ],
      },
    ])
  })

  it('response: a group that is not there comes back with its error code (GROUP_ID_NOT_FOUND, 69) and message', () => {
    const body = Buffer.from([...int32(0), 2, ...int16(69), ...cs('Group g is not a consumer group.'), ...cs('g'), ...cs(''), ...int32(0), ...int32(0), ...cs(''), 1, ...int32(0), 0, 0])
    const [group] = decodeConsumerGroupDescribeResponse(body).groups
    expect(group).toMatchObject({errorCode: 69, errorMessage: 'Group g is not a consumer group.', groupId: 'g', members: []})
  })

  it('response: unknown tagged fields are skipped', () => {
    // One tagged field (tag 0, 3 bytes) at the end of the group.
    const body = Buffer.from([...int32(0), 2, ...int16(0), 0, ...cs('g'), ...cs('Empty'), ...int32(1), ...int32(1), ...cs('range'), 1, ...int32(0), 1, 0, 3, 9, 9, 9, 0])
    expect(decodeConsumerGroupDescribeResponse(body).groups[0]).toMatchObject({groupId: 'g', groupState: 'Empty', assignorName: 'range'})
  })

  it('ListGroups v5: empty filters, and groups with state and type', () => {
    expect([...encodeListGroupsRequest()]).toEqual([1, 1, 0])
    expect([...encodeListGroupsRequest(['Stable'], ['consumer'])]).toEqual([2, ...cs('Stable'), 2, ...cs('consumer'), 0])
    const body = Buffer.from([...int32(0), ...int16(0), 3, ...cs('a'), ...cs('consumer'), ...cs('Stable'), ...cs('Consumer'), 0, ...cs('b'), ...cs('consumer'), ...cs('Empty'), ...cs('Classic'), 0, 0])
    expect(decodeListGroupsResponse(body)).toEqual({
      errorCode: 0,
      groups: [
        {groupId: 'a', protocolType: 'consumer', groupState: 'Stable', groupType: 'Consumer'},
        {groupId: 'b', protocolType: 'consumer', groupState: 'Empty', groupType: 'Classic'},
      ],
    })
  })

  it('the version used is the highest both sides know', () => {
    expect(supportedVersion({versions: {69: {minVersion: 0, maxVersion: 1}}}, 69, 0, 1)).toBe(1)
    expect(supportedVersion({versions: {69: {minVersion: 0, maxVersion: 3}}}, 69, 0, 1)).toBe(1)
    expect(supportedVersion({versions: {16: {minVersion: 0, maxVersion: 4}}}, 16, 5, 5)).toBeUndefined()
    expect(supportedVersion({versions: {}}, 69, 0, 1)).toBeUndefined()
  })
})

describe("errors in the user's words", () => {
  const kafkaError = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), {name, ...extra})
  const ctx = {brokers: ['127.0.0.1:9092'], timeoutMs: 10_000}

  it('retriable errors are found inside kafkajs wrappers; others are not', () => {
    const notLeader = kafkaError('KafkaJSProtocolError', 'This server is not the leader for that topic-partition', {type: 'NOT_LEADER_FOR_PARTITION', retriable: true})
    expect(retriableCause(kafkaError('KafkaJSNumberOfRetriesExceeded', 'x', {originalError: notLeader}))).toBe(notLeader)
    expect(retriableCause(kafkaError('KafkaJSGroupCoordinatorNotFound', 'Failed to find group coordinator'))?.name).toBe('KafkaJSGroupCoordinatorNotFound')
    expect(retriableCause(kafkaError('KafkaJSProtocolError', 'x', {type: 'GROUP_LOAD_IN_PROGRESS'}))).toBeDefined()
    expect(retriableCause(kafkaError('KafkaJSProtocolError', 'x', {type: 'UNKNOWN_TOPIC_OR_PARTITION'}))).toBeUndefined()
    expect(retriableCause(kafkaError('KafkaJSProtocolError', 'x', {type: 'TOPIC_AUTHORIZATION_FAILED'}))).toBeUndefined()
  })

  it('a leaderless partition that outlasts the retries is exit 7, not the raw kafkajs message at exit 1', () => {
    const error = mapKafkaError(kafkaError('KafkaJSProtocolError', 'This server is not the leader for that topic-partition', {type: 'NOT_LEADER_FOR_PARTITION'}), ctx)
    expect(error.exitCode).toBe(7)
    expect(error.message).toBe('127.0.0.1:9092: the partitions have no leader yet (NOT_LEADER_FOR_PARTITION): a broker is starting or restarting, still after 10s')
    const coordinator = mapKafkaError(kafkaError('KafkaJSGroupCoordinatorNotFound', 'Failed to find group coordinator'), ctx)
    expect(coordinator.exitCode).toBe(7)
    expect(coordinator.message).toMatch(/the group coordinator is not available/)
  })

  it('TLS to a listener without TLS is exit 4 with the hint profiles test gives', () => {
    const socket = kafkaError('KafkaJSConnectionError', 'Connection error: Client network socket disconnected before secure TLS connection was established', {code: 'ECONNRESET'})
    const error = mapKafkaError(kafkaError('KafkaJSNonRetriableError', 'x', {cause: socket}), {...ctx, tls: true})
    expect(error.exitCode).toBe(4)
    expect(error.hint).toBe(NOT_TLS_HINT)
    expect(tlsHandshakeHint('ECONNRESET Client network socket disconnected before secure TLS connection was established')).toBe(NOT_TLS_HINT)
    expect(tlsHandshakeHint('no TLS handshake within 5000ms')).not.toBe(NOT_TLS_HINT)
  })

  it('SASL to a listener without SASL says so', () => {
    const error = mapKafkaError(kafkaError('KafkaJSProtocolError', 'Request is not valid given the current SASL state', {type: 'ILLEGAL_SASL_STATE'}), {...ctx, saslMechanism: 'plain'})
    expect(error.exitCode).toBe(4)
    expect(error.message).toBe('the listener at 127.0.0.1:9092 does not use SASL: it refused the SASL PLAIN login (ILLEGAL_SASL_STATE)')
    expect(error.code).toBe('SASL_NOT_ENABLED')
  })
})
