/**
 * A second opinion on the wire format: a Java producer and consumer with Apicurio's Avro, Protobuf and JSON Schema
 * serdes (Maven Central, io.apicurio:apicurio-registry-*-serde-kafka, 4-byte content ids and Confluent's Protobuf
 * message indexes, as Confluent's serdes write them) against the same broker and registry. What Java writes kafkit
 * reads as the documented JSON (Avro: decimal, timestamp-millis, date, a nullable union, a union of two records;
 * Protobuf: the second top-level message [1], a nested one [1, 0], the first [0], a type from an imported .proto that
 * the serializer registered as a reference; JSON Schema); what kafkit writes the Java consumer reads.
 *
 * The Java program (test/interop-java) is compiled with javac against the classpath Maven resolves (dependencies
 * cached in ~/.m2; the first run downloads them), once per change of its pom or source (interopClasspath). One JVM
 * writes all three topics, one reads them.
 */
import {execFileSync, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {cacheRoot} from '../../src/local/paths.js'
import {kafkit, ROOT, TEST_BROKERS, uniqueName} from './helpers.js'

const DATA_REGISTRY = process.env.KAFKIT_TEST_SCHEMA_REGISTRY ?? 'http://127.0.0.1:8081/apis/ccompat/v7'
const JAVA_DIR = join(ROOT, 'test', 'interop-java')
const registryUp = await fetch(`${DATA_REGISTRY}/subjects`, {signal: AbortSignal.timeout(3000)}).then(
  (r) => r.ok,
  () => false,
)
if (!registryUp && process.env.CI === 'true') throw new Error(`no schema registry at ${DATA_REGISTRY}`)
// Apicurio's own API for its serdes, beside the Confluent-compatible one kafkit uses.
const APICURIO_API = DATA_REGISTRY.replace(/\/apis\/ccompat\/v7\/?$/, '/apis/registry/v3')

const MONEY_PROTO = `syntax = "proto3";
package interop.common;
message Money {
  string currency = 1;
  int64 units = 2;
  int32 cents = 3;
}
`
// The same file the Java producer builds its descriptors from (test/interop-java/src/Interop.java).
const SHOP_PROTO = `syntax = "proto3";
package interop.shop;
import "interop/common/money.proto";
message Ping {
  string id = 1;
}
message Order {
  string id = 1;
  repeated Line lines = 2;
  interop.common.Money total = 3;
  Status status = 4;
  message Line {
    string sku = 1;
    int32 qty = 2;
    interop.common.Money price = 3;
  }
  enum Status {
    NEW = 0;
    PAID = 1;
  }
}
`
const STOCK_SCHEMA = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Stock',
  type: 'object',
  properties: {
    sku: {type: 'string'},
    qty: {type: 'integer', minimum: 1},
    tags: {type: 'array', items: {type: 'string'}},
    where: {type: 'object', properties: {store: {type: 'string'}, open: {type: 'boolean'}}, required: ['store']},
  },
  required: ['sku', 'qty'],
  additionalProperties: false,
})

/**
 * The compiled Interop class and its dependencies' classpath, kept under ~/.cache/kafkit/interop-java by the hash
 * of the pom and the source: Maven (a JVM resolving the classpath) and javac run again only when either changes
 * or a jar is gone from ~/.m2.
 */
function interopClasspath(): string {
  const source = join(JAVA_DIR, 'src', 'Interop.java')
  const hash = createHash('sha256')
    .update(readFileSync(join(JAVA_DIR, 'pom.xml')))
    .update(readFileSync(source))
    .digest('hex')
    .slice(0, 16)
  const cached = join(cacheRoot(), 'interop-java', hash)
  const deps = () => readFileSync(join(cached, 'cp.txt'), 'utf8').trim()
  if (
    existsSync(join(cached, 'Interop.class')) &&
    deps()
      .split(':')
      .every((jar) => existsSync(jar))
  )
    return `${cached}:${deps()}`
  // Built beside it, then renamed into place: a build cut short leaves no half a cache.
  mkdirSync(join(cached, '..'), {recursive: true})
  const building = mkdtempSync(`${cached}.building-`)
  const cpFile = join(building, 'cp.txt')
  execFileSync('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], {cwd: JAVA_DIR, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000})
  execFileSync('javac', ['-d', building, '-cp', readFileSync(cpFile, 'utf8').trim(), source], {stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000})
  rmSync(cached, {recursive: true, force: true})
  renameSync(building, cached)
  return `${cached}:${deps()}`
}

function runJava(classpath: string, args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', classpath, 'Interop', ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

describe.skipIf(!registryUp && process.env.CI !== 'true')('interop with a Java client (Apicurio serdes)', () => {
  let classpath = ''
  let dir = ''
  const topics: string[] = []
  const env = {KAFKIT_SCHEMA_REGISTRY_URL: DATA_REGISTRY}
  // Written by Java, read by kafkit; then written by kafkit, read by Java.
  const fromJava = {avro: '', proto: '', json: ''}
  const fromKafkit = {avro: '', proto: '', json: ''}
  let avroValues: Record<string, unknown>[] = []

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafkit-interop-java-'))
    classpath = interopClasspath()
    mkdirSync(join(dir, 'protos', 'interop', 'common'), {recursive: true})
    writeFileSync(join(dir, 'protos', 'interop', 'common', 'money.proto'), MONEY_PROTO)
    writeFileSync(join(dir, 'protos', 'shop.proto'), SHOP_PROTO)
    writeFileSync(join(dir, 'stock.json'), STOCK_SCHEMA)
  }, 660_000)

  afterAll(async () => {
    if (topics.length) await kafkit(['topics', 'delete', ...topics, '--yes'])
  })

  const consumeJson = async (topic: string) => {
    const consumed = await kafkit(['consume', topic, '-e', '--format', 'json'], {env})
    expect(consumed.code, consumed.stderr).toBe(0)
    expect(consumed.stderr).not.toMatch(/could not be decoded/)
    return consumed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {value: Record<string, unknown>; valueSchemaId?: number})
  }

  it('records a Java producer wrote (Avro, Protobuf with references and nested messages, JSON Schema) decode in kafkit', async () => {
    for (const kind of ['avro', 'proto', 'json'] as const) {
      fromJava[kind] = uniqueName(`interop-java-${kind}`)
      fromKafkit[kind] = uniqueName(`interop-kafkit-${kind}`)
      topics.push(fromJava[kind], fromKafkit[kind])
    }
    for (const t of topics) expect((await kafkit(['topics', 'create', t, '--partitions', '1'])).code).toBe(0)
    // Apicurio's JSON Schema serializer cannot derive a schema from the data: it uses the latest registered one.
    const registered = await kafkit(['schemas', 'register', `${fromJava.json}-value`, '-f', join(dir, 'stock.json')], {env})
    expect(registered.code, registered.stderr).toBe(0)

    const produced = await runJava(classpath, ['produce', TEST_BROKERS, APICURIO_API, '6', `avro=${fromJava.avro}`, `proto=${fromJava.proto}`, `json=${fromJava.json}`])
    expect(produced.code, produced.stderr).toBe(0)

    const avro = await consumeJson(fromJava.avro)
    expect(avro).toHaveLength(6)
    expect(avro.every((e) => typeof e.valueSchemaId === 'number')).toBe(true)
    expect(avro[0].value).toEqual({store: 'store-0', qty: -2, price: '0.25', at: '2026-11-24T09:00:00.123Z', day: '2026-11-24', customer: null, payment: {'interop.Card': {last4: '4240'}}})
    expect(avro[1].value).toEqual({store: 'store-1', qty: -1, price: '1.25', at: '2026-11-24T09:00:00.124Z', day: '2026-11-24', customer: 'c-1', payment: {'interop.Cash': {change: 1}}})
    avroValues = avro.map((e) => e.value)

    // Order ([1], with Money from the imported file), Order.Line ([1, 0]), Ping ([0]); ProtoJSON: int64 as strings, defaults left out.
    const proto = await consumeJson(fromJava.proto)
    expect(proto.map((e) => e.value)).toEqual([
      {id: 'o-0', lines: [{sku: 'SKU-0', qty: 1, price: {currency: 'EUR', cents: 25}}], total: {currency: 'EUR', cents: 25}, status: 'PAID'},
      {sku: 'SKU-1', qty: 2, price: {currency: 'EUR', units: '1', cents: 25}},
      {id: 'p-2'},
      {id: 'o-3', lines: [{sku: 'SKU-3', qty: 4, price: {currency: 'EUR', units: '3', cents: 25}}], total: {currency: 'EUR', units: '3', cents: 25}, status: 'PAID'},
      {sku: 'SKU-4', qty: 5, price: {currency: 'EUR', units: '4', cents: 25}},
      {id: 'p-5'},
    ])
    const protoId = proto[0].valueSchemaId
    // The serializer registered the imported file as a reference, under its import path.
    const schema = (await (await fetch(`${DATA_REGISTRY}/schemas/ids/${protoId}`)).json()) as {references: {name: string}[]}
    expect(schema.references.map((r) => r.name)).toContain('interop/common/money.proto')

    const json = await consumeJson(fromJava.json)
    expect(json).toHaveLength(6)
    expect(json[1].value).toEqual({sku: 'SKU-1', qty: 2, tags: ['java', 't1'], where: {store: 'store-1', open: false}})
    expect(json[1].valueSchemaId).toBe(Number(registered.stdout.trim()))
  }, 300_000)

  it('records kafkit wrote (Avro, Protobuf with a reference kafkit registered, JSON Schema) decode in a Java consumer', async () => {
    expect(avroValues, 'the first test wrote the Java side').toHaveLength(6)
    // Avro: with the schema the Java producer registered (the subject is TOPIC-value in both worlds).
    const lines = avroValues.map((v, i) => JSON.stringify({...v, qty: (v.qty as number) + 100, customer: i === 0 ? 'from-kafkit' : v.customer}))
    const written = await kafkit(['produce', fromKafkit.avro, '--value-subject', `${fromJava.avro}-value`], {env, input: lines.join('\n')})
    expect(written.code, written.stderr).toBe(0)

    // Protobuf: kafkit registers the imported file and the main one with a reference to it, then writes three messages.
    const moneySubject = `${fromKafkit.proto}-money`
    expect((await kafkit(['schemas', 'register', moneySubject, '-f', join(dir, 'protos', 'interop', 'common', 'money.proto')], {env})).code).toBe(0)
    const shop = await kafkit(['schemas', 'register', `${fromKafkit.proto}-value`, '-f', join(dir, 'protos', 'shop.proto'), '--reference', `interop/common/money.proto=${moneySubject}:1`], {env})
    expect(shop.code, shop.stderr).toBe(0)
    const protoRecords: [string, string][] = [
      ['interop.shop.Order', '{"id":"o-1","lines":[{"sku":"A","qty":2,"price":{"currency":"EUR","units":"3","cents":50}}],"status":"PAID"}'],
      ['interop.shop.Order.Line', '{"sku":"B","qty":3}'],
      ['interop.shop.Ping', '{"id":"p-1"}'],
    ]
    for (const [message, line] of protoRecords) {
      const r = await kafkit(['produce', fromKafkit.proto, '--value-subject', `${fromKafkit.proto}-value`, '--message', message], {env, input: line})
      expect(r.code, r.stderr).toBe(0)
    }

    const stock = ['{"sku":"K-1","qty":7,"tags":["kafkit"],"where":{"store":"s-9","open":true}}', '{"sku":"K-2","qty":1}', '{"sku":"K-3","qty":2,"tags":[]}']
    const json = await kafkit(['produce', fromKafkit.json, '--value-subject', `${fromJava.json}-value`], {env, input: stock.join('\n')})
    expect(json.code, json.stderr).toBe(0)

    const read = await runJava(classpath, ['consume', TEST_BROKERS, APICURIO_API, '3', `avro=${fromKafkit.avro}`, `proto=${fromKafkit.proto}`, `json=${fromKafkit.json}`])
    expect(read.code, read.stderr).toBe(0)
    const javaLines = read.stdout.trim().split('\n')
    const day = Date.parse('2026-11-24') / 86_400_000
    expect(javaLines.filter((l) => l.startsWith('avro ')).slice(0, 3)).toEqual([
      `avro interop.Sale store=store-0 qty=98 price=0.25 at=${Date.parse('2026-11-24T09:00:00.123Z')} day=${day} customer=from-kafkit payment=Card{"last4": "4240"}`,
      `avro interop.Sale store=store-1 qty=99 price=1.25 at=${Date.parse('2026-11-24T09:00:00.124Z')} day=${day} customer=c-1 payment=Cash{"change": 1}`,
      `avro interop.Sale store=store-2 qty=100 price=2.25 at=${Date.parse('2026-11-24T09:00:00.125Z')} day=${day} customer=null payment=Card{"last4": "4242"}`,
    ])
    expect(javaLines.filter((l) => l.startsWith('proto '))).toEqual(protoRecords.map(([message, line]) => `proto ${message} ${line}`))
    expect(javaLines.filter((l) => l.startsWith('json '))).toEqual(stock.map((l) => `json ${l}`))
  }, 300_000)
})
