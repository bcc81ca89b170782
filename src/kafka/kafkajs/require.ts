/**
 * require() for kafkajs and its internal modules (`kafkajs/src/...`), the one way kafkit loads them.
 *
 * From source (tests, `tsc` output) this is Node's require. The bundled CLI carries kafkajs inside its bundle
 * (~60 ms less start-up per Kafka command than ~200 files from node_modules): scripts/bundle.mjs replaces this
 * module with a table of bundled requires built from every `requireKafkaJS('...')` call in dist/, so each id must
 * be a string literal, and with `KAFKAJS_BUNDLED = true` (patches.ts then installs its replacements
 * through a hook the bundle calls, not through Node's require cache).
 */
import {createRequire} from 'node:module'

export const requireKafkaJS = createRequire(import.meta.url) as (id: string) => unknown

export const KAFKAJS_BUNDLED: boolean = false

/** The kafkajs module's type (its public API). */
export type KafkaJS = typeof import('kafkajs')
