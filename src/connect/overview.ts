/**
 * Connectors at a glance (`connect list`) and one connector in full (`connect describe`), from the REST API's
 * answers. Pure, unit-tested; the look-ups are in ./client.ts, sink lag in ./lag.ts.
 */
import {ExitCode, KafkitError} from '../errors.js'
import type {ConnectorInfo, ConnectorStatus, ExpandedConnector} from './client.js'
import {redactConfig} from './redact.js'
import {type ShortTrace, shortenTrace} from './trace.js'

export interface TaskView {
  id: number
  state: string
  workerId: string
  version?: string
  /** The failure, shortened (FAILED tasks only). */
  error?: ShortTrace
}

export interface ConnectorView {
  name: string
  /** source | sink | unknown */
  type: string
  /** RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, RESTARTING */
  state: string
  class: string
  version?: string
  workerId: string
  tasks: TaskView[]
  /** The connector or one of its tasks has FAILED. */
  failed: boolean
  /** Sink connectors: the consumer group that holds their offsets (connect-<name> unless overridden). */
  group?: string
  /** The connector's own failure, shortened. */
  error?: ShortTrace
}

/** Kafka Connect's consumer group for a sink connector: `connect-<name>`, or consumer.override.group.id. */
export function sinkGroup(name: string, config: Record<string, string> | undefined): string {
  return config?.['consumer.override.group.id'] || `connect-${name}`
}

export function shortClass(cls: string): string {
  return cls.split('.').at(-1) ?? cls
}

export function connectorView(name: string, status: ConnectorStatus | undefined, info: ConnectorInfo | undefined): ConnectorView {
  const type = status?.type ?? info?.type ?? 'unknown'
  const config = info?.config
  const tasks: TaskView[] = (status?.tasks ?? [])
    .map((t) => ({id: t.id, state: t.state, workerId: t.worker_id, ...(t.version ? {version: t.version} : {}), ...(t.state === 'FAILED' && t.trace ? {error: shortenTrace(t.trace)} : {})}))
    .sort((a, b) => a.id - b.id)
  const state = status?.connector.state ?? 'UNKNOWN'
  const error = state === 'FAILED' ? shortenTrace(status?.connector.trace) : undefined
  return {
    name,
    type,
    state,
    class: config?.['connector.class'] ?? '',
    ...(status?.connector.version ? {version: status.connector.version} : {}),
    workerId: status?.connector.worker_id ?? '',
    tasks,
    failed: state === 'FAILED' || tasks.some((t) => t.state === 'FAILED'),
    ...(type === 'sink' ? {group: sinkGroup(name, config)} : {}),
    ...(error ? {error} : {}),
  }
}

export function summarizeConnectors(expanded: Record<string, ExpandedConnector>): ConnectorView[] {
  return Object.entries(expanded)
    .map(([name, c]) => connectorView(name, c.status, c.info))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * `connect list` when a connector or one of its tasks has FAILED: exit 8 (a check that answered no, like
 * `apply --check`), naming the failed ones; undefined when nothing failed. The listing itself is printed first.
 */
export function failedConnectorsError(rows: ConnectorView[], bin = 'kafkit'): KafkitError | undefined {
  const failed = rows.filter((r) => r.failed)
  if (failed.length === 0) return undefined
  const named = failed.slice(0, 5).map((r) => `${r.name} (${r.state === 'FAILED' ? 'connector FAILED' : `tasks: ${taskSummary(r.tasks)}`})`)
  const more = failed.length > 5 ? `, and ${failed.length - 5} more` : ''
  const counted = `${failed.length} of ${rows.length} connector${rows.length === 1 ? '' : 's'} ${failed.length === 1 ? 'has' : 'have'} failures`
  return new KafkitError('CONNECTORS_FAILED', `${counted}: ${named.join(', ')}${more}`, {
    hint: `why: '${bin} connect describe ${failed[0].name}'; restart what failed: '${bin} connect restart --failed'`,
    exitCode: ExitCode.DIFFERS,
    details: {failed: failed.map((r) => r.name)},
  })
}

/** `2 RUNNING`, `1 RUNNING, 1 FAILED`, `none`: the tasks' states, worst first. */
export function taskSummary(tasks: Pick<TaskView, 'state'>[]): string {
  if (tasks.length === 0) return 'none'
  const order = ['FAILED', 'UNASSIGNED', 'RESTARTING', 'PAUSED', 'STOPPED', 'RUNNING']
  const counts = new Map<string, number>()
  for (const t of tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1)
  return [...counts]
    .sort(([a], [b]) => (order.indexOf(a) === -1 ? 99 : order.indexOf(a)) - (order.indexOf(b) === -1 ? 99 : order.indexOf(b)))
    .map(([state, n]) => `${n} ${state}`)
    .join(', ')
}

export interface ConnectorDescription extends ConnectorView {
  /** The config, secrets redacted. */
  config: Record<string, string | null>
  /** Topics the connector has used (KIP-558), else what its config names. */
  topics: string[]
  /** Where `topics` came from. */
  topicsSource: 'worker' | 'config'
}

/** What the config says about topics, when the worker does not track them: sinks' `topics`/`topics.regex`, sources' `topic`. */
export function configuredTopics(config: Record<string, string>): string[] {
  const list = (config.topics ?? config.topic ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
  if (config['topics.regex']) list.push(`/${config['topics.regex']}/`)
  return list
}

export function describeConnector(name: string, status: ConnectorStatus, info: ConnectorInfo, usedTopics: string[] | undefined): ConnectorDescription {
  const view = connectorView(name, status, info)
  const fromWorker = usedTopics !== undefined && usedTopics.length > 0
  return {
    ...view,
    config: redactConfig(info.config),
    topics: fromWorker ? [...usedTopics].sort() : configuredTopics(info.config),
    topicsSource: fromWorker ? 'worker' : 'config',
  }
}
