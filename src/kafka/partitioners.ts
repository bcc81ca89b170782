/**
 * Key -> partition, byte-for-byte like the two client families people mix with kafkit:
 *
 * - `murmur2` (default): Kafka's Java producer (`BuiltInPartitioner.partitionForKey`):
 *   `(murmur2(key) & 0x7fffffff) % partitions`. Records written by kafkit and by any Java/Kotlin/Scala service
 *   with the default partitioner land on the same partition for the same key.
 * - `crc32`: librdkafka's `consistent_random` (the default of kcat, confluent-kafka-python/go/.NET):
 *   `crc32(key) % partitions`, the zlib CRC-32 (not Castagnoli). Empty keys count as "no key" there.
 *
 * Records without a key get `NO_KEY`; the writer spreads them itself (sticky per batch, like Java's
 * sticky partitioner), because where they go is not a parity question.
 */
import {crc32} from '@node-rs/crc32'

export type PartitionerName = 'murmur2' | 'crc32'
export const PARTITIONERS: readonly PartitionerName[] = ['murmur2', 'crc32']

/** Returned for records whose partition the key does not decide. */
export const NO_KEY = -1

export type KeyPartitioner = (key: Buffer | null, partitions: number) => number

/** Kafka's `Utils.murmur2` (Java `int` arithmetic, seed 0x9747b28c). Returns a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  const m = 0x5bd1e995
  let h = (0x9747b28c ^ length) | 0
  const length4 = length >>> 2
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m) ^ k
  }
  const tail = length & ~3
  switch (length & 3) {
    case 3:
      h ^= data[tail + 2] << 16
    // falls through
    case 2:
      h ^= data[tail + 1] << 8
    // falls through
    case 1:
      h ^= data[tail]
      h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

export const murmur2Partitioner: KeyPartitioner = (key, partitions) => (key === null ? NO_KEY : (murmur2(key) & 0x7fffffff) % partitions)

/** librdkafka `rd_kafka_msg_partitioner_consistent_random`: empty and null keys are "random". */
export const crc32Partitioner: KeyPartitioner = (key, partitions) => (key === null || key.length === 0 ? NO_KEY : (crc32(key) >>> 0) % partitions)

export function keyPartitioner(name: PartitionerName): KeyPartitioner {
  return name === 'crc32' ? crc32Partitioner : murmur2Partitioner
}
