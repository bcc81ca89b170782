/** DeleteRecords (kafkajs' admin.deleteTopicRecords): moves each partition's log start offset forward. */
import type {KafkaClient} from './client.js'
import {sessionOf} from './kafkajs/session.js'

export async function deleteRecordsBefore(client: KafkaClient, topic: string, partitions: {partition: number; offset: number}[]): Promise<void> {
  if (partitions.length === 0) return
  const admin = await sessionOf(client).admin()
  await client.call(`deleting records of '${topic}'`, () => admin.deleteTopicRecords({topic, partitions: partitions.map((p) => ({partition: p.partition, offset: String(p.offset)}))}))
}
