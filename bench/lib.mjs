/**
 * Bench plumbing: running one command under /usr/bin/time (wall time, CPU time, peak RSS), the peers' command
 * lines, the broker helpers (topics, offsets) and the result table.
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
export const KAFKIT = join(ROOT, 'bin', 'run.js')

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
const scratch = mkdtempSync(join(tmpdir(), 'kafkit-bench-'))
/** A directory of this run, removed at exit. */
export const SCRATCH = scratch
process.on('exit', () => rmSync(scratch, {recursive: true, force: true}))

/**
 * Runs argv once. stdin from a file (or nothing), stdout to /dev/null (or collected when `capture`), stderr kept
 * for the error message. Wall time is measured here (sub-ms); CPU time and peak RSS come from GNU time, which
 * reports the largest RSS of the process and the children it waited for (a shell pipeline: its biggest member).
 */
export function measure(argv, {stdinFile, capture = false, countLines = false, env, timeoutMs = 15 * 60_000} = {}) {
  const timeFile = join(scratch, `time-${process.hrtime.bigint()}`)
  const full = TIME ? [TIME, '-f', '%U %S %M', '-o', timeFile, ...argv] : argv
  const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore'
  // countLines: stdout is read and its newlines counted (not kept), to check how many records were written.
  const stdout = capture || countLines ? 'pipe' : openSync('/dev/null', 'w')
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const child = spawn(full[0], full.slice(1), {stdio: [stdin, stdout, 'pipe'], env: {...process.env, NO_COLOR: '1', ...env}})
    const out = []
    let err = ''
    let lines = 0
    child.stdout?.on('data', (d) => {
      if (capture) out.push(d)
      if (countLines) for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++
    })
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6
      clearTimeout(timer)
      if (typeof stdin === 'number') closeSync(stdin)
      if (typeof stdout === 'number') closeSync(stdout)
      let cpuMs, rssMb
      if (TIME && existsSync(timeFile)) {
        // GNU time prefixes "Command exited with non-zero status N" on failure: the numbers are the last line.
        const [user, sys, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number)
        cpuMs = (user + sys) * 1000
        rssMb = rssKb / 1024
        rmSync(timeFile, {force: true})
      }
      resolve({code, signal, wallMs, cpuMs, rssMb, lines, stderr: err.trim(), stdout: capture ? Buffer.concat(out).toString() : undefined})
    })
  })
}

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  const mid = Math.floor(v.length / 2)
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

// ---- peers ------------------------------------------------------------------------------------------------

export function kafkit(...args) {
  return [process.execPath, KAFKIT, ...args]
}

/** Kafka's own tools run from the jars `kafkit local` fetched (the kafka-tools artifact comes with them). */
export function kafkaHome() {
  const version = process.env.BENCH_KAFKA_VERSION ?? '4.4.0'
  const cache = process.env.KAFKIT_CACHE_DIR ?? join(homedir(), '.cache', 'kafkit')
  const home = process.env.BENCH_KAFKA_LIBS ? join(process.env.BENCH_KAFKA_LIBS, '..') : join(cache, 'kafka', version)
  return {version, libs: join(home, 'libs'), log4j: join(home, 'log4j2.properties')}
}

/** The JVM options of Kafka's bin/kafka-run-class.sh, with the 512 MB heap its console and perf scripts set. */
export function java(mainClass, ...args) {
  const {libs, log4j} = kafkaHome()
  return [
    'java',
    '-Xmx512M',
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    ...(existsSync(log4j) ? [`-Dlog4j2.configurationFile=${log4j}`] : []),
    '-cp',
    `${libs}/*`,
    mainClass,
    ...args,
  ]
}

export const TOOLS = {
  topicCommand: 'org.apache.kafka.tools.TopicCommand',
  consoleProducer: 'org.apache.kafka.tools.ConsoleProducer',
  consoleConsumer: 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  consumerGroupCommand: 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  producerPerformance: 'org.apache.kafka.tools.ProducerPerformance',
  consumerPerformance: 'org.apache.kafka.tools.ConsumerPerformance',
}

export function have(binary) {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

/** The line of `argv`'s output (stdout or stderr: `java -version` uses stderr) that names a version. */
export function versionOf(argv) {
  const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8'})
  const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return (lines.find((l) => /version/i.test(l)) ?? lines[0])?.replace(/ builtin\.features=.*$/, ')')
}

// ---- the broker -----------------------------------------------------------------------------------------------

/** kafkajs admin for set-up only (topics, seeded offsets): never inside a measured command. */
export async function adminClient(brokers) {
  const {default: kafkajs} = await import('kafkajs')
  const kafka = new kafkajs.Kafka({clientId: 'kafkit-bench', brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING})
  const admin = kafka.admin()
  await admin.connect()
  return admin
}

export async function createTopic(admin, topic, numPartitions) {
  // Not kafkajs' waitForLeaders: its few retries give up on a busy broker. Instead, wait until every partition
  // answers ListOffsets, so that no measured run pays for (or fails on) a topic still being set up.
  await admin.createTopics({topics: [{topic, numPartitions, replicationFactor: 1}], waitForLeaders: false, timeout: 60_000})
  for (let i = 0; ; i++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic)
      if (offsets.length === numPartitions) return
      throw new Error(`${topic}: ${offsets.length}/${numPartitions} partitions ready`)
    } catch (error) {
      if (i >= 60) throw error
      await new Promise((r) => setTimeout(r, 500))
    }
  }
}

/** Sum of the end offsets of a topic: a produce run is complete when it grew by exactly N. */
export async function topicSize(admin, topic) {
  const offsets = await admin.fetchTopicOffsets(topic)
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
}

// ---- the table ---------------------------------------------------------------------------------------------

export function formatMs(ms) {
  if (ms === undefined) return '-'
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`
}

export function formatRate(records, ms) {
  if (!records || !ms) return ''
  const r = (records / ms) * 1000
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)}M/s` : `${Math.round(r / 1000)}k/s`
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)))
  const line = (r) =>
    r
      .map((c, i) => String(c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n')
}
