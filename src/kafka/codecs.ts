/**
 * Compression codecs kafkajs lacks (it ships gzip only), registered into its CompressionCodecs table so that both
 * reading (consume, replay) and writing (`produce --compression`) handle every codec Kafka uses:
 *
 *   snappy  kafkajs-snappy (pure JS; also reads the xerial framing Java producers write)
 *   lz4     lz4js (pure JS) — Kafka uses the LZ4 *frame* format, which lz4js reads and writes
 *   zstd    @bokuweb/zstd-wasm (WASM, initialised asynchronously once)
 *
 * Every codec is loaded only when registerCodecs runs (createClient does, once per process).
 */
import {createRequire} from 'node:module'

import type {KafkaJS} from './client.js'

const require = createRequire(import.meta.url)

/** kafkajs' codec shape: `compress` receives its Encoder (bytes in `.buffer`), `decompress` a Buffer. */
export interface KafkaCodec {
  compress(encoder: {buffer: Buffer}): Promise<Buffer>
  decompress(buffer: Buffer): Promise<Buffer>
}

type CodecFactory = () => KafkaCodec

interface Lz4js {
  compress(src: Uint8Array, maxSize?: number): Uint8Array | number[]
  decompress(src: Uint8Array, maxSize?: number): Uint8Array | number[]
}

interface ZstdWasm {
  init(): Promise<void>
  compress(buf: Uint8Array, level?: number): Uint8Array
  decompress(buf: Uint8Array, opts?: {defaultHeapSize: number}): Uint8Array
}

const toBuffer = (bytes: Uint8Array | number[]): Buffer =>
  Array.isArray(bytes) ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export function lz4Codec(): KafkaCodec {
  const lz4 = require('lz4js') as Lz4js
  return {
    async compress(encoder) {
      return toBuffer(lz4.compress(encoder.buffer))
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

/** Registers snappy, lz4 and zstd with kafkajs. Idempotent; concurrent callers share one initialisation. */
export function registerCodecs(kafkajs: KafkaJS): Promise<void> {
  registered ??= (async () => {
    const {CompressionCodecs, CompressionTypes} = kafkajs
    const codecs = CompressionCodecs as unknown as Record<number, CodecFactory>
    // kafkajs-snappy exports the factory itself.
    codecs[CompressionTypes.Snappy] = require('kafkajs-snappy') as CodecFactory
    const lz4 = lz4Codec()
    codecs[CompressionTypes.LZ4] = () => lz4
    const zstd = lazyZstd()
    codecs[CompressionTypes.ZSTD] = () => zstd
  })()
  return registered
}
