import type {KafkaJS} from './client.js'

/**
 * Registers the compression codecs kafkajs lacks (snappy, lz4, zstd) with kafkajs' CompressionCodecs table.
 * kafkajs ships gzip only. Filled in by the produce issue; idempotent.
 */
export async function registerCodecs(_kafkajs: KafkaJS): Promise<void> {}
