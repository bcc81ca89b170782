/**
 * `kafkit connect` against a real Kafka Connect worker (`kafkit local start --connect`, which .ci/run starts) with
 * the FileStream connectors: every command, run as users run it. Each test uses its own connectors, topics and
 * files. Without a worker the file is skipped on a developer's machine and fails under CI=true.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type RunResult, expectCleanError, json, kafkit, uniqueName} from './helpers.js'

const CONNECT_URL = process.env.KAFKIT_TEST_CONNECT_URL ?? 'http://127.0.0.1:8083'
const FILE_SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector'
const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector'

async function rest<T = unknown>(method: string, path: string, body?: unknown): Promise<{status: number; body: T}> {
  const r = await fetch(CONNECT_URL + path, {method, headers: {'content-type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000)})
  const text = await r.text()
  return {status: r.status, body: (text ? JSON.parse(text) : undefined) as T}
}

const reachable = await rest('GET', '/connectors').then(
  (r) => r.status === 200,
  () => false,
)
if (!reachable && process.env.CI === 'true') {
  throw new Error(`CI=true and no Kafka Connect worker answers at ${CONNECT_URL}: .ci/run starts one with 'kafkit local start --connect'`)
}

const connect = (args: string[], options: Parameters<typeof kafkit>[1] = {}) => kafkit(['connect', ...args, '--connect-url', CONNECT_URL, '--timeout', '30s'], options)

interface Status {
  connector: {state: string}
  tasks: {id: number; state: string; trace?: string}[]
}

/** Polls until `check` passes (Connect starts connectors and tasks in the background). */
async function eventually<T>(what: string, get: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  while (Date.now() < deadline) {
    last = await get().catch(() => undefined as T)
    if (last !== undefined && check(last)) return last
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`${what}: not reached after ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 800)}`)
}

const status = (name: string) => rest<Status>('GET', `/connectors/${name}/status`).then((r) => (r.status === 200 ? r.body : undefined)) as Promise<Status>
const running = (name: string, tasks = 1) =>
  eventually(
    `${name} RUNNING`,
    () => status(name),
    (s) => s?.connector.state === 'RUNNING' && s.tasks.length === tasks && s.tasks.every((t) => t.state === 'RUNNING'),
  )

function expectOk(r: RunResult): RunResult {
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0)
  return r
}

interface Listed {
  name: string
  state: string
  type: string
  failed: boolean
  group?: string
  tasks: {state: string; error?: {root: string; chain: string[]}}[]
  lag?: {group: string; totalLag: number | null}
}

/**
 * The rows of a `connect list --json` run, whose exit code must be 8 exactly when a connector or task it lists
 * FAILED (on this shared worker other tests' connectors may be failing: this file's own failing-task test runs
 * concurrently), else 0; with 8, the error on stderr names every failed connector.
 */
function listed(r: RunResult): Listed[] {
  const rows = json<Listed[]>(r)
  const failed = rows.filter((x) => x.failed).map((x) => x.name)
  expect(r.code, `exit ${r.code}, failed: ${failed.join(', ')}\nstderr: ${r.stderr}`).toBe(failed.length > 0 ? 8 : 0)
  if (failed.length > 0) expect((JSON.parse(r.stderr) as {error: {code: string; failed: string[]}}).error).toMatchObject({code: 'CONNECTORS_FAILED', failed})
  return rows
}

// The tests are independent (their own connectors, topics, files): they run concurrently, the worker's way.
describe.skipIf(!reachable).concurrent('kafkit connect (a real worker)', {timeout: 180_000}, () => {
  const prefix = uniqueName('kc')
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-connect-test-'))
  const created: string[] = []
  const name = (what: string) => {
    const n = `${prefix}-${what}`
    created.push(n)
    return n
  }
  const topic = `${prefix}-lines`

  /** A FileStream sink of `topics` into a file; returns the file. */
  async function fileSink(connector: string, topics: string, extra: Record<string, string> = {}): Promise<string> {
    const file = join(dir, `${connector}.out`)
    const config = join(dir, `${connector}.json`)
    writeFileSync(
      config,
      JSON.stringify({
        'connector.class': FILE_SINK,
        topics,
        file,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        ...extra,
      }),
    )
    expectOk(await connect(['create', connector, '-f', config]))
    return file
  }

  beforeAll(async () => {
    expectOk(await kafkit(['topics', 'create', topic, '--partitions', '2']))
    expectOk(await kafkit(['produce', topic], {input: 'one\ntwo\nthree\n'}))
  })

  afterAll(async () => {
    for (const c of created) await rest('DELETE', `/connectors/${c}`).catch(() => undefined)
    await kafkit(['topics', 'delete', '--regex', `^${prefix}`, '--yes'])
    for (const c of created) await kafkit(['groups', 'delete', `connect-${c}`, '--yes'])
    rmSync(dir, {recursive: true, force: true})
  }, 60_000)

  it('plugins: the FileStream connectors with their versions; --all adds transformations', async () => {
    const plugins = json<{class: string; type: string; version?: string}[]>(expectOk(await connect(['plugins', '--json'])))
    const sink = plugins.find((p) => p.class === FILE_SINK)
    expect(sink).toMatchObject({type: 'sink'})
    expect(sink?.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(plugins.find((p) => p.class === FILE_SOURCE)?.type).toBe('source')
    const all = expectOk(await connect(['plugins', '--all']))
    expect(all.stdout).toMatch(/org\.apache\.kafka\.connect\.transforms\.\S+\ttransformation\t/)
  })

  it('create: validated by the plugin first (errors per field, exit 2), then created; a second create is exit 2', async () => {
    const c = name('create')
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({'connector.class': FILE_SINK, file: join(dir, 'x.out')}))
    const refused = await connect(['create', c, '-f', bad])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^\s+topics: Must configure one of topics or topics\.regex$/m)
    expect(expectCleanError(refused).message).toMatch(new RegExp(`the config of '${c}' is invalid \\(2 errors\\): topics: `))
    expect((await rest('GET', `/connectors/${c}`)).status).toBe(404)

    const out = await fileSink(c, topic, {'connection.password': 'hunter2-connect'})
    await running(c)
    const again = await connect(['create', c, '-f', join(dir, `${c}.json`)])
    expect(again.code).toBe(2)
    expect(expectCleanError(again).message).toMatch(/already exists/)
    // The records reach the file: a real worker ran a real connector.
    await eventually(
      'records in the sink file',
      async () => (existsSync(out) ? readFileSync(out, 'utf8') : ''),
      (t) => t.split('\n').filter(Boolean).length === 3,
    )
  })

  it('a sink writes 20,000 records into its file, each exactly once, and its offsets add up to them', async () => {
    const c = name('bulk')
    const t = `${prefix}-bulk`
    const count = 20_000
    expectOk(await kafkit(['topics', 'create', t, '--partitions', '3']))
    expectOk(await kafkit(['produce', t], {input: Array.from({length: count}, (_, i) => `bulk-${i}`).join('\n') + '\n', timeoutMs: 120_000}))
    const out = await fileSink(c, t)
    const lines = await eventually(
      `${count} lines in the sink file`,
      async () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []),
      (l) => l.length >= count,
      150_000,
    )
    expect(lines).toHaveLength(count)
    expect(new Set(lines).size).toBe(count)
    await eventually(
      'committed offsets of all three partitions',
      async () => json<{offsets: {offset: {kafka_offset: number}}[]}>(await connect(['offsets', 'get', c, '--json'])),
      (o) => o.offsets.length === 3 && o.offsets.reduce((n, x) => n + x.offset.kafka_offset, 0) === count,
    )
  })

  it('list and describe: states at a glance, config with secrets redacted, topics used', async () => {
    const c = name('describe')
    await fileSink(c, topic, {'connection.password': 'hunter2-connect'})
    await running(c)
    const rows = listed(await connect(['list', '--json']))
    expect(rows.find((x) => x.name === c)).toMatchObject({state: 'RUNNING', type: 'sink', failed: false, group: `connect-${c}`, tasks: [{state: 'RUNNING'}]})
    const plain = await connect(['list'])
    expect(plain.stdout).toContain(`${c}\tsink\tRUNNING\t1 RUNNING\t${FILE_SINK}`)
    // 8 only for another test's failed connector (the error line names the failed ones, not this one).
    if (plain.code !== 0) {
      expect(plain.code, plain.stderr).toBe(8)
      expect(expectCleanError(plain).message).toMatch(/^\d+ of \d+ connectors? (has|have) failures: /)
      expect(expectCleanError(plain).message).not.toContain(`${c} (`)
    }

    await eventually(
      'topics tracked',
      () => rest<Record<string, {topics: string[]}>>('GET', `/connectors/${c}/topics`),
      (r) => r.body[c]?.topics.length > 0,
    )
    const d = expectOk(await connect(['describe', c]))
    expect(d.stdout).not.toContain('hunter2-connect')
    expect(d.stdout).toContain('connection.password\t[redacted]')
    expect(d.stdout).toContain(`topics\t${topic}`)
    const dj = json<{config: Record<string, string>; topics: string[]; topicsSource: string; tasks: {id: number}[]}>(expectOk(await connect(['describe', c, '--json'])))
    expect(dj.config['connection.password']).toBe('[redacted]')
    expect(dj.topics).toEqual([topic])
    expect(dj.topicsSource).toBe('worker')
    expect(JSON.stringify(dj)).not.toContain('hunter2-connect')
    const missing = await connect(['describe', `${prefix}-nope`])
    expect(missing.code).toBe(3)
    expect(expectCleanError(missing).message).toMatch(/does not exist/)
  })

  it('a failed task shows in list (highlighted, root cause) and describe (shortened trace); restart --failed restarts it', async () => {
    const c = name('failing')
    // FileStreamSink cannot open a file in a directory that does not exist: its task fails at start.
    const config = join(dir, 'failing.json')
    writeFileSync(config, JSON.stringify({'connector.class': FILE_SINK, topics: topic, file: join(dir, 'no', 'such', 'dir', 'out.txt')}))
    expectOk(await connect(['create', c, '-f', config]))
    await eventually(
      `${c} task FAILED`,
      () => status(c),
      (s) => s?.tasks[0]?.state === 'FAILED',
    )
    // `list` prints every connector, then exits 8 naming the failed ones (this one among them).
    const failedList = await connect(['list', '--json'])
    const row = listed(failedList).find((x) => x.name === c)!
    expect(failedList.code).toBe(8)
    expect(row.failed).toBe(true)
    expect(row.tasks[0].error?.root).toMatch(/Exception/)
    const plainList = await connect(['list'])
    expect(plainList.code).toBe(8)
    expect(plainList.stdout).toMatch(new RegExp(`^${c}\tsink\tRUNNING\t1 FAILED\t`, 'm'))
    const {message, hint} = expectCleanError(plainList)
    expect(message).toContain(`${c} (tasks: 1 FAILED)`)
    expect(hint).toMatch(/kafkit connect restart --failed/)
    const d = expectOk(await connect(['describe', c]))
    expect(d.stdout).toMatch(/task 0 failure:/)
    const traceLines = d.stdout.slice(d.stdout.indexOf('task 0 failure:')).split('\n\n')[0].split('\n')
    const full = (await status(c)).tasks[0].trace!.trim().split('\n').length
    expect(traceLines.length).toBeLessThan(Math.min(full, 12))
    const fullTrace = expectOk(await connect(['describe', c, '--full-trace']))
    expect(fullTrace.stdout.split('\n').length).toBeGreaterThan(d.stdout.split('\n').length)

    const restarted = json<{restarted: {connector: string; tasksRestarting: number[]}[]}>(expectOk(await connect(['restart', '--failed', '--json'])))
    expect(restarted.restarted.map((r) => r.connector)).toContain(c)
    const usage = await connect(['restart'])
    expect(usage.code).toBe(2)
  })

  it('pause, resume, stop (--wait), restart --include-tasks', async () => {
    const c = name('states')
    await fileSink(c, topic)
    await running(c)
    expect(json<{state: string; reached: boolean}>(expectOk(await connect(['pause', c, '--wait', '--json'])))).toMatchObject({state: 'PAUSED', reached: true})
    expect((await status(c)).connector.state).toBe('PAUSED')
    expectOk(await connect(['resume', c, '--wait']))
    expect((await status(c)).connector.state).toBe('RUNNING')
    expectOk(await connect(['stop', c, '--wait']))
    expect((await status(c)).connector.state).toBe('STOPPED')
    expectOk(await connect(['resume', c, '--wait']))
    const r = expectOk(await connect(['restart', c, '--include-tasks']))
    expect(r.stderr).toMatch(new RegExp(`restarting ${c}:`))
    await running(c)
    const missing = await connect(['pause', `${prefix}-nope`])
    expect(missing.code).toBe(3)
  })

  it('offsets: a sink shows its topic-partition offsets; reset needs it stopped (exit 6, or --stop) and it starts over', async () => {
    const c = name('offsets')
    const out = await fileSink(c, topic)
    await eventually(
      '3 lines',
      async () => (existsSync(out) ? readFileSync(out, 'utf8') : ''),
      (t) => t.split('\n').filter(Boolean).length === 3,
    )
    const offsets = await eventually(
      'committed offsets',
      async () => json<{offsets: {partition: {kafka_topic: string}; offset: {kafka_offset: number}}[]}>(await connect(['offsets', 'get', c, '--json'])),
      (o) => o.offsets.reduce((n, x) => n + x.offset.kafka_offset, 0) === 3,
    )
    expect(offsets.offsets.every((o) => o.partition.kafka_topic === topic)).toBe(true)
    const table = expectOk(await connect(['offsets', 'get', c]))
    expect(table.stdout).toMatch(new RegExp(`^${topic}\\t\\d\\t\\d$`, 'm'))

    const refused = await connect(['offsets', 'reset', c, '--yes'])
    expect(refused.code).toBe(6)
    expect(expectCleanError(refused).hint).toMatch(/--stop/)
    const noYes = await connect(['offsets', 'reset', c, '--stop'])
    expect(noYes.code).toBe(6)
    expectOk(await connect(['offsets', 'reset', c, '--stop', '--yes']))
    expect((await status(c)).connector.state).toBe('STOPPED')
    expect(json<{offsets: unknown[]}>(expectOk(await connect(['offsets', 'get', c, '--json']))).offsets).toEqual([])
    expectOk(await connect(['resume', c]))
    // From the beginning again: every record a second time.
    await eventually(
      '6 lines',
      async () => readFileSync(out, 'utf8'),
      (t) => t.split('\n').filter(Boolean).length === 6,
    )
  })

  it('offsets of a source: its own positions, set back from a file', async () => {
    const c = name('source')
    const input = join(dir, 'source-in.txt')
    const target = `${prefix}-from-file`
    expectOk(await kafkit(['topics', 'create', target, '--partitions', '1']))
    writeFileSync(input, 'a\nb\nc\n')
    const config = join(dir, 'source.properties')
    writeFileSync(config, `name=${c}\nconnector.class=FileStreamSource\nfile=${input}\ntopic=${target}\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\n`)
    expectOk(await connect(['create', '-f', config]))
    const read = () => kafkit(['consume', target, '--from', 'beginning', '--exit', '--format', '%v\n'])
    await eventually('3 records', read, (r) => r.stdout.split('\n').filter(Boolean).length === 3)
    const got = await eventually(
      'source offsets',
      async () => json<{type: string; offsets: {partition: {filename: string}; offset: {position: number}}[]}>(await connect(['offsets', 'get', c, '--json'])),
      (o) => o.offsets[0]?.offset.position === 6,
    )
    expect(got.type).toBe('source')
    expect(got.offsets[0].partition.filename).toBe(input)
    const file = join(dir, 'offsets.json')
    writeFileSync(file, JSON.stringify({...got, offsets: [{...got.offsets[0], offset: {position: 2}}]}))
    expectOk(await connect(['offsets', 'reset', c, '--from-file', file, '--stop', '--yes']))
    expectOk(await connect(['resume', c]))
    // From byte 2 ("b\nc\n") again.
    await eventually('5 records', read, (r) => r.stdout.split('\n').filter(Boolean).length === 5)
  })

  it('apply: plan, --check exit 8, --execute, no changes after, update with state, --prune', async () => {
    const a = name('apply-a')
    const b = name('apply-b')
    const file = join(dir, 'connectors.yaml')
    const write = (tasks: number, state?: string, withB = true) =>
      writeFileSync(
        file,
        [
          'connectors:',
          `  - name: ${a}`,
          ...(state ? [`    state: ${state}`] : []),
          '    config:',
          `      connector.class: ${FILE_SINK}`,
          `      topics: ${topic}`,
          `      file: ${join(dir, 'apply-a.out')}`,
          `      tasks.max: ${tasks}`,
          '      connection.password: apply-secret-123',
          ...(withB ? [`  - name: ${b}`, '    config:', '      connector.class: FileStreamSink', `      topics: ${topic}`, `      file: ${join(dir, 'apply-b.out')}`] : []),
          '',
        ].join('\n'),
      )
    write(1)
    const plan = expectOk(await connect(['apply', '-f', file]))
    expect(plan.stdout).toContain(`+ create ${a} (${FILE_SINK})`)
    expect(plan.stdout).toContain('Plan: 2 to create, 0 to update, 0 to delete.')
    expect(plan.stdout + plan.stderr).not.toContain('apply-secret-123')
    expect((await rest('GET', `/connectors/${a}`)).status).toBe(404)
    const check = await connect(['apply', '-f', file, '--check'])
    expect(check.code).toBe(8)
    expect(expectCleanError(check).message).toMatch(/2 to create/)

    expectOk(await connect(['apply', '-f', file, '--execute']))
    await running(a)
    expectOk(await connect(['apply', '-f', file, '--check']))
    expect(expectOk(await connect(['apply', '-f', file])).stdout).toContain('No changes: the connectors match the file.')

    write(2, 'paused')
    const update = json<{actions: {action: string; connector: string; changes: {key: string; from: string; to: string}[]; state?: {to: string}}[]}>(await connect(['apply', '-f', file, '--json']))
    expect(update.actions).toEqual([{action: 'update', connector: a, changes: [{key: 'tasks.max', from: '1', to: '2'}], state: {from: 'RUNNING', to: 'PAUSED', via: 'pause'}}])
    expectOk(await connect(['apply', '-f', file, '--execute']))
    await eventually(
      `${a} PAUSED`,
      () => status(a),
      (s) => s?.connector.state === 'PAUSED',
    )
    expect((await rest<{config: Record<string, string>}>('GET', `/connectors/${a}`)).body.config['tasks.max']).toBe('2')

    // A config the plugin refuses is exit 2 before anything changes.
    writeFileSync(join(dir, 'invalid.yaml'), `connectors:\n  - name: ${name('apply-invalid')}\n    config:\n      connector.class: FileStreamSink\n      file: /tmp/x\n`)
    const invalid = await connect(['apply', '-f', join(dir, 'invalid.yaml'), '--execute'])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toMatch(/topics: Must configure one of topics or topics\.regex/)

    // --prune deletes what the file leaves out: every connector not in it, so only with a file of our own worker's view.
    write(2, 'paused', false)
    const prunePlan = json<{actions: {action: string; connector: string}[]}>(await connect(['apply', '-f', file, '--prune', '--json']))
    expect(prunePlan.actions).toContainEqual({action: 'delete', connector: b})
    const noTty = await connect(['apply', '-f', file, '--prune', '--execute'])
    expect(noTty.code).toBe(6)
    expect((await rest('GET', `/connectors/${b}`)).status).toBe(200)
  })

  it('delete: confirmed (exit 6 without --yes and a terminal), unknown names are exit 3', async () => {
    // A name of its own per attempt: a retried test must not find the first attempt's connector.
    const c = name(uniqueName('delete'))
    await fileSink(c, topic)
    const refused = await connect(['delete', c])
    expect(refused.code).toBe(6)
    expect(expectCleanError(refused).hint).toMatch(/--yes/)
    const unknown = await connect(['delete', c, `${prefix}-nope`, '--yes'])
    expect(unknown.code).toBe(3)
    // The worker may answer 500 while it rebalances (other tests create connectors concurrently): ask until it
    // answers, then it must still have the connector.
    expect(
      (
        await eventually(
          'the connector, still there',
          () => rest('GET', `/connectors/${c}`),
          (r) => r.status !== 500,
          30_000,
        )
      ).status,
    ).toBe(200)
    expect(json<{deleted: string[]}>(expectOk(await connect(['delete', c, '--yes', '--json'])))).toEqual({deleted: [c]})
    expect((await rest('GET', `/connectors/${c}`)).status).toBe(404)
  })

  it("list --lag and --watch: a sink's consumer lag from its group connect-<name>", async () => {
    const c = name('lag')
    const t = `${prefix}-lag`
    const lagOf = async () => listed(await connect(['list', '--lag', '--json'])).find((x) => x.name === c)
    expectOk(await kafkit(['topics', 'create', t, '--partitions', '1']))
    expectOk(await kafkit(['produce', t], {input: 'r1\nr2\nr3\n'}))
    await fileSink(c, t)
    // The sink commits its offsets every second on the local worker (offset.flush.interval.ms=1000).
    await eventually('caught up', lagOf, (x) => x?.lag?.totalLag === 0)
    expectOk(await connect(['pause', c, '--wait']))
    expectOk(await kafkit(['produce', t], {input: Array.from({length: 50}, (_, i) => `late${i}`).join('\n') + '\n'}))
    expect((await eventually('lag 50 while paused', lagOf, (x) => x?.lag?.totalLag === 50))?.lag?.group).toBe(`connect-${c}`)

    const watch = expectOk(await connect(['list', '--watch', '--count', '2', '--interval', '500ms', '--json']))
    const samples = watch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {at: string; connectors: {name: string; state: string; lag?: {totalLag: number | null; rates?: {consumeRate: number}}}[]})
    expect(samples).toHaveLength(2)
    const mine = samples.map((x) => x.connectors.find((y) => y.name === c)!)
    expect(mine[0]).toMatchObject({state: 'PAUSED', lag: {totalLag: 50}})
    expect(mine[0].lag?.rates).toBeUndefined()
    expect(mine[1].lag?.rates?.consumeRate).toBe(0)
    const piped = expectOk(await connect(['list', '--watch', '--count', '1']))
    expect(piped.stdout).toMatch(new RegExp(`\\t${c}\\tsink\\tPAUSED\\t1 PAUSED\\tlag=50\\tconsume=-`))
    expectOk(await connect(['resume', c]))
    await eventually('caught up again', lagOf, (x) => x?.lag?.totalLag === 0)
  })

  it('a profile carries the Connect URL (secrets never shown); unreachable is exit 4 with one line and a hint', async () => {
    const config = join(dir, 'config.yaml')
    writeFileSync(config, `profiles:\n  withconnect:\n    brokers: [127.0.0.1:9092]\n    connect:\n      url: ${CONNECT_URL}\n      username: ops\n      passwordEnv: KAFKIT_TEST_CONNECT_PW\n`, {
      mode: 0o600,
    })
    const env = {KAFKIT_CONFIG: config, KAFKIT_TEST_CONNECT_PW: 'connect-pw-9876'}
    expect(Array.isArray(listed(await kafkit(['connect', 'list', '-p', 'withconnect', '--json'], {env, noBrokers: true})))).toBe(true)
    const shown = expectOk(await kafkit(['profiles', 'show', 'withconnect'], {env, noBrokers: true}))
    expect(shown.stdout).toContain('connect.password\tfrom $KAFKIT_TEST_CONNECT_PW')
    expect(shown.stdout).not.toContain('connect-pw-9876')

    const down = await kafkit(['connect', 'list', '--connect-url', 'http://127.0.0.1:1'])
    expect(down.code).toBe(4)
    const e = expectCleanError(down)
    expect(e.message).toBe('cannot reach Kafka Connect at http://127.0.0.1:1 (ECONNREFUSED)')
    expect(e.hint).toMatch(/kafkit local start --connect/)
    expect(down.stderr.trim().split('\n')).toHaveLength(2)
    const downJson = await kafkit(['connect', 'plugins', '--json'], {env: {KAFKIT_CONNECT_URL: 'http://127.0.0.1:1'}})
    expect(JSON.parse(downJson.stderr).error.code).toBe('CONNECT_UNREACHABLE')
  })

  it.skipIf(process.env.KAFKIT_TEST_CONNECT_URL !== undefined)('local status and logs cover the worker', async () => {
    const s = json<{connect?: {running: boolean; url: string; version: string}}>(await kafkit(['local', 'status', '--json'], {noBrokers: true}))
    expect(s.connect).toMatchObject({running: true, url: CONNECT_URL})
    const logs = expectOk(await kafkit(['local', 'logs', '--connect', '-n', '5'], {noBrokers: true}))
    expect(logs.stdout.trim().split('\n')).toHaveLength(5)
  })
})
