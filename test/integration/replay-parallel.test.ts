/**
 * `replay --parallel 2` against the real broker: every record of a multi-partition topic copied exactly once, in
 * per-partition order (read back by kcat, a second client), and a parallel replay killed half way resumed with
 * no gap and no duplicate.
 */
import {execFile} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {describe, expect, it} from 'vitest'

import {TEST_BROKERS, createTopicWithLeaders, json, kafkit, uniqueName} from './helpers.js'
import {partitionProducer, replayKilledMidway} from './replay-fixtures.js'

const exec = promisify(execFile)
const {admin, send} = partitionProducer('replay-parallel-test')

const PARTITIONS = 4

/** Partition p holds `v-p-0`, `v-p-1`, ... (keys on every other record). */
async function fill(name: string, perPartition: number): Promise<void> {
  const messages = []
  for (let p = 0; p < PARTITIONS; p++) for (let i = 0; i < perPartition; i++) messages.push({partition: p, key: i % 2 ? `k-${i}` : null, value: `v-${p}-${i}`})
  await send(name, messages)
}

/** kcat's view of a topic: the values of each partition, in offset order. */
async function valuesByPartition(name: string): Promise<string[][]> {
  const {stdout} = await exec('kcat', ['-C', '-b', TEST_BROKERS, '-t', name, '-o', 'beginning', '-e', '-q', '-f', '%p %s\n'], {maxBuffer: 64 << 20, timeout: 60_000})
  const out: string[][] = Array.from({length: PARTITIONS}, () => [])
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [p, value] = line.split(' ')
    out[Number(p)].push(value)
  }
  return out
}

const expected = (perPartition: number) => Array.from({length: PARTITIONS}, (_, p) => Array.from({length: perPartition}, (_, i) => `v-${p}-${i}`))

describe('replay --parallel', () => {
  it('copies every record exactly once, in order within each partition (kcat reads the copy)', async () => {
    const src = await createTopicWithLeaders(admin, uniqueName('replay-par-src'), PARTITIONS)
    const dst = await createTopicWithLeaders(admin, uniqueName('replay-par-dst'), PARTITIONS)
    await fill(src, 2000)
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-replay-par-'))
    const result = await kafkit(['replay', src, dst, '--parallel', '2', '--json'], {env: {KAFKIT_STATE_DIR: dir}, timeoutMs: 60_000})
    expect(result.code, result.stderr).toBe(0)
    expect(json<{records: number; complete: boolean}>(result)).toMatchObject({records: 8000, complete: true})
    expect(await valuesByPartition(dst)).toEqual(expected(2000))
  }, 90_000)

  it('a parallel replay killed half way resumes (with another N) with no gap and no duplicate', async () => {
    const src = await createTopicWithLeaders(admin, uniqueName('replay-par-kill-src'), PARTITIONS)
    const dst = await createTopicWithLeaders(admin, uniqueName('replay-par-kill-dst'), PARTITIONS)
    await fill(src, 1000)
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-replay-par-kill-'))
    // Paced (--rate is shared by the workers: ~8 s for the window) so that it is still copying when stopped.
    const {finished, copied} = await replayKilledMidway([src, dst, '--parallel', '2', '--rate', '500'], dir, 800, 45_000)
    expect(finished, 'the replay ended before it was killed').toBe(false)
    expect(copied()).toBeGreaterThan(0)

    const resumed = await kafkit(['replay', src, dst, '--resume', '--parallel', '3', '--json'], {env: {KAFKIT_STATE_DIR: dir}, timeoutMs: 60_000})
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(json<{complete: boolean; totalCopied: number}>(resumed)).toMatchObject({complete: true, totalCopied: 4000})
    expect(await valuesByPartition(dst)).toEqual(expected(1000))
  }, 120_000)
})
