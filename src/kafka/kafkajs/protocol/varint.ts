/** Kafka's zig-zag varints (record fields): written for 32-bit ints, read up to 2^53. */

function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0
}

export function varintSize(value: number): number {
  let z = zigzag32(value)
  let size = 1
  while (z >= 0x80) {
    z >>>= 7
    size++
  }
  return size
}

export function writeVarint(buf: Uint8Array, at: number, value: number): number {
  let z = zigzag32(value)
  while (z >= 0x80) {
    buf[at++] = (z & 0x7f) | 0x80
    z >>>= 7
  }
  buf[at++] = z
  return at
}

/**
 * Reads zig-zag varints from `b` at `at` (moved past each one): the one reader of the fetch decoders
 * (fetch-decoder.ts). Values up to 64 bits via floating point (exact below 2^53), as Kafka's varlongs need.
 */
export class VarintReader {
  constructor(
    readonly b: Uint8Array,
    public at = 0,
  ) {}

  next(): number {
    const b = this.b
    let at = this.at
    let result = 0
    let multiplier = 1
    let byte: number
    do {
      byte = b[at++]
      result += (byte & 0x7f) * multiplier
      multiplier *= 128
    } while (byte & 0x80)
    this.at = at
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2
  }

  /** Moves past one varint without decoding it. */
  skip(): void {
    while (this.b[this.at++] & 0x80);
  }
}
