/**
 * Records in the schema registry's wire format, end to end against the real broker and the real registry
 * (Apicurio, `kafkit local start --schema-registry`, at $KAFKIT_TEST_SCHEMA_REGISTRY or 127.0.0.1:8081): produce
 * encodes and validates, consume decodes (auto, explicit formats, --strict, --where, templates, the envelope),
 * Protobuf with references and nested messages, --proto without a registry, replay across two registries.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createTopicWithLeaders, expectCleanError, json, kafkit, TEST_BROKERS, uniqueName} from './helpers.js'

export const DATA_REGISTRY = process.env.KAFKIT_TEST_SCHEMA_REGISTRY ?? 'http://127.0.0.1:8081/apis/ccompat/v7'

async function up(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/subjects`, {signal: AbortSignal.timeout(3000)})
    await response.arrayBuffer()
    return response.ok
  } catch {
    return false
  }
}

const registryUp = await up(DATA_REGISTRY)
if (!registryUp) {
  const message = `no schema registry at ${DATA_REGISTRY}: start one with 'node bin/run.js local start --schema-registry' (or set KAFKIT_TEST_SCHEMA_REGISTRY)`
  if (process.env.CI === 'true') throw new Error(message)
  process.stderr.write(`${message}; skipping test/integration/schemas-data.test.ts\n`)
}

/** Registers a schema over HTTP (the test's own client, not kafkit's): returns its id. */
export async function register(url: string, subject: string, schema: string, schemaType = 'AVRO', references: {name: string; subject: string; version: number}[] = []): Promise<number> {
  const response = await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: {'content-type': 'application/vnd.schemaregistry.v1+json'},
    body: JSON.stringify({schema, schemaType, references}),
  })
  const body = (await response.json()) as {id: number}
  if (!response.ok) throw new Error(`register ${subject}: ${response.status} ${JSON.stringify(body)}`)
  return body.id
}

const dir = mkdtempSync(join(tmpdir(), 'kafkit-schemas-data-'))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
const env = {KAFKIT_SCHEMA_REGISTRY_URL: DATA_REGISTRY, KAFKIT_CONFIG: join(dir, 'config.yaml')}
const run = (args: string[], input?: string, extra: NodeJS.ProcessEnv = {}) => kafkit(args, {input, env: {...env, ...extra}, timeoutMs: 60_000})

const SALE_AVSC = JSON.stringify({
  type: 'record',
  name: 'Sale',
  namespace: 'retail',
  fields: [
    {name: 'store_id', type: 'string'},
    {name: 'sku', type: 'string'},
    {name: 'qty', type: 'int'},
    {name: 'price', type: {type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2}},
    {name: 'at', type: {type: 'long', logicalType: 'timestamp-millis'}},
    {name: 'customer', type: ['null', 'string'], default: null},
  ],
})

const sale = (i: number) => ({
  store_id: `store-${i % 3}`,
  sku: `SKU-${i}`,
  qty: (i % 5) - 2,
  price: `${i}.50`,
  at: new Date(Date.UTC(2026, 10, 24, 9, 0, i)).toISOString(),
  customer: i % 2 ? `c-${i}` : null,
})

describe.skipIf(!registryUp && process.env.CI !== 'true')('schema registry data: produce encodes, consume decodes', () => {
  let admin: {createTopics: never; fetchTopicMetadata: never; disconnect(): Promise<void>}
  const topics: string[] = []
  const topic = async (prefix: string, partitions = 1) => {
    const name = uniqueName(prefix)
    topics.push(name)
    await createTopicWithLeaders(admin as never, name, partitions)
    return name
  }

  beforeAll(async () => {
    const {default: kafkajs} = await import('kafkajs')
    const kafka = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING})
    const a = kafka.admin()
    await a.connect()
    admin = a as never
  })

  afterAll(async () => {
    if (topics.length) await kafkit(['topics', 'delete', ...topics, '--yes'])
    await admin?.disconnect()
  })

  it('Avro: 500 records in, the same JSON out; the envelope carries valueSchemaId; --where and %i', async () => {
    const t = await topic('sd-avro', 2)
    const schema = file('sale.avsc', SALE_AVSC)
    const lines = Array.from({length: 500}, (_, i) => JSON.stringify(sale(i))).join('\n') + '\n'
    const refused = await run(['produce', t, '--value-schema', schema], lines)
    expect(refused.code).toBe(3)
    expect(expectCleanError(refused).message).toContain(`is not registered under subject '${t}-value'`)
    const produced = await run(
      ['produce', t, '--value-schema', schema, '--auto-register', '-K', '\t'],
      lines
        .split('\n')
        .filter(Boolean)
        .map((l, i) => `k${i}\t${l}`)
        .join('\n'),
    )
    expect(produced.code, produced.stderr).toBe(0)
    expect(produced.stderr).toContain(`under subject '${t}-value'`)

    const raw = await run(['consume', t, '-e'])
    expect(raw.code, raw.stderr).toBe(0)
    const values = raw.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(values.sort((a, b) => Number(a.sku.slice(4)) - Number(b.sku.slice(4)))).toEqual(Array.from({length: 500}, (_, i) => sale(i)))

    const envelopes = (await run(['consume', t, '-e', '--format', 'json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const id = envelopes[0].valueSchemaId
    expect(typeof id).toBe('number')
    expect(envelopes.every((e) => e.valueSchemaId === id && typeof e.value === 'object' && e.key.startsWith('k'))).toBe(true)

    const filtered = await run(['consume', t, '-e', '--where', 'value.store_id == "store-1" and value.qty < 0', '-f', '%i %k %v\n'])
    expect(filtered.code, filtered.stderr).toBe(0)
    const expected = Array.from({length: 500}, (_, i) => sale(i)).filter((s) => s.store_id === 'store-1' && s.qty < 0)
    expect(filtered.stdout.trim().split('\n')).toHaveLength(expected.length)
    for (const line of filtered.stdout.trim().split('\n')) expect(line).toMatch(new RegExp(`^${id} k\\d+ \\{"store_id":"store-1"`))

    // Round trip: the envelope goes back in through produce with the subject's schema.
    const copy = await topic('sd-avro-copy')
    const again = await run(['produce', copy, '--format', 'json', '--value-subject', `${t}-value`], envelopes.map((e) => JSON.stringify(e)).join('\n'))
    expect(again.code, again.stderr).toBe(0)
    const copied = (await run(['consume', copy, '-e', '-f', '%i\n'])).stdout.trim().split('\n')
    expect(new Set(copied)).toEqual(new Set([String(id)]))
    expect(copied).toHaveLength(500)
  })

  it('Avro to JSON Lines in whole batches (the WebAssembly lane) writes what the record path writes: 20,000 records, two schema ids, edge values', async () => {
    const t = await topic('sd-avro-lane')
    const fields = [
      {name: 'id', type: 'long'},
      {name: 'name', type: 'string'},
      {name: 'note', type: ['null', 'string'], default: null},
      {name: 'price', type: 'double'},
      {name: 'ratio', type: 'float'},
      {name: 'at', type: {type: 'long', logicalType: 'timestamp-millis'}},
      {name: 'kind', type: {type: 'enum', name: 'Kind', symbols: ['STORE', 'WEB', 'APP']}},
      {name: 'flag', type: 'boolean'},
      {
        name: 'line',
        type: {
          type: 'record',
          name: 'Line',
          fields: [
            {name: 'qty', type: 'int'},
            {name: 'sku', type: 'string'},
          ],
        },
      },
    ]
    const v1 = file('lane-v1.avsc', JSON.stringify({type: 'record', name: 'Row', namespace: 'lane', fields}))
    const v2 = file('lane-v2.avsc', JSON.stringify({type: 'record', name: 'Row', namespace: 'lane', fields: [...fields, {name: 'extra', type: 'string', default: ''}]}))
    const odd = ['quote " and \\ backslash', 'café 😀', 'tab\tand\u0001control', 'DEL \u007f', 'x'.repeat(100)]
    const row = (i: number) => ({
      id: i * 7919 - 5_000_000,
      name: i % 7 === 0 ? odd[(i / 7) % odd.length] : `store-${i % 300}`,
      note: i % 3 === 0 ? null : `note ${i}`,
      price: i % 5 === 0 ? i / 3 : Math.round(i * 137) / 100,
      ratio: i / 8,
      at: i % 11 === 0 ? -86_400_000 * i : 1_764_000_000_000 + i * 997,
      kind: ['STORE', 'WEB', 'APP'][i % 3],
      flag: i % 2 === 0,
      line: {qty: (i % 9) - 4, sku: `SKU-${i}`},
    })
    const lines = (from: number, to: number, extra: boolean) => Array.from({length: to - from}, (_, k) => JSON.stringify(extra ? {...row(from + k), extra: `e${k}`} : row(from + k))).join('\n') + '\n'
    for (const [schema, from, to, extra] of [
      [v1, 0, 10_000, false],
      [v2, 10_000, 20_000, true],
    ] as const) {
      const produced = await run(['produce', t, '--value-schema', schema, '--auto-register'], lines(from, to, extra))
      expect(produced.code, produced.stderr).toBe(0)
    }
    // The values lane (whole batches) against the record path (%v: each record decoded by avsc)
    const lane = await run(['consume', t, '-e'])
    const records = await run(['consume', t, '-e', '-f', '%v\n'])
    expect(lane.code, lane.stderr).toBe(0)
    expect(records.code, records.stderr).toBe(0)
    expect(lane.stdout.split('\n')).toHaveLength(20_001)
    expect(lane.stdout).toBe(records.stdout)
    expect(JSON.parse(lane.stdout.split('\n')[10_000])).toMatchObject({id: row(10_000).id, extra: 'e0'})
  })

  it('a record that does not match is exit 2 naming the line and field, after the ones before it', async () => {
    const t = await topic('sd-invalid')
    const schema = file('sale2.avsc', SALE_AVSC)
    const good = [sale(1), sale(2)].map((s) => JSON.stringify(s))
    const bad = JSON.stringify({...sale(3), qty: 'three'})
    const result = await run(['produce', t, '--value-schema', schema, '--auto-register'], [...good, bad, JSON.stringify(sale(4))].join('\n'))
    expect(result.code).toBe(2)
    expect(expectCleanError(result).message).toBe('line 3: value.qty: expected an int (32-bit whole number), got "three" (2 records before it were delivered)')
    const missing = await run(['produce', t, '--value-schema', schema], JSON.stringify({sku: 'x'}))
    expect(expectCleanError(missing).message).toMatch(/^line 1: value.store_id: is missing/)
    const notJson = await run(['produce', t, '--value-schema', schema], 'plain text')
    expect(notJson.code).toBe(2)
    expect(expectCleanError(notJson).message).toMatch(/^line 1: not valid JSON/)
    expect((await run(['consume', t, '-e'])).stdout.trim().split('\n')).toHaveLength(2)
  })

  it('auto shows other records as they are; undecodable ones are counted, --strict is exit 5', async () => {
    const t = await topic('sd-mixed')
    const schema = file('sale3.avsc', SALE_AVSC)
    expect((await run(['produce', t, '--value-schema', schema, '--auto-register'], JSON.stringify(sale(1)))).code).toBe(0)
    const id = JSON.parse((await run(['consume', t, '-e', '--format', 'json'])).stdout.trim()).valueSchemaId as number
    // A plain record, one with an id no registry has, one with the right id and a broken payload.
    const broken = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), Buffer.from([0x80])])
    broken.writeInt32BE(id, 1)
    const unknown = Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 1, 2])
    const {default: kafkajs} = await import('kafkajs')
    const producer = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING}).producer()
    await producer.connect()
    await producer.send({topic: t, messages: [{value: 'plain text'}, {value: unknown}, {value: broken}]})
    await producer.disconnect()

    const auto = await run(['consume', t, '-e', '-f', '%o %v\n'])
    expect(auto.code, auto.stderr).toBe(0)
    const lines = auto.stdoutBytes.toString('latin1').split('\n')
    expect(lines[0]).toMatch(/^0 \{"store_id":"store-1"/)
    expect(lines[1]).toBe('1 plain text')
    expect(lines[2].startsWith('2 \u0000\u007f')).toBe(true)
    expect(lines[3].startsWith('3 \u0000')).toBe(true)
    expect(auto.stderr).toMatch(/the value of a record \(.*\/0 offset 3\) has schema id \d+ but its AVRO payload cannot be decoded/)
    expect(auto.stderr).toContain("1 record claimed the schema registry's wire format but could not be decoded (shown as they are)")

    const strict = await run(['consume', t, '-e', '--strict'])
    expect(strict.code).toBe(5)
    expect(strict.stdout.split('\n')).toHaveLength(5) // every record was still printed
    const explicit = await run(['consume', t, '-e', '--value-format', 'avro', '--strict'])
    expect(explicit.code).toBe(5)
    expect(expectCleanError(explicit).message).toMatch(/^3 records claimed/)
    const rawOnly = await run(['consume', t, '-e', '--value-format', 'raw', '-f', '%i|%o\n'])
    expect(rawOnly.stdout).toBe('|0\n|1\n|2\n|3\n')
  })

  it('Protobuf: references, nested messages and message indexes other than the first', async () => {
    const t = await topic('sd-proto')
    const common = 'syntax = "proto3";\npackage acme.common;\nmessage Money { string currency = 1; int64 units = 2; int32 nanos = 3; }\n'
    const sales = `syntax = "proto3";
package acme.sales;
import "acme/common.proto";
import "google/protobuf/timestamp.proto";
message Header { string id = 1; }
message Sale {
  string store_id = 1;
  int32 qty = 2;
  acme.common.Money price = 3;
  google.protobuf.Timestamp at = 4;
  message Line { string sku = 1; }
  repeated Line lines = 5;
}
`
    await register(DATA_REGISTRY, `${t}-common`, common, 'PROTOBUF')
    await register(DATA_REGISTRY, `${t}-value`, sales, 'PROTOBUF', [{name: 'acme/common.proto', subject: `${t}-common`, version: 1}])
    const value = {storeId: 'store-7', qty: -2, price: {currency: 'EUR', units: '12', nanos: 500_000_000}, at: '2026-11-24T09:00:00Z', lines: [{sku: 'A1'}]}
    const second = await run(['produce', t, '--value-subject', `${t}-value`, '--message', 'acme.sales.Sale'], JSON.stringify(value))
    expect(second.code, second.stderr).toBe(0)
    const nested = await run(['produce', t, '--value-subject', `${t}-value`, '--message', 'acme.sales.Sale.Line'], JSON.stringify({sku: 'B2'}))
    expect(nested.code, nested.stderr).toBe(0)
    const first = await run(['produce', t, '--value-subject', `${t}-value`], JSON.stringify({id: 'h-1'}))
    expect(first.code, first.stderr).toBe(0)
    const bad = await run(['produce', t, '--value-subject', `${t}-value`, '--message', 'Sale'], JSON.stringify({lines: [{sku: 1}]}))
    expect(expectCleanError(bad).message).toMatch(/^line 1: value.lines\[0\].sku: expected string/)

    const raw = await run(['consume', t, '-e', '--value-format', 'raw', '-f', '%v\n', '--value-decoder', 'hex'])
    const bytes = raw.stdout
      .trim()
      .split('\n')
      .map((h) => Buffer.from(h, 'hex'))
    expect([...bytes[0].subarray(5, 7)]).toEqual([2, 2]) // [1]
    expect([...bytes[1].subarray(5, 8)]).toEqual([4, 2, 0]) // [1, 0]
    expect(bytes[2][5]).toBe(0) // [0]
    const decoded = await run(['consume', t, '-e', '--value-format', 'protobuf'])
    expect(decoded.code, decoded.stderr).toBe(0)
    expect(
      decoded.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([value, {sku: 'B2'}, {id: 'h-1'}])
  })

  it('--proto and --message: plain Protobuf without a registry, both ways', async () => {
    const t = await topic('sd-plain-proto')
    const proto = file('order.proto', 'syntax = "proto3";\npackage shop;\nmessage Order { string id = 1; repeated int64 amounts = 2; Status status = 3; }\nenum Status { NEW = 0; PAID = 1; }\n')
    const noRegistry = {KAFKIT_SCHEMA_REGISTRY_URL: ''}
    const produced = await run(['produce', t, '--proto', proto, '--message', 'shop.Order'], '{"id":"o-1","amounts":["5","7"],"status":"PAID"}\n{"id":"o-2"}\n', noRegistry)
    expect(produced.code, produced.stderr).toBe(0)
    const consumed = await run(['consume', t, '-e', '--proto', proto, '--message', 'Order', '-f', 'json'], undefined, noRegistry)
    expect(consumed.code, consumed.stderr).toBe(0)
    expect(
      consumed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).value),
    ).toEqual([{id: 'o-1', amounts: ['5', '7'], status: 'PAID'}, {id: 'o-2'}])
    const missing = await run(['consume', t, '-e', '--proto', proto], undefined, noRegistry)
    expect(missing.code).toBe(2)
    const unknownType = await run(['consume', t, '-e', '--proto', proto, '--message', 'Nope'], undefined, noRegistry)
    expect(expectCleanError(unknownType).message).toMatch(/^--message: no message 'Nope'/)
  })

  it('JSON Schema: validated on produce, decoded on consume', async () => {
    const t = await topic('sd-json')
    const schema = file(
      'item.json',
      JSON.stringify({$schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: {sku: {type: 'string'}, qty: {type: 'integer', minimum: 0}}, required: ['sku']}),
    )
    const ok = await run(['produce', t, '--value-schema', schema, '--auto-register'], '{"sku":"A","qty":1}\n')
    expect(ok.code, ok.stderr).toBe(0)
    const bad = await run(['produce', t, '--value-schema', schema], '{"sku":"A","qty":-1}\n')
    expect(expectCleanError(bad).message).toBe('line 1: value.qty: must be >= 0 (0 records before it were delivered)')
    const out = await run(['consume', t, '-e', '--value-format', 'json-schema', '-f', 'json'])
    expect(JSON.parse(out.stdout)).toMatchObject({value: {sku: 'A', qty: 1}})
  })

  it('--where: a bad expression is exit 2 with the position, before any connection', async () => {
    const result = await run(['consume', 'no-such-topic', '--where', 'value.qty < 0 and'])
    expect(result.code).toBe(2)
    expect(expectCleanError(result).message).toMatch(/^--where: unexpected .+ at position \d+/)
  })
})

// A second registry for replay: the launcher's Apicurio jar, Java and settings (src/local/registry.ts), on this
// file's own port, in memory.
const SECOND_PORT = Number(process.env.KAFKIT_TEST_SECOND_REGISTRY_PORT ?? 9901)

describe.skipIf(!registryUp && process.env.CI !== 'true')('replay across schema registries', () => {
  let second: ChildProcess | undefined
  const secondUrl = `http://127.0.0.1:${SECOND_PORT}/apis/ccompat/v7`

  beforeAll(async () => {
    if (await up(secondUrl)) return
    const {findJavaFor, registrySystemProperties, resolveApicurio} = await import('../../src/local/registry.js')
    const {jar} = await resolveApicurio()
    const properties = Object.entries(registrySystemProperties(SECOND_PORT, 'memory', dir)).map(([k, v]) => `-D${k}=${v}`)
    second = spawn(findJavaFor().path, ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', ...properties, '-jar', jar], {stdio: 'ignore'})
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) if (await up(secondUrl)) return
    throw new Error(`the second registry did not start on ${SECOND_PORT}`)
  }, 120_000)

  afterAll(() => {
    second?.kill()
  })

  it('registers each schema under its subject in the destination registry and rewrites the ids', async () => {
    const source = uniqueName('sd-replay-src')
    const destination = uniqueName('sd-replay-dst')
    for (const t of [source, destination]) expect((await kafkit(['topics', 'create', t, '--partitions', '1'])).code).toBe(0)
    try {
      // Different ids on each side: the destination already has other schemas.
      await register(secondUrl, uniqueName('filler'), JSON.stringify({type: 'record', name: 'F', fields: [{name: 'f', type: 'string'}]}))
      const schema = file('replay.avsc', SALE_AVSC)
      const keySchema = file('replay-key.avsc', JSON.stringify({type: 'record', name: 'Key', fields: [{name: 'store', type: 'string'}]}))
      const input = Array.from({length: 50}, (_, i) => `${JSON.stringify({store: `s${i % 3}`})}\t${JSON.stringify(sale(i))}`).join('\n')
      expect((await run(['produce', source, '--value-schema', schema, '--key-schema', keySchema, '--auto-register', '-K', '\t'], input)).code).toBe(0)
      const plan = await run(['replay', source, destination, '--to-schema-registry', secondUrl, '--dry-run', '--json'])
      expect(plan.code, plan.stderr).toBe(0)
      const planned = json<{schemas: {subject: string; action: string}[]; records: number}>(plan)
      expect(planned.records).toBe(50)
      expect(planned.schemas.map((s) => [s.subject, s.action]).sort()).toEqual([
        [`${source}-key`, 'would register'],
        [`${source}-value`, 'would register'],
      ])

      const copied = await run(['replay', source, destination, '--to-schema-registry', secondUrl, '--json'])
      expect(copied.code, copied.stderr).toBe(0)
      const mapping = json<{schemas: {sourceId: number; destinationId: number; action: string}[]}>(copied).schemas
      expect(mapping.every((m) => ['registered', 'existing'].includes(m.action) && typeof m.destinationId === 'number')).toBe(true)

      const before = (await run(['consume', source, '-e', '-f', 'json'])).stdout
      const after = (await run(['consume', destination, '-e', '-f', 'json'], undefined, {KAFKIT_SCHEMA_REGISTRY_URL: secondUrl})).stdout
      const strip = (text: string) =>
        text
          .trim()
          .split('\n')
          .map((l) => {
            const {topic: _t, offset: _o, valueSchemaId: _v, keySchemaId: _k, ...rest} = JSON.parse(l)
            return rest
          })
      expect(strip(after)).toEqual(strip(before))
      const ids = new Set(
        after
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).valueSchemaId),
      )
      expect([...ids]).toEqual([mapping.find((m) => m.sourceId === JSON.parse(before.split('\n')[0]).valueSchemaId)!.destinationId])
    } finally {
      await kafkit(['topics', 'delete', source, destination, '--yes'])
    }
  })
})
