import {spawn} from 'node:child_process'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, expectCleanError, kafkit, TEST_BROKERS, uniqueName} from './helpers.js'

const kafka = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), clientId: 'consume-test', logLevel: kafkajs.logLevel.NOTHING})
const admin = kafka.admin()
const producer = kafka.producer({createPartitioner: kafkajs.Partitioners.DefaultPartitioner})

/** Two partitions, 10 records each: partition p, offset i has timestamp BASE + i*1000 + p*500, key k<p>-<i>. */
const windowed = uniqueName('consume-win')
const single = uniqueName('consume-one')
const big = uniqueName('consume-big')
const regexA = uniqueName('consume-rx') + '-a'
const regexB = regexA.replace(/-a$/, '-b')
const BASE = Math.floor((Date.now() - 3_600_000) / 1000) * 1000
const iso = (ms: number) => new Date(ms).toISOString()

const lines = (stdout: string) => stdout.split('\n').filter(Boolean)

beforeAll(async () => {
  await admin.connect()
  await producer.connect()
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {topic: windowed, numPartitions: 2},
      {topic: single, numPartitions: 1},
      {topic: big, numPartitions: 1},
      {topic: regexA, numPartitions: 1},
      {topic: regexB, numPartitions: 1},
    ],
  })
  const messages = [0, 1].flatMap((p) =>
    Array.from({length: 10}, (_, i) => ({partition: p, key: `k${p}-${i}`, value: `v${p}-${i}`, timestamp: String(BASE + i * 1000 + p * 500), headers: {h: `${i}`}})),
  )
  await producer.send({topic: windowed, messages})
  await producer.send({topic: single, messages: Array.from({length: 10}, (_, i) => ({key: `k${i}`, value: JSON.stringify({n: i})}))})
  // More than a pipe buffer (64 KiB), sent in small requests (kafkajs stalls on one very large request).
  for (let chunk = 0; chunk < 5; chunk++) {
    await producer.send({topic: big, messages: Array.from({length: 1000}, (_, i) => ({value: `record-${chunk * 1000 + i}-${'x'.repeat(40)}`}))})
  }
  await producer.send({topic: regexA, messages: [{value: 'from-a'}]})
  await producer.send({topic: regexB, messages: [{value: 'from-b'}]})
})

afterAll(async () => {
  await producer.disconnect()
  await admin.deleteTopics({topics: [windowed, single, big, regexA, regexB]}).catch(() => undefined)
  await admin.disconnect()
})

const fmt = ['-f', '%p:%o\\n']
const positions = (stdout: string) => lines(stdout).sort()

describe('consume: windows and specs', () => {
  it('-e reads everything once and exits 0', async () => {
    const r = await kafkit(['consume', windowed, '-e', ...fmt])
    expect(r.code).toBe(0)
    // Exactly offsets 0-9 of both partitions, each once.
    expect(positions(r.stdout)).toEqual([0, 1].flatMap((p) => Array.from({length: 10}, (_, o) => `${p}:${o}`)).sort())
    expect(r.stderr).toBe('')
  })

  it('--from OFFSET / -N / --to / --count / --partitions', async () => {
    const [offset, fromEnd, to, count, parts] = await Promise.all([
      kafkit(['consume', windowed, '--from', '8', '-e', ...fmt]),
      kafkit(['consume', windowed, '--from', '-1', '-e', ...fmt]),
      kafkit(['consume', windowed, '--to', '1', ...fmt]),
      kafkit(['consume', single, '--count', '3']),
      kafkit(['consume', windowed, '--partitions', '1', '--from', '-2', '-e', ...fmt]),
    ])
    expect(positions(offset.stdout)).toEqual(['0:8', '0:9', '1:8', '1:9'])
    expect(positions(fromEnd.stdout)).toEqual(['0:9', '1:9'])
    // --to without -e stops too: every partition passed TO (inclusive).
    expect(to.code).toBe(0)
    expect(positions(to.stdout)).toEqual(['0:0', '0:1', '1:0', '1:1'])
    expect(lines(count.stdout)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}'])
    expect(positions(parts.stdout)).toEqual(['1:8', '1:9'])
  })

  it('--count N stops fetching once N records are in hand (one Fetch for -c 1 on a topic with many batches)', async () => {
    const r = await kafkit(['consume', big, '-c', '1', '--debug'])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toHaveLength(1)
    expect(r.stderr.match(/Request Fetch\(/g)).toHaveLength(1)
    const many = await kafkit(['consume', big, '-c', '2500'])
    expect(lines(many.stdout)).toHaveLength(2500)
  })

  it('time windows across partitions: --range @T1:@T2 includes both ends; --from @T', async () => {
    const [range, fromTime, offsets] = await Promise.all([
      kafkit(['consume', windowed, '--range', `@${iso(BASE + 3000)}:@${iso(BASE + 6000)}`, ...fmt]),
      kafkit(['consume', windowed, '--from', `@${BASE + 8600}`, '-e', ...fmt]),
      kafkit(['consume', windowed, '--range', '2:3', ...fmt]),
    ])
    expect(range.code).toBe(0)
    expect(positions(range.stdout)).toEqual(['0:3', '0:4', '0:5', '0:6', '1:3', '1:4', '1:5'])
    expect(positions(fromTime.stdout)).toEqual(['0:9', '1:9'])
    expect(positions(offsets.stdout)).toEqual(['0:2', '0:3', '1:2', '1:3'])
  })

  it('a time beyond the last record with -e prints nothing and exits 0', async () => {
    const r = await kafkit(['consume', windowed, '--from', '@2099-01-01T00:00:00Z', '-e'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
  })

  it('--regex reads every matching topic', async () => {
    const r = await kafkit(['consume', '--regex', `^${regexA.replace(/-a$/, '')}-[ab]$`, '-e', '-f', '%t %v\\n'])
    expect(r.code).toBe(0)
    expect(lines(r.stdout).sort()).toEqual([`${regexA} from-a`, `${regexB} from-b`])
  })
})

describe('consume: formats', () => {
  it('json is the record envelope, JSON Lines', async () => {
    const r = await kafkit(['consume', windowed, '--partitions', '0', '--range', '0:0', '--format', 'json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({topic: windowed, partition: 0, offset: 0, timestamp: iso(BASE), key: 'k0-0', value: 'v0-0', headers: {h: '0'}})
  })

  it('templates with every placeholder; decoders hex, base64, json', async () => {
    const [template, hex, b64, jsonDecoded] = await Promise.all([
      kafkit(['consume', windowed, '--partitions', '1', '--range', '2:2', '-f', '%t|%p|%o|%k|%v|%T|%d|%h|%K|%S\\n']),
      kafkit(['consume', single, '--range', '0:0', '-f', '%k %v\\n', '--key-decoder', 'hex']),
      kafkit(['consume', single, '--range', '0:0', '--value-decoder', 'base64']),
      kafkit(['consume', single, '--range', '0:0', '--value-decoder', 'json']),
    ])
    const ts = BASE + 2000 + 500
    expect(template.stdout).toBe(`${windowed}|1|2|k1-2|v1-2|${ts}|${iso(ts)}|h=2|4|4\n`)
    expect(hex.stdout).toBe(`${Buffer.from('k0').toString('hex')} {"n":0}\n`)
    expect(b64.stdout).toBe(`${Buffer.from('{"n":0}').toString('base64')}\n`)
    expect(jsonDecoded.stdout).toBe('{"n":0}\n') // compact when piped
  })

  it('--grep keeps records whose key or value matches', async () => {
    const [byKey, byValue] = await Promise.all([
      kafkit(['consume', windowed, '-e', '--grep', '^k1-[357]$', '-f', '%k\\n']),
      // Only values match this one (keys are k<p>-<i>, values v<p>-<i>).
      kafkit(['consume', windowed, '-e', '--grep', '^v0-[24]$', '-f', '%k %v\\n']),
    ])
    expect(lines(byKey.stdout).sort()).toEqual(['k1-3', 'k1-5', 'k1-7'])
    expect(lines(byValue.stdout).sort()).toEqual(['k0-2 v0-2', 'k0-4 v0-4'])
  })
})

describe('consume: errors', () => {
  it('a bad spec is exit 2 with an example; unknown topic or partition is exit 3', async () => {
    const [spec, range, topic, partition, format] = await Promise.all([
      kafkit(['consume', windowed, '--from', 'yesterday']),
      kafkit(['consume', windowed, '--range', '5']),
      kafkit(['consume', `${windowed}-nope`, '-e']),
      kafkit(['consume', windowed, '--partitions', '9', '-e']),
      kafkit(['consume', windowed, '-f', '%q', '-e']),
    ])
    expect(spec.code).toBe(2)
    expect(expectCleanError(spec).hint).toContain('@-2h')
    expect(range.code).toBe(2)
    expect(expectCleanError(range).hint).toContain('--range')
    expect(topic.code).toBe(3)
    expect(expectCleanError(topic).hint).toContain(windowed)
    expect(partition.code).toBe(3)
    expect(expectCleanError(partition).message).toContain('no partition 9')
    expect(format.code).toBe(2)
    expectCleanError(format)
  })
})

describe('consume: no side effects, pipes', () => {
  it('without --group, no consumer group is created or joined', async () => {
    const before = new Set((await admin.listGroups()).groups.map((g) => g.groupId))
    const r = await kafkit(['consume', single, '-e'])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toHaveLength(10)
    // Other tests create groups in parallel: any new group must know nothing of this topic.
    const added = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => !before.has(g))
    for (const groupId of added) {
      const offsets = await admin.fetchOffsets({groupId, topics: [single]})
      expect(
        offsets.flatMap((t) => t.partitions).every((p) => p.offset === '-1'),
        groupId,
      ).toBe(true)
      // (members cannot be checked by client id: other areas' tests run kafkit group consumers in parallel)
    }
  })

  it('| head -3 exits 0 while following (EPIPE), not hanging on the closed pipe', async () => {
    const result = await new Promise<{code: number | null; out: string}>((resolve) => {
      const child = spawn('bash', ['-c', `set -o pipefail; node "${BIN}" consume ${big} -b ${TEST_BROKERS} | head -3`], {env: {...process.env, NO_COLOR: '1'}})
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      // Following never ends by itself: only the broken pipe stops it. A hang is killed after 60 s (code null).
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve({code, out})
      })
    })
    expect(result.code, 'hung after head -3 exited').toBe(0)
    expect(lines(result.out)).toEqual(['record-0-' + 'x'.repeat(40), 'record-1-' + 'x'.repeat(40), 'record-2-' + 'x'.repeat(40)])
  })

  it.each([
    ['without a group', []],
    ['with --group', ['--group', uniqueName('consume-deleted-g')]],
  ])(
    'a topic deleted while it is followed (%s): exit 3 at once (not after --timeout), what was read is printed',
    async (_mode, extra) => {
      const topic = uniqueName('consume-deleted')
      await admin.createTopics({topics: [{topic, numPartitions: 2}], waitForLeaders: true})
      // Through the CLI: the file's kafkajs producer keeps deleted topics among its metadata targets and then fails.
      const produced = await kafkit(['produce', topic], {input: Array.from({length: 10}, (_, i) => `d-${i}\n`).join('')})
      expect(produced.code, produced.stderr).toBe(0)
      let out = ''
      let err = ''
      const reading = new Promise<number | null>((resolve) => {
        // --timeout 30m: a reader that waited for --timeout instead of noticing the deletion is killed after 90 s.
        const child = spawn(process.execPath, [BIN, 'consume', topic, '-b', TEST_BROKERS, '--timeout', '30m', ...extra], {env: {...process.env, NO_COLOR: '1'}})
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.stderr.on('data', (d: Buffer) => (err += d.toString()))
        const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
        child.on('close', (code) => {
          clearTimeout(timer)
          resolve(code)
        })
      })
      // Delete once everything was printed (the reader then follows the end of both partitions).
      for (const started = Date.now(); lines(out).length < 10 && Date.now() - started < 45_000;) await new Promise((r) => setTimeout(r, 200))
      await new Promise((r) => setTimeout(r, 500))
      await admin.deleteTopics({topics: [topic]})
      const code = await reading
      expect(code, `hung (killed) or wrong exit: ${err}`).toBe(3)
      expect(lines(out).sort()).toEqual(Array.from({length: 10}, (_, i) => `d-${i}`).sort())
      const {message} = expectCleanError({code, signal: null, stdout: out, stderr: err, stdoutBytes: Buffer.from(out), durationMs: 0})
      expect(message).toContain(`topic '${topic}' was deleted`)
    },
    120_000,
  )
})

describe('consume --group', () => {
  const committed = async (groupId: string, topic: string) =>
    (await admin.fetchOffsets({groupId, topics: [topic]})).flatMap((t) => t.partitions).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)

  it('commits only what was written; the next run continues where it stopped', async () => {
    const group = uniqueName('consume-g')
    const first = await kafkit(['consume', single, '--group', group, '--count', '4', '--from', 'beginning'])
    expect(first.code).toBe(0)
    expect(lines(first.stdout)).toEqual([0, 1, 2, 3].map((n) => `{"n":${n}}`))
    expect(await committed(group, single)).toBe(4)
    const second = await kafkit(['consume', single, '--group', group, '-e'])
    expect(second.code).toBe(0)
    expect(lines(second.stdout)).toEqual([4, 5, 6, 7, 8, 9].map((n) => `{"n":${n}}`))
    expect(await committed(group, single)).toBe(10)
  })

  it('Ctrl-C exits 130 after committing what was written', async () => {
    const group = uniqueName('consume-int')
    const child = spawn(process.execPath, [BIN, 'consume', windowed, '--group', group, '-f', '%p:%o\\n'], {env: {...process.env, NO_COLOR: '1', KAFKIT_BROKERS: TEST_BROKERS}})
    let out = ''
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (lines(out).length >= 20) child.kill('SIGINT')
      })
      child.on('close', (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    expect(code).toBe(130)
    expect(lines(out)).toHaveLength(20)
    expect(await committed(group, windowed)).toBe(20)
  })
})
