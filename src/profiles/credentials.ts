/**
 * A resolved connection's TLS and SASL settings -> the credentials the Kafka layer connects with (files read,
 * secrets fetched, token sources ready). TLS verification stays on unless the profile turns it off. Secrets and
 * tokens are fetched here, once, before anything connects, so a bad secret source fails with its own clear
 * message instead of a retried connection error.
 */
import {readFile} from 'node:fs/promises'

import {ExitCode, KafkitError, usageError} from '../errors.js'
import type {BearerToken, KafkaConnection, SaslCredentials, TlsOptions} from '../kafka/connection.js'
import {registerSecret, resolveSecret, runSecretCommand} from './secrets.js'
import type {ResolvedConnection, SaslSettings, TlsSettings} from './types.js'

export interface SecurityOptions {
  /** Bound for fetching a token (command or HTTP). */
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
}

/** The connection the Kafka layer receives: every secret and file of the profile resolved. */
export async function resolveCredentials(connection: ResolvedConnection, options: SecurityOptions = {}): Promise<KafkaConnection> {
  const resolved: KafkaConnection = {profile: connection.profile, brokers: connection.brokers, clientId: connection.clientId}
  if (connection.tls) resolved.tls = await buildTlsOptions(connection.tls, options.env)
  if (connection.sasl) resolved.sasl = await buildSasl(connection.sasl, options)
  return resolved
}

/** Node TLS options. No `ca` means Node's bundled root CAs (public clouds). */
export async function buildTlsOptions(tls: TlsSettings, env: NodeJS.ProcessEnv = process.env): Promise<TlsOptions> {
  return {
    rejectUnauthorized: !tls.insecureSkipVerify,
    ...(tls.ca ? {ca: [await readPem(tls.ca, 'tls.ca')]} : {}),
    ...(tls.cert ? {cert: await readPem(tls.cert, 'tls.cert')} : {}),
    ...(tls.key ? {key: await readPem(tls.key, 'tls.key')} : {}),
    ...(tls.passphrase ? {passphrase: await resolveSecret(tls.passphrase, 'tls key passphrase', env)} : {}),
    ...(tls.servername ? {servername: tls.servername} : {}),
  }
}

async function buildSasl(sasl: SaslSettings, options: SecurityOptions): Promise<SaslCredentials> {
  const timeoutMs = options.timeoutMs ?? 30_000
  switch (sasl.mechanism) {
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512': {
      if (!sasl.username || !sasl.password)
        throw usageError(`SASL ${sasl.mechanism} needs a username and a password source`, 'set sasl.username and sasl.passwordEnv (or passwordCommand) in the profile')
      const password = await resolveSecret(sasl.password, `SASL ${sasl.mechanism} password`, options.env, timeoutMs)
      return {mechanism: sasl.mechanism, username: sasl.username, password}
    }
    case 'oauthbearer': {
      const source = oauthTokenSource(sasl, options)
      const token = cachingProvider(source, sasl.extensions)
      await token() // fail early, with the token source's own message
      return {mechanism: 'oauthbearer', username: sasl.username, token}
    }
    case 'aws-msk-iam': {
      const token = cachingProvider(() => mskIamToken(sasl))
      await token()
      return {mechanism: 'aws-msk-iam', username: sasl.username, token}
    }
  }
}

export interface Token {
  value: string
  /** Epoch ms; undefined when unknown (then it is refetched after 5 minutes). */
  expiresAt?: number
}

/** Reuses a token until shortly before it expires: kafkajs asks for one on every broker connection. */
export function cachingProvider(fetchToken: () => Promise<Token>, extensions?: Record<string, string>, now: () => number = Date.now): () => Promise<BearerToken> {
  let cached: {token: Token; fetchedAt: number} | undefined
  let pending: Promise<Token> | undefined
  return async () => {
    const fresh = cached && (cached.token.expiresAt ? cached.token.expiresAt - now() > 60_000 : now() - cached.fetchedAt < 300_000)
    if (!fresh) {
      pending ??= fetchToken().finally(() => (pending = undefined))
      const token = await pending
      registerSecret(token.value)
      cached = {token, fetchedAt: now()}
    }
    return {value: cached!.token.value, ...(extensions ? {extensions} : {})}
  }
}

function oauthTokenSource(sasl: SaslSettings, options: SecurityOptions): () => Promise<Token> {
  const timeoutMs = options.timeoutMs ?? 30_000
  if (sasl.tokenCommand) {
    const command = sasl.tokenCommand
    return async () => parseTokenOutput(await runSecretCommand(command, 'OAUTHBEARER tokenCommand', timeoutMs))
  }
  if (sasl.tokenEndpoint && sasl.clientId && sasl.clientSecret) {
    const {tokenEndpoint, clientId, clientSecret, scope} = sasl
    return async () => clientCredentialsToken({tokenEndpoint, clientId, clientSecret: await resolveSecret(clientSecret, 'OAUTHBEARER client secret', options.env, timeoutMs), scope, timeoutMs})
  }
  throw usageError('OAUTHBEARER needs sasl.tokenCommand, or sasl.tokenEndpoint with clientId and clientSecretEnv', "the config file's format: 'kafkit profiles list --help'")
}

/** A token command prints the token, or a JSON token response ({"access_token": ..., "expires_in": ...}). */
export function parseTokenOutput(output: string, now = Date.now()): Token {
  const text = output.trim()
  if (text.startsWith('{')) {
    try {
      const body = JSON.parse(text) as {access_token?: unknown; token?: unknown; expires_in?: unknown}
      const value = body.access_token ?? body.token
      if (typeof value === 'string' && value) return {value, expiresAt: typeof body.expires_in === 'number' ? now + body.expires_in * 1000 : jwtExpiry(value)}
    } catch {
      // not JSON after all: the raw text is the token
    }
  }
  return {value: text, expiresAt: jwtExpiry(text)}
}

/** `exp` of a JWT, in epoch ms; undefined for opaque tokens. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.')
  if (parts.length < 2) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as {exp?: unknown}
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined
  } catch {
    return undefined
  }
}

/** OAuth 2 client-credentials grant (RFC 6749 4.4), client authenticated with HTTP Basic as the RFC prefers. */
export async function clientCredentialsToken(request: {tokenEndpoint: string; clientId: string; clientSecret: string; scope?: string; timeoutMs: number}): Promise<Token> {
  const body = new URLSearchParams({grant_type: 'client_credentials', ...(request.scope ? {scope: request.scope} : {})})
  const basic = Buffer.from(`${encodeURIComponent(request.clientId)}:${encodeURIComponent(request.clientSecret)}`).toString('base64')
  registerSecret(basic)
  let response: Response
  try {
    response = await fetch(request.tokenEndpoint, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}`},
      body,
      signal: AbortSignal.timeout(request.timeoutMs),
    })
  } catch (error) {
    const cause = (error as {cause?: {code?: string}; name?: string}).cause?.code ?? (error as Error).name
    throw new KafkitError('OAUTH_TOKEN_FAILED', `OAUTHBEARER: cannot reach the token endpoint ${request.tokenEndpoint} (${cause})`, {
      hint: 'check sasl.tokenEndpoint and that it is reachable from here',
      exitCode: ExitCode.CONNECT,
    })
  }
  const text = await response.text()
  if (!response.ok) {
    let reason = ''
    try {
      const err = JSON.parse(text) as {error?: string; error_description?: string}
      reason = [err.error, err.error_description].filter(Boolean).join(': ')
    } catch {
      // a non-JSON error page: the status says enough
    }
    throw new KafkitError('OAUTH_TOKEN_FAILED', `OAUTHBEARER: the token endpoint refused client '${request.clientId}' (HTTP ${response.status}${reason ? `, ${reason}` : ''})`, {
      hint: 'check sasl.clientId and the client secret source',
      exitCode: ExitCode.CONNECT,
    })
  }
  const token = parseTokenOutput(text)
  if (!token.value || token.value.startsWith('{')) throw new KafkitError('OAUTH_TOKEN_FAILED', `OAUTHBEARER: the token endpoint's answer has no access_token`, {exitCode: ExitCode.CONNECT})
  return token
}

/** AWS MSK IAM: a SigV4-presigned `kafka-cluster:Connect` URL, from AWS's own signer library (loaded lazily). */
export async function mskIamToken(sasl: SaslSettings): Promise<Token> {
  if (!sasl.region) throw usageError('aws-msk-iam needs sasl.region', 'e.g. region: us-east-1')
  const signer = (await import('aws-msk-iam-sasl-signer-js')) as typeof import('aws-msk-iam-sasl-signer-js') & {default?: typeof import('aws-msk-iam-sasl-signer-js')}
  const lib = signer.default ?? signer
  try {
    const result = sasl.roleArn
      ? await lib.generateAuthTokenFromRole({region: sasl.region, awsRoleArn: sasl.roleArn, awsRoleSessionName: 'kafkit'})
      : sasl.awsProfile
        ? await lib.generateAuthTokenFromProfile({region: sasl.region, awsProfileName: sasl.awsProfile})
        : await lib.generateAuthToken({region: sasl.region})
    return {value: result.token, expiresAt: result.expiryTime}
  } catch (error) {
    throw new KafkitError('AWS_CREDENTIALS', `aws-msk-iam: cannot sign a token: ${String((error as Error).message ?? error).split('\n')[0]}`, {
      hint: 'kafkit uses the AWS default credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, instance role); or set sasl.awsProfile / sasl.roleArn',
      exitCode: ExitCode.CONNECT,
    })
  }
}

export async function readPem(path: string, field: string): Promise<string> {
  const expanded = expandHome(path)
  try {
    return await readFile(expanded, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw usageError(
      `${field}: cannot read ${path}${code === 'ENOENT' ? ' (no such file)' : code === 'EACCES' ? ' (permission denied)' : ''}`,
      `check the path in the profile's ${field}`,
      'TLS_FILE_MISSING',
    )
  }
}

export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? `${process.env.HOME ?? ''}${path.slice(1)}` : path
}
