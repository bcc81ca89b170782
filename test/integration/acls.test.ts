/**
 * ACLs on a private cluster started with --secure (StandardAuthorizer): a SCRAM user without ACLs is denied
 * (exit 9, one line naming principal, operation and resource), is granted with `acls grant`, and then works;
 * the local admin identities are super users; `acls apply` plans, checks (exit 8), applies and prunes; Kafka's
 * own AclCommand reads what kafkit creates and kafkit reads what AclCommand creates.
 */
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {RunResult, kafkit} from './helpers.js'
import {type IsolatedCluster, isolatedCluster} from './isolated-cluster.js'
import {runJava} from './kafka-tools.js'
import {requireService} from './required-service.js'

const ACL_COMMAND = 'org.apache.kafka.tools.AclCommand'
const PORT = 9930
const PLAIN = `127.0.0.1:${PORT}`
const SASL = `127.0.0.1:${PORT + 1000}`
const PASSWORD = 'kafkit-test-acl-pw-41d7'
const hasJava = spawnSync('java', ['-version']).status === 0
const available = requireService('java (for a private Kafka cluster)', hasJava, 'install a JDK 17+')

let cluster: IsolatedCluster

/** As the admin (ANONYMOUS on the PLAINTEXT listener: a super user). */
const admin = (args: string[], input?: string) => kafkit([...args, '-b', PLAIN], {noBrokers: true, env: {KAFKIT_CONFIG: join(cluster.dir, 'none.yaml'), KAFKIT_PROFILE: ''}, timeoutMs: 120_000, input})
/** As a SCRAM user on the SASL_PLAINTEXT listener. */
const as = (user: string, args: string[], input?: string, password = PASSWORD) =>
  kafkit([...args, '-b', SASL], {
    noBrokers: true,
    env: {KAFKIT_CONFIG: join(cluster.dir, 'none.yaml'), KAFKIT_PROFILE: '', KAFKIT_SASL_MECHANISM: 'scram-sha-512', KAFKIT_SASL_USERNAME: user, KAFKIT_SASL_PASSWORD: password},
    timeoutMs: 120_000,
    input,
  })

function expectDenied(r: RunResult, line: string): void {
  expect(r.code, r.stderr).toBe(9)
  const lines = r.stderr.trim().split('\n')
  expect(lines[0]).toBe(`error: ${line}`)
  expect(lines[1]).toMatch(/^hint: .*kafkit acls (grant|create)/)
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
}

describe.runIf(available)('acls on an enforcing cluster', () => {
  beforeAll(async () => {
    cluster = await isolatedCluster({nodes: 1, port: PORT, secure: true})
    for (const topic of ['orders', 'payments', 'store-1.sales']) expect((await admin(['topics', 'create', topic, '--partitions', '2'])).code).toBe(0)
    for (const user of ['clerk', 'auditor']) {
      const r = await kafkit(['users', 'create', user, '--mechanism', 'scram-sha-512', '--password-env', 'PW', '-b', PLAIN], {noBrokers: true, env: {PW: PASSWORD}, timeoutMs: 60_000})
      expect(r.code, r.stderr).toBe(0)
    }
  }, 300_000)
  afterAll(async () => cluster?.destroy(), 120_000)

  it('denies a user without ACLs, one line, exit 9; a grant lets it produce and consume', async () => {
    const records = Array.from({length: 2000}, (_, i) => `k${i}\tv${i}`).join('\n') + '\n'
    expectDenied(await as('clerk', ['produce', 'orders', '-K', '\t'], records), "clerk may not WRITE topic 'orders'")

    expect((await admin(['acls', 'grant', 'clerk', '--producer', '--topic', 'orders'])).code).toBe(0)
    const produced = await as('clerk', ['produce', 'orders', '-K', '\t', '--json'], records)
    expect(produced.code, produced.stderr).toBe(0)
    expect(JSON.parse(produced.stdout)).toMatchObject({records: 2000})

    // Producer ACLs do not let it read (DESCRIBE is not READ), nor use a group (the group is checked first).
    expectDenied(await as('clerk', ['consume', 'orders', '--from', 'beginning', '-e']), "clerk may not READ topic 'orders'")
    expectDenied(await as('clerk', ['consume', 'orders', '--from', 'beginning', '-e', '--group', 'clerks']), "clerk may not READ group 'clerks'")
    expect((await admin(['acls', 'grant', 'User:clerk', '--consumer', '--topic', 'orders', '--group', 'other'])).code).toBe(0)
    expectDenied(await as('clerk', ['consume', 'orders', '--from', 'beginning', '-e', '--group', 'clerks']), "clerk may not READ group 'clerks'")
    expect((await admin(['acls', 'grant', 'clerk', '--consumer', '--topic', 'orders', '--group', 'clerks'])).code).toBe(0)
    const consumed = await as('clerk', ['consume', 'orders', '--from', 'beginning', '-e', '--group', 'clerks', '-f', '%v\n'])
    expect(consumed.code, consumed.stderr).toBe(0)
    expect(consumed.stdout.trim().split('\n').sort()).toEqual(Array.from({length: 2000}, (_, i) => `v${i}`).sort())

    // Other topics stay closed; creating one needs CREATE.
    expectDenied(await as('clerk', ['consume', 'payments', '--from', 'beginning', '-e']), "clerk may not READ topic 'payments'")
    expectDenied(await as('clerk', ['topics', 'create', 'clerk-new', '--partitions', '1']), "clerk may not CREATE topic 'clerk-new'")
    // Listing ACLs needs DESCRIBE on the cluster.
    expectDenied(await as('clerk', ['acls', 'list']), 'clerk may not DESCRIBE the cluster')

    const denialJson = await as('auditor', ['produce', 'orders', '--json'], 'x\n')
    expect(denialJson.code).toBe(9)
    expect(JSON.parse(denialJson.stderr)).toMatchObject({error: {code: 'NOT_AUTHORIZED', principal: 'User:auditor', operation: 'WRITE', resourceType: 'topic', resource: 'orders'}})
  }, 300_000)

  it('the local admin identities are super users: alice (SASL) and ANONYMOUS (PLAINTEXT) need no ACLs', async () => {
    const creds = JSON.parse((await import('node:fs')).readFileSync(join(cluster.dir, 'security', 'credentials.json'), 'utf8')) as {username: string; password: string}
    const r = await as(creds.username, ['produce', 'payments'], 'a\nb\n', creds.password)
    expect(r.code, r.stderr).toBe(0)
    const read = await admin(['consume', 'payments', '--from', 'beginning', '-e', '-f', '%v\n'])
    expect(read.stdout.trim().split('\n').sort()).toEqual(['a', 'b'])
  }, 120_000)

  it('list filters by principal, resource and pattern type; delete removes exactly what matched', async () => {
    expect(
      (await admin(['acls', 'create', '--allow-principal', 'User:auditor', '--operation', 'READ', '--operation', 'DESCRIBE', '--topic', 'store-', '--resource-pattern-type', 'prefixed'])).code,
    ).toBe(0)
    const mine = JSON.parse((await admin(['acls', 'list', '--principal', 'auditor', '--json'])).stdout) as {operation: string; resourceName: string; patternType: string}[]
    expect(mine.map((b) => `${b.operation} ${b.resourceName} ${b.patternType}`)).toEqual(['DESCRIBE store- PREFIXED', 'READ store- PREFIXED'])
    const matching = JSON.parse((await admin(['acls', 'list', '--topic', 'store-1.sales', '--resource-pattern-type', 'match', '--json'])).stdout) as {principal: string}[]
    expect(matching.map((b) => b.principal)).toEqual(['User:auditor', 'User:auditor'])
    expect(JSON.parse((await admin(['acls', 'list', '--topic', 'store-1.sales', '--json'])).stdout)).toEqual([])

    expect((await admin(['produce', 'store-1.sales'], 's1\ns2\n')).code).toBe(0)
    const read = await as('auditor', ['consume', 'store-1.sales', '--from', 'beginning', '-e', '-f', '%v\n'])
    expect(read.code, read.stderr).toBe(0)
    expect(read.stdout.trim().split('\n').sort()).toEqual(['s1', 's2'])

    expect((await admin(['acls', 'delete', '--principal', 'auditor', '--operation', 'READ', '--topic', 'store-', '--resource-pattern-type', 'prefixed'])).code).toBe(6) // no --yes, no terminal
    const del = await admin(['acls', 'delete', '--principal', 'auditor', '--operation', 'READ', '--topic', 'store-', '--resource-pattern-type', 'prefixed', '--yes', '--json'])
    expect(del.code, del.stderr).toBe(0)
    expect(JSON.parse(del.stdout)).toHaveLength(1)
    expectDenied(await as('auditor', ['consume', 'store-1.sales', '--from', 'beginning', '-e']), "auditor may not READ topic 'store-1.sales'")
  }, 180_000)

  it("Kafka's AclCommand lists what kafkit created, and kafkit lists what AclCommand created", async () => {
    expect((await admin(['acls', 'create', '--allow-principal', 'User:interop-a', '--operation', 'WRITE', '--topic', 'interop-1'])).code).toBe(0)
    const listed = await runJava(ACL_COMMAND, ['--bootstrap-server', PLAIN, '--list', '--topic', 'interop-1'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(/name=interop-1, patternType=LITERAL/)
    expect(listed.stdout).toMatch(/principal=User:interop-a, host=\*, operation=WRITE, permissionType=ALLOW/)

    const added = await runJava(ACL_COMMAND, [
      '--bootstrap-server',
      PLAIN,
      '--add',
      '--deny-principal',
      'User:interop-b',
      '--operation',
      'Read',
      '--group',
      'interop-',
      '--resource-pattern-type',
      'prefixed',
      '--force',
    ])
    expect(added.code, added.stderr).toBe(0)
    const ours = JSON.parse((await admin(['acls', 'list', '--principal', 'User:interop-b', '--json'])).stdout)
    expect(ours).toEqual([{principal: 'User:interop-b', host: '*', operation: 'READ', permission: 'DENY', resourceType: 'GROUP', resourceName: 'interop-', patternType: 'PREFIXED'}])
  }, 240_000)

  it("apply: a plan, --check exit 8, --execute, then --check exit 0; --prune removes the file principals' other ACLs", async () => {
    const file = join(cluster.dir, 'acls.yaml')
    writeFileSync(
      file,
      `acls:\n  - principal: User:applied\n    operations: [READ, DESCRIBE]\n    topic: orders\n  - principal: applied\n    operations: [read]\n    group: applied-\n    patternType: prefixed\n`,
    )
    expect((await admin(['acls', 'create', '--allow-principal', 'User:applied', '--operation', 'WRITE', '--topic', 'payments'])).code).toBe(0)
    const plan = await admin(['acls', 'apply', '-f', file])
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stdout).toContain("+ ALLOW User:applied READ topic 'orders'")
    expect(plan.stdout).toContain('3 to create, 0 to delete, 0 unchanged')
    const check = await admin(['acls', 'apply', '-f', file, '--check'])
    expect(check.code).toBe(8)
    expect(check.stderr).toMatch(/^error: the ACLs differ from .*acls.yaml: 3 to create, 0 to delete/)
    expect((await admin(['acls', 'apply', '-f', file, '--execute'])).code).toBe(0)
    expect((await admin(['acls', 'apply', '-f', file, '--check'])).code).toBe(0)
    // WRITE on payments is not in the file: only --prune reports and removes it.
    expect((await admin(['acls', 'apply', '-f', file, '--check', '--prune'])).code).toBe(8)
    const pruned = await admin(['acls', 'apply', '-f', file, '--prune', '--execute', '--yes', '--json'])
    expect(pruned.code, pruned.stderr).toBe(0)
    expect(JSON.parse(pruned.stdout)).toMatchObject({executed: true, delete: [{operation: 'WRITE', resourceName: 'payments'}]})
    expect((await admin(['acls', 'apply', '-f', file, '--check', '--prune'])).code).toBe(0)
    // Other principals are untouched by --prune.
    expect(JSON.parse((await admin(['acls', 'list', '--principal', 'interop-a', '--json'])).stdout)).toHaveLength(1)
    const bad = await admin(['acls', 'apply', '-f', '-'], 'acls:\n  - principal: x\n    operations: [READ]\n    topik: t\n')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^error: stdin: acls\[0\].topik: unknown field/)
  }, 240_000)
})
