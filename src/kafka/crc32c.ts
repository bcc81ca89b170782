/**
 * kafkajs computes the CRC32C of every record batch it writes in pure JavaScript (~0.4 GB/s), a known hotspot of
 * JS producers. `@node-rs/crc32`'s `crc32c()` is native (prebuilt, SSE4.2/ARMv8 CRC instructions, several
 * GB/s). kafkajs has no hook for it, so the module `kafkajs/src/protocol/recordBatch/crc32C/index.js` is
 * pre-seeded in Node's require cache before kafkajs loads: kafkajs' `require('../crc32C')` then returns the
 * native function. Same contract as kafkajs' own module: bytes in, unsigned 32-bit CRC32C out.
 *
 * Must run before kafkajs is first loaded (loadKafkaJS() calls it). If anything is off (no prebuilt binary for
 * this platform, a different kafkajs layout) kafkajs keeps its own implementation: correctness never depends
 * on this.
 */
import {createRequire} from 'node:module'

let installed: boolean | undefined

export function installNativeCrc32C(): boolean {
  if (installed !== undefined) return installed
  installed = false
  if (process.env.KAFKIT_JS_CRC32C === '1') return installed // for before/after measurements
  try {
    const require = createRequire(import.meta.url)
    const path = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js')
    if (require.cache[path]) return installed // kafkajs already loaded it: too late, keep the JS one
    const {crc32c} = require('@node-rs/crc32') as {crc32c: (input: Uint8Array) => number}
    // Self-check against the CRC32C check value of "123456789" before trusting the binary.
    if (crc32c(Buffer.from('123456789')) >>> 0 !== 0xe3069283) return installed
    const Module = require('node:module') as {new (id: string): NodeJS.Module}
    const mod = new Module(path)
    mod.filename = path
    mod.loaded = true
    mod.exports = (buffer: Uint8Array) => crc32c(buffer) >>> 0
    require.cache[path] = mod
    installed = true
  } catch {
    installed = false
  }
  return installed
}
