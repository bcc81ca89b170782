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
  // More in-sync replicas than replicas: no write with acks=all would ever succeed.
  const minIsr = Number(configs['min.insync.replicas'])
  if (Number.isFinite(minIsr) && minIsr > replicationFactor) {
    configs['min.insync.replicas'] = String(replicationFactor)
    warnings.push(`min.insync.replicas ${minIsr} lowered to ${replicationFactor}: the copy has ${replicationFactor} replica(s)`)
  }
  return {source: source.name, dest, partitions: source.partitions, replicationFactor, configs, warnings}
}

/**
 * Configs that can refuse or rewrite what the copy of SRC's records writes: compaction (records without a key),
 * the in-sync replicas acks=all waits for, the timestamp type (LogAppendTime would restamp every record) and the
 * timestamp bounds (old records). `topics clone --data` creates DEST without them and sets them once the records
 * are in, so that DEST ends up with SRC's records and SRC's configs.
 */
export const DEFERRED_CLONE_CONFIGS = new Set([
  'cleanup.policy',
  'min.insync.replicas',
  'message.timestamp.type',
  'message.timestamp.difference.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.after.max.ms',
])

/** The configs to create DEST with, and those set after the records are copied. */
export function splitCloneConfigs(configs: Record<string, string>): {create: Record<string, string>; after: Record<string, string>} {
  const create: Record<string, string> = {}
  const after: Record<string, string> = {}
  for (const [k, v] of Object.entries(configs)) (DEFERRED_CLONE_CONFIGS.has(k) ? after : create)[k] = v
  return {create, after}
}
