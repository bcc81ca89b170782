/**
 * ACL bindings in Kafka's own words (kafka-acls.sh's vocabulary): pure parsing, shortcuts, plans and rendering.
 * The client layer (src/kafka/acls.ts) turns them into requests.
 */
import {usageError} from '../errors.js'

import {
  type AclBinding,
  type AclFilter,
  CLUSTER_NAME,
  type FilterPatternType,
  type Operation,
  OPERATIONS,
  type PatternType,
  type Permission,
  RESOURCE_TYPES,
  type ResourceType,
} from '../kafka/acl-types.js'

// The vocabulary is the port's (what the Kafka layer sends); this module parses, plans and renders it.
export {CLUSTER_NAME, OPERATIONS, RESOURCE_TYPES}
export type {AclBinding, AclFilter, FilterPatternType, Operation, PatternType, Permission, ResourceType}

export function bindingKey(b: AclBinding): string {
  return [b.principal, b.host, b.operation, b.permission, b.resourceType, b.resourceName, b.patternType].join('\u0000')
}

export function sortBindings(bindings: AclBinding[]): AclBinding[] {
  return [...bindings].sort(
    (a, b) =>
      a.principal.localeCompare(b.principal) ||
      a.resourceType.localeCompare(b.resourceType) ||
      a.resourceName.localeCompare(b.resourceName) ||
      a.patternType.localeCompare(b.patternType) ||
      a.operation.localeCompare(b.operation) ||
      a.permission.localeCompare(b.permission) ||
      a.host.localeCompare(b.host),
  )
}

/** `alice` -> `User:alice`; a principal with a type (`User:`, `Group:`) stays as it is. */
export function normalizePrincipal(text: string): string {
  const p = text.trim()
  if (!p) throw usageError('empty principal', 'name it like kafka-acls does: User:alice (or just alice)', 'BAD_PRINCIPAL')
  if (p === '*' || p === 'User:*') return 'User:*'
  return /^[A-Za-z]+:/.test(p) ? p : `User:${p}`
}

export function parseOperation(text: string): Operation {
  const op = text
    .trim()
    .toUpperCase()
    .replaceAll('-', '_')
    .replace(/^IDEMPOTENTWRITE$/, 'IDEMPOTENT_WRITE')
    .replace(/^DESCRIBECONFIGS$/, 'DESCRIBE_CONFIGS')
    .replace(/^ALTERCONFIGS$/, 'ALTER_CONFIGS')
    .replace(/^CLUSTERACTION$/, 'CLUSTER_ACTION')
  if ((OPERATIONS as readonly string[]).includes(op)) return op as Operation
  throw usageError(`unknown operation '${text}'`, `use one of ${OPERATIONS.join(', ')}`, 'BAD_OPERATION')
}

export function parsePatternType(text: string): FilterPatternType {
  const t = text.trim().toUpperCase()
  if (t === 'LITERAL' || t === 'PREFIXED' || t === 'MATCH' || t === 'ANY') return t
  throw usageError(`unknown resource pattern type '${text}'`, 'use literal, prefixed, match or any', 'BAD_PATTERN_TYPE')
}

/** Operations valid on each resource type (what the broker accepts; others are refused with INVALID_REQUEST). */
const VALID_OPERATIONS: Record<ResourceType, Operation[]> = {
  TOPIC: ['ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  GROUP: ['ALL', 'READ', 'DELETE', 'DESCRIBE'],
  CLUSTER: ['ALL', 'CREATE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE'],
  TRANSACTIONAL_ID: ['ALL', 'WRITE', 'DESCRIBE'],
}

export function checkOperation(resourceType: ResourceType, operation: Operation): void {
  if (!VALID_OPERATIONS[resourceType].includes(operation)) {
    throw usageError(`${operation} does not apply to ${describeType(resourceType)}s`, `valid operations: ${VALID_OPERATIONS[resourceType].join(', ')}`, 'BAD_OPERATION')
  }
}

export function describeType(t: ResourceType): string {
  return {TOPIC: 'topic', GROUP: 'group', CLUSTER: 'cluster', TRANSACTIONAL_ID: 'transactional id'}[t]
}

export interface ResourceSelection {
  topics?: string[]
  groups?: string[]
  transactionalIds?: string[]
  cluster?: boolean
}

export function resourcesOf(sel: ResourceSelection): {resourceType: ResourceType; resourceName: string}[] {
  return [
    ...(sel.topics ?? []).map((n) => ({resourceType: 'TOPIC' as const, resourceName: n})),
    ...(sel.groups ?? []).map((n) => ({resourceType: 'GROUP' as const, resourceName: n})),
    ...(sel.transactionalIds ?? []).map((n) => ({resourceType: 'TRANSACTIONAL_ID' as const, resourceName: n})),
    ...(sel.cluster ? [{resourceType: 'CLUSTER' as const, resourceName: CLUSTER_NAME}] : []),
  ]
}

export interface CreateInput extends ResourceSelection {
  allow: string[]
  deny: string[]
  operations: Operation[]
  hosts?: string[]
  patternType?: FilterPatternType
}

/** The bindings of `acls create` (kafka-acls --add): every principal x operation x resource x host. */
export function bindingsToCreate(input: CreateInput): AclBinding[] {
  const patternType = input.patternType ?? 'LITERAL'
  if (patternType !== 'LITERAL' && patternType !== 'PREFIXED')
    throw usageError(`ACLs are created with a literal or prefixed pattern, not ${patternType.toLowerCase()}`, 'use --resource-pattern-type literal or prefixed', 'BAD_PATTERN_TYPE')
  const resources = resourcesOf(input)
  if (resources.length === 0) throw usageError('no resource given', 'name one with --topic, --group, --transactional-id or --cluster', 'NO_RESOURCE')
  if (input.allow.length + input.deny.length === 0) throw usageError('no principal given', 'name one with --allow-principal User:NAME (or --deny-principal)', 'NO_PRINCIPAL')
  if (input.operations.length === 0) throw usageError('no operation given', `name one with --operation (${OPERATIONS.join(', ')}), or use 'acls grant --producer/--consumer'`, 'NO_OPERATION')
  const hosts = input.hosts && input.hosts.length > 0 ? input.hosts : ['*']
  const out: AclBinding[] = []
  for (const [permission, principals] of [
    ['ALLOW', input.allow],
    ['DENY', input.deny],
  ] as const) {
    for (const principal of principals.map(normalizePrincipal)) {
      for (const r of resources) {
        for (const operation of input.operations) {
          checkOperation(r.resourceType, operation)
          for (const host of hosts) out.push({principal, host, operation, permission, resourceType: r.resourceType, resourceName: r.resourceName, patternType})
        }
      }
    }
  }
  return dedupe(out)
}

export interface GrantInput {
  principal: string
  producer?: boolean
  consumer?: boolean
  topics: string[]
  groups?: string[]
  transactionalIds?: string[]
  idempotent?: boolean
  patternType?: PatternType
  host?: string
}

/**
 * kafka-acls' --producer (WRITE, DESCRIBE, CREATE on the topics; WRITE, DESCRIBE on transactional ids;
 * IDEMPOTENT_WRITE on the cluster with --idempotent) and --consumer (READ, DESCRIBE on the topics, READ on
 * the groups).
 */
export function grantBindings(input: GrantInput): AclBinding[] {
  if (!input.producer && !input.consumer) throw usageError('say what to grant', 'add --producer, --consumer or both', 'NO_ROLE')
  if (input.topics.length === 0) throw usageError('no topic given', 'name one with --topic', 'NO_RESOURCE')
  if (input.consumer && (input.groups ?? []).length === 0) throw usageError('--consumer needs the consumer group', 'add --group GROUP (a prefix with --resource-pattern-type prefixed)', 'NO_GROUP')
  if (!input.producer && ((input.transactionalIds ?? []).length > 0 || input.idempotent)) throw usageError('--transactional-id and --idempotent go with --producer', 'add --producer', 'BAD_FLAGS')
  const principal = normalizePrincipal(input.principal)
  const host = input.host ?? '*'
  const patternType = input.patternType ?? 'LITERAL'
  const out: AclBinding[] = []
  const add = (resourceType: ResourceType, resourceName: string, operation: Operation, pattern: PatternType = patternType) =>
    out.push({principal, host, operation, permission: 'ALLOW', resourceType, resourceName, patternType: pattern})
  for (const topic of input.topics) {
    if (input.producer) for (const op of ['WRITE', 'DESCRIBE', 'CREATE'] as const) add('TOPIC', topic, op)
    if (input.consumer) for (const op of ['READ', 'DESCRIBE'] as const) add('TOPIC', topic, op)
  }
  if (input.consumer) for (const group of input.groups ?? []) add('GROUP', group, 'READ')
  if (input.producer) {
    for (const id of input.transactionalIds ?? []) for (const op of ['WRITE', 'DESCRIBE'] as const) add('TRANSACTIONAL_ID', id, op)
    if (input.idempotent) add('CLUSTER', CLUSTER_NAME, 'IDEMPOTENT_WRITE', 'LITERAL')
  }
  return dedupe(out)
}

function dedupe(bindings: AclBinding[]): AclBinding[] {
  const seen = new Map<string, AclBinding>()
  for (const b of bindings) seen.set(bindingKey(b), b)
  return sortBindings([...seen.values()])
}

/** Does a stored binding match a filter (as the broker's DescribeAcls would; MATCH: applies to that name)? */
export function matchesFilter(b: AclBinding, f: AclFilter): boolean {
  if (f.principal !== undefined && f.principal !== b.principal) return false
  if (f.host !== undefined && f.host !== b.host) return false
  if (f.operation !== undefined && f.operation !== b.operation) return false
  if (f.permission !== undefined && f.permission !== b.permission) return false
  if (f.resourceType !== undefined && f.resourceType !== b.resourceType) return false
  const pattern = f.patternType ?? (f.resourceName === undefined ? 'ANY' : 'LITERAL')
  if (pattern === 'MATCH') {
    if (f.resourceName === undefined) return true
    if (b.patternType === 'LITERAL') return b.resourceName === f.resourceName || b.resourceName === '*'
    return f.resourceName.startsWith(b.resourceName)
  }
  if (pattern !== 'ANY' && pattern !== b.patternType) return false
  if (f.resourceName !== undefined && f.resourceName !== b.resourceName) return false
  return true
}

// ---- declarative files (acls apply) ----

export interface AclRule {
  principal: string[]
  permission: Permission
  operations: Operation[]
  resource: {resourceType: ResourceType; resourceName: string; patternType: PatternType}
  hosts: string[]
}

export interface AclFile {
  bindings: AclBinding[]
  /** The principals the file speaks for: --prune removes only their other ACLs. */
  principals: string[]
}

const RULE_KEYS = new Set(['principal', 'principals', 'permission', 'operations', 'topic', 'group', 'transactionalId', 'cluster', 'patternType', 'hosts'])

/** Parses the YAML/JSON document of `acls apply` (schemas/acls.schema.json) into bindings. */
export function parseAclDocument(doc: unknown, source: string): AclFile {
  const fail = (where: string, message: string) => usageError(`${source}: ${where}: ${message}`, 'see schemas/acls.schema.json for the file format', 'BAD_ACL_FILE')
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw fail('top level', "expected an object with 'acls: [...]'")
  const top = doc as Record<string, unknown>
  for (const key of Object.keys(top)) if (key !== 'acls' && key !== 'principals' && key !== '$schema') throw fail(key, `unknown field (known: acls, principals)`)
  if (!Array.isArray(top.acls)) throw fail('acls', 'expected a list of rules')
  const principals = new Set<string>()
  if (top.principals !== undefined) {
    if (!Array.isArray(top.principals) || top.principals.some((p) => typeof p !== 'string')) throw fail('principals', 'expected a list of principal names')
    for (const p of top.principals as string[]) principals.add(normalizePrincipal(p))
  }
  const bindings: AclBinding[] = []
  top.acls.forEach((raw, i) => {
    const at = `acls[${i}]`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail(at, 'expected an object')
    const rule = raw as Record<string, unknown>
    for (const key of Object.keys(rule)) if (!RULE_KEYS.has(key)) throw fail(`${at}.${key}`, `unknown field (known: ${[...RULE_KEYS].join(', ')})`)
    const list = (v: unknown, name: string): string[] => {
      if (v === undefined) return []
      if (typeof v === 'string') return [v]
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
      throw fail(`${at}.${name}`, 'expected a string or a list of strings')
    }
    const who = [...list(rule.principal, 'principal'), ...list(rule.principals, 'principals')].map(normalizePrincipal)
    if (who.length === 0) throw fail(at, "no 'principal'")
    const permission = rule.permission === undefined ? 'ALLOW' : String(rule.permission).toUpperCase()
    if (permission !== 'ALLOW' && permission !== 'DENY') throw fail(`${at}.permission`, 'expected allow or deny')
    const operations = list(rule.operations, 'operations').map((o) => {
      try {
        return parseOperation(o)
      } catch {
        throw fail(`${at}.operations`, `unknown operation '${o}' (known: ${OPERATIONS.join(', ')})`)
      }
    })
    if (operations.length === 0) throw fail(at, "no 'operations'")
    const named = (['topic', 'group', 'transactionalId', 'cluster'] as const).filter((k) => rule[k] !== undefined)
    if (named.length !== 1) throw fail(at, 'name exactly one resource: topic, group, transactionalId or cluster: true')
    const kind = named[0]
    if (kind === 'cluster' && rule.cluster !== true) throw fail(`${at}.cluster`, 'expected true')
    if (kind !== 'cluster' && (typeof rule[kind] !== 'string' || !(rule[kind] as string))) throw fail(`${at}.${kind}`, 'expected a name')
    const resourceType: ResourceType = {topic: 'TOPIC', group: 'GROUP', transactionalId: 'TRANSACTIONAL_ID', cluster: 'CLUSTER'}[kind] as ResourceType
    const resourceName = kind === 'cluster' ? CLUSTER_NAME : (rule[kind] as string)
    const pattern = rule.patternType === undefined ? 'LITERAL' : String(rule.patternType).toUpperCase()
    if (pattern !== 'LITERAL' && pattern !== 'PREFIXED') throw fail(`${at}.patternType`, 'expected literal or prefixed')
    const hosts = list(rule.hosts, 'hosts')
    for (const operation of operations) {
      if (!VALID_OPERATIONS[resourceType].includes(operation))
        throw fail(`${at}.operations`, `${operation} does not apply to a ${describeType(resourceType)} (valid: ${VALID_OPERATIONS[resourceType].join(', ')})`)
      for (const principal of who) {
        principals.add(principal)
        for (const host of hosts.length > 0 ? hosts : ['*'])
          bindings.push({principal, host, operation, permission: permission as Permission, resourceType, resourceName, patternType: pattern as PatternType})
      }
    }
  })
  return {bindings: dedupe(bindings), principals: [...principals].sort()}
}

export interface AclPlan {
  create: AclBinding[]
  delete: AclBinding[]
  unchanged: number
}

/** What to create (in the file, not on the cluster) and, with prune, delete (the file's principals' other ACLs). */
export function planAcls(desired: AclFile, actual: AclBinding[], options: {prune?: boolean} = {}): AclPlan {
  const have = new Set(actual.map(bindingKey))
  const want = new Set(desired.bindings.map(bindingKey))
  const create = desired.bindings.filter((b) => !have.has(bindingKey(b)))
  const scope = new Set(desired.principals)
  const del = options.prune ? actual.filter((b) => scope.has(b.principal) && !want.has(bindingKey(b))) : []
  return {create: sortBindings(create), delete: sortBindings(del), unchanged: desired.bindings.length - create.length}
}

/** One line per binding, kafka-acls' words: `ALLOW User:alice READ topic 'orders' (literal) from *`. */
export function formatBinding(b: AclBinding): string {
  const resource = b.resourceType === 'CLUSTER' ? 'cluster' : `${describeType(b.resourceType)} '${b.resourceName}'${b.patternType === 'PREFIXED' ? ' (prefixed)' : ''}`
  return `${b.permission} ${b.principal} ${b.operation} ${resource}${b.host === '*' ? '' : ` from ${b.host}`}`
}

export function formatAclPlan(plan: AclPlan, paint: (t: string, s: 'green' | 'red' | 'dim') => string): string[] {
  const lines = [...plan.create.map((b) => paint(`+ ${formatBinding(b)}`, 'green')), ...plan.delete.map((b) => paint(`- ${formatBinding(b)}`, 'red'))]
  lines.push(paint(`${plan.create.length} to create, ${plan.delete.length} to delete, ${plan.unchanged} unchanged`, 'dim'))
  return lines
}
