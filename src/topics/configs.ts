/**
 * Topic-level configs: which keys exist, what kind of value each takes, and the translation from what a person
 * writes (`retention.ms=7d`, `retention.bytes=1GiB`, `cleanup.policy=both`) to what Kafka stores. Pure.
 */
import {usageError} from '../errors.js'
import {closest} from '../util/strings.js'
import {formatHumanDuration, formatSize, parseHumanDuration, parseSize} from './human.js'

export type ConfigKind = 'duration' | 'size' | 'int' | 'ratio' | 'boolean' | 'enum' | 'enum-list' | 'list'

export interface ConfigSpec {
  kind: ConfigKind
  values?: string[]
  /** `-1` means forever / unlimited for this key. */
  unlimited?: boolean
}

/** Kafka 3.x / 4.x topic configs (org.apache.kafka.common.config.TopicConfig). */
export const TOPIC_CONFIGS: Record<string, ConfigSpec> = {
  'cleanup.policy': {kind: 'enum-list', values: ['delete', 'compact']},
  'compression.type': {kind: 'enum', values: ['producer', 'uncompressed', 'zstd', 'lz4', 'snappy', 'gzip']},
  'compression.gzip.level': {kind: 'int'},
  'compression.lz4.level': {kind: 'int'},
  'compression.zstd.level': {kind: 'int'},
  'delete.retention.ms': {kind: 'duration'},
  'file.delete.delay.ms': {kind: 'duration'},
  'flush.messages': {kind: 'int'},
  'flush.ms': {kind: 'duration'},
  'follower.replication.throttled.replicas': {kind: 'list'},
  'index.interval.bytes': {kind: 'size'},
  'leader.replication.throttled.replicas': {kind: 'list'},
  'local.retention.bytes': {kind: 'size', unlimited: true},
  'local.retention.ms': {kind: 'duration', unlimited: true},
  'max.compaction.lag.ms': {kind: 'duration'},
  'max.message.bytes': {kind: 'size'},
  'message.downconversion.enable': {kind: 'boolean'},
  'message.format.version': {kind: 'list'},
  'message.timestamp.after.max.ms': {kind: 'duration'},
  'message.timestamp.before.max.ms': {kind: 'duration'},
  'message.timestamp.difference.max.ms': {kind: 'duration'},
  'message.timestamp.type': {kind: 'enum', values: ['CreateTime', 'LogAppendTime']},
  'min.cleanable.dirty.ratio': {kind: 'ratio'},
  'min.compaction.lag.ms': {kind: 'duration'},
  'min.insync.replicas': {kind: 'int'},
  preallocate: {kind: 'boolean'},
  'remote.log.copy.disable': {kind: 'boolean'},
  'remote.log.delete.on.disable': {kind: 'boolean'},
  'remote.storage.enable': {kind: 'boolean'},
  'retention.bytes': {kind: 'size', unlimited: true},
  'retention.ms': {kind: 'duration', unlimited: true},
  'segment.bytes': {kind: 'size'},
  'segment.index.bytes': {kind: 'size'},
  'segment.jitter.ms': {kind: 'duration'},
  'segment.ms': {kind: 'duration'},
  'unclean.leader.election.enable': {kind: 'boolean'},
}

export const KNOWN_TOPIC_CONFIG_KEYS = Object.keys(TOPIC_CONFIGS)

/**
 * Refuses a key that is not a topic config, naming the closest valid one. `validKeys` is the cluster's own list
 * when we have it (describeConfigs of the topic), else the built-in catalogue.
 */
export function checkConfigKey(key: string, validKeys: Iterable<string> = KNOWN_TOPIC_CONFIG_KEYS): void {
  const keys = [...validKeys]
  if (keys.includes(key)) return
  const near = closestKey(key, keys)
  throw usageError(
    `unknown topic config '${key}'`,
    near ? `did you mean '${near}'?` : 'see the topic configs in the Kafka docs, or `kafkit topics describe TOPIC` for the current ones',
    'UNKNOWN_CONFIG',
  )
}

/** Closest by edit distance, also trying the key with `_`/`-` read as `.` (`retention_ms`, `retention-ms`). */
export function closestKey(key: string, keys: string[]): string | undefined {
  const dotted = key.toLowerCase().replaceAll(/[_-]/g, '.')
  if (keys.includes(dotted)) return dotted
  return closest(dotted, keys) ?? keys.find((k) => k.startsWith(dotted + '.') || k.endsWith('.' + dotted))
}

/** `k=v` flag values -> ordered pairs; a missing `=` or an empty key is a usage error. */
export function parseAssignments(items: string[], flag = '--config'): [string, string][] {
  return items.map((item) => {
    const eq = item.indexOf('=')
    if (eq <= 0) throw usageError(`${flag} '${item}' is not key=value`, `e.g. ${flag} retention.ms=7d`, 'BAD_CONFIG')
    return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()]
  })
}

/**
 * What Kafka stores for a value a person wrote: durations and sizes in human units, `forever`/`unlimited`,
 * booleans as yes/no, enums case-insensitively, `both` for cleanup.policy. Unknown keys pass through unchanged.
 */
export function normalizeConfigValue(key: string, raw: string | number | boolean): string {
  const spec = TOPIC_CONFIGS[key]
  const text = String(raw).trim()
  if (!spec) return text
  const bad = (hint: string) => usageError(`bad value '${text}' for ${key}`, hint, 'BAD_CONFIG_VALUE')
  switch (spec.kind) {
    case 'duration':
      return String(parseHumanDuration(text, key, Boolean(spec.unlimited)))
    case 'size': {
      if (spec.unlimited && ['unlimited', 'infinite', 'none'].includes(text.toLowerCase())) return '-1'
      if (/^-\d+$/.test(text)) return text
      return String(parseSize(text, key))
    }
    case 'int':
      if (!/^-?\d+$/.test(text)) throw bad('expected a whole number')
      return text
    case 'ratio':
      if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(text)) throw bad('expected a number between 0 and 1, e.g. 0.5')
      return text
    case 'boolean': {
      const lower = text.toLowerCase()
      if (['true', 'yes', 'on'].includes(lower)) return 'true'
      if (['false', 'no', 'off'].includes(lower)) return 'false'
      throw bad('expected true or false')
    }
    case 'enum': {
      const found = spec.values!.find((v) => v.toLowerCase() === text.toLowerCase())
      if (!found) throw bad(`one of: ${spec.values!.join(', ')}`)
      return found
    }
    case 'enum-list': {
      const parts = text.toLowerCase() === 'both' ? spec.values! : text.split(',').map((p) => p.trim())
      const canon = parts.map((p) => spec.values!.find((v) => v.toLowerCase() === p.toLowerCase()))
      if (parts.length === 0 || canon.some((c) => !c)) throw bad(`one or more of: ${spec.values!.join(', ')} (comma-separated), or both`)
      // A stable order, so that `delete,compact` and `compact,delete` compare equal in plans.
      return [...new Set(canon as string[])].sort().join(',')
    }
    case 'list':
      return text
  }
}

/** Whether two stored values mean the same (list order of cleanup.policy does not matter). */
export function sameConfigValue(key: string, a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === b) return true
  if (a == null || b == null) return false
  if (TOPIC_CONFIGS[key]?.kind === 'enum-list') {
    const norm = (v: string) =>
      v
        .split(',')
        .map((p) => p.trim())
        .sort()
        .join(',')
    return norm(a) === norm(b)
  }
  return false
}

/** A stored value with its human reading where that helps: `604800000 (7d)`, `-1 (forever)`. */
export function describeConfigValue(key: string, value: string | null): string {
  if (value === null) return '-'
  const kind = TOPIC_CONFIGS[key]?.kind
  if (!/^-?\d+$/.test(value)) return value
  const n = Number(value)
  if (kind === 'duration') {
    if (n < 0) return `${value} (forever)`
    const human = formatHumanDuration(n)
    return human === `${n}ms` ? value : `${value} (${human})`
  }
  if (kind === 'size') {
    if (n < 0) return `${value} (unlimited)`
    const human = formatSize(n)
    return human === `${n}B` ? value : `${value} (${human})`
  }
  return value
}
