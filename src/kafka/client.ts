/**
 * The port's client: one per command, bound to a resolved connection and the command's timeout. It carries no
 * kafkajs object in its public shape; the kafkajs clients behind it live in the adapter (kafkajs/session.ts), which
 * only the modules of src/kafka reach. kafkajs is loaded lazily, so that `--help` and the commands that never
 * talk to Kafka do not pay for loading it.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError, withTimeout} from '../errors.js'
import type {KafkaConnection} from './connection.js'
import {AccessTarget, brokerConnectionCause, ErrorContext, describeRetriable, mapKafkaError, retriableCause, rootCause} from './errors.js'
import {attachSession, createKafkaJS, KafkaJSSession, sessionOf} from './kafkajs/session.js'
import {connectionPrincipal} from './principal.js'

export interface ClientOptions {
  /** Upper bound for every network wait of one operation (connect, request, retries). */
  timeoutMs: number
  /** kafkajs' own logs go to this sink (stderr under --debug); otherwise they are dropped. */
  debugLog?: (line: string) => void
}

export class KafkaClient {
  /** Set once any connection succeeded: a later timeout is then a slow cluster, not an unreachable one. */
  private connected = false

  constructor(
    readonly connection: KafkaConnection,
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

  /** A call succeeded in this run: a broker refusing connections from now on is one that died (see brokerConnectionCause). */
  private reached = false

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
    const state: RetryState = {reached: this.reached}
    try {
      const result = await withTimeout(
        retryRetriable(operation, state, () => this.refreshMetadata()),
        timeoutMs,
        () => new KafkaTimeout(what, timeoutMs),
      )
      this.reached = true
      return result
    } catch (error) {
      if (error instanceof KafkaTimeout) {
        // Still retrying a retriable error: say which, in the user's words.
        const why = state.last ? `: ${describeRetriable(state.last)}` : ''
        // Never connected at all: that is "cannot connect" (exit 4, docs/ARCHITECTURE.md), not a slow cluster.
        if (what.startsWith('connecting') || !this.connected) {
          throw new KafkitError(
            'CONNECTION_FAILED',
            `cannot connect to Kafka at ${this.connection.brokers.join(',')} within ${Math.round(timeoutMs / 100) / 10}s${this.connection.profile !== 'local' ? ` (profile '${this.connection.profile}')` : ''}${why}`,
            {
              hint: 'check the address and port, and that the broker is reachable from here; `kafkit profiles test` checks each step',
              exitCode: 4,
            },
          )
        }
        throw new KafkitError('TIMEOUT', `${what} timed out after ${Math.round(timeoutMs / 100) / 10}s (${this.connection.brokers.join(',')})${why}`, {
          hint: 'the cluster may be slow or unreachable; raise --timeout, or check it with `kafkit cluster info`',
          exitCode: 7,
        })
      }
      throw mapKafkaError(error, this.errorContext)
    } finally {
      state.over = true
    }
  }

  /** Connects (and authenticates) now, rather than at the first request. */
  async connect(): Promise<void> {
    await sessionOf(this).admin()
  }

  /** Runs a kafkajs client's connect() within the command's timeout; from then on this client counts as connected. */
  async connectWith(connect: () => Promise<void>): Promise<void> {
    await this.call('connecting to Kafka', connect)
    this.connected = true
  }

  async disconnect(): Promise<void> {
    // Disconnecting never blocks the exit for long, and never fails the command.
    await withTimeout(sessionOf(this).disconnect(), 2000, () => new Error('disconnect')).catch(() => undefined)
  }
}

interface RetryState {
  /** The cluster was reached before this call: a broker's connection error is retried. */
  reached?: boolean
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
      const retriable = retriableCause(error) ?? (state.reached ? brokerConnectionCause(error) : undefined)
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
export async function createClient(connection: KafkaConnection, options: ClientOptions): Promise<KafkaClient> {
  const {kafka, kafkajs} = await createKafkaJS(connection, options)
  const client = new KafkaClient(connection, options)
  attachSession(
    client,
    new KafkaJSSession(kafka, kafkajs, {
      connect: (connect) => client.connectWith(connect),
      call: (what, operation) => client.call(what, operation),
      registerCluster: (cluster) => client.registerCluster(cluster),
    }),
  )
  return client
}
