/**
 * `kafkit local start --schema-registry`: a real Apicurio Registry from Maven Central on Java 21+, in a private
 * local dir on this file's own ports (the shared broker and registry are untouched): start, status, the built-in
 * local profile finding it, file storage kept across a restart, logs, stop with no Java left behind.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {ROOT, expectCleanError, json, kafkit} from './helpers.js'

const KAFKA_PORT = 9890
const REGISTRY_PORT = 9893
const dir = mkdtempSync(join(tmpdir(), 'kafkit-local-sr-'))
const env = {KAFKIT_LOCAL_DIR: join(dir, 'local'), KAFKIT_CONFIG: join(dir, 'config.yaml'), KAFKIT_BROKERS: `127.0.0.1:${KAFKA_PORT}`}
const local = (args: string[], timeoutMs = 300_000) => kafkit(['local', ...args], {env, noBrokers: true, timeoutMs})

interface Status {
  running: boolean
  schemaRegistry?: {running: boolean; url: string; storage: string; pid: number | null; version: string; logFile: string}
}

describe('local start --schema-registry', () => {
  afterAll(async () => {
    await local(['stop'], 120_000)
    rmSync(dir, {recursive: true, force: true})
  }, 180_000)

  it('starts Kafka and Apicurio together, is found by the built-in local profile, keeps file storage across a restart, stops both', async () => {
    const start = await local([
      'start',
      '--port',
      String(KAFKA_PORT),
      '--heap',
      '256m',
      '--schema-registry',
      '--schema-registry-port',
      String(REGISTRY_PORT),
      '--schema-registry-storage',
      'file',
      '--json',
    ])
    expect(start.code, start.stderr).toBe(0)
    const started = json<{schemaRegistry: {url: string; storage: string; version: string; java: string}}>(start)
    expect(started.schemaRegistry).toMatchObject({url: `http://127.0.0.1:${REGISTRY_PORT}/apis/ccompat/v7`, storage: 'file'})
    expect(started.schemaRegistry.version).toMatch(/^3\./)

    const status = json<Status>(await local(['status', '--json']))
    expect(status.schemaRegistry).toMatchObject({running: true, storage: 'file'})
    const pid = status.schemaRegistry!.pid!

    // No URL anywhere: the built-in local profile uses the registry started here.
    const file = join(dir, 'a.avsc')
    writeFileSync(file, '{"type":"record","name":"A","fields":[{"name":"a","type":"string"}]}')
    const reg = await kafkit(['schemas', 'register', 'local-a-value', '-f', file], {env, noBrokers: true, timeoutMs: 60_000})
    expect(reg.code, reg.stderr).toBe(0)

    const stop = json<{schemaRegistry?: {wasRunning: boolean}}>(await local(['stop', '--json'], 120_000))
    expect(stop.schemaRegistry?.wasRunning).toBe(true)
    expect(processAlive(pid)).toBe(false)
    const down = await kafkit(['schemas', 'subjects'], {env, noBrokers: true, timeoutMs: 60_000})
    expect(down.code).toBe(4)
    expect(expectCleanError(down).hint).toContain('local start --schema-registry')

    // A plain `local start` brings the registry back (kept like --secure), with the same file storage.
    const again = await local(['start', '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(json<{schemaRegistry?: {storage: string}}>(again).schemaRegistry?.storage).toBe('file')
    const subjects = await kafkit(['schemas', 'subjects'], {env, noBrokers: true, timeoutMs: 60_000})
    expect(subjects.stdout.split('\n')).toContain('local-a-value')

    const logs = await local(['logs', '--schema-registry', '-n', '5'])
    expect(logs.code).toBe(0)
    expect(logs.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(0)
  }, 900_000)

  it('says in one line which Java to install when there is no Java 21+', async () => {
    const {findJavaFor} = (await import(join(ROOT, 'dist', 'local', 'registry.js'))) as typeof import('../../src/local/registry.js')
    let message = ''
    let hint = ''
    try {
      // This machine's Java 17 when it has one (named in the message), and no JDK directory to fall back on.
      findJavaFor(21, {JAVA_HOME: '/usr/lib/jvm/java-17-openjdk-amd64', PATH: '/nonexistent'}, join(dir, 'no-jvms'))
    } catch (error) {
      ;({message, hint} = error as {message: string; hint: string})
    }
    expect(message).toMatch(/^Apicurio Registry needs Java 21 or newer($|; found Java 17)/)
    expect(hint).toContain('apt-get install openjdk-21-jre-headless')
    expect(hint.split('\n')).toHaveLength(1)
  })
})

/** Alive and not a zombie waiting to be reaped by whoever adopted it. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
  } catch {
    return false
  }
}
