/**
 * Secured connections against a real broker started with `kafkit local start --secure` (CI's broker has the
 * secured listeners; on a workstation point KAFKIT_SECURE_LOCAL_DIR at a cluster of your own, e.g.
 * `KAFKIT_LOCAL_DIR=/tmp/sec-kafka node bin/run.js local start --secure --port 9392`).
 *
 * Every output of every run here (stdout, stderr, --debug) is checked at the end for the test secrets.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {AddressInfo, createServer as createTcpServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {unsecuredJwt} from '../../src/local/security.js'
import {BIN, RunOptions, RunResult, expectCleanError, json, kafkit} from './helpers.js'
import {requireService} from './required-service.js'

interface SecurityInfo {
  listeners: Record<'SASL_PLAINTEXT' | 'SSL' | 'MTLS' | 'SASL_SSL', string[]>
  username: string
  oauthScope: string
  ca: string
  clientCert: string
  clientKey: string
  clientKeyEncrypted: string
  credentialsFile: string
}

function findSecuredCluster(): SecurityInfo | undefined {
  const dir = process.env.KAFKIT_SECURE_LOCAL_DIR ?? process.env.KAFKIT_LOCAL_DIR
  const status = spawnSync(process.execPath, [BIN, 'local', 'status', '--json'], {env: {...process.env, ...(dir ? {KAFKIT_LOCAL_DIR: dir} : {})}, encoding: 'utf8', timeout: 20_000})
  try {
    const parsed = JSON.parse(status.stdout) as {running: boolean; security?: SecurityInfo}
    return parsed.running ? parsed.security : undefined
  } catch {
    return undefined
  }
}

const sec = findSecuredCluster()
const secured = requireService('a local cluster with --secure listeners', sec !== undefined, "start one with 'kafkit local start --secure' (see the comment at the top of this file)")

const creds = sec ? (JSON.parse(readFileSync(sec.credentialsFile, 'utf8')) as {username: string; password: string; keyPassphrase: string}) : undefined
const goodToken = sec ? unsecuredJwt({sub: 'alice', scope: sec.oauthScope}) : ''
const wrongScopeToken = sec ? unsecuredJwt({sub: 'alice', scope: 'not-kafkit'}) : ''
const CLIENT_SECRET = 'kafkit-test-client-secret-7f3a9c'
const WRONG_PASSWORD = 'kafkit-wrong-password-55e1'

const outputs: RunResult[] = []
const config = join(mkdtempSync(join(tmpdir(), 'kafkit-security-it-')), 'config.yaml')

/** Runs the CLI with no profile or broker from the environment: each test says exactly what it connects with. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}, options: RunOptions = {}): Promise<RunResult> {
  const result = await kafkit(args, {noBrokers: true, timeoutMs: 110_000, ...options, env: {KAFKIT_CONFIG: config, KAFKIT_PROFILE: '', ...env}})
  outputs.push(result)
  return result
}

const first = (addresses: string[]) => addresses[0]

describe.runIf(secured)('secured connections (real broker)', {timeout: 180_000}, () => {
  const s = sec!
  const c = creds!

  describe.concurrent('SASL username/password mechanisms', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      it(`${mechanism}: right password works, wrong password is exit 4 naming user and mechanism`, async () => {
        const base = {KAFKIT_SASL_MECHANISM: mechanism, KAFKIT_SASL_USERNAME: c.username}
        const ok = await run(['cluster', 'info', '--json', '-b', first(s.listeners.SASL_PLAINTEXT)], {...base, KAFKIT_SASL_PASSWORD: c.password})
        expect(ok.code, ok.stderr).toBe(0)
        expect(json<{brokers: unknown[]}>(ok).brokers.length).toBeGreaterThan(0)
        const bad = await run(['cluster', 'info', '-b', first(s.listeners.SASL_PLAINTEXT), '--timeout', '10s'], {...base, KAFKIT_SASL_PASSWORD: WRONG_PASSWORD})
        expect(bad.code).toBe(4)
        const {message} = expectCleanError(bad)
        expect(message).toContain(`user '${c.username}'`)
        expect(message).toContain(mechanism.toUpperCase())
        expect(bad.stderr.trim().split('\n')).toHaveLength(2) // error + hint
      })
    }

    it('SASL_SSL with SCRAM-SHA-512 from a profile with passwordCommand and the CA', async () => {
      const add = await run([
        'profiles',
        'add',
        'secure-scram',
        '-b',
        first(s.listeners.SASL_SSL),
        '--tls-ca',
        s.ca,
        '--sasl',
        'scram-sha-512',
        '-u',
        c.username,
        '--password-command',
        `sed -n 's/.*"password": "\\(.*\\)".*/\\1/p' ${s.credentialsFile}`,
        '--no-test',
      ])
      expect(add.code, add.stderr).toBe(0)
      const ok = await run(['cluster', 'info', '-p', 'secure-scram'])
      expect(ok.code, ok.stderr).toBe(0)
    })

    it('profiles test on SASL_SSL: every step passes, the certificate is described', async () => {
      const test = await run(['profiles', 'test', '--json', '-b', first(s.listeners.SASL_SSL)], {
        KAFKIT_TLS_CA: s.ca,
        KAFKIT_SASL_MECHANISM: 'scram-sha-512',
        KAFKIT_SASL_USERNAME: c.username,
        KAFKIT_SASL_PASSWORD: c.password,
      })
      expect(test.code, test.stderr).toBe(0)
      const report = json<{steps: {step: string; ok: boolean | null; detail: string}[]; tls: {subject: string; issuer: string; daysLeft: number}}>(test)
      expect(report.steps.map((x) => `${x.step}:${x.ok}`)).toEqual(['resolve:true', 'tcp:true', 'tls:true', 'sasl:true', 'metadata:true', 'cluster:true', 'topics:true'])
      expect(report.tls).toMatchObject({subject: 'CN=localhost', issuer: 'CN=kafkit local CA'})
      expect(report.tls.daysLeft).toBeGreaterThan(300)
    })

    it('profiles test stops at the SASL step with a wrong password (exit 4, --json steps on stdout)', async () => {
      const result = await run(['profiles', 'test', '--json', '-b', first(s.listeners.SASL_SSL)], {
        KAFKIT_TLS_CA: s.ca,
        KAFKIT_SASL_MECHANISM: 'scram-sha-256',
        KAFKIT_SASL_USERNAME: c.username,
        KAFKIT_SASL_PASSWORD: WRONG_PASSWORD,
      })
      expect(result.code).toBe(4)
      const report = json<{ok: boolean; steps: {step: string; ok: boolean | null}[]}>(result)
      expect(report.ok).toBe(false)
      expect(report.steps.at(-1)).toMatchObject({step: 'sasl', ok: false})
      expect(JSON.parse(result.stderr).error.code).toBe('AUTHENTICATION_FAILED')
    })
  })

  describe.concurrent('OAUTHBEARER', () => {
    it('a token from tokenCommand works; a token without the required scope is exit 4 naming the subject', async () => {
      const ok = await run(['cluster', 'info', '-b', first(s.listeners.SASL_PLAINTEXT)], {KAFKIT_SASL_MECHANISM: 'oauthbearer', KAFKIT_SASL_TOKEN_COMMAND: `echo ${goodToken}`})
      expect(ok.code, ok.stderr).toBe(0)
      const bad = await run(['cluster', 'info', '-b', first(s.listeners.SASL_SSL)], {KAFKIT_TLS_CA: s.ca, KAFKIT_SASL_MECHANISM: 'oauthbearer', KAFKIT_SASL_TOKEN_COMMAND: `echo ${wrongScopeToken}`})
      expect(bad.code).toBe(4)
      expect(expectCleanError(bad).message).toMatch(/authentication failed for 'alice' with OAUTHBEARER .*refused the token/)
    })

    it('client-credentials flow against a token endpoint: right and wrong client secret', async () => {
      // A minimal OAuth token endpoint: checks HTTP Basic client authentication, returns the unsecured JWT.
      const server = createServer((req, res) => {
        const auth = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
        let body = ''
        req.on('data', (d: Buffer) => (body += d.toString()))
        req.on('end', () => {
          const ok = auth === `kafkit-client:${CLIENT_SECRET}` && new URLSearchParams(body).get('grant_type') === 'client_credentials'
          res.writeHead(ok ? 200 : 401, {'content-type': 'application/json'})
          res.end(JSON.stringify(ok ? {access_token: goodToken, token_type: 'bearer', expires_in: 3600} : {error: 'invalid_client'}))
        })
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
      try {
        const add = await run([
          'profiles',
          'add',
          'oauth-cc',
          '-b',
          first(s.listeners.SASL_PLAINTEXT),
          '--sasl',
          'oauthbearer',
          '--token-endpoint',
          endpoint,
          '--oauth-client-id',
          'kafkit-client',
          '--client-secret-env',
          'OAUTH_SECRET',
          '--no-test',
        ])
        expect(add.code, add.stderr).toBe(0)
        const ok = await run(['cluster', 'info', '-p', 'oauth-cc'], {OAUTH_SECRET: CLIENT_SECRET})
        expect(ok.code, ok.stderr).toBe(0)
        const bad = await run(['cluster', 'info', '-p', 'oauth-cc'], {OAUTH_SECRET: 'kafkit-wrong-client-secret'})
        expect(bad.code).toBe(4)
        expect(expectCleanError(bad).message).toMatch(/token endpoint refused client 'kafkit-client' \(HTTP 401, invalid_client\)/)
      } finally {
        server.close()
      }
    })
  })

  describe.concurrent('TLS', () => {
    it('SSL with the CA works; without it: exit 4 with a hint about tls.ca', async () => {
      const ok = await run(['cluster', 'info', '-b', first(s.listeners.SSL)], {KAFKIT_TLS_CA: s.ca})
      expect(ok.code, ok.stderr).toBe(0)
      const untrusted = await run(['cluster', 'info', '-b', first(s.listeners.SSL), '--json'], {KAFKIT_TLS: '1'})
      expect(untrusted.code).toBe(4)
      const error = JSON.parse(untrusted.stderr).error as {code: string; hint: string}
      expect(error.code).toBe('TLS_UNTRUSTED')
      expect(error.hint).toContain('tls.ca')
    })

    it('a host name the certificate does not list is caught (command and profiles test)', async () => {
      const env = {KAFKIT_TLS_CA: s.ca, KAFKIT_TLS_SERVERNAME: 'kafka.example.com'}
      const mismatch = await run(['cluster', 'info', '-b', first(s.listeners.SSL), '--json'], env)
      expect(mismatch.code).toBe(4)
      expect(JSON.parse(mismatch.stderr).error.code).toBe('TLS_HOSTNAME_MISMATCH')
      const test = await run(['profiles', 'test', '-b', first(s.listeners.SSL)], env)
      expect(test.code).toBe(4)
      expect(test.stdout).toMatch(/^✗ tls .*kafka\.example\.com/m)
      expect(expectCleanError(test).hint).toMatch(/servername/)
    })

    it('insecureSkipVerify connects to an untrusted broker and warns', async () => {
      const result = await run(['cluster', 'info', '-b', first(s.listeners.SSL)], {KAFKIT_TLS_INSECURE: '1'})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toMatch(/warning: TLS certificate verification is OFF/)
    })

    it('mTLS: no client certificate is exit 4 with a hint; a certificate (also with an encrypted key) works', async () => {
      const noCert = await run(['cluster', 'info', '-b', first(s.listeners.MTLS)], {KAFKIT_TLS_CA: s.ca})
      expect(noCert.code).toBe(4)
      expect(expectCleanError(noCert).hint).toMatch(/tls\.cert/)
      const withCert = await run(['cluster', 'info', '-b', first(s.listeners.MTLS)], {KAFKIT_TLS_CA: s.ca, KAFKIT_TLS_CERT: s.clientCert, KAFKIT_TLS_KEY: s.clientKey})
      expect(withCert.code, withCert.stderr).toBe(0)
      const encrypted = await run(['cluster', 'info', '-b', first(s.listeners.MTLS)], {
        KAFKIT_TLS_CA: s.ca,
        KAFKIT_TLS_CERT: s.clientCert,
        KAFKIT_TLS_KEY: s.clientKeyEncrypted,
        KAFKIT_TLS_KEY_PASSPHRASE: c.keyPassphrase,
      })
      expect(encrypted.code, encrypted.stderr).toBe(0)
    })
  })

  describe.concurrent('unreachable and debug', () => {
    it('a closed port is exit 4 within the timeout', async () => {
      const port = await new Promise<number>((resolve) => {
        const srv = createTcpServer().listen(0, '127.0.0.1', () => {
          const p = (srv.address() as AddressInfo).port
          srv.close(() => resolve(p))
        })
      })
      // A hang would be killed by the harness (code null); no timing assertion (docs/ARCHITECTURE.md: Testing).
      const result = await run(['cluster', 'info', '-b', `127.0.0.1:${port}`, '--timeout', '2s'], {}, {timeoutMs: 60_000})
      expect(result.code).toBe(4)
      expect(expectCleanError(result).message).toMatch(/cannot connect to Kafka at 127\.0\.0\.1:\d+/)
    })

    it('--debug logs of a successful SASL_SSL login carry no secret', async () => {
      const result = await run(['cluster', 'info', '--debug', '-b', first(s.listeners.SASL_SSL)], {
        KAFKIT_TLS_CA: s.ca,
        KAFKIT_SASL_MECHANISM: 'plain',
        KAFKIT_SASL_USERNAME: c.username,
        KAFKIT_SASL_PASSWORD: c.password,
      })
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toMatch(/debug kafkajs/)
    })
  })

  afterAll(() => {
    // The contract: secrets never reach any output.
    const secrets = [c.password, c.keyPassphrase, CLIENT_SECRET, WRONG_PASSWORD, goodToken, wrongScopeToken, 'kafkit-wrong-client-secret']
    expect(outputs.length).toBeGreaterThan(15)
    for (const output of outputs) {
      for (const secret of secrets) {
        expect(output.stdout.includes(secret) || output.stderr.includes(secret), `a secret appeared in the output of a run (exit ${output.code})`).toBe(false)
      }
    }
  })
})
