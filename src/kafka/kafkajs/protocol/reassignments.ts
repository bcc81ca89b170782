/**
 * Partition reassignment and leader election requests, sent over a kafkajs broker connection:
 *
 * - AlterPartitionReassignments (API key 45, v0, flexible). kafkajs 2.2.4 has it (admin.alterPartitionReassignments)
 *   and it works against Kafka 4.4, but its admin refuses `replicas: null`, which is how a reassignment is
 *   cancelled, and its parser drops the broker's messages ("Replica assignment has brokers that are not alive");
 *   so kafkit encodes it here. ListPartitionReassignments (API 46) is kafkajs' own (see ../../reassignments.ts).
 * - ElectLeaders (API key 43, v1): kafkajs does not have it. v1 is the newest non-flexible version (v2 only adds
 *   tagged fields) and carries the election type (preferred or unclean, KIP-460).
 *
 * Both go to the controller as kafkajs sees it (in KRaft any broker forwards them), built with kafkajs' own
 * Encoder/Decoder like ./admin-requests.ts. A flexible request is written after kafkajs' request header v1, so
 * the body starts with header v2's empty tagged-field section; a flexible response body starts with the response
 * header's.
 */
import {sendOn} from '../internals.js'
import {requireKafkaJS} from '../require.js'
import type {KafkaJSSession} from '../session.js'
import {BrokerResourceError, withBroker} from './admin-requests.js'

export const ELECT_LEADERS = 43
export const ALTER_PARTITION_REASSIGNMENTS = 45

interface Encoder {
  writeInt8(value: number): Encoder
  writeInt16(value: number): Encoder
  writeInt32(value: number): Encoder
  writeString(value: string | null): Encoder
  writeUVarInt(value: number): Encoder
  writeUVarIntString(value: string | null): Encoder
  writeUVarIntArray(items: Encoder[] | null): Encoder
  writeArray(items: Encoder[] | number[], type?: string, length?: number): Encoder
  buffer: Buffer
}
interface Decoder {
  offset: number
  readInt8(): number
  readInt16(): number
  readInt32(): number
  readBoolean(): boolean
  readString(): string | null
  readUVarInt(): number
  readUVarIntString(): string | null
  readArray<T>(reader: (d: Decoder) => T): T[]
  readUVarIntArray<T>(reader: (d: Decoder) => T): T[] | null
  readTaggedFields(): unknown
}

function codec(): {Encoder: new () => Encoder; Decoder: new (b: Buffer) => Decoder; errorOf: (code: number) => {type: string; message: string}} {
  const {createErrorFromCode} = requireKafkaJS('kafkajs/src/protocol/error') as {createErrorFromCode: (code: number) => {type: string; message: string}}
  return {
    Encoder: requireKafkaJS('kafkajs/src/protocol/encoder') as new () => Encoder,
    Decoder: requireKafkaJS('kafkajs/src/protocol/decoder') as new (b: Buffer) => Decoder,
    errorOf: (code) => createErrorFromCode(code),
  }
}

/** One partition's new replica list, or null to cancel its reassignment in progress. */
export interface ReplicaAssignment {
  topic: string
  partition: number
  replicas: number[] | null
}

/** The outcome of one partition: errorCode 0, or the broker's error type and message. */
export interface PartitionOutcome {
  topic: string
  partition: number
  errorCode: number
  /** Kafka's error name (NO_REASSIGNMENT_IN_PROGRESS, ELECTION_NOT_NEEDED, ...), '' on success. */
  error: string
  message: string | null
}

function byTopic<T extends {topic: string}>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const item of items) {
    let list = map.get(item.topic)
    if (!list) map.set(item.topic, (list = []))
    list.push(item)
  }
  return map
}

/**
 * AlterPartitionReassignments Request (Version: 0) => timeout_ms [topics] TAG_BUFFER
 *   topics => name [partitions] TAG_BUFFER
 *     partitions => partition_index [replicas] TAG_BUFFER   (replicas: COMPACT_NULLABLE_ARRAY of INT32; null cancels)
 * The body as sent after kafkajs' header v1: header v2's tagged fields first.
 */
export function alterReassignmentsBody(assignments: ReplicaAssignment[], timeoutMs: number): Buffer {
  const {Encoder} = codec()
  const topics = [...byTopic(assignments)].map(([topic, parts]) =>
    new Encoder()
      .writeUVarIntString(topic)
      .writeUVarIntArray(
        parts.map((p) =>
          new Encoder()
            .writeInt32(p.partition)
            .writeUVarIntArray(p.replicas === null ? null : p.replicas.map((r) => new Encoder().writeInt32(r)))
            .writeUVarInt(0),
        ),
      )
      .writeUVarInt(0),
  )
  return new Encoder().writeUVarInt(0).writeInt32(timeoutMs).writeUVarIntArray(topics).writeUVarInt(0).buffer
}

/**
 * AlterPartitionReassignments Response (Version: 0) => throttle_time_ms error_code error_message [responses] TAG_BUFFER
 *   responses => name [partitions] TAG_BUFFER
 *     partitions => partition_index error_code error_message TAG_BUFFER
 * (after the response header v1's tagged fields)
 */
export function decodeAlterReassignments(raw: Buffer): {errorCode: number; errorMessage: string | null; partitions: {topic: string; partition: number; errorCode: number; message: string | null}[]} {
  const {Decoder} = codec()
  const d = new Decoder(raw)
  d.readTaggedFields()
  d.readInt32()
  const errorCode = d.readInt16()
  const errorMessage = d.readUVarIntString()
  const partitions = (
    d.readUVarIntArray((t) => {
      const topic = t.readUVarIntString() ?? ''
      const parts = (t.readUVarIntArray((p) => {
        const result = {topic, partition: p.readInt32(), errorCode: p.readInt16(), message: p.readUVarIntString()}
        p.readTaggedFields()
        return result
      }) ?? []) as {topic: string; partition: number; errorCode: number; message: string | null}[]
      t.readTaggedFields()
      return parts
    }) ?? []
  ).flat()
  return {errorCode, errorMessage, partitions}
}

export type ElectionType = 'preferred' | 'unclean'
const ELECTION_TYPE: Record<ElectionType, number> = {preferred: 0, unclean: 1}

/**
 * ElectLeaders Request (Version: 1) => election_type [topic_partitions] timeout_ms
 *   topic_partitions => topic [partitions]   (a null array: every partition of the cluster)
 */
export function electLeadersBody(type: ElectionType, partitions: {topic: string; partition: number}[] | null, timeoutMs: number): Buffer {
  const {Encoder} = codec()
  const encoder = new Encoder().writeInt8(ELECTION_TYPE[type])
  if (partitions === null) encoder.writeInt32(-1)
  else
    encoder.writeArray(
      [...byTopic(partitions)].map(([topic, parts]) =>
        new Encoder().writeString(topic).writeArray(
          parts.map((p) => p.partition),
          'int32',
        ),
      ),
    )
  return encoder.writeInt32(timeoutMs).buffer
}

/**
 * ElectLeaders Response (Version: 1) => throttle_time_ms error_code [replica_election_results]
 *   replica_election_results => topic [partition_result]
 *     partition_result => partition_id error_code error_message
 */
export function decodeElectLeaders(raw: Buffer): {errorCode: number; partitions: {topic: string; partition: number; errorCode: number; message: string | null}[]} {
  const {Decoder} = codec()
  const d = new Decoder(raw)
  d.readInt32()
  const errorCode = d.readInt16()
  const partitions = d
    .readArray((t) => {
      const topic = t.readString() ?? ''
      return t.readArray((p) => ({topic, partition: p.readInt32(), errorCode: p.readInt16(), message: p.readString()}))
    })
    .flat()
  return {errorCode, partitions}
}

function rawRequest(apiKey: number, apiVersion: number, apiName: string, body: Buffer) {
  const {Encoder} = codec()
  return {
    apiKey,
    apiVersion,
    apiName,
    encode: async () => {
      const encoder = new Encoder() as unknown as {writeBufferInternal(b: Buffer): void}
      encoder.writeBufferInternal(body)
      return encoder as never
    },
  }
}

function requireVersion(broker: {versions: Record<number, {minVersion: number; maxVersion: number}>}, apiKey: number, version: number, name: string): void {
  const range = broker.versions[apiKey]
  if (!range || range.minVersion > version || range.maxVersion < version) {
    throw new BrokerResourceError(
      '',
      'UNSUPPORTED_VERSION',
      35,
      `the broker does not support ${name} v${version} (it supports ${range ? `v${range.minVersion}-v${range.maxVersion}` : 'none'}; Kafka 2.4 or later has it)`,
    )
  }
}

function outcome(p: {topic: string; partition: number; errorCode: number; message: string | null}): PartitionOutcome {
  if (p.errorCode === 0) return {...p, error: '', message: null}
  const known = codec().errorOf(p.errorCode)
  return {...p, error: known.type, message: p.message ?? known.message}
}

/**
 * Starts (replicas) or cancels (null) reassignments; one outcome per partition, with the broker's message. A
 * request-wide error (not the controller, not authorized) is thrown as a BrokerResourceError.
 */
export async function alterPartitionReassignments(session: KafkaJSSession, assignments: ReplicaAssignment[], timeoutMs: number): Promise<PartitionOutcome[]> {
  if (assignments.length === 0) return []
  const result = await withBroker(session, 'changing partition reassignments', async (broker) => {
    requireVersion(broker, ALTER_PARTITION_REASSIGNMENTS, 0, 'AlterPartitionReassignments')
    return sendOn(broker, {
      request: rawRequest(ALTER_PARTITION_REASSIGNMENTS, 0, 'AlterPartitionReassignments', alterReassignmentsBody(assignments, timeoutMs)),
      response: {decode: async (raw: Buffer) => decodeAlterReassignments(raw), parse: async (data: ReturnType<typeof decodeAlterReassignments>) => data},
    })
  })
  if (result.errorCode !== 0) {
    const known = codec().errorOf(result.errorCode)
    throw new BrokerResourceError('', known.type, result.errorCode, result.errorMessage ?? known.message)
  }
  return result.partitions.map(outcome)
}

/** Elects leaders (`partitions` null: every partition of the cluster); one outcome per partition. */
export async function electLeaders(session: KafkaJSSession, type: ElectionType, partitions: {topic: string; partition: number}[] | null, timeoutMs: number): Promise<PartitionOutcome[]> {
  if (partitions !== null && partitions.length === 0) return []
  const result = await withBroker(session, 'electing leaders', async (broker) => {
    requireVersion(broker, ELECT_LEADERS, 1, 'ElectLeaders')
    return sendOn(broker, {
      request: rawRequest(ELECT_LEADERS, 1, 'ElectLeaders', electLeadersBody(type, partitions, timeoutMs)),
      response: {decode: async (raw: Buffer) => decodeElectLeaders(raw), parse: async (data: ReturnType<typeof decodeElectLeaders>) => data},
      requestTimeout: timeoutMs + 5000,
    })
  })
  if (result.errorCode !== 0) {
    const known = codec().errorOf(result.errorCode)
    throw new BrokerResourceError('', known.type, result.errorCode, known.message)
  }
  return result.partitions.map(outcome)
}
