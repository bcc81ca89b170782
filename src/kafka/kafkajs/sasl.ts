/**
 * kafkit's resolved credentials (connection.ts) -> kafkajs' `ssl` and `sasl` config, with kafkit's own
 * OAUTHBEARER authenticator (kafkajs 2.2.4's ignores the broker's answer; checked on 2.2.4, pinned by
 * test/integration/security.test.ts "a token without the required scope is exit 4 naming the subject").
 */
import type {KafkaConfig} from 'kafkajs'

import {ExitCode, KafkitError} from '../../errors.js'
import type {BearerToken, KafkaConnection} from './connection.js'

export type SecurityConfig = Pick<KafkaConfig, 'ssl' | 'sasl'>

export function toKafkaJSSecurity(connection: Pick<KafkaConnection, 'tls' | 'sasl'>): SecurityConfig {
  const config: SecurityConfig = {}
  if (connection.tls) config.ssl = {...connection.tls}
  const sasl = connection.sasl
  if (sasl && 'token' in sasl) config.sasl = checkedOauthBearer(sasl.token, sasl.mechanism === 'oauthbearer' ? 'OAUTHBEARER' : 'AWS_MSK_IAM')
  else if (sasl) config.sasl = {mechanism: sasl.mechanism, username: sasl.username, password: sasl.password} as KafkaConfig['sasl']
  return config
}

/**
 * OAUTHBEARER with the server's answer checked. kafkajs' built-in authenticator ignores it: a refused token comes
 * back as an error challenge (RFC 7628: {"status":"invalid_token"}) with error code 0, kafkajs reports success,
 * and the broker then closes the connection: the user would see "Closed connection". This provider sends the
 * same client message (RFC 7628 section 3.1) and turns an error challenge into an authentication error.
 */
export function checkedOauthBearer(provider: () => Promise<BearerToken>, label: string): KafkaConfig['sasl'] {
  const authenticationProvider = ({
    host,
    port,
    saslAuthenticate,
  }: {
    host: string
    port: number
    saslAuthenticate: <T>(args: {request: {encode: () => Buffer | Promise<Buffer>}; response?: {decode: (b: Buffer) => Promise<Buffer>; parse: (b: Buffer) => Promise<T>}}) => Promise<T | void>
  }) => ({
    authenticate: async () => {
      const token = await provider()
      const extensions = Object.entries(token.extensions ?? {})
        .map(([k, v]) => `\u0001${k}=${String(v)}`)
        .join('')
      const payload = Buffer.from(`n,,\u0001auth=Bearer ${token.value}${extensions}\u0001\u0001`)
      const length = Buffer.alloc(4)
      length.writeInt32BE(payload.length)
      let challenge = ''
      await saslAuthenticate({
        request: {encode: () => Buffer.concat([length, payload])},
        // kafkajs hands the challenge back as BYTES (an int32 length, then the bytes).
        response: {decode: async (bytes: Buffer) => bytes, parse: async (bytes: Buffer) => (challenge = bytes.length > 4 ? bytes.subarray(4).toString('utf8') : '')},
      })
      if (challenge.trim()) {
        const subject = tokenSubject(token.value)
        throw new KafkitError(
          'AUTHENTICATION_FAILED',
          `authentication failed${subject ? ` for '${subject}'` : ''} with ${label} at ${host}:${port}: the broker refused the token (${describeChallenge(challenge)})`,
          {
            hint:
              label === 'AWS_MSK_IAM'
                ? 'check the IAM policy (kafka-cluster:Connect) and the AWS credentials in use'
                : 'check the token source (tokenCommand / tokenEndpoint), its scope and audience, and that it has not expired',
            exitCode: ExitCode.CONNECT,
          },
        )
      }
    },
  })
  return {mechanism: 'oauthbearer', oauthBearerProvider: provider, authenticationProvider} as unknown as KafkaConfig['sasl']
}

function describeChallenge(challenge: string): string {
  try {
    const body = JSON.parse(challenge) as {status?: string; scope?: string}
    return [body.status, body.scope ? `required scope: ${body.scope}` : undefined].filter(Boolean).join('; ') || 'error challenge'
  } catch {
    return challenge.slice(0, 120)
  }
}

/** `sub` of a JWT, to name who failed; undefined for opaque tokens (MSK's presigned URL). */
export function tokenSubject(token: string): string | undefined {
  const parts = token.split('.')
  if (parts.length < 2) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as {sub?: unknown}
    return typeof payload.sub === 'string' ? payload.sub : undefined
  } catch {
    return undefined
  }
}
