/**
 * A registry behind HTTPS and authentication, as in production (Confluent Cloud: basic auth over TLS; others:
 * bearer tokens): a small TLS front (certificates from a test CA) that checks credentials and passes requests on
 * to the real Apicurio Registry. kafkit's side is what is tested: TLS trust, basic auth from passwordEnv /
 * passwordCommand, bearer tokens from tokenCommand, 401 -> exit 4, 403 -> exit 9, secrets never printed.
 */
import {readFileSync, rmSync} from 'node:fs'
import {type IncomingMessage, type ServerResponse} from 'node:http'
import {createServer, type Server} from 'node:https'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ROOT, expectCleanError, json, kafkit, uniqueName} from './helpers.js'
import {REGISTRY_AVAILABLE, TEST_REGISTRY, schemas, scratch} from './registry.js'

const LONG = 300_000
const PORT = 9894
const PASSWORD = `sr-pw-${uniqueName('x')}`
const TOKEN = `sr-token-${uniqueName('t')}`
const API = new URL(TEST_REGISTRY).pathname

/** writer: everything; reader: GET only (403 otherwise); a bearer token: everything; anything else: 401. */
function authorize(header: string | undefined, method: string): 200 | 401 | 403 {
  if (header === `Bearer ${TOKEN}`) return 200
  if (!header?.startsWith('Basic ')) return 401
  const [user, password] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')
  if (password !== PASSWORD) return 401
  if (user === 'writer') return 200
  if (user === 'reader') return method === 'GET' ? 200 : 403
  return 401
}

async function front(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const verdict = authorize(req.headers.authorization, req.method ?? 'GET')
  if (verdict !== 200) {
    res.writeHead(verdict, {'content-type': 'application/json'})
    res.end(JSON.stringify({error_code: verdict === 401 ? 40101 : 40301, message: verdict === 401 ? 'Unauthorized' : 'User is denied operation on this server'}))
    return
  }
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const target = new URL(TEST_REGISTRY)
  const response = await fetch(`${target.origin}${req.url}`, {
    method: req.method,
    headers: {'content-type': req.headers['content-type'] ?? 'application/json', accept: 'application/json'},
    body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
  })
  res.writeHead(response.status, {'content-type': response.headers.get('content-type') ?? 'application/json'})
  res.end(Buffer.from(await response.arrayBuffer()))
}

describe.skipIf(!REGISTRY_AVAILABLE)('schema registry over TLS with authentication', () => {
  const ctx = scratch('kafkit-sr-auth-')
  let server: Server
  let ca: string
  const url = `https://127.0.0.1:${PORT}${API}`
  const subject = uniqueName('sr-auth')

  beforeAll(async () => {
    // The CA and a server certificate for 127.0.0.1, made by kafkit's own --secure code (openssl).
    const {ensureLocalSecurity} = (await import(join(ROOT, 'dist', 'local', 'security.js'))) as typeof import('../../src/local/security.js')
    const {files} = await ensureLocalSecurity(join(ctx.dir, 'pki'), '127.0.0.1')
    ca = files.ca
    server = createServer({key: readFileSync(join(files.dir, 'broker.key')), cert: readFileSync(join(files.dir, 'broker.crt'))}, (req, res) => {
      front(req, res).catch((error) => {
        res.writeHead(502)
        res.end(String(error))
      })
    })
    await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve))
  }, 120_000)

  afterAll(async () => {
    await schemas(['delete', subject, '--permanent', '--yes'], ctx.env)
    await new Promise((resolve) => server?.close(resolve))
    rmSync(ctx.dir, {recursive: true, force: true})
  }, 120_000)

  const profile = (name: string, registry: string) =>
    ctx.write(`${name}.yaml`, `current: ${name}\nprofiles:\n  ${name}:\n    brokers: [127.0.0.1:9092]\n    schemaRegistry:\n${registry.replace(/^/gm, '      ')}\n`)
  const run = (config: string, args: string[], extra: NodeJS.ProcessEnv = {}) => schemas(args, {...ctx.env, KAFKIT_CONFIG: config, KAFKIT_SCHEMA_REGISTRY_URL: undefined, SR_PW: PASSWORD, ...extra})
  const avro = () => ctx.write('auth.avsc', JSON.stringify({type: 'record', name: 'A', fields: [{name: 'a', type: 'string'}]}))

  it(
    'basic auth from passwordEnv over TLS with the profile CA: works, and the password is never printed',
    async () => {
      const config = profile('cloud', `url: ${url}\nusername: writer\npasswordEnv: SR_PW\ntls: {ca: ${ca}}`)
      const reg = await run(config, ['register', subject, '-f', avro(), '--debug'])
      expect(reg.code, reg.stderr).toBe(0)
      expect(reg.stderr).toContain('registry POST')
      const list = await run(config, ['subjects'])
      expect(list.stdout.split('\n')).toContain(subject)

      const test = await kafkit(['profiles', 'test', '--debug'], {noBrokers: true, env: {...ctx.env, KAFKIT_CONFIG: config, KAFKIT_SCHEMA_REGISTRY_URL: undefined, SR_PW: PASSWORD}, timeoutMs: 60_000})
      expect(test.code, test.stdout + test.stderr).toBe(0)
      expect(test.stdout).toMatch(/✓ registry +https:\/\/127\.0\.0\.1:9894\S*: reachable, authenticated \(basic auth as 'writer'\), \d+ subjects?/)
      const show = await kafkit(['profiles', 'show', '--json'], {noBrokers: true, env: {...ctx.env, KAFKIT_CONFIG: config, KAFKIT_SCHEMA_REGISTRY_URL: undefined, SR_PW: PASSWORD}})
      expect(json<{profile: {schemaRegistry: unknown}}>(show).profile.schemaRegistry).toMatchObject({url, username: 'writer', password: {from: 'env', env: 'SR_PW'}})
      for (const r of [reg, list, test, show]) expect(r.stdout + r.stderr).not.toContain(PASSWORD)
    },
    LONG,
  )

  it(
    'passwordCommand and tokenCommand work too',
    async () => {
      const byCommand = profile('cmd', `url: ${url}\nusername: reader\npasswordCommand: printf %s "$SR_PW"\ntls: {ca: ${ca}}`)
      expect((await run(byCommand, ['versions', subject])).stdout).toBe('1\n')
      const byToken = profile('tok', `url: ${url}\ntokenCommand: printf '{"access_token":"%s"}' "$SR_TOKEN"\ntls: {ca: ${ca}}`)
      const r = await run(byToken, ['get', subject, '--debug'], {SR_TOKEN: TOKEN})
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout + r.stderr).not.toContain(TOKEN)
    },
    LONG,
  )

  it(
    'a wrong password is exit 4; a forbidden operation exit 9; each one line with a hint',
    async () => {
      const wrong = await run(profile('wrong', `url: ${url}\nusername: writer\npasswordEnv: SR_PW\ntls: {ca: ${ca}}`), ['subjects'], {SR_PW: 'not-the-password'})
      expect(wrong.code).toBe(4)
      const e = expectCleanError(wrong)
      expect(e.message).toContain('refused the credentials (HTTP 401')
      expect(e.hint).toContain('passwordEnv')

      const reader = await run(profile('reader', `url: ${url}\nusername: reader\npasswordEnv: SR_PW\ntls: {ca: ${ca}}`), ['register', subject, '-f', avro()])
      expect(reader.code).toBe(9)
      expect(expectCleanError(reader).message).toContain('not authorized by the schema registry')

      const test = await kafkit(['profiles', 'test'], {
        noBrokers: true,
        env: {...ctx.env, KAFKIT_CONFIG: ctx.write('w2.yaml', readFileSync(join(ctx.dir, 'wrong.yaml'), 'utf8')), KAFKIT_SCHEMA_REGISTRY_URL: undefined, SR_PW: 'nope-nope'},
        timeoutMs: 60_000,
      })
      expect(test.code).toBe(4)
      expect(test.stdout).toContain('✗ registry')
    },
    LONG,
  )

  it(
    'a certificate the profile does not trust is exit 4, naming the setting; TLS verification stays on',
    async () => {
      const untrusted = await run(profile('notrust', `url: ${url}\nusername: writer\npasswordEnv: SR_PW`), ['subjects'])
      expect(untrusted.code).toBe(4)
      const e = expectCleanError(untrusted)
      expect(e.message).toMatch(/^TLS: cannot verify the schema registry https:\/\/127\.0\.0\.1:9894/)
      expect(e.hint).toContain('schemaRegistry.tls.ca')
      const plain = await run(profile('plainhttp', `url: http://127.0.0.1:${PORT}${API}\nusername: writer\npasswordEnv: SR_PW`), ['subjects'])
      expect(plain.code).not.toBe(0)
      expect(plain.stdout + plain.stderr).not.toContain(PASSWORD)
    },
    LONG,
  )
})
