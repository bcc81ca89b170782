/**
 * Compression codecs kafkajs lacks (it ships gzip only), registered into its CompressionCodecs table so that both
 * reading (consume, replay) and writing (`produce --compression`) handle every codec Kafka uses:
 *
 *   snappy  kafkajs-snappy (pure JS; also reads the xerial framing Java producers write)
 *   lz4     lz4js (pure JS) — Kafka uses the LZ4 *frame* format with independent blocks (lz4CompressFrame)
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
  compressBound(n: number): number
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number
}

interface ZstdWasm {
  init(): Promise<void>
  compress(buf: Uint8Array, level?: number): Uint8Array
  decompress(buf: Uint8Array, opts?: {defaultHeapSize: number}): Uint8Array
}

const toBuffer = (bytes: Uint8Array | number[]): Buffer =>
  Array.isArray(bytes) ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const LZ4_MAGIC = 0x184d2204
const LZ4_BLOCK = 64 * 1024

/**
 * An LZ4 frame Kafka's brokers accept: lz4js' own compress() writes dependent blocks, which Kafka rejects
 * ("Dependent block stream is unsupported"). Here every 64 KiB block is compressed with a fresh hash table and
 * the frame declares block independence (FLG 0x60), as Java's KafkaLZ4BlockOutputStream does.
 */
export function lz4CompressFrame(src: Buffer, lz4: Lz4js, xxh32: (seed: number, b: Uint8Array, i: number, n: number) => number): Buffer {
  const blocks = Math.max(1, Math.ceil(src.length / LZ4_BLOCK))
  const out = Buffer.allocUnsafe(7 + blocks * (4 + lz4.compressBound(LZ4_BLOCK)) + 4)
  out.writeUInt32LE(LZ4_MAGIC, 0)
  out[4] = 0x60 // version 01, independent blocks, no checksums, no content size
  out[5] = 0x40 // block maximum 64 KiB
  out[6] = (xxh32(0, out, 4, 2) >> 8) & 0xff
  let pos = 7
  const scratch = new Uint8Array(lz4.compressBound(LZ4_BLOCK))
  for (let start = 0; start < src.length; start += LZ4_BLOCK) {
    const size = Math.min(LZ4_BLOCK, src.length - start)
    const compressed = lz4.compressBlock(src, scratch, start, size, new Uint32Array(1 << 16))
    if (compressed > 0 && compressed < size) {
      out.writeUInt32LE(compressed, pos)
      out.set(scratch.subarray(0, compressed), pos + 4)
      pos += 4 + compressed
    } else {
      out.writeUInt32LE((0x80000000 | size) >>> 0, pos)
      src.copy(out, pos + 4, start, start + size)
      pos += 4 + size
    }
  }
  out.writeUInt32LE(0, pos) // end mark
  return out.subarray(0, pos + 4)
}

export function lz4Codec(): KafkaCodec {
  const lz4 = require('lz4js') as Lz4js
  const {hash} = require('lz4js/xxh32.js') as {hash: (seed: number, b: Uint8Array, i: number, n: number) => number}
  return {
    async compress(encoder) {
      return lz4CompressFrame(encoder.buffer, lz4, hash)
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
