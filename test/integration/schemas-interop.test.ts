/**
 * A second opinion on the wire format: a Java producer and consumer with Apicurio's Avro serdes (Maven Central,
 * io.apicurio:apicurio-registry-avro-serde-kafka, 4-byte content ids as Confluent's serdes write them) against
 * the same broker and registry. What Java writes (decimal, timestamp-millis, date, a nullable union, a union of
 * two records) kafkit reads as the documented JSON; what kafkit writes from JSON the Java consumer reads.
 *
 * The Java program (test/interop-java) is compiled once per run with javac against the classpath Maven resolves
 * (dependencies cached in ~/.m2); the first run downloads them.
 */
import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

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
  const topics: string[] = []

  beforeAll(() => {
    const out = mkdtempSync(join(tmpdir(), 'kafkit-interop-java-'))
    const cpFile = join(out, 'cp.txt')
    execFileSync('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], {cwd: JAVA_DIR, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000})
    const deps = readFileSync(cpFile, 'utf8').trim()
    execFileSync('javac', ['-d', out, '-cp', deps, join(JAVA_DIR, 'src', 'Interop.java')], {stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000})
    classpath = `${out}:${deps}`
  }, 660_000)

  afterAll(async () => {
    if (topics.length) await kafkit(['topics', 'delete', ...topics, '--yes'])
  })

  it('records a Java producer wrote decode in kafkit; records kafkit wrote decode in a Java consumer', async () => {
    const fromJava = uniqueName('interop-java')
    const fromKafkit = uniqueName('interop-kafkit')
    topics.push(fromJava, fromKafkit)
    for (const t of topics) expect((await kafkit(['topics', 'create', t, '--partitions', '1'])).code).toBe(0)

    const produced = await runJava(classpath, ['produce', TEST_BROKERS, APICURIO_API, fromJava, '6'])
    expect(produced.code, produced.stderr).toBe(0)
    const env = {KAFKIT_SCHEMA_REGISTRY_URL: DATA_REGISTRY}
    const consumed = await kafkit(['consume', fromJava, '-e', '--format', 'json'], {env})
    expect(consumed.code, consumed.stderr).toBe(0)
    const envelopes = consumed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(envelopes).toHaveLength(6)
    expect(envelopes.every((e) => typeof e.valueSchemaId === 'number')).toBe(true)
    expect(envelopes[0].value).toEqual({store: 'store-0', qty: -2, price: '0.25', at: '2026-11-24T09:00:00.123Z', day: '2026-11-24', customer: null, payment: {'interop.Card': {last4: '4240'}}})
    expect(envelopes[1].value).toEqual({store: 'store-1', qty: -1, price: '1.25', at: '2026-11-24T09:00:00.124Z', day: '2026-11-24', customer: 'c-1', payment: {'interop.Cash': {change: 1}}})

    // kafkit writes with the schema the Java producer registered (the subject is TOPIC-value in both worlds).
    const lines = envelopes.map((e, i) => JSON.stringify({...e.value, qty: e.value.qty + 100, customer: i === 0 ? 'from-kafkit' : e.value.customer}))
    const written = await kafkit(['produce', fromKafkit, '--value-subject', `${fromJava}-value`], {env, input: lines.join('\n')})
    expect(written.code, written.stderr).toBe(0)
    const read = await runJava(classpath, ['consume', TEST_BROKERS, APICURIO_API, fromKafkit, '6'])
    expect(read.code, read.stderr).toBe(0)
    const javaLines = read.stdout.trim().split('\n')
    expect(javaLines).toHaveLength(6)
    expect(javaLines[0]).toBe(
      `interop.Sale store=store-0 qty=98 price=0.25 at=${Date.parse('2026-11-24T09:00:00.123Z')} day=${Date.parse('2026-11-24') / 86_400_000} customer=from-kafkit payment=Card{"last4": "4240"}`,
    )
    expect(javaLines[1]).toBe(
      `interop.Sale store=store-1 qty=99 price=1.25 at=${Date.parse('2026-11-24T09:00:00.124Z')} day=${Date.parse('2026-11-24') / 86_400_000} customer=c-1 payment=Cash{"change": 1}`,
    )
  }, 300_000)
})
