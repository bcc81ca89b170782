/**
 * `profiles add`: flags -> a Profile, checked with the same rules as the config file (validate.ts), and the
 * interactive questions asked on a terminal for what the flags leave out.
 */
import {usageError} from '../errors.js'
import {parseBrokerList} from './brokers.js'
import type {Profile, SaslSettings, SecretSource, TlsSettings} from './types.js'
import {checkMechanism, normalizeMechanism, schemaRegistry} from './validate.js'

export interface AddFlags {
  brokers?: string
  tls?: boolean
  'tls-ca'?: string
  'tls-cert'?: string
  'tls-key'?: string
  'tls-key-passphrase-env'?: string
  'tls-key-passphrase-command'?: string
  'tls-servername'?: string
  'insecure-skip-verify'?: boolean
  sasl?: string
  username?: string
  password?: string
  'password-env'?: string
  'password-command'?: string
  'token-command'?: string
  'token-endpoint'?: string
  'oauth-client-id'?: string
  'client-secret-env'?: string
  'client-secret-command'?: string
  scope?: string
  extension?: string[]
  region?: string
  'aws-profile'?: string
  'role-arn'?: string
  protected?: boolean
  'client-id'?: string
  'connect-url'?: string
  'connect-username'?: string
  'connect-password-env'?: string
  'connect-password-command'?: string
  'schema-registry'?: string
  'schema-registry-username'?: string
  'schema-registry-password-env'?: string
  'schema-registry-password-command'?: string
  'schema-registry-token-command'?: string
  'schema-registry-ca'?: string
  'schema-registry-cert'?: string
  'schema-registry-key'?: string
}

/** schemaRegistry field -> its flag, for messages. */
const REGISTRY_FLAG_OF: Record<string, string> = {
  url: '--schema-registry',
  username: '--schema-registry-username',
  passwordEnv: '--schema-registry-password-env',
  passwordCommand: '--schema-registry-password-command',
  tokenCommand: '--schema-registry-token-command',
  ca: '--schema-registry-ca',
  cert: '--schema-registry-cert',
  key: '--schema-registry-key',
}

/** The --schema-registry* flags -> `schemaRegistry`, checked by the same rules as the config file. */
export function registryFromFlags(flags: AddFlags): Profile['schemaRegistry'] {
  const given = Object.entries(flags).filter(([k, v]) => k.startsWith('schema-registry') && v !== undefined)
  if (given.length === 0) return undefined
  if (!flags['schema-registry']) throw usageError(`${given.map(([k]) => `--${k}`).join(', ')} given without --schema-registry URL`, 'add --schema-registry http(s)://host:port[/path]')
  const tls = Object.fromEntries((['ca', 'cert', 'key'] as const).filter((k) => flags[`schema-registry-${k}`]).map((k) => [k, flags[`schema-registry-${k}`]]))
  const raw = Object.fromEntries(
    Object.entries({
      url: flags['schema-registry'],
      username: flags['schema-registry-username'],
      passwordEnv: flags['schema-registry-password-env'],
      passwordCommand: flags['schema-registry-password-command'],
      tokenCommand: flags['schema-registry-token-command'],
      tls: Object.keys(tls).length > 0 ? tls : undefined,
    }).filter(([, v]) => v !== undefined),
  )
  return schemaRegistry(raw, [], (path, message) => usageError(`${REGISTRY_FLAG_OF[String(path.at(-1))] ?? String(path.at(-1))}: ${message}`, "see 'kafkit profiles add --help'"))
}

/** Config-file field -> the flag that sets it, so that a missing field is reported as a missing flag. */
const FLAG_OF: Record<string, string> = {
  username: '--username',
  passwordEnv: '--password-env (or --password-command)',
  tokenCommand: '--token-command (or --token-endpoint)',
  tokenEndpoint: '--token-endpoint',
  clientId: '--oauth-client-id',
  clientSecretEnv: '--client-secret-env (or --client-secret-command)',
  region: '--region',
}

function secretFrom(value: string | undefined, env: string | undefined, command: string | undefined, what: string): SecretSource | undefined {
  const given = [value, env, command].filter((v) => v !== undefined)
  if (given.length > 1) throw usageError(`give the ${what} one way only (value, -env or -command)`)
  if (env !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) throw usageError(`'${env}' is not an environment variable name`, `e.g. --${what}-env STAGING_KAFKA_PASSWORD`)
    return {env}
  }
  if (command !== undefined) return {command}
  if (value !== undefined) return {value}
  return undefined
}

/** Builds the profile from flags; throws a usage error naming the flag when something is missing or wrong. */
export function profileFromFlags(flags: AddFlags): Profile {
  if (!flags.brokers) throw usageError('--brokers is required', 'e.g. --brokers kafka-1:9093,kafka-2:9093')
  const profile: Profile = {brokers: parseBrokerList(flags.brokers)}
  const tlsGiven = flags.tls || flags['tls-ca'] || flags['tls-cert'] || flags['tls-key'] || flags['tls-servername'] || flags['insecure-skip-verify']
  if (tlsGiven) {
    const tls: TlsSettings = {}
    if (flags['tls-ca']) tls.ca = flags['tls-ca']
    if (flags['tls-cert']) tls.cert = flags['tls-cert']
    if (flags['tls-key']) tls.key = flags['tls-key']
    if ((tls.cert === undefined) !== (tls.key === undefined)) throw usageError('a client certificate needs both --tls-cert and --tls-key')
    const passphrase = secretFrom(undefined, flags['tls-key-passphrase-env'], flags['tls-key-passphrase-command'], 'tls-key-passphrase')
    if (passphrase) {
      if (!tls.key) throw usageError('--tls-key-passphrase-* needs --tls-key')
      tls.passphrase = passphrase
    }
    if (flags['tls-servername']) tls.servername = flags['tls-servername']
    if (flags['insecure-skip-verify']) tls.insecureSkipVerify = true
    profile.tls = tls
  }
  if (flags.sasl) {
    const mechanism = normalizeMechanism(flags.sasl)
    if (!mechanism) throw usageError(`--sasl '${flags.sasl}' is not a mechanism`, 'use plain, scram-sha-256, scram-sha-512, oauthbearer or aws-msk-iam')
    const sasl: SaslSettings = {mechanism}
    if (flags.username) sasl.username = flags.username
    const password = secretFrom(flags.password, flags['password-env'], flags['password-command'], 'password')
    if (password) sasl.password = password
    if (flags['token-command']) sasl.tokenCommand = flags['token-command']
    if (flags['token-endpoint']) sasl.tokenEndpoint = flags['token-endpoint']
    if (flags['oauth-client-id']) sasl.clientId = flags['oauth-client-id']
    const clientSecret = secretFrom(undefined, flags['client-secret-env'], flags['client-secret-command'], 'client-secret')
    if (clientSecret) sasl.clientSecret = clientSecret
    if (flags.scope) sasl.scope = flags.scope
    if (flags.extension?.length) sasl.extensions = parseExtensions(flags.extension)
    if (flags.region) sasl.region = flags.region
    if (flags['aws-profile']) sasl.awsProfile = flags['aws-profile']
    if (flags['role-arn']) sasl.roleArn = flags['role-arn']
    checkMechanism(sasl, [], (path, message) => usageError(`${FLAG_OF[String(path.at(-1))] ?? String(path.at(-1))}: ${message}`, `see 'kafkit profiles add --help'`))
    profile.sasl = sasl
  } else if (flags.username || flags['password-env'] || flags['password-command'] || flags.password || flags['token-command'] || flags['token-endpoint'] || flags.region) {
    throw usageError('SASL settings given without --sasl MECHANISM', 'add --sasl plain|scram-sha-256|scram-sha-512|oauthbearer|aws-msk-iam')
  }
  if (flags.protected) profile.protected = true
  if (flags['client-id']) profile.clientId = flags['client-id']
  const connectPassword = secretFrom(undefined, flags['connect-password-env'], flags['connect-password-command'], 'connect-password')
  if (flags['connect-url']) {
    if (!/^https?:\/\/[^/\s]+/.test(flags['connect-url'])) throw usageError(`--connect-url '${flags['connect-url']}' is not an http(s) URL`, 'e.g. --connect-url http://connect.staging:8083')
    profile.connect = {
      url: flags['connect-url'].replace(/\/+$/, ''),
      ...(flags['connect-username'] ? {username: flags['connect-username']} : {}),
      ...(connectPassword ? {password: connectPassword} : {}),
    }
    if (profile.connect.password && !profile.connect.username) throw usageError('--connect-password-* needs --connect-username (HTTP basic authentication)')
  } else if (flags['connect-username'] || connectPassword) {
    throw usageError('Kafka Connect credentials given without --connect-url', 'add --connect-url http://connect:8083')
  }
  const registry = registryFromFlags(flags)
  if (registry) profile.schemaRegistry = registry
  return profile
}

export function parseExtensions(items: string[]): Record<string, string> {
  return Object.fromEntries(
    items.map((item) => {
      const i = item.indexOf('=')
      if (i <= 0) throw usageError(`--extension '${item}' is not key=value`, 'e.g. --extension logicalCluster=lkc-abc12')
      return [item.slice(0, i), item.slice(i + 1)]
    }),
  )
}

/** Asks on a terminal for what the flags did not give (brokers, protocol, mechanism, user, secret source). */
export async function askForMissing(flags: AddFlags, output: NodeJS.WritableStream): Promise<AddFlags> {
  const {input, select, confirm} = await import('@inquirer/prompts')
  const ctx = {output}
  const choose = (message: string, choices: {value: string; name: string}[]) => select({message, choices}, ctx)
  const out: AddFlags = {...flags}
  out.brokers ??= await input({message: 'Bootstrap brokers (host:port,...)', validate: (v) => tryParse(v)}, ctx)
  const hasTls = Boolean(out.tls || out['tls-ca'] || out['tls-cert'])
  if (!hasTls && !out.sasl) {
    const protocol = await choose('Security protocol', [
      {value: 'PLAINTEXT', name: 'PLAINTEXT (no TLS, no login: local and dev clusters)'},
      {value: 'SSL', name: 'SSL (TLS)'},
      {value: 'SASL_SSL', name: 'SASL_SSL (TLS + login: Confluent Cloud, MSK, Event Hubs, Redpanda Cloud)'},
      {value: 'SASL_PLAINTEXT', name: 'SASL_PLAINTEXT (login without TLS)'},
    ])
    if (protocol.includes('SSL')) {
      out.tls = true
      const ca = await input({message: 'CA file (PEM), empty for the system CAs'}, ctx)
      if (ca.trim()) out['tls-ca'] = ca.trim()
    }
    if (protocol.startsWith('SASL')) {
      out.sasl = await choose('SASL mechanism', [
        {value: 'plain', name: 'PLAIN (Confluent Cloud API key, Event Hubs connection string)'},
        {value: 'scram-sha-512', name: 'SCRAM-SHA-512 (MSK SCRAM, Redpanda)'},
        {value: 'scram-sha-256', name: 'SCRAM-SHA-256'},
        {value: 'oauthbearer', name: 'OAUTHBEARER (token command or client credentials)'},
        {value: 'aws-msk-iam', name: 'AWS MSK IAM'},
      ])
    }
  }
  const mechanism = out.sasl ? normalizeMechanism(out.sasl) : undefined
  if (mechanism === 'plain' || mechanism?.startsWith('scram')) {
    out.username ??= await input({message: 'Username (API key)', validate: (v) => v.trim() !== '' || 'required'}, ctx)
    if (!out.password && !out['password-env'] && !out['password-command']) {
      const from = await choose('Where does the password come from?', [
        {value: 'env', name: 'an environment variable (recommended)'},
        {value: 'command', name: 'a command that prints it (pass, op, vault, aws secretsmanager ...)'},
        {value: 'file', name: 'stored in the config file (not recommended)'},
      ])
      if (from === 'env') out['password-env'] = await input({message: 'Environment variable name', validate: (v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) || 'a variable name'}, ctx)
      else if (from === 'command') out['password-command'] = await input({message: 'Command', validate: (v) => v.trim() !== '' || 'required'}, ctx)
      else {
        const {password} = await import('@inquirer/prompts')
        out.password = await password({message: 'Password', mask: '*'}, ctx)
      }
    }
  } else if (mechanism === 'oauthbearer' && !out['token-command'] && !out['token-endpoint']) {
    const how = await select(
      {
        message: 'How is the token obtained?',
        choices: [
          {value: 'command', name: 'a command prints it'},
          {value: 'endpoint', name: 'client credentials at a token endpoint'},
        ],
      },
      ctx,
    )
    if (how === 'command') out['token-command'] = await input({message: 'Token command'}, ctx)
    else {
      out['token-endpoint'] = await input({message: 'Token endpoint URL', validate: (v) => /^https?:\/\//.test(v) || 'an http(s) URL'}, ctx)
      out['oauth-client-id'] ??= await input({message: 'Client id'}, ctx)
      out['client-secret-env'] ??= await input({message: 'Environment variable holding the client secret'}, ctx)
    }
  } else if (mechanism === 'aws-msk-iam') {
    out.region ??= await input({message: 'AWS region', default: process.env.AWS_REGION ?? 'us-east-1'}, ctx)
  }
  if (out.protected === undefined) out.protected = await confirm({message: 'Protect it (destructive commands need confirmation)?', default: false}, ctx)
  return out
}

function tryParse(value: string): true | string {
  try {
    parseBrokerList(value)
    return true
  } catch (error) {
    return (error as Error).message
  }
}

/**
 * The TLS files of a profile that do not exist (now): a typo in a path would otherwise surface only as a TLS error
 * at the first command that uses the profile. The profile is still saved (the file may be put in place later),
 * with a warning per missing file.
 */
export function missingTlsFiles(tls: TlsSettings | undefined, exists: (path: string) => boolean): string[] {
  if (!tls) return []
  const home = (path: string) => (path === '~' || path.startsWith('~/') ? `${process.env.HOME ?? ''}${path.slice(1)}` : path)
  const warnings: string[] = []
  for (const [flag, path] of [
    ['--tls-ca', tls.ca],
    ['--tls-cert', tls.cert],
    ['--tls-key', tls.key],
  ] as const) {
    if (path !== undefined && !exists(home(path))) warnings.push(`${flag} ${path}: no such file; the profile is saved, but cannot connect until the file is there`)
  }
  return warnings
}
