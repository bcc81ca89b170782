/**
 * Interactive `topics create`, driven through the real prompts in a pseudo-terminal (what a person sees).
 */
import pty from '@homebridge/node-pty-prebuilt-multiarch'
import {describe, expect, it} from 'vitest'

import {BIN, TEST_BROKERS, json, kafkit, uniqueName} from './helpers.js'

const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B[()][0-9A-B]|\u001B[=>]/g
const DOWN = '\u001B[B'
const BACKSPACE = '\u007F'

/** A CLI run in a pseudo-terminal: wait for text, type, and collect the exit code. */
function terminal(args: string[]) {
  const env: Record<string, string> = {...(process.env as Record<string, string>), NO_COLOR: '1', KAFKIT_BROKERS: TEST_BROKERS, TERM: 'xterm'}
  delete env.CI // prompts are (rightly) off in CI environments; this test is the person at the terminal
  const child = pty.spawn(process.execPath, [BIN, ...args], {name: 'xterm', cols: 200, rows: 50, env})
  let screen = ''
  let seen = 0
  const waiters: (() => void)[] = []
  child.onData((data) => {
    screen += data.replace(ANSI, '')
    for (const w of waiters.splice(0)) w()
  })
  const exited = new Promise<number>((resolve) => child.onExit(({exitCode}) => resolve(exitCode)))
  return {
    get screen() {
      return screen
    },
    /** Resolves when `text` appears after the last match (so a repeated prompt is not matched twice). */
    async waitFor(text: string | RegExp, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const rest = screen.slice(seen)
        const index = typeof text === 'string' ? rest.indexOf(text) : rest.search(text)
        if (index >= 0) {
          seen += index + 1
          return
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${screen}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 200)
        })
      }
    },
    type(text: string): void {
      child.write(text)
    },
    exited,
    kill: () => child.kill(),
  }
}

describe('topics create, interactive', {timeout: 120_000}, () => {
  it('asks for everything, validates answers, shows the equivalent command, creates the topic', async () => {
    const name = uniqueName('tp-pty')
    const t = terminal(['topics', 'create'])
    try {
      await t.waitFor('Topic name')
      t.type('bad name\r')
      await t.waitFor('contains space')
      t.type(BACKSPACE.repeat(8) + name + '\r')
      await t.waitFor('Partitions')
      t.type('2\r')
      await t.waitFor('Replication factor (1-')
      t.type('99\r')
      await t.waitFor(/at most \d+/)
      t.type(BACKSPACE.repeat(2) + '1\r')
      await t.waitFor('Cleanup policy')
      t.type(DOWN + '\r') // compact
      await t.waitFor('Retention')
      t.type('3d\r')
      await t.waitFor('min.insync.replicas')
      t.type('\r') // the cluster's default: no override
      await t.waitFor('Compression')
      t.type(DOWN + '\r') // zstd
      await t.waitFor('Same without prompts:')
      await t.waitFor(`Create topic '${name}'?`)
      expect(t.screen).toContain(`kafkit topics create ${name} --partitions 2 --replication-factor 1 --config cleanup.policy=compact --config retention.ms=3d --config compression.type=zstd`)
      t.type('y\r')
      expect(await t.exited).toBe(0)
    } finally {
      t.kill()
    }
    const d = json<{partitions: number; replicationFactor: number; configs: {name: string; value: string; source: string}[]}>(await kafkit(['topics', 'describe', name, '--json']))
    expect(d.partitions).toBe(2)
    expect(Object.fromEntries(d.configs.filter((c) => c.source === 'topic').map((c) => [c.name, c.value]))).toEqual({
      'cleanup.policy': 'compact',
      'retention.ms': '259200000',
      'compression.type': 'zstd',
    })
  })

  it('asks only for what is missing, and creates nothing when the answer is no', async () => {
    const name = uniqueName('tp-pty-no')
    const t = terminal(['topics', 'create', name, '--replication-factor', '1', '--config', 'cleanup.policy=delete', '--config', 'retention.ms=1d', '--config', 'min.insync.replicas=1', '--config', 'compression.type=lz4'])
    try {
      await t.waitFor('Partitions')
      t.type('3\r')
      await t.waitFor(`Create topic '${name}'?`)
      expect(t.screen).not.toContain('Cleanup policy')
      expect(t.screen).not.toContain('Replication factor')
      t.type('n\r')
      expect(await t.exited).toBe(6)
    } finally {
      t.kill()
    }
    expect((await kafkit(['topics', 'describe', name])).code).toBe(3)
  })

  it('delete shows what goes and asks on a terminal', async () => {
    const name = uniqueName('tp-pty-del')
    expect((await kafkit(['topics', 'create', name, '--partitions', '1'])).code).toBe(0)
    const t = terminal(['topics', 'delete', name])
    try {
      await t.waitFor(`- ${name}`)
      await t.waitFor('Continue?')
      t.type('y\r')
      expect(await t.exited).toBe(0)
    } finally {
      t.kill()
    }
    expect((await kafkit(['topics', 'describe', name])).code).toBe(3)
  })
})
