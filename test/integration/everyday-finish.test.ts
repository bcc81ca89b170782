/**
 * The last everyday-use items against real services: `produce --transactional` (all or nothing for read-committed
 * readers: Kafka's Java ConsoleConsumer and kcat are the second opinions), `consume --isolation`, the live counter
 * and replay's progress line as a person sees them (pseudo-terminal), and `npm run demo` beside a local Kafka that
 * runs without --secure (a private cluster on this file's own port).
 */
import {execFile, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {localDir} from '../../src/local/paths.js'
import {BIN, ROOT, TEST_BROKERS, createTopicWithLeaders, json, kafkit, uniqueName} from './helpers.js'
import {isolatedCluster} from './isolated-cluster.js'
import {CONSOLE_CONSUMER, runJava} from './kafka-tools.js'
import {terminal} from './terminal.js'

const exec = promisify(execFile)
const admin = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING}).admin()
const scratch = mkdtempSync(join(tmpdir(), 'kafkit-everyday-finish-'))
/** A port of this file's own for the demo's private cluster when needed (controller port + 10000, secure ports + 1000..4000). */
const DEMO_PORT = 9940

beforeAll(() => admin.connect())
afterAll(() => admin.disconnect())

/** Records kcat (librdkafka) reads to the end of every partition, at this isolation level. */
async function kcatCount(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<number> {
  const {stdout} = await exec('kcat', ['-C', '-b', TEST_BROKERS, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%o\n'], {
    maxBuffer: 64 << 20,
    timeout: 60_000,
  })
  return stdout.split('\n').filter(Boolean).length
}

describe('produce --transactional', () => {
  it('commits a 100,000-record file that a read-committed Java consumer reads whole', async () => {
    const topic = uniqueName('evf-txn-ok')
    await createTopicWithLeaders(admin, topic, 3)
    const file = join(scratch, 'ok.txt')
    writeFileSync(file, Array.from({length: 100_000}, (_, i) => `record-${i}`).join('\n') + '\n')
    const result = await kafkit(['produce', topic, '-f', file, '--transactional', '--transactional-id', `${topic}-tx`, '--json'], {timeoutMs: 120_000})
    expect(result.code, result.stderr).toBe(0)
    expect(json<{records: number; transactionalId: string}>(result)).toMatchObject({records: 100_000, transactionalId: `${topic}-tx`})
    const java = await runJava(CONSOLE_CONSUMER, [
      '--bootstrap-server',
      TEST_BROKERS,
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--max-messages',
      '100000',
      '--timeout-ms',
      '60000',
    ])
    const values = java.stdout.split('\n').filter(Boolean)
    expect(values.length, java.stderr).toBe(100_000)
    expect(new Set(values).size).toBe(100_000)
    expect(await kcatCount(topic, 'read_committed')).toBe(100_000)
  }, 180_000)

  it('aborts on a bad line in the middle of a file: the records before it reached the log, none is visible to read-committed readers', async () => {
    const topic = uniqueName('evf-txn-bad')
    await createTopicWithLeaders(admin, topic, 3)
    const file = join(scratch, 'bad.jsonl')
    const good = (n: number, tag: string) => Array.from({length: n}, (_, i) => JSON.stringify({key: `k${i}`, value: `${tag}${i}`}))
    writeFileSync(file, [...good(60_000, 'a'), 'not json', ...good(100, 'b')].join('\n') + '\n')
    const result = await kafkit(['produce', topic, '-f', file, '--format', 'json', '--transactional'], {timeoutMs: 120_000})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^error: transaction aborted: none of the 60,000 records written to '.*' are visible to read-committed readers: .*bad\.jsonl: line 60001: not valid JSON/m)
    expect(result.stderr).toContain('run the same command again')
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/) // no stack trace
    // The aborted records are in the log (a read-uncommitted reader sees them), so the abort is what hides them.
    expect(await kcatCount(topic, 'read_uncommitted')).toBe(60_000)
    expect(await kcatCount(topic, 'read_committed')).toBe(0)
    expect((await kafkit(['consume', topic, '-e', '--isolation', 'read-uncommitted'])).stdout.split('\n').filter(Boolean)).toHaveLength(60_000)
    const committed = await kafkit(['consume', topic, '-e'])
    expect(committed.code).toBe(0)
    expect(committed.stdout).toBe('')
  }, 180_000)

  it('aborts on Ctrl-C in the middle of the input (exit 130): nothing is visible to read-committed readers', async () => {
    const topic = uniqueName('evf-txn-int')
    await createTopicWithLeaders(admin, topic, 3)
    const child = spawn(process.execPath, [BIN, 'produce', topic, '--transactional'], {env: {...process.env, NO_COLOR: '1', KAFKIT_BROKERS: TEST_BROKERS}, stdio: ['pipe', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    // Part of the input, then wait (stdin stays open) until records are in the log, uncommitted.
    child.stdin.write(Array.from({length: 20_000}, (_, i) => `line-${i}`).join('\n') + '\n')
    const deadline = Date.now() + 60_000
    while ((await kcatCount(topic, 'read_uncommitted')) === 0) {
      if (Date.now() > deadline) throw new Error(`no record reached the log; stderr: ${stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    child.kill('SIGINT')
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const code = await exited
    clearTimeout(timer)
    child.stdin.destroy()
    expect(code, stderr).toBe(130)
    expect(stderr).toMatch(/transaction aborted: none of the [\d,]+ records? written to '.*' (is|are) visible to read-committed readers \(Ctrl-C\)/)
    expect(await kcatCount(topic, 'read_committed')).toBe(0)
  }, 120_000)

  it('refuses --acks other than all (exit 2) before connecting', async () => {
    for (const acks of ['1', '0']) {
      const result = await kafkit(['produce', 'no-such-topic', '--transactional', '--acks', acks], {input: 'x\n'})
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/^error: --transactional needs --acks all/m)
    }
  })
})

describe('on a terminal', () => {
  it('produce: no live counter on the line the user types; the summary after Ctrl-D', async () => {
    const topic = uniqueName('evf-tty')
    await createTopicWithLeaders(admin, topic, 1)
    const t = terminal(['produce', topic], {KAFKIT_BROKERS: TEST_BROKERS})
    await t.waitFor('Ctrl-D to finish')
    t.type('first\r')
    // Longer than the counter's first second: it would be on screen by now.
    await new Promise((resolve) => setTimeout(resolve, 1600))
    t.type('second\r')
    await new Promise((resolve) => setTimeout(resolve, 600))
    t.type('\u0004')
    await t.waitFor(/produced 2 records/)
    expect(await t.exited).toBe(0)
    expect(t.screen).not.toContain('records delivered (')
    expect(t.screen).toMatch(/first\r?\n/)
  }, 60_000)

  it('replay: the progress line starts below 100% and shows an ETA', async () => {
    const source = uniqueName('evf-rp-src')
    const destination = uniqueName('evf-rp-dst')
    await createTopicWithLeaders(admin, source, 1)
    await createTopicWithLeaders(admin, destination, 1)
    const lines = Array.from({length: 3000}, (_, i) => `r${i}`).join('\n') + '\n'
    expect((await kafkit(['produce', source], {input: lines})).code).toBe(0)
    // --rate keeps the copy going for about 3 s: several progress lines.
    const t = terminal(['replay', source, destination, '--from', 'beginning', '--to', 'end', '--rate', '1000'], {KAFKIT_BROKERS: TEST_BROKERS, KAFKIT_STATE_DIR: join(scratch, 'state')})
    await t.waitFor(/copying [\d,]+ records · [\d,]+ rec\/s · \d+% of the window · ETA \d/, 60_000)
    expect(await t.exited).toBe(0)
    const percents = [...t.screen.matchAll(/(\d+)% of the window/g)].map((m) => Number(m[1]))
    expect(percents.length).toBeGreaterThan(1)
    expect(percents[0]).toBeLessThan(100)
    expect(percents).toEqual([...percents].sort((a, b) => a - b))
  }, 90_000)
})

describe('npm run demo', () => {
  /**
   * "A local Kafka running without --secure": the shared broker's own `kafkit local` state, copied into a private
   * KAFKIT_LOCAL_DIR with `secure` off (the running process is the real broker; nothing is started or stopped).
   * Without that state (a broker not started by `kafkit local`), a private cluster on this file's port.
   */
  async function nonSecureLocal(): Promise<{env: NodeJS.ProcessEnv; port: number; destroy(): Promise<void>}> {
    const shared = join(localDir(), 'state.json')
    if (existsSync(shared)) {
      const state = JSON.parse(readFileSync(shared, 'utf8')) as {secure?: boolean; security?: unknown; basePort: number}
      state.secure = false
      delete state.security
      const dir = mkdtempSync(join(scratch, 'local-'))
      writeFileSync(join(dir, 'state.json'), JSON.stringify(state))
      return {env: {KAFKIT_LOCAL_DIR: dir}, port: state.basePort, destroy: async () => {}}
    }
    const cluster = await isolatedCluster({nodes: 1, port: DEMO_PORT})
    await cluster.start()
    return {env: cluster.env, port: DEMO_PORT, destroy: () => cluster.destroy()}
  }

  it('beside a local Kafka running without --secure: says --secure was not applied and how to restart, and runs on', async () => {
    const local = await nonSecureLocal()
    try {
      const env: NodeJS.ProcessEnv = {...process.env, ...local.env, KAFKIT_DEMO_PORT: String(local.port), NO_COLOR: '1'}
      delete env.KAFKIT_BROKERS
      const run = await exec('bash', [join(ROOT, 'scripts', 'demo.sh')], {env, timeout: 120_000, maxBuffer: 16 << 20})
      expect(run.stderr).toMatch(/--secure not applied: the running local Kafka was started without it/)
      expect(run.stderr).toMatch(/kafkit local stop && kafkit local start --secure/)
      expect(run.stderr).toContain(`already running: Kafka`)
      expect(run.stdout).toContain('store-1 {"sku":"A1","qty":2}')
      expect(run.stderr).toContain('demo done')
    } finally {
      await local.destroy()
    }
  }, 240_000)
})
