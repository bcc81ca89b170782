/**
 * `consume` with injected IOStreams (fake stdout/stderr): its flag paths and what it renders, in-process. The
 * reads use the real broker.
 */
import {Readable} from 'node:stream'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {injectIOStreams} from '../../src/base-command.js'
import Consume from '../../src/commands/consume.js'
import Produce from '../../src/commands/produce.js'
import TopicsCreate from '../../src/commands/topics/create.js'
import TopicsDelete from '../../src/commands/topics/delete.js'
import {runInProcess} from './in-process.js'

const brokers = process.env.KAFKIT_TEST_BROKERS ?? '127.0.0.1:9092'
const topic = `arch-consume-${Date.now().toString(36)}`

const run = runInProcess

afterEach(() => injectIOStreams())

describe('consume flag paths on fake streams (no connection made)', () => {
  const cases: [string[], string][] = [
    [['t', '--to', 'stored', '-b', '127.0.0.1:1'], "error: --to: 'stored' cannot end a window\nhint: end with an offset, a time or end: --to 500, --to @-1h, --to end\n"],
    [['t', '--from', 'stored', '-b', '127.0.0.1:1'], 'error: --from stored needs --group\nhint: e.g. kafkit consume orders --group billing --from stored\n'],
    [
      ['t', '--partitions', '0', '--group', 'g', '-b', '127.0.0.1:1'],
      'error: --partitions cannot be used with --group (the group assigns partitions)\nhint: drop --partitions, or read without --group\n',
    ],
  ]
  for (const [argv, stderr] of cases) {
    it(`${argv.slice(1, -2).join(' ')}: exit 2, one error and its hint on stderr`, async () => {
      const r = await run(Consume, argv)
      expect(r).toEqual({exit: 2, stdout: '', stderr})
    })
  }
})

describe('consume rendering on fake streams (real broker)', () => {
  const values = Array.from({length: 1200}, (_, i) => `{"n":${i}}`)
  beforeAll(async () => {
    expect((await run(TopicsCreate, [topic, '--partitions', '2', '-b', brokers])).exit).toBe(0)
    const produced = await run(Produce, [topic, '-b', brokers, '-K', '\\t'], {stdin: Readable.from([values.map((v, i) => `k${i % 7}\t${v}`).join('\n') + '\n'])})
    expect(produced.exit).toBe(0)
  })
  afterAll(async () => {
    await run(TopicsDelete, [topic, '--yes', '-b', brokers])
  })

  it('a pipe gets the values only; no summary on a non-terminal stderr', async () => {
    const r = await run(Consume, [topic, '-e', '-b', brokers])
    expect(r.exit).toBe(0)
    expect(r.stdout.trimEnd().split('\n').sort()).toEqual([...values].sort())
    expect(r.stderr).toBe('')
  })

  it('a terminal stderr gets the one-line summary', async () => {
    const r = await run(Consume, [topic, '-e', '-b', brokers, '--no-color'], {stderrTTY: true})
    expect(r.exit).toBe(0)
    expect(r.stderr).toMatch(/^1,200 records from 2 partitions in \S+\n$/)
  })

  it('--json writes JSON Lines envelopes on stdout', async () => {
    const r = await run(Consume, [topic, '-e', '-c', '5', '--partitions', '0', '--json', '-b', brokers])
    expect(r.exit).toBe(0)
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as {topic: string; partition: number; key: string; value: string})
    expect(lines).toHaveLength(5)
    for (const line of lines) expect(line).toMatchObject({topic, partition: 0})
  })

  it('a template renders every placeholder it names', async () => {
    const r = await run(Consume, [topic, '-e', '-c', '3', '--partitions', '1', '-f', '%t|%p|%k|%v\\n', '-b', brokers])
    expect(r.exit).toBe(0)
    for (const line of r.stdout.trimEnd().split('\n')) expect(line).toMatch(new RegExp(`^${topic}\\|1\\|k\\d\\|\\{"n":\\d+\\}$`))
  })
})
