/** What a command needs to reach a cluster, after flags, environment and the config file are merged. */

export interface TlsSettings {
  /** PEM file of the CA(s) to trust; system CAs when absent. */
  ca?: string
  cert?: string
  key?: string
  /** Where the key's passphrase comes from (never stored in clear when avoidable). */
  passphrase?: SecretSource
  servername?: string
  insecureSkipVerify?: boolean
}

export type SecretSource = {value: string} | {env: string} | {command: string}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer' | 'aws-msk-iam'

export interface SaslSettings {
  mechanism: SaslMechanism
  username?: string
  password?: SecretSource
  /** OAUTHBEARER: a command that prints a token, or a client-credentials token endpoint. */
  tokenCommand?: string
  tokenEndpoint?: string
  clientId?: string
  clientSecret?: SecretSource
  scope?: string
  /** AWS MSK IAM */
  region?: string
}

export interface ResolvedConnection {
  /** Profile name, `local` for the built-in one. */
  profile: string
  brokers: string[]
  tls?: TlsSettings
  sasl?: SaslSettings
  /** Destructive commands need --yes and say the profile name loudly. */
  protected: boolean
  clientId: string
}
