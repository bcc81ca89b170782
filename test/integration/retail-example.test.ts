/**
 * The retail walkthrough (examples/retail-inventory), end to end: run.sh runs every step of its README against
 * the test broker and a private PostgreSQL, then the stock levels in PostgreSQL must equal the generator's
 * expected totals. Topic and group names get a unique prefix, PostgreSQL its own data directory and port.
 * Section 10 moves the same inventory into PostgreSQL through Kafka Connect (Debezium's JDBC sink, created with
 * `kafkit connect apply`, reading the Avro records with Apicurio's converter) on the worker that .ci/run starts
 * (run.sh starts one when the plugins are missing), and the view over its rows must give the same totals.
 * About 30 kafkit invocations in a row, ~45 s of CPU in all; it took 3.5-4 minutes of wall time on a 2-core
 * machine at load average 25 (2026-11-25); with the registry steps (Avro, schemas check) over 5 minutes at load average 22
 * (2026-12-06), hence the generous bound.
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {kafkit, ROOT, TEST_BROKERS, uniqueName} from './helpers.js'
import {requireService} from './required-service.js'
import {type IsolatedCluster, isolatedCluster} from './isolated-cluster.js'

const EXAMPLE = join(ROOT, 'examples', 'retail-inventory')

/** PostgreSQL's server binaries are here, or db.sh can install them (root with apt-get). */
function postgresAvailable(): boolean {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb && command -v pg_ctl'], {encoding: 'utf8'}).status === 0
  const debian = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))
  const canInstall = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], {encoding: 'utf8'}).status === 0
  return onPath || debian || canInstall
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{code: number | null; output: string; ms: number}> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: EXAMPLE, env, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, output, ms: Date.now() - started})
    })
  })
}

// Without PostgreSQL (and no way to install it) a developer's `npm test` skips this file; CI installs it in .ci/run.
const canRun = requireService('PostgreSQL (initdb, pg_ctl)', postgresAvailable(), "install Debian's postgresql package (.ci/run does)")

describe.runIf(canRun)('retail walkthrough (examples/retail-inventory)', () => {
  const prefix = `${uniqueName('retail')}-`
  const state = mkdtempSync(join(tmpdir(), 'kafkit-retail-test-'))
  let env: NodeJS.ProcessEnv

  afterAll(async () => {
    // The connector first: it writes to the PostgreSQL that stops next.
    if (env) await kafkit(['connect', 'delete', `${prefix}stock-db-jdbc`, '--yes'], {env: {KAFKIT_CONNECT_URL: env.KAFKIT_CONNECT_URL}})
    if (env) spawnSync('bash', [join(EXAMPLE, 'db.sh'), 'stop'], {env, stdio: 'ignore', timeout: 30_000})
    rmSync(state, {recursive: true, force: true})
    await kafkit(['groups', 'delete', `${prefix}stock-db`, '--yes'])
    await kafkit(['groups', 'delete', `connect-${prefix}stock-db-jdbc`, '--yes'])
    await kafkit(['topics', 'delete', '--regex', `^${prefix}`, '--yes'])
  }, 60_000)

  it("ends with PostgreSQL stock levels equal to the generator's expected totals", async () => {
    env = {
      ...process.env,
      NO_COLOR: '1',
      KAFKIT_BROKERS: TEST_BROKERS,
      RETAIL_PREFIX: prefix,
      RETAIL_STATE_DIR: state,
      RETAIL_PG_PORT: String(await freePort()),
      RETAIL_PRODUCTS: '6',
      RETAIL_EVENTS: '300',
      RETAIL_STOP_DB: '0',
      RETAIL_TIMING: '1', // each command's duration, in the output shown on failure
      ...(process.env.KAFKIT_TEST_CONNECT_URL ? {KAFKIT_CONNECT_URL: process.env.KAFKIT_TEST_CONNECT_URL} : {}),
      // Inventory updates and sales are Avro in the test registry (kafkit local start --schema-registry).
      KAFKIT_SCHEMA_REGISTRY_URL: process.env.KAFKIT_TEST_SCHEMA_REGISTRY ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    }
    delete env.RETAIL_DATABASE_URL
    delete env.RETAIL_CONNECT
    const result = await run('bash', [join(EXAMPLE, 'run.sh')], env, 540_000)
    const tail = result.output.slice(-4000)
    expect(result.code, `run.sh failed after ${result.ms} ms:\n${tail}`).toBe(0)

    const expected = JSON.parse(readFileSync(join(state, 'day', 'expected.json'), 'utf8'))
    // The story happened: the v1 sink got the totals wrong, the fixed one after the rewind got them right.
    expect(result.output).toMatch(/\d+ of \d+ stock levels differ from the expected totals/)
    expect(result.output).toContain('every one as the v1 sink computes it')
    expect(result.output).toMatch(/sink: \d+ records: 0 applied, [1-9]\d* corrected/)
    expect(result.output).toContain('stock levels match the expected totals')
    // The Avro records were decoded through the registry, and the breaking schema change was refused (exit 8).
    expect(result.output).toMatch(/schema=\d+ \{"id":"/)
    expect(result.output).toContain('(exit 8)')

    // Read PostgreSQL directly rather than trusting check.mjs.
    const psql = spawnSync('bash', [join(EXAMPLE, 'db.sh'), 'psql', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', 'SELECT store, product, qty FROM stock_levels ORDER BY 1, 2'], {
      env,
      encoding: 'utf8',
    })
    expect(psql.status, psql.stderr).toBe(0)
    const actual: Record<string, Record<string, number>> = {}
    for (const line of psql.stdout.trim().split('\n')) {
      const [store, product, qty] = line.split('\t')
      ;(actual[store] ??= {})[product] = Number(qty)
    }
    expect(actual).toEqual(expected.stock)

    const applied = spawnSync('bash', [join(EXAMPLE, 'db.sh'), 'psql', '-At', '-c', 'SELECT count(*) FROM applied_records'], {env, encoding: 'utf8'})
    expect(Number(applied.stdout.trim())).toBe(expected.inventoryRecords)

    // Kafka Connect's way: the JDBC sink wrote every inventory record once, and the view over them has the same totals.
    expect(result.output).toContain('stock levels in stock_levels_connect match the expected totals')
    const connected = spawnSync('bash', [join(EXAMPLE, 'db.sh'), 'psql', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', 'SELECT store, product, qty FROM stock_levels_connect ORDER BY 1, 2'], {
      env,
      encoding: 'utf8',
    })
    expect(connected.status, connected.stderr).toBe(0)
    const viaConnect: Record<string, Record<string, number>> = {}
    for (const line of connected.stdout.trim().split('\n')) {
      const [store, product, qty] = line.split('\t')
      ;(viaConnect[store] ??= {})[product] = Number(qty)
    }
    expect(viaConnect).toEqual(expected.stock)
    const rows = spawnSync('bash', [join(EXAMPLE, 'db.sh'), 'psql', '-At', '-c', 'SELECT count(*), count(DISTINCT (__connect_topic, __connect_partition, __connect_offset)) FROM inventory_events'], {
      env,
      encoding: 'utf8',
    })
    expect(rows.stdout.trim()).toBe(`${expected.inventoryRecords}|${expected.inventoryRecords}`)
    // The records are Avro: the converter turned each into the schema's fields, one column each, equal to what the
    // generator wrote (the timestamp as epoch milliseconds, absent optional fields as NULL).
    const fields = ['id', 'store', 'product', 'type', 'qty', 'at', 'supplier', 'till', 'reason', 'to', 'from', 'transfer']
    const generated = new Map<string, string>()
    for (const file of readdirSync(join(state, 'day')).filter((f) => /inventory_store\d+\.jsonl$/.test(f))) {
      for (const line of readFileSync(join(state, 'day', file), 'utf8')
        .trim()
        .split('\n')) {
        const {value} = JSON.parse(line) as {value: Record<string, number | string | undefined>}
        generated.set(String(value.id), fields.map((f) => (f === 'at' ? String(Date.parse(String(value.at))) : String(value[f] ?? '\\N'))).join('|'))
      }
    }
    const columns = spawnSync(
      'bash',
      [
        join(EXAMPLE, 'db.sh'),
        'psql',
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `SELECT id, store, product, type, qty, (extract(epoch FROM at) * 1000)::bigint, coalesce(supplier, '\\N'), coalesce(till, '\\N'), coalesce(reason, '\\N'), coalesce("to", '\\N'), coalesce("from", '\\N'), coalesce(transfer, '\\N') FROM inventory_events`,
      ],
      {env, encoding: 'utf8'},
    )
    expect(columns.status, columns.stderr).toBe(0)
    const written = new Map(
      columns.stdout
        .trim()
        .split('\n')
        .map((line) => [line.split('|')[0], line] as const),
    )
    expect(written.size).toBe(expected.inventoryRecords)
    expect(written).toEqual(generated)
    const connector = await kafkit(['connect', 'describe', `${prefix}stock-db-jdbc`, '--json'], {env: {KAFKIT_CONNECT_URL: env.KAFKIT_CONNECT_URL}})
    expect(JSON.parse(connector.stdout)).toMatchObject({state: 'RUNNING', class: 'io.debezium.connector.jdbc.JdbcSinkConnector', failed: false})

    // The compacted topic got one record per (store, product); the replay copied the last hour of sales.
    const levels = await kafkit(['consume', `${prefix}stock-levels`, '--exit', '--format', '%k\n'])
    expect(levels.code, levels.stderr).toBe(0)
    const pairs = Object.values(expected.stock as Record<string, Record<string, number>>).reduce((n, p) => n + Object.keys(p).length, 0)
    expect(new Set(levels.stdout.trim().split('\n')).size).toBe(pairs)
    const replayed = await kafkit(['consume', `${prefix}sales-debug`, '--exit', '--format', '%o\n'])
    expect(replayed.stdout.trim().split('\n').filter(Boolean).length).toBe(expected.salesLastHour)
  }, 570_000)
})

// Section 10 of the walkthrough: each store's service gets its own principal. The shared test broker does not
// enforce ACLs, so this part runs on a private cluster started with --secure (port 9934, SASL at 10934).
const STORE_PORT = 9934
const storeJava = spawnSync('java', ['-version']).status === 0
const storeCluster = requireService('java (for a private Kafka cluster)', storeJava, 'install a JDK 17+')

describe.runIf(storeCluster)("retail walkthrough: each store's own principal", () => {
  let cluster: IsolatedCluster
  const admin = `127.0.0.1:${STORE_PORT}`
  const sasl = `127.0.0.1:${STORE_PORT + 1000}`
  const passwords: Record<string, string> = {STORE1_PW: 'kafkit-test-store1-pw-0a1', STORE2_PW: 'kafkit-test-store2-pw-0b2', STORE3_PW: 'kafkit-test-store3-pw-0c3'}
  const run = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
    kafkit(args, {noBrokers: true, input, timeoutMs: 120_000, env: {KAFKIT_CONFIG: join(cluster.dir, 'config.yaml'), KAFKIT_PROFILE: '', ...passwords, ...env}})

  beforeAll(async () => {
    cluster = await isolatedCluster({nodes: 1, port: STORE_PORT, secure: true})
  }, 300_000)
  afterAll(async () => cluster?.destroy(), 120_000)

  it("store1 reads and writes its own topic and is refused store2's (exit 9, one line)", async () => {
    const topics = await run(['topics', 'apply', '-f', join(EXAMPLE, 'topics.yaml'), '--execute', '--yes', '-b', admin])
    expect(topics.code, topics.stderr).toBe(0)
    for (const n of [1, 2, 3]) {
      const created = await run(['users', 'create', `store${n}`, '--mechanism', 'scram-sha-512', '--password-env', `STORE${n}_PW`, '-b', admin])
      expect(created.code, created.stderr).toBe(0)
    }
    const plan = await run(['acls', 'apply', '-f', join(EXAMPLE, 'acls.yaml'), '-b', admin])
    expect(plan.stdout).toContain('12 to create, 0 to delete, 0 unchanged')
    expect((await run(['acls', 'apply', '-f', join(EXAMPLE, 'acls.yaml'), '--check', '-b', admin])).code).toBe(8)
    expect((await run(['acls', 'apply', '-f', join(EXAMPLE, 'acls.yaml'), '--execute', '-b', admin])).code).toBe(0)
    expect((await run(['acls', 'apply', '-f', join(EXAMPLE, 'acls.yaml'), '--check', '-b', admin])).code).toBe(0)

    const profile = await run(['profiles', 'add', 'store1', '--brokers', sasl, '--sasl', 'scram-sha-512', '--username', 'store1', '--password-env', 'STORE1_PW', '--no-test'])
    expect(profile.code, profile.stderr).toBe(0)
    const deliveries = Array.from({length: 500}, (_, i) => `p${i % 50}\t{"type":"delivery","qty":${i + 1}}`).join('\n') + '\n'
    const produced = await run(['produce', 'inventory_store1', '-p', 'store1', '-K', '\t'], {}, deliveries)
    expect(produced.code, produced.stderr).toBe(0)
    const consumed = await run(['consume', 'inventory_store1', '-p', 'store1', '--group', 'store1-stock', '--from', 'beginning', '-e', '-f', '%k\n'])
    expect(consumed.code, consumed.stderr).toBe(0)
    expect(consumed.stdout.trim().split('\n')).toHaveLength(500)

    const denied = await run(['produce', 'inventory_store2', '-p', 'store1', '--value', '{"qty": 1}'])
    expect(denied.code).toBe(9)
    expect(denied.stderr.split('\n')[0]).toBe("error: store1 may not WRITE topic 'inventory_store2'")
    expect(denied.stderr.split('\n')[1]).toContain('kafkit acls grant store1 --producer --topic inventory_store2')
    const read2 = await run(['consume', 'inventory_store2', '-p', 'store1', '--group', 'store1-spy', '--from', 'beginning', '-e'])
    expect(read2.code).toBe(9)
    expect(read2.stderr.split('\n')[0]).toBe("error: store1 may not READ topic 'inventory_store2'")
    // Its groups are its own too.
    const group = await run(['consume', 'inventory_store1', '-p', 'store1', '--group', 'store2-stock', '--from', 'beginning', '-e'])
    expect(group.code).toBe(9)
    expect(group.stderr.split('\n')[0]).toBe("error: store1 may not READ group 'store2-stock'")
    for (const r of [topics, produced, consumed, denied, read2, group]) for (const pw of Object.values(passwords)) expect(r.stdout + r.stderr).not.toContain(pw)
  }, 300_000)
})
