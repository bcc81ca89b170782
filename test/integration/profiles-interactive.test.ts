/**
 * Interactive `profiles add` and the protected-profile confirmation, driven in a pseudo-terminal.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import pty from '@homebridge/node-pty-prebuilt-multiarch'
import {describe, expect, it} from 'vitest'

import {BIN, TEST_BROKERS, kafkit, uniqueName} from './helpers.js'

const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B[()][0-9A-B]|\u001B[=>]/g
const DOWN = '\u001B[B'

/** A CLI run in a pseudo-terminal: wait for text, type, and collect the exit code. */
function terminal(args: string[], extraEnv: Record<string, string>) {
  const env: Record<string, string> = {...(process.env as Record<string, string>), NO_COLOR: '1', TERM: 'xterm', KAFKIT_PROFILE: '', ...extraEnv}
  delete env.KAFKIT_BROKERS
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

describe('profiles, interactive', {timeout: 120_000}, () => {
  it('profiles add asks for what is missing, saves, offers the test and runs it', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'kafkit-pty-')), 'config.yaml')
    const t = terminal(['profiles', 'add', 'dev'], {KAFKIT_CONFIG: config})
    try {
      await t.waitFor('Bootstrap brokers')
      t.type(`${TEST_BROKERS}\r`)
      await t.waitFor('Security protocol')
      t.type('\r') // PLAINTEXT
      await t.waitFor('Protect it')
      t.type('y\r')
      await t.waitFor("Test the connection to 'dev' now?")
      t.type('\r') // yes
      await t.waitFor("profile 'dev' works")
      expect(await t.exited).toBe(0)
      expect(t.screen).toMatch(/✓ topics +can list topics/)
    } finally {
      t.kill()
    }
    expect(readFileSync(config, 'utf8')).toMatch(/dev:\n\s+brokers:\n\s+- 127\.0\.0\.1:\d+\n\s+protected: true/)
  })

  it('SASL_SSL: mechanism, username and the secret source are asked; the secret is not stored', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'kafkit-pty-')), 'config.yaml')
    const t = terminal(['profiles', 'add', 'cloud', '--no-test'], {KAFKIT_CONFIG: config})
    try {
      await t.waitFor('Bootstrap brokers')
      t.type('pkc-1.example.cloud:9092\r')
      await t.waitFor('Security protocol')
      t.type(DOWN + DOWN + '\r') // SASL_SSL
      await t.waitFor('CA file')
      t.type('\r') // system CAs
      await t.waitFor('SASL mechanism')
      t.type(DOWN + '\r') // scram-sha-512
      await t.waitFor('Username')
      t.type('ops\r')
      await t.waitFor('Where does the password come from?')
      t.type('\r') // an environment variable
      await t.waitFor('Environment variable name')
      t.type('CLOUD_KAFKA_PASSWORD\r')
      await t.waitFor('Protect it')
      t.type('\r')
      expect(await t.exited).toBe(0)
    } finally {
      t.kill()
    }
    const text = readFileSync(config, 'utf8')
    expect(text).toContain('tls: true')
    expect(text).toContain('mechanism: scram-sha-512')
    expect(text).toContain('passwordEnv: CLOUD_KAFKA_PASSWORD')
  })

  it('a destructive command on a protected profile names it and asks; "no" changes nothing', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'kafkit-pty-')), 'config.yaml')
    const env = {KAFKIT_CONFIG: config}
    expect((await kafkit(['profiles', 'add', 'prodlike', '-b', TEST_BROKERS, '--protected', '--no-test'], {noBrokers: true, env})).code).toBe(0)
    const topic = uniqueName('pty-protected')
    expect((await kafkit(['topics', 'create', topic, '--partitions', '1', '-p', 'prodlike'], {noBrokers: true, env})).code).toBe(0)
    const t = terminal(['topics', 'delete', topic, '-p', 'prodlike'], env)
    try {
      await t.waitFor("protected profile 'prodlike'")
      t.type('n\r')
      expect(await t.exited).toBe(6)
    } finally {
      t.kill()
    }
    const still = await kafkit(['topics', 'delete', topic, '-p', 'prodlike', '--yes'], {noBrokers: true, env})
    expect(still.code, still.stderr).toBe(0)
  })
})
