import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import {profileFromFlags} from '../../src/profiles/add.js'
import {configPath, loadConfig, saveConfig} from '../../src/profiles/config.js'
import {flattenForDisplay, redactProfile, securityOf} from '../../src/profiles/describe.js'
import {resolveConnection} from '../../src/profiles/resolve.js'
import {redactSecrets, registerSecret, resolveSecret} from '../../src/profiles/secrets.js'
import {normalizeMechanism} from '../../src/profiles/validate.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'kafkit-profiles-'))

function configFile(text: string, mode = 0o600): string {
  const path = join(tmp(), 'config.yaml')
  writeFileSync(path, text, {mode})
  return path
}

const STAGING = `current: staging
profiles:
  staging:
    brokers: [kafka-1.staging:9093, kafka-2.staging:9093]
    tls: { ca: ~/certs/ca.pem }
    sasl: { mechanism: scram-sha-512, username: ops, passwordEnv: STAGING_PW }
  prod:
    brokers: [pkc-1.confluent.cloud:9092]
    tls: true
    sasl: { mechanism: plain, username: KEY, passwordCommand: "pass show kafka/prod" }
    protected: true
`

async function expectConfigError(text: string, pattern: RegExp): Promise<void> {
  const path = configFile(text)
  const error = await loadConfig(path).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(KafkitError)
  expect((error as KafkitError).exitCode).toBe(2)
  expect((error as KafkitError).message).toMatch(pattern)
  expect((error as KafkitError).message).not.toContain('\n')
}

describe('config file location', () => {
  it('prefers KAFKIT_CONFIG, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(configPath({KAFKIT_CONFIG: '/x/c.yaml', XDG_CONFIG_HOME: '/xdg'})).toBe('/x/c.yaml')
    expect(configPath({XDG_CONFIG_HOME: '/xdg'})).toBe('/xdg/kafkit/config.yaml')
    expect(configPath({})).toMatch(/\.config\/kafkit\/config\.yaml$/)
  })
})

describe('precedence', () => {
  it('uses the built-in local profile with no config file at all', async () => {
    const c = await resolveConnection({}, {KAFKIT_CONFIG: join(tmp(), 'none.yaml')})
    expect(c).toMatchObject({profile: 'local', brokers: ['127.0.0.1:9092'], protected: false})
    expect(c.tls).toBeUndefined()
    expect(c.sasl).toBeUndefined()
  })

  it('uses the current profile of the file', async () => {
    const c = await resolveConnection({}, {KAFKIT_CONFIG: configFile(STAGING)})
    expect(c.profile).toBe('staging')
    expect(c.brokers).toEqual(['kafka-1.staging:9093', 'kafka-2.staging:9093'])
    expect(c.sasl).toEqual({mechanism: 'scram-sha-512', username: 'ops', password: {env: 'STAGING_PW'}})
    expect(c.sources?.profile).toMatch(/^current in /)
  })

  it('KAFKIT_PROFILE beats current, --profile beats KAFKIT_PROFILE', async () => {
    const env = {KAFKIT_CONFIG: configFile(STAGING), KAFKIT_PROFILE: 'prod'}
    expect((await resolveConnection({}, env)).profile).toBe('prod')
    expect((await resolveConnection({}, env)).protected).toBe(true)
    expect((await resolveConnection({profile: 'local'}, env)).profile).toBe('local')
    expect((await resolveConnection({profile: 'staging'}, env)).sources?.profile).toBe('--profile')
  })

  it('KAFKIT_* field overrides beat the profile, flags beat the environment', async () => {
    const env = {KAFKIT_CONFIG: configFile(STAGING), KAFKIT_BROKERS: 'env-broker:1', KAFKIT_SASL_USERNAME: 'someone', KAFKIT_SASL_PASSWORD: 'pw-from-env'}
    const c = await resolveConnection({}, env)
    expect(c.brokers).toEqual(['env-broker:1'])
    expect(c.sasl).toMatchObject({mechanism: 'scram-sha-512', username: 'someone', password: {env: 'KAFKIT_SASL_PASSWORD'}})
    expect(JSON.stringify(c)).not.toContain('pw-from-env')
    const flagged = await resolveConnection({brokers: 'flag-broker'}, env)
    expect(flagged.brokers).toEqual(['flag-broker:9092'])
    expect(flagged.sources?.brokers).toBe('--brokers')
  })

  it('a different KAFKIT_SASL_MECHANISM starts SASL from scratch', async () => {
    const env = {KAFKIT_CONFIG: configFile(STAGING), KAFKIT_SASL_MECHANISM: 'OAUTHBEARER', KAFKIT_SASL_TOKEN_COMMAND: 'get-token'}
    const c = await resolveConnection({}, env)
    expect(c.sasl).toEqual({mechanism: 'oauthbearer', tokenCommand: 'get-token'})
  })

  it('KAFKIT_TLS_* turn TLS on for the built-in profile; KAFKIT_TLS=0 turns it off', async () => {
    const none = join(tmp(), 'none.yaml')
    const c = await resolveConnection({}, {KAFKIT_CONFIG: none, KAFKIT_TLS_CA: '/ca.pem', KAFKIT_TLS_SERVERNAME: 'kafka.internal'})
    expect(c.tls).toEqual({ca: '/ca.pem', servername: 'kafka.internal'})
    const off = await resolveConnection({profile: 'prod'}, {KAFKIT_CONFIG: configFile(STAGING), KAFKIT_TLS: '0'})
    expect(off.tls).toBeUndefined()
  })

  it('warns on every command when TLS verification is off', async () => {
    const c = await resolveConnection({}, {KAFKIT_CONFIG: join(tmp(), 'none.yaml'), KAFKIT_TLS_INSECURE: '1'})
    expect(c.tls?.insecureSkipVerify).toBe(true)
    expect(c.warnings?.join('\n')).toMatch(/verification is OFF/)
  })

  it('SASL variables without a mechanism are a usage error', async () => {
    await expect(resolveConnection({}, {KAFKIT_CONFIG: join(tmp(), 'none.yaml'), KAFKIT_SASL_USERNAME: 'x'})).rejects.toThrow(/no SASL mechanism/)
  })

  it('an unknown profile is exit 3 with a did-you-mean', async () => {
    const error = await resolveConnection({profile: 'stagin'}, {KAFKIT_CONFIG: configFile(STAGING)}).catch((e: KafkitError) => e)
    expect(error).toBeInstanceOf(KafkitError)
    expect((error as KafkitError).exitCode).toBe(3)
    expect((error as KafkitError).hint).toMatch(/did you mean 'staging'/)
  })

  it("replay's second connection ignores the environment overrides", async () => {
    const env = {KAFKIT_CONFIG: configFile(STAGING), KAFKIT_BROKERS: 'env-broker:1'}
    const c = await resolveConnection({profile: 'prod'}, env, {envOverrides: false})
    expect(c.brokers).toEqual(['pkc-1.confluent.cloud:9092'])
  })
})

describe('validation: one line with file, line and field', () => {
  it('names an unknown field and suggests the right one', async () => {
    await expectConfigError('profiles:\n  a:\n    brokers: [x:1]\n    sasl:\n      mechansim: plain\n', /config\.yaml:5: profiles\.a\.sasl\.mechansim: unknown field \(did you mean 'mechanism'\?\)/)
  })

  it('rejects an unknown mechanism at its line', async () => {
    await expectConfigError('profiles:\n  a:\n    brokers: [x:1]\n    sasl:\n      mechanism: scram\n      username: u\n', /:5: profiles\.a\.sasl\.mechanism: 'scram' is not one of/)
  })

  it('requires brokers, a password source, both cert and key', async () => {
    await expectConfigError('profiles:\n  a:\n    tls: true\n', /:2: profiles\.a\.brokers: is required/)
    await expectConfigError('profiles:\n  a:\n    brokers: [x:1]\n    sasl: {mechanism: plain, username: u}\n', /:4: profiles\.a\.sasl\.passwordEnv: plain needs a password source/)
    await expectConfigError('profiles:\n  a:\n    brokers: [x:1]\n    tls:\n      cert: /c.pem\n', /:5: profiles\.a\.tls\.cert: a client certificate needs both/)
  })

  it('rejects two sources for one secret, and bad broker addresses', async () => {
    await expectConfigError('profiles:\n  a:\n    brokers: [x:1]\n    sasl: {mechanism: plain, username: u, passwordEnv: A, passwordCommand: b}\n', /passwordCommand: use only one of/)
    await expectConfigError('profiles:\n  a:\n    brokers: ["x:99999"]\n', /:3: profiles\.a\.brokers\.0: port 99999/)
  })

  it('reports YAML syntax errors with a line', async () => {
    await expectConfigError('profiles:\n  a:\n    brokers: [x:1\n', /config\.yaml:\d+: invalid YAML/)
  })

  it('checks OAUTHBEARER and MSK IAM requirements', async () => {
    await expectConfigError('profiles:\n  a:\n    brokers: [x:1]\n    sasl: {mechanism: oauthbearer}\n', /needs `tokenCommand` or `tokenEndpoint`/)
    await expectConfigError(
      'profiles:\n  a:\n    brokers: [x:1]\n    sasl: {mechanism: oauthbearer, tokenEndpoint: "https://idp/token", clientId: c}\n',
      /clientSecretEnv: tokenEndpoint needs a client secret/,
    )
    await expectConfigError('profiles:\n  a:\n    brokers: [x:1]\n    sasl: {mechanism: aws-msk-iam}\n', /region: is required for aws-msk-iam/)
  })

  it('warns about a clear-text password and a world-readable file', async () => {
    const path = configFile('profiles:\n  a:\n    brokers: [x:1]\n    sasl: {mechanism: plain, username: u, password: hunter2-secret}\n', 0o644)
    const loaded = await loadConfig(path)
    expect(loaded.warnings.join('\n')).toMatch(/readable by others \(mode 0644\)/)
    expect(loaded.warnings.join('\n')).toMatch(/:4: profiles\.a\.sasl\.password is stored in clear text/)
    expect(loaded.warnings.join('\n')).not.toContain('hunter2-secret')
  })

  it('normalizes mechanism spellings', () => {
    expect(normalizeMechanism('SCRAM-SHA-512')).toBe('scram-sha-512')
    expect(normalizeMechanism('scram_sha256')).toBe('scram-sha-256')
    expect(normalizeMechanism('AWS_MSK_IAM')).toBe('aws-msk-iam')
    expect(normalizeMechanism('gssapi')).toBeUndefined()
  })
})

describe('saving', () => {
  it('writes 0600, keeps comments, sets current first', async () => {
    const path = configFile('# my clusters\nprofiles:\n  a: # the old one\n    brokers: [x:1]\n', 0o644)
    const loaded = await loadConfig(path)
    await saveConfig(loaded, [{setProfile: {name: 'b', profile: {brokers: ['y:2'], sasl: {mechanism: 'plain', username: 'u', password: {env: 'B_PW'}}}}}, {current: 'b'}])
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const text = readFileSync(path, 'utf8')
    expect(text).toContain('# my clusters')
    expect(text).toContain('# the old one')
    expect(text).toContain('passwordEnv: B_PW')
    const again = await loadConfig(path)
    expect(again.config.current).toBe('b')
    expect(Object.keys(again.config.profiles)).toEqual(['a', 'b'])
    await saveConfig(again, [{removeProfile: 'b'}, {current: null}])
    expect((await loadConfig(path)).config).toEqual({profiles: {a: {brokers: ['x:1']}}})
  })

  it('creates a new file (and its directory) with mode 0600', async () => {
    const path = join(tmp(), 'deep', 'dir', 'config.yaml')
    const loaded = await loadConfig(path)
    expect(loaded.exists).toBe(false)
    await saveConfig(loaded, [{setProfile: {name: 'dev', profile: {brokers: ['127.0.0.1:9092']}}}, {current: 'dev'}])
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(path, 'utf8')).toMatch(/^current: dev\n/)
  })
})

describe('redaction', () => {
  const profile = {
    brokers: ['b:1'],
    tls: {ca: '/ca.pem', cert: '/c.pem', key: '/k.pem', passphrase: {value: 'key-pass-9999'}},
    sasl: {mechanism: 'plain' as const, username: 'u', password: {value: 'very-secret-1234'}},
  }

  it('shows where secrets come from, never the value', () => {
    const shown = JSON.stringify(redactProfile(profile))
    expect(shown).not.toContain('very-secret-1234')
    expect(shown).not.toContain('key-pass-9999')
    expect(shown).toContain('[redacted]')
    const env = redactProfile({brokers: ['b:1'], sasl: {mechanism: 'scram-sha-256', username: 'u', password: {env: 'PW'}}})
    expect(flattenForDisplay(env)).toContainEqual(['sasl.password', 'from $PW'])
    expect(securityOf(profile)).toBe('SASL_SSL/PLAIN')
  })

  it('scrubs every secret that was read from any text', async () => {
    const value = await resolveSecret({command: 'printf s3cr3t-from-command'}, 'test')
    expect(value).toBe('s3cr3t-from-command')
    registerSecret('another-secret-xyz')
    expect(redactSecrets('a s3cr3t-from-command b another-secret-xyz c')).toBe('a [redacted] b [redacted] c')
  })

  it('a failing secret command names the command, not its output', async () => {
    const error = await resolveSecret({command: 'echo leaked-stdout; echo why >&2; exit 3'}, 'SASL password').catch((e: KafkitError) => e)
    expect((error as KafkitError).exitCode).toBe(4)
    expect((error as KafkitError).message).toMatch(/exit 3: why/)
    expect((error as KafkitError).message).not.toContain('leaked-stdout')
  })

  it('a missing environment variable is a usage error naming it', async () => {
    await expect(resolveSecret({env: 'KAFKIT_TEST_UNSET_VAR'}, 'SASL password', {})).rejects.toThrow(/KAFKIT_TEST_UNSET_VAR is not set/)
  })
})

describe('profiles add flags', () => {
  it('builds a SASL_SSL SCRAM profile', () => {
    expect(profileFromFlags({brokers: 'a:9093,b:9093', 'tls-ca': '/ca.pem', sasl: 'SCRAM-SHA-512', username: 'ops', 'password-env': 'PW', protected: true})).toEqual({
      brokers: ['a:9093', 'b:9093'],
      tls: {ca: '/ca.pem'},
      sasl: {mechanism: 'scram-sha-512', username: 'ops', password: {env: 'PW'}},
      protected: true,
    })
  })

  it('names the missing flag', () => {
    expect(() => profileFromFlags({brokers: 'a', sasl: 'plain', username: 'u'})).toThrow(/--password-env/)
    expect(() => profileFromFlags({brokers: 'a', sasl: 'oauthbearer'})).toThrow(/--token-command/)
    expect(() => profileFromFlags({brokers: 'a', username: 'u'})).toThrow(/without --sasl/)
    expect(() => profileFromFlags({brokers: 'a', 'tls-cert': '/c'})).toThrow(/--tls-key/)
    expect(() => profileFromFlags({})).toThrow(/--brokers is required/)
  })

  it('takes OAUTHBEARER extensions as key=value', () => {
    const p = profileFromFlags({
      brokers: 'a',
      sasl: 'oauthbearer',
      'token-endpoint': 'https://idp/token',
      'oauth-client-id': 'c',
      'client-secret-env': 'S',
      extension: ['logicalCluster=lkc-1', 'identityPoolId=pool-2'],
    })
    expect(p.sasl?.extensions).toEqual({logicalCluster: 'lkc-1', identityPoolId: 'pool-2'})
  })
})
