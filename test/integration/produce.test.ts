/**
 * `kafkit produce` against the real broker. Records are read back with kcat (librdkafka), an independent
 * client, so that what kafkit wrote is checked byte for byte and not by kafkit's own reader.
 */
import {execFile, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, TEST_BROKERS, createTopicWithLeaders, expectCleanError, json, kafkit, uniqueName} from './helpers.js'
import {runJava} from './kafka-tools.js'

const run = promisify(execFile)
const kafka = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), clientId: 'produce-test', logLevel: kafkajs.logLevel.NOTHING})
const admin = kafka.admin()
const dir = mkdtempSync(join(tmpdir(), 'kafkit-produce-'))

beforeAll(() => admin.connect())
afterAll(() => admin.disconnect())

async function topic(prefix: string, partitions = 1, configs: Record<string, string> = {}): Promise<string> {
  return createTopicWithLeaders(admin, uniqueName(prefix), partitions, configs)
}

interface ReadRecord {
  partition: number
  key: string | null
  value: string | null
  headers: string
  timestamp: number
}

/**
 * Every record of a topic, via kcat, read to the end of every partition (never stopping at an expected count, so
 * extra or duplicated records show): partition, key, value (null told from empty by kcat's sizes), headers,
 * timestamp; sorted by partition, then offset.
 */
async function readBack(name: string): Promise<ReadRecord[]> {
  const sep = '\u0001'
  const {stdout} = await run('kcat', ['-C', '-b', TEST_BROKERS, '-t', name, '-o', 'beginning', '-e', '-q', '-f', `%p${sep}%o${sep}%K${sep}%k${sep}%S${sep}%s${sep}%h${sep}%T\u0002`], {
    maxBuffer: 64 << 20,
    timeout: 30_000,
  })
  return stdout
    .split('\u0002')
    .filter((r) => r !== '' && r !== '\n')
    .map((r) => {
      const [p, o, ks, k, vs, v, h, t] = r.split(sep)
      return {partition: Number(p), offset: Number(o), key: ks === '-1' ? null : k, value: vs === '-1' ? null : v, headers: h, timestamp: Number(t)}
    })
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    .map(({offset: _offset, ...r}) => r)
}

/** The values of a whole topic, in partition/offset order. */
const valuesOf = async (name: string) => (await readBack(name)).map((r) => r.value)

/**
 * The codecs of the record batches stored for a topic, as Kafka's own DumpLogSegments reads them from the
 * broker's log segments (the local test broker: its data directory comes from `kafkit local status`).
 */
async function storedCodecs(name: string, partitions: number): Promise<Set<string>> {
  const status = json<{dataDir: string; nodes: {id: number}[]}>(await kafkit(['local', 'status', '--json'], {noBrokers: true}))
  const files = Array.from({length: partitions}, (_, p) => join(status.dataDir, `node-${status.nodes[0].id}`, 'data', `${name}-${p}`, '00000000000000000000.log'))
  const dump = await runJava('org.apache.kafka.tools.DumpLogSegments', ['--files', files.join(',')])
  expect(dump.code, dump.stderr).toBe(0)
  const codecs = [...dump.stdout.matchAll(/compresscodec: (\w+)/g)].map((m) => m[1].toLowerCase())
  expect(codecs.length, dump.stdout.slice(0, 500)).toBeGreaterThan(0)
  return new Set(codecs)
}

/** The value bytes of the first record of a partition. */
async function readValueBytes(name: string, partition = 0): Promise<Buffer> {
  const {stdout} = await run('kcat', ['-C', '-b', TEST_BROKERS, '-t', name, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-c', '1', '-D', '', '-f', '%s'], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
    timeout: 30_000,
  })
  return stdout
}

describe('produce: lines', () => {
  it('writes keys, values, headers and tombstones exactly', async () => {
    const t = await topic('produce-lines', 3)
    const input = 'k1:v1\nk2:hello: world\nk3:NULL\nk5:\nNULL:no-key\n'
    const result = await kafkit(['produce', t, '--key-separator', ':', '--null-marker', 'NULL', '--header', 'source=test', '--header', 'multi=a', '--header', 'multi=b'], {input})
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(new RegExp(`^produced 5 records \\(.*\\) to '${t}'`))
    const records = await readBack(t)
    const headers = 'source=test,multi=a,multi=b'
    const byKey = (a: ReadRecord, b: ReadRecord) => String(a.key).localeCompare(String(b.key))
    // The exact list: nothing missing, nothing extra, every record with every header (partitions are by key).
    expect(records.map(({timestamp: _t, partition: _p, ...r}) => r).sort(byKey as never)).toEqual(
      [
        {key: 'k1', value: 'v1', headers},
        {key: 'k2', value: 'hello: world', headers},
        {key: 'k3', value: null, headers},
        {key: 'k5', value: '', headers},
        {key: null, value: 'no-key', headers},
      ].sort(byKey as never),
    )
  })

  it('reads several files in order and prints a --json summary on stdout', async () => {
    const t = await topic('produce-files')
    const a = join(dir, 'a.txt')
    const b = join(dir, 'b.txt')
    writeFileSync(a, 'a1\na2\n')
    writeFileSync(b, 'b1\nb2') // no final newline
    const result = await kafkit(['produce', t, '--file', a, '--file', b, '--json'])
    expect(result.code).toBe(0)
    const summary = json<{topic: string; records: number; bytes: number; partitions: Record<string, number>; failed: number; skipped: number}>(result)
    expect(summary).toMatchObject({topic: t, records: 4, bytes: 8, partitions: {0: 4}, failed: 0, skipped: 0})
    expect(result.stderr).toBe('')
    expect(await valuesOf(t)).toEqual(['a1', 'a2', 'b1', 'b2'])
  })

  it('stops at a malformed line with exit 2, naming it and the records delivered before it', async () => {
    const t = await topic('produce-malformed')
    const result = await kafkit(['produce', t, '-K', ':'], {input: 'a:1\nb:2\nno separator\nc:3\n'})
    expect(result.code).toBe(2)
    const {message, hint} = expectCleanError(result)
    expect(message).toContain('line 3')
    expect(message).toContain('2 records before it were delivered')
    expect(hint).toContain('--skip-invalid')
    // Exactly the two lines before it: nothing after the bad line was written.
    expect((await readBack(t)).map((r) => `${r.key}:${r.value}`)).toEqual(['a:1', 'b:2'])
  })

  it('--skip-invalid reports bad lines and goes on', async () => {
    const t = await topic('produce-skip')
    const result = await kafkit(['produce', t, '--format', 'json', '--skip-invalid', '--json'], {input: '{"value":"a"}\n{not json\n{"value":"b"}\n'})
    expect(result.code).toBe(0)
    expect(json<{records: number; skipped: number}>(result)).toMatchObject({records: 2, skipped: 1})
    expect(result.stderr).toContain('line 2')
    expect(await valuesOf(t)).toEqual(['a', 'b'])
  })

  it('refuses a line above --max-line-bytes', async () => {
    const t = await topic('produce-longline')
    const result = await kafkit(['produce', t, '--max-line-bytes', '10'], {input: 'short\nthis line is far too long\n'})
    expect(result.code).toBe(2)
    expect(expectCleanError(result).message).toMatch(/line 2 is longer than --max-line-bytes/)
  })
})

describe('produce: one record from flags', () => {
  it('--key/--value with --partition and --timestamp', async () => {
    const t = await topic('produce-flags', 4)
    const result = await kafkit(['produce', t, '--key', 'user-1', '--value', '{"plan":"pro"}', '--partition', '3', '--timestamp', '2026-01-02T03:04:05.678Z', '-H', 'h=v'])
    expect(result.code).toBe(0)
    expect(await readBack(t)).toEqual([{partition: 3, key: 'user-1', value: '{"plan":"pro"}', headers: 'h=v', timestamp: Date.parse('2026-01-02T03:04:05.678Z')}])
  })

  it('--value-file is binary safe', async () => {
    const t = await topic('produce-binary')
    const file = join(dir, 'blob.bin')
    const bytes = Buffer.concat([randomBytes(5000), Buffer.from([0, 10, 13, 255, 0])])
    writeFileSync(file, bytes)
    const result = await kafkit(['produce', t, '--value-file', file, '--key', 'blob'])
    expect(result.code).toBe(0)
    expect((await readValueBytes(t)).equals(bytes)).toBe(true)
  })

  it('a partition that does not exist is exit 3', async () => {
    const t = await topic('produce-nopart', 2)
    const result = await kafkit(['produce', t, '--value', 'x', '--partition', '5'])
    expect(result.code).toBe(3)
    expect(expectCleanError(result).message).toContain('has 2 partitions')
  })
})

describe('produce: JSON envelopes', () => {
  it('round-trips keys, base64 values, headers, timestamps and (with --keep-partition) partitions', async () => {
    const t = await topic('produce-json', 3)
    const lines = [
      {key: 'a', value: 'text', headers: {h1: 'x'}, timestamp: '2026-11-24T10:15:02.114Z', partition: 2},
      {key: null, value: Buffer.from([0xff, 0x00, 0x41]).toString('base64'), valueEncoding: 'base64', partition: 1},
      {key: 'tomb', value: null, partition: 0},
    ]
    const result = await kafkit(['produce', t, '--format', 'json', '--keep-partition'], {input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n'})
    expect(result.code).toBe(0)
    const records = await readBack(t)
    expect(records.map(({timestamp: _t, ...r}) => r)).toEqual([
      {partition: 0, key: 'tomb', value: null, headers: ''},
      {partition: 1, key: null, value: expect.any(String), headers: ''},
      {partition: 2, key: 'a', value: 'text', headers: 'h1=x'},
    ])
    expect(records[2].timestamp).toBe(Date.parse('2026-11-24T10:15:02.114Z'))
    // The base64 envelope value arrives as its bytes, not as the base64 text.
    expect(await readValueBytes(t, 1)).toEqual(Buffer.from([0xff, 0x00, 0x41]))
  })

  it('a line that is not JSON is exit 2 naming the line', async () => {
    const t = await topic('produce-badjson')
    const result = await kafkit(['produce', t, '--format', 'json'], {input: '{"value":"ok"}\n{"value": oops}\n'})
    expect(result.code).toBe(2)
    const {message} = expectCleanError(result)
    expect(message).toMatch(/^line 2: not valid JSON/)
    expect(message).toContain('1 record before it was delivered')
  })
})

describe('produce: failures', () => {
  it('an unknown topic is exit 3 with a hint, and is not created', async () => {
    const t = await topic('produce-known')
    const result = await kafkit(['produce', `${t}x`, '--value', 'v'])
    expect(result.code).toBe(3)
    const {message, hint} = expectCleanError(result)
    expect(message).toContain(`'${t}x' does not exist`)
    expect(hint).toContain(t)
    expect(await admin.listTopics()).not.toContain(`${t}x`)
  })

  it("a record above the topic's max.message.bytes: exit 5 with both sizes", async () => {
    const t = await topic('produce-toolarge', 1, {'max.message.bytes': '2000'})
    const result = await kafkit(['produce', t], {input: `small\n${'x'.repeat(3000)}\n`})
    expect(result.code).toBe(5)
    const {message} = expectCleanError(result)
    expect(message).toMatch(/line 2: the record is 30\d\d bytes, above the topic's max.message.bytes \(2000 bytes\)/)
  })

  it('a batch the broker refuses is exit 5 with delivered and failed counts', async () => {
    const t = await topic('produce-refused', 1, {'max.message.bytes': '2000'})
    // Compressed records are left to the broker (no size check up front); random bytes do not compress.
    const file = join(dir, 'random.txt')
    writeFileSync(file, randomBytes(4000).toString('base64') + '\n')
    const result = await kafkit(['produce', t, '--file', file, '--compression', 'gzip', '--json'])
    expect(result.code).toBe(5)
    const err = JSON.parse(result.stderr.trim()) as {error: {code: string; message: string; delivered: number; failed: number}}
    expect(err.error).toMatchObject({code: 'RECORD_TOO_LARGE', delivered: 0, failed: 1})
    expect(err.error.message).toContain('max.message.bytes 2000')
  })

  it('Ctrl-C delivers what was read, reports, and exits 130', async () => {
    const t = await topic('produce-sigint')
    const child = spawn(process.execPath, [BIN, 'produce', t], {env: {...process.env, KAFKIT_BROKERS: TEST_BROKERS, NO_COLOR: '1'}, stdio: ['pipe', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdin.write('one\ntwo\nthree\n')
    // Wait until the three records are on the broker, then interrupt with stdin still open.
    const deadline = Date.now() + 20_000
    for (;;) {
      const offsets = await admin.fetchTopicOffsets(t)
      if (Number(offsets[0].high) >= 3 || Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 100))
    }
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(130)
    expect(stderr).toContain('interrupted: 3 records read before Ctrl-C were delivered')
  })
})

describe('produce: partitioners', () => {
  it("murmur2 puts every key where Kafka's Java producer does; crc32 where librdkafka does", async () => {
    const [ours, java, oursCrc, kcat] = await Promise.all([topic('produce-m2', 7), topic('produce-java', 7), topic('produce-crc', 7), topic('produce-kcat', 7)])
    const keys = Array.from({length: 3000}, (_, i) => `key-${i}-${(i * 2654435761) % 1000003}`)
    keys.push('ключ', 'a', 'ab', 'abc', 'abcd')
    const file = join(dir, 'keys.txt')
    writeFileSync(file, keys.map((k) => `${k}\t${k}`).join('\n') + '\n')
    const libs = `${process.env.HOME}/.cache/kafkit/kafka/4.4.0/libs/*`
    const log = `-Dlog4j2.configurationFile=${process.env.HOME}/.cache/kafkit/kafka/4.4.0/log4j2.properties`
    const sh = (cmd: string) => run('bash', ['-c', cmd], {timeout: 60_000, maxBuffer: 16 << 20})
    await Promise.all([
      kafkit(['produce', ours, '--file', file, '-K', '\\t']).then((r) => expect(r.code).toBe(0)),
      kafkit(['produce', oursCrc, '--file', file, '-K', '\\t', '--partitioner', 'crc32']).then((r) => expect(r.code).toBe(0)),
      sh(`java ${log} -cp "${libs}" org.apache.kafka.tools.ConsoleProducer --bootstrap-server ${TEST_BROKERS} --topic ${java} --property parse.key=true < ${file}`),
      sh(`kcat -P -b ${TEST_BROKERS} -t ${kcat} -K '\t' -l ${file}`),
    ])
    const placement = async (name: string) => new Map((await readBack(name)).map((r) => [r.key, r.partition]))
    const [m2, javaMap, crc, kcatMap] = await Promise.all([placement(ours), placement(java), placement(oursCrc), placement(kcat)])
    expect(javaMap.size).toBe(keys.length)
    expect(kcatMap.size).toBe(keys.length)
    const mismatches = (a: Map<string | null, number>, b: Map<string | null, number>) => keys.filter((k) => a.get(k) !== b.get(k))
    expect(mismatches(m2, javaMap)).toEqual([])
    expect(mismatches(crc, kcatMap)).toEqual([])
  }, 120_000)
})

describe('produce: compression and acks', () => {
  it('--compression gzip|snappy|lz4|zstd: each is read back by librdkafka', async () => {
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      await (async () => {
        const t = await topic(`produce-${codec}`, 2)
        const input = Array.from({length: 200}, (_, i) => `k${i}|value ${i} ${'abc'.repeat(i % 20)}`).join('\n') + '\n'
        const result = await kafkit(['produce', t, '-K', '|', '--compression', codec], {input})
        expect(result.code, `${codec}: ${result.stderr}`).toBe(0)
        const records = await readBack(t)
        const expected = Array.from({length: 200}, (_, i) => `k${i}=value ${i} ${'abc'.repeat(i % 20)}`)
        expect(records.map((r) => `${r.key}=${r.value}`).sort(), codec).toEqual(expected.sort())
        // The stored batches carry the codec: Kafka's own DumpLogSegments reads the partitions' log segments.
        expect(await storedCodecs(t, 2), codec).toEqual(new Set([codec]))
      })()
    }
  }, 120_000)

  it('--acks 1 and --acks 0 deliver; --idempotent needs acks all', async () => {
    const t = await topic('produce-acks')
    expect((await kafkit(['produce', t, '--acks', '1', '--value', 'one'])).code).toBe(0)
    expect((await kafkit(['produce', t, '--acks', '0', '--value', 'zero'])).code).toBe(0)
    const bad = await kafkit(['produce', t, '--acks', '1', '--idempotent', '--value', 'x'])
    expect(bad.code).toBe(2)
    expect((await valuesOf(t)).sort()).toEqual(['one', 'zero'])
  })

  it('--rate limits and still delivers everything: the broker stamps 100 records at 50/s over more than a second', async () => {
    // LogAppendTime: the broker's clock, not the producer's, says when each record arrived.
    const t = await topic('produce-rate', 1, {'message.timestamp.type': 'LogAppendTime'})
    const input = Array.from({length: 100}, (_, i) => `r${i}`)
    const result = await kafkit(['produce', t, '--rate', '50', '--json'], {input: input.join('\n')})
    expect(result.code).toBe(0)
    expect(json<{records: number}>(result).records).toBe(100)
    const records = await readBack(t)
    expect(records.map((r) => r.value)).toEqual(input)
    // Paced, record k leaves no earlier than k/50 s after the first (1.98 s for the last); unpaced, all 100 go
    // within milliseconds. A lower bound with room for the first request's own latency, never an upper one.
    const spread = Math.max(...records.map((r) => r.timestamp)) - Math.min(...records.map((r) => r.timestamp))
    expect(spread).toBeGreaterThanOrEqual(1000)
  })
})
