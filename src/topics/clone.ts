/** `topics clone`: the destination topic's shape from the source's. Pure. */
import type {TopicDescription} from './summary.js'

export interface TopicClonePlan {
  source: string
  dest: string
  partitions: number
  replicationFactor: number
  /** The source topic's own overrides (not broker or cluster values, which the destination has its own of). */
  configs: Record<string, string>
  warnings: string[]
}

export function planTopicClone(source: TopicDescription, dest: string, destBrokers: number): TopicClonePlan {
  const warnings: string[] = []
  const replicationFactor = Math.min(source.replicationFactor, destBrokers)
  if (replicationFactor < source.replicationFactor) warnings.push(`replication factor ${source.replicationFactor} lowered to ${replicationFactor}: the destination has ${destBrokers} broker(s)`)
  const configs: Record<string, string> = {}
  for (const c of source.configs) {
    if (c.source !== 'topic') continue
    if (c.sensitive || c.value === null) {
      warnings.push(`config '${c.name}' is sensitive and not copied`)
      continue
    }
    configs[c.name] = c.value
  }
  return {source: source.name, dest, partitions: source.partitions, replicationFactor, configs, warnings}
}
