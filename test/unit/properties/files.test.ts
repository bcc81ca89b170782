/** Files a user hands kafkit: the offsets CSV (offsets reset --from-file), topics files (topics apply), profiles files (config.yaml). */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {formatCsv, parseCsv} from '../../../src/offsets/csv.js'
import {loadConfig} from '../../../src/profiles/config.js'
import {parseApplyFile, validateDesiredState} from '../../../src/topics/apply.js'
import {accepts, acceptsAsync, DIGITS, RUNS, userText} from './contract.js'

describe('properties: offsets CSV', {timeout: 120_000}, () => {
  const row = fc.record({
    topic: fc.string({minLength: 1, maxLength: 12}).filter((t) => t.trim() === t && !t.startsWith('#') && !/[\r\n]/.test(t)),
    partition: fc.nat({max: 2 ** 31 - 1}),
    offset: fc.nat(),
  })

  it('any text is rows of safe numbers or a one-line exit 2 naming the line', () => {
    const csvText = fc.oneof(
      userText(`${DIGITS},"\n\r #abtopicTP-`, 80),
      fc
        .array(
          fc.array(fc.oneof(fc.nat().map(String), fc.string({maxLength: 6}), fc.constant('"a,b"')), {maxLength: 5}).map((f) => f.join(',')),
          {maxLength: 5},
        )
        .map((l) => l.join('\n')),
    )
    fc.assert(
      fc.property(csvText, (text) => {
        const rows = accepts(() => parseCsv(text, 'g', 'offsets.csv'), text)
        for (const r of rows ?? []) {
          expect(r.topic.length).toBeGreaterThan(0)
          expect(Number.isSafeInteger(r.partition) && r.partition < 2 ** 31, text).toBe(true)
          expect(Number.isSafeInteger(r.offset), text).toBe(true)
        }
      }),
      {numRuns: RUNS},
    )
  })

  it('formatCsv -> parseCsv gives the rows back (quoted topics too)', () => {
    fc.assert(
      fc.property(fc.array(row, {maxLength: 6}), (rows) => {
        expect(parseCsv(formatCsv(rows), 'g')).toEqual(rows)
      }),
      {numRuns: RUNS},
    )
  })
})

const CONFIG_KEYS = ['retention.ms', 'cleanup.policy', 'segment.bytes', 'min.insync.replicas', 'max.message.bytes', 'compression.type', 'unclean.leader.election.enable', 'retention.msx', 'x']
const scalar = fc.oneof(fc.string({maxLength: 8}), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('7d', 'forever', '1GiB', 'both', 'compact', '0.5', '-1', 'zstd'))
const topicEntry = fc.dictionary(
  fc.constantFrom('name', 'partitions', 'replicationFactor', 'configs', 'nmae'),
  fc.oneof(
    scalar,
    fc.dictionary(fc.constantFrom(...CONFIG_KEYS), scalar, {maxKeys: 3}),
    fc.array(scalar, {maxLength: 2}),
    fc.constantFrom('orders', '__consumer_offsets', 'a b', 'x'.repeat(250), '.', '..'),
  ),
  {maxKeys: 4},
)
const topicsDoc = fc.oneof({weight: 4, arbitrary: fc.record({topics: fc.array(topicEntry, {maxLength: 3})}, {requiredKeys: []})}, {weight: 1, arbitrary: fc.anything({maxDepth: 3})})

describe('properties: topics files (topics apply -f)', {timeout: 120_000}, () => {
  it('any document is a desired state (whole numbers, string configs) or a one-line exit 2 naming the file', () => {
    fc.assert(
      fc.property(topicsDoc, (doc) => {
        const state = accepts(() => validateDesiredState(doc, 'topics.yaml'), doc)
        for (const t of state?.topics ?? []) {
          for (const n of [t.partitions, t.replicationFactor]) if (n !== undefined) expect(Number.isSafeInteger(n) && n >= 1 && n < 2 ** 31, JSON.stringify(t)).toBe(true)
          for (const v of Object.values(t.configs)) expect(typeof v).toBe('string')
        }
      }),
      {numRuns: RUNS},
    )
  })

  it('any text (YAML, JSON, junk) parses or is a one-line exit 2 naming the file', async () => {
    const text = fc.oneof(
      topicsDoc.map((d) => JSON.stringify(d) ?? ''),
      userText('topics:- name partitions 12\n\t{}[]"\'&*!|>#', 80),
    )
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const state = await acceptsAsync(() => parseApplyFile(t, 'topics.yaml'), t)
        if (state === undefined) return
        expect(Array.isArray(state.topics)).toBe(true)
      }),
      {numRuns: RUNS},
    )
  })
})

describe('properties: profiles files (config.yaml)', {timeout: 240_000}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-prop-config-'))
  const secret = fc.dictionary(fc.constantFrom('password', 'passwordEnv', 'passwordCommand', 'passphrase', 'clientSecret', 'clientSecretEnv'), fc.oneof(fc.string({maxLength: 6}), fc.integer()), {
    maxKeys: 2,
  })
  const profile = fc.dictionary(
    fc.constantFrom('brokers', 'tls', 'sasl', 'protected', 'clientId', 'brokerz'),
    fc.oneof(
      scalar,
      fc.array(fc.oneof(fc.constantFrom('a:1', 'h:99999', '[::1]:9092', 'x', ''), fc.string({maxLength: 6})), {maxLength: 3}),
      fc
        .tuple(
          fc.dictionary(
            fc.constantFrom('mechanism', 'username', 'tokenCommand', 'extensions', 'region', 'ca', 'cert', 'key', 'servername', 'insecureSkipVerify', 'scope'),
            fc.oneof(scalar, fc.constantFrom('plain', 'SCRAM-SHA-512', 'oauthbearer', 'aws-msk-iam', 'rot13')),
            {maxKeys: 3},
          ),
          secret,
        )
        .map(([a, b]) => ({...a, ...b})),
    ),
    {maxKeys: 4},
  )
  const config = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          current: fc.oneof(fc.string({maxLength: 5}), fc.integer(), fc.constant('local')),
          profiles: fc.dictionary(fc.oneof(fc.constantFrom('dev', 'prod', 'a b', '-x'), fc.string({maxLength: 5})), profile, {maxKeys: 3}),
        },
        {requiredKeys: []},
      ),
    },
    {weight: 1, arbitrary: fc.anything({maxDepth: 2})},
  )
  const yamlText = fc.oneof(
    config.map((c) => JSON.stringify(c) ?? ''),
    userText('profiles:current brokers [a:1] \n\t-{}"&*!#', 80),
  )

  it('any file loads to profiles or is a one-line exit 2 naming the file and line', async () => {
    let i = 0
    await fc.assert(
      fc.asyncProperty(yamlText, async (text) => {
        const path = join(dir, `config-${i++ % 8}.yaml`)
        writeFileSync(path, text, {mode: 0o600})
        try {
          const loaded = await loadConfig(path)
          for (const p of Object.values(loaded.config.profiles)) expect(p.brokers.length).toBeGreaterThan(0)
        } catch (error) {
          await acceptsAsync(() => Promise.reject(error), text)
          expect((error as Error).message.startsWith(`${path}:`), (error as Error).message).toBe(true)
        }
      }),
      {numRuns: RUNS},
    )
  })
})
