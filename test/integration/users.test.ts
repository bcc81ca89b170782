/**
 * SCRAM users on a private cluster started with --secure: a user created by `kafkit users create` logs in with
 * kafkit (a SCRAM profile) and with Kafka's own Java client (TopicCommand with a client config); after
 * `users set-password` only the new password works; after `users delete` nobody logs in as it.
 */
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {kafkit} from './helpers.js'
import {type IsolatedCluster, isolatedCluster} from './isolated-cluster.js'
import {runJava} from './kafka-tools.js'
import {requireService} from './required-service.js'

const TOPIC_COMMAND = 'org.apache.kafka.tools.TopicCommand'
const PORT = 9932
const PLAIN = `127.0.0.1:${PORT}`
const SASL = `127.0.0.1:${PORT + 1000}`
const PASSWORD = 'kafkit-test-user-pw-9c2e'
const NEW_PASSWORD = 'kafkit-test-user-pw2-77b0'
const hasJava = spawnSync('java', ['-version']).status === 0
const available = requireService('java (for a private Kafka cluster)', hasJava, 'install a JDK 17+')

let cluster: IsolatedCluster
let config: string
const outputs: string[] = []

async function run(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  const r = await kafkit(args, {noBrokers: true, env: {KAFKIT_CONFIG: config, KAFKIT_PROFILE: '', ...env}, timeoutMs: 120_000, input})
  outputs.push(r.stdout, r.stderr)
  return r
}

/** Kafka's TopicCommand --list as `user` over SASL/SCRAM-SHA-512: exit 0 lists the topics. */
async function javaLogin(user: string, password: string, mechanism = 'SCRAM-SHA-512') {
  const props = join(cluster.dir, `client-${user}-${mechanism}.properties`)
  writeFileSync(
    props,
    `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=${mechanism}\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";\n`,
    {mode: 0o600},
  )
  return runJava(TOPIC_COMMAND, ['--bootstrap-server', SASL, '--command-config', props, '--list'], 120_000)
}

describe.runIf(available)('SCRAM users', () => {
  beforeAll(async () => {
    cluster = await isolatedCluster({nodes: 1, port: PORT, secure: true})
    config = join(cluster.dir, 'config.yaml')
    expect((await run(['topics', 'create', 'visible', '--partitions', '1', '-b', PLAIN])).code).toBe(0)
  }, 300_000)
  afterAll(async () => {
    // The passwords never appear in any output.
    for (const o of outputs) expect(o).not.toContain(PASSWORD)
    for (const o of outputs) expect(o).not.toContain(NEW_PASSWORD)
    await cluster?.destroy()
  }, 120_000)

  it('create: refuses a password on the command line; takes it from a variable or stdin', async () => {
    const none = await run(['users', 'create', 'nopw', '-b', PLAIN])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^error: no password source\nhint: pass --password-env VAR/)
    expect((await run(['users', 'create', 'x', '--password', 'oops', '-b', PLAIN])).code).toBe(2)
    const unset = await run(['users', 'create', 'nopw', '--password-env', 'UNSET_PW_VAR', '-b', PLAIN])
    expect(unset.stderr).toMatch(/environment variable UNSET_PW_VAR is not set/)

    const created = await run(['users', 'create', 'svc', '--mechanism', 'scram-sha-512', '--password-env', 'SVC_PW', '-b', PLAIN, '--json'], {SVC_PW: PASSWORD})
    expect(created.code, created.stderr).toBe(0)
    expect(JSON.parse(created.stdout)).toEqual({user: 'svc', mechanisms: ['SCRAM-SHA-512'], iterations: 8192})
    const viaStdin = await run(
      ['users', 'create', 'piped', '--mechanism', 'scram-sha-256', '--mechanism', 'scram-sha-512', '--password-stdin', '--iterations', '4096', '-b', PLAIN],
      {},
      `${PASSWORD}\n`,
    )
    expect(viaStdin.code, viaStdin.stderr).toBe(0)
    const again = await run(['users', 'create', 'svc', '--password-env', 'SVC_PW', '-b', PLAIN], {SVC_PW: PASSWORD})
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^error: user 'svc' already has SCRAM-SHA-512 credentials\nhint: change the password with 'kafkit users set-password svc'/)

    const list = JSON.parse((await run(['users', 'list', '-b', PLAIN, '--json'])).stdout) as {name: string; credentials: {mechanism: string; iterations: number}[]}[]
    const byName = Object.fromEntries(list.map((u) => [u.name, u.credentials.map((c) => `${c.mechanism}/${c.iterations}`).sort()]))
    expect(byName.svc).toEqual(['SCRAM-SHA-512/8192'])
    expect(byName.piped).toEqual(['SCRAM-SHA-256/4096', 'SCRAM-SHA-512/4096'])
    expect(byName.alice).toBeDefined() // the local cluster's own user
  }, 180_000)

  it("the new user logs in with a kafkit SCRAM profile and with Kafka's Java client", async () => {
    const add = await run(['profiles', 'add', 'svc', '-b', SASL, '--sasl', 'scram-sha-512', '-u', 'svc', '--password-env', 'SVC_PW', '--no-test'])
    expect(add.code, add.stderr).toBe(0)
    const ok = await run(['cluster', 'info', '-p', 'svc', '--json'], {SVC_PW: PASSWORD})
    expect(ok.code, ok.stderr).toBe(0)
    const wrong = await run(['cluster', 'info', '-p', 'svc'], {SVC_PW: 'not-the-password'})
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toMatch(/^error: authentication failed for user 'svc' with SCRAM-SHA-512/)

    const java = await javaLogin('svc', PASSWORD)
    expect(java.code, java.stderr).toBe(0)
    const java256 = await javaLogin('piped', PASSWORD, 'SCRAM-SHA-256')
    expect(java256.code, java256.stderr).toBe(0)
  }, 240_000)

  it('set-password: only the new password works afterwards; delete: the user can no longer log in', async () => {
    const changed = await run(['users', 'set-password', 'svc', '--password-env', 'NEW_PW', '-b', PLAIN], {NEW_PW: NEW_PASSWORD})
    expect(changed.code, changed.stderr).toBe(0)
    expect((await run(['cluster', 'info', '-p', 'svc'], {SVC_PW: PASSWORD})).code).toBe(4)
    expect((await run(['cluster', 'info', '-p', 'svc'], {SVC_PW: NEW_PASSWORD})).code).toBe(0)
    expect((await run(['users', 'set-password', 'ghost', '--password-env', 'NEW_PW', '-b', PLAIN], {NEW_PW: NEW_PASSWORD})).code).toBe(3)

    expect((await run(['users', 'delete', 'svc', '-b', PLAIN])).code).toBe(6) // no terminal, no --yes
    const deleted = await run(['users', 'delete', 'svc', '--yes', '-b', PLAIN, '--json'])
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(JSON.parse(deleted.stdout)).toEqual({user: 'svc', mechanisms: ['SCRAM-SHA-512']})
    expect((await run(['cluster', 'info', '-p', 'svc'], {SVC_PW: NEW_PASSWORD})).code).toBe(4)
    const java = await javaLogin('svc', NEW_PASSWORD)
    expect(java.code).not.toBe(0)
    expect(java.stderr + java.stdout).toMatch(/Authentication failed/i)
    const gone = await run(['users', 'delete', 'svc', '--yes', '-b', PLAIN])
    expect(gone.code).toBe(3)
    expect(gone.stderr).toMatch(/^error: no SCRAM user 'svc'/)
  }, 240_000)
})
