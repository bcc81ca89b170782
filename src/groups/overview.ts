/** The cluster look-ups behind `groups list` and `groups describe`. */
import {usageError} from '../errors.js'
import type {KafkaClient} from '../kafka/client.js'
import {describeGroups, fetchCommittedOffsets, listGroups, requireGroup} from '../kafka/groups.js'
import {type Watermark, fetchWatermarks} from '../kafka/offsets.js'
import {type GroupLag, computeLag} from './lag.js'

export interface GroupSummary {
  group: string
  state: string
  members: number
  protocolType: string
  protocol: string
  /** classic, or consumer (the new consumer protocol, KIP-848); absent when the broker does not tell. */
  type?: string
  topics: string[]
}

export function compileGroupFilter(pattern?: string): RegExp | undefined {
  if (!pattern) return undefined
  try {
    return new RegExp(pattern)
  } catch (error) {
    throw usageError(`'${pattern}' is not a regular expression: ${(error as Error).message}`, "e.g. kafkit groups list '^billing-'", 'BAD_REGEX')
  }
}

export async function summarizeGroups(client: KafkaClient, pattern?: string): Promise<GroupSummary[]> {
  const filter = compileGroupFilter(pattern)
  const listed = (await listGroups(client)).filter((g) => !filter || filter.test(g.groupId))
  const described = await describeGroups(
    client,
    listed.map((g) => g.groupId),
  )
  // A group's topics: what its members are assigned, else what it has committed (bounded concurrency). A group
  // made only by offset commits (kafka-consumer-groups, offsets reset --allow-new-group) has no protocol type.
  const summaries: GroupSummary[] = []
  const queue = [...described]
  const worker = async () => {
    for (let g = queue.shift(); g; g = queue.shift()) {
      let topics = [...new Set(g.members.flatMap((m) => m.assignment.map((a) => a.topic)))]
      if (topics.length === 0 && (g.protocolType === 'consumer' || g.protocolType === '')) topics = [...new Set((await fetchCommittedOffsets(client, g.groupId)).map((o) => o.topic))]
      summaries.push({group: g.groupId, state: g.state, members: g.members.length, protocolType: g.protocolType, protocol: g.protocol, ...(g.type ? {type: g.type} : {}), topics: topics.sort()})
    }
  }
  await Promise.all(Array.from({length: Math.min(8, queue.length)}, worker))
  return summaries.sort((a, b) => a.group.localeCompare(b.group))
}

/** The lag of one group (exit 3 when it does not exist). */
export async function describeGroupLag(client: KafkaClient, groupId: string): Promise<GroupLag> {
  const group = await requireGroup(client, groupId)
  const committed = await fetchCommittedOffsets(client, groupId)
  const topics = new Set(committed.map((c) => c.topic))
  for (const m of group.members) for (const a of m.assignment) topics.add(a.topic)
  const watermarks = new Map<string, Watermark[]>()
  await Promise.all(
    [...topics].map(async (t) => {
      // A topic deleted since the group committed to it has no log end: it shows without one.
      watermarks.set(t, await fetchWatermarks(client, t).catch(() => []))
    }),
  )
  return computeLag(group, committed, watermarks)
}
