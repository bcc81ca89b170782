/**
 * Interactive `topics create`, driven through the real prompts in a pseudo-terminal (what a person sees).
 */
import {describe, expect, it} from 'vitest'

import {TEST_BROKERS, json, kafkit, uniqueName} from './helpers.js'
import {BACKSPACE, DOWN, terminal as terminalWith} from './terminal.js'

const terminal = (args: string[]) => terminalWith(args, {KAFKIT_BROKERS: TEST_BROKERS})

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
      t.type(DOWN + '\r') // compact: records are kept per key, so no retention question
      await t.waitFor('min.insync.replicas')
      expect(t.screen).not.toContain('Retention')
      t.type('\r') // the cluster's default: no override
      await t.waitFor('Compression')
      t.type(DOWN + '\r') // zstd
      await t.waitFor('Same without prompts:')
      await t.waitFor(`Create topic '${name}'?`)
      expect(t.screen).toContain(`kafkit topics create ${name} --partitions 2 --replication-factor 1 --config cleanup.policy=compact --config compression.type=zstd`)
      t.type('y\r')
      expect(await t.exited).toBe(0)
    } finally {
      t.kill()
    }
    const d = json<{partitions: number; replicationFactor: number; configs: {name: string; value: string; source: string}[]}>(await kafkit(['topics', 'describe', name, '--json']))
    expect(d.partitions).toBe(2)
    expect(Object.fromEntries(d.configs.filter((c) => c.source === 'topic').map((c) => [c.name, c.value]))).toEqual({
      'cleanup.policy': 'compact',
      'compression.type': 'zstd',
    })
  })

  it('asks only for what is missing, and creates nothing when the answer is no', async () => {
    const name = uniqueName('tp-pty-no')
    const t = terminal([
      'topics',
      'create',
      name,
      '--replication-factor',
      '1',
      '--config',
      'cleanup.policy=delete',
      '--config',
      'retention.ms=1d',
      '--config',
      'min.insync.replicas=1',
      '--config',
      'compression.type=lz4',
    ])
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
