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

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer', 'aws-msk-iam'] as const
export type SaslMechanism = (typeof SASL_MECHANISMS)[number]

export interface SaslSettings {
  mechanism: SaslMechanism
  username?: string
  password?: SecretSource
  /** OAUTHBEARER: a command that prints a token (or a JSON object with access_token) ... */
  tokenCommand?: string
  /** ... or the OAuth 2 client-credentials flow against this token endpoint. */
  tokenEndpoint?: string
  clientId?: string
  clientSecret?: SecretSource
  scope?: string
  /** OAUTHBEARER: SASL extensions (Confluent Cloud: logicalCluster, identityPoolId). */
  extensions?: Record<string, string>
  /** AWS MSK IAM: region, and optionally a named AWS profile or a role to assume (else the default chain). */
  region?: string
  awsProfile?: string
  roleArn?: string
}

/** The Kafka Connect REST API of a cluster (`kafkit connect`): URL, basic auth, TLS for https URLs. */
export interface ConnectSettings {
  url: string
  username?: string
  password?: SecretSource
  tls?: TlsSettings
}

/** A Confluent-compatible Schema Registry (`schemaRegistry:` in a profile). */
export interface SchemaRegistrySettings {
  /** http(s)://host:port[/path] (Apicurio: .../apis/ccompat/v7). */
  url: string
  /** HTTP basic auth (Confluent Cloud: the API key, with the secret as the password). */
  username?: string
  password?: SecretSource
  /** A command that prints a bearer token (or a JSON object with access_token); instead of username/password. */
  tokenCommand?: string
  /** The registry's own TLS settings (not the brokers'). */
  tls?: TlsSettings
}

/** A profile as written in the config file (paths unexpanded, secrets as sources). */
export interface Profile {
  brokers: string[]
  /** `true`: TLS with the system CAs. */
  tls?: TlsSettings
  sasl?: SaslSettings
  protected?: boolean
  clientId?: string
  connect?: ConnectSettings
  schemaRegistry?: SchemaRegistrySettings
}

export interface ConfigFile {
  current?: string
  profiles: Record<string, Profile>
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
  /** Where each part came from (`flag`, `env KAFKIT_BROKERS`, `profile`, `built-in`), for `profiles show`/--debug. */
  sources?: Record<string, string>
  /** The built-in `local` profile (no entry in the config file). */
  builtIn?: boolean
  /** The schema registry: --schema-registry > KAFKIT_SCHEMA_REGISTRY_URL > the profile's schemaRegistry. */
  schemaRegistry?: SchemaRegistrySettings
  /** Things the user should hear about on stderr (a password in clear text, TLS verification off). */
  warnings?: string[]
  /** The profile's Kafka Connect (src/connect/settings.ts adds --connect-url and KAFKIT_CONNECT_*). */
  connect?: ConnectSettings
}
