/**
 * The adapter's entry: loads kafkajs (lazily, so that `--help` and the commands that never talk to Kafka do not
 * pay for it), turns a resolved KafkaConnection into a kafkajs `Kafka` instance, and keeps the kafkajs clients
 * of one KafkaClient (its admin and producers) in a KafkaJSSession.
 *
 * A KafkaClient (../client.ts) carries no kafkajs object in its public shape: the port modules of src/kafka reach
 * the session with sessionOf(client), and the dependency rules (.dependency-cruiser.cjs) keep everything outside
 * src/kafka away from this folder. See docs/ARCHITECTURE.md.
 */
import type {Admin, Kafka, KafkaConfig, logCreator as LogCreator, Producer, ProducerConfig} from 'kafkajs'

import type {KafkaConnection} from './connection.js'
import {registerCodecs} from './codecs.js'
import {captureClusters} from './internals.js'
import {installKafkaJSPatches, patchKafkaJSClasses} from './patches.js'
import {patchControllerFallback} from './patches/controller-fallback.js'
import {patchCoordinatorDenials} from './patches/coordinator-denials.js'
import {KAFKAJS_BUNDLED, type KafkaJS, requireKafkaJS} from './require.js'
import {toKafkaJSSecurity} from './sasl.js'

// The kafkajs types the port modules use, so that they never import kafkajs themselves.
export type {Admin, Consumer, EachBatchPayload, ITopicMetadata, Kafka, Message, Producer, ProducerConfig, Transaction} from 'kafkajs'

export type {KafkaJS}

let kafkajsModule: Promise<KafkaJS> | undefined

/** Loads kafkajs once (from the bundle, or from node_modules: see require.ts). */
export function loadKafkaJS(): Promise<KafkaJS> {
  // Native CRC32C and faster record encoding for kafkajs; must be in place before kafkajs loads (see patches.ts).
  if (!kafkajsModule) installKafkaJSPatches()
  kafkajsModule ??= Promise.resolve().then(() => {
    const kafkajs = requireKafkaJS('kafkajs') as KafkaJS
    patchKafkaJSClasses()
    patchCoordinatorDenials()
    patchControllerFallback()
    return kafkajs
  })
  return kafkajsModule
}

export interface KafkaJSOptions {
  /** Upper bound for every network wait of one operation (connect, request, retries). */
  timeoutMs: number
  /** kafkajs' own logs go to this sink (stderr under --debug); otherwise they are dropped. */
  debugLog?: (line: string) => void
}

/** A kafkajs Kafka instance for a resolved connection (patches installed, codecs registered). Connects nothing. */
export async function createKafkaJS(connection: KafkaConnection, options: KafkaJSOptions): Promise<{kafka: Kafka; kafkajs: KafkaJS}> {
  const kafkajs = await loadKafkaJS()
  const patches = installKafkaJSPatches()
  options.debugLog?.(
    `kafkajs ${KAFKAJS_BUNDLED ? 'bundled' : 'from node_modules'}; replaced: ${
      Object.keys(patches)
        .filter((name) => patches[name as keyof typeof patches])
        .join(', ') || 'nothing'
    }`,
  )
  await registerCodecs(kafkajs)
  const timeout = options.timeoutMs
  const config: KafkaConfig = {
    clientId: connection.clientId,
    brokers: connection.brokers,
    ...toKafkaJSSecurity(connection),
    connectionTimeout: Math.min(timeout, 3000),
    authenticationTimeout: Math.min(timeout, 10_000),
    requestTimeout: Math.max(timeout, 1000),
    // Retries span the command's timeout: a broker restarting (or a leader moving) within --timeout is waited
    // for, an unreachable one fails within it; every wait stays bounded.
    retry: retryPolicy(timeout),
    logLevel: options.debugLog ? kafkajs.logLevel.DEBUG : kafkajs.logLevel.NOTHING,
    logCreator: options.debugLog ? debugLogCreator(options.debugLog) : undefined,
  }
  return {kafka: new kafkajs.Kafka(config), kafkajs}
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

/** What the session asks of its KafkaClient. */
export interface SessionHooks {
  /** Connects a kafkajs client within the command's timeout, marking the client connected. */
  connect: (connect: () => Promise<void>) => Promise<void>
  /** Runs one network operation within the command's timeout, errors mapped to KafkitErrors (KafkaClient.call). */
  call: <T>(what: string, operation: () => Promise<T>) => Promise<T>
  /** A kafkajs cluster whose metadata the client refreshes before it retries a retriable error. */
  registerCluster: (cluster: {refreshMetadata(): Promise<void>}) => void
}

/** The kafkajs clients of one KafkaClient: one shared admin, the producers it opened. */
export class KafkaJSSession {
  private adminClient?: Promise<Admin>
  private readonly producers: Producer[] = []

  readonly call: SessionHooks['call']
  readonly registerCluster: SessionHooks['registerCluster']
  private readonly connect: SessionHooks['connect']

  constructor(
    readonly kafka: Kafka,
    readonly kafkajs: KafkaJS,
    hooks: SessionHooks,
  ) {
    this.call = hooks.call
    this.registerCluster = hooks.registerCluster
    this.connect = hooks.connect
  }

  /** A connected admin client, shared by the whole command. */
  admin(): Promise<Admin> {
    this.adminClient ??= (async () => {
      // The admin's cluster is refreshed before a retriable error is retried (KafkaClient.call).
      const admin = captureClusters(this.kafka, () => this.kafka.admin(), this.registerCluster)
      await this.connect(() => admin.connect())
      return admin
    })()
    return this.adminClient
  }

  /** A connected producer. Topic auto-creation is always off: produce to an unknown topic is an error. */
  async producer(config: ProducerConfig = {}): Promise<Producer> {
    const producer = this.kafka.producer({allowAutoTopicCreation: false, ...config})
    this.producers.push(producer)
    await this.connect(() => producer.connect())
    return producer
  }

  /** Every client this session opened; settles when all have, whatever happened. */
  disconnect(): Promise<unknown> {
    const pending: Promise<unknown>[] = this.producers.map((p) => p.disconnect())
    if (this.adminClient) pending.push(this.adminClient.then((a) => a.disconnect()))
    return Promise.allSettled(pending)
  }
}

const sessions = new WeakMap<object, KafkaJSSession>()

/** Ties a session to its KafkaClient (called once, by createClient). */
export function attachSession(client: object, session: KafkaJSSession): void {
  sessions.set(client, session)
}

/** The kafkajs session behind a KafkaClient: for the port modules of src/kafka only. */
export function sessionOf(client: object): KafkaJSSession {
  const session = sessions.get(client)
  if (!session) throw new Error('this KafkaClient has no kafkajs session (made without createClient?)')
  return session
}
