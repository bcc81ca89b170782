/**
 * Requests for groups of the new consumer protocol (KIP-848, `group.protocol=consumer`), which kafkajs 2.2.4
 * does not have: its DescribeGroups answers "Dead" for them, and its ListGroups v2 tells no group type.
 *
 * - ConsumerGroupDescribe (API key 69, v0): state, epoch, assignor, members with their assignments.
 * - ListGroups v5 (API key 16): every group with its state and its type (classic, consumer, share, streams).
 *
 * Both are "flexible" versions (KIP-482: compact strings and arrays, tagged fields), which kafkajs cannot
 * encode, so the bodies are written here byte by byte with ./codec.ts (pure, unit-tested); they are sent over a kafkajs broker
 * connection like ./admin-requests.ts does, with the request header's tag buffer (header v2)
 * prepended to the body and the response header's tag buffer (header v1) skipped before decoding.
 */
import {brokersOf, privateCluster, sendOn} from '../internals.js'
import {requireKafkaJS} from '../require.js'
import type {Kafka} from '../session.js'
import {Reader, Writer} from './codec.js'

export const CONSUMER_GROUP_DESCRIBE = 69
export const LIST_GROUPS = 16

/** ConsumerGroupDescribe Request (v0 and v1 are the same) => [group_ids] include_authorized_operations TAG_BUFFER */
export function encodeConsumerGroupDescribeRequest(groupIds: string[], includeAuthorizedOperations = false): Buffer {
  return new Writer()
    .compactArray(groupIds, (w, id) => w.compactString(id))
    .int8(includeAuthorizedOperations ? 1 : 0)
    .tags()
    .toBuffer()
}

export interface ConsumerGroupMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  memberEpoch: number
  clientId: string
  clientHost: string
  subscribedTopicNames: string[]
  subscribedTopicRegex: string | null
  assignment: {topic: string; partitions: number[]}[]
  targetAssignment: {topic: string; partitions: number[]}[]
}

export interface ConsumerGroupDescribed {
  errorCode: number
  errorMessage: string | null
  groupId: string
  groupState: string
  groupEpoch: number
  assignmentEpoch: number
  assignorName: string
  members: ConsumerGroupMember[]
}

function readAssignment(r: Reader): {topic: string; partitions: number[]}[] {
  const topics = r.compactArray((t) => {
    t.uuid() // topic id
    const topic = t.compactString()
    const partitions = t.compactArray((p) => p.int32())
    t.tags()
    return {topic, partitions: partitions.sort((a, b) => a - b)}
  })
  r.tags()
  return topics.sort((a, b) => a.topic.localeCompare(b.topic))
}

/** ConsumerGroupDescribe Response v0 / v1 (v1 adds member_type to each member). */
export function decodeConsumerGroupDescribeResponse(body: Buffer, version = 0): {throttleTimeMs: number; groups: ConsumerGroupDescribed[]} {
  const r = new Reader(body)
  const throttleTimeMs = r.int32()
  const groups = r.compactArray((g): ConsumerGroupDescribed => {
    const errorCode = g.int16()
    const errorMessage = g.compactNullableString()
    const groupId = g.compactString()
    const groupState = g.compactString()
    const groupEpoch = g.int32()
    const assignmentEpoch = g.int32()
    const assignorName = g.compactString()
    const members = g.compactArray((m): ConsumerGroupMember => {
      const member: ConsumerGroupMember = {
        memberId: m.compactString(),
        instanceId: m.compactNullableString(),
        rackId: m.compactNullableString(),
        memberEpoch: m.int32(),
        clientId: m.compactString(),
        clientHost: m.compactString(),
        subscribedTopicNames: m.compactArray((s) => s.compactString()),
        subscribedTopicRegex: m.compactNullableString(),
        assignment: readAssignment(m),
        targetAssignment: readAssignment(m),
      }
      if (version >= 1) m.int8() // member type
      m.tags()
      return member
    })
    g.int32() // authorized operations
    g.tags()
    return {errorCode, errorMessage, groupId, groupState, groupEpoch, assignmentEpoch, assignorName, members}
  })
  r.tags()
  return {throttleTimeMs, groups}
}

/** ListGroups Request v5 => [states_filter] [types_filter] TAG_BUFFER (empty filters: every group). */
export function encodeListGroupsRequest(statesFilter: string[] = [], typesFilter: string[] = []): Buffer {
  return new Writer()
    .compactArray(statesFilter, (w, s) => w.compactString(s))
    .compactArray(typesFilter, (w, s) => w.compactString(s))
    .tags()
    .toBuffer()
}

export interface ListedGroup {
  groupId: string
  protocolType: string
  groupState: string
  /** classic, consumer (KIP-848), share, streams. */
  groupType: string
}

/** ListGroups Response v5 => throttle_time_ms error_code [group_id protocol_type group_state group_type TAG_BUFFER] TAG_BUFFER */
export function decodeListGroupsResponse(body: Buffer): {errorCode: number; groups: ListedGroup[]} {
  const r = new Reader(body)
  r.int32() // throttle time
  const errorCode = r.int16()
  const groups = r.compactArray((g) => {
    const group = {groupId: g.compactString(), protocolType: g.compactString(), groupState: g.compactString(), groupType: g.compactString()}
    g.tags()
    return group
  })
  r.tags()
  return {errorCode, groups}
}

// Sending, over kafkajs' connections ------------------------------------------------------------------------

interface FlexBroker {
  nodeId: number
  versions: Record<number, {minVersion: number; maxVersion: number}>
}

export interface FlexCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  refreshMetadata(): Promise<void>
  findBroker(options: {nodeId: string}): Promise<FlexBroker>
  findGroupCoordinator(options: {groupId: string}): Promise<FlexBroker>
}

/** The highest version of `apiKey` in [min, max] the broker supports, or undefined. */
export function supportedVersion(broker: Pick<FlexBroker, 'versions'>, apiKey: number, min: number, max: number): number | undefined {
  const range = broker.versions[apiKey]
  if (!range) return undefined
  const version = Math.min(max, range.maxVersion)
  return version >= Math.max(min, range.minVersion) ? version : undefined
}

/** Sends a flexible-version request: header v2 (tag buffer before the body), response header v1 (tag buffer skipped). */
async function sendFlexible<T>(broker: FlexBroker, apiKey: number, apiVersion: number, apiName: string, body: Buffer, decode: (body: Buffer) => T): Promise<T> {
  const Encoder = requireKafkaJS('kafkajs/src/protocol/encoder') as new () => {writeBuffer(b: Buffer): unknown}
  const request = {apiKey, apiVersion, apiName, encode: async () => new Encoder().writeBuffer(Buffer.concat([Buffer.from([0]), body]))}
  const response = {
    decode: async (raw: Buffer) => {
      const header = new Reader(raw)
      header.tags()
      return decode(raw.subarray(header.position))
    },
    parse: async (data: T) => data,
  }
  return sendOn(broker, {request, response})
}

/** The kafkajs error (with its `type`, for retries and messages) of a protocol error code. */
export function protocolError(code: number, message?: string | null): Error & {type?: string; retriable?: boolean} {
  const {createErrorFromCode} = requireKafkaJS('kafkajs/src/protocol/error') as {createErrorFromCode: (code: number) => Error & {type?: string}}
  const error = createErrorFromCode(code)
  if (message) error.message = message
  return error
}

/** ConsumerGroupDescribe of one group, asked of its coordinator. undefined: the broker has no such API. */
export async function consumerGroupDescribe(cluster: FlexCluster, groupId: string): Promise<ConsumerGroupDescribed | undefined> {
  const coordinator = await cluster.findGroupCoordinator({groupId})
  const version = supportedVersion(coordinator, CONSUMER_GROUP_DESCRIBE, 0, 1)
  if (version === undefined) return undefined
  const {groups} = await sendFlexible(coordinator, CONSUMER_GROUP_DESCRIBE, version, 'ConsumerGroupDescribe', encodeConsumerGroupDescribeRequest([groupId]), (b) =>
    decodeConsumerGroupDescribeResponse(b, version),
  )
  return groups[0]
}

/** ListGroups v5 of every broker (each lists the groups it coordinates). undefined: a broker without v5. */
export async function listGroupsWithTypes(cluster: FlexCluster): Promise<ListedGroup[] | undefined> {
  await cluster.refreshMetadata()
  const nodeIds = brokersOf(cluster).map((b) => String(b.nodeId))
  const perBroker = await Promise.all(
    nodeIds.map(async (nodeId) => {
      const broker = await cluster.findBroker({nodeId})
      if (supportedVersion(broker, LIST_GROUPS, 5, 5) === undefined) return undefined
      const {errorCode, groups} = await sendFlexible(broker, LIST_GROUPS, 5, 'ListGroups', encodeListGroupsRequest(), decodeListGroupsResponse)
      if (errorCode !== 0) throw protocolError(errorCode)
      return groups
    }),
  )
  if (perBroker.some((g) => g === undefined)) return undefined
  return perBroker.flat() as ListedGroup[]
}

/** A short-lived kafkajs cluster of the command's Kafka instance (same brokers, TLS, SASL). */
export function createFlexCluster(kafka: Kafka): FlexCluster {
  const cluster = privateCluster<FlexCluster>(kafka, {allowAutoTopicCreation: false})
  if (!cluster) throw new Error('this kafkajs version has no cluster factory (kafkit expects kafkajs 2.2.x)')
  return cluster
}
