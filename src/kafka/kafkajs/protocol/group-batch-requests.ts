/**
 * FindCoordinator v4 (KIP-699) and OffsetFetch v8 (KIP-709), which kafkajs 2.2.4 cannot encode ("flexible"
 * versions, KIP-482): written here byte by byte (pure, unit-tested in test/unit/everyday.test.ts) and sent over
 * kafkajs' broker connections by ../../group-batch.ts.
 */
import {requireKafkaJS} from '../require.js'

export const FIND_COORDINATOR = 10
export const OFFSET_FETCH = 9

export function protocolError(code: number, message?: string | null): Error {
  const {createErrorFromCode} = requireKafkaJS('kafkajs/src/protocol/error') as {createErrorFromCode: (code: number) => Error}
  const error = createErrorFromCode(code)
  if (message) error.message = `${error.message} (${message})`
  return error
}

// ---- flexible-version encoding (KIP-482): compact strings/arrays, unsigned varints, tagged fields ----

class Writer {
  private parts: Buffer[] = []
  int8(v: number) {
    const b = Buffer.alloc(1)
    b.writeInt8(v)
    return this.push(b)
  }
  int32(v: number) {
    const b = Buffer.alloc(4)
    b.writeInt32BE(v)
    return this.push(b)
  }
  uvarint(v: number) {
    const bytes: number[] = []
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80)
      v >>>= 7
    }
    bytes.push(v)
    return this.push(Buffer.from(bytes))
  }
  compactString(s: string) {
    const b = Buffer.from(s, 'utf8')
    return this.uvarint(b.length + 1).push(b)
  }
  /** No tagged fields. */
  tags() {
    return this.uvarint(0)
  }
  push(b: Buffer) {
    this.parts.push(b)
    return this
  }
  buffer() {
    return Buffer.concat(this.parts)
  }
}

export class Reader {
  private offset = 0
  constructor(private readonly b: Buffer) {}
  int16() {
    const v = this.b.readInt16BE(this.offset)
    this.offset += 2
    return v
  }
  int32() {
    const v = this.b.readInt32BE(this.offset)
    this.offset += 4
    return v
  }
  int64() {
    const v = this.b.readBigInt64BE(this.offset)
    this.offset += 8
    return Number(v)
  }
  uvarint() {
    let value = 0
    let shift = 0
    for (;;) {
      const byte = this.b[this.offset++]
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
      shift += 7
    }
  }
  compactNullableString(): string | null {
    const n = this.uvarint()
    if (n === 0) return null
    const s = this.b.toString('utf8', this.offset, this.offset + n - 1)
    this.offset += n - 1
    return s
  }
  compactString(): string {
    return this.compactNullableString() ?? ''
  }
  compactArray<T>(read: (r: Reader) => T): T[] {
    const n = this.uvarint()
    const out: T[] = []
    for (let i = 0; i < n - 1; i++) out.push(read(this))
    return out
  }
  tags() {
    const n = this.uvarint()
    for (let i = 0; i < n; i++) {
      this.uvarint()
      this.offset += this.uvarint()
    }
  }
}

/** The request body after kafkajs' v1 header: a flexible request's header (v2) ends with its own tagged fields. */
function flexibleRequest(apiKey: number, apiVersion: number, apiName: string, body: Writer) {
  const Encoder = requireKafkaJS('kafkajs/src/protocol/encoder') as new () => {writeBuffer(b: Buffer): unknown}
  const bytes = Buffer.concat([Buffer.from([0]), body.buffer()])
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
