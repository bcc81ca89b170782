/** Runs the built CLI as a subprocess, the way users run it, against the real local broker. */
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')
export const TEST_BROKERS = process.env.KAFKIT_TEST_BROKERS ?? '127.0.0.1:9092'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
  durationMs: number
}

export interface RunOptions {
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
  /** Do not add `-b <test brokers>` (for commands that take no connection flags). */
  noBrokers?: boolean
}

export function kafkit(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {...process.env, NO_COLOR: '1', KAFKIT_BROKERS: options.noBrokers ? undefined : TEST_BROKERS, ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdoutBytes = Buffer.concat(out)
      resolve({code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes, durationMs: Date.now() - started})
    })
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

/** A topic/group name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}

/** Parses the single JSON document a `--json` command prints. */
export function json<T = unknown>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout.slice(0, 500)}\nstderr: ${result.stderr.slice(0, 500)}`)
  }
}

/** The contract of every failure: one error line, maybe a hint line, no stack trace. */
export function expectCleanError(result: RunResult): {message: string; hint?: string} {
  const lines = result.stderr.trimEnd().split('\n')
  const errorLine = lines.find((l) => l.startsWith('error: '))
  if (!errorLine) throw new Error(`no 'error:' line in stderr: ${result.stderr}`)
  if (/\n\s+at .+:\d+:\d+/.test(result.stderr)) throw new Error(`stack trace in stderr: ${result.stderr}`)
  const hint = lines.find((l) => l.startsWith('hint: '))
  return {message: errorLine.slice(7), hint: hint?.slice(6)}
}

/** The part of a kafkajs Admin that createTopicWithLeaders needs. */
interface TopicAdmin {
  createTopics(options: {
    waitForLeaders?: boolean
    topics: {topic: string; numPartitions?: number; replicationFactor?: number; replicaAssignment?: {partition: number; replicas: number[]}[]; configEntries?: {name: string; value: string}[]}[]
  }): Promise<boolean>
  fetchTopicMetadata(options: {topics: string[]}): Promise<{topics: {partitions: {leader: number}[]}[]}>
}

/**
 * Creates a topic and waits (up to 60 s) until every partition has a leader: kafkajs' own waitForLeaders gives up
 * on a busy broker's first "not hosted" answer. `onNode`: every partition's one replica on that node.
 */
export async function createTopicWithLeaders(admin: TopicAdmin, topic: string, partitions: number, configs: Record<string, string> = {}, onNode?: number): Promise<string> {
  const configEntries = Object.entries(configs).map(([name, value]) => ({name, value}))
  const layout = onNode === undefined ? {numPartitions: partitions, replicationFactor: 1} : {replicaAssignment: Array.from({length: partitions}, (_, partition) => ({partition, replicas: [onNode]}))}
  await admin.createTopics({waitForLeaders: false, topics: [{topic, ...layout, configEntries}]})
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const meta = await admin.fetchTopicMetadata({topics: [topic]}).catch(() => undefined)
    if (meta?.topics[0]?.partitions.length === partitions && meta.topics[0].partitions.every((p) => p.leader >= 0)) return topic
  }
  throw new Error(`topic ${topic} has no leaders after 60 s`)
}
