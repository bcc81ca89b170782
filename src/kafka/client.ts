/**
 * The client layer: the only code that loads kafkajs, and only lazily, so that `--help` and the commands that
 * never talk to Kafka do not pay for loading it.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import type {Admin, Kafka, KafkaConfig, logCreator as LogCreator, Producer, ProducerConfig} from 'kafkajs'

import {KafkitError, withTimeout} from '../errors.js'
import type {ResolvedConnection} from '../profiles/types.js'
import {registerCodecs} from './codecs.js'
import {installKafkaJSPatches, patchKafkaJSClasses} from './kafkajs-patches.js'
import {KAFKAJS_BUNDLED, requireKafkaJS} from './kafkajs-require.js'
import {buildSecurityConfig} from './security.js'
import {AccessTarget, ErrorContext, describeRetriable, mapKafkaError, retriableCause, rootCause} from './errors.js'
import {connectionPrincipal} from './principal.js'
import {patchCoordinatorDenials} from './authorization-patch.js'

export type KafkaJS = typeof import('kafkajs')

let kafkajsModule: Promise<KafkaJS> | undefined

/** Loads kafkajs once (from the bundle, or from node_modules: see kafkajs-require.ts). */
export function loadKafkaJS(): Promise<KafkaJS> {
  // Native CRC32C and faster record encoding for kafkajs; must be in place before kafkajs loads (see kafkajs-patches.ts).
  if (!kafkajsModule) installKafkaJSPatches()
  kafkajsModule ??= Promise.resolve().then(() => {
    const kafkajs = requireKafkaJS('kafkajs') as KafkaJS
    patchKafkaJSClasses()
    patchCoordinatorDenials()
    return kafkajs
  })
  return kafkajsModule
}

export interface ClientOptions {
  /** Upper bound for every network wait of one operation (connect, request, retries). */
  timeoutMs: number
  /** kafkajs' own logs go to this sink (stderr under --debug); otherwise they are dropped. */
  debugLog?: (line: string) => void
}

export class KafkaClient {
  private adminClient?: Promise<Admin>
  /** Set once any connection succeeded: a later timeout is then a slow cluster, not an unreachable one. */
  private connected = false
  private readonly producers: Producer[] = []

  constructor(
    readonly kafka: Kafka,
    readonly kafkajs: KafkaJS,
    readonly connection: ResolvedConnection,
    readonly options: ClientOptions,
  ) {}

  /** What the command means to do (READ topic 'orders', ...): a denial names the exact resource. */
  readonly access: AccessTarget[] = []

  expectAccess(...targets: AccessTarget[]): void {
    this.access.push(...targets)
  }

  get errorContext(): ErrorContext {
    return {
      principal: connectionPrincipal(this.connection),
      access: this.access,
      brokers: this.connection.brokers,
      timeoutMs: this.options.timeoutMs,
      profile: this.connection.profile,
      saslUser: this.connection.sasl?.username,
      saslMechanism: this.connection.sasl?.mechanism,
      tls: Boolean(this.connection.tls),
    }
  }

  /** kafkajs clusters whose metadata is refreshed before a retriable error is retried (the admin's, readers'). */
  private readonly clusters = new Set<{refreshMetadata(): Promise<void>}>()

  /** A cluster to refresh when call() retries (a leader that moved is found on the next attempt). */
  registerCluster(cluster: {refreshMetadata(): Promise<void>}): void {
    this.clusters.add(cluster)
  }

  private async refreshMetadata(): Promise<void> {
    await Promise.all([...this.clusters].map((c) => c.refreshMetadata().catch(() => undefined)))
  }

  /**
   * Runs one network operation with the command's timeout; kafkajs errors become KafkitErrors. A timeout is
   * reported as a connection failure (exit 4) when no connection ever succeeded, as a timeout (exit 7) otherwise.
   */
  async call<T>(what: string, operation: () => Promise<T>, timeoutMs = this.options.timeoutMs): Promise<T> {
    const state: RetryState = {}
    try {
      return await withTimeout(retryRetriable(operation, state, () => this.refreshMetadata()), timeoutMs, () => new KafkaTimeout(what, timeoutMs))
    } catch (error) {
      if (error instanceof KafkaTimeout) {
        // Still retrying a retriable error: say which, in the user's words.
        const why = state.last ? `: ${describeRetriable(state.last)}` : ''
        // Never connected at all: that is "cannot connect" (exit 4, DESIGN), not a slow cluster.
        if (what.startsWith('connecting') || !this.connected) {
          throw new KafkitError('CONNECTION_FAILED', `cannot connect to Kafka at ${this.connection.brokers.join(',')} within ${Math.round(timeoutMs / 100) / 10}s${this.connection.profile !== 'local' ? ` (profile '${this.connection.profile}')` : ''}${why}`, {
            hint: 'check the address and port, and that the broker is reachable from here; `kafkit profiles test` checks each step',
            exitCode: 4,
          })
        }
        throw new KafkitError('TIMEOUT', `${what} timed out after ${Math.round(timeoutMs / 100) / 10}s (${this.connection.brokers.join(',')})${why}`, {
          hint: 'the cluster may be slow or unreachable; raise --timeout, or check it with `kafkit cluster info`',
          exitCode: 7,
        })
      }
      throw mapKafkaError(error, {...this.errorContext, what})
    } finally {
      state.over = true
    }
  }

  /** A connected admin client, shared by the whole command. */
  admin(): Promise<Admin> {
    this.adminClient ??= (async () => {
      const admin = this.captureCluster(() => this.kafka.admin())
      await this.call('connecting to Kafka', () => admin.connect())
      this.connected = true
      return admin
    })()
    return this.adminClient
  }

  /** Runs `create` (kafka.admin(), ...) and registers the kafkajs cluster it makes (see registerCluster). */
  private captureCluster<T>(create: () => T): T {
    const owner = this.kafka as unknown as Record<symbol, (options: object) => {refreshMetadata(): Promise<void>}>
    const symbol = Object.getOwnPropertySymbols(owner).find((s) => s.description === 'private:Kafka:createCluster')
    const factory = symbol ? owner[symbol] : undefined
    if (!symbol || typeof factory !== 'function') return create()
    owner[symbol] = (options: object) => {
      const cluster = factory(options)
      this.registerCluster(cluster)
      return cluster
    }
    try {
      return create()
    } finally {
      owner[symbol] = factory
    }
  }

  /** A connected producer. Topic auto-creation is always off: produce to an unknown topic is an error. */
  async producer(config: ProducerConfig = {}): Promise<Producer> {
    const producer = this.kafka.producer({allowAutoTopicCreation: false, ...config})
    this.producers.push(producer)
    await this.call('connecting to Kafka', () => producer.connect())
    this.connected = true
    return producer
  }

  async disconnect(): Promise<void> {
    const pending: Promise<unknown>[] = this.producers.map((p) => p.disconnect())
    if (this.adminClient) pending.push(this.adminClient.then((a) => a.disconnect()))
    // Disconnecting never blocks the exit for long, and never fails the command.
    await withTimeout(Promise.allSettled(pending), 2000, () => new Error('disconnect')).catch(() => undefined)
  }
}

interface RetryState {
  /** The last retriable error met, for the timeout message. */
  last?: ReturnType<typeof rootCause>
  /** The call is over (timed out): no further attempt. */
  over?: boolean
}

/**
 * Retriable errors (a coordinator moving or loading, a partition without a leader right after a broker restart:
 * see RETRIABLE_ERRORS) end once the cluster settles, but some kafkajs admin calls (fetchOffsets,
 * fetchTopicOffsets, ...) give up at the first one. Retried here with fresh metadata and a growing pause, until
 * call()'s timeout ends the wait (and says what was waited for).
 */
async function retryRetriable<T>(operation: () => Promise<T>, state: RetryState, refresh: () => Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      const retriable = retriableCause(error)
      if (!retriable || state.over) throw error
      state.last = retriable
      await sleep(Math.min(100 * 2 ** attempt, 1000))
      if (state.over) throw error
      await refresh()
    }
  }
}

class KafkaTimeout extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} timed out`)
  }
}

/** Builds a client for a resolved connection. Nothing is connected until a method needs it. */
export async function createClient(connection: ResolvedConnection, options: ClientOptions): Promise<KafkaClient> {
  const kafkajs = await loadKafkaJS()
  const patches = installKafkaJSPatches()
  options.debugLog?.(`kafkajs ${KAFKAJS_BUNDLED ? 'bundled' : 'from node_modules'}; replaced: ${Object.keys(patches).filter((name) => patches[name as keyof typeof patches]).join(', ') || 'nothing'}`)
  await registerCodecs(kafkajs)
  const security = await buildSecurityConfig(connection, {timeoutMs: options.timeoutMs})
  const timeout = options.timeoutMs
  const config: KafkaConfig = {
    clientId: connection.clientId,
    brokers: connection.brokers,
    ...security,
    connectionTimeout: Math.min(timeout, 3000),
    authenticationTimeout: Math.min(timeout, 10_000),
    requestTimeout: Math.max(timeout, 1000),
    // Retries span the command's timeout: a broker restarting (or a leader moving) within --timeout is waited
    // for, an unreachable one fails within it; every wait stays bounded.
    retry: retryPolicy(timeout),
    logLevel: options.debugLog ? kafkajs.logLevel.DEBUG : kafkajs.logLevel.NOTHING,
    logCreator: options.debugLog ? debugLogCreator(options.debugLog) : undefined,
  }
  return new KafkaClient(new kafkajs.Kafka(config), kafkajs, connection, options)
}

/**
 * kafkajs retries with exponential back-off (initialRetryTime * 2^n, capped at maxRetryTime). Pick the number
 * of retries whose back-offs add up to about `timeoutMs`, so that retrying neither gives up early (5 retries
 * are ~3 s: less than a broker restart) nor outlives the timeout.
 */
export function retryPolicy(timeoutMs: number): {retries: number; initialRetryTime: number; maxRetryTime: number} {
  const initialRetryTime = 100
  const maxRetryTime = Math.max(500, Math.min(5000, Math.floor(timeoutMs / 4)))
  let retries = 0
  for (let waited = 0; waited < timeoutMs * 0.6 && retries < 50; retries++) waited += Math.min(initialRetryTime * 2 ** retries, maxRetryTime)
  return {retries: Math.max(retries - 1, 1), initialRetryTime, maxRetryTime}
}

function debugLogCreator(sink: (line: string) => void): LogCreator {
  return () =>
    ({namespace, log}) => {
      const {message, timestamp: _ts, logger: _l, ...extra} = log as Record<string, unknown>
      sink(`kafkajs ${namespace}: ${String(message)} ${redactLogFields(extra)}`)
    }
}

const SECRET_KEYS = /pass(word|phrase)?|secret|token|authorization|credential|sasl|key$/i

/** kafkajs log entries can carry SASL/TLS options: anything that looks like a secret is replaced. */
export function redactLogFields(fields: Record<string, unknown>): string {
  return JSON.stringify(fields, (key, value) => (key && SECRET_KEYS.test(key) && typeof value !== 'number' ? '[redacted]' : value))
}
