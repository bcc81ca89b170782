/**
 * Replaces `Cluster.prototype.findLeaderForPartitions` (`kafkajs/src/cluster/index.js`), patched once kafkajs is
 * loaded.
 * Why: kafkajs searches the partition list and copies the result object for every partition, quadratic: ~15 ms
 * per call for a 1000-partition topic (`offsets reset` calls it twice, the reader once per fetch loop); this one
 * is linear with the same result.
 * Checked on: kafkajs 2.2.4. Pinned by: test/unit/kafkajs-patches.test.ts ("Cluster.findLeaderForPartitions").
 */
import {requireKafkaJS} from '../require.js'

interface LeaderLookup {
  findTopicPartitionMetadata(topic: string): {partitionId: number; leader?: number | null}[]
}
export type FindLeaders = (this: LeaderLookup, topic: string, partitions: (number | string)[]) => Record<string, number[]>

/** kafkajs' Cluster.findLeaderForPartitions, linear: node id -> partition ids, in the order given. */
export function findLeaderForPartitions(this: LeaderLookup, topic: string, partitions: (number | string)[]): Record<string, number[]> {
  const byId = new Map(this.findTopicPartitionMetadata(topic).map((p) => [p.partitionId, p]))
  const result: Record<string, number[]> = {}
  for (const id of partitions) {
    const partitionId = Number.parseInt(String(id), 10)
    const metadata = byId.get(partitionId)
    if (!metadata) continue
    if (metadata.leader === null || metadata.leader === undefined) {
      const {KafkaJSError} = requireKafkaJS('kafkajs/src/errors') as {KafkaJSError: new (message: string, extra?: object) => Error}
      throw new KafkaJSError('Invalid partition metadata', {topic, partitionId, metadata})
    }
    ;(result[metadata.leader] ??= []).push(partitionId)
  }
  return result
}

/** Installs it on kafkajs' Cluster class (idempotent). */
export function patchFindLeaders(): void {
  const Cluster = requireKafkaJS('kafkajs/src/cluster/index.js') as {prototype: {findLeaderForPartitions: FindLeaders}}
  if (Cluster.prototype.findLeaderForPartitions !== findLeaderForPartitions) Cluster.prototype.findLeaderForPartitions = findLeaderForPartitions
}
