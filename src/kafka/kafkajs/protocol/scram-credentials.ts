/**
 * SCRAM credentials (KIP-554): DescribeUserScramCredentials (API 50) and AlterUserScramCredentials (API 51),
 * which kafkajs 2.2.4 does not have. Both exist only as "flexible" versions (v0 already uses compact strings and
 * tagged fields), which kafkajs' Encoder cannot write, so the bodies are encoded here by hand (./codec.ts). The
 * port's functions that send them are in src/kafka/scram-credentials.ts.
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

import {BrokerResourceError} from './admin-requests.js'
import {Reader, Writer} from './codec.js'
import {requireKafkaJS} from '../require.js'

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

export function rawRequest(apiKey: number, apiName: string, body: Buffer) {
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

export function errorOf(code: number, message: string | null, resource: string): BrokerResourceError {
  const {createErrorFromCode} = requireKafkaJS('kafkajs/src/protocol/error') as {createErrorFromCode: (code: number) => {type: string; message: string}}
  const known = createErrorFromCode(code)
  return new BrokerResourceError(resource, known.type, code, message ?? known.message)
}

export function requireApi(broker: {versions: Record<number, {minVersion: number; maxVersion: number}>}, apiKey: number, name: string): void {
  const range = broker.versions[apiKey]
  if (!range || range.minVersion > 0) {
    throw new BrokerResourceError('', 'UNSUPPORTED_VERSION', 35, `the broker does not support ${name} v0 (Kafka 2.7 or later has it)`)
  }
}
