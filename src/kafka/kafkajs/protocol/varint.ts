/** Kafka's zig-zag varints (record fields), for 32-bit ints. */

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
