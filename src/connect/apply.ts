/**
 * `connect apply`: a connectors file -> a plan against the worker's connectors -> what to create, update (config
 * and, when the file says, state) and, with --prune, delete. Parsing, diffing and the plan's text are pure and
 * unit-tested; the command reads the worker and executes.
 *
 *   connectors:
 *     - name: orders-to-postgres
 *       state: running            # optional: running | paused | stopped
 *       config:
 *         connector.class: io.debezium.connector.jdbc.JdbcSinkConnector
 *         topics: orders
 *         tasks.max: 2
 *
 * Connect replaces a connector's whole config on update, so keys the file does not list are removed: the plan
 * shows them. Secret values (passwords, tokens, JAAS lines) are never part of the plan: a changed secret is shown
 * as "changed".
 */
import {usageError} from '../errors.js'
import {REDACTED, isSecretKey, redactConfigValue} from './redact.js'
import {parseYamlFile} from '../util/yaml.js'

export const DESIRED_STATES = ['running', 'paused', 'stopped'] as const
export type DesiredConnectorState = (typeof DESIRED_STATES)[number]

export interface DesiredConnector {
  name: string
  config: Record<string, string>
  state?: DesiredConnectorState
}

export interface DesiredConnectors {
  source: string
  connectors: DesiredConnector[]
}

export interface ActualConnector {
  name: string
  config: Record<string, string>
  /** RUNNING, PAUSED, STOPPED, FAILED, ... */
  state: string
}

export interface ConfigChange {
  key: string
  /** null: the key is new. Secrets are [redacted]. */
  from: string | null
  /** null: the key goes away. Secrets are [redacted]. */
  to: string | null
  secret?: boolean
}

export type StateChange = {from: string; to: string; via: 'pause' | 'resume' | 'stop'}

export type ConnectPlanAction =
  | {action: 'create'; connector: string; class: string; config: Record<string, string | null>; state?: StateChange}
  | {action: 'update'; connector: string; changes: ConfigChange[]; state?: StateChange}
  | {action: 'delete'; connector: string}

export interface ConnectPlan {
  actions: ConnectPlanAction[]
  /** Connectors on the worker that the file does not list: kept unless --prune. */
  unmanaged: string[]
  /** Connectors the file wants running that have FAILED: apply does not restart them. */
  failed: string[]
  counts: {create: number; update: number; delete: number}
}

const CONNECTOR_KEYS = new Set(['name', 'config', 'state'])

/** Parses and validates the file; every problem is exit 2 naming the file and the place in it. */
export async function parseConnectorsFile(text: string, source: string): Promise<DesiredConnectors> {
  const doc = await parseYamlFile(text, source, 'see the connectors file format in the README (Kafka Connect; schema: schemas/connectors.schema.json)')
  return validateDesiredConnectors(doc, source)
}

/** A config value from a file: strings as they are; numbers and booleans as Connect stores them. */
export function configValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

/** A `{key: value}` config mapping -> Connect's string map; `where` names the place for errors. */
export function normalizeConfig(raw: unknown, where: string, bad: (where: string, what: string) => Error): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(where, 'must be a mapping of config key to value')
  const config: Record<string, string> = {}
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const v = configValue(value)
    if (v === undefined) throw bad(`${where}.${key}`, 'must be a string, number or boolean (lists are comma-separated strings in Connect)')
    config[key] = v
  }
  return config
}

export function validateDesiredConnectors(doc: unknown, source: string): DesiredConnectors {
  const bad = (where: string, what: string) =>
    usageError(`${source}: ${where} ${what}`, 'see the connectors file format in the README (Kafka Connect; schema: schemas/connectors.schema.json)', 'BAD_APPLY_FILE')
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('the document', "must be a mapping with a 'connectors' list")
  const root = doc as Record<string, unknown>
  for (const key of Object.keys(root)) if (key !== 'connectors' && key !== '$schema') throw bad(`'${key}'`, "is not a known key (expected 'connectors')")
  if (root.connectors === null || root.connectors === undefined) return {source, connectors: []}
  if (!Array.isArray(root.connectors)) throw bad("'connectors'", 'must be a list')
  const seen = new Set<string>()
  const connectors = root.connectors.map((entry, i): DesiredConnector => {
    const at = `connectors[${i}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad(at, 'must be a mapping with a name and a config')
    const c = entry as Record<string, unknown>
    for (const key of Object.keys(c)) if (!CONNECTOR_KEYS.has(key)) throw bad(`${at}.${key}`, `is not a known key (${[...CONNECTOR_KEYS].join(', ')})`)
    if (typeof c.name !== 'string' || !c.name.trim()) throw bad(`${at}.name`, 'must be a non-empty string')
    const name = c.name
    if (name !== name.trim()) throw bad(`${at}.name`, 'must not start or end with spaces')
    if (seen.has(name)) throw bad(`${at}.name:`, `'${name}' is listed twice`)
    seen.add(name)
    if (c.config === undefined) throw bad(`${at}.config (${name})`, 'is required (at least connector.class)')
    const config = normalizeConfig(c.config, `${at}.config (${name})`, bad)
    if (!config['connector.class']) throw bad(`${at}.config (${name})`, 'needs connector.class')
    if (config.name !== undefined && config.name !== name) throw bad(`${at}.config.name (${name})`, `is '${config.name}': leave it out, or make it the connector's name`)
    delete config.name
    let state: DesiredConnectorState | undefined
    if (c.state !== undefined) {
      const s = String(c.state).toLowerCase()
      if (!(DESIRED_STATES as readonly string[]).includes(s)) throw bad(`${at}.state (${name})`, `must be one of ${DESIRED_STATES.join(', ')}`)
      state = s as DesiredConnectorState
    }
    return {name, config, ...(state ? {state} : {})}
  })
  return {source, connectors}
}

/** How to get from the worker's state to the file's: undefined when nothing is needed. */
export function stateChange(actual: string | undefined, desired: DesiredConnectorState | undefined): StateChange | undefined {
  if (!desired) return undefined
  const from = actual ?? 'RUNNING'
  if (desired === 'running') return from === 'PAUSED' || from === 'STOPPED' ? {from, to: 'RUNNING', via: 'resume'} : undefined
  if (desired === 'paused') return from === 'PAUSED' ? undefined : {from, to: 'PAUSED', via: 'pause'}
  return from === 'STOPPED' ? undefined : {from, to: 'STOPPED', via: 'stop'}
}

/** The keys that differ, secrets redacted. `name` is Connect's own copy of the connector's name: not compared. */
export function diffConfig(actual: Record<string, string>, desired: Record<string, string>): ConfigChange[] {
  const changes: ConfigChange[] = []
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(desired)])].filter((k) => k !== 'name').sort()
  for (const key of keys) {
    const from = actual[key] ?? null
    const to = desired[key] ?? null
    if (from === to) continue
    const secret = isSecretKey(key)
    changes.push({key, from: redactConfigValue(key, from), to: redactConfigValue(key, to), ...(secret ? {secret: true} : {})})
  }
  return changes
}

export function planConnectorsApply(desired: DesiredConnectors, actual: ActualConnector[], options: {prune?: boolean} = {}): ConnectPlan {
  if (options.prune && desired.connectors.length === 0) {
    throw usageError(
      `${desired.source} lists no connectors: refusing to --prune (it would delete every connector)`,
      'list the connectors to keep, or delete connectors with `kafkit connect delete`',
      'EMPTY_PRUNE',
    )
  }
  const byName = new Map(actual.map((c) => [c.name, c]))
  const actions: ConnectPlanAction[] = []
  const failed: string[] = []
  for (const want of desired.connectors) {
    const have = byName.get(want.name)
    if (!have) {
      const config = Object.fromEntries(Object.entries(want.config).map(([k, v]) => [k, redactConfigValue(k, v)]))
      const state = want.state && want.state !== 'running' ? stateChange('RUNNING', want.state) : undefined
      actions.push({action: 'create', connector: want.name, class: want.config['connector.class'], config, ...(state ? {state} : {})})
      continue
    }
    const changes = diffConfig(have.config, want.config)
    const state = stateChange(have.state, want.state)
    if (changes.length > 0 || state) actions.push({action: 'update', connector: want.name, changes, ...(state ? {state} : {})})
    if (have.state === 'FAILED' && (want.state ?? 'running') === 'running') failed.push(want.name)
  }
  const wanted = new Set(desired.connectors.map((c) => c.name))
  const others = actual
    .filter((c) => !wanted.has(c.name))
    .map((c) => c.name)
    .sort()
  if (options.prune) for (const name of others) actions.push({action: 'delete', connector: name})
  return {
    actions,
    unmanaged: options.prune ? [] : others,
    failed,
    counts: {
      create: actions.filter((a) => a.action === 'create').length,
      update: actions.filter((a) => a.action === 'update').length,
      delete: actions.filter((a) => a.action === 'delete').length,
    },
  }
}

type Paint = (text: string, style: 'green' | 'yellow' | 'red' | 'dim' | 'bold') => string

const show = (v: string | null) => (v === null ? '(none)' : v === '' ? '""' : v)

/** The plan as people read it (`+ create`, `~ update`, `- delete`), coloured when `paint` colours. */
export function formatConnectPlan(plan: ConnectPlan, paint: Paint = (t) => t): string[] {
  const lines: string[] = []
  for (const a of plan.actions) {
    if (a.action === 'create') {
      lines.push(paint(`+ create ${a.connector}`, 'green') + ` (${a.class})`)
      for (const [k, v] of Object.entries(a.config)) if (k !== 'connector.class') lines.push(`    ${k} = ${show(v)}`)
      if (a.state) lines.push(`    then ${a.state.via} (state ${a.state.to})`)
    } else if (a.action === 'update') {
      lines.push(paint(`~ update ${a.connector}`, 'yellow'))
      for (const c of a.changes) {
        if (c.from === null) lines.push(`    ${paint('+', 'green')} ${c.key} = ${show(c.to)}`)
        else if (c.to === null) lines.push(`    ${paint('-', 'red')} ${c.key} (removed: Connect replaces the whole config)`)
        else if (c.secret && c.from === REDACTED && c.to === REDACTED) lines.push(`    ${c.key} (secret changed)`)
        else lines.push(`    ${c.key} ${show(c.from)} -> ${show(c.to)}`)
      }
      if (a.state) lines.push(`    state ${a.state.from} -> ${a.state.to} (${a.state.via})`)
    } else {
      lines.push(paint(`- delete ${a.connector}`, 'red') + ' (its committed offsets stay behind)')
    }
  }
  for (const name of plan.failed) lines.push(paint(`  note: ${name} has FAILED; apply does not restart it ('kafkit connect restart ${name} --failed')`, 'yellow'))
  if (plan.unmanaged.length > 0) {
    const n = plan.unmanaged.length
    lines.push(paint(`  note: ${n} connector${n === 1 ? '' : 's'} on the worker not in the file (kept; --prune deletes them): ${plan.unmanaged.slice(0, 5).join(', ')}${n > 5 ? ', ...' : ''}`, 'dim'))
  }
  const {create, update, delete: del} = plan.counts
  lines.push(plan.actions.length === 0 ? 'No changes: the connectors match the file.' : `Plan: ${create} to create, ${update} to update, ${del} to delete.`)
  return lines
}
