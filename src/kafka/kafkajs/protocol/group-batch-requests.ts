/**
 * FindCoordinator v4 (KIP-699) and OffsetFetch v8 (KIP-709), which kafkajs 2.2.4 cannot encode ("flexible"
 * versions, KIP-482): written here byte by byte (pure, unit-tested in test/unit/everyday.test.ts) and sent over
 * kafkajs' broker connections by ../../group-batch.ts.
 */
import {requireKafkaJS} from '../require.js'
import {Reader, Writer} from './codec.js'

export const FIND_COORDINATOR = 10
export const OFFSET_FETCH = 9

export function protocolError(code: number, message?: string | null): Error {
  const {createErrorFromCode} = requireKafkaJS('kafkajs/src/protocol/error') as {createErrorFromCode: (code: number) => Error}
  const error = createErrorFromCode(code)
  if (message) error.message = `${error.message} (${message})`
  return error
}

/** The request body after kafkajs' v1 header: a flexible request's header (v2) ends with its own tagged fields. */
function flexibleRequest(apiKey: number, apiVersion: number, apiName: string, body: Writer) {
  const Encoder = requireKafkaJS('kafkajs/src/protocol/encoder') as new () => {writeBuffer(b: Buffer): unknown}
  const bytes = Buffer.concat([Buffer.from([0]), body.toBuffer()])
  return {apiKey, apiVersion, apiName, encode: async () => new Encoder().writeBuffer(bytes)}
}

export interface CoordinatorAnswer {
  key: string
  nodeId: number
  errorCode: number
  errorMessage: string | null
}

/** FindCoordinator v4: key_type (0 = group), [coordinator_keys]. */
export function findCoordinatorV4(groupIds: string[]) {
  const body = new Writer().int8(0).uvarint(groupIds.length + 1)
  for (const id of groupIds) body.compactString(id)
  body.tags()
  return {
    request: flexibleRequest(FIND_COORDINATOR, 4, 'FindCoordinator', body),
    response: {
      decode: async (raw: Buffer) => decodeFindCoordinatorV4(raw),
      parse: async (data: CoordinatorAnswer[]) => data,
    },
  }
}

export function decodeFindCoordinatorV4(raw: Buffer): CoordinatorAnswer[] {
  const r = new Reader(raw)
  r.tags() // response header v1
  r.int32() // throttle_time_ms
  return r.compactArray((d) => {
    const key = d.compactString()
    const nodeId = d.int32()
    d.compactString() // host
    d.int32() // port
    const errorCode = d.int16()
    const errorMessage = d.compactNullableString()
    d.tags()
    return {key, nodeId, errorCode, errorMessage}
  })
}

export interface OffsetFetchGroup {
  groupId: string
  errorCode: number
  topics: {name: string; partitions: {partition: number; offset: number; errorCode: number}[]}[]
}

/** OffsetFetch v8: [groups (all topics of each)], require_stable = false. */
export function offsetFetchV8(groupIds: string[]) {
  const body = new Writer().uvarint(groupIds.length + 1)
  for (const id of groupIds) body.compactString(id).uvarint(0 /* topics: null = all */).tags()
  body.int8(0).tags()
  return {
    request: flexibleRequest(OFFSET_FETCH, 8, 'OffsetFetch', body),
    response: {
      decode: async (raw: Buffer) => decodeOffsetFetchV8(raw),
      parse: async (data: OffsetFetchGroup[]) => data,
    },
  }
}

export function decodeOffsetFetchV8(raw: Buffer): OffsetFetchGroup[] {
  const r = new Reader(raw)
  r.tags() // response header v1
  r.int32() // throttle_time_ms
  const groups = r.compactArray((g) => {
    const groupId = g.compactString()
    const topics = g.compactArray((t) => {
      const name = t.compactString()
      const partitions = t.compactArray((p) => {
        const partition = p.int32()
        const offset = p.int64()
        p.int32() // committed_leader_epoch
        p.compactNullableString() // metadata
        const errorCode = p.int16()
        p.tags()
        return {partition, offset, errorCode}
      })
      t.tags()
      return {name, partitions}
    })
    const errorCode = g.int16()
    g.tags()
    return {groupId, errorCode, topics}
  })
  r.tags()
  return groups
}
