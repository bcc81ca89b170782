/**
 * The port's client: one per command, bound to a resolved connection and the command's timeout. It carries no
 * kafkajs object in its public shape; the kafkajs clients behind it live in the adapter (kafkajs/session.ts), which
 * only the modules of src/kafka reach. kafkajs is loaded lazily, so that `--help` and the commands that never
 * talk to Kafka do not pay for loading it.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError, withTimeout} from '../errors.js'
import type {KafkaConnection} from './connection.js'
import {ErrorContext, mapKafkaError, rootCause} from './errors.js'
import {attachSession, createKafkaJS, KafkaJSSession, sessionOf} from './kafkajs/session.js'

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

  get errorContext(): ErrorContext {
    return {
      brokers: this.connection.brokers,
      timeoutMs: this.options.timeoutMs,
      profile: this.connection.profile,
      saslUser: this.connection.sasl?.username,
      saslMechanism: this.connection.sasl?.mechanism,
    }
  }

  /**
   * Runs one network operation with the command's timeout; kafkajs errors become KafkitErrors. A timeout is
   * reported as a connection failure (exit 4) when no connection ever succeeded, as a timeout (exit 7) otherwise.
   */
  async call<T>(what: string, operation: () => Promise<T>, timeoutMs = this.options.timeoutMs): Promise<T> {
    try {
      return await withTimeout(retryCoordinatorErrors(operation), timeoutMs, () => new KafkaTimeout(what, timeoutMs))
    } catch (error) {
      if (error instanceof KafkaTimeout) {
        // Never connected at all: that is "cannot connect" (exit 4, docs/ARCHITECTURE.md), not a slow cluster.
        if (what.startsWith('connecting') || !this.connected) {
          throw new KafkitError('CONNECTION_FAILED', `cannot connect to Kafka at ${this.connection.brokers.join(',')} within ${Math.round(timeoutMs / 100) / 10}s${this.connection.profile !== 'local' ? ` (profile '${this.connection.profile}')` : ''}`, {
            hint: 'check the address and port, and that the broker is reachable from here; `kafkit profiles test` checks each step',
            exitCode: 4,
          })
        }
        throw new KafkitError('TIMEOUT', `${what} timed out after ${Math.round(timeoutMs / 100) / 10}s (${this.connection.brokers.join(',')})`, {
          hint: 'the cluster may be slow or unreachable; raise --timeout, or check it with `kafkit cluster info`',
          exitCode: 7,
        })
      }
      throw mapKafkaError(error, this.errorContext)
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

/**
 * Group coordinator errors are transient (the coordinator moved, or `__consumer_offsets` is still being created
 * on a new cluster), but some kafkajs admin calls (fetchOffsets, ...) give up at the first one. Retried here,
 * with a growing pause, until call()'s timeout ends the wait.
 */
// kafkajs' names for Kafka's NOT_COORDINATOR (16), COORDINATOR_NOT_AVAILABLE (15), COORDINATOR_LOAD_IN_PROGRESS (14).
const COORDINATOR_ERRORS = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS'])

async function retryCoordinatorErrors<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      if (!COORDINATOR_ERRORS.has(rootCause(error)?.type ?? '') || attempt >= 30) throw error
      await sleep(Math.min(100 * 2 ** attempt, 1000))
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
  attachSession(client, new KafkaJSSession(kafka, kafkajs, (connect) => client.connectWith(connect), (what, operation) => client.call(what, operation)))
  return client
}
