/**
 * What the Kafka layer needs to reach a cluster, fully resolved: files read, secrets fetched, token sources ready
 * to call. profiles/ builds it (resolveCredentials in profiles/credentials.ts); nothing below looks anything up.
 * Defined here, by the adapter that consumes it, and re-exported by the port (../connection.ts), so that the
 * adapter imports nothing from the port.
 */

/** Node TLS options. No `ca` means Node's bundled root CAs (public clouds). */
export interface TlsOptions {
  rejectUnauthorized: boolean
  ca?: string[]
  cert?: string
  key?: string
  passphrase?: string
  servername?: string
}

/** A bearer token as a SASL OAUTHBEARER client sends it (with its SASL extensions). */
export interface BearerToken {
  value: string
  extensions?: Record<string, string>
}

export type SaslCredentials =
  | {mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string}
  /** OAUTHBEARER and AWS MSK IAM: `token()` is asked at every (re-)authentication; it caches. */
  | {mechanism: 'oauthbearer' | 'aws-msk-iam'; username?: string; token: () => Promise<BearerToken>}

export interface KafkaConnection {
  /** Profile name, `local` for the built-in one (error messages name it). */
  profile: string
  brokers: string[]
  clientId: string
  tls?: TlsOptions
  sasl?: SaslCredentials
}
