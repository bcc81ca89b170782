/**
 * Interactive `profiles add` and the protected-profile confirmation, driven in a pseudo-terminal.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {TEST_BROKERS, kafkit, uniqueName} from './helpers.js'
import {DOWN, terminal as terminalWith} from './terminal.js'

const terminal = (args: string[], env: Record<string, string>) => terminalWith(args, {KAFKIT_PROFILE: '', KAFKIT_BROKERS: undefined, ...env})

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
