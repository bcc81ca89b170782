/**
 * Replaces kafkajs' CRC32C (`kafkajs/src/protocol/recordBatch/crc32C/index.js`).
 * Why: kafkajs' is pure JS (~0.4 GB/s); `@node-rs/crc32` `crc32c()` is native and prebuilt (several GB/s). It is
 * trusted only after it gives the check value of "123456789"; without a binary for the platform kafkajs' stays.
 * Checked on: kafkajs 2.2.4. Pinned by: test/unit/kafkajs-patches.test.ts ('CRC32C: the check value of "123456789"').
 */

export type Crc32c = (input: Uint8Array) => number

/** A loader of the native CRC32C: undefined until first asked, then the function, or null when there is none. */
export function nativeCrc32c(require: NodeJS.Require): () => Crc32c | null {
  let native: Crc32c | null | undefined
  return () => {
    if (native !== undefined) return native
    native = null
    try {
      const {crc32c} = require('@node-rs/crc32') as {crc32c: Crc32c}
      // The CRC32C check value of "123456789", before trusting the binary.
      if (crc32c(Buffer.from('123456789')) >>> 0 === 0xe3069283) native = (buffer: Uint8Array) => crc32c(buffer) >>> 0
    } catch {
      // no prebuilt binary for this platform: kafkajs' JS CRC32C stays
    }
    return native
  }
}
