/**
 * The Kafka Connect REST API, with Node's own http/https (TLS options need them: the global fetch takes no CA or
 * client certificate). Every call is bounded by the command's --timeout; failures become one-line KafkitErrors:
 * unreachable / TLS / 401 exit 4, 403 exit 9, a timeout exit 7, an unknown connector exit 3, a refused config exit 2.
 */
import {type IncomingMessage, request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import type {SecureContextOptions} from 'node:tls'

import {ExitCode, KafkitError, connectError, formatMs, notFoundError, usageError} from '../errors.js'
import {redactSecrets} from '../profiles/secrets.js'
import {redactUrl} from './redact.js'

/** Where and how to reach a Connect cluster, secrets already read. */
export interface ConnectTarget {
  url: string
  username?: string
  password?: string
  tls?: SecureContextOptions & {rejectUnauthorized?: boolean; servername?: string}
  /** The hint shown when the worker cannot be reached. */
  unreachableHint?: string
}

export interface ClientOptions {
  timeoutMs: number
  debugLog?: (line: string) => void
}

// The REST API's shapes (https://kafka.apache.org/documentation/#connect_rest).
export interface WorkerInfo {
  version: string
  commit: string
  kafka_cluster_id: string
}

export interface PluginInfo {
  class: string
  type: string
  version?: string
}

export interface ConnectorStateInfo {
  state: string
  worker_id: string
  trace?: string
  version?: string
}

export interface TaskStateInfo extends ConnectorStateInfo {
  id: number
}

export interface ConnectorStatus {
  name: string
  connector: ConnectorStateInfo
  tasks: TaskStateInfo[]
  type: string
}

export interface ConnectorInfo {
  name: string
  config: Record<string, string>
  tasks: {connector: string; task: number}[]
  type: string
}

export interface ExpandedConnector {
  status?: ConnectorStatus
  info?: ConnectorInfo
}

export interface ConfigValue {
  definition: {name: string; type: string; required: boolean; default_value: string | null; documentation?: string; group?: string}
  value: {name: string; value: string | null; recommended_values?: string[]; errors: string[]; visible: boolean}
}

export interface ConfigValidation {
  name: string
  error_count: number
  groups: string[]
  configs: ConfigValue[]
}

export interface ConnectorOffset {
  partition: Record<string, unknown>
  offset: Record<string, unknown> | null
}

export interface ConnectorOffsets {
  offsets: ConnectorOffset[]
}

interface Response<T> {
  status: number
  body: T
}

const enc = encodeURIComponent
/** Connect answers 409 while the workers rebalance or its config topic is being read: worth waiting for. */
const RETRIABLE_409 = /rebalanc|stale|momentarily|not yet|leader/i

export class ConnectClient {
  readonly url: string

  constructor(
    private readonly target: ConnectTarget,
    private readonly options: ClientOptions,
  ) {
    this.url = target.url.replace(/\/+$/, '')
  }

  info(): Promise<WorkerInfo> {
    return this.get('/')
  }

  /** Every plugin (connectors, converters, transformations, predicates) when `all`, else connectors only. */
  plugins(all = false): Promise<PluginInfo[]> {
    return this.get(`/connector-plugins${all ? '?connectorsOnly=false' : ''}`)
  }

  /** Every connector with its config and status, in one call. */
  connectors(): Promise<Record<string, ExpandedConnector>> {
    return this.get('/connectors?expand=status&expand=info')
  }

  connectorNames(): Promise<string[]> {
    return this.get('/connectors')
  }

  connector(name: string): Promise<ConnectorInfo> {
    return this.get(`/connectors/${enc(name)}`, name)
  }

  status(name: string): Promise<ConnectorStatus> {
    return this.get(`/connectors/${enc(name)}/status`, name)
  }

  /** The topics a connector has used since it was created or its topics were reset (KIP-558). */
  async topics(name: string): Promise<string[]> {
    const body = await this.get<Record<string, {topics: string[]}>>(`/connectors/${enc(name)}/topics`, name)
    return body[name]?.topics ?? []
  }

  validate(pluginClass: string, config: Record<string, string>): Promise<ConfigValidation> {
    return this.call<ConfigValidation>('PUT', `/connector-plugins/${enc(pluginClass)}/config/validate`, config).then((r) => r.body)
  }

  /** Creates the connector, or replaces its whole config when it exists. */
  async putConfig(name: string, config: Record<string, string>): Promise<{created: boolean}> {
    const r = await this.call('PUT', `/connectors/${enc(name)}/config`, config)
    return {created: r.status === 201}
  }

  /** Creates a connector; exit 2 when one of that name exists. */
  async create(name: string, config: Record<string, string>): Promise<ConnectorInfo> {
    return (await this.call<ConnectorInfo>('POST', '/connectors', {name, config}, {name, conflict: 'exists'})).body
  }

  async pause(name: string): Promise<void> {
    await this.call('PUT', `/connectors/${enc(name)}/pause`, undefined, {name})
  }

  async resume(name: string): Promise<void> {
    await this.call('PUT', `/connectors/${enc(name)}/resume`, undefined, {name})
  }

  /** KIP-875: stops the connector and its tasks (its config stays); offsets can then be changed. */
  async stop(name: string): Promise<void> {
    await this.call('PUT', `/connectors/${enc(name)}/stop`, undefined, {name})
  }

  async restart(name: string, options: {includeTasks?: boolean; onlyFailed?: boolean} = {}): Promise<ConnectorStatus | undefined> {
    const query = `includeTasks=${Boolean(options.includeTasks)}&onlyFailed=${Boolean(options.onlyFailed)}`
    const r = await this.call<ConnectorStatus | undefined>('POST', `/connectors/${enc(name)}/restart?${query}`, undefined, {name})
    return r.status === 202 ? r.body : undefined
  }

  async delete(name: string): Promise<void> {
    await this.call('DELETE', `/connectors/${enc(name)}`, undefined, {name})
  }

  offsets(name: string): Promise<ConnectorOffsets> {
    return this.get(`/connectors/${enc(name)}/offsets`, name)
  }

  /** KIP-875 alter: only for a STOPPED connector. */
  async alterOffsets(name: string, offsets: ConnectorOffsets): Promise<string> {
    const r = await this.call<{message?: string}>('PATCH', `/connectors/${enc(name)}/offsets`, offsets, {name})
    return r.body?.message ?? ''
  }

  /** KIP-875 reset: only for a STOPPED connector. */
  async resetOffsets(name: string): Promise<string> {
    const r = await this.call<{message?: string}>('DELETE', `/connectors/${enc(name)}/offsets`, undefined, {name})
    return r.body?.message ?? ''
  }

  private async get<T>(path: string, connector?: string): Promise<T> {
    return (await this.call<T>('GET', path, undefined, {name: connector})).body
  }

  /**
   * One request, retried on Connect's "rebalance in progress" 409 until the timeout. `name`: the connector the
   * path is about, so that a 404 says which one is missing.
   */
  async call<T>(method: string, path: string, body?: unknown, context: {name?: string; conflict?: 'exists'} = {}): Promise<Response<T>> {
    const deadline = Date.now() + this.options.timeoutMs
    for (let attempt = 1; ; attempt++) {
      const remaining = Math.max(1, deadline - Date.now())
      const r = await this.send<T>(method, path, body, remaining)
      if (r.status < 400) return r
      const message = errorMessage(r.body) ?? `HTTP ${r.status}`
      if (r.status === 409 && context.conflict !== 'exists' && RETRIABLE_409.test(message) && Date.now() + 250 < deadline) {
        this.options.debugLog?.(`${method} ${path}: ${message}; retrying (attempt ${attempt})`)
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 1000)))
        continue
      }
      throw this.httpError(method, path, r.status, message, context)
    }
  }

  private httpError(method: string, path: string, status: number, message: string, context: {name?: string; conflict?: 'exists'}): KafkitError {
    const where = redactUrl(this.url)
    const text = redactSecrets(message.split('\n')[0])
    if (status === 401)
      return connectError(
        `Kafka Connect at ${where} refused the credentials (401): ${text}`,
        "check the profile's connect.username and connect.passwordEnv / passwordCommand",
        'CONNECT_AUTHENTICATION_FAILED',
      )
    if (status === 403)
      return new KafkitError('NOT_AUTHORIZED', `not authorized by Kafka Connect at ${where}: ${text}`, {hint: 'the user lacks the permission for this operation', exitCode: ExitCode.NOT_AUTHORIZED})
    if (status === 404 && context.name) return notFoundError('CONNECTOR_NOT_FOUND', `connector '${context.name}' does not exist on ${where}`, "list them with 'kafkit connect list'")
    if (status === 404) return notFoundError('CONNECT_NOT_FOUND', `${method} ${path} on ${where}: ${text}`, 'is this the Kafka Connect REST URL?')
    if (status === 409 && context.conflict === 'exists')
      return usageError(`connector '${context.name}' already exists on ${where}`, `change it with 'kafkit connect apply', or delete it first`, 'CONNECTOR_EXISTS')
    if (status === 400 || status === 409 || status === 422) return usageError(`Kafka Connect refused ${method} ${path}: ${text}`, undefined, 'CONNECT_REJECTED')
    return new KafkitError('CONNECT_ERROR', `Kafka Connect failed ${method} ${path} (HTTP ${status}): ${text}`, {hint: "the worker's log says more ('kafkit local logs --connect' for the local one)"})
  }

  private send<T>(method: string, path: string, body: unknown, timeoutMs: number): Promise<Response<T>> {
    const url = new URL(this.url + path)
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const headers: Record<string, string> = {accept: 'application/json'}
    if (payload) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = String(payload.length)
    }
    if (this.target.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${this.target.username}:${this.target.password ?? ''}`).toString('base64')}`
    const started = Date.now()
    const https = url.protocol === 'https:'
    return new Promise((resolve, reject) => {
      const options = {method, headers, ...(https ? {...this.target.tls} : {})}
      const req = (https ? httpsRequest : httpRequest)(url, options, (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (error) => reject(this.networkError(error, method, path)))
        res.on('end', () => {
          clearTimeout(timer)
          const text = Buffer.concat(chunks).toString('utf8')
          this.options.debugLog?.(`${method} ${redactUrl(url.href)} -> ${res.statusCode} (${Date.now() - started} ms)`)
          let parsed: unknown = text
          if (text && /json/.test(String(res.headers['content-type'] ?? ''))) {
            try {
              parsed = JSON.parse(text)
            } catch {
              // keep the text
            }
          }
          resolve({status: res.statusCode ?? 0, body: (text === '' ? undefined : parsed) as T})
        })
      })
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), {code: 'KAFKIT_TIMEOUT'})), timeoutMs)
      timer.unref()
      req.on('error', (error) => {
        clearTimeout(timer)
        reject(this.networkError(error, method, path))
      })
      req.end(payload)
    })
  }

  private networkError(error: Error & {code?: string}, method: string, path: string): KafkitError {
    const where = redactUrl(this.url)
    if (error.code === 'KAFKIT_TIMEOUT') {
      // The user's --timeout, not what was left of it for this attempt (a retried call has less).
      return new KafkitError('TIMEOUT', `Kafka Connect at ${where} did not answer ${method} ${path.split('?')[0]} within ${formatMs(this.options.timeoutMs)}`, {
        hint: 'raise it with --timeout, e.g. --timeout 30s',
        exitCode: ExitCode.TIMEOUT,
      })
    }
    const code = error.code ?? ''
    if (/CERT|SSL|TLS|UNABLE_TO|SELF_SIGNED|DEPTH_ZERO|altnames/i.test(`${code} ${error.message}`)) {
      return connectError(
        `TLS with Kafka Connect at ${where} failed: ${error.message}`,
        "check the profile's connect.tls.ca (the CA that signed the worker's certificate) and the URL's host name",
        'CONNECT_TLS_FAILED',
        error,
      )
    }
    const why = code || error.message
    return connectError(
      `cannot reach Kafka Connect at ${where} (${why})`,
      this.target.unreachableHint ?? "is the worker running? start a local one with 'kafkit local start --connect'",
      'CONNECT_UNREACHABLE',
      error,
    )
  }
}

/** Connect's error body is {error_code, message}; anything else is shown as text. */
function errorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object' && typeof (body as {message?: unknown}).message === 'string') return (body as {message: string}).message
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300)
  return undefined
}
