/**
 * Speed-ups for kafkajs, installed before kafkajs loads (loadKafkaJS() calls installKafkaJSPatches()): through
 * a hook the bundled kafkajs calls (scripts/bundle.mjs), or by seeding Node's require cache when kafkajs comes
 * from node_modules (tests, `tsc` output). kafkajs has no hooks for any of them. Each replacement produces
 * byte-identical output (the record encoder is compared with kafkajs' own at first use, everything in
 * test/unit/produce-encoding.test.ts); if anything is off, kafkajs' own module is used: correctness never
 * depends on these.
 *
 * 1. CRC32C (`protocol/recordBatch/crc32C`): kafkajs' is pure JS (~0.4 GB/s); `@node-rs/crc32` `crc32c()` is
 *    native and prebuilt (several GB/s).
 * 2. Record encoding (`protocol/recordBatch/record/v0`): kafkajs allocates a zeroed 512-byte Encoder per record
 *    and a temporary array + Buffer per varint; this one writes each record into a shared slab with one size
 *    computation (a large share of kafkajs' per-record cost and of its garbage).
 * 3. The Produce request (`protocol/requests/produce/v3/request`, which v4-v7 reuse), uncompressed: kafkajs builds
 *    an object and an Encoder per record and copies each batch several times; this one sizes the whole request
 *    first and writes every record batch straight into one buffer (compressed requests go to kafkajs' own).
 * 4. Grouping by partition (`producer/groupMessagesPerPartition`): kafkajs copies the partition's array for every
 *    message (`[...current, message]`), quadratic in the batch size; this one appends.
 * 5. Request framing (`protocol/request.js`): kafkajs copies every request body twice into zero-filled buffers
 *    grown to the next power of two (~100 ms per 100 MB produced); this one allocates once and copies the body
 *    once, or not at all when the body was encoded with room for the header in front (the fast Produce request).
 * 6. Leaders per partition (`Cluster.prototype.findLeaderForPartitions`, patched once kafkajs is loaded): kafkajs
 *    searches the partition list and copies the result object for every partition, quadratic: ~15 ms per call
 *    for a 1000-partition topic (`offsets reset` calls it twice, the reader once per fetch loop); this one is
 *    linear with the same result.
 * 7. Metadata refreshes without target topics (`BrokerPool.prototype.refreshMetadata`, `Encoder` for that one
 *    request): ask for no topic instead of every topic (see NO_TOPICS).
 * 8. Per-partition produce outcomes (`producer/sendMessages`, patches/send-messages.ts): not a speed-up but what
 *    the writer's delivered/failed counts rest on; installed even with KAFKIT_KAFKAJS_PATCHES=0.
 *
 * KAFKIT_KAFKAJS_PATCHES=0 turns 1-7 off (before/after measurements).
 *
 * Each replacement is in a file of its own under patches/ (what it replaces, why, the kafkajs version it was
 * checked on, the test that pins it); this file installs them. docs/ARCHITECTURE.md lists them.
 */
import {createRequire} from 'node:module'

import {KAFKAJS_BUNDLED, requireKafkaJS} from './require.js'
import {nativeCrc32c} from './patches/crc32c.js'
import {patchFindLeaders} from './patches/find-leaders.js'
import {type EncoderClass, frameRequest} from './patches/framing.js'
import {groupMessagesPerPartition} from './patches/grouping.js'
import {patchMetadataRefresh} from './patches/metadata-no-topics.js'
import {fastProduceRequest, type ProduceArgs, type ProduceRequestFactory} from './patches/produce-request.js'
import {createSendMessages, markProduceOutcomesInstalled} from './patches/send-messages.js'
import {type EncodedRecord, encodeRecord, type RecordInput, sameAsOriginal} from './patches/record-encoder.js'

// What the tests and the writer use of the replacements.
export {encodeProduceBody, fastProduceRequest, type ProduceArgs} from './patches/produce-request.js'
export {encodeRecord, type EncodedRecord} from './patches/record-encoder.js'
export {findLeaderForPartitions} from './patches/find-leaders.js'
export {frameRequest} from './patches/framing.js'
export {groupMessagesPerPartition} from './patches/grouping.js'
export {NO_TOPICS} from './patches/metadata-no-topics.js'

type PatchName = 'crc32c' | 'record' | 'grouping' | 'produce' | 'framing' | 'sendMessages'
type Installed = Record<PatchName, boolean>
let installed: Installed | undefined
let fastProduceReady = (): boolean => false

/** The kafkajs modules replaced, by the id the bundle's hook passes (scripts/bundle.mjs appends the hook call). */
export const REPLACED_MODULES: Record<PatchName, string> = {
  crc32c: 'kafkajs/src/protocol/recordBatch/crc32C/index.js',
  record: 'kafkajs/src/protocol/recordBatch/record/v0/index.js',
  produce: 'kafkajs/src/protocol/requests/produce/v3/request.js',
  grouping: 'kafkajs/src/producer/groupMessagesPerPartition.js',
  framing: 'kafkajs/src/protocol/request.js',
  sendMessages: 'kafkajs/src/producer/sendMessages.js',
}

/** Where the bundled kafkajs looks for replacements: `(id, exports) => replacement` (see scripts/bundle.mjs). */
export const REPLACE_HOOK = Symbol.for('kafkit.kafkajs.replace')

/**
 * True when uncompressed Produce requests are written by kafkit's encoder, the only one that understands record
 * runs (record-runs.ts). Loads the native CRC32C and checks the record encoder on first call.
 */
export function preEncodedRecordsReady(): boolean {
  return fastProduceReady()
}

/**
 * Puts the replacements in place before kafkajs loads; cheap. Bundled, kafkajs hands each replaced module's
 * exports to REPLACE_HOOK as it loads; from node_modules, the replacements are seeded in Node's require cache. The
 * costly parts (loading the native CRC32C, comparing the record encoder with kafkajs' own) happen on first use,
 * i.e. only in commands that produce: every other command starts ~25 ms sooner. `installed` says which modules
 * were replaced, not yet which replacements won.
 */
export function installKafkaJSPatches(): Installed {
  if (installed) return installed
  installed = {crc32c: false, record: false, grouping: false, produce: false, framing: false, sendMessages: false}
  const require = createRequire(import.meta.url)

  const nativeCrc = nativeCrc32c(require)
  let recordOk: boolean | undefined
  let originalRecord: (() => unknown) | undefined
  const recordPatched = () => {
    if (recordOk === undefined) {
      // Bundled, kafkajs' modules load on first require: this one hands its original over as it loads.
      if (!originalRecord) requireKafkaJS('kafkajs/src/protocol/recordBatch/record/v0/index.js')
      recordOk = originalRecord !== undefined && sameAsOriginal(originalRecord() as (r: RecordInput) => {buffer: Buffer})
    }
    return recordOk
  }
  const encoder = () => requireKafkaJS('kafkajs/src/protocol/encoder.js') as EncoderClass
  /** Each replacement, given a way to reach kafkajs' own module. */
  const replacements: Record<PatchName, (original: () => unknown) => unknown> = {
    crc32c: (original) => {
      let crc: ((input: Uint8Array) => number) | undefined
      return (input: Uint8Array) => (crc ??= nativeCrc() ?? (original() as (input: Uint8Array) => number))(input)
    },
    record: (original) => {
      originalRecord = original
      return (r: RecordInput) => (recordPatched() ? encodeRecord(r) : (original() as (r: RecordInput) => EncodedRecord)(r))
    },
    produce: (original) => (args: ProduceArgs) => {
      const crc = nativeCrc()
      return args.compression || !crc || !recordPatched() ? (original() as ProduceRequestFactory)(args) : fastProduceRequest(args, encoder(), crc)
    },
    grouping: () => groupMessagesPerPartition,
    // Byte-identical to kafkajs' framing: checked in test/unit/produce-encoding.test.ts (it is async, so not here).
    framing: () => frameRequest(encoder()),
    sendMessages: () => createSendMessages,
  }
  // The speed-ups can be turned off; per-partition produce outcomes cannot (the writer's counts depend on them).
  const names = process.env.KAFKIT_KAFKAJS_PATCHES === '0' ? (['sendMessages'] as PatchName[]) : (Object.keys(replacements) as PatchName[])
  if (KAFKAJS_BUNDLED) {
    const byId = new Map(names.map((name) => [REPLACED_MODULES[name], replacements[name]]))
    ;(globalThis as Record<symbol, unknown>)[REPLACE_HOOK] = (id: string, exports: unknown) => {
      const make = byId.get(id)
      return make ? make(() => exports) : exports
    }
    for (const name of names) installed[name] = true
  } else {
    for (const name of names) installed[name] = seedRequireCache(require, REPLACED_MODULES[name], replacements[name])
  }
  if (installed.sendMessages) markProduceOutcomesInstalled()
  if (installed.produce && installed.grouping) fastProduceReady = () => nativeCrc() !== null && recordPatched()
  return installed
}

/** Puts `make(original)` in Node's require cache for `id`; `original()` loads kafkajs' own module (on demand, once). */
function seedRequireCache(require: NodeJS.Require, id: string, make: (original: () => unknown) => unknown): boolean {
  try {
    const Module = require('node:module') as {new (id: string): NodeJS.Module}
    const path = require.resolve(id)
    if (require.cache[path]) return false // kafkajs already loaded: too late, keep its module
    let originalExports: unknown
    const original = () => {
      if (originalExports === undefined) {
        const mine = require.cache[path]
        delete require.cache[path]
        try {
          originalExports = require(path)
        } finally {
          require.cache[path] = mine
        }
      }
      return originalExports
    }
    const mod = new Module(path)
    mod.filename = path
    mod.loaded = true
    mod.exports = make(original)
    require.cache[path] = mod
    return true
  } catch {
    return false
  }
}

/** Patches that replace methods of kafkajs classes; call once kafkajs is loaded (idempotent). */
export function patchKafkaJSClasses(): boolean {
  if (process.env.KAFKIT_KAFKAJS_PATCHES === '0') return false
  try {
    patchFindLeaders()
    patchMetadataRefresh()
    return true
  } catch {
    return false
  }
}
