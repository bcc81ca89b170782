/**
 * Produce-side integrity (issue #17, and #23's realistic sizes) against the real broker, read back by Kafka's own
 * Java tools: every codec at batch sizes up to the topic's max.message.bytes (lz4 batches the broker could not
 * decode), counts after a produce that fails in one partition of many equal to what the topic holds, --failed-to
 * records that produce takes back, null header values written by Java's ConsoleProducer, and bad input.
 *
 * Every read-back reads the whole topic (as many records as the end offsets say are there, not as many as
 * expected) and compares exact lists: partitions, order, keys, values, headers.
 */
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {murmur2Partitioner} from '../../src/kafka/partitioners.js'
import {resolveKafka} from '../../src/local/distribution.js'
import {fromEnvelope} from '../../src/records/envelope.js'
import {BIN, TEST_BROKERS, createTopicWithLeaders, expectCleanError, kafkit, uniqueName} from './helpers.js'
import {type IsolatedCluster, isolatedCluster} from './isolated-cluster.js'
import {CONSOLE_CONSUMER, runJava} from './kafka-tools.js'

const kafka = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING})
const admin = kafka.admin()
const dir = mkdtempSync(join(tmpdir(), 'kafkit-integrity-'))

beforeAll(() => admin.connect())
afterAll(() => admin.disconnect())

const topic = (prefix: string, partitions = 1, configs: Record<string, string> = {}) => createTopicWithLeaders(admin, uniqueName(prefix), partitions, configs)

/** Per partition, the end offset, by Kafka's GetOffsetShell. */
async function endOffsets(name: string): Promise<Record<number, number>> {
  const run = await runJava('org.apache.kafka.tools.GetOffsetShell', ['--bootstrap-server', TEST_BROKERS, '--topic', name])
  expect(run.code, run.stderr).toBe(0)
  const ends: Record<number, number> = {}
  for (const line of run.stdout.trim().split('\n')) {
    const [, p, o] = /:(\d+):(\d+)$/.exec(line) ?? []
    if (p !== undefined) ends[Number(p)] = Number(o)
  }
  return ends
}

interface Row {
  partition: number
  key: string
  value: string
  headers: string
}

/**
 * Everything in the topic, read by Java's ConsoleConsumer, per partition in offset order. It reads as many
 * records as GetOffsetShell says the topic holds (never the expected count): a duplicate or an extra record
 * shows up as a difference. Keys, values and header values here never contain tabs, '|' or ':'.
 */
async function javaReadAll(name: string): Promise<{rows: Row[]; ends: Record<number, number>}> {
  const ends = await endOffsets(name)
  const total = Object.values(ends).reduce((a, b) => a + b, 0)
  if (total === 0) return {rows: [], ends}
  const run = await runJava(
    CONSOLE_CONSUMER,
    [
      '--bootstrap-server',
      TEST_BROKERS,
      '--topic',
      name,
      '--from-beginning',
      '--max-messages',
      String(total),
      '--timeout-ms',
      '60000',
      '--command-property',
      'group.protocol=consumer',
      '--command-property',
      'max.partition.fetch.bytes=4194304',
      '--formatter-property',
      'print.partition=true',
      '--formatter-property',
      'print.offset=true',
      '--formatter-property',
      'print.key=true',
      '--formatter-property',
      'print.headers=true',
      '--formatter-property',
      'key.separator=\t',
      '--formatter-property',
      'headers.separator=|',
      '--formatter-property',
      'null.literal=<null>',
    ],
    240_000,
  )
  expect(run.code, run.stderr).toBe(0)
  const parsed = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('Partition:'))
    .map((line) => {
      const [partition, offset, headers, key, ...value] = line.split('\t')
      return {partition: Number(partition.slice(10)), offset: Number(offset.slice(7)), key, value: value.join('\t'), headers}
    })
  expect(parsed.length, 'records read by ConsoleConsumer').toBe(total)
  parsed.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  return {rows: parsed.map(({partition, key, value, headers}) => ({partition, key, value, headers})), ends}
}

/** ConsoleConsumer's headers column for these headers (in order; null as <null>). */
const javaHeaders = (headers?: [string, string | null][]) => (headers && headers.length > 0 ? headers.map(([k, v]) => `${k}:${v ?? '<null>'}`).join('|') : 'NO_HEADERS')

/**
 * The topic's log segments as Kafka's DumpLogSegments sees them: per partition, per batch, its record count and
 * codec. One run of the tool for all the partitions asked (a JVM start each was most of this file's time).
 */
async function batches(name: string, partitions: number[]): Promise<Map<number, {count: number; codec: string}[]>> {
  const status = await kafkit(['local', 'status', '--json'], {noBrokers: true})
  const dataDir = (JSON.parse(status.stdout) as {dataDir: string}).dataDir
  const segments = partitions.map((p) => join(dataDir, 'node-1', 'data', `${name}-${p}`, '00000000000000000000.log'))
  for (const segment of segments) if (!existsSync(segment)) throw new Error(`no log segment at ${segment}: these tests need the broker of 'kafkit local start'`)
  const run = await runJava('org.apache.kafka.tools.DumpLogSegments', ['--files', segments.join(',')])
  expect(run.code, run.stderr).toBe(0)
  // "Dumping <file>" starts each file's part of the output, in the order given.
  const parts = run.stdout.split(/^Dumping /m).slice(1)
  expect(parts.length, run.stdout.slice(0, 2000)).toBe(partitions.length)
  return new Map(
    partitions.map((p, i) => {
      expect(parts[i].startsWith(segments[i]), parts[i].slice(0, 200)).toBe(true)
      return [p, [...parts[i].matchAll(/count: (\d+) .* compresscodec: (\w+)/g)].map((m) => ({count: Number(m[1]), codec: m[2]}))]
    }),
  )
}

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const

describe('produce --compression at every batch size, read back by Java', () => {
  it("1 KB, 100 KB and the topic's max.message.bytes per batch, each codec: every record, in order (lz4 failed above ~100 KB)", async () => {
    const maxMessageBytes = 2 * 1024 * 1024
    // Small, the size where lz4 used to fail, and the largest a batch may be (1 MB, between them, added no case).
    const sizes = [1000, 100_000, maxMessageBytes]
    const name = await topic('integrity-codecs', CODECS.length * sizes.length, {'max.message.bytes': String(maxMessageBytes)})
    const expected: Row[] = []
    const counts = new Map<number, {codec: string; size: number; count: number}>()
    for (const [c, codec] of CODECS.entries()) {
      for (const [s, size] of sizes.entries()) {
        const partition = c * sizes.length + s
        // Short lines, as in the report (40,000 of them into one partition failed with lz4): the writer counts
        // each as its value + 21 bytes against --batch-size (kept 61 bytes under max.message.bytes), so exactly
        // this many fill one batch of `size`. A long --linger: only the size seals the batch.
        const value = (i: number) => `${codec}-${size}-${String(i).padStart(7, '0')}`
        const count = Math.floor(Math.min(size, maxMessageBytes - 61) / (value(0).length + 21))
        const values = Array.from({length: count}, (_, i) => value(i))
        const result = await kafkit(['produce', name, '-P', String(partition), '-z', codec, '--batch-size', String(size), '--linger', '30s', '--timeout', '60s'], {
          input: values.join('\n') + '\n',
          timeoutMs: 120_000,
        })
        expect(result.code, `${codec} ${size}: ${result.stderr}`).toBe(0)
        expected.push(...values.map((value) => ({partition, key: '<null>', value, headers: 'NO_HEADERS'})))
        counts.set(partition, {codec, size, count})
      }
    }
    const stored = await batches(name, [...counts.keys()])
    for (const [partition, {codec, size, count}] of counts) {
      const partitionBatches = stored.get(partition) ?? []
      expect(
        partitionBatches.every((b) => b.codec === codec),
        `${codec} ${size}: ${JSON.stringify(partitionBatches)}`,
      ).toBe(true)
      // One batch of the whole size: the batch size under test is what the broker decoded.
      expect(
        partitionBatches.map((b) => b.count),
        `${codec} ${size}`,
      ).toEqual([count])
    }
    const {rows} = await javaReadAll(name)
    expect(rows).toEqual(expected)
  }, 600_000)

  it('keys, headers (null ones too) and 6 partitions, ~40 MB over the four codecs: Java reads each record where the Java producer would put it', async () => {
    const partitions = 6
    const name = await topic('integrity-keyed', partitions)
    const expected: Row[][] = Array.from({length: partitions}, () => [])
    for (const codec of CODECS) {
      const lines: string[] = []
      for (let i = 0; i < 20_000; i++) {
        const key = `${codec}-key-${i % 997}`
        const value = `${codec}-${i}-${'v'.repeat(i % 400)}`
        const headers: [string, string | null][] = [['source', codec], ['seq', String(i)], ...(i % 3 === 0 ? ([['nothing', null]] as [string, null][]) : [])]
        lines.push(JSON.stringify({key, value, headers: Object.fromEntries(headers)}))
        expected[murmur2Partitioner(Buffer.from(key), partitions)].push({partition: murmur2Partitioner(Buffer.from(key), partitions), key, value, headers: javaHeaders(headers)})
      }
      const file = join(dir, `keyed-${codec}.jsonl`)
      writeFileSync(file, lines.join('\n') + '\n')
      const result = await kafkit(['produce', name, '--format', 'json', '-f', file, '-z', codec, '--json'], {timeoutMs: 120_000})
      expect(result.code, `${codec}: ${result.stderr}`).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({records: 20_000, failed: 0})
    }
    const {rows} = await javaReadAll(name)
    expect(rows).toEqual(expected.flat())
  }, 600_000)
})

describe('a produce that fails in one partition of many', () => {
  // The broker refuses a batch whose timestamp is older than message.timestamp.before.max.ms, for that partition
  // only: a failure in one partition of many, on one broker, at a place of the input the test chooses.
  const OLD = 1_000_000_000_000 // 2001

  for (const codec of ['none', 'lz4'] as const) {
    it(`${codec}: the counts per partition equal the topic's end offsets; --failed-to holds exactly the rest; retried, the topic holds the input once`, async () => {
      const partitions = 6
      const name = await topic('integrity-partial', partitions, {'message.timestamp.before.max.ms': '3600000'})
      const total = 40_000
      const bad = 30_000
      const input = Array.from({length: total}, (_, n) => {
        const line = n + 1
        const key = `k${line % 97}`
        return {line, key, value: `v${line}`, partition: murmur2Partitioner(Buffer.from(key), partitions), headers: [['h', String(line)]] as [string, string][]}
      })
      const file = join(dir, `partial-${codec}.jsonl`)
      writeFileSync(file, input.map((r) => JSON.stringify({key: r.key, value: r.value, headers: Object.fromEntries(r.headers), ...(r.line === bad ? {timestamp: OLD} : {})})).join('\n') + '\n')
      const failedTo = join(dir, `partial-${codec}.failed.jsonl`)
      const result = await kafkit(['produce', name, '--format', 'json', '-f', file, '-z', codec, '--failed-to', failedTo, '--json'], {timeoutMs: 120_000})
      expect(result.code, result.stderr).toBe(5)
      const error = (
        JSON.parse(result.stderr.trim()) as {
          error: {
            code: string
            message: string
            delivered: number
            failed: number
            records: number
            partitions: Record<string, {delivered: number; failed: number; firstUndelivered?: {source: string; line: number}}>
            notRead?: {line: number}
            failedTo: string
          }
        }
      ).error
      expect(error.code).toBe('INCOMPLETE')
      expect(error.message).toMatch(/^[\d,]+ of [\d,]+ records were not delivered to '.*' \([\d,]+ delivered\): partition \d: .*timestamp/i)
      expect(error.failedTo).toBe(failedTo)

      const badPartition = input[bad - 1].partition
      const {rows, ends} = await javaReadAll(name)
      // The report is the topic: per partition, delivered = end offset (also what `offsets list` says).
      for (let p = 0; p < partitions; p++) expect(error.partitions[p]?.delivered ?? 0, `partition ${p}`).toBe(ends[p])
      const offsets = await kafkit(['offsets', 'list', name, '--json'])
      expect(offsets.code, offsets.stderr).toBe(0)
      const listed = (JSON.parse(offsets.stdout) as {partitions: {partition: number; latest: number}[]}).partitions
      expect(listed.map((p) => [p.partition, p.latest])).toEqual(Array.from({length: partitions}, (_, p) => [p, ends[p]]))
      expect(error.delivered).toBe(Object.values(ends).reduce((a, b) => a + b, 0))
      expect(error.delivered + error.failed).toBe(error.records)
      // Something was delivered in every partition, the bad one included (the failure did not hide them).
      expect(error.partitions[badPartition].failed).toBeGreaterThan(0)
      expect(error.delivered).toBeGreaterThan(20_000)

      // Per partition the topic holds a prefix of that partition's input; --failed-to holds the rest of what was
      // read, in input order; what was not read starts at notRead. Together: the input, each record once.
      const failed = readFileSync(failedTo, 'utf8')
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((l, i) => fromEnvelope(l, i + 1))
      expect(failed.length).toBe(error.failed)
      const unread = error.notRead?.line ?? total + 1
      const read = input.filter((r) => r.line < unread)
      const byPartition = (list: typeof input) => Array.from({length: partitions}, (_, p) => list.filter((r) => r.partition === p))
      const inTopic = rows.map((r) => `${r.partition}|${r.key}|${r.value}|${r.headers}`)
      const expectedInTopic = byPartition(read)
        .flatMap((list, p) => list.slice(0, ends[p]))
        .map((r) => `${r.partition}|${r.key}|${r.value}|${javaHeaders(r.headers)}`)
      expect(inTopic).toEqual(expectedInTopic)
      const readByPartition = byPartition(read)
      const delivered = new Set(readByPartition.flatMap((list, p) => list.slice(0, ends[p])))
      const notDelivered = read.filter((r) => !delivered.has(r))
      expect(failed.map((r) => `${r.partition}|${r.key!.toString()}|${r.value!.toString()}|${(r.headers!.h as Buffer).toString()}`)).toEqual(
        notDelivered.map((r) => `${r.partition}|${r.key}|${r.value}|${r.line}`),
      )
      expect(notDelivered.some((r) => r.line === bad)).toBe(true)
      for (const [p, report] of Object.entries(error.partitions)) {
        const first = notDelivered.find((r) => r.partition === Number(p))
        expect(report.firstUndelivered?.line, `partition ${p}`).toBe(first?.line)
        expect(report.failed, `partition ${p}`).toBe(notDelivered.filter((r) => r.partition === Number(p)).length)
      }

      // produce --format json takes --failed-to back (a new timestamp for the refused one); then the unread rest.
      const retry = await kafkit(['produce', name, '--format', 'json', '-f', failedTo, '-z', codec, '--timestamp', String(Date.now())], {timeoutMs: 120_000})
      expect(retry.code, retry.stderr).toBe(0)
      const rest = input.filter((r) => r.line >= unread)
      if (rest.length > 0) {
        const restFile = join(dir, `partial-${codec}.rest.jsonl`)
        writeFileSync(restFile, rest.map((r) => JSON.stringify({key: r.key, value: r.value, headers: Object.fromEntries(r.headers)})).join('\n') + '\n')
        const more = await kafkit(['produce', name, '--format', 'json', '-f', restFile, '-z', codec], {timeoutMs: 120_000})
        expect(more.code, more.stderr).toBe(0)
      }
      const after = await javaReadAll(name)
      const all = byPartition(input)
        .flat()
        .map((r) => `${r.partition}|${r.key}|${r.value}|${javaHeaders(r.headers)}`)
      // Per partition: the delivered prefix, then the retried records, then the unread rest: the input's order.
      expect(after.rows.map((r) => `${r.partition}|${r.key}|${r.value}|${r.headers}`)).toEqual(all)
    }, 600_000)
  }

  it('a record the broker refuses as too large in one partition (compressed): the others are counted delivered and are in the topic', async () => {
    const partitions = 4
    const name = await topic('integrity-large', partitions, {'max.message.bytes': '100000'})
    const big = randomBytes(150_000).toString('base64') // does not compress below max.message.bytes
    const lines = Array.from({length: 2000}, (_, i) => `k${i % 50}:small-${i}`)
    lines.splice(1000, 0, `k-big:${big}`)
    const result = await kafkit(['produce', name, '-K', ':', '-z', 'gzip', '--json'], {input: lines.join('\n') + '\n'})
    expect(result.code, result.stderr).toBe(5)
    const error = (JSON.parse(result.stderr.trim()) as {error: {code: string; message: string; delivered: number; partitions: Record<string, {delivered: number; failed: number}>}}).error
    expect(error.code).toBe('RECORD_TOO_LARGE')
    const bigPartition = murmur2Partitioner(Buffer.from('k-big'), partitions)
    expect(error.message).toContain(`partition ${bigPartition}`)
    const ends = await endOffsets(name)
    for (let p = 0; p < partitions; p++) expect(error.partitions[p]?.delivered ?? 0, `partition ${p}`).toBe(ends[p])
    expect(error.delivered).toBeGreaterThanOrEqual(1000)
  }, 180_000)
})

describe('single records and bad input', () => {
  it("-v and --value-file show the broker's reason when it refuses the record", async () => {
    const name = await topic('integrity-single', 1, {'message.timestamp.before.max.ms': '3600000', 'max.message.bytes': '2000'})
    const old = await kafkit(['produce', name, '-v', 'x', '--timestamp', '2001-09-09T01:46:40Z'])
    expect(old.code).toBe(5)
    expect(expectCleanError(old).message).toMatch(/1 of 1 record was not delivered to '.*' \(0 delivered\): .*timestamp/i)
    const file = join(dir, 'random.bin')
    writeFileSync(file, randomBytes(8000))
    const large = await kafkit(['produce', name, '--value-file', file, '-z', 'gzip'])
    expect(large.code).toBe(5)
    expect(expectCleanError(large).message).toMatch(/too large.*max\.message\.bytes 2000/)
    expect(await endOffsets(name)).toEqual({0: 0})
  })

  it('a misspelt envelope field, {} and a negative timestamp are exit 2 naming the line; nothing after them is written', async () => {
    const name = await topic('integrity-envelope')
    const cases: [string, RegExp][] = [
      ['{"key":"k","value":"ok"}\n{"key":"k","vaule":"x"}\n', /^line 2: unknown field "vaule" \(did you mean "value"\?\)/],
      ['{}\n', /^line 1: no "value" field/],
      ['{"value":"a","timestamp":-1}\n', /^line 1: "timestamp" -1 is before 1970-01-01/],
      ['{"value":"a","timestamp":1e20}\n', /^line 1: "timestamp" .* is too large/],
    ]
    for (const [input, message] of cases) {
      const result = await kafkit(['produce', name, '--format', 'json'], {input})
      expect(result.code, input).toBe(2)
      expect(expectCleanError(result).message, input).toMatch(message)
    }
    const {rows} = await javaReadAll(name)
    expect(rows).toEqual([{partition: 0, key: 'k', value: 'ok', headers: 'NO_HEADERS'}])
  })

  it("-K '' is exit 2; -f DIR says it is a directory; --failed-to cannot be an input", async () => {
    const name = await topic('integrity-flags')
    const empty = await kafkit(['produce', name, '-K', ''], {input: 'a:b\n'})
    expect(empty.code).toBe(2)
    expect(expectCleanError(empty).message).toContain('--key-separator is empty')
    const folder = join(dir, 'a-directory')
    mkdirSync(folder, {recursive: true})
    const directory = await kafkit(['produce', name, '-f', folder])
    expect(directory.code).toBe(2)
    expect(expectCleanError(directory).message).toBe(`cannot read '${folder}': it is a directory`)
    const file = join(dir, 'in.jsonl')
    writeFileSync(file, '{"value":"x"}\n')
    const same = await kafkit(['produce', name, '--format', 'json', '-f', file, '--failed-to', file])
    expect(same.code).toBe(2)
    expect(readFileSync(file, 'utf8')).toBe('{"value":"x"}\n')
    expect(await endOffsets(name)).toEqual({0: 0})
  })
})

describe('null header values', () => {
  /** Java's ConsoleProducer, fed `input` on stdin. */
  async function javaProduce(name: string, input: string): Promise<void> {
    const kafka = await resolveKafka()
    const child = spawn(
      'java',
      [
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-cp',
        kafka.classpath,
        'org.apache.kafka.tools.ConsoleProducer',
        '--bootstrap-server',
        TEST_BROKERS,
        '--topic',
        name,
        '--reader-property',
        'parse.headers=true',
        '--reader-property',
        'parse.key=true',
        '--reader-property',
        'null.marker=NULL',
      ],
      {stdio: ['pipe', 'ignore', 'pipe']},
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdin.end(input)
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    clearTimeout(timer)
    expect(code, stderr).toBe(0)
  }

  it("Java's ConsoleProducer writes one; consume --format json, replay and produce --format json carry it as null", async () => {
    const source = await topic('integrity-nullh')
    const copy = await topic('integrity-nullh-copy')
    const back = await topic('integrity-nullh-back')
    await javaProduce(source, 'n:NULL,e:,x:1\tk1\tv1\nn:NULL\tk2\tv2\n')
    const expected = [
      {partition: 0, key: 'k1', value: 'v1', headers: 'n:<null>|e:|x:1'},
      {partition: 0, key: 'k2', value: 'v2', headers: 'n:<null>'},
    ]
    expect((await javaReadAll(source)).rows).toEqual(expected)
    // consume --format json: null, not "" (and "" stays "")
    const consumed = await kafkit(['consume', source, '-e', '--format', 'json'])
    expect(consumed.code, consumed.stderr).toBe(0)
    const envelopes = consumed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {headers: Record<string, string | null>})
    expect(envelopes.map((e) => e.headers)).toEqual([{n: null, e: '', x: '1'}, {n: null}])
    // replay keeps it
    const replayed = await kafkit(['replay', source, copy, '--from', 'beginning', '--to', 'end'], {timeoutMs: 90_000})
    expect(replayed.code, replayed.stderr).toBe(0)
    expect((await javaReadAll(copy)).rows).toEqual(expected)
    // produce --format json writes it
    const produced = await kafkit(['produce', back, '--format', 'json'], {input: consumed.stdout})
    expect(produced.code, produced.stderr).toBe(0)
    expect((await javaReadAll(back)).rows).toEqual(expected)
  }, 240_000)
})

describe('a node of two gone (a private 2-node cluster, replication factor 1, so nothing fails over)', () => {
  let cluster: IsolatedCluster | undefined
  afterAll(async () => {
    await cluster?.destroy()
  }, 120_000)

  it('consume --group whose group coordinator is gone before its last commit: every record written, exit 5 saying so; the next run reads the uncommitted ones again', async () => {
    cluster ??= await isolatedCluster({nodes: 2, port: 9860})
    const c = cluster
    const env = {KAFKIT_BROKERS: c.brokers}
    await c.allUp()
    const local = new kafkajs.Kafka({brokers: c.brokers.split(','), logLevel: kafkajs.logLevel.NOTHING}).admin()
    let coordinator = 0
    try {
      await local.connect()
      // The group's coordinator as the cluster names it (FindCoordinator, in kafkajs' debug log): worked out from
      // the __consumer_offsets leaders it can be stale, as leadership moves when a loaded node misses heartbeats.
      // The first group request also creates __consumer_offsets (10 partitions, replicated on both nodes).
      const warmUpTopic = await createTopicWithLeaders(local, uniqueName('integrity-warm-up'), 1)
      const group = uniqueName('commit-gone')
      const probe = await kafkit(['consume', warmUpTopic, '--group', group, '-e', '--timeout', '60s', '--debug'], {env, timeoutMs: 90_000})
      expect(probe.code, probe.stderr).toBe(0)
      coordinator = coordinatorIn(probe.stderr)
      expect([1, 2], `the coordinator of ${group}`).toContain(coordinator)
      // The topic goes on the other node, so that only the coordinator is lost.
      const name = await createTopicWithLeaders(local, uniqueName('integrity-commit'), 1, {}, 3 - coordinator)
      // 100,000 lines: far more than a pipe holds, so the reader is still writing when the coordinator goes.
      const total = 100_000
      const records = Array.from({length: total}, (_, i) => `r${i}`)
      const produced = await kafkit(['produce', name, '--timeout', '60s'], {env, input: records.join('\n') + '\n', timeoutMs: 120_000})
      expect(produced.code, produced.stderr).toBe(0)

      // stdout is not read at first: the reader joins, starts writing and blocks on the full pipe.
      const child = spawn(process.execPath, [BIN, 'consume', name, '--group', group, '-e', '--timeout', '5s', '--debug'], {
        env: {...process.env, NO_COLOR: '1', ...env},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
      await new Promise((resolve) => child.stdout.once('readable', resolve))
      await new Promise((resolve) => setTimeout(resolve, 3000))
      expect(coordinatorIn(stderr), 'the group coordinator moved between the probe and the reader').toBe(coordinator)
      await c.kill(coordinator)
      const out: Buffer[] = []
      child.stdout.on('data', (d: Buffer) => out.push(d))
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
      const code = await exited
      clearTimeout(timer)
      const written = Buffer.concat(out).toString().split('\n').filter(Boolean)
      expect(
        code,
        stderr
          .split('\n')
          .filter((l) => !l.startsWith('debug '))
          .join('\n'),
      ).toBe(5)
      expect(written).toEqual(records)
      expect(stderr).toMatch(new RegExp(`^error: everything read was written, but its offsets could not be committed to group '${group}' \\(`, 'm'))
      expect(stderr).toMatch(/^hint: the next run with this group starts from its last commit and may print those records again$/m)

      // With the coordinator back, the group reads again what was written but not committed: the end of the topic.
      await c.allUp()
      const again = await kafkit(['consume', name, '--group', group, '-e', '--timeout', '60s'], {env, timeoutMs: 120_000})
      expect(again.code, again.stderr).toBe(0)
      const reread = again.stdout.split('\n').filter(Boolean)
      expect(reread.length).toBeGreaterThan(0)
      expect(reread).toEqual(records.slice(total - reread.length))
    } finally {
      await local.disconnect().catch(() => undefined)
    }
  }, 300_000)

  it("one node SIGKILLed: its partitions are not delivered, the others are, and the counts are the topic's", async () => {
    cluster ??= await isolatedCluster({nodes: 2, port: 9860})
    await cluster.allUp()
    const local = new kafkajs.Kafka({brokers: cluster.brokers.split(','), logLevel: kafkajs.logLevel.NOTHING}).admin()
    try {
      await local.connect()
      const partitions = 6
      const name = await createTopicWithLeaders(local, uniqueName('integrity-leader'), partitions)
      const meta = await local.fetchTopicMetadata({topics: [name]})
      const leaderOf = new Map(meta.topics[0].partitions.map((p) => [p.partitionId, p.leader]))
      expect(new Set(leaderOf.values())).toEqual(new Set([1, 2]))
      await local.disconnect()
      await cluster.kill(2)
      const lines = Array.from({length: 12_000}, (_, i) => `k${i % 101}:v${i}`)
      const failedTo = join(dir, 'leader.failed.jsonl')
      // --no-idempotent: kafkajs asks a node of its choice for a producer id at connect, possibly the dead one
      // (an exit 4 before anything is sent, not what this test is about).
      const result = await kafkit(['produce', name, '-K', ':', '--timeout', '5s', '--no-idempotent', '--max-in-flight', '1', '--failed-to', failedTo, '--json'], {
        env: {KAFKIT_BROKERS: cluster.brokers.split(',')[0]},
        input: lines.join('\n') + '\n',
        timeoutMs: 120_000,
      })
      expect(result.code, result.stderr).toBe(5)
      const error = (JSON.parse(result.stderr.trim()) as {error: {delivered: number; failed: number; partitions: Record<string, {delivered: number; failed: number}>}}).error
      const count = (p: number) => lines.filter((l) => murmur2Partitioner(Buffer.from(l.slice(0, l.indexOf(':'))), partitions) === p).length
      for (let p = 0; p < partitions; p++) {
        const expected = leaderOf.get(p) === 1 ? {delivered: count(p), failed: 0} : {delivered: 0, failed: count(p)}
        expect(error.partitions[p] ?? {delivered: 0, failed: 0}, `partition ${p} (leader ${leaderOf.get(p)})`).toMatchObject(expected)
      }
      expect(readFileSync(failedTo, 'utf8').trimEnd().split('\n').length).toBe(error.failed)
    } finally {
      await local.disconnect().catch(() => undefined)
    }
  }, 300_000)
})

/** The node kafkajs found as the group's coordinator (the last such line of a --debug log), or -1. */
function coordinatorIn(debugLog: string): number {
  const found = [...debugLog.matchAll(/Found group coordinator \{"nodeId":(\d+)\}/g)].at(-1)
  return found ? Number(found[1]) : -1
}
