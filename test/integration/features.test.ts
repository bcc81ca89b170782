/**
 * Features that had no test (issue: tests that can fail): topics create/alter --dry-run, the producer's tuning
 * flags, --no-color on a terminal, replay --repartition and --restart. Each is checked by what the cluster holds
 * afterwards, not by the command's own summary.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import pty from '@homebridge/node-pty-prebuilt-multiarch'
import {describe, expect, it} from 'vitest'

import {BIN, json, kafkit, uniqueName} from './helpers.js'
import {runJava} from './kafka-tools.js'

interface Described {
  partitions: number
  configs: {name: string; value: string; source: string}[]
}
const describeTopic = async (name: string) => {
  const r = await kafkit(['topics', 'describe', name, '--json'])
  return {code: r.code, topic: r.code === 0 ? json<Described>(r) : undefined}
}
const override = (d: Described | undefined, key: string) => d?.configs.find((c) => c.name === key && c.source === 'topic')?.value

/** The record batches of a topic's partitions on the local test broker, as Kafka's DumpLogSegments lists them. */
async function batches(topic: string, partitions: number): Promise<{count: number; producerId: number; size: number}[]> {
  const status = json<{dataDir: string; nodes: {id: number}[]}>(await kafkit(['local', 'status', '--json'], {noBrokers: true}))
  const files = Array.from({length: partitions}, (_, p) => join(status.dataDir, `node-${status.nodes[0].id}`, 'data', `${topic}-${p}`, '00000000000000000000.log'))
  const dump = await runJava('org.apache.kafka.tools.DumpLogSegments', ['--files', files.join(',')])
  expect(dump.code, dump.stderr).toBe(0)
  return [...dump.stdout.matchAll(/count: (\d+).*producerId: (-?\d+).*size: (\d+)/g)].map((m) => ({count: Number(m[1]), producerId: Number(m[2]), size: Number(m[3])}))
}

describe('features', {timeout: 180_000}, () => {
  it('topics create --dry-run validates with the broker and creates nothing; a bad one is refused', async () => {
    const name = uniqueName('ft-dry')
    const dry = await kafkit(['topics', 'create', name, '--partitions', '3', '--config', 'retention.ms=1d', '--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stderr).toMatch(/nothing was created/)
    expect((await describeTopic(name)).code).toBe(3)
    const bad = await kafkit(['topics', 'create', name, '--partitions', '1', '--config', 'min.insync.replicas=0', '--dry-run'])
    expect(bad.code).toBe(2)
    expect((await describeTopic(name)).code).toBe(3)
  })

  it('topics alter --dry-run reports the change and changes nothing', async () => {
    const name = uniqueName('ft-alter-dry')
    expect((await kafkit(['topics', 'create', name, '--partitions', '1', '--config', 'retention.ms=2d'])).code).toBe(0)
    const dry = await kafkit(['topics', 'alter', name, '--set', 'retention.ms=1d', '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(json<{dryRun: boolean; changes: {name: string; after: string}[]}>(dry)).toMatchObject({dryRun: true, changes: [{name: 'retention.ms', after: '86400000'}]})
    expect(override((await describeTopic(name)).topic, 'retention.ms')).toBe('172800000')
  })

  it('--linger, --batch-size, --max-in-flight, --no-idempotent: every record once, in small batches without a producer id', async () => {
    const name = uniqueName('ft-tuning')
    expect((await kafkit(['topics', 'create', name, '--partitions', '3'])).code).toBe(0)
    const input = Array.from({length: 3000}, (_, i) => `k${i % 50}\tvalue-${i}-${'x'.repeat(40)}`)
    const tuned = await kafkit(['produce', name, '-K', '\\t', '--linger', '20ms', '--batch-size', '2KiB', '--max-in-flight', '4', '--no-idempotent', '--json'], {input: input.join('\n') + '\n'})
    expect(tuned.code, tuned.stderr).toBe(0)
    const back = await kafkit(['consume', name, '-e', '-f', '%k\\t%v\\n'])
    expect(back.stdout.split('\n').filter(Boolean).sort()).toEqual([...input].sort())
    const list = await batches(name, 3)
    expect(list.reduce((n, b) => n + b.count, 0)).toBe(3000)
    // --batch-size 2KiB: ~170 KB of records cannot travel in fewer than ~80 batches (one batch may exceed it by a record).
    expect(list.length).toBeGreaterThanOrEqual(80)
    expect(Math.max(...list.map((b) => b.size))).toBeLessThanOrEqual(2048 + 200)
    // --no-idempotent: no producer id on the batches (the default, idempotent, has one).
    expect(new Set(list.map((b) => b.producerId))).toEqual(new Set([-1]))
    const idem = uniqueName('ft-idem')
    expect((await kafkit(['topics', 'create', idem, '--partitions', '1'])).code).toBe(0)
    expect((await kafkit(['produce', idem], {input: 'a\nb\n'})).code).toBe(0)
    expect((await batches(idem, 1)).every((b) => b.producerId >= 0)).toBe(true)
  })

  it('--no-color: no escape sequences on a terminal (without it, the error line is coloured)', async () => {
    const onTty = async (args: string[]): Promise<string> => {
      const env = Object.fromEntries(
        Object.entries({...process.env, TERM: 'xterm-256color', FORCE_COLOR: undefined, NO_COLOR: undefined, CI: undefined}).filter((e): e is [string, string] => e[1] !== undefined),
      )
      const child = pty.spawn(process.execPath, [BIN, ...args], {name: 'xterm-256color', cols: 200, rows: 50, env})
      let out = ''
      child.onData((d) => (out += d))
      await new Promise<void>((resolve) => child.onExit(() => resolve()))
      return out
    }
    const args = ['topics', 'describe', uniqueName('ft-nope'), '-b', '127.0.0.1:9092']
    const [coloured, plain] = await Promise.all([onTty(args), onTty([...args, '--no-color'])])
    expect(coloured).toMatch(/error:/)
    expect(coloured).toMatch(/\u001B\[\d+(;\d+)*m/)
    expect(plain).toMatch(/error:/)
    expect(plain).not.toMatch(/\u001B\[[\d;]*m/)
  })

  it('replay --repartition spreads by key on an equal partition count; --restart copies a finished window again', async () => {
    const src = uniqueName('ft-rp-src')
    const dst = uniqueName('ft-rp-dst')
    expect((await kafkit(['topics', 'create', src, '--partitions', '3'])).code).toBe(0)
    expect((await kafkit(['topics', 'create', dst, '--partitions', '3'])).code).toBe(0)
    // Every record into partition 0 of the source: kept partitions would leave 1 and 2 empty.
    const input = Array.from({length: 60}, (_, i) => JSON.stringify({key: `key-${i}`, value: `v${i}`, partition: 0})).join('\n')
    expect((await kafkit(['produce', src, '--format', 'json', '--keep-partition'], {input})).code).toBe(0)
    const env = {KAFKIT_STATE_DIR: mkdtempSync(join(tmpdir(), 'kafkit-ft-replay-'))}
    const first = await kafkit(['replay', src, dst, '--repartition', '--json'], {env})
    expect(first.code, first.stderr).toBe(0)
    expect(json<{mode: string; records: number}>(first)).toMatchObject({mode: 'repartition', records: 60})
    // Each key where the Java producer puts it: the same as a keyed produce into a 3-partition topic.
    const keyed = uniqueName('ft-rp-keyed')
    expect((await kafkit(['topics', 'create', keyed, '--partitions', '3'])).code).toBe(0)
    expect((await kafkit(['produce', keyed, '-K', '\\t'], {input: Array.from({length: 60}, (_, i) => `key-${i}\tv${i}`).join('\n')})).code).toBe(0)
    const placement = async (t: string) => (await kafkit(['consume', t, '-e', '-f', '%k %p\\n'])).stdout.split('\n').filter(Boolean).sort()
    const [copied, expected] = await Promise.all([placement(dst), placement(keyed)])
    expect(copied).toEqual(expected)
    expect(new Set(copied.map((l) => l.split(' ')[1])).size).toBeGreaterThan(1)

    const again = await kafkit(['replay', src, dst, '--repartition', '--restart', '--json'], {env})
    expect(again.code, again.stderr).toBe(0)
    expect(json<{records: number}>(again).records).toBe(60)
    expect((await placement(dst)).length).toBe(120)
  })
})
