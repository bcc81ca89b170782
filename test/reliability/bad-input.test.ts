/**
 * The bad-input corpus: every way a user or a script can get a command wrong, across all commands. Each case
 * must end with the documented exit code, one `error:` line plus a `hint:` line, no stack trace, and never hang
 * (a run still going after 60 s is killed and fails as hung; no speed thresholds). Table-driven: a new failure
 * mode is one more row.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {RunOptions, expectCleanError, kafkit, uniqueName} from '../integration/helpers.js'

interface Case {
  name: string
  args: (ctx: Context) => string[]
  exit: number
  /** Part of the error line, case-insensitive. */
  message?: RegExp
  input?: string | Buffer
  env?: (ctx: Context) => NodeJS.ProcessEnv
}

interface Context {
  topic: string
  dir: string
  badYaml: string
  badField: string
  goodConfig: string
}

const ctx: Context = {topic: uniqueName('bad-input'), dir: '', badYaml: '', badField: '', goodConfig: ''}
const DEAD = '127.0.0.1:1'

const cases: Case[] = [
  // usage: flags and arguments
  {name: 'unknown flag', args: () => ['topics', 'list', '--bogus'], exit: 2, message: /bogus/},
  {name: 'unknown flag on produce', args: (c) => ['produce', c.topic, '--nope'], exit: 2},
  {name: 'missing topic argument on produce', args: () => ['produce'], exit: 2},
  {name: 'missing topic argument on consume', args: () => ['consume'], exit: 2},
  {name: 'bad --timeout', args: () => ['cluster', 'info', '--timeout', 'soon'], exit: 2, message: /timeout/},
  {name: 'bad --brokers port', args: () => ['cluster', 'info', '-b', 'host:99999'], exit: 2, message: /port/},
  {name: 'empty --brokers', args: () => ['cluster', 'info', '-b', ','], exit: 2},
  {name: 'bad option value for --acks', args: (c) => ['produce', c.topic, '--acks', '2', '--value', 'x'], exit: 2},
  {name: 'bad compression codec', args: (c) => ['produce', c.topic, '-z', 'brotli', '--value', 'x'], exit: 2},
  {name: 'bad partitioner', args: (c) => ['produce', c.topic, '--partitioner', 'random', '--value', 'x'], exit: 2},
  {name: 'bad --max-line-bytes', args: (c) => ['produce', c.topic, '--max-line-bytes', 'lots'], exit: 2},
  {name: 'bad --rate', args: (c) => ['produce', c.topic, '--rate', '-5', '--value', 'x'], exit: 2},
  {name: 'bad --timestamp', args: (c) => ['produce', c.topic, '--timestamp', 'yesterday-ish', '--value', 'x'], exit: 2},
  // usage: specs
  {name: 'bad --from spec', args: (c) => ['consume', c.topic, '--from', 'yesterday', '-e'], exit: 2, message: /yesterday/},
  {name: 'bad --to spec', args: (c) => ['consume', c.topic, '--to', 'later', '-e'], exit: 2},
  {name: 'bad --range (no colon)', args: (c) => ['consume', c.topic, '--range', '100', '-e'], exit: 2},
  {name: 'bad --range time', args: (c) => ['consume', c.topic, '--range', '@2026-13-45:@-1h', '-e'], exit: 2},
  {name: 'bad time in spec', args: (c) => ['consume', c.topic, '--from', '@not-a-time', '-e'], exit: 2},
  {name: 'bad --partitions list', args: (c) => ['consume', c.topic, '--partitions', 'a,b', '-e'], exit: 2},
  {name: 'bad --count', args: (c) => ['consume', c.topic, '--count', 'many', '-e'], exit: 2},
  {name: 'bad --grep regex', args: (c) => ['consume', c.topic, '--grep', '(', '-e'], exit: 2},
  {name: 'bad --regex pattern', args: () => ['consume', '(', '--regex', '-e'], exit: 2},
  {name: 'bad value decoder', args: (c) => ['consume', c.topic, '--value-decoder', 'rot13', '-e'], exit: 2},
  {name: 'bad template placeholder', args: (c) => ['consume', c.topic, '-f', '%q', '-e'], exit: 2},
  {name: 'replay bad --from', args: (c) => ['replay', c.topic, `${c.topic}-dst`, '--from', 'whenever', '--to', 'end'], exit: 2},
  {name: 'replay same topic refused', args: (c) => ['replay', c.topic, c.topic, '--from', 'beginning', '--to', 'end', '--execute'], exit: 6},
  {name: 'offsets reset without strategy', args: () => ['offsets', 'reset', 'some-group', '--all-topics'], exit: 2},
  {name: 'offsets reset conflicting strategies', args: () => ['offsets', 'reset', 'g', '--all-topics', '--to-earliest', '--to-latest'], exit: 2},
  {name: 'offsets reset bad datetime', args: (c) => ['offsets', 'reset', 'g', '--topic', c.topic, '--to-datetime', 'tuesday'], exit: 2},
  {name: 'offsets reset bad duration', args: (c) => ['offsets', 'reset', 'g', '--topic', c.topic, '--by-duration', 'a while'], exit: 2},
  {name: 'offsets reset bad shift', args: (c) => ['offsets', 'reset', 'g', '--topic', c.topic, '--shift-by', 'ten'], exit: 2},
  {name: 'offsets list bad --at', args: (c) => ['offsets', 'list', c.topic, '--at', 'noon-ish'], exit: 2},
  {name: 'topics create bad partitions', args: (c) => ['topics', 'create', `${c.topic}-x`, '--partitions', '0'], exit: 2},
  {name: 'topics create illegal name', args: () => ['topics', 'create', 'bad name!', '--partitions', '1'], exit: 2},
  {name: 'topics create name too long', args: () => ['topics', 'create', 'x'.repeat(250), '--partitions', '1'], exit: 2},
  {name: 'topics create bad config syntax', args: (c) => ['topics', 'create', `${c.topic}-y`, '--partitions', '1', '--config', 'retention.ms'], exit: 2},
  {name: 'topics create without partitions, no TTY', args: (c) => ['topics', 'create', `${c.topic}-z`], exit: 2},
  {name: 'topics alter unknown config key', args: (c) => ['topics', 'alter', c.topic, '--set', 'retention.msec=5'], exit: 2, message: /retention/},
  {name: 'topics apply missing file', args: () => ['topics', 'apply', '-f', '/nonexistent/topics.yaml'], exit: 2},
  {name: 'topics delete without --yes, no TTY', args: (c) => ['topics', 'delete', c.topic], exit: 6},
  {name: 'groups delete without --yes, no TTY', args: () => ['groups', 'delete', uniqueName('nogroup')], exit: 3},
  // malformed input
  {name: 'malformed JSON line', args: (c) => ['produce', c.topic, '--format', 'json'], input: '{"value":"ok"}\n{"value":\n', exit: 2, message: /line 2/},
  {name: 'JSON that is not an object', args: (c) => ['produce', c.topic, '--format', 'json'], input: '[1,2]\n', exit: 2, message: /line 1/},
  {name: 'bad base64 in envelope', args: (c) => ['produce', c.topic, '--format', 'json'], input: '{"value":"%%%","valueEncoding":"base64"}\n', exit: 2},
  {name: 'negative partition in envelope', args: (c) => ['produce', c.topic, '--format', 'json', '--keep-partition'], input: '{"value":"v","partition":-3}\n', exit: 2},
  {name: 'binary junk as JSON', args: (c) => ['produce', c.topic, '--format', 'json'], input: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a]), exit: 2},
  {name: 'huge line over --max-line-bytes', args: (c) => ['produce', c.topic, '--max-line-bytes', '1KiB'], input: 'x'.repeat(5000) + '\n', exit: 2},
  // not found
  {name: 'produce to unknown topic', args: () => ['produce', uniqueName('missing'), '--value', 'x'], exit: 3},
  {name: 'consume unknown topic', args: () => ['consume', uniqueName('missing'), '-e'], exit: 3},
  {name: 'consume unknown partition', args: (c) => ['consume', c.topic, '--partitions', '7', '-e'], exit: 3},
  {name: 'produce to unknown partition', args: (c) => ['produce', c.topic, '--partition', '9', '--value', 'x'], exit: 3},
  {name: 'topics describe unknown topic', args: () => ['topics', 'describe', uniqueName('missing')], exit: 3},
  {name: 'topics delete unknown topic', args: () => ['topics', 'delete', uniqueName('missing'), '--yes'], exit: 3},
  {name: 'topics alter unknown topic', args: () => ['topics', 'alter', uniqueName('missing'), '--set', 'retention.ms=1000'], exit: 3},
  {name: 'offsets list unknown topic', args: () => ['offsets', 'list', uniqueName('missing')], exit: 3},
  {name: 'groups describe unknown group', args: () => ['groups', 'describe', uniqueName('nogroup')], exit: 3},
  {name: 'offsets undo unknown group', args: () => ['offsets', 'undo', uniqueName('nogroup')], exit: 3},
  {name: 'replay unknown source topic', args: (c) => ['replay', uniqueName('missing'), c.topic, '--from', 'beginning', '--to', 'end', '--execute'], exit: 3},
  {name: 'unknown profile', args: () => ['topics', 'list', '-p', 'no-such-profile'], exit: 3, env: (c) => ({KAFKIT_CONFIG: c.goodConfig})},
  {name: 'profiles show unknown', args: () => ['profiles', 'show', 'no-such-profile'], exit: 3, env: (c) => ({KAFKIT_CONFIG: c.goodConfig})},
  // config file errors
  {name: 'YAML syntax error in config', args: () => ['topics', 'list'], exit: 2, env: (c) => ({KAFKIT_CONFIG: c.badYaml}), message: /bad\.yaml:\d+/},
  {name: 'invalid field in config', args: () => ['profiles', 'list'], exit: 2, env: (c) => ({KAFKIT_CONFIG: c.badField})},
  // cannot connect
  {name: 'broker unreachable: topics list', args: () => ['topics', 'list', '-b', DEAD, '--timeout', '3s'], exit: 4},
  {name: 'broker unreachable: produce', args: (c) => ['produce', c.topic, '-b', DEAD, '--timeout', '3s', '--value', 'x'], exit: 4},
  {name: 'broker unreachable: consume', args: (c) => ['consume', c.topic, '-b', DEAD, '--timeout', '3s', '-e'], exit: 4},
  {name: 'broker unreachable: groups list', args: () => ['groups', 'list', '-b', DEAD, '--timeout', '3s'], exit: 4},
  {name: 'broker unreachable: offsets list', args: (c) => ['offsets', 'list', c.topic, '-b', DEAD, '--timeout', '3s'], exit: 4},
  {name: 'unresolvable host', args: () => ['cluster', 'info', '-b', 'no-such-host.invalid:9092', '--timeout', '3s'], exit: 4},
  // empty input is fine, not an error
]

function writeFixtures(): void {
  ctx.dir = mkdtempSync(join(tmpdir(), 'kafkit-bad-'))
  ctx.badYaml = join(ctx.dir, 'bad.yaml')
  writeFileSync(ctx.badYaml, 'current: local\nprofiles:\n  staging:\n    brokers: [a:1\n    tls: {\n', {mode: 0o600})
  ctx.badField = join(ctx.dir, 'bad-field.yaml')
  writeFileSync(ctx.badField, 'current: staging\nprofiles:\n  staging:\n    brokers: 42\n    sasl: {mechanism: rot13}\n', {mode: 0o600})
  ctx.goodConfig = join(ctx.dir, 'good.yaml')
  writeFileSync(ctx.goodConfig, 'current: local\nprofiles: {}\n', {mode: 0o600})
}

describe('bad input corpus', () => {
  beforeAll(async () => {
    writeFixtures()
    const created = await kafkit(['topics', 'create', ctx.topic, '--partitions', '2'])
    expect(created.code, created.stderr).toBe(0)
  })
  afterAll(async () => {
    await kafkit(['topics', 'delete', ctx.topic, `${ctx.topic}-dst`, '--yes'])
  })

  it(`has at least 60 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(60))

  describe.concurrent.each(cases)('$name', (c) => {
    it(`exits ${c.exit} with one error line and a hint`, async () => {
      const options: RunOptions = {input: c.input, env: c.env?.(ctx), timeoutMs: 60_000}
      const result = await kafkit(c.args(ctx), options)
      expect(result.signal, `hung: killed after ${result.durationMs} ms: ${result.stderr}`).toBeNull()
      expect(result.code, `stderr: ${result.stderr}`).toBe(c.exit)
      const {message, hint} = expectCleanError(result)
      expect(hint, `no hint line in: ${result.stderr}`).toBeTruthy()
      expect(result.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1)
      if (c.message) expect(message).toMatch(c.message)
    })
  })

  it('empty stdin produces nothing and succeeds', async () => {
    const result = await kafkit(['produce', ctx.topic], {input: ''})
    expect(result.code, result.stderr).toBe(0)
  })

  it('prints a stack trace only with --debug', async () => {
    const result = await kafkit(['consume', ctx.topic, '--from', 'yesterday', '-e', '--debug'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/\n\s+at .+/)
  })
})
