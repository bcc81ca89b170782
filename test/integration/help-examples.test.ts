/**
 * Every `--help` example, as a person would paste it: taken from the oclif manifest (what --help prints), run
 * with `sh -c` in a scratch directory against a private one-node cluster (the examples create, alter and delete
 * topics named `orders`, `tmp-*`, ...: never on the shared broker), each bounded by a timeout. An example that
 * cannot run here is listed in NOT_RUNNABLE with the reason; every other example must exit 0. A new example is
 * runnable unless listed, and a listed example that no longer exists fails the test, so neither list can rot.
 *
 * An example mostly waits (a process start, the broker), so examples run in LANES, at once: within a lane one
 * after another in --help order; lanes that touch the same topics, groups or profiles are one lane, or wait for
 * each other.
 */
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {spawn} from 'node:child_process'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, ROOT, kafkit} from './helpers.js'
import {type IsolatedCluster, isolatedCluster} from './isolated-cluster.js'

const PORT = 9910

const NOT_RUNNABLE: Record<string, string> = {
  'kafkit consume orders --group billing --from stored': 'follows the topic until Ctrl-C (no -e)',
  'kafkit replay orders orders --to-profile staging --from @2026-11-24T09:00Z --to @2026-11-24T10:00Z --header-add replayed-from=orders@2026-11-24T09:00Z': 'needs a remote staging cluster',
  'kafkit replay orders orders-copy --from @-1d --to end --resume': 'resumes an interrupted replay, which a fresh cluster does not have',
  'kafkit groups delete billing-old': 'asks for confirmation on a terminal',
  'kafkit local logs -f': 'follows the log until Ctrl-C',
  'kafkit local logs --node 2 -n 200': 'needs a cluster of 2 or more nodes',
  'kafkit local reset --yes': 'would wipe the cluster this test runs against',
  'kafkit local start': 'starts a cluster on 127.0.0.1:9092, where CI already runs one',
  'kafkit local start --nodes 3': 'starts a cluster on 127.0.0.1:9092, where CI already runs one',
  'kafkit local start --secure': 'starts a cluster on 127.0.0.1:9092, where CI already runs one',
  'kafkit local start --kafka-version 3.9.1': 'downloads another Kafka version',
  'kafkit local stop': 'would stop the cluster this test runs against',
  'kafkit offsets undo billing --snapshot 20261125T204412123Z --execute': "names a snapshot of the reader's own",
  'kafkit profiles test staging': 'needs a remote staging cluster',
  'kafkit topics create orders --partitions 6 --replication-factor 3': 'needs 3 brokers',
  'kafkit topics reassign orders --replication-factor 3 --execute --throttle 50MiB': 'needs 3 brokers (test/integration/reassign.test.ts)',
  'kafkit topics reassign orders payments --broker-ids 1,2,3,4 --execute --no-wait': 'needs 4 brokers',
  'kafkit topics reassign --all-topics --exclude-broker 2 --leaders-only --execute': 'needs 2 or more brokers (test/integration/reassign.test.ts)',
  'kafkit topics reassign --all-topics --exclude-broker 4 --execute --throttle 20MiB': 'needs 4 brokers',
  'kafkit topics create   # interactive, on a terminal': 'asks its questions on a terminal',
  'kafkit topics delete a b c': 'asks for confirmation on a terminal',
}

/**
 * Commands whose examples need a service this private one-node plaintext cluster lacks (a schema registry, a
 * Connect worker, an enforcing secured cluster, more brokers, a remote profile): each has its own integration
 * test against the services .ci/run starts (schemas*, connect, acls, users, admin-ops, local-registry).
 */
const NEEDS_SERVICE = /^(connect|schemas|acls|users)(:|$)/
const NEEDS_SERVICE_LINE = /--schema-registry|--connect|brokers describe 2|--broker 2|--to-profile staging/

/** Examples of a command that change what a later example of it needs: run after these set-ups. */
const BEFORE: Record<string, (env: NodeJS.ProcessEnv) => Promise<void>> = {
  // `topics create orders ...`: each example creates `orders` anew.
  'topics:create': async (env) => void (await kafkit(['topics', 'delete', 'orders', '--yes'], {env, noBrokers: true})),
}

interface Example {
  command: string
  line: string
}

/**
 * Which examples may run at the same time. The records lane (orders, written and read) and the groups lane
 * (billing, its offsets in orders) before the topics lane, which alters, truncates and re-creates orders.
 * Profiles have a config file of their own: `profiles use staging` must not give the other lanes its TLS and SASL.
 */
const LANES: {name: string; commands: RegExp; after?: string[]}[] = [
  {name: 'records', commands: /^(consume|produce|replay)$/},
  {name: 'groups', commands: /^(groups|offsets):/},
  {name: 'profiles', commands: /^profiles:/},
  {name: 'cluster', commands: /^(brokers|cluster|quotas):/},
  {name: 'other', commands: /^(completion|local:)/},
  {name: 'topics', commands: /^topics:/, after: ['records', 'groups']},
]
const laneOf = (command: string) => {
  const lane = LANES.find((l) => l.commands.test(command))
  if (!lane) throw new Error(`no lane in LANES for the examples of '${command}'`)
  return lane
}

function examples(): Example[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {id: string; hidden?: boolean; examples?: (string | {command: string})[]}>}
  const out: Example[] = []
  for (const c of Object.values(manifest.commands)) {
    if (c.hidden) continue
    for (const e of c.examples ?? []) out.push({command: c.id, line: typeof e === 'string' ? e : e.command})
  }
  return out
}

/** What --help shows after `$ `: the bin rendered, the `$ ` prompt dropped. */
const pasted = (line: string) => line.replaceAll('<%= config.bin %>', 'kafkit').replace(/^\$ /, '')

const ALL = examples()
let cluster: IsolatedCluster
let dir: string
let env: NodeJS.ProcessEnv
let profilesEnv: NodeJS.ProcessEnv

function sh(line: string, timeoutMs = 30_000, shEnv = env): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], {cwd: dir, env: {...process.env, ...shEnv}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr: stderr + (code === null ? `\n(killed after ${timeoutMs} ms: it did not end)` : '')})
    })
  })
}

beforeAll(async () => {
  cluster = await isolatedCluster({nodes: 1, port: PORT})
  dir = mkdtempSync(join(tmpdir(), 'kafkit-help-examples-'))
  const bin = join(dir, '.bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'kafkit'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
  chmodSync(join(bin, 'kafkit'), 0o755)
  env = {
    ...cluster.env,
    PATH: `${bin}:${process.env.PATH}`,
    KAFKIT_BROKERS: cluster.brokers,
    KAFKIT_CONFIG: join(dir, 'config.yaml'),
    KAFKIT_STATE_DIR: join(dir, 'state'),
    NO_COLOR: '1',
  }
  // The files and names the examples use.
  writeFileSync(join(dir, 'a.txt'), 'a1\na2\n')
  writeFileSync(join(dir, 'b.txt'), 'b1\nb2\n')
  writeFileSync(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  writeFileSync(join(dir, 'topics.yaml'), 'topics:\n  - name: audit\n    partitions: 1\n    configs:\n      retention.ms: 7d\n')
  writeFileSync(join(dir, 'topics.json'), JSON.stringify({topics: [{name: 'audit', partitions: 1, configs: {'retention.ms': '7d'}}]}))
  profilesEnv = {...env, KAFKIT_CONFIG: join(dir, 'profiles.yaml')}
  const setup = async (line: string, shEnv = env) => {
    const r = await sh(line, 90_000, shEnv)
    if (r.code !== 0) throw new Error(`set-up '${line}' failed (${r.code}): ${r.stderr}`)
  }
  const topics: [string, number][] = [
    ['orders', 3],
    ['orders-copy', 3],
    ['orders-replay', 3],
    ['orders-old', 1],
    ['orders-eu', 1],
    ['payments', 1],
    ['payments-debug', 1],
    ['users', 1],
    ['images', 1],
    ['tmp-1', 1],
    ['a', 1],
    ['b', 1],
    ['c', 1],
  ]
  writeFileSync(join(dir, 'set-up.yaml'), `topics:\n${topics.map(([name, partitions]) => `  - name: ${name}\n    partitions: ${partitions}\n`).join('')}`)
  const records = (async () => {
    await setup('kafkit topics apply -f set-up.yaml --execute')
    // 6,000 JSON records in orders (offsets 1000-1999 exist in partitions 0 and 1), some matching the greps.
    await Promise.all([
      setup(`seq 1 6000 | awk '{printf "k%d\\t{\\"sku\\":\\"sku-%d\\"}\\n", $1 % 50, $1 % 40}' | kafkit produce orders -K '\\t'`),
      setup(`seq 1 200 | awk '{printf "user-%d\\tpaid\\n", $1 % 60}' | kafkit produce payments -K '\\t'`),
    ])
    await Promise.all(['billing', 'billing-old', 'tmp-1', 'tmp-2'].map((group) => setup(`kafkit offsets reset ${group} --topic orders --to-earliest --allow-new-group --execute`)))
  })()
  for (const name of ['old-staging', 'prod']) await setup(`kafkit profiles add ${name} --brokers 127.0.0.1:${PORT} --no-test`, profilesEnv)
  await records
}, 300_000)

afterAll(async () => {
  await cluster?.destroy()
  if (dir) rmSync(dir, {recursive: true, force: true})
}, 120_000)

describe('--help examples', () => {
  it('every example is shown with a `$ ` prompt and is a single command line', () => {
    for (const e of ALL) {
      expect(e.line.startsWith('<%= config.bin %>') || e.line.startsWith('$ '), e.line).toBe(true)
      expect(e.line, e.line).not.toContain('\n')
    }
  })

  it('NOT_RUNNABLE names only examples that exist', () => {
    const lines = new Set(ALL.map((e) => pasted(e.line)))
    expect(Object.keys(NOT_RUNNABLE).filter((l) => !lines.has(l))).toEqual([])
  })
})

describe.concurrent('--help examples, run', () => {
  const runnable = ALL.filter((x) => !(pasted(x.line) in NOT_RUNNABLE) && !NEEDS_SERVICE.test(x.command) && !NEEDS_SERVICE_LINE.test(x.line))
  // The examples are registered one of each lane in turn, the lanes with `after` last, and vitest starts
  // concurrent tests in that order. Each, once started, waits for the one of its lane started before it (the first
  // of a lane with `after`, for those lanes' last ones): a wait is always on one started earlier, and an example
  // left out by a filter (-t) holds nobody up. A slow example is ended by sh's own timeout; the test's timeout
  // also covers its wait.
  const ordered: Example[] = []
  for (const lanes of [LANES.filter((l) => !l.after), LANES.filter((l) => l.after)]) {
    const queues = lanes.map((lane) => runnable.filter((e) => laneOf(e.command) === lane))
    for (let i = 0; queues.some((q) => i < q.length); i++) for (const q of queues) if (i < q.length) ordered.push(q[i])
  }
  const last = new Map<string, Promise<void>>()
  const ran = new Set<string>()
  for (const e of ordered) {
    const lane = laneOf(e.command)
    it(`${e.command}: ${pasted(e.line)}`, async ({expect}) => {
      const before = last.get(lane.name) ?? Promise.all((lane.after ?? []).map((name) => last.get(name)))
      let finished!: () => void
      last.set(lane.name, new Promise((resolve) => (finished = resolve)))
      try {
        await before
        const laneEnv = lane.name === 'profiles' ? profilesEnv : env
        if (!ran.has(e.command) || e.command === 'topics:create') {
          ran.add(e.command)
          await BEFORE[e.command]?.(laneEnv)
        }
        const r = await sh(pasted(e.line), 30_000, laneEnv)
        expect(r.code, `exit ${r.code}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr.slice(0, 1000)}`).toBe(0)
      } finally {
        finished()
      }
    }, 600_000)
  }
})
