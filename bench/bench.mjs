#!/usr/bin/env node
/**
 * `npm run bench [-- SCENARIO...]`: kafkit against its peers (kcat, Kafka's console tools and perf tools) on the
 * same broker, in the same run, several repetitions each, interleaved; prints medians, ratios and peak RSS and
 * writes bench/results/latest.json. Not a test: nothing here fails on a number.
 *
 * Knobs (environment):
 *   BENCH_RECORDS=1000000     records per produce/consume/replay run (100 B values); `npm run bench:smoke` = 10000
 *   BENCH_REPS=3              repetitions of the heavy scenarios (start-up ones do at least 5)
 *   BENCH_BROKERS=127.0.0.1:9092   broker to use (started with `kafkit local start` if nothing answers there)
 *   BENCH_PARTITIONS=6        partitions of the produce/consume topics
 *   BENCH_RESET_PARTITIONS=1000    partitions of the offsets-reset scenario
 *   BENCH_ONLY=regex          scenario filter (same as names given as arguments)
 * Topics are named kafkit-bench-<run id>-* and deleted at the end; the broker is never stopped.
 */
import {execFileSync} from 'node:child_process'
import {createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {cpus, hostname, totalmem, tmpdir} from 'node:os'
import {join} from 'node:path'
import {once} from 'node:events'

import {KAFKIT, ROOT, SCRATCH, adminClient, createTopic, formatMs, formatRate, have, kafkaHome, measure, median, table, topicSize, versionOf} from './lib.mjs'
import {scenarios} from './scenarios.mjs'

const env = process.env
const records = Number(env.BENCH_RECORDS ?? 1_000_000)
const reps = Number(env.BENCH_REPS ?? 3)
const brokers = env.BENCH_BROKERS ?? '127.0.0.1:9092'
const filter = new RegExp(env.BENCH_ONLY ?? (process.argv.slice(2).length ? `^(${process.argv.slice(2).join('|')})$` : '.'))
// A scenario is selected by its name or one of its groups (`scale` = every scale scenario at every size). The
// scale scenarios take minutes and a cluster of their own: a run without names leaves them out (BENCH_SCALE=1 adds them).
const selected = (s) => [s.name, ...(s.group ?? [])].some((n) => filter.test(n)) && (!s.group?.includes('scale') || process.argv.length > 2 || env.BENCH_ONLY || env.BENCH_SCALE === '1')
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`
const log = (line) => process.stderr.write(`${line}\n`)

if (!existsSync(join(ROOT, 'dist', 'bundle', 'kafkit.js'))) {
  log('bench: no build found: run `npm run build` first')
  process.exit(2)
}

// ---- broker and peers ---------------------------------------------------------------------------------------

async function ensureBroker() {
  try {
    const admin = await adminClient(brokers)
    await admin.listTopics()
    return admin
  } catch {
    log(`bench: nothing answers on ${brokers}: starting one with \`kafkit local start\``)
    execFileSync(process.execPath, [KAFKIT, 'local', 'start'], {stdio: 'inherit'})
    return adminClient(brokers)
  }
}

const admin = await ensureBroker()
const kcat = have('kcat')
const {libs, version: kafkaVersion} = kafkaHome()
const javaOk = have('java') && existsSync(join(libs, `kafka-tools-${kafkaVersion}.jar`))
if (!kcat) log('bench: kcat not found (apt-get install kcat): its columns are skipped')
if (!javaOk) log(`bench: Kafka's tools not found under ${libs} (run \`kafkit local start\` once): their columns are skipped`)

// ---- data -----------------------------------------------------------------------------------------------------

const dataDir = join(tmpdir(), 'kafkit-bench-data')
mkdirSync(dataDir, {recursive: true})
const dataFilePath = (n) => join(dataDir, `records-${n}x100B.txt`)

/** n lines of 100 bytes (+ newline), distinct and not trivially compressible; made once and reused. */
async function dataFileFor(n) {
  const path = dataFilePath(n)
  if (existsSync(path) && statSync(path).size === n * 101) return path
  // A pool of pseudo-random letters; each line is its 10-digit number, a space and 89 letters from the pool.
  const alphabet = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
  const pool = Buffer.alloc(1 << 20)
  let seed = 42
  for (let i = 0; i < pool.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    pool[i] = alphabet[seed % alphabet.length]
  }
  const tmp = `${path}.${process.pid}.tmp`
  const out = createWriteStream(tmp)
  for (let i = 0; i < n;) {
    const lines = Math.min(10_000, n - i)
    const chunk = Buffer.alloc(lines * 101)
    for (let j = 0; j < lines; j++, i++) {
      const at = j * 101
      chunk.write(i.toString().padStart(10, '0') + ' ', at, 'latin1')
      const from = (i * 7919) % (pool.length - 89)
      pool.copy(chunk, at + 11, from, from + 89)
      chunk[at + 100] = 10
    }
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  renameSync(tmp, path)
  return path
}

// Schema registry scenarios: a 10-field Avro schema and JSON Lines whose Avro encoding is ~100 B a record.
const registry = env.BENCH_SCHEMA_REGISTRY ?? 'http://127.0.0.1:8081/apis/ccompat/v7'
const registryUp = await fetch(`${registry}/subjects`, {signal: AbortSignal.timeout(3000)}).then(
  (r) => r.ok,
  () => false,
)
const avroSchemaFile = join(dataDir, 'bench-sale.avsc')
writeFileSync(
  avroSchemaFile,
  JSON.stringify({
    type: 'record',
    name: 'BenchSale',
    namespace: 'bench',
    fields: [
      {name: 'id', type: 'long'},
      {name: 'store_id', type: 'string'},
      {name: 'sku', type: 'string'},
      {name: 'qty', type: 'int'},
      {name: 'price', type: 'double'},
      {name: 'currency', type: 'string'},
      {name: 'ts', type: {type: 'long', logicalType: 'timestamp-millis'}},
      {name: 'channel', type: {type: 'enum', name: 'Channel', symbols: ['STORE', 'WEB', 'APP']}},
      {name: 'customer', type: ['null', 'string'], default: null},
      {name: 'note', type: 'string'},
    ],
  }),
)
const avroDataFilePath = (n) => join(dataDir, `sales-${n}.jsonl`)
async function avroDataFile(n) {
  const path = avroDataFilePath(n)
  if (existsSync(path)) return path
  const tmp = `${path}.${process.pid}.tmp`
  const out = createWriteStream(tmp)
  const channels = ['STORE', 'WEB', 'APP']
  let text = ''
  for (let i = 0; i < n; i++) {
    text += `${JSON.stringify({id: i, store_id: `store-${i % 50}`, sku: `SKU-${String(i % 100000).padStart(6, '0')}`, qty: (i % 9) - 2, price: Math.round((i % 5000) * 137) / 100, currency: 'EUR', ts: 1764000000000 + i, channel: channels[i % 3], customer: i % 4 ? `customer-${i % 9973}` : null, note: 'aisle 7, shelf 3, restocked by the evening crew'})}\n`
    if (text.length > 1 << 20) {
      if (!out.write(text)) await once(out, 'drain')
      text = ''
    }
  }
  out.end(text)
  await once(out, 'finish')
  renameSync(tmp, path)
  return path
}

const createdTopics = new Set()
const filled = new Set()
const prefix = `kafkit-bench-${runId}`
const ctx = {
  brokers,
  records,
  recordsLabel: records >= 1e6 && records % 1e6 === 0 ? `${records / 1e6}M` : records >= 1000 && records % 1000 === 0 ? `${records / 1000}k` : String(records),
  reps,
  prefix,
  partitions: Number(env.BENCH_PARTITIONS ?? 6),
  resetPartitions: Number(env.BENCH_RESET_PARTITIONS ?? 1000),
  kcat,
  admin,
  dataFile: await dataFileFor(records),
  dataFileFor,
  dataFilePath,
  registry,
  registryUp,
  avroSchemaFile,
  avroDataFile,
  avroDataFilePath,
  scratchDir: SCRATCH,
  async createTopic(topic, partitions) {
    createdTopics.add(topic)
    await createTopic(admin, topic, partitions)
  },
  /** A topic holding exactly n records, written once per run (by kcat when there is one: the fastest writer). */
  async fillTopic(topic, n) {
    if (filled.has(topic)) return
    await ctx.createTopic(topic, ctx.partitions)
    const file = await dataFileFor(n)
    const argv = kcat ? ['kcat', '-P', '-b', brokers, '-t', topic, '-X', 'acks=all'] : [process.execPath, KAFKIT, 'produce', topic, '-b', brokers, '-f', file]
    const r = await measure(argv, {stdinFile: kcat ? file : undefined})
    const size = await topicSize(admin, topic)
    if (r.code !== 0 || size !== n) throw new Error(`filling ${topic}: exit ${r.code}, ${size}/${n} records: ${r.stderr}`)
    filled.add(topic)
  },
  async deleteTopics(topics) {
    await admin.deleteTopics({topics, timeout: 60_000}).catch((e) => log(`bench: could not delete ${topics.join(', ')}: ${e.message}`))
    for (const t of topics) createdTopics.delete(t)
  },
}

// Interrupted: the topics made so far are deleted all the same (the broker is shared).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`bench: ${signal}: deleting this run's topics`)
    await ctx.deleteTopics([...createdTopics]).catch(() => undefined)
    process.exit(130)
  })
}

// ---- running ----------------------------------------------------------------------------------------------------

async function runTool(tool) {
  await tool.before?.(ctx)
  const r = await measure(tool.argv, {stdinFile: tool.stdinFile, countLines: tool.expectLines !== undefined, env: tool.env})
  let error = r.code === 0 ? undefined : `exit ${r.code ?? r.signal}: ${r.stderr.split('\n').slice(-3).join(' | ')}`
  if (!error && tool.expectLines !== undefined && r.lines !== tool.expectLines) error = `wrote ${r.lines} lines, expected ${tool.expectLines}`
  if (!error && tool.verify) error = await tool.verify(ctx)
  return {wallMs: r.wallMs, cpuMs: r.cpuMs, rssMb: r.rssMb, error}
}

const summarize = (runs) => {
  const ok = runs.filter((r) => !r.error)
  return {
    runs,
    wallMs: median(ok.map((r) => r.wallMs)),
    cpuMs: median(ok.map((r) => r.cpuMs)),
    rssMb: ok.length ? Math.max(...ok.map((r) => r.rssMb ?? 0)) || undefined : undefined,
    errors: runs.filter((r) => r.error).map((r) => r.error),
  }
}

const results = []
for (const scenario of scenarios(ctx)) {
  if (!selected(scenario)) continue
  const skip = scenario.available?.(ctx)
  if (skip) {
    log(`bench: ${scenario.name}: skipped (${skip})`)
    results.push({name: scenario.name, title: scenario.title, skipped: skip})
    continue
  }
  log(`bench: ${scenario.name}: ${scenario.title}`)
  const peers = scenario.peers.filter((p) => javaOk || p.argv[0] !== 'java')
  try {
    await scenario.setup?.()
    if (scenario.kind === 'memory') {
      const rows = []
      for (const run of scenario.runs()) {
        const r = await runTool(run)
        log(`  ${run.name}: ${formatMs(r.wallMs)}, ${r.rssMb?.toFixed(0)} MB${r.error ? ` (${r.error})` : ''}`)
        rows.push({name: run.name, ...summarize([r])})
      }
      results.push({name: scenario.name, title: scenario.title, kind: 'memory', maxRssMb: scenario.maxRssMb, rows})
      continue
    }
    const tools = [scenario.kafkit, ...peers]
    const runs = tools.map(() => [])
    // Interleaved (A B C, A B C, ...): a burst of load from the other tenants of the machine hits every tool.
    for (let rep = 0; rep < scenario.reps; rep++) {
      for (const [i, tool] of tools.entries()) {
        const r = await runTool(tool)
        runs[i].push(r)
        log(`  ${rep + 1}/${scenario.reps} ${tool.name}: ${formatMs(r.wallMs)}${r.rssMb ? `, ${r.rssMb.toFixed(0)} MB` : ''}${r.error ? ` FAILED ${r.error}` : ''}`)
      }
    }
    const k = summarize(runs[0])
    const peerResults = peers.map((p, i) => {
      const s = summarize(runs[i + 1])
      const ratio = k.wallMs && s.wallMs ? (scenario.ratio === 'speed' ? s.wallMs / k.wallMs : k.wallMs / s.wallMs) : undefined
      const met = p.goal && ratio !== undefined ? (p.goal.op === '<=' ? ratio <= p.goal.value : ratio >= p.goal.value) : undefined
      // The same ratio in CPU time (user + sys): less sensitive to what else the machine is running.
      const cpuRatio = k.cpuMs && s.cpuMs ? (scenario.ratio === 'speed' ? s.cpuMs / k.cpuMs : k.cpuMs / s.cpuMs) : undefined
      return {name: p.name, ...s, ratio, cpuRatio, goal: p.goal, met}
    })
    results.push({
      name: scenario.name,
      title: scenario.title,
      ...(scenario.scale ? {scale: scenario.scale} : {}),
      ratio: scenario.ratio,
      records: scenario.records,
      reps: scenario.reps,
      kafkit: {name: scenario.kafkit.name, ...k, maxMs: scenario.maxMs, met: scenario.maxMs && k.wallMs ? k.wallMs <= scenario.maxMs : undefined},
      peers: peerResults,
    })
  } catch (error) {
    log(`bench: ${scenario.name}: ${error.message}`)
    results.push({name: scenario.name, title: scenario.title, error: error.message})
  } finally {
    await scenario.teardown?.().catch(() => undefined)
  }
}

if (createdTopics.size) await ctx.deleteTopics([...createdTopics])
await admin.disconnect()

// ---- report -----------------------------------------------------------------------------------------------------

const goalText = (g) => (g ? `${g.op === '<=' ? '≤' : '≥'} ${g.value}×` : '')
const mark = (met) => (met === undefined ? '' : met ? 'yes' : 'NO')
const rows = [['scenario', 'kafkit', 'kafkit RSS', 'peer', 'peer time', 'peer RSS', 'ratio', 'goal', 'met', 'CPU ratio']]
for (const r of results) {
  if (r.skipped || r.error) {
    rows.push([r.name, r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error}`])
    continue
  }
  if (r.kind === 'memory') {
    for (const row of r.rows)
      rows.push([
        `${r.name}: ${row.name}${row.errors.length ? ' [failed]' : ''}`,
        formatMs(row.wallMs),
        row.rssMb ? `${row.rssMb.toFixed(0)} MB` : '-',
        '',
        '',
        '',
        '',
        `≤ ${r.maxRssMb} MB`,
        mark(row.rssMb ? row.rssMb <= r.maxRssMb : undefined),
      ])
    continue
  }
  const kTime = `${formatMs(r.kafkit.wallMs)}${r.records ? ` (${formatRate(r.records, r.kafkit.wallMs)})` : ''}${r.kafkit.errors.length ? ` [${r.kafkit.errors.length} failed]` : ''}`
  const kRss = r.kafkit.rssMb ? `${r.kafkit.rssMb.toFixed(0)} MB` : '-'
  if (r.kafkit.maxMs) rows.push([r.name, kTime, kRss, '(absolute)', '', '', '', `≤ ${r.kafkit.maxMs} ms`, mark(r.kafkit.met)])
  if (!r.peers.length && !r.kafkit.maxMs) rows.push([r.name, kTime, kRss])
  for (const p of r.peers) {
    rows.push([
      r.name,
      kTime,
      kRss,
      p.name,
      `${formatMs(p.wallMs)}${r.records ? ` (${formatRate(r.records, p.wallMs)})` : ''}${p.errors.length ? ` [${p.errors.length} failed]` : ''}`,
      p.rssMb ? `${p.rssMb.toFixed(0)} MB` : '-',
      p.ratio === undefined ? '-' : `${p.ratio.toFixed(2)}×`,
      goalText(p.goal),
      mark(p.met),
      p.cpuRatio === undefined ? '-' : `${p.cpuRatio.toFixed(2)}×`,
    ])
  }
}

const machine = {
  hostname: hostname(),
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  loadAverageAtEnd: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2))),
  node: process.version,
  kafka: kafkaVersion,
  java: javaOk ? versionOf(['java', '-version']) : undefined,
  kcat: kcat ? versionOf(['kcat', '-V']) : undefined,
}
const date = new Date().toISOString()
const report = {date, runId, machine, config: {records, reps, brokers, partitions: ctx.partitions, resetPartitions: ctx.resetPartitions}, results}
const resultsDir = join(ROOT, 'bench', 'results')
mkdirSync(resultsDir, {recursive: true})
writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify(report, null, 2) + '\n')
// all.json: the newest result of every scenario ever run here (a run of some scenarios replaces only theirs), each
// stamped with its run's date and load: what the chart draws.
const allFile = join(resultsDir, 'all.json')
let all = {results: []}
try {
  all = JSON.parse(readFileSync(allFile, 'utf8'))
} catch {
  // first run
}
// Results under another Node than 20 (the supported minimum) are kept beside its own: startup@node22, ...
const major = process.versions.node.split('.')[0]
const stamped = results.map((r) => ({...r, name: major === '20' ? r.name : `${r.name}@node${major}`, date, runId, loadAverage: machine.loadAverageAtEnd, node: machine.node}))
const names = new Set(stamped.map((r) => r.name))
all = {updated: date, machine, results: [...all.results.filter((r) => !names.has(r.name)), ...stamped]}
writeFileSync(allFile, JSON.stringify(all, null, 2) + '\n')
try {
  const {writeChart} = await import('./chart.mjs')
  const svg = await writeChart(all, join(resultsDir, 'bench.svg'))
  log(`bench: chart of the newest results in ${svg}`)
} catch (error) {
  log(`bench: no chart (${error.message})`)
}

process.stdout.write(`\n${table(rows)}\n\n`)
process.stdout.write(
  `ratio: medians of wall time; startup, cluster-info, topics-list, first-record, offsets-reset = kafkit's time ÷ the peer's (lower is better); produce/consume/replay = the peer's time ÷ kafkit's (kafkit's relative throughput, higher is better). CPU ratio: the same with user+sys CPU time\n`,
)
process.stdout.write(
  `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, load ${machine.loadAverageAtEnd.join(' ')}; node ${machine.node}; Kafka ${kafkaVersion}; ${records} records, ${reps} reps; medians of wall time; results in bench/results/latest.json\n`,
)
