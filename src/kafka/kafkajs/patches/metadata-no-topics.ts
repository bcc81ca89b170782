/**
 * Patches `BrokerPool.prototype.refreshMetadata` (`kafkajs/src/cluster/brokerPool.js`) and, for that one request,
 * `Encoder.prototype.writeNullableArray` (`kafkajs/src/protocol/encoder.js`), once kafkajs is loaded.
 * Why: see NO_TOPICS below.
 * Checked on: kafkajs 2.2.4. Pinned by: test/unit/architecture-patches.test.ts (installed on kafkajs' classes; the
 * empty topic list is written as an empty array, any other as kafkajs writes it).
 */
import {requireKafkaJS} from '../require.js'

/**
 * The topic list of a metadata refresh that has no target topics: none. kafkajs writes an empty topic list as
 * null, which Kafka reads as "every topic", so a producer's or an admin's first refresh (before any topic is a
 * target) listed the whole cluster: ~90 KB decoded 2-3 times per command on a broker with 500 topics, megabytes
 * on a large cluster. Explicit "all topics" requests (`topics list`, `admin.fetchTopicMetadata()`, regex
 * subscriptions) do not go through BrokerPool.refreshMetadata and are unchanged.
 */
export const NO_TOPICS: readonly string[] = Object.freeze([])

interface EncoderProto {
  writeNullableArray(this: EncoderProto, array: readonly unknown[], type?: string): EncoderProto
  writeArray(this: EncoderProto, array: readonly unknown[], type?: string, length?: number): EncoderProto
}
interface BrokerPoolProto {
  refreshMetadata(this: BrokerPoolProto, topics: readonly string[]): Promise<void>
  kafkitNoTopics?: true
}

/** Installs the patch (idempotent). */
export function patchMetadataRefresh(): void {
  const pool = (requireKafkaJS('kafkajs/src/cluster/brokerPool.js') as {prototype: BrokerPoolProto}).prototype
  const encoder = (requireKafkaJS('kafkajs/src/protocol/encoder.js') as {prototype: EncoderProto}).prototype
  if (!pool.kafkitNoTopics && typeof pool.refreshMetadata === 'function' && typeof encoder.writeNullableArray === 'function' && typeof encoder.writeArray === 'function') {
    const refresh = pool.refreshMetadata
    const writeNullableArray = encoder.writeNullableArray
    // kafkajs' shuffle() returns arrays shorter than 2 as they are, so NO_TOPICS reaches the encoder itself.
    encoder.writeNullableArray = function (array, type) {
      return array === NO_TOPICS ? this.writeArray(array, type, 0) : writeNullableArray.call(this, array, type)
    }
    pool.refreshMetadata = function (topics) {
      return refresh.call(this, topics.length === 0 ? NO_TOPICS : topics)
    }
    pool.kafkitNoTopics = true
  }
}
