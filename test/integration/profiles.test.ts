/** profiles list|show|add|use|remove|test and protected profiles, against the shared PLAINTEXT broker. */
import {chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {RunOptions, TEST_BROKERS, expectCleanError, json, kafkit, uniqueName} from './helpers.js'

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-profiles-it-'))
  const config = join(dir, 'config.yaml')
  // Every run: its own config file, no broker override from the helper (profiles decide).
  const run = (args: string[], options: RunOptions = {}) => kafkit(args, {noBrokers: true, ...options, env: {KAFKIT_CONFIG: config, KAFKIT_PROFILE: '', ...options.env}})
  return {dir, config, run}
}

// Generous timeouts: several CLI runs per test on a shared, busy CI machine.
describe('profiles', {timeout: 120_000}, () => {
  it('add, list, show, use, remove: the file is 0600 and holds no secret', async () => {
    const {config, run} = sandbox()
    const add = await run(['profiles', 'add', 'dev', '--brokers', TEST_BROKERS, '--no-test'])
    expect(add.code, add.stderr).toBe(0)
    const add2 = await run([
      'profiles',
      'add',
      'stage',
      '-b',
      'kafka-1.stage:9093',
      '--tls-ca',
      '/etc/ca.pem',
      '--sasl',
      'SCRAM-SHA-512',
      '-u',
      'ops',
      '--password-env',
      'STAGE_PW',
      '--protected',
      '--no-test',
      '--json',
    ])
    expect(add2.code, add2.stderr).toBe(0)
    expect(json<{profile: {security: string}}>(add2).profile.security).toBe('SASL_SSL/SCRAM-SHA-512')
    expect(statSync(config).mode & 0o777).toBe(0o600)
    expect(readFileSync(config, 'utf8')).toContain('passwordEnv: STAGE_PW')

    const dup = await run(['profiles', 'add', 'dev', '--brokers', 'x:1'])
    expect(dup.code).toBe(2)
    expect(expectCleanError(dup).hint).toMatch(/--force/)

    const list = await run(['profiles', 'list', '--json'])
    const listed = json<{current: string; profiles: {name: string; security: string; protected: boolean}[]}>(list)
    expect(listed.current).toBe('local')
    expect(listed.profiles.map((p) => p.name)).toEqual(['local', 'dev', 'stage'])
    expect(listed.profiles[2]).toMatchObject({security: 'SASL_SSL/SCRAM-SHA-512', protected: true})

    const use = await run(['profiles', 'use', 'dev'])
    expect(use.code, use.stderr).toBe(0)
    const show = await run(['profiles', 'show', '--json'])
    expect(json<{name: string; sources: Record<string, string>}>(show)).toMatchObject({name: 'dev', sources: {profile: expect.stringMatching(/^current in /)}})
    const showStage = await run(['profiles', 'show', 'stage'])
    expect(showStage.stdout).toContain('sasl.password\tfrom $STAGE_PW')

    // The current profile is what commands use. Piped: tab-separated, no header.
    const plain = await run(['profiles', 'list'])
    expect(plain.stdout.split('\n')[1]).toBe(`*\tdev\t${TEST_BROKERS}\tPLAINTEXT\tno`)

    const rm = await run(['profiles', 'remove', 'dev'])
    expect(rm.code, rm.stderr).toBe(0)
    expect(json<{current: string}>(await run(['profiles', 'list', '--json'])).current).toBe('local')
    const rmProtected = await run(['profiles', 'remove', 'stage'])
    expect(rmProtected.code).toBe(6)
    expect((await run(['profiles', 'remove', 'stage', '--yes'])).code).toBe(0)
  })

  it('unknown profile: exit 3 with a did-you-mean; a bad file: exit 2 naming file, line and field', async () => {
    const {config, run} = sandbox()
    await run(['profiles', 'add', 'staging', '--brokers', 'x:1', '--no-test'])
    const unknown = await run(['cluster', 'info', '-p', 'stagin'])
    expect(unknown.code).toBe(3)
    expect(expectCleanError(unknown).hint).toMatch(/did you mean 'staging'/)

    writeFileSync(config, 'profiles:\n  staging:\n    brokers: [x:1]\n    sasl:\n      mechanism: plain\n      usernme: u\n', {mode: 0o600})
    const bad = await run(['cluster', 'info', '-p', 'staging'])
    expect(bad.code).toBe(2)
    expect(expectCleanError(bad).message).toBe(
      `${config}:6: profiles.staging.sasl.usernme: unknown field (did you mean 'username'?); known: mechanism, username, password, passwordEnv, passwordCommand, tokenCommand, tokenEndpoint, clientId, clientSecret, clientSecretEnv, clientSecretCommand, scope, extensions, region, awsProfile, roleArn`,
    )

    writeFileSync(config, 'profiles:\n  staging:\n    brokers: [x:1]\n')
    chmodSync(config, 0o644)
    const loose = await run(['profiles', 'list'])
    expect(loose.stderr).toMatch(/readable by others \(mode 0644\); run: chmod 600/)
  })

  it('profiles test: every step passes against the local broker (--json for scripts)', async () => {
    const {run} = sandbox()
    const result = await run(['profiles', 'test', '-b', TEST_BROKERS, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = json<{ok: boolean; steps: {step: string; ok: boolean | null}[]; cluster: {clusterId: string}}>(result)
    expect(report.ok).toBe(true)
    expect(report.steps.map((s) => `${s.step}:${s.ok}`)).toEqual(['resolve:true', 'tcp:true', 'tls:null', 'sasl:null', 'metadata:true', 'cluster:true', 'topics:true'])
    expect(report.cluster.clusterId).toBeTruthy()
    const human = await run(['profiles', 'test', '-b', TEST_BROKERS])
    expect(human.stdout).toMatch(/^✓ resolve/m)
    expect(human.stdout).toMatch(/^✓ topics +can list topics/m)
  })

  it('profiles test: an unknown host fails at the first step with exit 4', async () => {
    const {run} = sandbox()
    const result = await run(['profiles', 'test', '-b', 'no-such-host.invalid:9092', '--timeout', '3s'])
    expect(result.code).toBe(4)
    expect(result.stdout).toMatch(/^✗ resolve/m)
    expect(expectCleanError(result).hint).toMatch(/host names/)
  })

  it('protected profile: destructive commands need --yes and name the profile', async () => {
    const {run} = sandbox()
    await run(['profiles', 'add', 'prod-like', '--brokers', TEST_BROKERS, '--protected', '--no-test'])
    const topic = uniqueName('prof-protected')
    const created = await run(['topics', 'create', topic, '--partitions', '1', '-p', 'prod-like'])
    expect(created.code, created.stderr).toBe(0)
    const refused = await run(['topics', 'delete', topic, '-p', 'prod-like'])
    expect(refused.code).toBe(6)
    // Refused means untouched: the topic is still there.
    expect(json<{name: string}[]>(await run(['topics', 'list', `^${topic}$`, '--json', '-p', 'prod-like'])).map((t) => t.name)).toEqual([topic])
    const deleted = await run(['topics', 'delete', topic, '-p', 'prod-like', '--yes'])
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(deleted.stderr).toContain("protected profile 'prod-like'")
    // And deleted means gone.
    const gone = await run(['topics', 'describe', topic, '-p', 'prod-like'])
    expect(gone.code).toBe(3)
  })

  it('profiles add without a terminal: a missing field is a usage error, never a prompt', async () => {
    const {run} = sandbox()
    const result = await run(['profiles', 'add', 'x'])
    expect(result.code).toBe(2)
    expect(expectCleanError(result).message).toBe('--brokers is required')
    const noPw = await run(['profiles', 'add', 'x', '-b', 'a:1', '--sasl', 'plain', '-u', 'me'])
    expect(noPw.code).toBe(2)
    expect(expectCleanError(noPw).message).toMatch(/--password-env/)
  })
})
