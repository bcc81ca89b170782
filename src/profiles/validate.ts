/**
 * Validation of the config file's data: pure, so that every rule is unit-tested. `fail(path, message)` builds the
 * error (config.ts adds the file name and the line); unknown fields are errors, so a typo is not silently ignored.
 */
import {closest} from '../util/strings.js'
import {parseBrokerList} from './brokers.js'
import {SASL_MECHANISMS, type ConfigFile, type ConnectSettings, type Profile, type SaslSettings, type SchemaRegistrySettings, type SecretSource, type TlsSettings} from './types.js'

export type FieldPath = (string | number)[]
export type Fail = (path: FieldPath, message: string) => Error

export interface FieldWarning {
  path: FieldPath
  message: string
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

const TOP_FIELDS = ['current', 'profiles']
const PROFILE_FIELDS = ['brokers', 'tls', 'sasl', 'protected', 'clientId', 'connect', 'schemaRegistry']
const CONNECT_FIELDS = ['url', 'username', 'password', 'passwordEnv', 'passwordCommand', 'tls']
const REGISTRY_FIELDS = ['url', 'username', 'password', 'passwordEnv', 'passwordCommand', 'tokenCommand', 'tls']
const TLS_FIELDS = ['ca', 'cert', 'key', 'passphrase', 'passphraseEnv', 'passphraseCommand', 'servername', 'insecureSkipVerify']
const SASL_FIELDS = [
  'mechanism',
  'username',
  'password',
  'passwordEnv',
  'passwordCommand',
  'tokenCommand',
  'tokenEndpoint',
  'clientId',
  'clientSecret',
  'clientSecretEnv',
  'clientSecretCommand',
  'scope',
  'extensions',
  'region',
  'awsProfile',
  'roleArn',
]

export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME.test(name)
}

export function validateConfig(raw: unknown, fail: Fail): {config: ConfigFile; warnings: FieldWarning[]} {
  const warnings: FieldWarning[] = []
  if (raw === null || raw === undefined) return {config: {profiles: {}}, warnings}
  const top = object(raw, [], fail, 'the file must be a mapping with `current` and `profiles`')
  unknownFields(top, TOP_FIELDS, [], fail)
  const profiles: Record<string, Profile> = {}
  if (top.profiles !== undefined && top.profiles !== null) {
    const map = object(top.profiles, ['profiles'], fail, 'must be a mapping of profile names to profiles')
    for (const [name, value] of Object.entries(map)) {
      if (!isValidProfileName(name)) throw fail(['profiles', name], 'profile names use letters, digits, ".", "_" and "-"')
      profiles[name] = validateProfile(value, ['profiles', name], fail, warnings)
    }
  }
  let current: string | undefined
  if (top.current !== undefined && top.current !== null) {
    if (typeof top.current !== 'string') throw fail(['current'], 'must be a profile name')
    // Not an error here: `profiles use` must still be able to repair it; commands that need it fail with exit 3.
    if (top.current !== 'local' && !(top.current in profiles)) {
      const guess = closest(top.current, Object.keys(profiles))
      warnings.push({path: ['current'], message: `current: profile '${top.current}' is not defined${guess ? ` (did you mean '${guess}'?)` : ''}`})
    }
    current = top.current
  }
  return {config: {...(current ? {current} : {}), profiles}, warnings}
}

export function validateProfile(raw: unknown, path: FieldPath, fail: Fail, warnings: FieldWarning[] = []): Profile {
  const p = object(raw, path, fail, 'must be a mapping with at least `brokers`')
  unknownFields(p, PROFILE_FIELDS, path, fail)
  if (p.brokers === undefined || p.brokers === null) throw fail([...path, 'brokers'], 'is required (a list of host:port)')
  const profile: Profile = {brokers: brokers(p.brokers, [...path, 'brokers'], fail)}
  if (p.tls !== undefined && p.tls !== null && p.tls !== false) profile.tls = tls(p.tls, [...path, 'tls'], fail, warnings)
  if (p.sasl !== undefined && p.sasl !== null) profile.sasl = sasl(p.sasl, [...path, 'sasl'], fail, warnings)
  if (p.protected !== undefined) profile.protected = bool(p.protected, [...path, 'protected'], fail)
  if (p.clientId !== undefined) profile.clientId = string(p.clientId, [...path, 'clientId'], fail)
  if (p.connect !== undefined && p.connect !== null) profile.connect = connect(p.connect, [...path, 'connect'], fail, warnings)
  if (p.schemaRegistry !== undefined && p.schemaRegistry !== null) profile.schemaRegistry = schemaRegistry(p.schemaRegistry, [...path, 'schemaRegistry'], fail, warnings)
  return profile
}

/** `connect: {url, username, passwordEnv | passwordCommand | password, tls: {ca, cert, key}}` (kafkit connect). */
function connect(value: unknown, path: FieldPath, fail: Fail, warnings: FieldWarning[]): ConnectSettings {
  const c = object(typeof value === 'string' ? {url: value} : value, path, fail, 'must be a mapping with `url` (and username, passwordEnv, tls)')
  unknownFields(c, CONNECT_FIELDS, path, fail)
  if (c.url === undefined) throw fail([...path, 'url'], 'is required (the Kafka Connect REST URL, e.g. http://connect:8083)')
  const url = string(c.url, [...path, 'url'], fail)
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw fail([...path, 'url'], 'must be an http:// or https:// URL')
  const out: ConnectSettings = {url: url.replace(/\/+$/, '')}
  if (c.username !== undefined) out.username = string(c.username, [...path, 'username'], fail)
  const password = secret(c, 'password', path, fail, warnings)
  if (password) out.password = password
  if (out.password && out.username === undefined) throw fail([...path, 'username'], 'is required with a password (HTTP basic authentication)')
  if (c.tls !== undefined && c.tls !== null && c.tls !== false) out.tls = tls(c.tls, [...path, 'tls'], fail, warnings)
  return out
}

/** `schemaRegistry: {url, username, passwordEnv | passwordCommand, tokenCommand, tls}`; a bare string is the URL. */
export function schemaRegistry(value: unknown, path: FieldPath, fail: Fail, warnings: FieldWarning[] = []): SchemaRegistrySettings {
  if (typeof value === 'string') value = {url: value}
  const r = object(value, path, fail, 'must be a mapping with `url` (and username, passwordEnv, tokenCommand, tls)')
  unknownFields(r, REGISTRY_FIELDS, path, fail)
  if (r.url === undefined || r.url === null) throw fail([...path, 'url'], 'is required (http(s)://host:port[/path])')
  const url = string(r.url, [...path, 'url'], fail)
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw fail([...path, 'url'], 'must be an http(s) URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7')
  const out: SchemaRegistrySettings = {url}
  if (r.username !== undefined) out.username = string(r.username, [...path, 'username'], fail)
  if (r.tokenCommand !== undefined) out.tokenCommand = string(r.tokenCommand, [...path, 'tokenCommand'], fail)
  const password = secret(r, 'password', path, fail, warnings)
  if (password) out.password = password
  if (out.password && !out.username) throw fail([...path, 'username'], 'a password needs a username (HTTP basic auth)')
  if (out.username && !out.password) throw fail([...path, 'passwordEnv'], 'a username needs a password source: passwordEnv, passwordCommand (or password)')
  if (out.tokenCommand && out.username) throw fail([...path, 'tokenCommand'], 'use either username/password or tokenCommand, not both')
  if (r.tls !== undefined && r.tls !== null && r.tls !== false) out.tls = tls(r.tls, [...path, 'tls'], fail, warnings)
  return out
}

function brokers(value: unknown, path: FieldPath, fail: Fail): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined
  if (!list || list.length === 0) throw fail(path, 'must be a list of host:port')
  return list.flatMap((b, i) => {
    if (typeof b !== 'string') throw fail([...path, i], 'must be host:port')
    try {
      return parseBrokerList(b)
    } catch (error) {
      throw fail([...path, i], (error as Error).message)
    }
  })
}

function tls(value: unknown, path: FieldPath, fail: Fail, warnings: FieldWarning[]): TlsSettings {
  if (value === true) return {}
  const t = object(value, path, fail, 'must be `true` or a mapping (ca, cert, key, passphraseEnv, servername, insecureSkipVerify)')
  unknownFields(t, TLS_FIELDS, path, fail)
  const out: TlsSettings = {}
  for (const key of ['ca', 'cert', 'key', 'servername'] as const) if (t[key] !== undefined) out[key] = string(t[key], [...path, key], fail)
  if (t.insecureSkipVerify !== undefined) out.insecureSkipVerify = bool(t.insecureSkipVerify, [...path, 'insecureSkipVerify'], fail)
  if ((out.cert === undefined) !== (out.key === undefined)) throw fail([...path, out.cert ? 'cert' : 'key'], 'a client certificate needs both `cert` and `key`')
  const passphrase = secret(t, 'passphrase', path, fail, warnings)
  if (passphrase) {
    if (!out.key) throw fail([...path, 'passphrase'], 'a passphrase only makes sense with `key`')
    out.passphrase = passphrase
  }
  return out
}

function sasl(value: unknown, path: FieldPath, fail: Fail, warnings: FieldWarning[]): SaslSettings {
  const s = object(value, path, fail, 'must be a mapping with `mechanism`')
  unknownFields(s, SASL_FIELDS, path, fail)
  if (s.mechanism === undefined) throw fail([...path, 'mechanism'], `is required (${SASL_MECHANISMS.join(', ')})`)
  const mechanism = normalizeMechanism(string(s.mechanism, [...path, 'mechanism'], fail))
  if (!mechanism) throw fail([...path, 'mechanism'], `'${String(s.mechanism)}' is not one of ${SASL_MECHANISMS.join(', ')}`)
  const out: SaslSettings = {mechanism}
  for (const key of ['username', 'tokenCommand', 'tokenEndpoint', 'clientId', 'scope', 'region', 'awsProfile', 'roleArn'] as const) {
    if (s[key] !== undefined) out[key] = string(s[key], [...path, key], fail)
  }
  const password = secret(s, 'password', path, fail, warnings)
  if (password) out.password = password
  const clientSecret = secret(s, 'clientSecret', path, fail, warnings)
  if (clientSecret) out.clientSecret = clientSecret
  if (s.extensions !== undefined) {
    const ext = object(s.extensions, [...path, 'extensions'], fail, 'must be a mapping of names to strings')
    out.extensions = Object.fromEntries(Object.entries(ext).map(([k, v]) => [k, string(v, [...path, 'extensions', k], fail)]))
  }
  checkMechanism(out, path, fail)
  return out
}

/** Each mechanism's required fields. Exported for `profiles add`, which checks the same rules on flags. */
export function checkMechanism(s: SaslSettings, path: FieldPath, fail: Fail): void {
  switch (s.mechanism) {
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512':
      if (!s.username) throw fail([...path, 'username'], `is required for ${s.mechanism}`)
      if (!s.password) throw fail([...path, 'passwordEnv'], `${s.mechanism} needs a password source: passwordEnv, passwordCommand (or password)`)
      break
    case 'oauthbearer':
      if (!s.tokenCommand && !s.tokenEndpoint) throw fail([...path, 'tokenCommand'], 'oauthbearer needs `tokenCommand` or `tokenEndpoint` (+ clientId, clientSecretEnv)')
      if (s.tokenCommand && s.tokenEndpoint) throw fail([...path, 'tokenEndpoint'], 'use either `tokenCommand` or `tokenEndpoint`, not both')
      if (s.tokenEndpoint) {
        if (!/^https?:\/\//.test(s.tokenEndpoint)) throw fail([...path, 'tokenEndpoint'], 'must be an http(s) URL')
        if (!s.clientId) throw fail([...path, 'clientId'], 'is required with tokenEndpoint')
        if (!s.clientSecret) throw fail([...path, 'clientSecretEnv'], 'tokenEndpoint needs a client secret source: clientSecretEnv, clientSecretCommand (or clientSecret)')
      }
      break
    case 'aws-msk-iam':
      if (!s.region) throw fail([...path, 'region'], 'is required for aws-msk-iam (e.g. us-east-1)')
      break
  }
}

/** `SCRAM-SHA-512`, `scram_sha_512`, `scram-sha512` -> `scram-sha-512`; undefined when unknown. */
export function normalizeMechanism(value: string): SaslSettings['mechanism'] | undefined {
  const v = value
    .toLowerCase()
    .replaceAll('_', '-')
    .replace(/^scram-sha(\d)/, 'scram-sha-$1')
  const aliases: Record<string, SaslSettings['mechanism']> = {'aws-iam': 'aws-msk-iam', iam: 'aws-msk-iam', 'msk-iam': 'aws-msk-iam', oauth: 'oauthbearer'}
  return (SASL_MECHANISMS as readonly string[]).includes(v) ? (v as SaslSettings['mechanism']) : aliases[v]
}

/** `<field>`, `<field>Env` or `<field>Command`: exactly one. A secret in clear text is allowed, with a warning. */
function secret(obj: Record<string, unknown>, field: string, path: FieldPath, fail: Fail, warnings: FieldWarning[]): SecretSource | undefined {
  const given = [field, `${field}Env`, `${field}Command`].filter((k) => obj[k] !== undefined && obj[k] !== null)
  if (given.length > 1) throw fail([...path, given[1]], `use only one of ${given.join(', ')}`)
  if (given.length === 0) return undefined
  const key = given[0]
  const value = string(obj[key], [...path, key], fail)
  if (key === field) {
    warnings.push({path: [...path, key], message: `${[...path, key].join('.')} is stored in clear text; prefer ${field}Env or ${field}Command`})
    return {value}
  }
  if (key.endsWith('Env')) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw fail([...path, key], 'must be the name of an environment variable')
    return {env: value}
  }
  return {command: value}
}

function object(value: unknown, path: FieldPath, fail: Fail, message: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(path, message)
  return value as Record<string, unknown>
}

function string(value: unknown, path: FieldPath, fail: Fail): string {
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'string' || value === '') throw fail(path, 'must be a non-empty string')
  return value
}

function bool(value: unknown, path: FieldPath, fail: Fail): boolean {
  if (typeof value !== 'boolean') throw fail(path, 'must be true or false')
  return value
}

function unknownFields(obj: Record<string, unknown>, known: string[], path: FieldPath, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      const guess = closest(key, known)
      throw fail([...path, key], `unknown field${guess ? ` (did you mean '${guess}'?)` : ''}; known: ${known.join(', ')}`)
    }
  }
}
