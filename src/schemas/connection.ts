/**
 * A profile's `schemaRegistry` settings -> a RegistryClient: secrets read from their sources (and remembered so
 * that every printed line is scrubbed of them), TLS files read, a token command run once.
 */
import {KafkitError, usageError} from '../errors.js'
import {readPem} from '../profiles/credentials.js'
import {registerSecret, resolveSecret, runSecretCommand} from '../profiles/secrets.js'
import type {ResolvedConnection, SchemaRegistrySettings, TlsSettings} from '../profiles/types.js'
import {RegistryAuth, RegistryClient, RegistryTlsOptions} from './registry.js'

export interface RegistryConnectOptions {
  timeoutMs: number
  profile?: string
  debugLog?: (line: string) => void
  env?: NodeJS.ProcessEnv
}

/** The registry of a resolved connection; a usage error (exit 2) naming the three ways to set one when there is none. */
export async function registryForConnection(connection: Pick<ResolvedConnection, 'schemaRegistry' | 'profile'>, options: RegistryConnectOptions): Promise<RegistryClient> {
  if (!connection.schemaRegistry) throw noRegistryError(connection.profile)
  return createRegistryClient(connection.schemaRegistry, {profile: connection.profile, ...options})
}

export function noRegistryError(profile?: string): KafkitError {
  return usageError(
    `no schema registry is configured${profile && profile !== 'local' ? ` for profile '${profile}'` : ''}`,
    "pass --schema-registry URL, set KAFKIT_SCHEMA_REGISTRY_URL, or add schemaRegistry: {url: ...} to the profile (local: 'kafkit local start --schema-registry', then http://127.0.0.1:8081/apis/ccompat/v7)",
    'NO_SCHEMA_REGISTRY',
  )
}

export async function createRegistryClient(settings: SchemaRegistrySettings, options: RegistryConnectOptions): Promise<RegistryClient> {
  let auth: RegistryAuth | undefined
  if (settings.username && settings.password) {
    auth = {type: 'basic', username: settings.username, password: await resolveSecret(settings.password, 'schemaRegistry password', options.env, Math.max(options.timeoutMs, 30_000))}
  } else if (settings.tokenCommand) {
    const token = parseToken(await runSecretCommand(settings.tokenCommand, 'schemaRegistry tokenCommand', Math.max(options.timeoutMs, 30_000)))
    registerSecret(token)
    auth = {type: 'bearer', token}
  }
  const tls = settings.tls ? await readTls(settings.tls, options.env) : undefined
  return new RegistryClient({url: settings.url, auth, tls, timeoutMs: options.timeoutMs, profile: options.profile, debugLog: options.debugLog})
}

/** A token command prints the token, or a JSON token response ({"access_token": ...}). */
export function parseToken(output: string): string {
  const text = output.trim()
  if (text.startsWith('{')) {
    try {
      const body = JSON.parse(text) as {access_token?: unknown; token?: unknown}
      const value = body.access_token ?? body.token
      if (typeof value === 'string' && value) return value
    } catch {
      // not JSON: the whole output is the token
    }
  }
  return text
}

async function readTls(tls: TlsSettings, env?: NodeJS.ProcessEnv): Promise<RegistryTlsOptions> {
  return {
    ...(tls.ca ? {ca: await readPem(tls.ca, 'schemaRegistry.tls.ca')} : {}),
    ...(tls.cert ? {cert: await readPem(tls.cert, 'schemaRegistry.tls.cert')} : {}),
    ...(tls.key ? {key: await readPem(tls.key, 'schemaRegistry.tls.key')} : {}),
    ...(tls.passphrase ? {passphrase: await resolveSecret(tls.passphrase, 'schemaRegistry tls key passphrase', env)} : {}),
    ...(tls.servername ? {servername: tls.servername} : {}),
    ...(tls.insecureSkipVerify ? {insecureSkipVerify: true} : {}),
  }
}
