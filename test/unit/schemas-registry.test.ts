import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import {registrySystemProperties} from '../../src/local/registry.js'
import {profileFromFlags} from '../../src/profiles/add.js'
import {profileToYaml} from '../../src/profiles/config.js'
import {redactProfile} from '../../src/profiles/describe.js'
import {resolveSchemaRegistry} from '../../src/profiles/resolve.js'
import {validateConfig} from '../../src/profiles/validate.js'
import {ActualSubject, DesiredSchemas, DesiredSubject, concreteReferences, formatSchemasPlan, orderByReferences, parseSchemasFile, planSchemas} from '../../src/schemas/apply.js'
import {parseToken} from '../../src/schemas/connection.js'
import {normalizeType, parseRegistryUrl} from '../../src/schemas/registry.js'
import {checkSchemaText, inferSchemaType, parseCompatibilityLevel, parseReference, parseSchemaType, parseVersion} from '../../src/schemas/schema-file.js'

function thrown(fn: () => unknown): KafkitError {
  try {
    fn()
  } catch (error) {
    if (error instanceof KafkitError) return error
    throw error
  }
  throw new Error('did not throw')
}

async function rejected(promise: Promise<unknown>): Promise<KafkitError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof KafkitError) return error
    throw error
  }
  throw new Error('did not reject')
}

const fail = (path: (string | number)[], message: string) => new KafkitError('CONFIG_INVALID', `${path.join('.')}: ${message}`, {exitCode: 2})

describe('schema files', () => {
  it('infers the type from the extension, then from the content', () => {
    expect(inferSchemaType('a.avsc', '{}')).toBe('AVRO')
    expect(inferSchemaType('a.proto', 'whatever')).toBe('PROTOBUF')
    expect(inferSchemaType('a.json', '{"type":"record","name":"A","fields":[]}')).toBe('AVRO')
    expect(inferSchemaType('a.json', '{"type":"enum","name":"E","symbols":["A"]}')).toBe('AVRO')
    expect(inferSchemaType('a.json', '"string"')).toBe('AVRO')
    expect(inferSchemaType('a.json', '["null","string"]')).toBe('AVRO')
    expect(inferSchemaType('a.json', '{"type":"array","items":"string"}')).toBe('AVRO')
    expect(inferSchemaType('a.json', '{"$schema":"http://json-schema.org/draft-07/schema#","type":"string"}')).toBe('JSON')
    expect(inferSchemaType('a.json', '{"type":"object","properties":{"a":{"type":"string"}}}')).toBe('JSON')
    expect(inferSchemaType('a.schema', 'syntax = "proto3";\nmessage A { string a = 1; }')).toBe('PROTOBUF')
  })

  it('asks for --type when the content does not say', () => {
    expect(thrown(() => inferSchemaType('a.json', '{"type":"string"}')).hint).toContain('--type')
    expect(thrown(() => inferSchemaType('a.txt', 'hello')).exitCode).toBe(2)
    expect(thrown(() => inferSchemaType('a.json', '{not json')).code).toBe('BAD_SCHEMA_TYPE')
  })

  it('checks that Avro and JSON Schema are JSON, and says where', () => {
    expect(() => checkSchemaText('{"type":"string"}', 'AVRO', 'a.avsc')).not.toThrow()
    expect(() => checkSchemaText('message A {}', 'PROTOBUF', 'a.proto')).not.toThrow()
    const e = thrown(() => checkSchemaText('{"type": }', 'AVRO', 'a.avsc'))
    expect(e.message).toMatch(/^a\.avsc: an Avro schema must be JSON/)
    expect(e.exitCode).toBe(2)
    expect(thrown(() => checkSchemaText('  ', 'JSON', 'x')).message).toContain('empty')
  })

  it('parses types, versions, levels and references', () => {
    expect(parseSchemaType('avro')).toBe('AVRO')
    expect(parseSchemaType('Protobuf')).toBe('PROTOBUF')
    expect(parseSchemaType('json-schema')).toBe('JSON')
    expect(thrown(() => parseSchemaType('xml')).exitCode).toBe(2)
    expect(parseVersion('3')).toBe(3)
    expect(parseVersion('latest')).toBe('latest')
    expect(parseVersion('-1')).toBe('latest')
    expect(thrown(() => parseVersion('0')).exitCode).toBe(2)
    expect(thrown(() => parseVersion('v2')).code).toBe('BAD_VERSION')
    expect(parseCompatibilityLevel('full-transitive')).toBe('FULL_TRANSITIVE')
    expect(parseCompatibilityLevel('backward')).toBe('BACKWARD')
    expect(thrown(() => parseCompatibilityLevel('loose')).hint).toContain('BACKWARD')
    expect(parseReference('shop/money.proto=money-value:2')).toEqual({name: 'shop/money.proto', subject: 'money-value', version: 2})
    expect(parseReference('shop.Money=money-value')).toEqual({name: 'shop.Money', subject: 'money-value', version: 'latest'})
    expect(parseReference('https://x/y.json=ns:with:colons:latest')).toEqual({name: 'https://x/y.json', subject: 'ns:with:colons', version: 'latest'})
    expect(thrown(() => parseReference('money-value:1')).code).toBe('BAD_REFERENCE')
    expect(thrown(() => parseReference('a=b:zero')).exitCode).toBe(2)
  })
})

describe('registry URLs and tokens', () => {
  it('moves user:password out of the URL and drops trailing slashes', () => {
    expect(parseRegistryUrl('http://127.0.0.1:8081/apis/ccompat/v7/')).toEqual({url: 'http://127.0.0.1:8081/apis/ccompat/v7'})
    expect(parseRegistryUrl('https://key:se%40cret@psrc.example.com')).toEqual({url: 'https://psrc.example.com', auth: {type: 'basic', username: 'key', password: 'se@cret'}})
    expect(thrown(() => parseRegistryUrl('127.0.0.1:8081')).code).toBe('REGISTRY_URL_INVALID')
    expect(thrown(() => parseRegistryUrl('ftp://x')).exitCode).toBe(2)
  })

  it('reads a token command output as a token or a JSON token response', () => {
    expect(parseToken('abc.def\n')).toBe('abc.def')
    expect(parseToken('{"access_token":"tok","expires_in":300}')).toBe('tok')
  })

  it('fills in the schema type the registry omits for Avro', () => {
    expect(normalizeType(undefined)).toBe('AVRO')
    expect(normalizeType('PROTOBUF')).toBe('PROTOBUF')
    expect(normalizeType('json')).toBe('JSON')
  })
})

describe('profiles: schemaRegistry', () => {
  it('validates the fields and takes secrets from a source', () => {
    const {config, warnings} = validateConfig(
      {profiles: {cloud: {brokers: ['b:9092'], schemaRegistry: {url: 'https://psrc.example.com', username: 'KEY', passwordEnv: 'SR_SECRET', tls: {ca: '/ca.pem'}}}}},
      fail,
    )
    expect(config.profiles.cloud.schemaRegistry).toEqual({url: 'https://psrc.example.com', username: 'KEY', password: {env: 'SR_SECRET'}, tls: {ca: '/ca.pem'}})
    expect(warnings).toEqual([])
    expect(validateConfig({profiles: {p: {brokers: ['b:1'], schemaRegistry: 'http://r:8081'}}}, fail).config.profiles.p.schemaRegistry).toEqual({url: 'http://r:8081'})
  })

  it('refuses typos, a missing url, half of basic auth and auth twice', () => {
    const bad = (schemaRegistry: unknown) => thrown(() => validateConfig({profiles: {p: {brokers: ['b:1'], schemaRegistry}}}, fail)).message
    expect(bad({url: 'http://r', usernme: 'x'})).toContain("did you mean 'username'")
    expect(bad({username: 'x'})).toContain('url: is required')
    expect(bad({url: 'r:8081'})).toContain('must be an http(s) URL')
    expect(bad({url: 'http://r', username: 'u'})).toContain('needs a password source')
    expect(bad({url: 'http://r', passwordEnv: 'X'})).toContain('needs a username')
    expect(bad({url: 'http://r', username: 'u', passwordEnv: 'X', tokenCommand: 'x'})).toContain('not both')
    expect(bad({url: 'http://r', username: 'u', passwordEnv: 'X', passwordCommand: 'y'})).toContain('use only one of')
  })

  it('warns about a password in clear text and never shows it', () => {
    const {config, warnings} = validateConfig({profiles: {p: {brokers: ['b:1'], schemaRegistry: {url: 'http://r', username: 'u', password: 'hunter2-secret'}}}}, fail)
    expect(warnings[0].message).toContain('profiles.p.schemaRegistry.password is stored in clear text')
    expect(JSON.stringify(redactProfile(config.profiles.p))).not.toContain('hunter2-secret')
    expect(redactProfile(config.profiles.p).schemaRegistry).toEqual({url: 'http://r', username: 'u', password: {from: 'config file', value: '[redacted]'}})
  })

  it('writes the same fields back to YAML', () => {
    const profile = {brokers: ['b:1'], schemaRegistry: {url: 'http://r', username: 'u', password: {command: 'pass show sr'}, tls: {ca: '/ca.pem'}}}
    expect(profileToYaml(profile).schemaRegistry).toEqual({url: 'http://r', username: 'u', passwordCommand: 'pass show sr', tls: {ca: '/ca.pem'}})
  })

  it('--schema-registry > KAFKIT_SCHEMA_REGISTRY_URL > the profile; credentials stay with their origin', () => {
    const profile = {url: 'https://sr.example.com/apis/ccompat/v7', username: 'u', password: {env: 'P'}}
    let sources: Record<string, string> = {}
    expect(resolveSchemaRegistry(profile, undefined, {}, sources)).toEqual(profile)
    sources = {}
    expect(resolveSchemaRegistry(profile, undefined, {KAFKIT_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081'}, sources)).toEqual({url: 'http://127.0.0.1:8081'})
    expect(sources.schemaRegistry).toBe('KAFKIT_SCHEMA_REGISTRY_URL')
    sources = {}
    // Same origin, another path: the profile's credentials go along.
    expect(resolveSchemaRegistry(profile, 'https://sr.example.com/other', {KAFKIT_SCHEMA_REGISTRY_URL: 'http://x:1'}, sources)).toEqual({...profile, url: 'https://sr.example.com/other'})
    expect(sources.schemaRegistry).toBe('--schema-registry')
    expect(resolveSchemaRegistry(undefined, undefined, {}, {})).toBeUndefined()
    expect(resolveSchemaRegistry(undefined, undefined, {KAFKIT_SCHEMA_REGISTRY_URL: 'http://r', KAFKIT_SCHEMA_REGISTRY_USERNAME: 'ci', KAFKIT_SCHEMA_REGISTRY_PASSWORD: 's3cret'}, {})).toEqual({
      url: 'http://r',
      username: 'ci',
      password: {env: 'KAFKIT_SCHEMA_REGISTRY_PASSWORD'},
    })
    expect(thrown(() => resolveSchemaRegistry(undefined, 'localhost:8081', {}, {})).code).toBe('REGISTRY_URL_INVALID')
    expect(thrown(() => resolveSchemaRegistry(undefined, undefined, {KAFKIT_SCHEMA_REGISTRY_USERNAME: 'x', KAFKIT_SCHEMA_REGISTRY_PASSWORD: 'y'}, {})).exitCode).toBe(2)
  })
})

describe('profiles add --schema-registry*', () => {
  it('builds schemaRegistry from flags with the config file rules, naming the flag', () => {
    expect(
      profileFromFlags({brokers: 'b:1', 'schema-registry': 'https://sr:8081', 'schema-registry-username': 'k', 'schema-registry-password-env': 'SR_PW', 'schema-registry-ca': '/ca.pem'})
        .schemaRegistry,
    ).toEqual({
      url: 'https://sr:8081',
      username: 'k',
      password: {env: 'SR_PW'},
      tls: {ca: '/ca.pem'},
    })
    expect(profileFromFlags({brokers: 'b:1'}).schemaRegistry).toBeUndefined()
    expect(thrown(() => profileFromFlags({brokers: 'b:1', 'schema-registry-username': 'k'})).message).toContain('given without --schema-registry URL')
    expect(thrown(() => profileFromFlags({brokers: 'b:1', 'schema-registry': 'http://sr', 'schema-registry-username': 'k'})).message).toMatch(/^--schema-registry-password-env: /)
    expect(thrown(() => profileFromFlags({brokers: 'b:1', 'schema-registry': 'sr:8081'})).message).toMatch(/^--schema-registry: must be an http/)
  })
})

describe('local registry settings', () => {
  it('binds 127.0.0.1, enables deletes, keeps the management port on loopback, on any free port; file storage is an H2 file', () => {
    const mem = registrySystemProperties(8081, 'memory', '/d')
    expect(mem['quarkus.http.host']).toBe('127.0.0.1')
    expect(mem['quarkus.http.port']).toBe('8081')
    expect(mem['quarkus.management.host']).toBe('127.0.0.1')
    expect(mem['quarkus.management.port']).toBe('0')
    expect(mem['apicurio.rest.deletion.artifact-version.enabled']).toBe('true')
    expect(mem['apicurio.datasource.url']).toBeUndefined()
    expect(registrySystemProperties(9000, 'file', '/d')['apicurio.datasource.url']).toMatch(/^jdbc:h2:file:\/d\/registry/)
  })
})

const subject = (name: string, references: DesiredSubject['references'] = [], extra: Partial<DesiredSubject> = {}): DesiredSubject => ({
  subject: name,
  schema: '"string"',
  type: 'AVRO',
  from: 'inline',
  references,
  ...extra,
})

describe('schemas apply: the file', () => {
  const files: Record<string, string> = {
    '/base/money.proto': 'syntax = "proto3";\npackage shop;\nmessage Money { int64 cents = 1; }\n',
    '/base/sale.proto': 'syntax = "proto3";\npackage shop;\nimport "money.proto";\nmessage Sale { Money price = 1; }\n',
    '/base/sale.avsc': '{"type":"record","name":"Sale","fields":[{"name":"sku","type":"string"}]}',
  }
  const read = async (path: string) => {
    if (path in files) return files[path]
    throw Object.assign(new Error('ENOENT'), {code: 'ENOENT'})
  }

  it('reads subjects with files relative to it, types, references and levels, referenced subjects first', async () => {
    const text = `
compatibility: backward
subjects:
  sales-value:
    file: sale.proto
    compatibility: FULL
    references:
      - {name: money.proto, subject: money-value}
  money-value:
    file: money.proto
  avro-value:
    file: sale.avsc
  inline-value:
    schema: {type: record, name: I, fields: [{name: a, type: int}]}
`
    const desired = await parseSchemasFile(text, 'schemas.yaml', '/base', read)
    expect(desired.compatibility).toBe('BACKWARD')
    expect(desired.subjects.map((s) => s.subject)).toEqual(['money-value', 'sales-value', 'avro-value', 'inline-value'])
    const sales = desired.subjects.find((s) => s.subject === 'sales-value')!
    expect(sales).toMatchObject({type: 'PROTOBUF', compatibility: 'FULL', from: 'file sale.proto', references: [{name: 'money.proto', subject: 'money-value', version: undefined}]})
    expect(desired.subjects.find((s) => s.subject === 'inline-value')).toMatchObject({type: 'AVRO', schema: '{"type":"record","name":"I","fields":[{"name":"a","type":"int"}]}'})
  })

  it('says what is wrong, where, with exit 2', async () => {
    const problem = async (text: string) => (await rejected(parseSchemasFile(text, 's.yaml', '/base', read))).message
    expect(await problem('subjects: {a: {file: nope.avsc}}')).toContain('subjects.a.file: cannot read nope.avsc (no such file)')
    expect(await problem('subjects: {a: {file: sale.avsc, schema: "x"}}')).toContain('exactly one of')
    expect(await problem('subjects: {a: {file: sale.avsc, compat: FULL}}')).toContain('subjects.a.compat is not a known key')
    expect(await problem('subjects: {a: {file: sale.avsc, compatibility: LOOSE}}')).toContain('not a compatibility level')
    expect(await problem('subjects: {a: {file: sale.avsc, references: [{name: x, subject: y, version: 0}]}}')).toContain('references[0].version')
    expect(await problem('topics: []')).toContain("'topics' is not a known key")
    expect(await problem('subjects: {a: {schema: "{not json", type: avro}}')).toContain('must be JSON')
    expect(await problem('subjects: [1, 2]')).toContain('must be a mapping')
    expect((await rejected(parseSchemasFile('subjects: {a: {file: sale.avsc}', 's.yaml', '/base', read))).code).toBe('BAD_APPLY_FILE')
  })

  it('refuses a reference cycle, naming it', () => {
    const e = thrown(() => orderByReferences([subject('a', [{name: 'b', subject: 'b'}]), subject('b', [{name: 'c', subject: 'c'}]), subject('c', [{name: 'a', subject: 'a'}])]))
    expect(e.message).toContain('a -> b -> c -> a')
  })

  it('gives references the version the file registers, or an explicit one', () => {
    const s = subject('sales', [
      {name: 'm', subject: 'money'},
      {name: 'x', subject: 'other', version: 4},
    ])
    expect(concreteReferences(s, new Map())).toBeUndefined()
    expect(concreteReferences(s, new Map([['money', 2]]))).toEqual([
      {name: 'm', subject: 'money', version: 2},
      {name: 'x', subject: 'other', version: 4},
    ])
  })
})

describe('schemas apply: the plan', () => {
  const desired = (subjects: DesiredSubject[], compatibility?: DesiredSchemas['compatibility']): DesiredSchemas => ({source: 's.yaml', subjects, ...(compatibility ? {compatibility} : {})})

  it('registers new and changed subjects, leaves matching ones, sets levels first', () => {
    const actual: ActualSubject[] = [{subject: 'same', matchingVersion: 3, latestVersion: 3}, {subject: 'changed', latestVersion: 2, compatible: true}, {subject: 'new'}]
    const plan = planSchemas(desired([subject('same'), subject('changed', [], {compatibility: 'FULL'}), subject('new')], 'BACKWARD'), actual, 'NONE')
    expect(plan.actions.map((a) => `${a.action}:${a.subject ?? 'global'}`)).toEqual(['set-compatibility:global', 'set-compatibility:changed', 'register:changed', 'register:new'])
    expect(plan.counts).toEqual({register: 2, compatibility: 2, unchanged: 1})
    expect(plan.blocked).toEqual([])
    const text = formatSchemasPlan(plan).join('\n')
    expect(text).toContain('~ compatibility (global) NONE -> BACKWARD')
    expect(text).toContain('+ register changed (avro, inline, after version 2)')
    expect(text).toContain('+ register new (avro, inline, new subject)')
    expect(text).toContain('Plan: 2 to register, 2 compatibility levels to set, 1 unchanged.')
  })

  it('marks an incompatible registration as blocked, with the reasons', () => {
    const plan = planSchemas(desired([subject('orders')]), [{subject: 'orders', latestVersion: 1, compatible: false, messages: ['field qty: type changed']}], 'BACKWARD')
    expect(plan.blocked).toEqual(['orders'])
    expect(formatSchemasPlan(plan).join('\n')).toMatch(/! register orders .*INCOMPATIBLE[\s\S]*field qty: type changed/)
  })

  it('a level equal to the one in effect is no change; the same schema as an older version is a note', () => {
    const plan = planSchemas(desired([subject('a', [], {compatibility: 'BACKWARD'})]), [{subject: 'a', matchingVersion: 1, latestVersion: 2}], 'BACKWARD')
    expect(plan.actions).toEqual([])
    const text = formatSchemasPlan(plan).join('\n')
    expect(text).toContain('a has this schema as version 1, not its latest')
    expect(text).toContain('No changes: the registry matches the file (1 subject up to date).')
  })
})
