/** `cluster config`: which configs to show, and the plan of a change (before -> after, with sources). Pure. */
import {usageError} from '../errors.js'
import type {BrokerConfigEntry} from '../kafka/broker-configs.js'
import {closest} from '../util/strings.js'

/** `--broker 2` -> '2'; none -> '' (every broker: the cluster-wide dynamic default). */
export function parseBrokerTarget(broker: string | undefined, brokerIds: number[]): string {
  if (broker === undefined) return ''
  if (!/^\d+$/.test(broker.trim())) throw usageError(`--broker: '${broker}' is not a broker id`, `brokers: ${brokerIds.join(', ')}`, 'BAD_BROKER')
  const id = Number(broker.trim())
  if (!brokerIds.includes(id)) throw usageError(`there is no broker ${id}`, `brokers: ${brokerIds.join(', ')} (kafkit cluster info)`, 'BAD_BROKER')
  return String(id)
}

export function targetLabel(target: string): string {
  return target === '' ? 'all brokers (cluster-wide default)' : `broker ${target}`
}

function requireKey(key: string, known: BrokerConfigEntry[]): BrokerConfigEntry {
  const entry = known.find((e) => e.name === key)
  if (entry) return entry
  const near = closest(
    key,
    known.map((e) => e.name),
  )
  throw usageError(`unknown broker config '${key}'`, near ? `did you mean '${near}'?` : "list them with 'kafkit cluster config get --all'", 'UNKNOWN_CONFIG')
}

/** The entries to show: the named keys, every one (--all), or those not at Kafka's default. */
export function selectConfigs(entries: BrokerConfigEntry[], keys: string[], all: boolean): BrokerConfigEntry[] {
  if (keys.length > 0) return keys.map((k) => requireKey(k, entries))
  return all ? entries : entries.filter((e) => e.source !== 'default')
}

export interface BrokerConfigChange {
  name: string
  before: string | null
  beforeSource: string
  after: string | null
  /** Where the new value lives: 'broker' (dynamic, one broker) or 'cluster-default'; for unset, the value that applies then. */
  afterSource: string
}

export function parseConfigAssignments(items: string[]): [string, string][] {
  return items.map((item) => {
    const eq = item.indexOf('=')
    if (eq <= 0) throw usageError(`--set ${item}: expected key=value`, 'e.g. --set log.cleaner.threads=2', 'BAD_CONFIG_VALUE')
    return [item.slice(0, eq).trim(), item.slice(eq + 1)]
  })
}

/** `entries`: the target broker's configs (a sample broker's for the cluster-wide target), with synonyms. */
export function planBrokerConfigSet(entries: BrokerConfigEntry[], target: string, sets: [string, string][]): BrokerConfigChange[] {
  return sets.map(([key, value]) => {
    const entry = requireKey(key, entries)
    if (entry.readOnly) throw usageError(`'${key}' cannot be changed while the broker runs (read-only)`, "set it in the broker's server.properties and restart it", 'READ_ONLY_CONFIG')
    return {name: key, before: entry.value, beforeSource: entry.source, after: value, afterSource: target === '' ? 'cluster-default' : 'broker'}
  })
}

/** Removes the dynamic value of the target; what applies then is the next synonym in Kafka's order. */
export function planBrokerConfigUnset(entries: BrokerConfigEntry[], target: string, keys: string[]): {changes: BrokerConfigChange[]; notSet: string[]} {
  const changes: BrokerConfigChange[] = []
  const notSet: string[] = []
  const level = target === '' ? 'cluster-default' : 'broker'
  for (const key of keys) {
    const entry = requireKey(key, entries)
    const i = entry.synonyms.findIndex((s) => s.source === level)
    if (i < 0) {
      notSet.push(key)
      continue
    }
    const next = entry.synonyms.slice(i + 1)[0]
    const current = entry.synonyms[i]
    // Unsetting the cluster default while the broker has its own value changes nothing for that broker.
    const effectiveBefore = {value: entry.value, source: entry.source}
    const stillBroker = level === 'cluster-default' && entry.source === 'broker'
    changes.push({
      name: key,
      before: stillBroker ? current.value : effectiveBefore.value,
      beforeSource: stillBroker ? level : effectiveBefore.source,
      after: stillBroker ? entry.value : (next?.value ?? null),
      afterSource: stillBroker ? 'broker' : (next?.source ?? 'default'),
    })
  }
  return {changes, notSet}
}
