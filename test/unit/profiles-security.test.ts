import {describe, expect, it} from 'vitest'

import {toKafkaJSSecurity, tokenSubject} from '../../src/kafka/kafkajs/sasl.js'
import {cachingProvider, jwtExpiry, mskIamToken, parseTokenOutput, resolveCredentials} from '../../src/profiles/credentials.js'
import {nodeProperties, planNodes, securedPorts} from '../../src/local/node-config.js'
import {localSecurityInfo, scramFormatArgs, securedBrokerProperties, securityFiles, unsecuredJwt} from '../../src/local/security.js'

const props = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  )

describe('AWS MSK IAM token (AWS is not reachable here: the token itself is checked)', () => {
  it('is a base64url SigV4-presigned kafka-cluster:Connect URL for the region', async () => {
    const saved = {...process.env}
    Object.assign(process.env, {AWS_ACCESS_KEY_ID: 'AKIDKAFKITTEST', AWS_SECRET_ACCESS_KEY: 'kafkit-test-aws-secret-key-0123456789', AWS_SESSION_TOKEN: ''})
    delete process.env.AWS_PROFILE
    try {
      const token = await mskIamToken({mechanism: 'aws-msk-iam', region: 'eu-west-1'})
      expect(token.value).toMatch(/^[A-Za-z0-9_-]+$/)
      const url = new URL(Buffer.from(token.value, 'base64url').toString('utf8'))
      expect(url.host).toBe('kafka.eu-west-1.amazonaws.com')
      expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect')
      expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256')
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDKAFKITTEST\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/)
      expect(url.searchParams.get('X-Amz-Expires')).toBe('900')
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
      expect(url.searchParams.get('User-Agent')).toMatch(/aws-msk-iam-sasl-signer-js/)
      // The secret key signs; it is never part of the token.
      expect(Buffer.from(token.value, 'base64url').toString('utf8')).not.toContain('kafkit-test-aws-secret-key')
      expect(token.expiresAt).toBeGreaterThan(Date.now())
    } finally {
      process.env = saved
    }
  })

  it('becomes kafkajs OAUTHBEARER with a checked authenticator', async () => {
    const saved = {...process.env}
    Object.assign(process.env, {AWS_ACCESS_KEY_ID: 'AKIDKAFKITTEST', AWS_SECRET_ACCESS_KEY: 'kafkit-test-aws-secret-key-0123456789'})
    try {
      const config = toKafkaJSSecurity(
        await resolveCredentials({profile: 'msk', brokers: ['b:9098'], protected: false, clientId: 'kafkit', tls: {}, sasl: {mechanism: 'aws-msk-iam', region: 'us-east-1'}}),
      )
      const sasl = config.sasl as unknown as {mechanism: string; oauthBearerProvider: () => Promise<{value: string}>; authenticationProvider: unknown}
      expect(sasl.mechanism).toBe('oauthbearer')
      expect(typeof sasl.authenticationProvider).toBe('function')
      expect((await sasl.oauthBearerProvider()).value.length).toBeGreaterThan(100)
      expect(config.ssl).toEqual({rejectUnauthorized: true})
    } finally {
      process.env = saved
    }
  })

  it('says how to fix missing AWS credentials (exit 4)', async () => {
    const saved = {...process.env}
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k]
    Object.assign(process.env, {AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true'})
    try {
      await expect(mskIamToken({mechanism: 'aws-msk-iam', region: 'us-east-1'})).rejects.toMatchObject({exitCode: 4, code: 'AWS_CREDENTIALS'})
    } finally {
      process.env = saved
    }
  }, 20_000)
})

describe('OAUTHBEARER tokens', () => {
  it('takes a raw token or a JSON token response from a token command', () => {
    expect(parseTokenOutput('abc.def.ghi\n')).toEqual({value: 'abc.def.ghi', expiresAt: undefined})
    expect(parseTokenOutput('{"access_token":"tok","expires_in":60}', 1000)).toEqual({value: 'tok', expiresAt: 61_000})
  })

  it('reads exp and sub of a JWT', () => {
    const jwt = unsecuredJwt({sub: 'alice', scope: 'kafkit', lifetimeSeconds: 100, now: 1_000_000})
    expect(jwtExpiry(jwt)).toBe(1_100_000)
    expect(tokenSubject(jwt)).toBe('alice')
    expect(tokenSubject('opaque')).toBeUndefined()
    expect(jwt.endsWith('.')).toBe(true) // alg "none": empty signature
  })

  it('reuses a token until a minute before it expires', async () => {
    let now = 0
    let fetched = 0
    const provider = cachingProvider(
      async () => ({value: `t${++fetched}`, expiresAt: now + 120_000}),
      {logicalCluster: 'lkc-1'},
      () => now,
    )
    expect(await provider()).toEqual({value: 't1', extensions: {logicalCluster: 'lkc-1'}})
    now = 30_000
    expect((await provider()).value).toBe('t1')
    now = 70_000
    expect((await provider()).value).toBe('t2')
  })
})

describe('local --secure layout', () => {
  it('adds SASL_PLAINTEXT, SSL, MTLS and SASL_SSL listeners on fixed offsets', () => {
    const nodes = planNodes(1, 9092, '/tmp/k')
    const p = props(nodeProperties(nodes[0], {nodes, host: '127.0.0.1', secure: true}))
    expect(p['listeners']).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:10092,SSL://127.0.0.1:11092,MTLS://127.0.0.1:12092,SASL_SSL://127.0.0.1:13092')
    expect(p['listener.security.protocol.map']).toContain('MTLS:SSL')
    expect(p['inter.broker.listener.name']).toBe('PLAINTEXT')
    expect(securedPorts({port: 9392})).toEqual({SASL_PLAINTEXT: 10_392, SSL: 11_392, MTLS: 12_392, SASL_SSL: 13_392})
    // Without --secure nothing changes.
    expect(props(nodeProperties(nodes[0], {nodes, host: '127.0.0.1'}))['listeners']).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092')
  })

  it('configures every mechanism on both SASL listeners, mTLS only on MTLS', () => {
    const files = securityFiles('/tmp/k')
    const creds = {username: 'alice', password: 'kafkit-pw-x', keyPassphrase: 'kp', oauthScope: 'kafkit'}
    const p = securedBrokerProperties(files, creds)
    expect(p['sasl.enabled.mechanisms']).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER')
    expect(p['listener.name.mtls.ssl.client.auth']).toBe('required')
    expect(p['ssl.client.auth']).toBe('none')
    expect(p['listener.name.sasl_ssl.plain.sasl.jaas.config']).toContain('user_alice="kafkit-pw-x"')
    expect(p['listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config']).toContain('unsecuredValidatorRequiredScope="kafkit"')
    expect(scramFormatArgs(creds)).toEqual(['--add-scram', 'SCRAM-SHA-256=[name=alice,password=kafkit-pw-x]', '--add-scram', 'SCRAM-SHA-512=[name=alice,password=kafkit-pw-x]'])
    const info = localSecurityInfo(files, creds, planNodes(3, 9092, '/tmp/k'), '127.0.0.1')
    expect(info.listeners.SASL_SSL).toEqual(['127.0.0.1:13092', '127.0.0.1:13093', '127.0.0.1:13094'])
    expect(JSON.stringify(info)).not.toContain('kafkit-pw-x')
  })
})
