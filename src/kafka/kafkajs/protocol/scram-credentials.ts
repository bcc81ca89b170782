/**
 * SCRAM credentials (KIP-554): DescribeUserScramCredentials (API 50) and AlterUserScramCredentials (API 51),
 * which kafkajs 2.2.4 does not have. Both exist only as "flexible" versions (v0 already uses compact strings and
 * tagged fields), which kafkajs' Encoder cannot write, so the bodies are encoded here by hand.
 *
 * kafkajs writes request header v1 (api key, version, correlation id, client id); flexible requests use header
 * v2, which is v1 followed by an empty tagged-field section. The body therefore starts with that one 0 byte, and
 * the response body (after kafkajs has read the correlation id) starts with the response header's own empty
 * tagged-field section.
 *
 * The salted password is computed here (the broker stores only what the client sends): SaltedPassword =
 * Hi(password, salt, iterations) of RFC 5802, which is PBKDF2 with HMAC-SHA-256/512 and the hash's length.
 */
import {pbkdf2Sync, randomBytes} from 'node:crypto'

import type {KafkaClient} from './client.js'
import {sendOn} from './kafkajs/internals.js'
import {sessionOf} from './kafkajs/session.js'
import {BrokerResourceError, withBroker} from './kafkajs/protocol/admin-requests.js'
import {Reader, Writer} from './kafkajs/protocol/codec.js'
import {requireKafkaJS} from './kafkajs/require.js'

export const DESCRIBE_USER_SCRAM_CREDENTIALS = 50
export const ALTER_USER_SCRAM_CREDENTIALS = 51

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512']
const MECHANISM_CODE: Record<ScramMechanism, number> = {'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2}
const HASH: Record<ScramMechanism, {digest: string; length: number}> = {
  'SCRAM-SHA-256': {digest: 'sha256', length: 32},
  'SCRAM-SHA-512': {digest: 'sha512', length: 64},
}
/** Kafka accepts 4096..16384 iterations; 8192 is twice its minimum. */
export const DEFAULT_ITERATIONS = 8192

export function mechanismName(code: number): ScramMechanism | 'UNKNOWN' {
  return code === 1 ? 'SCRAM-SHA-256' : code === 2 ? 'SCRAM-SHA-512' : 'UNKNOWN'
}

/** RFC 5802 Hi(): PBKDF2 with the mechanism's HMAC and output length. */
export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const {digest, length} = HASH[mechanism]
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, length, digest)
}

// ---- requests ----

export interface ScramUpsertion {
  name: string
  mechanism: ScramMechanism
  iterations: number
  salt: Buffer
  saltedPassword: Buffer
}

export interface ScramDeletion {
  name: string
  mechanism: ScramMechanism
}

/** An upsertion with a random 32-byte salt. */
export function scramUpsertion(name: string, mechanism: ScramMechanism, password: string, iterations = DEFAULT_ITERATIONS, salt = randomBytes(32)): ScramUpsertion {
  return {name, mechanism, iterations, salt, saltedPassword: saltedPassword(mechanism, password, salt, iterations)}
}

/** DescribeUserScramCredentials v0 body (after header v2's tag section): users => COMPACT_NULLABLE_ARRAY(name). */
export function describeScramBody(users: string[] | null): Buffer {
  return new Writer()
    .tags() // request header v2's tagged fields
    .compactArray(users, (w, name) => w.compactString(name).tags())
    .tags()
    .toBuffer()
}

/** AlterUserScramCredentials v0 body: deletions, upsertions (see KIP-554). */
export function alterScramBody(deletions: ScramDeletion[], upsertions: ScramUpsertion[]): Buffer {
  return new Writer()
    .tags()
    .compactArray(deletions, (w, d) => w.compactString(d.name).int8(MECHANISM_CODE[d.mechanism]).tags())
    .compactArray(upsertions, (w, u) => w.compactString(u.name).int8(MECHANISM_CODE[u.mechanism]).int32(u.iterations).compactBytes(u.salt).compactBytes(u.saltedPassword).tags())
    .tags()
    .toBuffer()
}

export interface ScramUser {
  name: string
  credentials: {mechanism: ScramMechanism | 'UNKNOWN'; iterations: number}[]
}

export interface DescribeScramResult {
  errorCode: number
  errorMessage: string | null
  results: {user: string; errorCode: number; errorMessage: string | null; credentials: {mechanism: ScramMechanism | 'UNKNOWN'; iterations: number}[]}[]
}

export function decodeDescribeScram(raw: Buffer): DescribeScramResult {
  const r = new Reader(raw)
  r.tags() // response header v1
  r.int32() // throttle_time_ms
  const errorCode = r.int16()
  const errorMessage = r.compactNullableString()
  const results = r.compactArray((x) => {
    const user = x.compactString()
    const code = x.int16()
    const message = x.compactNullableString()
    const credentials = x.compactArray((c) => {
      const mechanism = mechanismName(c.int8())
      const iterations = c.int32()
      c.tags()
      return {mechanism, iterations}
    })
    x.tags()
    return {user, errorCode: code, errorMessage: message, credentials}
  })
  return {errorCode, errorMessage, results}
}

export function decodeAlterScram(raw: Buffer): {user: string; errorCode: number; errorMessage: string | null}[] {
  const r = new Reader(raw)
  r.tags()
  r.int32()
  return r.compactArray((x) => {
    const user = x.compactString()
    const errorCode = x.int16()
    const errorMessage = x.compactNullableString()
    x.tags()
    return {user, errorCode, errorMessage}
  })
}

function rawRequest(apiKey: number, apiName: string, body: Buffer) {
  const Encoder = requireKafkaJS('kafkajs/src/protocol/encoder') as new () => {writeBufferInternal(b: Buffer): unknown}
  return {
    apiKey,
    apiVersion: 0,
    apiName,
    encode: async () => {
      const encoder = new Encoder()
      encoder.writeBufferInternal(body)
      // kafkajs only calls writeEncoder() with it: the type of its Encoder is not needed here.
      return encoder as never
    },
  }
}

function errorOf(code: number, message: string | null, resource: string): BrokerResourceError {
  const {createErrorFromCode} = requireKafkaJS('kafkajs/src/protocol/error') as {createErrorFromCode: (code: number) => {type: string; message: string}}
  const known = createErrorFromCode(code)
  return new BrokerResourceError(resource, known.type, code, message ?? known.message)
}

function requireApi(broker: {versions: Record<number, {minVersion: number; maxVersion: number}>}, apiKey: number, name: string): void {
  const range = broker.versions[apiKey]
  if (!range || range.minVersion > 0) {
    throw new BrokerResourceError('', 'UNSUPPORTED_VERSION', 35, `the broker does not support ${name} v0 (Kafka 2.7 or later has it)`)
  }
}

/** SCRAM users and their mechanisms; all users when `names` is undefined. Unknown names are left out. */
export async function describeScramUsers(client: KafkaClient, names?: string[]): Promise<ScramUser[]> {
  const result = await withBroker(
    sessionOf(client),
    'describing SCRAM users',
    async (broker) => {
      requireApi(broker, DESCRIBE_USER_SCRAM_CREDENTIALS, 'DescribeUserScramCredentials')
      return sendOn(broker, {
        request: rawRequest(DESCRIBE_USER_SCRAM_CREDENTIALS, 'DescribeUserScramCredentials', describeScramBody(names ?? null)),
        response: {decode: async (raw: Buffer) => decodeDescribeScram(raw), parse: async (data: DescribeScramResult) => data},
      })
    },
    {anyBroker: true},
  )
  if (result.errorCode !== 0) throw errorOf(result.errorCode, result.errorMessage, 'users')
  const users: ScramUser[] = []
  for (const r of result.results) {
    // RESOURCE_NOT_FOUND (91): a named user without credentials.
    if (r.errorCode === 91) continue
    if (r.errorCode !== 0) throw errorOf(r.errorCode, r.errorMessage, r.user)
    users.push({name: r.user, credentials: r.credentials})
  }
  return users.sort((a, b) => a.name.localeCompare(b.name))
}

/** Applies deletions and upsertions in one request; throws the first user's error with the broker's message. */
export async function alterScramUsers(client: KafkaClient, deletions: ScramDeletion[], upsertions: ScramUpsertion[]): Promise<void> {
  // The broker refuses a request that names a user twice ("cannot be altered twice in the same request"), even
  // for two mechanisms: one request per round, each user at most once in it.
  const rounds: {deletions: ScramDeletion[]; upsertions: ScramUpsertion[]}[] = []
  const place = (name: string) => {
    let round = rounds.find((r) => !r.deletions.some((d) => d.name === name) && !r.upsertions.some((u) => u.name === name))
    if (!round) rounds.push((round = {deletions: [], upsertions: []}))
    return round
  }
  for (const d of deletions) place(d.name).deletions.push(d)
  for (const u of upsertions) place(u.name).upsertions.push(u)
  for (const round of rounds) await alterScramRound(client, round.deletions, round.upsertions)
}

async function alterScramRound(client: KafkaClient, deletions: ScramDeletion[], upsertions: ScramUpsertion[]): Promise<void> {
  const results = await withBroker(sessionOf(client), 'changing SCRAM users', async (broker) => {
    requireApi(broker, ALTER_USER_SCRAM_CREDENTIALS, 'AlterUserScramCredentials')
    return sendOn(broker, {
      request: rawRequest(ALTER_USER_SCRAM_CREDENTIALS, 'AlterUserScramCredentials', alterScramBody(deletions, upsertions)),
      response: {decode: async (raw: Buffer) => decodeAlterScram(raw), parse: async (data: ReturnType<typeof decodeAlterScram>) => data},
    })
  })
  const failed = results.find((r) => r.errorCode !== 0)
  if (failed) throw errorOf(failed.errorCode, failed.errorMessage, failed.user)
}
