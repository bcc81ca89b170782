/**
 * The Schema Registry wire format (Confluent's, which Apicurio's serdes write too when set to 4-byte ids):
 *
 *   byte 0      magic 0
 *   bytes 1-4   schema id, big-endian int32
 *   Protobuf only: the message indexes, the path from the file's top-level messages to the record's message
 *               (e.g. [1, 0] = the first nested message of the second top-level message), as a zigzag varint
 *               count followed by that many zigzag varints; the common [0] (first message) is the single byte 0
 *   then the payload (Avro binary, Protobuf, or JSON text)
 */

export const MAGIC = 0
export const HEADER_BYTES = 5

/** The schema id of a record in the wire format, or undefined when the bytes cannot be one. */
export function wireSchemaId(bytes: Buffer | null): number | undefined {
  if (bytes === null || bytes.length < HEADER_BYTES || bytes[0] !== MAGIC) return undefined
  return bytes.readInt32BE(1)
}

export function writeHeader(id: number, indexes?: number[]): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES)
  header[0] = MAGIC
  header.writeInt32BE(id, 1)
  if (!indexes) return header
  return Buffer.concat([header, encodeMessageIndexes(indexes)])
}

/** Wraps a payload: magic, id, (Protobuf) message indexes, payload. */
export function frame(id: number, payload: Uint8Array, indexes?: number[]): Buffer {
  const index = indexes ? encodeMessageIndexes(indexes) : undefined
  const out = Buffer.allocUnsafe(HEADER_BYTES + (index?.length ?? 0) + payload.length)
  out[0] = MAGIC
  out.writeInt32BE(id, 1)
  let at = HEADER_BYTES
  if (index) at += index.copy(out, at)
  out.set(payload, at)
  return out
}

/** A copy of a wire-format record with another schema id (replay across registries). */
export function withSchemaId(bytes: Buffer, id: number): Buffer {
  const out = Buffer.from(bytes)
  out.writeInt32BE(id, 1)
  return out
}

export function encodeMessageIndexes(indexes: number[]): Buffer {
  // [0] is written as the single byte 0 (a count of zero), as every Confluent-compatible serializer does.
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0])
  const bytes: number[] = []
  writeZigzag(indexes.length, bytes)
  for (const i of indexes) writeZigzag(i, bytes)
  return Buffer.from(bytes)
}

/** Reads the message indexes at `offset`: the indexes and where the payload starts. Throws on a truncated or absurd list. */
export function readMessageIndexes(bytes: Buffer, offset: number): {indexes: number[]; next: number} {
  let at = offset
  const read = (): number => {
    let result = 0
    let shift = 0
    for (;;) {
      if (at >= bytes.length) throw new WireFormatError('the message indexes are cut short')
      const b = bytes[at++]
      result |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) break
      shift += 7
      if (shift > 28) throw new WireFormatError('a message index is not a valid varint')
    }
    return (result >>> 1) ^ -(result & 1)
  }
  const count = read()
  if (count === 0) return {indexes: [0], next: at}
  if (count < 0 || count > 100) throw new WireFormatError(`${count} message indexes is not plausible`)
  const indexes: number[] = []
  for (let i = 0; i < count; i++) {
    const index = read()
    if (index < 0) throw new WireFormatError(`message index ${index} is negative`)
    indexes.push(index)
  }
  return {indexes, next: at}
}

function writeZigzag(n: number, out: number[]): void {
  let v = ((n << 1) ^ (n >> 31)) >>> 0
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
}

export class WireFormatError extends Error {}
