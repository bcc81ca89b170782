/**
 * Which cluster a command talks to, and how. Precedence, highest first:
 *   flags (--brokers) > KAFKIT_* environment overrides > the profile chosen by --profile > KAFKIT_PROFILE >
 *   the config file's `current` > the built-in `local` profile (127.0.0.1:9092).
 * Secrets stay sources ({env}, {command}, {value}) here; they are read only when a client is built.
 */
import {notFoundError, usageError} from '../errors.js'
import {closest} from '../util/strings.js'
import {parseBrokerList} from './brokers.js'
import {LoadedConfig, configPath, loadConfig} from './config.js'
import type {Profile, ResolvedConnection, SaslSettings, SchemaRegistrySettings, TlsSettings} from './types.js'
import {checkMechanism, normalizeMechanism} from './validate.js'

export {parseBrokerList} from './brokers.js'

export const LOCAL_BROKERS = ['127.0.0.1:9092']
export const BUILTIN_LOCAL: Profile = {brokers: LOCAL_BROKERS}

export interface ConnectionFlags {
  profile?: string
  brokers?: string
  /** --schema-registry URL */
  schemaRegistry?: string
}

export interface ResolveOptions {
  /** An already loaded config (commands that edit it); else read from $KAFKIT_CONFIG / XDG. */
  loaded?: LoadedConfig
  /**
   * Apply the KAFKIT_* field overrides (default true). A second connection in the same command (replay's
   * destination profile) passes false: the environment describes the main connection only.
   */
  envOverrides?: boolean
}

/** The KAFKIT_* variables that override a profile's fields (documented in the README). */
export const ENV_OVERRIDES = [
  'KAFKIT_BROKERS',
  'KAFKIT_TLS',
  'KAFKIT_TLS_CA',
  'KAFKIT_TLS_CERT',
  'KAFKIT_TLS_KEY',
  'KAFKIT_TLS_KEY_PASSPHRASE',
  'KAFKIT_TLS_SERVERNAME',
  'KAFKIT_TLS_INSECURE',
  'KAFKIT_SASL_MECHANISM',
  'KAFKIT_SASL_USERNAME',
  'KAFKIT_SASL_PASSWORD',
  'KAFKIT_SASL_TOKEN_COMMAND',
  'KAFKIT_AWS_REGION',
  'KAFKIT_SCHEMA_REGISTRY_URL',
  'KAFKIT_SCHEMA_REGISTRY_USERNAME',
  'KAFKIT_SCHEMA_REGISTRY_PASSWORD',
] as const

export async function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env, options: ResolveOptions = {}): Promise<ResolvedConnection> {
  const loaded = options.loaded ?? (await loadConfig(configPath(env)))
  const sources: Record<string, string> = {}
  const warnings = [...loaded.warnings.filter((w) => w.includes('readable by others'))]

  let name: string
  if (flags.profile) [name, sources.profile] = [flags.profile, '--profile']
  else if (env.KAFKIT_PROFILE) [name, sources.profile] = [env.KAFKIT_PROFILE, 'KAFKIT_PROFILE']
  else if (loaded.config.current) [name, sources.profile] = [loaded.config.current, `current in ${loaded.path}`]
  else [name, sources.profile] = ['local', 'built-in default']

  const profile = lookupProfile(name, loaded)
  const fromFile = name in loaded.config.profiles
  const origin = fromFile ? `profile '${name}'` : 'built-in local profile'
  sources.brokers = origin
  if (profile.tls) sources.tls = origin
  if (profile.sasl) sources.sasl = origin
  if (fromFile) {
    // Only this profile's clear-text secrets are worth a warning on every command.
    const prefix = `profiles.${name}.`
    warnings.push(...loaded.warnings.filter((w) => w.includes(`: ${prefix}`)))
  }

  let brokers = profile.brokers
  let tls: TlsSettings | undefined = profile.tls ? {...profile.tls} : undefined
  let sasl: SaslSettings | undefined = profile.sasl ? {...profile.sasl} : undefined

  if (options.envOverrides !== false) {
    if (env.KAFKIT_BROKERS) [brokers, sources.brokers] = [parseBrokerList(env.KAFKIT_BROKERS), 'KAFKIT_BROKERS']
    ;({tls, sasl} = applyEnvOverrides(tls, sasl, env, sources))
  }
  if (flags.brokers) [brokers, sources.brokers] = [parseBrokerList(flags.brokers), '--brokers']
  if (profile.schemaRegistry) sources.schemaRegistry = origin
  const schemaRegistry = resolveSchemaRegistry(profile.schemaRegistry, flags.schemaRegistry, options.envOverrides === false ? {} : env, sources)

  if (sasl) {
    const where = sources.sasl ?? origin
    checkMechanism(sasl, ['sasl'], (path, message) =>
      usageError(
        `${where}: ${path.join('.')}: ${message}`,
        sources.sasl?.startsWith('KAFKIT_') ? 'set the missing KAFKIT_SASL_* variable' : `fix it with 'kafkit profiles add ${name} --force ...' or in ${loaded.path}`,
        'PROFILE_INVALID',
      ),
    )
  }
  if (tls?.insecureSkipVerify)
    warnings.push(`TLS certificate verification is OFF for ${fromFile ? `profile '${name}'` : 'this connection'} (insecureSkipVerify): anyone on the path can read and change the traffic`)

  return {
    profile: name,
    brokers,
    ...(tls ? {tls} : {}),
    ...(sasl ? {sasl} : {}),
    protected: profile.protected ?? false,
    clientId: profile.clientId ?? 'kafkit',
    ...(schemaRegistry ? {schemaRegistry} : {}),
    ...(fromFile ? {} : {builtIn: true}),
    sources,
    warnings,
    ...(profile.connect ? {connect: profile.connect} : {}),
  }
}

/** A profile from the file, or the built-in `local`; an unknown name is exit 3 with a did-you-mean. */
export function lookupProfile(name: string, loaded: LoadedConfig): Profile {
  const profile = loaded.config.profiles[name]
  if (profile) return profile
  if (name === 'local') return BUILTIN_LOCAL
  const known = Object.keys(loaded.config.profiles)
  const guess = closest(name, [...known, 'local'])
  throw notFoundError(
    'PROFILE_NOT_FOUND',
    `profile '${name}' is not defined${loaded.exists ? ` in ${loaded.path}` : ''}`,
    guess ? `did you mean '${guess}'? ('kafkit profiles list' shows them all)` : `list them with 'kafkit profiles list', add one with 'kafkit profiles add ${name} --brokers host:port'`,
  )
}

/**
 * --schema-registry > KAFKIT_SCHEMA_REGISTRY_URL > the profile. A URL given another way keeps the profile's
 * credentials and TLS settings only when it points at the same origin: they are never sent to another host.
 * KAFKIT_SCHEMA_REGISTRY_USERNAME / _PASSWORD set basic auth (the password stays in the environment).
 */
export function resolveSchemaRegistry(
  fromProfile: SchemaRegistrySettings | undefined,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  sources: Record<string, string>,
): SchemaRegistrySettings | undefined {
  let registry = fromProfile ? {...fromProfile} : undefined
  const override = flag ? ([flag, '--schema-registry'] as const) : env.KAFKIT_SCHEMA_REGISTRY_URL ? ([env.KAFKIT_SCHEMA_REGISTRY_URL, 'KAFKIT_SCHEMA_REGISTRY_URL'] as const) : undefined
  if (override) {
    const [url, source] = override
    if (!/^https?:\/\/[^/\s]+/.test(url))
      throw usageError(`${source}: '${url}' is not an http(s) URL`, 'give the schema registry as http(s)://host:port[/path], e.g. http://127.0.0.1:8081/apis/ccompat/v7', 'REGISTRY_URL_INVALID')
    registry = registry && sameOrigin(registry.url, url) ? {...registry, url} : {url}
    sources.schemaRegistry = source
  }
  if (env.KAFKIT_SCHEMA_REGISTRY_USERNAME || env.KAFKIT_SCHEMA_REGISTRY_PASSWORD) {
    if (!registry)
      throw usageError('KAFKIT_SCHEMA_REGISTRY_USERNAME/PASSWORD is set but no schema registry URL is known', 'set KAFKIT_SCHEMA_REGISTRY_URL, --schema-registry, or schemaRegistry.url in the profile')
    if (!env.KAFKIT_SCHEMA_REGISTRY_USERNAME || !env.KAFKIT_SCHEMA_REGISTRY_PASSWORD) throw usageError('set both KAFKIT_SCHEMA_REGISTRY_USERNAME and KAFKIT_SCHEMA_REGISTRY_PASSWORD (HTTP basic auth)')
    const {tokenCommand: _dropped, ...rest} = registry
    registry = {...rest, username: env.KAFKIT_SCHEMA_REGISTRY_USERNAME, password: {env: 'KAFKIT_SCHEMA_REGISTRY_PASSWORD'}}
    sources.schemaRegistryAuth = 'KAFKIT_SCHEMA_REGISTRY_USERNAME/PASSWORD'
  }
  return registry
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}

const truthy = (v: string) => /^(1|true|yes|on)$/i.test(v)

function applyEnvOverrides(tlsIn: TlsSettings | undefined, saslIn: SaslSettings | undefined, env: NodeJS.ProcessEnv, sources: Record<string, string>): {tls?: TlsSettings; sasl?: SaslSettings} {
  let tls = tlsIn
  const tlsVars = {ca: env.KAFKIT_TLS_CA, cert: env.KAFKIT_TLS_CERT, key: env.KAFKIT_TLS_KEY, servername: env.KAFKIT_TLS_SERVERNAME}
  if (env.KAFKIT_TLS !== undefined && env.KAFKIT_TLS !== '') {
    if (truthy(env.KAFKIT_TLS)) tls ??= {}
    else tls = undefined
    sources.tls = 'KAFKIT_TLS'
  }
  for (const [key, value] of Object.entries(tlsVars) as [keyof typeof tlsVars, string | undefined][]) {
    if (value) {
      tls = {...tls, [key]: value}
      sources.tls = `KAFKIT_TLS_${key.toUpperCase()}`
    }
  }
  if (env.KAFKIT_TLS_KEY_PASSPHRASE && tls) tls.passphrase = {env: 'KAFKIT_TLS_KEY_PASSPHRASE'}
  if (env.KAFKIT_TLS_INSECURE && truthy(env.KAFKIT_TLS_INSECURE)) {
    tls = {...tls, insecureSkipVerify: true}
    sources.tls = 'KAFKIT_TLS_INSECURE'
  }

  let sasl = saslIn
  if (env.KAFKIT_SASL_MECHANISM) {
    const mechanism = normalizeMechanism(env.KAFKIT_SASL_MECHANISM)
    if (!mechanism) throw usageError(`KAFKIT_SASL_MECHANISM: '${env.KAFKIT_SASL_MECHANISM}' is not a SASL mechanism`, 'use plain, scram-sha-256, scram-sha-512, oauthbearer or aws-msk-iam')
    // A different mechanism starts from scratch: a SCRAM password must not become an OAuth setting.
    sasl = sasl?.mechanism === mechanism ? sasl : {mechanism}
    sources.sasl = 'KAFKIT_SASL_MECHANISM'
  }
  const fields = {username: env.KAFKIT_SASL_USERNAME, tokenCommand: env.KAFKIT_SASL_TOKEN_COMMAND, region: env.KAFKIT_AWS_REGION}
  const given = Object.entries(fields).filter(([, v]) => v) as [keyof typeof fields, string][]
  if (given.length > 0 || env.KAFKIT_SASL_PASSWORD) {
    if (!sasl) throw usageError('KAFKIT_SASL_* is set but no SASL mechanism is known', 'set KAFKIT_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512, oauthbearer, aws-msk-iam)')
    for (const [key, value] of given) sasl = {...sasl, [key]: value}
    // The password stays in the environment: only the variable's name is kept.
    if (env.KAFKIT_SASL_PASSWORD) sasl = {...sasl, password: {env: 'KAFKIT_SASL_PASSWORD'}}
    sources.sasl = sources.sasl ?? 'KAFKIT_SASL_*'
  }
  return {tls, sasl}
}
