/**
 * Faults, counted by reading everything back: broker restarts (under a producer and under a reader), a broker
 * gone for good under a reader, a killed partition leader, a consumer killed mid-stream, parallel producers. Each test prints its figures (sent, acknowledged, read back, lost,
 * duplicated). Tests that stop or kill brokers get a private cluster (./isolated-cluster.ts).
 * Replay killed and resumed, and offsets reset then undo, are in test/integration/replay*.test.ts and
 * test/integration/offsets.test.ts.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterAll, describe, expect, it} from 'vitest'

import {BIN, RunResult, expectCleanError, kafkit, uniqueName} from '../integration/helpers.js'
import {IsolatedCluster, isolatedCluster, isolatedClusterForFile} from '../integration/isolated-cluster.js'

const work = mkdtempSync(join(tmpdir(), 'kafkit-faults-'))

/** A file of `count` unique lines `prefix-<i>`. */
function linesFile(name: string, count: number, prefix = name): string {
  const path = join(work, name)
  const lines: string[] = []
  for (let i = 0; i < count; i++) lines.push(`${prefix}-${i}`)
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

/** Runs kafkit in the background; resolves like `kafkit()` when it ends. */
function background(args: string[], env: NodeJS.ProcessEnv = {}): {done: Promise<RunResult>; kill(signal: NodeJS.Signals): void; onStdout(cb: (chunk: string) => void): void} {
  const started = Date.now()
  const child = spawn(process.execPath, [BIN, ...args], {env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  const out: Buffer[] = []
  const err: Buffer[] = []
  const listeners: ((chunk: string) => void)[] = []
  child.stdout.on('data', (d: Buffer) => {
    out.push(d)
    for (const l of listeners) l(d.toString())
  })
  child.stderr.on('data', (d: Buffer) => err.push(d))
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => {
      const stdoutBytes = Buffer.concat(out)
      resolve({code, signal, stdout: stdoutBytes.toString(), stderr: Buffer.concat(err).toString(), stdoutBytes, durationMs: Date.now() - started})
    })
  })
  return {done, kill: (signal) => child.kill(signal), onStdout: (cb) => listeners.push(cb)}
}

/** Reads a whole topic back (raw values) and counts them. */
async function readBack(topic: string, brokers?: string, env: NodeJS.ProcessEnv = {}): Promise<{values: string[]; unique: Set<string>}> {
  const result = await kafkit(['consume', topic, '-e', '--timeout', '30s', ...(brokers ? ['-b', brokers] : [])], {env: {...env, ...(brokers ? {KAFKIT_BROKERS: brokers} : {})}, timeoutMs: 120_000})
  expect(result.code, result.stderr).toBe(0)
  const values = result.stdout.split('\n').filter(Boolean)
  return {values, unique: new Set(values)}
}

/** delivered/failed from `produce --json`: the summary on stdout (exit 0), or the error's details on stderr (exit 5). */
function produceCounts(result: RunResult): {delivered?: number; failed?: number} {
  try {
    if (result.code === 0) {
      const s = JSON.parse(result.stdout) as {records: number; failed: number}
      return {delivered: s.records, failed: s.failed}
    }
    return (JSON.parse(result.stderr.trim().split('\n').pop() ?? '{}') as {error?: {delivered?: number; failed?: number}}).error ?? {}
  } catch {
    return {}
  }
}

function figures(name: string, f: Record<string, number | string>): void {
  console.log(
    `[faults] ${name}: ${Object.entries(f)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  )
}

// One private one-node cluster for the restarts and the first group (ports 9810-9819), one of three nodes for the
// leader kill (9820-9829): each started once for this file (the three-node one as the file starts), reused by a
// retried test, removed after its tests.
describe('faults on a private one-node cluster', () => {
  let one: IsolatedCluster | undefined
  afterAll(async () => {
    await one?.destroy()
  }, 120_000)

  // The restart test's cluster and topic (200k records) are reused by the broker-gone reader test after it.
  let restarted: {cluster: IsolatedCluster; topic: string; total: number} | undefined

  it('broker restarted during an idempotent produce of 200k records: 0 lost, 0 duplicated', async () => {
    one ??= await isolatedCluster({nodes: 1, port: 9810})
    const cluster = one
    await cluster.allUp()
    const env = {KAFKIT_BROKERS: cluster.brokers}
    const topic = uniqueName('restart')
    expect((await kafkit(['topics', 'create', topic, '--partitions', '3'], {env})).code).toBe(0)
    const total = 200_000
    const file = linesFile(`${topic}.txt`, total)
    // --rate stretches the produce over a few seconds so the restart lands in the middle of it.
    const produce = background(['produce', topic, '--file', file, '--rate', '40000', '--timeout', '90s', '--json'], env)
    await sleep(1500)
    await cluster.stop()
    await cluster.start()
    const result = await produce.done
    const back = await readBack(topic, cluster.brokers)
    const summary = produceCounts(result)
    figures('broker restart', {
      sent: total,
      exit: result.code ?? 'signal',
      acknowledged: summary.delivered ?? '?',
      readBack: back.values.length,
      lost: total - back.unique.size,
      duplicated: back.values.length - back.unique.size,
    })
    expect(result.code, result.stderr).toBe(0)
    expect(back.unique.size).toBe(total)
    expect(back.values.length).toBe(total)
    restarted = {cluster, topic, total}
  }, 240_000)

  it('the broker stopped under a following reader: exit 7 within --timeout, one error line, everything before printed', async () => {
    if (!restarted) throw new Error('needs the broker-restart test above (its cluster and topic)')
    const {cluster, topic, total} = restarted
    await cluster.allUp()
    const reader = background(['consume', topic, '--timeout', '5s'], {KAFKIT_BROKERS: cluster.brokers})
    let printed = 0
    reader.onStdout((chunk) => (printed += chunk.split('\n').length - 1))
    const waitStart = Date.now()
    while (printed < total && Date.now() - waitStart < 60_000) await sleep(200)
    const stoppedAt = Date.now()
    await cluster.stop()
    // A reader that never gives up is ended by the test's own timeout (a hang), not by a speed threshold.
    const result = await reader.done
    const afterStop = Date.now() - stoppedAt
    figures('broker gone under a reader', {printed: result.stdout.split('\n').filter(Boolean).length, exit: result.code ?? 'signal', secondsAfterStop: Math.round(afterStop / 100) / 10})
    expect(result.code, result.stderr).toBe(7)
    expect(result.stdout.split('\n').filter(Boolean).length).toBe(total)
    const {message, hint} = expectCleanError(result)
    expect(message).toMatch(/no fetch succeeded for 5s/)
    expect(hint).toBeDefined()
  }, 120_000)

  it('a following reader survives a broker restart within --timeout and prints what is written after it', async () => {
    if (!restarted) throw new Error('needs the broker-restart test above (its cluster and topic)')
    const {cluster, topic} = restarted
    await cluster.allUp()
    const env = {KAFKIT_BROKERS: cluster.brokers}
    const reader = background(['consume', topic, '--from', 'end', '--timeout', '90s'], env)
    let out = ''
    reader.onStdout((chunk) => (out += chunk))
    await sleep(2000)
    await cluster.stop()
    await cluster.start()
    const produced = await kafkit(['produce', topic, '--timeout', '30s'], {env, input: 'after-the-restart\n'})
    expect(produced.code, produced.stderr).toBe(0)
    const waitStart = Date.now()
    while (!out.includes('after-the-restart') && Date.now() - waitStart < 60_000) await sleep(200)
    reader.kill('SIGINT')
    const result = await reader.done
    figures('reader across a broker restart', {exit: result.code ?? 'signal', printedAfterRestart: out.split('\n').filter(Boolean).length})
    expect(out.split('\n').filter(Boolean)).toEqual(['after-the-restart'])
    expect(result.code, result.stderr).toBe(130)
  }, 180_000)

  it('the first group on a new cluster waits for its coordinator (no NOT_COORDINATOR error)', async ({task}) => {
    // The tests above used no group: __consumer_offsets does not exist yet, and the first group request creates it
    // (kafkajs' admin gives up at once).
    one ??= await isolatedCluster({nodes: 1, port: 9810})
    const cluster = one
    await cluster.allUp()
    const env = {KAFKIT_BROKERS: cluster.brokers}
    const internal = await kafkit(['topics', 'list', '--all', '--json'], {env})
    expect(internal.code, internal.stderr).toBe(0)
    const fresh = !internal.stdout.includes('__consumer_offsets')
    const topic = uniqueName('first-group')
    expect((await kafkit(['topics', 'create', topic, '--partitions', '3'], {env})).code).toBe(0)
    expect((await kafkit(['produce', topic, '--value', 'v'], {env})).code).toBe(0)
    const consumed = await kafkit(['consume', topic, '--group', 'first', '-e', '--timeout', '30s'], {env, timeoutMs: 90_000})
    expect(consumed.code, consumed.stderr).toBe(0)
    expect(consumed.stdout).toBe('v\n')
    // Only a retry finds __consumer_offsets already there (made by its first try).
    if ((task.result?.retryCount ?? 0) === 0) expect(fresh, '__consumer_offsets existed before the first group').toBe(true)
  }, 180_000)
})

const threeStarting = isolatedClusterForFile({nodes: 3, port: 9820})

/** The three nodes all up, and a new topic on them (3 partitions, RF 3, min ISR 2) with its partition 0's leader. */
async function replicatedTopic(prefix: string) {
  const cluster = await threeStarting
  await cluster.allUp()
  const env = {KAFKIT_BROKERS: cluster.brokers}
  const topic = uniqueName(prefix)
  const created = await kafkit(['topics', 'create', topic, '--partitions', '3', '--replication-factor', '3', '--config', 'min.insync.replicas=2'], {env})
  expect(created.code, created.stderr).toBe(0)
  const described = JSON.parse((await kafkit(['topics', 'describe', topic, '--json'], {env})).stdout) as {partitionDetails: {partition: number; leader: number}[]}
  return {cluster, env, topic, leader: described.partitionDetails.find((p) => p.partition === 0)!.leader}
}

describe('faults on a private three-node cluster', () => {
  it('three nodes, the partition leader killed during an acks=all produce (RF 3, min ISR 2): 0 lost; a following reader misses nothing', async () => {
    const {cluster, env, topic, leader} = await replicatedTopic('leader-kill')
    const total = 100_000
    const file = linesFile(`${topic}.txt`, total)
    // A group-less reader follows the topic through the leader change: it must print every record once.
    const reader = background(['consume', topic, '--timeout', '60s'], env)
    let followed = 0
    reader.onStdout((chunk) => (followed += chunk.split('\n').length - 1))
    const produce = background(['produce', topic, '--file', file, '--rate', '30000', '--acks', 'all', '--timeout', '60s', '--json'], env)
    await sleep(1200)
    await cluster.kill(leader)
    const result = await produce.done
    const summary = produceCounts(result)
    const back = await readBack(topic, cluster.brokers)
    for (const waitStart = Date.now(); followed < back.values.length && Date.now() - waitStart < 60_000;) await sleep(200)
    reader.kill('SIGINT')
    const read = await reader.done
    const readValues = read.stdout.split('\n').filter(Boolean)
    figures('reader through the leader kill', {printed: readValues.length, unique: new Set(readValues).size, inTopic: back.values.length, exit: read.code ?? 'signal'})
    expect(read.code, read.stderr).toBe(130)
    expect(new Set(readValues).size).toBe(back.unique.size)
    expect(readValues.length).toBe(back.values.length)
    figures('leader kill', {
      sent: total,
      killedNode: leader,
      exit: result.code ?? 'signal',
      acknowledged: summary.delivered ?? '?',
      failed: summary.failed ?? '?',
      readBack: back.values.length,
      lost: total - back.unique.size,
      duplicated: back.values.length - back.unique.size,
    })
    // Either everything was delivered, or exit 5 with exact counts: every acknowledged record is there.
    expect([0, 5], result.stderr).toContain(result.code)
    if (result.code === 0) expect(back.unique.size).toBe(total)
    else {
      expect((summary.delivered ?? 0) + (summary.failed ?? 0)).toBe(total)
      expect(back.unique.size).toBeGreaterThanOrEqual(summary.delivered ?? 0)
    }
  }, 240_000)

  it('a reader starting while a partition leader is dead (still named in the metadata) waits for the new leader: exit 0, every record', async () => {
    const {cluster, env, topic, leader} = await replicatedTopic('dead-leader-read')
    expect((await kafkit(['produce', topic, '--file', linesFile(`${topic}.txt`, 3000), '--acks', 'all'], {env})).code).toBe(0)
    // The controller moves the dead node's partitions only once its session expires (seconds): meanwhile every
    // request to it is refused, and a reader planning its window must wait rather than stop at exit 4.
    await cluster.kill(leader)
    const read = await kafkit(['consume', topic, '-e', '--timeout', '60s'], {env, timeoutMs: 120_000})
    expect(read.code, read.stderr).toBe(0)
    expect(new Set(read.stdout.split('\n').filter(Boolean)).size).toBe(3000)
  }, 240_000)
})

describe('faults on the shared broker', () => {
  it('a group consumer killed with SIGKILL mid-stream and restarted: every record at least once, few duplicates', async () => {
    const topic = uniqueName('consumer-kill')
    const group = uniqueName('consumer-kill-group')
    expect((await kafkit(['topics', 'create', topic, '--partitions', '3'])).code).toBe(0)
    const total = 30_000
    const produced = await kafkit(['produce', topic, '--file', linesFile(`${topic}.txt`, total)])
    expect(produced.code, produced.stderr).toBe(0)
    // Slow the first consumer down (a pipe nobody reads fast) is not needed: kill it as soon as it has printed some.
    const first = background(['consume', topic, '--group', group, '-e'])
    let seen = 0
    await new Promise<void>((resolve) => {
      first.onStdout((chunk) => {
        seen += chunk.split('\n').length - 1
        if (seen >= 5000) resolve()
      })
      void first.done.then(() => resolve())
    })
    first.kill('SIGKILL')
    const firstResult = await first.done
    const second = await kafkit(['consume', topic, '--group', group, '-e', '--timeout', '30s'], {timeoutMs: 90_000})
    expect(second.code, second.stderr).toBe(0)
    // The killed run's last line may be cut in the middle: only complete lines count as written.
    const firstLines = firstResult.stdout
      .slice(0, firstResult.stdout.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean)
    const all = [...firstLines, ...second.stdout.split('\n')].filter(Boolean)
    const unique = new Set(all)
    figures('consumer SIGKILL', {
      sent: total,
      firstRun: firstLines.length,
      secondRun: second.stdout.split('\n').filter(Boolean).length,
      lost: total - unique.size,
      duplicated: all.length - unique.size,
    })
    expect(unique.size).toBe(total)
    // At most what was written but not yet committed when it died (commits happen every second and at the end).
    expect(all.length - unique.size).toBeLessThanOrEqual(firstLines.length)
  }, 180_000)

  it('8 producers in parallel on one topic: every record present', async () => {
    const topic = uniqueName('parallel')
    expect((await kafkit(['topics', 'create', topic, '--partitions', '4'])).code).toBe(0)
    const per = 10_000
    const runs = await Promise.all(Array.from({length: 8}, (_, i) => kafkit(['produce', topic, '--file', linesFile(`${topic}-${i}.txt`, per, `p${i}`), '--timeout', '60s'], {timeoutMs: 120_000})))
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    const back = await readBack(topic)
    figures('8 parallel producers', {sent: 8 * per, readBack: back.values.length, lost: 8 * per - back.unique.size, duplicated: back.values.length - back.unique.size})
    expect(back.unique.size).toBe(8 * per)
    expect(back.values.length).toBe(8 * per)
  }, 180_000)
})
