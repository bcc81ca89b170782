/**
 * Resolving offset specs (src/specs/offset-spec.ts) against a cluster: watermarks, offsets at a time, and the
 * per-partition start / end offsets a reader uses. The arithmetic is pure (resolveStart / resolveEnd).
 */
import {usageError} from '../errors.js'
import type {OffsetSpec} from '../specs/offset-spec.js'
import type {KafkaClient} from './client.js'
import {createInternalCluster, listOffsetsOfTopics, partitionsByTopic} from './kafkajs/internals.js'
import {sessionOf} from './kafkajs/session.js'

export interface Watermark {
  partition: number
  /** Log start offset. */
  low: number
  /** Next offset to be written (the last stable offset for read-committed readers). */
  high: number
}

export async function fetchWatermarks(client: KafkaClient, topic: string): Promise<Watermark[]> {
  const admin = await sessionOf(client).admin()
  const offsets = await client.call(`reading offsets of '${topic}'`, () => admin.fetchTopicOffsets(topic))
  return offsets.map((o) => ({partition: o.partition, low: Number(o.low), high: Number(o.high)})).sort((a, b) => a.partition - b.partition)
}

/**
 * Watermarks of many topics in one round, on a connection of its own: one Metadata request, then one ListOffsets
 * per leader for the starts and one for the ends, however many topics (fetchWatermarks per topic costs a metadata
 * refresh and two requests per topic: minutes at thousands of topics). Unknown topics are left out.
 * With `timestamp`, also the first offset at or after it (the high watermark when there is none), per partition.
 */
export async function fetchWatermarksOf(client: KafkaClient, topics: string[], timestamp?: number): Promise<{watermarks: Map<string, Watermark[]>; atTime: Map<string, Map<number, number>>}> {
  const cluster = createInternalCluster(sessionOf(client).kafka)
  client.registerCluster(cluster)
  try {
    await client.call('reading topic metadata', async () => {
      await cluster.connect()
      await cluster.addMultipleTargetTopics([...new Set(topics)])
    })
    const partitions = partitionsByTopic(cluster)
    const targets = topics.filter((t) => partitions.has(t)).map((topic) => ({topic, partitions: partitions.get(topic)!}))
    const [low, high, at] = await client.call(topics.length === 1 ? `reading offsets of '${topics[0]}'` : `reading offsets of ${topics.length} topics`, () =>
      Promise.all([
        listOffsetsOfTopics(cluster, targets, 'earliest'),
        listOffsetsOfTopics(cluster, targets, 'latest'),
        timestamp === undefined ? undefined : listOffsetsOfTopics(cluster, targets, timestamp),
      ]),
    )
    const watermarks = new Map<string, Watermark[]>()
    const atTime = new Map<string, Map<number, number>>()
    for (const {topic, partitions: ids} of targets) {
      watermarks.set(
        topic,
        ids.map((partition) => ({partition, low: low.get(topic)?.get(partition) ?? 0, high: high.get(topic)?.get(partition) ?? 0})),
      )
      if (at) atTime.set(topic, new Map(ids.map((p) => [p, (at.get(topic)?.get(p) ?? -1) < 0 ? (high.get(topic)?.get(p) ?? 0) : at.get(topic)!.get(p)!])))
    }
    return {watermarks, atTime}
  } finally {
    await cluster.disconnect().catch(() => undefined)
  }
}

/** The first offset whose timestamp is >= `timestamp`, per partition (the high watermark when none is). */
export async function fetchOffsetsAtTime(client: KafkaClient, topic: string, timestamp: number): Promise<Map<number, number>> {
  const admin = await sessionOf(client).admin()
  const offsets = await client.call(`reading offsets of '${topic}' at a time`, () => admin.fetchTopicOffsetsByTimestamp(topic, timestamp))
  return new Map(offsets.map((o) => [o.partition, Number(o.offset)]))
}

export interface ResolveInputs {
  watermark: Watermark
  /** Offset at the spec's time (for `time` specs). */
  atTime?: number
  /** The group's committed offset (for `stored`), undefined when it has none. */
  committed?: number
}

/** Where reading starts in one partition (clamped to the log: an offset below the start reads from the start). */
export function resolveStart(spec: OffsetSpec, inputs: ResolveInputs): number {
  const {low, high} = inputs.watermark
  const clamp = (o: number) => Math.min(Math.max(o, low), high)
  switch (spec.kind) {
    case 'beginning':
      return low
    case 'end':
      return high
    case 'stored':
      return inputs.committed === undefined || inputs.committed < 0 ? high : clamp(inputs.committed)
    case 'offset':
      return clamp(spec.offset)
    case 'fromEnd':
      return clamp(high - spec.count)
    case 'time':
      return clamp(inputs.atTime ?? high)
  }
}

/**
 * Where reading stops in one partition, exclusive: a closed window `FROM:TO` includes offset TO, and records
 * stamped exactly at time TO (so `atTime` must be the offset at TO + 1 ms).
 */
export function resolveEnd(spec: OffsetSpec, inputs: ResolveInputs): number {
  if (spec.kind === 'stored') throw usageError("'stored' cannot end a window", 'end with an offset, a time or end')
  // Everything else ends where it would start, except an offset: TO itself is inside the window.
  return resolveStart(spec.kind === 'offset' ? {kind: 'offset', offset: spec.offset + 1} : spec, inputs)
}

/** Start (or end) offsets of every partition of a topic for a spec, with the cluster look-ups it needs. */
export async function resolveSpec(
  client: KafkaClient,
  topic: string,
  spec: OffsetSpec,
  role: 'start' | 'end',
  options: {watermarks?: Watermark[]; committed?: Map<number, number>} = {},
): Promise<Map<number, number>> {
  const watermarks = options.watermarks ?? (await fetchWatermarks(client, topic))
  const atTime = spec.kind === 'time' ? await fetchOffsetsAtTime(client, topic, role === 'end' ? spec.timestamp + 1 : spec.timestamp) : undefined
  const resolve = role === 'start' ? resolveStart : resolveEnd
  return new Map(watermarks.map((w) => [w.partition, resolve(spec, {watermark: w, atTime: atTime?.get(w.partition), committed: options.committed?.get(w.partition)})]))
}
