/**
 * `kafkit local` beyond start/stop, and Kafka 3.9 (README: tested with 4.4.0 and 3.9.1): one private cluster on
 * port 9870 started with --kafka-version 3.9.1 runs the main commands, each checked by reading back; then
 * `local logs`, `local reset` (the data is gone) and a start from an unpacked distribution with --kafka-home.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {resolveKafka} from '../../src/local/distribution.js'
import {json, kafkit, RunResult} from './helpers.js'

const PORT = 9870
const BROKERS = `127.0.0.1:${PORT}`
const dir = mkdtempSync(join(tmpdir(), 'kafkit-kafka39-'))
const env = {KAFKIT_LOCAL_DIR: dir, KAFKIT_BROKERS: BROKERS, KAFKIT_STATE_DIR: join(dir, 'state')}
const local = (args: string[], timeoutMs = 180_000) => kafkit(['local', ...args], {env, noBrokers: true, timeoutMs})
const run = (args: string[], input?: string) => kafkit(args, {env, input, timeoutMs: 120_000})
const ok = (r: RunResult) => expect(r.code, `${r.stderr}\n${r.stdout.slice(0, 300)}`).toBe(0)

describe('Kafka 3.9.1 on a private cluster; local logs, reset and --kafka-home', {timeout: 900_000}, () => {
  afterAll(async () => {
    await local(['stop'], 120_000)
    rmSync(dir, {recursive: true, force: true})
  }, 180_000)

  it('runs the main commands against Kafka 3.9.1', async () => {
    // The first run fetches Kafka 3.9.1's jars from Maven Central (cached afterwards).
    ok(await local(['start', '--kafka-version', '3.9.1', '--port', String(PORT), '--heap', '384m'], 600_000))
    const status = json<{version: string; running: boolean}>(await local(['status', '--json']))
    expect(status).toMatchObject({version: '3.9.1', running: true})
    const info = await run(['cluster', 'info', '--json'])
    ok(info)
    expect(json<{brokers: unknown[]}>(info).brokers).toHaveLength(1)
    // The exact version from kafkit local's state; the release and metadata.version from the broker's features.
    expect(json(info)).toMatchObject({version: {kafka: '3.9.1', source: 'kafkit local', metadataVersion: '3.9-IV0'}, brokers: [{kafkaVersion: '3.9'}]})

    ok(await run(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=7d']))
    const input = Array.from({length: 1000}, (_, i) => `k${i}\tv${i}`)
    ok(await run(['produce', 'orders', '-K', '\\t', '-z', 'zstd'], input.join('\n') + '\n'))
    const back = await run(['consume', 'orders', '-e', '-f', '%k\\t%v\\n'])
    ok(back)
    expect(back.stdout.split('\n').filter(Boolean).sort()).toEqual([...input].sort())

    const group = await run(['consume', 'orders', '--group', 'g39', '-e'])
    ok(group)
    expect(group.stdout.split('\n').filter(Boolean)).toHaveLength(1000)
    const lag = async () => json<{totalLag: number}>(await run(['groups', 'describe', 'g39', '--json'])).totalLag
    expect(await lag()).toBe(0)
    const offsets = json<{partitions: {latest: number}[]}>(await run(['offsets', 'list', 'orders', '--json']))
    expect(offsets.partitions.reduce((n, p) => n + p.latest, 0)).toBe(1000)
    ok(await run(['offsets', 'reset', 'g39', '--topic', 'orders', '--to-earliest', '--execute']))
    expect(await lag()).toBe(1000)
    ok(await run(['offsets', 'undo', 'g39', '--execute']))
    expect(await lag()).toBe(0)

    // topics apply --prune on a cluster of its own (it deletes every topic the file does not name).
    ok(await run(['topics', 'create', 'stray', '--partitions', '1']))
    const file = join(dir, 'topics.yaml')
    writeFileSync(file, 'topics:\n  - name: orders\n    partitions: 3\n  - name: payments\n    partitions: 2\n')
    const plan = await run(['topics', 'apply', '-f', file, '--prune', '--json'])
    ok(plan)
    expect(json<{counts: {create: number; change: number; delete: number}}>(plan).counts).toEqual({create: 1, change: 1, delete: 1})
    ok(await run(['topics', 'apply', '-f', file, '--prune', '--execute', '--yes']))
    const listed = json<{name: string; partitions: number}[]>(await run(['topics', 'list', '--json']))
    expect(listed.map((t) => `${t.name}:${t.partitions}`).sort()).toEqual(['orders:3', 'payments:2'])
    const described = json<{configs: {name: string; source: string}[]}>(await run(['topics', 'describe', 'orders', '--json']))
    expect(described.configs.filter((c) => c.source === 'topic').map((c) => c.name)).toEqual([]) // retention.ms pruned
    const check = await run(['topics', 'apply', '-f', file, '--prune', '--check'])
    expect(check.code, check.stdout).toBe(0)
  })

  it('local logs prints the node log; local reset wipes the data; --kafka-home starts from an unpacked distribution', async () => {
    const logs = await local(['logs', '-n', '5'])
    ok(logs)
    expect(logs.stdout.trimEnd().split('\n')).toHaveLength(5)
    expect((await local(['logs', '--node', '4'])).code).toBe(3)

    ok(await local(['stop']))
    ok(await local(['reset', '--yes']))
    // The jars fetched for 3.9.1 are an unpacked distribution (libs/): start from it, on empty data.
    const home = (await resolveKafka({version: '3.9.1'})).dir
    ok(await local(['start', '--kafka-home', home, '--port', String(PORT), '--heap', '384m'], 300_000))
    expect(json<{version: string}>(await local(['status', '--json'])).version).toBe('3.9.1')
    expect(json<{name: string}[]>(await run(['topics', 'list', '--json']))).toEqual([])
  })
})
