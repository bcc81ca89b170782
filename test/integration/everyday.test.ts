/**
 * Everyday use against the real broker: shell completion driven through real bash, zsh and fish; mistyped
 * commands and flags; global flags before the command; the lag of all groups at once, checked against Kafka's
 * own ConsumerGroupCommand --describe --all-groups; the time lag; piped describe output; the wording fixes.
 */
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, TEST_BROKERS, createTopicWithLeaders, expectCleanError, json, kafkit, uniqueName} from './helpers.js'
import {GROUP_COMMAND, runJava} from './kafka-tools.js'
import {terminal} from './terminal.js'

const admin = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING}).admin()
const prefix = uniqueName('ev')
const topic = `${prefix}-orders`
const groups = [`${prefix}-g1`, `${prefix}-g2`, `${prefix}-g3`]
const scratch = mkdtempSync(join(tmpdir(), 'kafkit-everyday-'))
// Completion's cache and a config of its own, so that this file sees its own names.
const env = {KAFKIT_CACHE_DIR: join(scratch, 'cache'), KAFKIT_CONFIG: join(scratch, 'config.yaml'), KAFKIT_STATE_DIR: join(scratch, 'state')}

/** A `kafkit` on PATH, as the completion scripts call the program by the name typed. */
const binDir = join(scratch, 'bin')
mkdirSync(binDir)
writeFileSync(join(binDir, 'kafkit'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
chmodSync(join(binDir, 'kafkit'), 0o755)
const shellEnv = {...process.env, ...env, PATH: `${binDir}:${process.env.PATH}`, KAFKIT_BROKERS: TEST_BROKERS, NO_COLOR: '1'}

function shell(program: string, args: string[], script: string): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(program, [...args, script], {env: shellEnv, encoding: 'utf8', timeout: 60_000})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** zsh and fish come from Debian's packages (.ci/run installs them); without them this fails rather than skips. */
function requireShell(name: string): void {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0) throw new Error(`${name} is not installed: apt-get install ${name} (.ci/run does)`)
}

beforeAll(async () => {
  await admin.connect()
  await createTopicWithLeaders(admin, topic, 3)
  // 30 records per partition, keyed round-robin, then the three groups at different places.
  const lines = Array.from({length: 90}, (_, i) => `${i}\tv${i}`).join('\n') + '\n'
  for (let p = 0; p < 3; p++)
    expect(
      (
        await kafkit(['produce', topic, '-K', '\\t', '--partition', String(p)], {
          input:
            lines
              .split('\n')
              .slice(p * 30, p * 30 + 30)
              .join('\n') + '\n',
        })
      ).code,
    ).toBe(0)
  const at = [['--to-earliest'], ['--to-offset', '10'], ['--to-latest']]
  for (const [i, g] of groups.entries()) {
    const r = await kafkit(['offsets', 'reset', g, '--topic', topic, ...at[i], '--allow-new-group', '--execute'], {env})
    expect(r.code, r.stderr).toBe(0)
  }
  // The oldest unconsumed records of g1 and g2 are now more than a second old.
  await new Promise((resolve) => setTimeout(resolve, 1500))
}, 180_000)

afterAll(async () => {
  await admin.deleteTopics({topics: [topic]}).catch(() => undefined)
  await admin.deleteGroups(groups).catch(() => undefined)
  await admin.disconnect()
})

describe('all groups at once', () => {
  it('describe --all gives the lag of every group, as ConsumerGroupCommand --describe --all-groups does', async () => {
    const ours = await kafkit(['groups', 'describe', '--all', `^${prefix}-`, '--json'])
    expect(ours.code, ours.stderr).toBe(0)
    type Lag = {
      group: string
      totalLag: number
      maxTimeLagMs: number | null
      partitions: {topic: string; partition: number; committed: number; logEnd: number; lag: number; timeLagMs: number | null}[]
    }
    const described = json<Lag[]>(ours)
    expect(described.map((g) => g.group)).toEqual(groups)
    const kafka = await runJava(GROUP_COMMAND, ['--bootstrap-server', TEST_BROKERS, '--describe', '--all-groups'])
    expect(kafka.code, kafka.stderr).toBe(0)
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
    const theirs = kafka.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => groups.includes(f[0]) && f[1] === topic)
      .map((f) => `${f[0]} ${f[2]} ${f[3]} ${f[4]} ${f[5]}`)
      .sort()
    const mine = described.flatMap((g) => g.partitions.map((p) => `${g.group} ${p.partition} ${p.committed} ${p.logEnd} ${p.lag}`)).sort()
    expect(theirs).toHaveLength(9)
    expect(mine).toEqual(theirs)
    expect(described.map((g) => g.totalLag)).toEqual([90, 60, 0])
  }, 180_000)

  it('time lag: the age of the oldest unconsumed record per partition; 0 when caught up', async () => {
    const described = json<{group: string; maxTimeLagMs: number | null; partitions: {timeLagMs: number | null}[]}[]>(await kafkit(['groups', 'describe', '--all', `^${prefix}-`, '--json']))
    for (const g of described.slice(0, 2)) {
      for (const p of g.partitions) expect(p.timeLagMs).toBeGreaterThanOrEqual(1000)
      expect(g.maxTimeLagMs).toBeGreaterThanOrEqual(1000)
    }
    expect(described[2].partitions.map((p) => p.timeLagMs)).toEqual([0, 0, 0])
    // One group: the same numbers, and in --watch's piped line.
    const one = json<{partitions: {timeLagMs: number | null}[]}>(await kafkit(['groups', 'describe', groups[0], '--json']))
    for (const p of one.partitions) expect(p.timeLagMs).toBeGreaterThanOrEqual(1000)
    const watch = await kafkit(['groups', 'describe', groups[0], '--watch', '--count', '1'])
    expect(watch.stdout).toMatch(/\tcatch-up=\S+\ttime-lag=\d+(s|m \d+s)\n$/)
  }, 120_000)

  it('groups list shows each group with its total lag', async () => {
    const listed = json<{group: string; state: string; members: number; lag: number}[]>(await kafkit(['groups', 'list', `^${prefix}-`, '--json']))
    expect(listed.map((g) => [g.group, g.state, g.members, g.lag])).toEqual([
      [groups[0], 'Empty', 0, 90],
      [groups[1], 'Empty', 0, 60],
      [groups[2], 'Empty', 0, 0],
    ])
    const piped = await kafkit(['groups', 'list', `^${prefix}-`])
    // Made by offset commits only: no protocol type.
    expect(piped.stdout.split('\n')[0]).toBe(`${groups[0]}\tEmpty\t0\t-\t${topic}\t90`)
  })

  it('piped describe: a TSV with a header, one row per partition, carrying the state and member count', async () => {
    const piped = await kafkit(['groups', 'describe', groups[1]])
    const [header, ...rows] = piped.stdout.trimEnd().split('\n')
    expect(header).toBe('GROUP\tSTATE\tMEMBERS\tTOPIC\tPARTITION\tCOMMITTED\tLOG-END\tLAG\tTIME-LAG-MS\tCLIENT-ID\tHOST\tMEMBER-ID')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatch(new RegExp(`^${groups[1]}\\tEmpty\\t0\\t${topic}\\t0\\t10\\t30\\t20\\t\\d+\\t-\\t-\\t-$`))
    const all = await kafkit(['groups', 'describe', '--all', `^${prefix}-`])
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(1 + 9)
    const t = await kafkit(['topics', 'describe', topic])
    expect(t.stdout).toBe(`TOPIC\tPARTITION\tLEADER\tREPLICAS\tISR\tEARLIEST\tLATEST\tRECORDS\n${[0, 1, 2].map((p) => `${topic}\t${p}\t1\t1\t1\t0\t30\t30\n`).join('')}`)
  })

  it('--all and a group name: usage errors are explained', async () => {
    const none = await kafkit(['groups', 'describe'])
    expect(none.code).toBe(2)
    expect(expectCleanError(none).message).toBe('name a group, or pass --all')
    expect((await kafkit(['groups', 'describe', '--all', '--watch'])).code).toBe(2)
  })
})

describe('mistakes forgiven', () => {
  it('a mistyped command suggests the nearest one (exit 2)', async () => {
    const r = await kafkit(['topic', 'list'])
    expect(r.code).toBe(2)
    expect(expectCleanError(r)).toEqual({message: "'topic list' is not a kafkit command", hint: "did you mean 'kafkit topics list'?"})
    expect(expectCleanError(await kafkit(['grups', 'describe', 'x'])).hint).toBe("did you mean 'kafkit groups describe x'?")
  })

  it('an unknown flag suggests the nearest flag (exit 2)', async () => {
    const r = await kafkit(['consume', topic, '--form', 'json'])
    expect(r.code).toBe(2)
    expect(expectCleanError(r)).toEqual({message: 'unknown flag --form', hint: "did you mean --format? (see 'kafkit consume --help')"})
  })

  it('global flags work before the command', async () => {
    const byBrokers = await kafkit(['-b', TEST_BROKERS, 'topics', 'list', `^${prefix}-`], {noBrokers: true})
    expect(byBrokers.code, byBrokers.stderr).toBe(0)
    expect(byBrokers.stdout.split('\t')[0]).toBe(topic)
    const byProfile = await kafkit(['-p', 'local', '--timeout', '20s', 'groups', 'list', `^${prefix}-g1$`], {noBrokers: true})
    expect(byProfile.code, byProfile.stderr).toBe(0)
    expect(byProfile.stdout).toContain(groups[0])
  })
})

describe('shell completion, in real shells', () => {
  beforeAll(async () => {
    const added = await kafkit(['profiles', 'add', `${prefix}-prof`, '--brokers', TEST_BROKERS, '--no-test'], {env})
    expect(added.code, added.stderr).toBe(0)
  })

  it('bash: registered with complete -F, completes commands, flags, values and cluster names', () => {
    const r = shell(
      'bash',
      ['-c'],
      `
      source <(kafkit completion bash)
      complete -p kafkit
      t() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _kafkit_complete; echo "$*|\${COMPREPLY[*]}"; }
      t kafkit to
      t kafkit topics de
      t kafkit consume --key-decoder ""
      t kafkit consume --key-decoder = h
      t kafkit consume ${topic.slice(0, -3)}
      t kafkit groups describe ${prefix}-g
      t kafkit -p ${prefix}-pro
      t kafkit consume x --gro
    `,
    )
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('complete -F _kafkit_complete kafkit')
    expect(lines.slice(1)).toEqual([
      'kafkit to|topics',
      'kafkit topics de|delete describe',
      'kafkit consume --key-decoder |utf8 hex base64 json',
      'kafkit consume --key-decoder = h|hex',
      `kafkit consume ${topic.slice(0, -3)}|${topic}`,
      `kafkit groups describe ${prefix}-g|${groups.join(' ')}`,
      `kafkit -p ${prefix}-pro|${prefix}-prof`,
      'kafkit consume x --gro|--group',
    ])
  }, 120_000)

  it('zsh: compdef registers the function; candidates go to _describe with descriptions', () => {
    requireShell('zsh')
    const r = shell(
      'zsh',
      ['-f', '-c'],
      `
      compdef() { print "compdef $*" }
      _describe() { print -l -- "\${(@P)\${@[-1]}}" }
      _files() { print "(files)" }
      source <(kafkit completion zsh)
      t() { words=("$@"); CURRENT=$#; _kafkit }
      t kafkit topics li
      t kafkit produce x --file ""
      t kafkit consume ${topic.slice(0, -3)}
    `,
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trimEnd().split('\n')).toEqual(['compdef _kafkit kafkit', 'list:List topics with partitions, replication factor and a health marker', '(files)', topic])
  }, 120_000)

  it('fish: complete -C gives the candidates with descriptions', () => {
    requireShell('fish')
    const r = shell(
      'fish',
      ['-c'],
      `
      kafkit completion fish | source
      complete -C "kafkit grou"
      complete -C "kafkit consume --value-decoder b"
      complete -C "kafkit groups describe ${prefix}-g"
    `,
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trimEnd().split('\n')).toEqual(['groups\tConsumer groups: list, describe (lag), delete', 'base64', ...groups])
  }, 120_000)

  it('a cluster that does not answer completes nothing, quickly, with no error', async () => {
    const r = await kafkit(['__complete', 'bash', '--', 'consume', ''], {env: {...env, KAFKIT_BROKERS: '127.0.0.1:1'}, timeoutMs: 10_000})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('')
  })
})

describe('rough edges', () => {
  it('offsets reset --export says it exported; a reset that moves nothing saves no snapshot; stdin is "stdin"', async () => {
    const exported = await kafkit(['offsets', 'reset', groups[1], '--topic', topic, '--to-current', '--export'], {env})
    expect(exported.code).toBe(0)
    expect(exported.stdout).toBe(`${topic},0,10\n${topic},1,10\n${topic},2,10\n`)
    expect(exported.stderr).toContain(`exported 3 offsets of group '${groups[1]}' as CSV; nothing changed`)
    expect(exported.stderr).not.toContain('Plan only')
    const snapshots = async () => json<unknown[]>(await kafkit(['offsets', 'snapshots', groups[1], '--json'], {env})).length
    const before = await snapshots()
    const same = await kafkit(['offsets', 'reset', groups[1], '--from-file', '-', '--execute', '--json'], {env, input: exported.stdout})
    expect(same.code, same.stderr).toBe(0)
    expect(json<{executed: boolean; changes: number}>(same)).toMatchObject({executed: false, changes: 0})
    expect(await snapshots()).toBe(before)
    const bad = await kafkit(['offsets', 'reset', groups[1], '--from-file', '-'], {env, input: 'not,a,number\n'})
    expect(bad.code).toBe(2)
    expect(expectCleanError(bad).message).toMatch(/^stdin line 1: /)
  })

  it('profiles add names a --tls-ca file that does not exist', async () => {
    const r = await kafkit(['profiles', 'add', `${prefix}-tls`, '--brokers', 'h:9093', '--tls-ca', '/nonexistent/ca.pem', '--no-test'], {env})
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('warning: --tls-ca /nonexistent/ca.pem: no such file')
  })

  it('counts: "1 record", "its records"; Ctrl-C is not an error', async () => {
    const one = await kafkit(['produce', topic, '--partition', '0'], {input: 'x\n'})
    expect(one.stderr).toMatch(/^produced 1 record \(/)
    await kafkit(['produce', topic, '--partition', '0'], {input: 'y\n'})
    const refused = await kafkit(['topics', 'delete', topic])
    expect(expectCleanError(refused).message).toBe(`delete 1 topic (${topic}) and all its records: refusing without confirmation`)

    // Ctrl-C once the line is in the topic (partition 1's end moved past where it was: a retried test starts later).
    // By partition number: fetchTopicOffsets lists partitions in no set order.
    const endOf1 = async () => Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 1)!.high)
    const before = await endOf1()
    const child = spawn(process.execPath, [BIN, 'produce', topic, '--partition', '1'], {env: {...process.env, KAFKIT_BROKERS: TEST_BROKERS, NO_COLOR: '1'}, stdio: ['pipe', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdin.write('one\n')
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      if ((await endOf1()) > before) break
    }
    child.kill('SIGINT')
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(130)
    expect(stderr).toContain('interrupted: 1 record read before Ctrl-C was delivered, 0 failed')
    expect(stderr).not.toContain('error:')
  }, 120_000)

  it("interactive topics create warns about '.'/'_' on the first name", async () => {
    const t = terminal(['topics', 'create'], {KAFKIT_BROKERS: TEST_BROKERS})
    try {
      await t.waitFor('Topic name')
      t.type(`${prefix}.first\r`)
      await t.waitFor('could collide')
      await t.waitFor('Partitions')
    } finally {
      t.kill()
    }
  })
})
