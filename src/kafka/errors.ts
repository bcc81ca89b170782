/**
 * kafkajs errors -> KafkitError (one line, a hint, an exit code). Matches on error names and protocol types, so
 * this module does not need to load kafkajs.
 */
import {ExitCode, KafkitError, connectError, formatMs, notFoundError} from '../errors.js'

interface KafkaJSLike extends Error {
  type?: string
  code?: string | number
  retriable?: boolean
  originalError?: unknown
  cause?: unknown
  errors?: unknown[]
  broker?: string
}

export interface ErrorContext {
  brokers: string[]
  timeoutMs?: number
  profile?: string
  /** The SASL mechanism and user, to say whose login failed. */
  saslUser?: string
  saslMechanism?: string
  /** The connection uses TLS: a connection closed during the handshake means a listener without TLS. */
  tls?: boolean
  /** Who the broker sees (SASL user, certificate subject, ANONYMOUS): named when an ACL denies an operation. */
  principal?: string
  /** What the failed call was doing ("reading offsets of group 'g'"), to name the operation that was denied. */
  what?: string
  /** The operations the command means to do, so that a denial can name the exact resource. */
  access?: AccessTarget[]
}

export type AclResourceKind = 'topic' | 'group' | 'transactional id' | 'cluster'

/** One operation on one resource, in Kafka's ACL words (READ, WRITE, DESCRIBE, ...). */
export interface AccessTarget {
  operation: string
  resourceType: AclResourceKind
  name: string
}

const DENIED_RESOURCE: Record<string, AclResourceKind> = {
  TOPIC_AUTHORIZATION_FAILED: 'topic',
  GROUP_AUTHORIZATION_FAILED: 'group',
  CLUSTER_AUTHORIZATION_FAILED: 'cluster',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'transactional id',
}

/** The operation a call implies, from its description (a best guess when the command declared none). */
function operationOf(what: string | undefined, kind: AclResourceKind): string {
  const w = (what ?? '').toLowerCase()
  if (/produc|writing|sending/.test(w)) return 'WRITE'
  if (/creat/.test(w)) return 'CREATE'
  if (/delet/.test(w)) return 'DELETE'
  if (/config/.test(w) && /(chang|set|alter)/.test(w)) return 'ALTER_CONFIGS'
  if (/config/.test(w)) return 'DESCRIBE_CONFIGS'
  if (/adding partitions|alter/.test(w)) return 'ALTER'
  if (/consum|fetch|joining|subscrib|committing|setting the offsets|reading offsets of group|reading the offsets/.test(w)) return 'READ'
  if (kind === 'cluster') return 'DESCRIBE'
  return 'DESCRIBE'
}

/**
 * An ACL denial as one line: `alice may not READ topic 'orders'`, with the `kafkit acls grant` that would allow
 * it (exit 9). The principal comes from the connection, the resource from the command's declared access (or the
 * call's description), the operation likewise.
 */
export function authorizationError(type: string, ctx: ErrorContext, cause?: unknown): KafkitError {
  const kind = DENIED_RESOURCE[type] ?? 'topic'
  const guessed = operationOf(ctx.what, kind)
  const candidates = (ctx.access ?? []).filter((a) => a.resourceType === kind)
  const target = candidates.find((a) => a.operation === guessed) ?? candidates[0]
  const quoted = /'([^']+)'/.exec(ctx.what ?? '')?.[1]
  const name = kind === 'cluster' ? 'kafka-cluster' : (target?.name ?? quoted)
  const operation = target?.operation ?? guessed
  const resource = kind === 'cluster' ? 'the cluster' : name ? `${kind} '${name}'` : `this ${kind}`
  const known = ctx.principal?.replace(/^User:/, '')
  const user = known ?? 'PRINCIPAL'
  const flag = {topic: '--topic', group: '--group', 'transactional id': '--transactional-id', cluster: '--cluster'}[kind]
  const grant =
    kind === 'topic' && operation === 'WRITE' && name
      ? `kafkit acls grant ${user} --producer --topic ${name}`
      : kind === 'topic' && operation === 'READ' && name
        ? `kafkit acls grant ${user} --consumer --topic ${name} --group GROUP`
        : `kafkit acls create --allow-principal User:${user} --operation ${operation} ${flag}${name && kind !== 'cluster' ? ` ${name}` : ''}`
  return new KafkitError('NOT_AUTHORIZED', `${known ?? 'this connection'} may not ${operation} ${resource}`, {
    hint: `an ACL is missing (${type}); an admin can allow it: ${grant}`,
    exitCode: ExitCode.NOT_AUTHORIZED,
    cause,
    details: {...(known ? {principal: `User:${known}`} : {}), operation, resourceType: kind, ...(name ? {resource: name} : {})},
  })
}

/** Hints shared with `profiles test` (diagnose.ts), so that every command says the same as it. */
export const TLS_HANDSHAKE_HINT = 'is this a TLS listener? check the port, and tls.cert / tls.key if the broker requires a client certificate'
export const NOT_TLS_HINT = "the port is a listener without TLS (PLAINTEXT or SASL_PLAINTEXT?): use the cluster's TLS port, or remove 'tls' from the profile"

// The TLS handshake ended by the peer before any TLS answer: what a listener without TLS does.
const NOT_TLS = /before secure TLS connection was established|wrong version number|packet length too long/i

/** The hint for a failed TLS handshake (`profiles test` and every command alike). */
export function tlsHandshakeHint(message: string): string {
  return NOT_TLS.test(message) ? NOT_TLS_HINT : TLS_HANDSHAKE_HINT
}

/** Errors that end once the cluster has settled (a broker restarting, a leader or coordinator moving): retried within --timeout. */
export const RETRIABLE_ERRORS = new Set([
  // kafkajs' names for NOT_COORDINATOR (16), COORDINATOR_NOT_AVAILABLE (15), COORDINATOR_LOAD_IN_PROGRESS (14)
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  // a partition without a (known) leader
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REPLICA_NOT_AVAILABLE',
  'UNKNOWN_LEADER_EPOCH',
  'FENCED_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
  'OFFSET_NOT_AVAILABLE',
  'NOT_CONTROLLER',
])
const RETRIABLE_NAMES = new Set(['KafkaJSGroupCoordinatorNotFound', 'KafkaJSBrokerNotFound', 'KafkaJSMetadataNotLoaded', 'KafkaJSTopicMetadataNotLoaded'])

/** The retriable error in kafkajs' wrappers, if the error is one (see RETRIABLE_ERRORS). */
export function retriableCause(err: unknown): KafkaJSLike | undefined {
  let current = err as KafkaJSLike | undefined
  for (let i = 0; current && i < 10; i++) {
    if ((current.type && RETRIABLE_ERRORS.has(current.type)) || RETRIABLE_NAMES.has(current.name)) return current
    current = (current.originalError ?? current.cause ?? (current.name === 'KafkaJSAggregateError' ? current.errors?.[0] : undefined)) as KafkaJSLike | undefined
  }
  return undefined
}

/**
 * A broker refusing or dropping the connection (kafkajs' KafkaJSConnectionError, without TLS in it). Retried like
 * the errors above only once the cluster was reached in this run (KafkaClient.call): then it is one broker that
 * died or restarts, still named as a leader in the metadata for a few seconds; before, it is a wrong address or a
 * cluster that is down, which fails at once (exit 4).
 */
export function brokerConnectionCause(err: unknown): KafkaJSLike | undefined {
  let current = err as KafkaJSLike | undefined
  for (let i = 0; current && i < 10; i++) {
    if (current.name === 'KafkaJSConnectionError' && !TLS_OTHER.test(String(current.message ?? ''))) return current
    current = (current.originalError ?? current.cause ?? (current.name === 'KafkaJSAggregateError' ? current.errors?.[0] : undefined)) as KafkaJSLike | undefined
  }
  return undefined
}

/** What a retriable error means, in the user's words (the end of a "timed out" message). */
export function describeRetriable(err: KafkaJSLike): string {
  if (err.name === 'KafkaJSConnectionError') return `a broker does not answer (${firstLine(String(err.message ?? ''))}): it is down or restarting`
  if (err.name === 'KafkaJSGroupCoordinatorNotFound' || /COORDINATOR/.test(err.type ?? ''))
    return `the group coordinator is not available (${err.type ?? 'not found'}): a broker is starting, restarting or moving the group`
  if (err.type === 'NOT_CONTROLLER') return 'the cluster has no active controller (NOT_CONTROLLER)'
  return `the partitions have no leader yet (${err.type ?? err.name}): a broker is starting or restarting`
}

function chainMessages(err: unknown): string {
  const parts: string[] = []
  let current = err as KafkaJSLike | undefined
  for (let i = 0; current && i < 10; i++) {
    parts.push(String(current.message ?? ''), String(current.code ?? ''))
    current = (current.originalError ?? current.cause ?? (current.name === 'KafkaJSAggregateError' ? current.errors?.[0] : undefined)) as KafkaJSLike | undefined
  }
  return parts.join('\n')
}

const TLS_TRUST = /self[- ]signed|unable to (get|verify)|certificate (has expired|is not yet valid)|CERT_|UNABLE_TO_|DEPTH_ZERO/i
const TLS_HOST = /altnames|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID/i
// The broker rejected (or did not get) our client certificate: mTLS listeners.
const TLS_CLIENT_CERT = /alert bad certificate|certificate required|alert number (42|116)\b/i
const TLS_OTHER = /SSL routines|wrong version number|ssl3_|tls|handshake/i

/** Walks kafkajs' wrappers (retries exceeded, non-retriable, aggregate) to the error that says what happened. */
export function rootCause(err: unknown): KafkaJSLike {
  let current = err as KafkaJSLike
  for (let i = 0; i < 10; i++) {
    const inner = current?.originalError ?? (current?.name === 'KafkaJSAggregateError' ? current.errors?.[0] : undefined)
    if (!inner || inner === current) break
    current = inner as KafkaJSLike
  }
  return current
}

export function mapKafkaError(err: unknown, ctx: ErrorContext): KafkitError {
  if (err instanceof KafkitError) return err
  const root = rootCause(err)
  // A KafkitError thrown inside kafkajs (an OAUTHBEARER token provider) already says what happened.
  if (root instanceof KafkitError) return root
  const name = root?.name ?? ''
  const message = String(root?.message ?? err)
  const where = ctx.brokers.join(',')
  const profile = ctx.profile && ctx.profile !== 'local' ? ` (profile '${ctx.profile}')` : ''

  if (name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed|Authentication failed/i.test(message)) {
    const who = ctx.saslUser ? `user '${ctx.saslUser}'` : 'the configured user'
    return connectError(
      `authentication failed for ${who} with ${(ctx.saslMechanism ?? 'SASL').toUpperCase()} at ${where}${profile}`,
      'check the username and password (passwordEnv / passwordCommand) and the mechanism the cluster expects',
      'AUTHENTICATION_FAILED',
      err,
    )
  }
  if (TLS_CLIENT_CERT.test(message)) {
    return connectError(
      `TLS: the broker at ${where} refused the connection: it requires a client certificate (${firstLine(message).replace(/^.*?(alert [a-z ]+).*$/i, '$1')})`,
      "set 'tls.cert' and 'tls.key' in the profile (or KAFKIT_TLS_CERT / KAFKIT_TLS_KEY), signed by a CA the broker trusts",
      'TLS_CLIENT_CERT_REQUIRED',
      err,
    )
  }
  if (TLS_HOST.test(message)) {
    return connectError(
      `TLS: the broker's certificate does not match the host name (${where}): ${firstLine(message)}`,
      "connect with the name in the certificate, or set 'tls.servername' in the profile",
      'TLS_HOSTNAME_MISMATCH',
      err,
    )
  }
  if (TLS_TRUST.test(message) || TLS_TRUST.test(String(root?.code ?? ''))) {
    return connectError(
      `TLS: cannot verify the broker's certificate at ${where}: ${firstLine(message)}`,
      "trust its CA with 'tls.ca: /path/to/ca.pem' in the profile (or KAFKIT_TLS_CA=/path/to/ca.pem)",
      'TLS_UNTRUSTED',
      err,
    )
  }
  // TLS to a listener without TLS: the broker reads the ClientHello as a Kafka request and hangs up.
  if (ctx.tls && NOT_TLS.test(chainMessages(err))) {
    return connectError(`TLS handshake with ${where}${profile} failed: the broker closed the connection (${firstLine(message)})`, NOT_TLS_HINT, 'TLS_FAILED', err)
  }
  const retriable = retriableCause(err)
  if (retriable) {
    return new KafkitError(retriable.type ?? 'NOT_READY', `${where}: ${describeRetriable(retriable)}${ctx.timeoutMs ? `, still after ${formatMs(ctx.timeoutMs)}` : ''}`, {
      hint: 'wait for the cluster to settle (kafkit cluster info), or raise --timeout',
      exitCode: ExitCode.TIMEOUT,
      cause: err,
    })
  }
  if (name === 'KafkaJSConnectionError' || name === 'KafkaJSBrokerNotFound' || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|Connection timeout|Closed connection/i.test(message)) {
    if (TLS_OTHER.test(message) && !/ECONNREFUSED/.test(message)) {
      return connectError(`TLS handshake with ${where} failed: ${firstLine(message)}`, TLS_HANDSHAKE_HINT, 'TLS_FAILED', err)
    }
    const isLocal = ctx.brokers.every((b) => b.startsWith('127.0.0.1:9092') || b.startsWith('localhost:9092'))
    return connectError(
      `cannot connect to Kafka at ${where}${profile}: ${firstLine(message)}`,
      isLocal ? "is the broker running? try 'kafkit local start'" : 'check the address, the port and that the broker is reachable from here',
      'CONNECTION_FAILED',
      err,
    )
  }
  if (name === 'KafkaJSRequestTimeoutError' || name === 'KafkaJSTimeout') {
    return new KafkitError('TIMEOUT', `request to ${where} timed out${ctx.timeoutMs ? ` after ${formatMs(ctx.timeoutMs)}` : ''}`, {
      hint: 'the cluster may be overloaded; raise --timeout',
      exitCode: ExitCode.TIMEOUT,
      cause: err,
    })
  }
  switch (root?.type) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return notFoundError('TOPIC_NOT_FOUND', 'topic or partition does not exist', "list topics with 'kafkit topics list'")
    case 'GROUP_ID_NOT_FOUND':
      return notFoundError('GROUP_NOT_FOUND', 'consumer group does not exist', "list groups with 'kafkit groups list'")
    case 'TOPIC_AUTHORIZATION_FAILED':
    case 'GROUP_AUTHORIZATION_FAILED':
    case 'CLUSTER_AUTHORIZATION_FAILED':
    case 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED':
      return authorizationError(root.type, ctx, err)
    case 'ILLEGAL_SASL_STATE':
      // A listener without SASL takes the SaslHandshake as out of place: say so rather than kafkajs' words.
      return connectError(
        `the listener at ${where}${profile} does not use SASL: it refused the SASL ${(ctx.saslMechanism ?? '').toUpperCase()} login (ILLEGAL_SASL_STATE)`.replace('SASL  login', 'SASL login'),
        "use the cluster's SASL port (SASL_PLAINTEXT or SASL_SSL), or remove 'sasl' from the profile for this listener",
        'SASL_NOT_ENABLED',
        err,
      )
    case 'SASL_AUTHENTICATION_FAILED':
    case 'UNSUPPORTED_SASL_MECHANISM':
      return connectError(`SASL: ${message}`, 'check the mechanism and credentials of the profile', 'AUTHENTICATION_FAILED', err)
    default:
      break
  }
  return new KafkitError(root?.type ?? 'KAFKA_ERROR', firstLine(message) || 'unexpected Kafka error', {
    hint: 'run again with --debug for details',
    exitCode: ExitCode.FAILED,
    cause: err,
  })
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim()
}
