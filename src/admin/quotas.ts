/** Client quotas: which entity, which values, and the plan of a change (before -> after). Pure. */
import {usageError} from '../errors.js'
import {type AlterQuotaEntry, entityLabel, type QuotaEntityPart, type QuotaEntry, type QuotaFilter, type QuotaOp} from '../kafka/client-quotas.js'
import {closest} from '../util/strings.js'

/** The quota keys Kafka knows for clients (KIP-13, KIP-124, KIP-599). */
export const QUOTA_KEYS = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate'] as const
/** `connection_creation_rate` is the only quota of an IP entity (KIP-612). */
export const IP_QUOTA_KEYS = ['connection_creation_rate'] as const

export interface EntityFlags {
  user?: string
  'client-id'?: string
  ip?: string
  'default-user'?: boolean
  'default-client-id'?: boolean
  'default-ip'?: boolean
}

/** The entity the flags name (user and/or client id, or an IP); `null` names are the default entity. */
export function parseEntity(flags: EntityFlags, options: {required: boolean}): QuotaEntityPart[] {
  const parts: QuotaEntityPart[] = []
  const one = (type: QuotaEntityPart['type'], name: string | undefined, isDefault: boolean | undefined) => {
    if (name !== undefined && isDefault) throw usageError(`--${type} and --default-${type} both given`, 'name one entity of each type')
    if (name !== undefined) {
      if (name === '') throw usageError(`--${type} is empty`, `e.g. --${type} alice, or --default-${type} for the default entity`)
      parts.push({type, name})
    } else if (isDefault) parts.push({type, name: null})
  }
  one('user', flags.user, flags['default-user'])
  one('client-id', flags['client-id'], flags['default-client-id'])
  one('ip', flags.ip, flags['default-ip'])
  if (parts.some((p) => p.type === 'ip') && parts.length > 1) throw usageError('an IP quota cannot be combined with a user or client id', 'give --ip alone (or --user/--client-id without --ip)')
  if (options.required && parts.length === 0)
    throw usageError('name the entity: --user, --client-id, --ip (or --default-user, ...)', "e.g. 'kafkit quotas set --user alice --set producer_byte_rate=1MiB'", 'MISSING_VALUE')
  return parts
}

/** DescribeClientQuotas filters for `quotas list`: exact entities named, or everything. */
export function listFilters(entity: QuotaEntityPart[]): QuotaFilter[] {
  return entity.map((p) => (p.name === null ? {type: p.type, match: 'default' as const} : {type: p.type, match: 'exact' as const, name: p.name}))
}

const UNITS: Record<string, number> = {'': 1, b: 1, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3}

/** A quota value: a number; byte rates also take units (1MiB, 500KB, per second). */
export function parseQuotaValue(key: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = m?.[2].toLowerCase() ?? ''
  const bytes = key.endsWith('_byte_rate')
  if (!m || !(unit in UNITS) || (!bytes && unit !== '')) {
    throw usageError(
      `${key}=${text}: not a ${bytes ? 'byte rate' : 'number'}`,
      bytes ? 'e.g. producer_byte_rate=1048576 or 1MiB (bytes per second)' : `e.g. ${key}=${key === 'request_percentage' ? '200' : '10'}`,
    )
  }
  const value = Number(m[1]) * UNITS[unit]
  if (!(value > 0)) throw usageError(`${key}=${text}: must be greater than 0`, `to remove a quota: kafkit quotas remove ... --key ${key}`)
  return value
}

function checkKey(key: string, entity: QuotaEntityPart[]): void {
  const keys: readonly string[] = entity.some((p) => p.type === 'ip') ? IP_QUOTA_KEYS : QUOTA_KEYS
  if (keys.includes(key)) return
  const near = closest(key.replaceAll('-', '_').replaceAll('.', '_'), [...keys])
  throw usageError(
    `'${key}' is not a quota of ${entity.some((p) => p.type === 'ip') ? 'an IP' : 'a user or client id'}`,
    near ? `did you mean '${near}'? (valid: ${keys.join(', ')})` : `valid: ${keys.join(', ')}`,
  )
}

/** `--set key=value` pairs. */
export function parseQuotaAssignments(items: string[], entity: QuotaEntityPart[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const item of items) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw usageError(`--set ${item}: expected key=value`, 'e.g. --set producer_byte_rate=1MiB')
    const key = item.slice(0, eq).trim()
    checkKey(key, entity)
    out[key] = parseQuotaValue(key, item.slice(eq + 1))
  }
  return out
}

export interface QuotaChange {
  key: string
  before: number | null
  after: number | null
}

export interface QuotaPlan {
  entity: QuotaEntityPart[]
  changes: QuotaChange[]
  /** Keys that already have the wanted value (or, for remove, are not set). */
  unchanged: string[]
}

function sameEntity(a: QuotaEntityPart[], b: QuotaEntityPart[]): boolean {
  const key = (e: QuotaEntityPart[]) => JSON.stringify([...e].sort((x, y) => x.type.localeCompare(y.type)))
  return key(a) === key(b)
}

/** The current values of exactly this entity. */
export function currentValues(entries: QuotaEntry[], entity: QuotaEntityPart[]): Record<string, number> {
  return entries.find((e) => sameEntity(e.entity, entity))?.values ?? {}
}

export function planQuotaSet(entity: QuotaEntityPart[], current: Record<string, number>, wanted: Record<string, number>): QuotaPlan {
  const changes: QuotaChange[] = []
  const unchanged: string[] = []
  for (const [key, value] of Object.entries(wanted)) {
    if (current[key] === value) unchanged.push(key)
    else changes.push({key, before: current[key] ?? null, after: value})
  }
  return {entity, changes, unchanged}
}

/** Removes the named keys (all set keys when none are named); keys not set are reported, not an error. */
export function planQuotaRemove(entity: QuotaEntityPart[], current: Record<string, number>, keys: string[]): QuotaPlan {
  for (const k of keys) checkKey(k, entity)
  const chosen = keys.length > 0 ? keys : Object.keys(current)
  const changes: QuotaChange[] = []
  const unchanged: string[] = []
  for (const key of chosen) {
    if (key in current) changes.push({key, before: current[key], after: null})
    else unchanged.push(key)
  }
  return {entity, changes, unchanged}
}

export function planToAlter(plan: QuotaPlan): AlterQuotaEntry[] {
  if (plan.changes.length === 0) return []
  const ops: QuotaOp[] = plan.changes.map((c) => (c.after === null ? {key: c.key, remove: true} : {key: c.key, value: c.after}))
  return [{entity: plan.entity, ops}]
}

/** One row per entity and key, for `quotas list`. */
export interface QuotaRow {
  entity: string
  user?: string | null
  clientId?: string | null
  ip?: string | null
  key: string
  value: number
}

export function quotaRows(entries: QuotaEntry[]): QuotaRow[] {
  const rows: QuotaRow[] = []
  for (const e of entries) {
    const label = entityLabel(e.entity)
    const named = (t: string) => {
      const p = e.entity.find((x) => x.type === t)
      return p ? p.name : undefined
    }
    for (const [key, value] of Object.entries(e.values).sort(([a], [b]) => a.localeCompare(b))) {
      rows.push({entity: label, user: named('user'), clientId: named('client-id'), ip: named('ip'), key, value})
    }
  }
  return rows.sort((a, b) => a.entity.localeCompare(b.entity) || a.key.localeCompare(b.key))
}
