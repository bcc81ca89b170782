/**
 * Everyday use, the pure parts: completion (what comes next after any words), suggestions for mistyped commands
 * and flags, global flags before the command, the flexible-version codecs of the all-groups requests, the time
 * lag, the wording helpers, and the small checks of profiles add / topics create.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

// @ts-expect-error plain JS module of bin/ (no types)
import {hoistGlobalFlags} from '../../bin/argv.js'
import {suggestCommand, suggestFlag} from '../../src/cli/suggest.js'
import {complete, type CompletionCommand, formatCandidates, valuesInDescription} from '../../src/completion/complete.js'
import {needsInteraction} from '../../src/completion/names.js'
import {completionScript, INSTALL} from '../../src/completion/scripts.js'
import {computeLag, formatTimeLag, partitionKey, withTimeLag} from '../../src/groups/lag.js'
import {decodeFindCoordinatorV4, decodeOffsetFetchV8, findCoordinatorV4, offsetFetchV8} from '../../src/kafka/kafkajs/protocol/group-batch-requests.js'
import {countOf, formatElapsed} from '../../src/output/numbers.js'
import {missingTlsFiles} from '../../src/profiles/add.js'
import {periodUnderscoreWarning} from '../../src/topics/names.js'

const ROOT = join(import.meta.dirname, '..', '..')

// A slice of the real command tree, in the manifest's shape.
const COMMANDS: CompletionCommand[] = [
  {id: 'topics:list', summary: 'List topics', flags: {all: {name: 'all', char: 'a', type: 'boolean'}, json: {name: 'json', type: 'boolean'}}, args: {regex: {name: 'regex'}}},
  {id: 'topics:describe', summary: 'Show a topic', flags: {}, args: {topic: {name: 'topic'}}},
  {id: 'topics:delete', summary: 'Delete topics', strict: false, flags: {yes: {name: 'yes', char: 'y', type: 'boolean'}}, args: {topics: {name: 'topics'}}},
  {
    id: 'consume',
    summary: 'Read records',
    flags: {
      format: {name: 'format', char: 'f', type: 'option'},
      'key-decoder': {name: 'key-decoder', type: 'option', description: 'how keys are shown: utf8|hex|base64|json'},
      from: {name: 'from', type: 'option', description: 'where to start: beginning|end|stored|OFFSET|-N|@TIME'},
      group: {name: 'group', char: 'g', type: 'option'},
      profile: {name: 'profile', char: 'p', type: 'option'},
      brokers: {name: 'brokers', char: 'b', type: 'option'},
      exit: {name: 'exit', char: 'e', type: 'boolean'},
    },
    args: {topic: {name: 'topic'}},
  },
  {
    id: 'produce',
    summary: 'Write records',
    flags: {file: {name: 'file', char: 'f', type: 'option', multiple: true}, compression: {name: 'compression', char: 'z', type: 'option', options: ['none', 'gzip', 'zstd']}},
    args: {topic: {name: 'topic'}},
  },
  {id: 'groups:describe', summary: 'Lag', flags: {all: {name: 'all', char: 'a', type: 'boolean'}}, args: {group: {name: 'group'}}},
  {id: 'profiles:use', summary: 'Use a profile', flags: {}, args: {name: {name: 'name'}}},
  {id: 'profiles:add', summary: 'Add a profile', flags: {'tls-ca': {name: 'tls-ca', type: 'option'}}, args: {name: {name: 'name'}}},
  {id: 'completion', summary: 'Completion script', flags: {}, args: {shell: {name: 'shell', options: ['bash', 'zsh', 'fish']}}},
  {id: '__complete', hidden: true, flags: {}, args: {}},
]
const TOPICS = [
  {name: 'topics', description: 'List, describe, create ... topics'},
  {name: 'groups', description: 'Consumer groups'},
  {name: 'profiles', description: 'Profiles'},
]
const at = (...words: string[]) => complete({commands: COMMANDS, topics: TOPICS, words})
const values = (...words: string[]) => {
  const c = at(...words)
  if (c.kind !== 'words') throw new Error(`expected words, got ${JSON.stringify(c)}`)
  return c.items.map((i) => i.value)
}

describe('completion: what comes next', () => {
  it('commands and topics of commands, hidden ones left out', () => {
    expect(values('')).toEqual(['completion', 'consume', 'groups', 'help', 'produce', 'profiles', 'topics'])
    expect(values('to')).toEqual(['topics'])
    expect(values('topics', '')).toEqual(['delete', 'describe', 'list'])
    expect(values('topics', 'de')).toEqual(['delete', 'describe'])
    expect(at('topics', 'de').kind === 'words' && (at('topics', 'de') as {items: {description?: string}[]}).items[0].description).toBe('Delete topics')
  })

  it('flags of the command, not those already given (unless repeatable); global flags before a command', () => {
    expect(values('consume', 'orders', '--')).toContain('--key-decoder')
    expect(values('consume', 'orders', '-e', '--ex')).toEqual([])
    expect(values('consume', 'orders', '--e')).toEqual(['--exit'])
    expect(values('produce', 'x', '--file', 'a', '--f')).toEqual(['--file'])
    expect(values('-')).toEqual(expect.arrayContaining(['--profile', '-p', '--brokers', '-b', '--version', '--help']))
  })

  it('flag values: options, the literal values a description lists, files', () => {
    expect(values('produce', 't', '--compression', '')).toEqual(['none', 'gzip', 'zstd'])
    expect(values('produce', 't', '-z', 'g')).toEqual(['gzip'])
    expect(values('consume', 't', '--key-decoder', '')).toEqual(['utf8', 'hex', 'base64', 'json'])
    expect(values('consume', 't', '--from', '')).toEqual(['beginning', 'end', 'stored'])
    expect(values('consume', 't', '--key-decoder=h')).toEqual(['--key-decoder=hex'])
    expect(at('produce', 't', '--file', '')).toEqual({kind: 'files'})
    expect(at('profiles', 'add', 'x', '--tls-ca', '/tmp/')).toEqual({kind: 'files'})
    expect(values('completion', '')).toEqual(['bash', 'zsh', 'fish'])
  })

  it('names from the cluster and the config, with the connection typed on the line', () => {
    expect(at('consume', 'or')).toMatchObject({kind: 'names', name: 'topic', prefix: 'or'})
    expect(at('-p', 'prod', 'consume', '')).toMatchObject({kind: 'names', name: 'topic', connection: {profile: 'prod'}})
    expect(at('consume', '-b', 'h:9092', 'o')).toMatchObject({kind: 'names', name: 'topic', connection: {brokers: 'h:9092'}})
    expect(at('consume', 'orders', '--group', '')).toMatchObject({kind: 'names', name: 'group'})
    expect(at('consume', 'orders', '--group=bi')).toMatchObject({kind: 'names', name: 'group', prefix: 'bi', insertPrefix: '--group='})
    expect(at('consume', 'orders', '-p', '')).toMatchObject({kind: 'names', name: 'profile'})
    expect(at('groups', 'describe', '')).toMatchObject({kind: 'names', name: 'group'})
    expect(at('profiles', 'use', '')).toMatchObject({kind: 'names', name: 'profile'})
    expect(at('profiles', 'add', '')).toEqual({kind: 'words', items: []})
    // Variadic arguments repeat: every word of `topics delete` is a topic.
    expect(at('topics', 'delete', 'a', 'b', '')).toMatchObject({kind: 'names', name: 'topic'})
    // One argument only: nothing after it.
    expect(at('topics', 'describe', 'orders', '')).toEqual({kind: 'words', items: []})
  })

  it('valuesInDescription keeps literal words, not placeholders', () => {
    expect(valuesInDescription('where to stop (inclusive): OFFSET|@TIME|end')).toEqual(['end'])
    expect(valuesInDescription('no list here')).toEqual([])
  })

  it('prints one candidate per line, with descriptions for zsh and fish, or :files', () => {
    expect(formatCandidates([{value: 'a', description: 'd'}, {value: 'b'}], 'zsh')).toBe('a\td\nb\n')
    expect(formatCandidates([{value: 'a', description: 'd'}], 'bash')).toBe('a\n')
    expect(formatCandidates('files', 'fish')).toBe(':files\n')
  })

  it('the scripts register the function for the program and say how to install them', () => {
    expect(completionScript('bash')).toContain('complete -F _kafkit_complete kafkit')
    expect(completionScript('zsh')).toContain('compdef _kafkit kafkit')
    expect(completionScript('fish')).toContain("complete -c kafkit -f -a '(___kafkit_complete)'")
    for (const shell of ['bash', 'zsh', 'fish'] as const) expect(completionScript(shell)).toContain(INSTALL[shell])
  })

  it('never runs a command of the user on Tab (password, token or AWS credentials)', () => {
    const base = {profile: 'p', brokers: ['h:1'], protected: false, clientId: 'kafkit'}
    expect(needsInteraction(base)).toBe(false)
    expect(needsInteraction({...base, sasl: {mechanism: 'plain', username: 'u', password: {env: 'PW'}}})).toBe(false)
    expect(needsInteraction({...base, sasl: {mechanism: 'plain', username: 'u', password: {command: 'pass x'}}})).toBe(true)
    expect(needsInteraction({...base, sasl: {mechanism: 'oauthbearer', tokenCommand: 'x'}})).toBe(true)
    expect(needsInteraction({...base, sasl: {mechanism: 'aws-msk-iam', region: 'us-east-1'}})).toBe(true)
  })
})

describe('mistakes forgiven', () => {
  const ids = ['topics:list', 'topics:describe', 'groups:list', 'groups:describe', 'consume', 'produce', 'offsets:reset']
  const topics = ['topics', 'groups', 'offsets']
  it('a mistyped command: the nearest one, with the rest of the line', () => {
    expect(suggestCommand('topic', ['list'], ids, topics)).toEqual({id: 'topics:list', replaced: 2, line: 'topics list'})
    expect(suggestCommand('topics:lst', ['--json'], ids, topics)).toEqual({id: 'topics:list', replaced: 2, line: 'topics list --json'})
    expect(suggestCommand('consme', ['orders', '-e'], ids, topics)?.line).toBe('consume orders -e')
    expect(suggestCommand('grups', [], ids, topics)).toEqual({id: 'groups', replaced: 1, line: 'groups'})
    expect(suggestCommand('zzzzzz', [], ids, topics)).toBeUndefined()
  })

  it('a mistyped flag: the nearest flag, or the only one it starts', () => {
    const flags = [{name: 'format'}, {name: 'from'}, {name: 'partitions'}, {name: 'json'}]
    expect(suggestFlag('--form', flags)).toBe('--format')
    expect(suggestFlag('--partiton', flags)).toBe('--partitions')
    expect(suggestFlag('--part', flags)).toBe('--partitions')
    expect(suggestFlag('--jsn=1', flags)).toBe('--json')
    expect(suggestFlag('--nothing-like-it', flags)).toBeUndefined()
  })

  it('global flags before the command move after it (before a --)', () => {
    expect(hoistGlobalFlags(['-p', 'prod', 'topics', 'list'])).toEqual(['topics', 'list', '-p', 'prod'])
    expect(hoistGlobalFlags(['-b', 'h:9092', '--debug', 'groups', 'list', 'x'])).toEqual(['groups', 'list', 'x', '-b', 'h:9092', '--debug'])
    expect(hoistGlobalFlags(['--profile=prod', '--timeout', '5s', 'consume', 't', '--', '-x'])).toEqual(['consume', 't', '--profile=prod', '--timeout', '5s', '--', '-x'])
    expect(hoistGlobalFlags(['-pprod', 'topics', 'list'])).toEqual(['topics', 'list', '-pprod'])
    expect(hoistGlobalFlags(['topics', 'list', '-p', 'prod'])).toEqual(['topics', 'list', '-p', 'prod'])
    expect(hoistGlobalFlags(['--version'])).toEqual(['--version'])
    expect(hoistGlobalFlags(['-p', 'prod'])).toEqual(['-p', 'prod'])
  })
})

describe('all groups in one round: the flexible-version requests', () => {
  const body = (request: {encode: () => Promise<unknown>}) => request.encode().then((e) => (e as {buffer: Buffer}).buffer)

  it('FindCoordinator v4 asks for all groups in one request', async () => {
    const {request} = findCoordinatorV4(['g1', 'g2'])
    expect(request).toMatchObject({apiKey: 10, apiVersion: 4})
    // header tags, key_type 0, compact array of 2, "g1", "g2", tags
    expect([...(await body(request))]).toEqual([0, 0, 3, 3, 0x67, 0x31, 3, 0x67, 0x32, 0])
  })

  it('FindCoordinator v4 response', () => {
    const raw = Buffer.concat([
      Buffer.from([0]), // header tags
      Buffer.from([0, 0, 0, 0]), // throttle
      Buffer.from([3]), // 2 coordinators
      Buffer.from([3, 0x67, 0x31, 0, 0, 0, 1, 10, ...Buffer.from('localhost'), 0, 0, 0x23, 0x84, 0, 0, 0, 0]),
      Buffer.from([3, 0x67, 0x32, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 15, 5, ...Buffer.from('busy'), 0]),
      Buffer.from([0]),
    ])
    expect(decodeFindCoordinatorV4(raw)).toEqual([
      {key: 'g1', nodeId: 1, errorCode: 0, errorMessage: null},
      {key: 'g2', nodeId: -1, errorCode: 15, errorMessage: 'busy'},
    ])
  })

  it('OffsetFetch v8 asks for every topic of every group in one request, and reads the answer', async () => {
    const {request} = offsetFetchV8(['g'])
    expect(request).toMatchObject({apiKey: 9, apiVersion: 8})
    expect([...(await body(request))]).toEqual([0, 2, 2, 0x67, 0, 0, 0, 0])
    const int64 = (n: number) => {
      const b = Buffer.alloc(8)
      b.writeBigInt64BE(BigInt(n))
      return b
    }
    const raw = Buffer.concat([
      Buffer.from([0, 0, 0, 0, 0, 2, 2, 0x67, 2, 2, 0x74]), // tags, throttle, 1 group "g", 1 topic "t"
      Buffer.from([3]), // 2 partitions
      Buffer.from([0, 0, 0, 0]),
      int64(42),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]), // p0 @42, epoch, null metadata, no error, tags
      Buffer.from([0, 0, 0, 1]),
      int64(-1),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0]), // p1: no commit
      Buffer.from([0, 0, 0, 0]), // topic tags, group error 0, group tags
      Buffer.from([0]),
    ])
    expect(decodeOffsetFetchV8(raw)).toEqual([
      {
        groupId: 'g',
        errorCode: 0,
        topics: [
          {
            name: 't',
            partitions: [
              {partition: 0, offset: 42, errorCode: 0},
              {partition: 1, offset: -1, errorCode: 0},
            ],
          },
        ],
      },
    ])
  })
})

describe('time lag', () => {
  const group = {groupId: 'g', state: 'Empty', protocolType: 'consumer', protocol: '', members: []}
  const lag = computeLag(
    group,
    [
      {topic: 't', partition: 0, offset: 5},
      {topic: 't', partition: 1, offset: 10},
      {topic: 't', partition: 2, offset: 3},
    ],
    new Map([
      [
        't',
        [
          {partition: 0, low: 0, high: 10},
          {partition: 1, low: 0, high: 10},
          {partition: 2, low: 0, high: 7},
        ],
      ],
    ]),
  )

  it('is the age of the record at the committed offset; 0 when caught up; null when unknown', () => {
    const now = 1_000_000
    const out = withTimeLag(lag, new Map([[partitionKey('t', 0), now - 90_000]]), now)
    expect(out.partitions.map((p) => p.timeLagMs)).toEqual([90_000, 0, null])
    expect(out.maxTimeLagMs).toBe(90_000)
    expect(withTimeLag(lag, new Map([[partitionKey('t', 0), now + 5]]), now).partitions[0].timeLagMs).toBe(0) // clock skew
  })

  it('reads as a duration', () => {
    expect([0, 850, 42_000, 190_000, 7_500_000, 97_200_000, null].map(formatTimeLag)).toEqual(['0s', '850ms', '42s', '3m 10s', '2h 05m', '1d 03h', '-'])
  })
})

describe('wording', () => {
  it('counts in the right number, with thousands separators', () => {
    expect(countOf(1, 'record')).toBe('1 record')
    expect(countOf(0, 'record')).toBe('0 records')
    expect(countOf(1234567, 'record')).toBe('1,234,567 records')
    expect(countOf(2, 'entry', 'entries')).toBe('2 entries')
  })

  it('an elapsed time is never "0s"', () => {
    expect([40, 1234, 12_345, 125_000, 4_000_000].map(formatElapsed)).toEqual(['0.04s', '1.23s', '12.3s', '2m05s', '1h06m'])
  })

  it('profiles add: TLS files that do not exist are named', () => {
    expect(missingTlsFiles({ca: '/nope/ca.pem', cert: '/ok/c.pem', key: '/ok/k.pem'}, (p) => p.startsWith('/ok'))).toEqual([
      '--tls-ca /nope/ca.pem: no such file; the profile is saved, but cannot connect until the file is there',
    ])
    expect(missingTlsFiles(undefined, () => false)).toEqual([])
  })

  it("topics create warns about '.' and '_' on the first such name, as TopicCommand does", () => {
    expect(periodUnderscoreWarning('orders.eu')).toMatch(/period.*underscore/)
    expect(periodUnderscoreWarning('orders_eu')).toMatch(/could collide/)
    expect(periodUnderscoreWarning('orders-eu')).toBeUndefined()
    expect(periodUnderscoreWarning('__consumer_offsets')).toBeUndefined()
  })
})

describe('packaging', () => {
  it('package.json names the license, repository, homepage and bugs; LICENSE is Apache-2.0 and shipped', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown> & {files: string[]; oclif: {hooks: Record<string, string>}}
    expect(pkg.license).toBe('Apache-2.0')
    expect(pkg.repository).toEqual({type: 'git', url: 'git+https://github.com/kafkit/kafkit.git'})
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/kafkit\/kafkit/)
    expect(pkg.bugs).toEqual({url: 'https://github.com/kafkit/kafkit/issues'})
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License')
    expect(pkg.oclif.hooks.command_not_found).toBe('./dist/bundle/hooks/command-not-found.js')
  })
})
