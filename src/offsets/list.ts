/** `offsets list`: earliest, latest and (with --at) the offset at a time, per partition. */
import type {KafkaClient} from '../kafka/client.js'
import {requireTopics} from '../kafka/metadata.js'
import {fetchOffsetsAtTime, fetchWatermarks} from '../kafka/offsets.js'

export interface TopicOffsetsRow {
  topic: string
  partition: number
  earliest: number
  latest: number
  /** Records in the log now (latest - earliest; compaction and transaction markers make it an upper bound). */
  records: number
  /** First offset at or after --at (latest when no record is that new); absent without --at. */
  atTime?: number
}

export interface TopicOffsets {
  at?: string
  partitions: TopicOffsetsRow[]
}

export async function listTopicOffsets(client: KafkaClient, topics: string[], at?: number): Promise<TopicOffsets> {
  await requireTopics(client, topics)
  const perTopic = await Promise.all(
    topics.map(async (topic) => {
      const [watermarks, atTime] = await Promise.all([fetchWatermarks(client, topic), at === undefined ? undefined : fetchOffsetsAtTime(client, topic, at)])
      return watermarks.map((w) => ({
        topic,
        partition: w.partition,
        earliest: w.low,
        latest: w.high,
        records: Math.max(0, w.high - w.low),
        ...(atTime ? {atTime: atTime.get(w.partition) ?? w.high} : {}),
      }))
    }),
  )
  return {...(at === undefined ? {} : {at: new Date(at).toISOString()}), partitions: perTopic.flat()}
}
