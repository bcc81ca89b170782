/**
 * `kafkit schemas` against a real Apicurio Registry (its Confluent-compatible API): Avro, Protobuf with
 * references, JSON Schema; compatibility checks that catch a breaking change with exit 8; deletes; errors.
 */
import {rmSync} from 'node:fs'
import {createServer} from 'node:net'

import {afterAll, describe, expect, it} from 'vitest'

import {expectCleanError, json, uniqueName} from './helpers.js'
import {REGISTRY_AVAILABLE, TEST_REGISTRY, schemas, scratch} from './registry.js'

// Many CLI runs per test on a shared, busy machine: a generous budget (a hang still fails).
const LONG = 300_000

/** The Avro record shop.Sale with a string sku and these other fields. */
const sale = (...fields: {name: string; type: string; default?: string}[]) => JSON.stringify({type: 'record', name: 'Sale', namespace: 'shop', fields: [{name: 'sku', type: 'string'}, ...fields]})
const SALE_V1 = sale({name: 'qty', type: 'int'})
const SALE_V2 = sale({name: 'qty', type: 'int'}, {name: 'store', type: 'string', default: 'web'})
// qty int -> string: neither backward nor forward compatible.
const SALE_BROKEN = sale({name: 'qty', type: 'string'})

const MONEY_PROTO = 'syntax = "proto3";\npackage shop;\n\nmessage Money {\n  string currency = 1;\n  int64 cents = 2;\n}\n'
const ORDER_PROTO =
  'syntax = "proto3";\npackage shop;\n\nimport "money.proto";\n\nmessage Order {\n  string id = 1;\n  shop.Money total = 2;\n  repeated Line lines = 3;\n  message Line {\n    string sku = 1;\n    int32 qty = 2;\n  }\n}\n'
// `id` string -> int64: a wire-incompatible change.
const ORDER_BROKEN = ORDER_PROTO.replace('string id = 1;', 'int64 id = 1;')

const EVENT_SCHEMA = JSON.stringify({$schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: {sku: {type: 'string'}, qty: {type: 'integer'}}, required: ['sku']})
// A new required property: data written with the old schema does not validate against the new one.
const EVENT_BROKEN = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {sku: {type: 'string'}, qty: {type: 'integer'}, store: {type: 'string'}},
  required: ['sku', 'store'],
  additionalProperties: false,
})

describe.skipIf(!REGISTRY_AVAILABLE)(`kafkit schemas (registry ${TEST_REGISTRY})`, {timeout: LONG}, () => {
  const ctx = scratch()
  const env = ctx.env
  const created: string[] = []
  const subject = (prefix: string) => {
    const name = uniqueName(prefix)
    created.push(name)
    return name
  }
  /** A new subject with these Avro schemas registered, as versions 1, 2, ... */
  const registered = async (prefix: string, ...versions: string[]) => {
    const s = subject(prefix)
    for (const [i, text] of versions.entries()) await expectOk(schemas(['register', s, '-f', ctx.write(`${prefix}-${i + 1}.avsc`, text)], env))
    return s
  }

  afterAll(async () => {
    // Referencing subjects first: a subject still referenced cannot be deleted.
    for (const s of [...created].reverse()) await schemas(['delete', s, '--permanent', '--yes'], env)
    rmSync(ctx.dir, {recursive: true, force: true})
  }, 120_000)

  it('Avro: register, get, versions, the same schema again, a compatible change, check with exit 8 on a breaking one', async () => {
    const s = subject('sr-avro')
    const v1 = ctx.write('sale-v1.avsc', SALE_V1)
    const reg = await schemas(['register', s, '-f', v1], env)
    expect(reg.code, reg.stderr).toBe(0)
    const id1 = Number(reg.stdout.trim())
    expect(id1).toBeGreaterThanOrEqual(0)
    expect(reg.stderr).toContain(`registered ${s} version 1 (id ${id1})`)

    const again = json<{id: number; version: number; created: boolean}>(await schemas(['register', s, '-f', v1, '--json'], env))
    expect(again).toMatchObject({id: id1, version: 1, created: false})

    await expectOk(schemas(['compatibility', 'set', s, 'backward'], env))
    const level = await schemas(['compatibility', 'get', s], env)
    expect(level.stdout.trim()).toBe('BACKWARD')

    const v2 = ctx.write('sale-v2.avsc', SALE_V2)
    const ok = await schemas(['check', s, '-f', v2], env)
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('compatible with version 1')
    const reg2 = json<{id: number; version: number; created: boolean; schemaType: string}>(await schemas(['register', s, '-f', v2, '--json'], env))
    expect(reg2).toMatchObject({version: 2, created: true, schemaType: 'AVRO'})
    expect(reg2.id).not.toBe(id1)

    const versions = await schemas(['versions', s], env)
    expect(versions.stdout).toBe('1\n2\n')
    const got = await schemas(['get', s, '--version', '1'], env)
    expect(got.stdout.trim()).toBe(SALE_V1)
    expect(got.stderr).toContain(`subject ${s} version 1, id ${id1}, avro`)
    const byId = json<{id: number; schema: string; schemaType: string; subjects: {subject: string; version: number}[]}>(await schemas(['get', '--id', String(reg2.id), '--json'], env))
    expect(byId).toMatchObject({id: reg2.id, schema: SALE_V2, schemaType: 'AVRO'})
    expect(byId.subjects).toContainEqual({subject: s, version: 2})

    const broken = ctx.write('sale-broken.avsc', SALE_BROKEN)
    const bad = await schemas(['check', s, '-f', broken], env)
    expect(bad.code).toBe(8)
    expect(bad.stdout).toContain('INCOMPATIBLE with version 2')
    expect(expectCleanError(bad).message).toContain(`is not compatible with ${s} version 2 (level BACKWARD)`)
    const all = json<{compatible: boolean; against: string; results: {version: number; compatible: boolean}[]}>(await schemas(['check', s, '-f', broken, '--all', '--json'], env))
    expect(all).toMatchObject({compatible: false, against: 'all'})
    expect(all.results.map((r) => r.version)).toEqual([1, 2])

    // The registry refuses it too, with its own reasons, and registers nothing.
    const refused = await schemas(['register', s, '-f', broken], env)
    expect(refused.code).toBe(1)
    expect(expectCleanError(refused).message).toMatch(/not compatible with subject/)
    expect((await schemas(['versions', s], env)).stdout).toBe('1\n2\n')
  })

  it('Protobuf with a reference: the referenced schema first, then the one that imports it', async () => {
    const money = subject('sr-money')
    const order = subject('sr-order')
    const moneyFile = ctx.write('money.proto', MONEY_PROTO)
    const orderFile = ctx.write('order.proto', ORDER_PROTO)
    await expectOk(schemas(['register', money, '-f', moneyFile], env))
    const reg = await schemas(['register', order, '-f', orderFile, '--reference', `money.proto=${money}:latest`, '--json'], env)
    expect(reg.code, reg.stderr).toBe(0)
    const {id} = json<{id: number}>(reg)
    const got = json<{schemaType: string; references: unknown[]; schema: string}>(await schemas(['get', order, '--json'], env))
    expect(got.schemaType).toBe('PROTOBUF')
    expect(got.references).toEqual([{name: 'money.proto', subject: money, version: 1}])
    expect(got.schema).toContain('message Order')
    const byId = json<{references: unknown[]}>(await schemas(['get', '--id', String(id), '--json'], env))
    expect(byId.references).toEqual([{name: 'money.proto', subject: money, version: 1}])

    await expectOk(schemas(['compatibility', 'set', order, 'BACKWARD'], env))
    const brokenFile = ctx.write('order-broken.proto', ORDER_BROKEN)
    const bad = await schemas(['check', order, '-f', brokenFile, '-r', `money.proto=${money}:1`], env)
    expect(bad.code, bad.stdout + bad.stderr).toBe(8)
    const fine = await schemas(['check', order, '-f', orderFile, '-r', `money.proto=${money}:1`], env)
    expect(fine.code, fine.stderr).toBe(0)
  })

  it('JSON Schema: registered with $schema; a new required property is incompatible; without $schema the hint says why', async () => {
    const s = subject('sr-json')
    const file = ctx.write('event.json', EVENT_SCHEMA)
    const reg = json<{schemaType: string; version: number}>(await schemas(['register', s, '-f', file, '--json'], env))
    expect(reg).toMatchObject({schemaType: 'JSON', version: 1})
    await expectOk(schemas(['compatibility', 'set', s, 'BACKWARD'], env))
    const bad = await schemas(['check', s, '-f', ctx.write('event-broken.json', EVENT_BROKEN)], env)
    expect(bad.code, bad.stdout + bad.stderr).toBe(8)

    // Apicurio difference: a JSON Schema without "$schema" (and without "properties") is refused.
    const bare = await schemas(['register', subject('sr-json-bare'), '-f', ctx.write('bare.json', '{"type":"string"}'), '--type', 'json'], env)
    expect(bare.code).toBe(2)
    const err = expectCleanError(bare)
    expect(err.message).toContain('rejected the schema')
    expect(err.hint).toContain('"$schema"')
  })

  it('check: a subject without versions or with level NONE accepts anything (exit 0, said on stderr)', async () => {
    const s = subject('sr-none')
    const file = ctx.write('n1.avsc', SALE_V1)
    const fresh = await schemas(['check', s, '-f', file], env)
    expect(fresh.code, fresh.stderr).toBe(0)
    expect(fresh.stderr).toContain('has no versions yet')
    await expectOk(schemas(['register', s, '-f', file], env))
    await expectOk(schemas(['compatibility', 'set', s, 'NONE'], env))
    const none = json<{compatible: boolean; level: string; note: string}>(await schemas(['check', s, '-f', ctx.write('n2.avsc', SALE_BROKEN), '--json'], env))
    expect(none).toMatchObject({compatible: true, level: 'NONE'})
  })

  it('delete: refused without --yes off a terminal; soft, listed with --deleted; a version; --permanent removes it for good', async () => {
    const s = await registered('sr-del', SALE_V1, SALE_V2)

    const refused = await schemas(['delete', s], env)
    expect(refused.code).toBe(6)
    expect(expectCleanError(refused).hint).toContain('--yes')

    const oneVersion = json<{deleted: number[]}>(await schemas(['delete', s, '--version', '1', '--yes', '--json'], env))
    expect(oneVersion.deleted).toEqual([1])
    expect((await schemas(['versions', s], env)).stdout).toBe('2\n')
    expect(json<{versions: {version: number; deleted: boolean}[]}>(await schemas(['versions', s, '--deleted', '--json'], env)).versions).toEqual([
      {version: 1, deleted: true},
      {version: 2, deleted: false},
    ])

    const soft = await schemas(['delete', s, '--yes'], env)
    expect(soft.code, soft.stderr).toBe(0)
    expect((await schemas(['subjects'], env)).stdout.split('\n')).not.toContain(s)
    const withDeleted = json<{subject: string; deleted: boolean}[]>(await schemas(['subjects', '--deleted', '--json'], env))
    expect(withDeleted).toContainEqual({subject: s, deleted: true})

    const hard = json<{deleted: number[]; permanent: boolean}>(await schemas(['delete', s, '--permanent', '--yes', '--json'], env))
    expect(hard).toMatchObject({permanent: true})
    expect(json<{subject: string}[]>(await schemas(['subjects', '--deleted', '--json'], env)).map((r) => r.subject)).not.toContain(s)
    const gone = await schemas(['versions', s], env)
    expect(gone.code).toBe(3)
  })

  it('a protected profile: delete needs --yes and names the profile', async () => {
    const s = await registered('sr-prot', SALE_V1)
    const config = ctx.write('protected.yaml', `current: prod\nprofiles:\n  prod:\n    brokers: [127.0.0.1:9092]\n    protected: true\n    schemaRegistry:\n      url: ${TEST_REGISTRY}\n`)
    const penv = {...env, KAFKIT_CONFIG: config, KAFKIT_SCHEMA_REGISTRY_URL: undefined}
    const refused = await schemas(['delete', s], penv)
    expect(refused.code).toBe(6)
    const done = await schemas(['delete', s, '--yes'], penv)
    expect(done.code, done.stderr).toBe(0)
    expect(done.stderr).toContain("protected profile 'prod'")
  })

  it('errors: unknown subject, version and id are exit 3; bad input exit 2; each one line with a hint', async () => {
    const missing = await schemas(['get', 'no-such-subject-' + uniqueName('x')], env)
    expect(missing.code).toBe(3)
    expect(expectCleanError(missing).hint).toContain('kafkit schemas subjects')
    const s = await registered('sr-err', SALE_V1)
    expect((await schemas(['get', s, '--version', '99'], env)).code).toBe(3)
    expect((await schemas(['get', '--id', '987654321'], env)).code).toBe(3)
    expect((await schemas(['get', s, '--version', 'two'], env)).code).toBe(2)
    expect((await schemas(['compatibility', 'set', s, 'LOOSE'], env)).code).toBe(2)
    expect((await schemas(['register', s, '-f', ctx.write('e.avsc', '{"type": record}')], env)).code).toBe(2)
    expect((await schemas(['register', s, '-f', '/no/such/file.avsc'], env)).code).toBe(2)
    const badRef = await schemas(['register', s, '-f', ctx.write('e2.avsc', SALE_V2), '--reference', 'oops'], env)
    expect(badRef.code).toBe(2)
    expect(expectCleanError(badRef).message).toContain('name=subject:version')
  })

  it('no registry configured is exit 2 naming the three ways to set one', async () => {
    const r = await schemas(['subjects'], {...env, KAFKIT_SCHEMA_REGISTRY_URL: undefined})
    expect(r.code).toBe(2)
    const err = expectCleanError(r)
    expect(err.message).toBe('no schema registry is configured')
    expect(err.hint).toContain('--schema-registry')
    expect(err.hint).toContain('KAFKIT_SCHEMA_REGISTRY_URL')
  })

  it('unreachable is exit 4 in one line; a registry that never answers is exit 7 after --timeout', async () => {
    const down = await schemas(['subjects', '--schema-registry', 'http://127.0.0.1:9897'], env)
    expect(down.code).toBe(4)
    expect(expectCleanError(down).message).toBe('cannot connect to the schema registry http://127.0.0.1:9897: connection refused')

    // Accepts connections, never answers.
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(9898, '127.0.0.1', resolve))
    try {
      const hung = await schemas(['subjects', '--schema-registry', 'http://127.0.0.1:9898', '--timeout', '1s'], env)
      expect(hung.code).toBe(7)
      expect(expectCleanError(hung).message).toContain('timed out after 1s')
    } finally {
      silent.close()
    }

    const notRegistry = await schemas(['subjects', '--schema-registry', TEST_REGISTRY.replace(/\/apis\/ccompat\/v7$/, '')], env)
    expect(notRegistry.code).toBe(3)
    expect(expectCleanError(notRegistry).hint).toContain('/apis/ccompat/v7')
  })
})

async function expectOk(pending: Promise<{code: number | null; stdout: string; stderr: string}>): Promise<void> {
  const r = await pending
  expect(r.code, r.stderr).toBe(0)
}
