/**
 * The on-disk schema cache of consume (src/schemas/disk-cache.ts), against the real registry. Loopback registries
 * are not cached, so the registry is reached here through a plain TCP forwarder on this machine's first
 * non-loopback address (skipped when it has none): the first consume fetches and writes the cache (0700/0600), the
 * second decodes with the forwarder gone, and --no-schema-cache then cannot reach the registry (exit 4).
 */
import {existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {createServer, connect, type Server} from 'node:net'
import {networkInterfaces, tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {kafkit, uniqueName} from './helpers.js'

const DATA_REGISTRY = process.env.KAFKIT_TEST_SCHEMA_REGISTRY ?? 'http://127.0.0.1:8081/apis/ccompat/v7'
const registryUp = await fetch(`${DATA_REGISTRY}/subjects`, {signal: AbortSignal.timeout(3000)}).then(
  (r) => r.ok,
  () => false,
)
if (!registryUp && process.env.CI === 'true') throw new Error(`no schema registry at ${DATA_REGISTRY}`)
const address = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address
const target = new URL(DATA_REGISTRY)

/** Forwards every connection on ADDRESS:port to the registry. */
function forwarder(): Promise<{server: Server; url: string}> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      const upstream = connect(Number(target.port || 80), target.hostname)
      socket.pipe(upstream).pipe(socket)
      const close = () => {
        socket.destroy()
        upstream.destroy()
      }
      socket.on('error', close)
      upstream.on('error', close)
    })
    server.once('error', reject)
    server.listen(0, address, () => {
      const {port} = server.address() as {port: number}
      resolve({server, url: `http://${address}:${port}${target.pathname}`})
    })
  })
}

describe.skipIf(!registryUp || !address)('consume: the on-disk schema cache', () => {
  const topic = uniqueName('schema-cache')
  const cacheDir = mkdtempSync(join(tmpdir(), 'kafkit-schema-cache-'))
  const schema = JSON.stringify({type: 'record', name: 'Cached', namespace: 'cache', fields: [{name: 'n', type: 'int'}]})

  afterAll(async () => {
    await kafkit(['topics', 'delete', topic, '--yes'])
  })

  it('writes fetched schemas (0600) keyed by registry, decodes from it when the registry is gone; loopback and --no-schema-cache do not use it', async () => {
    const env = {KAFKIT_CACHE_DIR: cacheDir, KAFKIT_SCHEMA_REGISTRY_URL: DATA_REGISTRY}
    expect((await kafkit(['topics', 'create', topic, '--partitions', '1'])).code).toBe(0)
    const avsc = join(cacheDir, 'cached.avsc')
    writeFileSync(avsc, schema)
    const write = await kafkit(['produce', topic, '--value-schema', avsc, '--auto-register'], {env, input: '{"n":1}\n{"n":2}\n'})
    expect(write.code, write.stderr).toBe(0)

    // Through the loopback URL: decoded, nothing written to disk.
    const loopback = await kafkit(['consume', topic, '-e'], {env})
    expect(loopback.stdout).toBe('{"n":1}\n{"n":2}\n')
    expect(existsSync(join(cacheDir, 'schemas'))).toBe(false)

    const {server, url} = await forwarder()
    const viaForwarder = {...env, KAFKIT_SCHEMA_REGISTRY_URL: url}
    try {
      const first = await kafkit(['consume', topic, '-e', '--format', 'json'], {env: viaForwarder})
      expect(first.code, first.stderr).toBe(0)
      const id = (JSON.parse(first.stdout.split('\n')[0]) as {valueSchemaId: number}).valueSchemaId
      const dirs = readdirSync(join(cacheDir, 'schemas'))
      expect(dirs).toHaveLength(1)
      const dir = join(cacheDir, 'schemas', dirs[0])
      expect(readdirSync(dir).sort()).toEqual([`${id}.json`, 'registry.json'])
      expect(statSync(dir).mode & 0o777).toBe(0o700)
      expect(statSync(join(dir, `${id}.json`)).mode & 0o777).toBe(0o600)
      expect(JSON.parse(readFileSync(join(dir, 'registry.json'), 'utf8'))).toEqual({url})
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }

    // The forwarder is gone: the schema comes from disk.
    const offline = await kafkit(['consume', topic, '-e', '--timeout', '3s'], {env: viaForwarder})
    expect(offline.code, offline.stderr).toBe(0)
    expect(offline.stdout).toBe('{"n":1}\n{"n":2}\n')

    // --no-schema-cache: the registry must answer, and it cannot (exit 4, one line).
    const uncached = await kafkit(['consume', topic, '-e', '--timeout', '3s', '--no-schema-cache'], {env: viaForwarder})
    expect(uncached.code, uncached.stderr).toBe(4)
    expect(uncached.stderr).toMatch(/cannot connect to the schema registry/)
  }, 120_000)
})
