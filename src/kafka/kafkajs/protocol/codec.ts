/**
 * The wire primitives of kafkit's own requests (docs/ARCHITECTURE.md, "kafkit's own protocol code"):
 *
 * - Writer / Reader: the "flexible" versions (KIP-482: unsigned varints, compact strings, bytes and arrays,
 *   tagged fields), which kafkajs 2.2.4 cannot encode; shared by every flexible request kafkit sends.
 * - kafkajsCodec(): kafkajs' own Encoder / Decoder (the classic versions) and its error of a protocol code.
 */
import {requireKafkaJS} from '../require.js'

/** Writes the flexible-version primitives. */
export class Writer {
  private readonly parts: Buffer[] = []

  uvarint(value: number): this {
    const bytes: number[] = []
    let v = value >>> 0
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80)
      v >>>= 7
    }
    bytes.push(v)
    return this.push(Buffer.from(bytes))
  }

  int8(value: number): this {
    const b = Buffer.alloc(1)
    b.writeInt8(value)
    return this.push(b)
  }

  int32(value: number): this {
    const b = Buffer.alloc(4)
    b.writeInt32BE(value)
    return this.push(b)
  }

  /** COMPACT_(NULLABLE_)STRING: length + 1 (0 for null), then UTF-8. */
  compactString(value: string | null): this {
    if (value === null) return this.uvarint(0)
    const bytes = Buffer.from(value, 'utf8')
    return this.uvarint(bytes.length + 1).push(bytes)
  }

  /** COMPACT_BYTES: length + 1, then the bytes. */
  compactBytes(value: Buffer): this {
    return this.uvarint(value.length + 1).push(value)
  }

  /** COMPACT_(NULLABLE_)ARRAY: length + 1 (0 for null), then the items. */
  compactArray<T>(items: T[] | null, write: (w: this, item: T) => void): this {
    if (items === null) return this.uvarint(0)
    this.uvarint(items.length + 1)
    for (const item of items) write(this, item)
    return this
  }

  /** An empty tagged-field section. */
  tags(): this {
    return this.uvarint(0)
  }

  push(bytes: Buffer): this {
    this.parts.push(bytes)
    return this
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts)
  }
}

/** Reads the flexible-version primitives; tagged fields are skipped (kafkit needs none of them). */
export class Reader {
  private offset = 0

  constructor(private readonly buffer: Buffer) {}

  /** Bytes read so far. */
  get position(): number {
    return this.offset
  }

  uvarint(): number {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer.readUInt8(this.offset++)
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
    }
    throw new Error('malformed varint')
  }

  int8(): number {
    return this.buffer.readInt8(this.offset++)
  }

  int16(): number {
    const v = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return v
  }

  int32(): number {
    const v = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return v
  }

  int64(): number {
    const v = this.buffer.readBigInt64BE(this.offset)
    this.offset += 8
    return Number(v)
  }

  uuid(): string {
    const v = this.buffer.subarray(this.offset, this.offset + 16).toString('hex')
    this.offset += 16
    return v
  }

  compactNullableString(): string | null {
    const n = this.uvarint()
    if (n === 0) return null
    const v = this.buffer.toString('utf8', this.offset, this.offset + n - 1)
    this.offset += n - 1
    return v
  }

  compactString(): string {
    return this.compactNullableString() ?? ''
  }

  compactArray<T>(read: (r: this) => T): T[] {
    const n = this.uvarint()
    const items: T[] = []
    for (let i = 0; i < n - 1; i++) items.push(read(this))
    return items
  }

  tags(): void {
    const count = this.uvarint()
    for (let i = 0; i < count; i++) {
      this.uvarint() // tag
      // Not `this.offset += this.uvarint()`: that adds the size to the offset before the size was read.
      const size = this.uvarint()
      this.offset += size
    }
  }
}

/** The parts of kafkajs' Encoder (kafkajs/src/protocol/encoder) kafkit's classic-version requests use. */
export interface Encoder {
  writeInt8(value: number): Encoder
  writeInt16(value: number): Encoder
  writeInt32(value: number): Encoder
  writeString(value: string | null): Encoder
  writeBoolean(value: boolean): Encoder
  writeArray(items: Encoder[] | number[]): Encoder
  writeDouble(value: number): Encoder
  writeEncoder(value: Encoder): Encoder
}

/** The parts of kafkajs' Decoder (kafkajs/src/protocol/decoder) kafkit's classic-version responses use. */
export interface Decoder {
  readInt8(): number
  readInt16(): number
  readInt32(): number
  readInt64(): {toString(): string}
  readBoolean(): boolean
  readDouble(): number
  readString(): string | null
  readArray<T>(reader: (d: Decoder) => T): T[]
}

/** kafkajs' Encoder and Decoder classes, and the type and message of a protocol error code. */
export function kafkajsCodec(): {Encoder: new () => Encoder; Decoder: new (buffer: Buffer) => Decoder; errorType: (code: number) => {type: string; message: string}} {
  const Encoder = requireKafkaJS('kafkajs/src/protocol/encoder') as new () => Encoder
  const Decoder = requireKafkaJS('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => Decoder
  const {createErrorFromCode} = requireKafkaJS('kafkajs/src/protocol/error') as {createErrorFromCode: (code: number) => {type: string; message: string}}
  return {Encoder, Decoder, errorType: (code) => createErrorFromCode(code)}
}
