/**
 * `topics apply`: a desired-state file (YAML or JSON, schema in schemas/topics.schema.json) -> a plan against
 * the cluster's state -> what to create, change and (with --prune) delete. Parsing, diffing and the plan's text
 * are pure and unit-tested; reading the cluster and executing are in src/kafka/topics.ts.
 *
 *   topics:
 *     - name: orders
 *       partitions: 6
 *       replicationFactor: 3
 *       configs:
 *         retention.ms: 7d
 *         cleanup.policy: compact
 */
import {usageError} from '../errors.js'
import {checkConfigKey, describeConfigValue, normalizeConfigValue, sameConfigValue} from './configs.js'
import {isInternalTopic, topicNameProblem} from './names.js'
import {parseYamlFile} from '../util/yaml.js'

export interface DesiredTopic {
  name: string
  partitions?: number
  replicationFactor?: number
  /** Kafka's stored form (human units already converted). */
  configs: Record<string, string>
}

export interface DesiredState {
  source: string
  topics: DesiredTopic[]
}

/** What the cluster has for one topic. `configs` are every entry describeConfigs returned. */
export interface ActualTopic {
  name: string
  partitions: number
  replicationFactor: number
  configs: {name: string; value: string | null; source: string}[]
}

export interface ConfigDiff {
  name: string
  from: string | null
  /** null: remove the topic's override (only with --prune). */
  to: string | null
}

export type PlanAction =
  | {action: 'create'; topic: string; partitions?: number; replicationFactor?: number; configs: Record<string, string>}
  | {action: 'change'; topic: string; partitions?: {from: number; to: number}; configs: ConfigDiff[]}
  | {action: 'delete'; topic: string}

export interface ApplyPlan {
  actions: PlanAction[]
  /** Topic overrides the file does not mention: kept unless --prune. */
  unmanagedConfigs: {topic: string; name: string; value: string | null}[]
  /** Topics on the cluster the file does not mention: kept unless --prune. */
  unmanagedTopics: string[]
  counts: {create: number; change: number; delete: number}
}

const TOPIC_KEYS = new Set(['name', 'partitions', 'replicationFactor', 'configs'])

/** Parses and validates the file; every problem is exit 2 naming the file and the place in it. */
export async function parseApplyFile(text: string, source: string): Promise<DesiredState> {
  const doc = await parseYamlFile(text, source, 'see schemas/topics.schema.json for the format')
  return validateDesiredState(doc, source)
}

export function validateDesiredState(doc: unknown, source: string): DesiredState {
  const bad = (where: string, what: string) => usageError(`${source}: ${where} ${what}`, 'see the topics file format in the README (schema: schemas/topics.schema.json)', 'BAD_APPLY_FILE')
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('the document', "must be a mapping with a 'topics' list")
  const root = doc as Record<string, unknown>
  for (const key of Object.keys(root)) if (key !== 'topics' && key !== '$schema') throw bad(`'${key}'`, "is not a known key (expected 'topics')")
  if (!Array.isArray(root.topics)) throw bad("'topics'", 'must be a list')
  const seen = new Set<string>()
  const topics = root.topics.map((entry, i): DesiredTopic => {
    const at = `topics[${i}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad(at, 'must be a mapping with at least a name')
    const t = entry as Record<string, unknown>
    for (const key of Object.keys(t)) if (!TOPIC_KEYS.has(key)) throw bad(`${at}.${key}`, `is not a known key (${[...TOPIC_KEYS].join(', ')})`)
    if (typeof t.name !== 'string') throw bad(`${at}.name`, 'must be a string')
    const name = t.name
    const problem = topicNameProblem(name)
    if (problem) throw bad(`${at}.name:`, problem)
    if (isInternalTopic(name)) throw bad(`${at}.name:`, `'${name}' is an internal topic and cannot be managed`)
    if (seen.has(name)) throw bad(`${at}.name:`, `'${name}' is listed twice`)
    seen.add(name)
    const int = (key: 'partitions' | 'replicationFactor') => {
      const v = t[key]
      if (v === undefined) return undefined
      // Kafka counts partitions and replicas in int32 (and replicas in int16 on the wire).
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > (key === 'partitions' ? 2 ** 31 - 1 : 2 ** 15 - 1)) throw bad(`${at}.${key} (${name})`, 'must be a whole number, 1 or more')
      return v
    }
    const configs: Record<string, string> = {}
    if (t.configs !== undefined) {
      if (typeof t.configs !== 'object' || t.configs === null || Array.isArray(t.configs)) throw bad(`${at}.configs (${name})`, 'must be a mapping of config key to value')
      for (const [key, value] of Object.entries(t.configs as Record<string, unknown>)) {
        if (!['string', 'number', 'boolean'].includes(typeof value)) throw bad(`${at}.configs.${key} (${name})`, 'must be a string, number or boolean')
        try {
          checkConfigKey(key)
          configs[key] = normalizeConfigValue(key, value as string | number | boolean)
        } catch (error) {
          const e = error as {message: string; hint?: string}
          throw usageError(`${source}: ${name}: ${e.message}`, e.hint, 'BAD_APPLY_FILE')
        }
      }
    }
    return {name, partitions: int('partitions'), replicationFactor: int('replicationFactor'), configs}
  })
  return {source, topics}
}

/**
 * The plan. Shrinking partitions or changing the replication factor cannot be done by this tool: those are
 * exit-2 errors naming every such topic, before anything is changed.
 */
export function planApply(desired: DesiredState, actual: ActualTopic[], options: {prune?: boolean} = {}): ApplyPlan {
  if (options.prune && desired.topics.length === 0) {
    // An empty (or truncated) file would mean "delete every topic": almost certainly a mistake.
    throw usageError(`${desired.source} lists no topics: refusing to --prune (it would delete every topic)`, 'list the topics to keep, or delete topics with `kafkit topics delete`', 'EMPTY_PRUNE')
  }
  const byName = new Map(actual.map((t) => [t.name, t]))
  const actions: PlanAction[] = []
  const unmanagedConfigs: ApplyPlan['unmanagedConfigs'] = []
  const problems: string[] = []
  for (const want of desired.topics) {
    const have = byName.get(want.name)
    if (!have) {
      actions.push({action: 'create', topic: want.name, partitions: want.partitions, replicationFactor: want.replicationFactor, configs: want.configs})
      continue
    }
    if (want.replicationFactor !== undefined && want.replicationFactor !== have.replicationFactor) {
      problems.push(`'${want.name}': replication factor ${have.replicationFactor} -> ${want.replicationFactor} is not supported (reassign partitions with kafka-reassign-partitions)`)
    }
    if (want.partitions !== undefined && want.partitions < have.partitions) {
      problems.push(`'${want.name}': partitions ${have.partitions} -> ${want.partitions}: Kafka cannot remove partitions`)
    }
    const configs: ConfigDiff[] = []
    for (const [key, value] of Object.entries(want.configs)) {
      const current = have.configs.find((c) => c.name === key)
      if (!current || !sameConfigValue(key, current.value, value)) configs.push({name: key, from: current?.value ?? null, to: value})
    }
    for (const c of have.configs) {
      if (c.source !== 'topic' || c.name in want.configs) continue
      if (options.prune) configs.push({name: c.name, from: c.value, to: null})
      else unmanagedConfigs.push({topic: want.name, name: c.name, value: c.value})
    }
    const partitions = want.partitions !== undefined && want.partitions > have.partitions ? {from: have.partitions, to: want.partitions} : undefined
    if (partitions || configs.length > 0) actions.push({action: 'change', topic: want.name, partitions, configs})
  }
  if (problems.length > 0) {
    throw usageError(
      `${desired.source}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).join('; ')})` : ''}`,
      'change the file, or recreate the topic',
      'UNSUPPORTED_CHANGE',
    )
  }
  const wanted = new Set(desired.topics.map((t) => t.name))
  const others = actual
    .filter((t) => !wanted.has(t.name) && !isInternalTopic(t.name))
    .map((t) => t.name)
    .sort()
  if (options.prune) for (const name of others) actions.push({action: 'delete', topic: name})
  return {
    actions,
    unmanagedConfigs,
    unmanagedTopics: options.prune ? [] : others,
    counts: {
      create: actions.filter((a) => a.action === 'create').length,
      change: actions.filter((a) => a.action === 'change').length,
      delete: actions.filter((a) => a.action === 'delete').length,
    },
  }
}

type Paint = (text: string, style: 'green' | 'yellow' | 'red' | 'dim' | 'bold') => string

/** The plan as people read it (`+ create`, `~ change`, `- delete`), coloured when `paint` colours. */
export function formatPlan(plan: ApplyPlan, paint: Paint = (t) => t): string[] {
  const lines: string[] = []
  for (const a of plan.actions) {
    if (a.action === 'create') {
      const shape = [
        a.partitions === undefined ? 'default partitions' : `${a.partitions} partition${a.partitions === 1 ? '' : 's'}`,
        a.replicationFactor === undefined ? 'default replication factor' : `replication factor ${a.replicationFactor}`,
      ].join(', ')
      lines.push(paint(`+ create ${a.topic}`, 'green') + ` (${shape})`)
      for (const [k, v] of Object.entries(a.configs)) lines.push(`    ${k} = ${describeConfigValue(k, v)}`)
    } else if (a.action === 'change') {
      lines.push(paint(`~ change ${a.topic}`, 'yellow'))
      if (a.partitions) lines.push(`    partitions ${a.partitions.from} -> ${a.partitions.to}`)
      for (const c of a.configs) {
        if (c.to === null) lines.push(`    ${paint('-', 'red')} ${c.name} (override ${describeConfigValue(c.name, c.from)} removed; the default applies)`)
        else lines.push(`    ${c.name} ${describeConfigValue(c.name, c.from)} -> ${describeConfigValue(c.name, c.to)}`)
      }
    } else {
      lines.push(paint(`- delete ${a.topic}`, 'red') + ' (and all its records)')
    }
  }
  for (const u of plan.unmanagedConfigs) lines.push(paint(`  note: ${u.topic} has override ${u.name}=${u.value} not in the file (kept; --prune removes it)`, 'dim'))
  if (plan.unmanagedTopics.length > 0) {
    const n = plan.unmanagedTopics.length
    lines.push(paint(`  note: ${n} topic${n === 1 ? '' : 's'} on the cluster not in the file (kept; --prune deletes them)`, 'dim'))
  }
  const {create, change, delete: del} = plan.counts
  lines.push(plan.actions.length === 0 ? 'No changes: the cluster matches the file.' : `Plan: ${create} to create, ${change} to change, ${del} to delete.`)
  return lines
}
