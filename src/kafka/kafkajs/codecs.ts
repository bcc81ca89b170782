/**
 * Compression codecs kafkajs lacks (it ships gzip only), registered into its CompressionCodecs table so that both
 * reading (consume, replay) and writing (`produce --compression`) handle every codec Kafka uses:
 *
 *   snappy  kafkajs-snappy (pure JS; also reads the xerial framing Java producers write)
 *   lz4     frames written here (lz4CompressFrame: Kafka's format, independent blocks), read by lz4js (pure JS)
 *   zstd    @bokuweb/zstd-wasm (WASM, initialised asynchronously once)
 *
 * Every codec is loaded only when registerCodecs runs (createClient does, once per process).
 */
import {createRequire} from 'node:module'

import type {KafkaJS} from './require.js'

const require = createRequire(import.meta.url)

/** kafkajs' codec shape: `compress` receives its Encoder (bytes in `.buffer`), `decompress` a Buffer. */
export interface KafkaCodec {
  compress(encoder: {buffer: Buffer}): Promise<Buffer>
  decompress(buffer: Buffer): Promise<Buffer>
}

type CodecFactory = () => KafkaCodec

interface Lz4js {
  decompress(src: Uint8Array, maxSize?: number): Uint8Array | number[]
}

interface ZstdWasm {
  init(): Promise<void>
  compress(buf: Uint8Array, level?: number): Uint8Array
  decompress(buf: Uint8Array, opts?: {defaultHeapSize: number}): Uint8Array
}

const toBuffer = (bytes: Uint8Array | number[]): Buffer => (Array.isArray(bytes) ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))

const LZ4_MAGIC = 0x184d2204
/** Java's Lz4BlockOutputStream writes 64 KiB blocks too; its reader decodes each into a buffer of that size. */
export const LZ4_BLOCK = 64 * 1024
// The LZ4 block format's end-of-block rules (lz4 doc/lz4_Block_format.md, "End of block conditions"):
const MIN_MATCH = 4
/** The last 5 bytes of a block are always literals: a match ends at least this far before the block's end. */
const LAST_LITERALS = 5
/** A match starts at least 12 bytes before the block's end (MFLIMIT). */
const MF_LIMIT = 12
const HASH_LOG = 16
const MAX_OFFSET = 65_535

/**
 * An LZ4 frame Kafka's brokers accept, as Java's Lz4BlockOutputStream writes it: version 01, independent blocks,
 * no checksums, no content size (FLG 0x60), 64 KiB blocks (BD 0x40), each block compressed on its own.
 *
 * The blocks are compressed here, not by lz4js: lz4js' compressBlock lets a match start up to 10 bytes before
 * the end of a block, where the format requires 12 (MFLIMIT). Lenient decoders (lz4js', and the reference
 * decoder on a block shorter than its output buffer) accept that; the broker's (lz4-java's safe decompressor
 * into a 64 KiB buffer) refuses a full block whose last match starts 10 or 11 bytes before its end with
 * "LZ4Exception: Error decoding offset N of input buffer". Whether a batch hits it depends on where its matches
 * fall, which is why small batches (one short block) always passed and larger ones failed more often the more
 * full blocks they had.
 */
export function lz4CompressFrame(input: Uint8Array, xxh32: (seed: number, b: Uint8Array, i: number, n: number) => number): Buffer {
  // Plain views: Buffer's subarray() and indexing cost more.
  const src = new Uint8Array(input.buffer, input.byteOffset, input.length)
  const blocks = Math.max(1, Math.ceil(src.length / LZ4_BLOCK))
  // A block is stored raw when compressing does not make it smaller: it never takes more than 4 + its size.
  const frame = Buffer.allocUnsafe(7 + blocks * (4 + LZ4_BLOCK) + 4)
  const out = new Uint8Array(frame.buffer, frame.byteOffset, frame.length)
  frame.writeUInt32LE(LZ4_MAGIC, 0)
  out[4] = 0x60 // version 01, independent blocks, no checksums, no content size
  out[5] = 0x40 // block maximum 64 KiB
  out[6] = (xxh32(0, out, 4, 2) >> 8) & 0xff
  let pos = 7
  const table = new Int32Array(1 << HASH_LOG).fill(-1)
  for (let start = 0; start < src.length; start += LZ4_BLOCK) {
    const end = Math.min(start + LZ4_BLOCK, src.length)
    const compressed = lz4CompressBlock(src, start, end, out, pos + 4, table)
    if (compressed > 0) {
      frame.writeUInt32LE(compressed, pos)
      pos += 4 + compressed
    } else {
      frame.writeUInt32LE((0x80000000 | (end - start)) >>> 0, pos)
      out.set(src.subarray(start, end), pos + 4)
      pos += 4 + end - start
    }
  }
  frame.writeUInt32LE(0, pos) // end mark
  return frame.subarray(0, pos + 4)
}

const read32 = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)

/**
 * Compresses `src[start, end)` as one independent LZ4 block into `dst` from `at`; returns its length, or 0 when
 * it would not be smaller than the input (the caller stores the block raw). Never writes more than `end - start`
 * bytes into `dst`. `table` maps hashes to positions in `src`: -1 or positions before `start` (an earlier block of the
 * same frame) count as empty, so one table serves a frame's blocks without being cleared.
 */
export function lz4CompressBlock(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number, table: Int32Array): number {
  const size = end - start
  const limit = at + size // the output must stay below the input's size
  let op = at
  let anchor = start
  const matchEnd = end - LAST_LITERALS // a match's last byte is before this
  const mfLimit = end - MF_LIMIT // a match starts at or before this
  let ip = start
  let searches = 1 << 6
  while (ip <= mfLimit) {
    const sequence = read32(src, ip)
    const h = Math.imul(sequence, 2_654_435_761) >>> (32 - HASH_LOG)
    let ref = table[h]
    table[h] = ip
    if (ref < start || ip - ref > MAX_OFFSET || read32(src, ref) !== sequence) {
      ip += searches++ >> 6 // skip faster through data that does not compress
      continue
    }
    searches = 1 << 6
    // Extend the match backwards over pending literals, then forwards up to the last-literals boundary.
    while (ip > anchor && ref > start && src[ip - 1] === src[ref - 1]) {
      ip--
      ref--
    }
    let mEnd = ip + MIN_MATCH
    let r = ref + MIN_MATCH
    while (mEnd < matchEnd && src[mEnd] === src[r]) {
      mEnd++
      r++
    }
    const literals = ip - anchor
    const matchLength = mEnd - ip - MIN_MATCH
    // token + literal length bytes + literals + offset + match length bytes
    if (op + 1 + (((literals + 240) / 255) | 0) + literals + 2 + (((matchLength + 240) / 255) | 0) > limit) return 0
    op = writeSequenceHead(dst, op, literals, matchLength)
    op = copyLiterals(src, anchor, ip, dst, op)
    const offset = ip - ref
    dst[op++] = offset & 0xff
    dst[op++] = offset >> 8
    op = writeLength(dst, op, matchLength)
    ip = mEnd
    anchor = ip
  }
  // The last sequence: literals only.
  const literals = end - anchor
  if (op + 1 + (((literals + 240) / 255) | 0) + literals >= limit) return 0
  op = writeSequenceHead(dst, op, literals, 0)
  op = copyLiterals(src, anchor, end, dst, op)
  return op - at
}

/** Copies `src[from, to)` to `dst` at `op`; a loop for the usual few bytes (a subarray per sequence costs more). */
function copyLiterals(src: Uint8Array, from: number, to: number, dst: Uint8Array, op: number): number {
  if (to - from > 64) {
    dst.set(src.subarray(from, to), op)
    return op + to - from
  }
  while (from < to) dst[op++] = src[from++]
  return op
}

/** The token (literal length and match length nibbles) and the literal length's extra bytes. */
function writeSequenceHead(dst: Uint8Array, op: number, literals: number, matchLength: number): number {
  dst[op++] = (Math.min(literals, 15) << 4) | Math.min(matchLength, 15)
  return writeLength(dst, op, literals)
}

/** A length's bytes after its token nibble (present when the nibble is 15). */
function writeLength(dst: Uint8Array, op: number, length: number): number {
  if (length < 15) return op
  let n = length - 15
  for (; n >= 255; n -= 255) dst[op++] = 255
  dst[op++] = n
  return op
}

export function lz4Codec(): KafkaCodec {
  const lz4 = require('lz4js') as Lz4js
  const {hash} = require('lz4js/xxh32.js') as {hash: (seed: number, b: Uint8Array, i: number, n: number) => number}
  return {
    async compress(encoder) {
      return lz4CompressFrame(encoder.buffer, hash)
    },
    async decompress(buffer) {
      return toBuffer(lz4.decompress(buffer))
    },
  }
}

/** Kafka's default zstd level. */
export const ZSTD_LEVEL = 3
/** Ceiling for a frame whose size is not in its header (Java's streaming writer omits it). */
const ZSTD_MAX_OUTPUT = 512 * 1024 * 1024

export function zstdCodec(zstd: ZstdWasm): KafkaCodec {
  return {
    async compress(encoder) {
      return toBuffer(zstd.compress(encoder.buffer, ZSTD_LEVEL))
    },
    async decompress(buffer) {
      // Frames written by Java's ZstdOutputStream carry no content size: the output buffer is a guess, doubled
      // until the frame fits (a failure for lack of room and a corrupt frame look the same, hence the ceiling).
      let heap = Math.max(1 << 20, buffer.length * 8)
      for (;;) {
        try {
          return toBuffer(zstd.decompress(buffer, {defaultHeapSize: heap}))
        } catch (error) {
          if (heap >= ZSTD_MAX_OUTPUT) throw error
          heap *= 4
        }
      }
    },
  }
}

/** The WASM module is compiled on first use only: most commands never meet a zstd batch (start-up time). */
function lazyZstd(): KafkaCodec {
  let codec: Promise<KafkaCodec> | undefined
  const load = () =>
    (codec ??= (async () => {
      const zstd = require('@bokuweb/zstd-wasm') as ZstdWasm
      await zstd.init()
      return zstdCodec(zstd)
    })())
  return {
    compress: async (encoder) => (await load()).compress(encoder),
    decompress: async (buffer) => (await load()).decompress(buffer),
  }
}

let registered: Promise<void> | undefined

/** Registers snappy, lz4 and zstd with kafkajs. Idempotent. Each codec's module loads on first use (start-up time). */
export function registerCodecs(kafkajs: KafkaJS): Promise<void> {
  registered ??= (async () => {
    const {CompressionCodecs, CompressionTypes} = kafkajs
    const codecs = CompressionCodecs as unknown as Record<number, CodecFactory>
    let snappy: KafkaCodec | undefined
    // kafkajs-snappy exports the factory itself.
    codecs[CompressionTypes.Snappy] = () => (snappy ??= (require('kafkajs-snappy') as CodecFactory)())
    let lz4: KafkaCodec | undefined
    codecs[CompressionTypes.LZ4] = () => (lz4 ??= lz4Codec())
    const zstd = lazyZstd()
    codecs[CompressionTypes.ZSTD] = () => zstd
  })()
  return registered
}
