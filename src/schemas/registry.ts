/**
 * A client for the Confluent-compatible Schema Registry REST API (Confluent Schema Registry, Apicurio Registry's
 * `/apis/ccompat/v7`, Redpanda, Karapace). Every call has the command's timeout (connect and whole request), and
 * every failure is a KafkitError: unreachable -> exit 4, 401 -> exit 4, 403 -> exit 9, unknown subject / version /
 * id -> exit 3, invalid schema -> exit 2.
 *
 * HTTP is undici's fetch (the implementation behind Node's global fetch) so that its Agent sets the connect
 * timeout and the TLS options (CA, client certificate) with the same code on every Node version; it is loaded on
 * the first request only.
 */
import {ExitCode, KafkitError, connectError, formatMs, notFoundError, timeoutError, usageError} from '../errors.js'

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON'
export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'PROTOBUF', 'JSON']

export interface SchemaReference {
  /** Avro: the full name of the referenced type; Protobuf: the import path; JSON Schema: the `$ref` URL. */
  name: string
  subject: string
  version: number
}

/** A schema as sent to the registry (register, lookup, compatibility). */
export interface SchemaInput {
  schema: string
  schemaType?: SchemaType
  references?: SchemaReference[]
}

/** A schema as the registry returns it by id. `schemaType` is filled in ('AVRO' when the registry omits it). */
export interface RegistrySchema {
  id: number
  schema: string
  schemaType: SchemaType
  references: SchemaReference[]
}

/** One version of a subject. */
export interface SubjectVersion extends RegistrySchema {
  subject: string
  version: number
}

export interface CompatibilityResult {
  compatible: boolean
  /** The registry's reasons (verbose=true); empty when compatible or when the registry gives none. */
  messages: string[]
}

export const COMPATIBILITY_LEVELS = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number]

export type RegistryAuth = {type: 'basic'; username: string; password: string} | {type: 'bearer'; token: string}

/** PEM contents (not paths): the caller reads the files (src/schemas/connection.ts). */
export interface RegistryTlsOptions {
  ca?: string | Buffer
  cert?: string | Buffer
  key?: string | Buffer
  passphrase?: string
  servername?: string
  /** Off only when asked for explicitly (tls.insecureSkipVerify). */
  insecureSkipVerify?: boolean
}

export interface RegistryClientOptions {
  /** Base URL, with the API's path when it has one: http://127.0.0.1:8081/apis/ccompat/v7 */
  url: string
  auth?: RegistryAuth
  tls?: RegistryTlsOptions
  /** Upper bound for connecting and for each whole request. */
  timeoutMs: number
  /** Named in error messages ("profile 'staging'"). */
  profile?: string
  debugLog?: (line: string) => void
}

export type VersionSpec = number | 'latest'

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

/** Confluent's error codes (the JSON body's `error_code`); Apicurio's ccompat API uses the same ones. */
export const REGISTRY_ERROR_CODES = {
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  SUBJECT_NOT_SOFT_DELETED: 40405,
  VERSION_SOFT_DELETED: 40406,
  VERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: 40408,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201,
  INVALID_VERSION: 42202,
  INVALID_COMPATIBILITY_LEVEL: 42203,
} as const

/** An HTTP error answer, before it is turned into a KafkitError (kept as the `cause`). */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number | undefined,
    readonly registryMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: HTTP ${status}${errorCode ? ` (error ${errorCode})` : ''}: ${registryMessage}`)
    this.name = 'RegistryHttpError'
  }
}

interface RequestOptions {
  body?: unknown
  query?: Record<string, string | number | boolean | undefined>
  /** What the call is about, for messages: subject, version, id. */
  about?: {subject?: string; version?: VersionSpec; id?: number; input?: SchemaInput}
}

// undici's module, loaded once per process on the first request.
type Undici = Pick<typeof import('undici'), 'Agent' | 'fetch'>
let undiciModule: Promise<Undici> | undefined
// CommonJS module: bundled or not, its API is on the module or on its default export.
const loadUndici = () =>
  (undiciModule ??= import('undici').then((m) => {
    const api = (typeof m.Agent === 'function' ? m : (m as unknown as {default: Undici}).default) as Undici
    return {Agent: api.Agent, fetch: api.fetch}
  }))

export class RegistryClient {
  readonly url: string
  private readonly options: RegistryClientOptions
  private agent?: InstanceType<Undici['Agent']>
  /** Schemas by id are immutable: fetched once per run (concurrent asks share one request). */
  private readonly byId = new Map<number, Promise<RegistrySchema>>()

  constructor(options: RegistryClientOptions) {
    const parsed = parseRegistryUrl(options.url)
    this.url = parsed.url
    this.options = {...options, url: parsed.url, auth: options.auth ?? parsed.auth}
  }

  get timeoutMs(): number {
    return this.options.timeoutMs
  }

  /** The URL and user name (never a secret): what the on-disk schema cache is keyed by. */
  get identity(): {url: string; principal?: string} {
    const auth = this.options.auth
    return {url: this.url, principal: auth?.type === 'basic' ? auth.username : undefined}
  }

  /** GET /schemas/ids/{id}: the schema, its type and references. Cached for the life of the client. */
  getSchemaById(id: number, options: {subject?: string} = {}): Promise<RegistrySchema> {
    let pending = this.byId.get(id)
    if (!pending) {
      pending = this.request<{schema: string; schemaType?: string; references?: SchemaReference[]}>('GET', `/schemas/ids/${id}`, {query: {subject: options.subject}, about: {id}}).then((r) => ({
        id,
        schema: r.schema,
        schemaType: normalizeType(r.schemaType),
        references: r.references ?? [],
      }))
      this.byId.set(id, pending)
      // A failure is not cached: the next record may ask again (the registry may be back).
      pending.catch(() => this.byId.delete(id))
    }
    return pending
  }

  /** GET /schemas/ids/{id}/versions: the subjects and versions that use a schema id. */
  async getSubjectVersionsById(id: number): Promise<{subject: string; version: number}[]> {
    return this.request('GET', `/schemas/ids/${id}/versions`, {about: {id}})
  }

  /** GET /subjects (with soft-deleted ones when `deleted`). */
  async listSubjects(options: {deleted?: boolean} = {}): Promise<string[]> {
    return this.request<string[]>('GET', '/subjects', {query: {deleted: options.deleted || undefined}})
  }

  /** GET /subjects/{s}/versions. */
  async listVersions(subject: string, options: {deleted?: boolean} = {}): Promise<number[]> {
    return this.request<number[]>('GET', `/subjects/${enc(subject)}/versions`, {query: {deleted: options.deleted || undefined}, about: {subject}})
  }

  /** GET /subjects/{s}/versions/{v|latest}. */
  async getVersion(subject: string, version: VersionSpec = 'latest', options: {deleted?: boolean} = {}): Promise<SubjectVersion> {
    const r = await this.request<{subject: string; id: number; version: number; schema: string; schemaType?: string; references?: SchemaReference[]}>(
      'GET',
      `/subjects/${enc(subject)}/versions/${version}`,
      {
        query: {deleted: options.deleted || undefined},
        about: {subject, version},
      },
    )
    return {subject: r.subject ?? subject, id: r.id, version: r.version, schema: r.schema, schemaType: normalizeType(r.schemaType), references: r.references ?? []}
  }

  /** POST /subjects/{s}/versions: registers (or finds, when identical) a schema; returns its id. */
  async register(subject: string, input: SchemaInput, options: {normalize?: boolean} = {}): Promise<{id: number}> {
    const r = await this.request<{id: number}>('POST', `/subjects/${enc(subject)}/versions`, {body: schemaBody(input), query: {normalize: options.normalize || undefined}, about: {subject, input}})
    return {id: r.id}
  }

  /** POST /subjects/{s}: the version of `subject` that has this schema, or undefined when none has (or no subject). */
  async lookup(subject: string, input: SchemaInput, options: {deleted?: boolean; normalize?: boolean} = {}): Promise<SubjectVersion | undefined> {
    try {
      const r = await this.request<{subject: string; id: number; version: number; schema: string; schemaType?: string; references?: SchemaReference[]}>('POST', `/subjects/${enc(subject)}`, {
        body: schemaBody(input),
        query: {deleted: options.deleted || undefined, normalize: options.normalize || undefined},
        about: {subject, input},
      })
      return {
        subject: r.subject ?? subject,
        id: r.id,
        version: r.version,
        schema: r.schema ?? input.schema,
        schemaType: normalizeType(r.schemaType ?? input.schemaType),
        references: r.references ?? input.references ?? [],
      }
    } catch (error) {
      if (error instanceof KafkitError && error.exitCode === ExitCode.NOT_FOUND) return undefined
      throw error
    }
  }

  /** POST /compatibility/subjects/{s}/versions/{v}?verbose=true: is `input` compatible with that version? */
  async checkCompatibility(subject: string, input: SchemaInput, version: VersionSpec = 'latest'): Promise<CompatibilityResult> {
    const r = await this.request<{is_compatible: boolean; messages?: unknown}>('POST', `/compatibility/subjects/${enc(subject)}/versions/${version}`, {
      body: schemaBody(input),
      query: {verbose: true},
      about: {subject, version, input},
    })
    return {compatible: r.is_compatible === true, messages: compatibilityMessages(r.messages)}
  }

  /** GET /config (global) or /config/{s}. A subject without its own level gives undefined. */
  async getCompatibility(subject?: string): Promise<CompatibilityLevel | undefined> {
    try {
      const r = await this.request<{compatibilityLevel?: string; compatibility?: string}>('GET', subject === undefined ? '/config' : `/config/${enc(subject)}`, {about: {subject}})
      const level = r.compatibilityLevel ?? r.compatibility
      return level ? (level.toUpperCase() as CompatibilityLevel) : undefined
    } catch (error) {
      // 40408 (Confluent) / 40401 or a bare 404 (others): the subject has no level of its own.
      if (subject !== undefined && error instanceof KafkitError && error.exitCode === ExitCode.NOT_FOUND) return undefined
      throw error
    }
  }

  /** PUT /config or /config/{s}. */
  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<CompatibilityLevel> {
    const r = await this.request<{compatibility?: string; compatibilityLevel?: string}>('PUT', subject === undefined ? '/config' : `/config/${enc(subject)}`, {
      body: {compatibility: level},
      about: {subject},
    })
    return (r.compatibility ?? r.compatibilityLevel ?? level).toUpperCase() as CompatibilityLevel
  }

  /** DELETE /config/{s}: the subject follows the global level again. */
  async clearCompatibility(subject: string): Promise<void> {
    await this.request('DELETE', `/config/${enc(subject)}`, {about: {subject}})
  }

  /** DELETE /subjects/{s}[?permanent=true]: the versions deleted. */
  async deleteSubject(subject: string, options: {permanent?: boolean} = {}): Promise<number[]> {
    return this.request<number[]>('DELETE', `/subjects/${enc(subject)}`, {query: {permanent: options.permanent || undefined}, about: {subject}})
  }

  /** DELETE /subjects/{s}/versions/{v}[?permanent=true]: the version deleted. */
  async deleteVersion(subject: string, version: VersionSpec, options: {permanent?: boolean} = {}): Promise<number> {
    return this.request<number>('DELETE', `/subjects/${enc(subject)}/versions/${version}`, {query: {permanent: options.permanent || undefined}, about: {subject, version}})
  }

  /** Releases the connection pool (the process can exit without waiting for idle sockets). */
  async close(): Promise<void> {
    const agent = this.agent
    this.agent = undefined
    await agent?.close().catch(() => undefined)
  }

  /** One HTTP call: JSON in and out, the timeout, auth, TLS, and every failure mapped to a KafkitError. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const query = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined)
    const url = `${this.url}${path}${query.length > 0 ? `?${query.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}` : ''}`
    const {status, text} = await this.send(method, url, path, options.body === undefined ? undefined : JSON.stringify(options.body), CONTENT_TYPE)
    if (status >= 200 && status < 300) {
      if (text === '') return undefined as T
      try {
        return JSON.parse(text) as T
      } catch {
        throw new KafkitError('REGISTRY_BAD_RESPONSE', `${this.where()} answered ${method} ${path} with something that is not JSON: ${oneLine(text).slice(0, 120)}`, {
          hint: 'is this URL a Confluent-compatible schema registry? (Apicurio: .../apis/ccompat/v7)',
        })
      }
    }
    throw this.httpError(status, text, method, path, options.about ?? {})
  }

  /**
   * Apicurio Registry only: would registering `input` pass the subject's rules, and if not, why? Its Confluent
   * API gives no reasons for an incompatible schema and cannot check a Protobuf schema with references; its own
   * API (/apis/registry/v3) can, with a dry run that registers nothing. undefined when this is not Apicurio.
   */
  async apicurioDryRun(subject: string, input: SchemaInput): Promise<CompatibilityResult | undefined> {
    const native = apicurioNativeUrl(this.url)
    if (!native) return undefined
    const contentType = input.schemaType === 'PROTOBUF' ? 'application/x-protobuf' : 'application/json'
    const references = (input.references ?? []).map((r) => ({groupId: APICURIO_CCOMPAT_GROUP, artifactId: r.subject, version: String(r.version), name: r.name}))
    const path = `/groups/${APICURIO_CCOMPAT_GROUP}/artifacts/${enc(subject)}/versions?dryRun=true`
    const {status, text} = await this.send('POST', `${native}${path}`, path, JSON.stringify({content: {content: input.schema, contentType, references}}), 'application/json')
    if (status >= 200 && status < 300) return {compatible: true, messages: []}
    let body: {name?: string; causes?: {description?: string; context?: string}[]; detail?: string}
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      return undefined
    }
    if (body.name !== 'RuleViolationException') return undefined
    const messages = (body.causes ?? []).map((c) => `${c.description ?? ''}${c.context ? ` at ${c.context}` : ''}`.trim()).filter(Boolean)
    return {compatible: false, messages: messages.length > 0 ? messages : [oneLine(body.detail ?? 'incompatible')]}
  }

  /** One HTTP exchange with the timeout, auth and TLS; a transport failure becomes a KafkitError. */
  private async send(method: string, url: string, path: string, body: string | undefined, contentType: string): Promise<{status: number; text: string}> {
    const {fetch, Agent} = await loadUndici()
    const timeoutMs = this.options.timeoutMs
    this.agent ??= new Agent({connect: {timeout: timeoutMs, ...tlsConnectOptions(this.options.tls)}, keepAliveTimeout: 4000})
    const headers: Record<string, string> = {accept: `${CONTENT_TYPE}, application/json`}
    if (body !== undefined) headers['content-type'] = contentType
    const auth = this.options.auth
    if (auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    else if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`
    const started = Date.now()
    try {
      const response = await fetch(url, {method, headers, body, signal: AbortSignal.timeout(timeoutMs), dispatcher: this.agent})
      const text = await response.text()
      this.options.debugLog?.(`registry ${method} ${url}: HTTP ${response.status} in ${Date.now() - started}ms`)
      return {status: response.status, text}
    } catch (error) {
      this.options.debugLog?.(`registry ${method} ${url}: ${describeFetchError(error)} after ${Date.now() - started}ms`)
      throw this.transportError(error, method, path)
    }
  }

  private where(): string {
    return `schema registry ${this.url}${this.options.profile && this.options.profile !== 'local' ? ` (profile '${this.options.profile}')` : ''}`
  }

  private isLocal(): boolean {
    return /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(this.url)
  }

  private transportError(error: unknown, method: string, path: string): KafkitError {
    const err = error as {name?: string; message?: string; cause?: {code?: string; message?: string; name?: string}}
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      return timeoutError(`schema registry request ${method} ${path} (${this.url})`, this.options.timeoutMs, 'the registry may be overloaded; raise --timeout, e.g. --timeout 30s')
    }
    const cause = err?.cause ?? {}
    const code = String(cause.code ?? '')
    const message = oneLine(cause.message ?? err?.message ?? String(error))
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return connectError(
        `cannot connect to the ${this.where()}: no answer within ${formatMs(this.options.timeoutMs)}`,
        'check the URL and that the registry is reachable from here (firewall, VPN)',
        'REGISTRY_UNREACHABLE',
        error,
      )
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_|DEPTH_ZERO/.test(code) || /certificate/i.test(message)) {
      return connectError(`TLS: cannot verify the ${this.where()}: ${message}`, "trust its CA with 'schemaRegistry.tls.ca: /path/to/ca.pem' in the profile", 'REGISTRY_TLS_UNTRUSTED', error)
    }
    if (/ERR_SSL|EPROTO|wrong version number|handshake|alert/i.test(`${code} ${message}`)) {
      return connectError(
        `TLS handshake with the ${this.where()} failed: ${message}`,
        "http:// or https://? check the URL scheme and the profile's schemaRegistry.tls settings",
        'REGISTRY_TLS_FAILED',
        error,
      )
    }
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'unknown host' : message
    return connectError(
      `cannot connect to the ${this.where()}: ${why}`,
      this.isLocal()
        ? "is it running? start one with 'kafkit local start --schema-registry'"
        : "check the URL (--schema-registry, KAFKIT_SCHEMA_REGISTRY_URL or the profile's schemaRegistry.url) and that it is reachable from here",
      'REGISTRY_UNREACHABLE',
      error,
    )
  }

  private httpError(status: number, text: string, method: string, path: string, about: NonNullable<RequestOptions['about']>): KafkitError {
    let errorCode: number | undefined
    let message = ''
    try {
      const body = JSON.parse(text) as {error_code?: number; message?: string; detail?: string; title?: string}
      errorCode = typeof body.error_code === 'number' ? body.error_code : undefined
      // Apicurio prefixes some messages with a Java exception's class name: not the user's business.
      message = oneLine(String(body.message ?? body.detail ?? body.title ?? '')).replace(/^(?:[a-z]\w*\.)+\w*Exception:\s*/, '')
    } catch {
      message = oneLine(text).slice(0, 200)
    }
    const cause = new RegistryHttpError(status, errorCode, message, method, path)
    const reason = message || `HTTP ${status}`
    const C = REGISTRY_ERROR_CODES
    const subject = about.subject === undefined ? '' : `'${about.subject}'`

    if (status === 401) {
      return connectError(
        `the ${this.where()} refused the credentials (HTTP 401${message ? `: ${message}` : ''})`,
        'check schemaRegistry.username and its passwordEnv / passwordCommand (or tokenCommand) in the profile',
        'REGISTRY_AUTHENTICATION_FAILED',
        cause,
      )
    }
    if (status === 403) {
      return new KafkitError('REGISTRY_NOT_AUTHORIZED', `not authorized by the ${this.where()}: ${method} ${path}${message ? ` (${message})` : ''}`, {
        hint: 'the credentials are valid but lack the permission for this operation; ask the registry admin',
        exitCode: ExitCode.NOT_AUTHORIZED,
        cause,
      })
    }
    const versionText = about.version === undefined ? 'the version' : `version ${about.version}`
    switch (errorCode) {
      case C.SUBJECT_NOT_FOUND:
        return withCause(notFoundError('SUBJECT_NOT_FOUND', `subject ${subject || 'given'} not found in the ${this.where()}`, "list them with 'kafkit schemas subjects'"), cause)
      case C.VERSION_NOT_FOUND:
        return withCause(notFoundError('VERSION_NOT_FOUND', `${versionText} of subject ${subject} not found`, `list the versions with 'kafkit schemas versions ${about.subject ?? 'SUBJECT'}'`), cause)
      case C.SCHEMA_NOT_FOUND:
        return withCause(
          notFoundError(
            'SCHEMA_NOT_FOUND',
            about.id === undefined ? `schema not found under subject ${subject}: ${reason}` : `schema id ${about.id} not found in the ${this.where()}`,
            about.id === undefined ? undefined : 'is it the registry the records were written with?',
          ),
          cause,
        )
      case C.SUBJECT_SOFT_DELETED:
        return withCause(
          notFoundError('SUBJECT_DELETED', `subject ${subject} was deleted (soft); ${reason}`, "see deleted subjects with 'kafkit schemas subjects --deleted'; delete it for good with --permanent"),
          cause,
        )
      case C.VERSION_SOFT_DELETED:
        return withCause(notFoundError('VERSION_DELETED', `${versionText} of subject ${subject} was deleted (soft)`, 'delete it for good with --permanent'), cause)
      case C.SUBJECT_NOT_SOFT_DELETED:
      case C.VERSION_NOT_SOFT_DELETED:
        return new KafkitError(
          'NOT_SOFT_DELETED',
          `${errorCode === C.SUBJECT_NOT_SOFT_DELETED ? `subject ${subject}` : `${versionText} of subject ${subject}`} must be deleted (soft) before it can be deleted permanently`,
          {hint: 'delete it without --permanent first', exitCode: ExitCode.FAILED, cause},
        )
      case C.SUBJECT_COMPATIBILITY_NOT_CONFIGURED:
        return withCause(notFoundError('COMPATIBILITY_NOT_SET', `subject ${subject} has no compatibility level of its own`, "it follows the global level: 'kafkit schemas compatibility get'"), cause)
      case C.INVALID_SCHEMA:
        return withCause(usageError(`the registry rejected the schema${subject ? ` for subject ${subject}` : ''} as invalid: ${reason}`, invalidSchemaHint(about.input), 'INVALID_SCHEMA'), cause)
      case C.INVALID_VERSION:
        return withCause(usageError(`invalid version ${about.version ?? ''}: ${reason}`.replace('  ', ' '), 'a version is a number from 1 up, or latest', 'INVALID_VERSION'), cause)
      case C.INVALID_COMPATIBILITY_LEVEL:
        return withCause(usageError(`invalid compatibility level: ${reason}`, `one of ${COMPATIBILITY_LEVELS.join(', ')}`, 'INVALID_COMPATIBILITY_LEVEL'), cause)
      default:
        break
    }
    if (status === 409) {
      return new KafkitError('INCOMPATIBLE_SCHEMA', `the schema is not compatible with subject ${subject}: ${reason}`, {
        hint: `see why with 'kafkit schemas check ${about.subject ?? 'SUBJECT'} -f FILE'`,
        exitCode: ExitCode.FAILED,
        cause,
      })
    }
    if (status === 404) {
      // Not one of the registry's own codes: a subject/id the registry does not know, or a wrong URL.
      if (about.id !== undefined) return withCause(notFoundError('SCHEMA_NOT_FOUND', `schema id ${about.id} not found in the ${this.where()}`), cause)
      if (about.subject !== undefined && /subject|artifact|group/i.test(message))
        return withCause(notFoundError('SUBJECT_NOT_FOUND', `subject ${subject} not found in the ${this.where()}${message ? `: ${message}` : ''}`, "list them with 'kafkit schemas subjects'"), cause)
      if (about.version !== undefined && /version/i.test(message))
        return withCause(notFoundError('VERSION_NOT_FOUND', `${versionText} of subject ${subject} not found`, `list the versions with 'kafkit schemas versions ${about.subject}'`), cause)
      return withCause(
        notFoundError(
          'REGISTRY_NOT_FOUND',
          `${this.where()}: ${method} ${path} not found${message ? ` (${message})` : ''}`,
          'is the URL the API root? Apicurio serves it at http://HOST:PORT/apis/ccompat/v7',
        ),
        cause,
      )
    }
    if (status === 422 || status === 400) {
      return withCause(usageError(`the ${this.where()} rejected the request: ${reason}`, undefined, 'REGISTRY_BAD_REQUEST'), cause)
    }
    return new KafkitError('REGISTRY_ERROR', `the ${this.where()} failed: ${method} ${path}: HTTP ${status}${errorCode ? ` (error ${errorCode})` : ''}${message ? `: ${message}` : ''}`, {
      hint: status >= 500 ? 'a registry-side error; see its log, and run again with --debug' : 'run again with --debug for details',
      exitCode: ExitCode.FAILED,
      cause,
    })
  }
}

/** The group Apicurio's Confluent API keeps subjects in. */
const APICURIO_CCOMPAT_GROUP = 'default'

/** http://host/apis/ccompat/v7 -> http://host/apis/registry/v3 (Apicurio's own API); undefined for other URLs. */
export function apicurioNativeUrl(url: string): string | undefined {
  return /\/apis\/ccompat\/v\d+$/.test(url) ? url.replace(/\/apis\/ccompat\/v\d+$/, '/apis/registry/v3') : undefined
}

/** Splits user:password@ out of a URL (fetch refuses credentials in URLs) and drops trailing slashes. */
export function parseRegistryUrl(raw: string): {url: string; auth?: RegistryAuth} {
  let parsed: URL
  try {
    parsed = new URL(raw.trim())
  } catch {
    throw usageError(`'${raw}' is not a schema registry URL`, 'give it as http(s)://host:port[/path], e.g. http://127.0.0.1:8081/apis/ccompat/v7', 'REGISTRY_URL_INVALID')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(`'${raw}' is not an http(s) URL`, 'give the schema registry as http(s)://host:port[/path]', 'REGISTRY_URL_INVALID')
  }
  let auth: RegistryAuth | undefined
  if (parsed.username) {
    auth = {type: 'basic', username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password)}
    parsed.username = ''
    parsed.password = ''
  }
  return {url: parsed.toString().replace(/\/+$/, '').replace(/\?$/, ''), ...(auth ? {auth} : {})}
}

/** 'avro' / 'AVRO' / undefined (Confluent omits it for Avro) -> SchemaType. */
export function normalizeType(type: string | undefined): SchemaType {
  const t = (type ?? 'AVRO').toUpperCase()
  if (t === 'JSONSCHEMA' || t === 'JSON_SCHEMA' || t === 'JSON-SCHEMA') return 'JSON'
  if (t === 'PROTO') return 'PROTOBUF'
  // Another registry's own type name is passed through as it is: the caller decides what it can decode.
  return t as SchemaType
}

/** Apicurio recognizes a JSON Schema by its content: one without `$schema` (or `properties`) is refused as "not JSON". */
function invalidSchemaHint(input: SchemaInput | undefined): string {
  if (input?.schemaType === 'JSON' && !/"\$schema"\s*:/.test(input.schema)) {
    return 'add "$schema": "http://json-schema.org/draft-07/schema#" at the top of the JSON Schema: Apicurio Registry refuses JSON Schemas without it (or without "properties")'
  }
  return 'check the file and --type (avro, protobuf, json) and the --reference flags'
}

function schemaBody(input: SchemaInput): Record<string, unknown> {
  const body: Record<string, unknown> = {schema: input.schema}
  // Confluent's default is Avro, and some registries reject an explicit "AVRO" from old clients: omit it.
  if (input.schemaType && input.schemaType !== 'AVRO') body.schemaType = input.schemaType
  if (input.references && input.references.length > 0) body.references = input.references
  return body
}

/** verbose=true gives `messages` as strings (Confluent) or other shapes (older registries): strings either way. */
function compatibilityMessages(messages: unknown): string[] {
  if (!Array.isArray(messages)) return []
  return messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)))
}

function tlsConnectOptions(tls: RegistryTlsOptions | undefined): Record<string, unknown> {
  if (!tls) return {}
  const out: Record<string, unknown> = {}
  if (tls.ca) out.ca = tls.ca
  if (tls.cert) out.cert = tls.cert
  if (tls.key) out.key = tls.key
  if (tls.passphrase) out.passphrase = tls.passphrase
  if (tls.servername) out.servername = tls.servername
  if (tls.insecureSkipVerify) out.rejectUnauthorized = false
  return out
}

function describeFetchError(error: unknown): string {
  const err = error as {name?: string; message?: string; cause?: {code?: string; message?: string}}
  return `${err?.name ?? 'Error'}: ${err?.cause?.code ?? ''} ${oneLine(err?.cause?.message ?? err?.message ?? '')}`.trim()
}

function withCause(error: KafkitError, cause: unknown): KafkitError {
  Object.defineProperty(error, 'cause', {value: cause, configurable: true, writable: true})
  return error
}

const enc = (subject: string) => encodeURIComponent(subject)
const oneLine = (text: string) => text.replaceAll(/\s*\n\s*/g, ' ').trim()
