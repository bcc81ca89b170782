import type {ITopicMetadata} from './kafkajs/session.js'

import {KafkitError, notFoundError} from '../errors.js'
import {closest} from '../util/strings.js'
import type {KafkaClient} from './client.js'
import {sessionOf} from './kafkajs/session.js'

export interface TopicPartitions {
  topic: string
  partitions: {partition: number; leader: number; replicas: number[]; isr: number[]; offlineReplicas?: number[]}[]
}

/** Metadata of every topic (one request; unknown topics are not retried the way kafkajs retries a named one). */
export async function allTopicMetadata(client: KafkaClient): Promise<TopicPartitions[]> {
  const admin = await sessionOf(client).admin()
  const {topics} = await client.call('reading topic metadata', () => admin.fetchTopicMetadata())
  return topics.map(toTopicPartitions)
}

export function toTopicPartitions(t: ITopicMetadata): TopicPartitions {
  return {topic: t.name, partitions: sortedPartitions(t.partitions)}
}

/** kafkajs' partition metadata (admin or cluster) as kafkit's, sorted by partition. */
export function sortedPartitions(partitions: {partitionId: number; leader: number; replicas: number[]; isr: number[]; offlineReplicas?: number[]}[]): TopicPartitions['partitions'] {
  return partitions.map((p) => ({partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas})).sort((a, b) => a.partition - b.partition)
}

/**
 * The metadata of the named topics; an unknown name is exit 3 with the closest existing name as a hint. Asks
 * for the named topics only (a cluster of thousands of topics answers in kilobytes, not megabytes); every topic
 * is read only to find that hint.
 */
export async function requireTopics(client: KafkaClient, names: string[]): Promise<TopicPartitions[]> {
  const admin = await sessionOf(client).admin()
  const named = await client
    .call('reading topic metadata', () => admin.fetchTopicMetadata({topics: [...new Set(names)]}))
    .catch((error: unknown) => {
      if (error instanceof KafkitError && error.code === 'TOPIC_NOT_FOUND') return undefined
      throw error
    })
  const all = named ? named.topics.map(toTopicPartitions) : await allTopicMetadata(client)
  const byName = new Map(all.map((t) => [t.topic, t]))
  return names.map((name) => {
    const found = byName.get(name)
    if (!found) throw unknownTopic(name, [...byName.keys()])
    return found
  })
}

/** A topic that existed when reading started and is gone now: exit 3 at once rather than a timeout. */
export function topicDeletedError(topics: string[]) {
  return notFoundError(
    'TOPIC_DELETED',
    `topic '${topics.join("', '")}' was deleted while it was being read`,
    'the records printed before it went are complete; `kafkit topics list` shows what exists now',
  )
}

export function unknownTopic(name: string, existing: string[]) {
  const close = closest(
    name,
    existing.filter((n) => !n.startsWith('__')),
  )
  return notFoundError(
    'TOPIC_NOT_FOUND',
    `topic '${name}' does not exist`,
    close ? `did you mean '${close}'? (kafkit topics list)` : "list topics with 'kafkit topics list', create one with 'kafkit topics create'",
  )
}
