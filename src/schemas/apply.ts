/**
 * `schemas apply`: a file of subjects and compatibility levels (YAML or JSON, schema in
 * schemas/schemas.schema.json) -> a plan against the registry -> levels to set, then schemas to register (a new
 * subject's level right after its first version).
 *
 *   compatibility: BACKWARD            # the global level (optional)
 *   subjects:
 *     money-value:
 *       file: money.proto              # relative to this file; or `schema:` inline
 *     sales-value:
 *       file: sale.proto
 *       type: protobuf                 # optional: from the extension / content otherwise
 *       compatibility: FULL            # the subject's own level (optional)
 *       references:
 *         - {name: money.proto, subject: money-value}   # version: a number; absent = the one this file registers
 *
 * Parsing, ordering and the plan's text are pure and unit-tested; reading the registry's state and executing take
 * a RegistryClient.
 */
import {readFile} from 'node:fs/promises'
import {dirname, isAbsolute, join} from 'node:path'

import {ExitCode, KafkitError, usageError} from '../errors.js'
import {parseYamlFile} from '../util/yaml.js'
import type {CompatibilityLevel, RegistryClient, SchemaReference, SchemaType} from './registry.js'
import {checkAgainst} from './operations.js'
import {checkSchemaText, inferSchemaType, parseCompatibilityLevel, parseSchemaType} from './schema-file.js'

export interface DesiredReference {
  name: string
  subject: string
  /** undefined: the version this file registers for that subject (it must be in the file), else the latest. */
  version?: number
}

export interface DesiredSubject {
  subject: string
  schema: string
  type: SchemaType
  /** Where the schema comes from (`file: sale.avsc` or `inline`), for messages. */
  from: string
  references: DesiredReference[]
  compatibility?: CompatibilityLevel
}

export interface DesiredSchemas {
  source: string
  compatibility?: CompatibilityLevel
  /** In registration order: a subject comes after the subjects it references. */
  subjects: DesiredSubject[]
}

/** What the registry has for one subject of the file. */
export interface ActualSubject {
  subject: string
  /** The version holding exactly this schema (with these references), if any. */
  matchingVersion?: number
  latestVersion?: number
  /** The subject's own level (undefined: it follows the global level, or the registry cannot tell). */
  compatibility?: CompatibilityLevel
  /** With a latest version and a different schema: would registering pass the compatibility check? */
  compatible?: boolean
  messages?: string[]
}

export type SchemaAction =
  | {action: 'set-compatibility'; subject?: string; from: CompatibilityLevel | null; to: CompatibilityLevel}
  | {action: 'register'; subject: string; type: SchemaType; from: string; newSubject: boolean; afterVersion?: number; compatible: boolean | null; messages: string[]}

export interface SchemasPlan {
  actions: SchemaAction[]
  /** Subjects already holding the file's schema: `subject -> version` (an older version when it is not the latest). */
  upToDate: {subject: string; version: number; latest: boolean}[]
  /** Registrations the registry would refuse (incompatible): the plan cannot be applied as it is. */
  blocked: string[]
  counts: {register: number; compatibility: number; unchanged: number}
}

const ROOT_KEYS = new Set(['$schema', 'compatibility', 'subjects'])
const SUBJECT_KEYS = new Set(['file', 'schema', 'type', 'references', 'compatibility'])
const REFERENCE_KEYS = new Set(['name', 'subject', 'version'])

/** Parses and validates the file (schemas read from `file:` paths relative to it); every problem is exit 2. */
export async function parseSchemasFile(text: string, source: string, baseDir: string, read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8')): Promise<DesiredSchemas> {
  const doc = await parseYamlFile(text, source, 'see schemas/schemas.schema.json for the format')
  const bad = (where: string, what: string) => usageError(`${source}: ${where} ${what}`, 'see the schemas file format in the README (schema: schemas/schemas.schema.json)', 'BAD_APPLY_FILE')
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('the document', "must be a mapping with 'subjects'")
  const root = doc as Record<string, unknown>
  for (const key of Object.keys(root)) if (!ROOT_KEYS.has(key)) throw bad(`'${key}'`, 'is not a known key (compatibility, subjects)')
  const compatibility = root.compatibility === undefined ? undefined : level(root.compatibility, 'compatibility', bad)
  if (root.subjects === undefined && compatibility === undefined) throw bad("'subjects'", 'is missing')
  const rawSubjects = root.subjects ?? {}
  if (typeof rawSubjects !== 'object' || rawSubjects === null || Array.isArray(rawSubjects))
    throw bad("'subjects'", 'must be a mapping of subject names to {file | schema, type, references, compatibility}')

  const subjects: DesiredSubject[] = []
  for (const [subject, value] of Object.entries(rawSubjects as Record<string, unknown>)) {
    const at = `subjects.${subject}`
    if (subject.trim() === '') throw bad(at, 'a subject name cannot be empty')
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(at, 'must be a mapping with `file` or `schema`')
    const s = value as Record<string, unknown>
    for (const key of Object.keys(s)) if (!SUBJECT_KEYS.has(key)) throw bad(`${at}.${key}`, `is not a known key (${[...SUBJECT_KEYS].join(', ')})`)
    if ((s.file === undefined) === (s.schema === undefined)) throw bad(at, 'needs exactly one of `file` (a path) or `schema` (the schema text)')
    let schema: string
    let from: string
    let path = 'inline'
    if (s.file !== undefined) {
      if (typeof s.file !== 'string' || s.file === '') throw bad(`${at}.file`, 'must be a path')
      path = isAbsolute(s.file) ? s.file : join(baseDir, s.file)
      from = `file ${s.file}`
      try {
        schema = await read(path)
      } catch (error) {
        throw usageError(
          `${source}: ${at}.file: cannot read ${s.file}${(error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (no such file)' : `: ${(error as Error).message}`}`,
          'paths are relative to the schemas file',
          'FILE_NOT_FOUND',
        )
      }
    } else {
      if (typeof s.schema === 'string') schema = s.schema
      else if (typeof s.schema === 'object' && s.schema !== null) schema = JSON.stringify(s.schema)
      else throw bad(`${at}.schema`, 'must be the schema text (or, for Avro and JSON Schema, a mapping)')
      from = 'inline'
    }
    let type: SchemaType
    try {
      type = s.type === undefined ? inferSchemaType(path === 'inline' ? `${subject}.inline` : path, schema) : parseSchemaType(String(s.type), `${at}.type`)
      checkSchemaText(schema, type, `${source}: ${at}`)
    } catch (error) {
      const e = error as KafkitError
      throw usageError(`${source}: ${at}: ${e.message.replace(`${source}: ${at}: `, '')}`, e.hint, e.code)
    }
    const references: DesiredReference[] = []
    if (s.references !== undefined) {
      if (!Array.isArray(s.references)) throw bad(`${at}.references`, 'must be a list of {name, subject, version}')
      s.references.forEach((r, i) => {
        const rat = `${at}.references[${i}]`
        if (typeof r !== 'object' || r === null || Array.isArray(r)) throw bad(rat, 'must be a mapping {name, subject, version}')
        const ref = r as Record<string, unknown>
        for (const key of Object.keys(ref)) if (!REFERENCE_KEYS.has(key)) throw bad(`${rat}.${key}`, 'is not a known key (name, subject, version)')
        if (typeof ref.name !== 'string' || ref.name === '') throw bad(`${rat}.name`, 'must be the reference name (Protobuf: the import path; Avro: the full type name; JSON Schema: the $ref)')
        if (typeof ref.subject !== 'string' || ref.subject === '') throw bad(`${rat}.subject`, 'must be a subject')
        let version: number | undefined
        if (ref.version !== undefined && ref.version !== 'latest') {
          if (typeof ref.version !== 'number' || !Number.isInteger(ref.version) || ref.version < 1) throw bad(`${rat}.version`, 'must be a version number (1 or more) or latest')
          version = ref.version
        }
        references.push({name: ref.name, subject: ref.subject, version})
      })
    }
    subjects.push({subject, schema, type, from, references, ...(s.compatibility === undefined ? {} : {compatibility: level(s.compatibility, `${at}.compatibility`, bad)})})
  }
  return {source, ...(compatibility ? {compatibility} : {}), subjects: orderByReferences(subjects, source)}
}

function level(value: unknown, where: string, bad: (where: string, what: string) => Error): CompatibilityLevel {
  try {
    return parseCompatibilityLevel(String(value), where)
  } catch (error) {
    throw bad(where, `'${String(value)}' is not a compatibility level (${(error as KafkitError).hint})`)
  }
}

/** Referenced subjects first (a depth-first topological order); a cycle is exit 2 naming it. */
export function orderByReferences(subjects: DesiredSubject[], source = 'the file'): DesiredSubject[] {
  const byName = new Map(subjects.map((s) => [s.subject, s]))
  const done = new Set<string>()
  const visiting: string[] = []
  const out: DesiredSubject[] = []
  const visit = (s: DesiredSubject) => {
    if (done.has(s.subject)) return
    if (visiting.includes(s.subject)) {
      throw usageError(
        `${source}: the references form a cycle: ${[...visiting.slice(visiting.indexOf(s.subject)), s.subject].join(' -> ')}`,
        'a schema cannot reference itself, even through others',
        'BAD_APPLY_FILE',
      )
    }
    visiting.push(s.subject)
    for (const r of s.references) {
      const target = byName.get(r.subject)
      if (target) visit(target)
    }
    visiting.pop()
    done.add(s.subject)
    out.push(s)
  }
  for (const s of subjects) visit(s)
  return out
}

/**
 * The references as the registry wants them (version numbers). A reference without a version to a subject of
 * this file takes the version that subject has (or will have) for the file's schema: `versions` maps subjects to
 * it, filled in as the plan / the execution proceeds. Absent from the file: the latest version.
 */
export function concreteReferences(s: DesiredSubject, versions: Map<string, number>): SchemaReference[] | undefined {
  const out: SchemaReference[] = []
  for (const r of s.references) {
    const version = r.version ?? versions.get(r.subject)
    if (version === undefined) return undefined
    out.push({name: r.name, subject: r.subject, version})
  }
  return out
}

/** Reads what the registry has for each subject of the file, in order, knowing the references' versions. */
export async function readActualSchemas(client: RegistryClient, desired: DesiredSchemas): Promise<{actual: ActualSubject[]; globalLevel: CompatibilityLevel | null; pending: Set<string>}> {
  const globalLevel = (await client.getCompatibility()) ?? null
  // subject -> the version holding the file's schema, for references without a version.
  const versions = new Map<string, number>()
  const pending = new Set<string>()
  const inFile = new Set(desired.subjects.map((s) => s.subject))
  const actual: ActualSubject[] = []
  for (const s of desired.subjects) {
    for (const r of s.references) {
      if (r.version === undefined && !inFile.has(r.subject) && !versions.has(r.subject)) versions.set(r.subject, (await client.getVersion(r.subject, 'latest')).version)
    }
    const existing = await client.listVersions(s.subject).catch((error) => {
      if (error instanceof KafkitError && error.code === 'SUBJECT_NOT_FOUND') return [] as number[]
      throw error
    })
    const latestVersion = existing.length > 0 ? Math.max(...existing) : undefined
    const own = latestVersion === undefined ? undefined : await client.getCompatibility(s.subject)
    const references = concreteReferences(s, versions)
    const row: ActualSubject = {subject: s.subject, latestVersion, ...(own && own !== globalLevel ? {compatibility: own} : {})}
    if (references === undefined) {
      // It references a subject this file registers first: nothing to look up or check yet.
      pending.add(s.subject)
      actual.push(row)
      continue
    }
    const input = {schema: s.schema, schemaType: s.type, references}
    const match = latestVersion === undefined ? undefined : await client.lookup(s.subject, input)
    if (match) {
      row.matchingVersion = match.version
      versions.set(s.subject, match.version)
    } else if (latestVersion !== undefined) {
      const level = s.compatibility ?? own ?? desired.compatibility ?? globalLevel
      if (level === 'NONE') row.compatible = true
      else {
        const r = await checkAgainst(client, s.subject, input, 'latest')
        row.compatible = r.compatible
        row.messages = r.messages
      }
    }
    actual.push(row)
  }
  return {actual, globalLevel, pending}
}

/** Levels first (a new level may be what lets a schema in), then registrations in reference order. */
export function planSchemas(desired: DesiredSchemas, actual: ActualSubject[], globalLevel: CompatibilityLevel | null): SchemasPlan {
  const byName = new Map(actual.map((a) => [a.subject, a]))
  const actions: SchemaAction[] = []
  const upToDate: SchemasPlan['upToDate'] = []
  const blocked: string[] = []
  if (desired.compatibility && desired.compatibility !== globalLevel) actions.push({action: 'set-compatibility', from: globalLevel, to: desired.compatibility})
  // A new subject gets its level right after its first version (which no level checks): if registering fails,
  // no level is left behind for a subject that does not exist.
  const later: SchemaAction[] = []
  for (const s of desired.subjects) {
    const have = byName.get(s.subject)
    const current = have?.compatibility ?? null
    // A level equal to the global one is what the registry reports for a subject without its own (Apicurio): unchanged.
    const effective = current ?? desired.compatibility ?? globalLevel
    if (s.compatibility && s.compatibility !== effective)
      (have?.latestVersion === undefined ? later : actions).push({action: 'set-compatibility', subject: s.subject, from: current, to: s.compatibility})
  }
  for (const s of desired.subjects) {
    const have = byName.get(s.subject)
    if (have?.matchingVersion !== undefined) {
      upToDate.push({subject: s.subject, version: have.matchingVersion, latest: have.matchingVersion === have.latestVersion})
      continue
    }
    const newSubject = have?.latestVersion === undefined
    const compatible = newSubject ? true : (have?.compatible ?? null)
    if (compatible === false) blocked.push(s.subject)
    actions.push({
      action: 'register',
      subject: s.subject,
      type: s.type,
      from: s.from,
      newSubject,
      ...(have?.latestVersion === undefined ? {} : {afterVersion: have.latestVersion}),
      compatible,
      messages: have?.messages ?? [],
    })
  }
  actions.push(...later)
  return {
    actions,
    upToDate,
    blocked,
    counts: {register: actions.filter((a) => a.action === 'register').length, compatibility: actions.filter((a) => a.action === 'set-compatibility').length, unchanged: upToDate.length},
  }
}

type Paint = (text: string, style: 'green' | 'yellow' | 'red' | 'dim' | 'bold') => string

export function formatSchemasPlan(plan: SchemasPlan, paint: Paint = (t) => t): string[] {
  const lines: string[] = []
  for (const a of plan.actions) {
    if (a.action === 'set-compatibility') {
      lines.push(paint(`~ compatibility ${a.subject ?? '(global)'}`, 'yellow') + ` ${a.from ?? (a.subject ? 'global' : 'unset')} -> ${a.to}`)
    } else {
      const what = a.newSubject ? 'new subject' : `after version ${a.afterVersion}`
      if (a.compatible === false) {
        lines.push(paint(`! register ${a.subject}`, 'red') + ` (${a.type.toLowerCase()}, ${a.from}, ${what}): INCOMPATIBLE with the latest version`)
        for (const m of a.messages) lines.push(`    ${m}`)
      } else {
        lines.push(
          paint(`+ register ${a.subject}`, 'green') + ` (${a.type.toLowerCase()}, ${a.from}, ${what}${a.compatible === null ? '; checked once the subjects it references are registered' : ''})`,
        )
      }
    }
  }
  for (const u of plan.upToDate) if (!u.latest) lines.push(paint(`  note: ${u.subject} has this schema as version ${u.version}, not its latest (registering it again adds no version)`, 'dim'))
  const {register, compatibility, unchanged} = plan.counts
  lines.push(
    plan.actions.length === 0
      ? `No changes: the registry matches the file (${unchanged} subject${unchanged === 1 ? '' : 's'} up to date).`
      : `Plan: ${register} to register, ${compatibility} compatibility level${compatibility === 1 ? '' : 's'} to set, ${unchanged} unchanged.`,
  )
  return lines
}

export interface ExecutedSchemas {
  registered: {subject: string; id: number; version: number}[]
  compatibility: {subject?: string; level: CompatibilityLevel}[]
}

/** Applies the plan in its order; a failure stops it, saying what was already done. */
export async function executeSchemasPlan(client: RegistryClient, desired: DesiredSchemas, plan: SchemasPlan, upToDateVersions: Map<string, number>): Promise<ExecutedSchemas> {
  const done: ExecutedSchemas = {registered: [], compatibility: []}
  const versions = new Map(upToDateVersions)
  const bySubject = new Map(desired.subjects.map((s) => [s.subject, s]))
  try {
    for (const a of plan.actions) {
      if (a.action === 'set-compatibility') {
        await client.setCompatibility(a.to, a.subject)
        done.compatibility.push({...(a.subject === undefined ? {} : {subject: a.subject}), level: a.to})
        continue
      }
      const s = bySubject.get(a.subject)!
      for (const r of s.references) if (r.version === undefined && !versions.has(r.subject)) versions.set(r.subject, (await client.getVersion(r.subject, 'latest')).version)
      const references = concreteReferences(s, versions)!
      const input = {schema: s.schema, schemaType: s.type, references}
      const {id} = await client.register(a.subject, input)
      const found = await client.lookup(a.subject, input)
      const version = found?.version ?? (await client.getVersion(a.subject, 'latest')).version
      versions.set(a.subject, version)
      done.registered.push({subject: a.subject, id, version})
    }
  } catch (error) {
    const e = error instanceof KafkitError ? error : new KafkitError('APPLY_FAILED', String((error as Error).message ?? error))
    const summary = `${done.registered.length} registered, ${done.compatibility.length} level${done.compatibility.length === 1 ? '' : 's'} set before it`
    throw new KafkitError(e.code, `${e.message} (${summary})`, {hint: e.hint, exitCode: e.exitCode, cause: error, details: {...e.details, applied: done}})
  }
  return done
}

export const schemasFileDir = (file: string) => (file === '-' ? process.cwd() : dirname(file))

/** Exit 8 for --check, with the counts. */
export function differsError(source: string, plan: SchemasPlan, bin: string, file: string): KafkitError {
  return new KafkitError(
    'REGISTRY_DIFFERS',
    `the registry differs from ${source}: ${plan.counts.register} to register, ${plan.counts.compatibility} compatibility level${plan.counts.compatibility === 1 ? '' : 's'} to set${plan.blocked.length > 0 ? ` (${plan.blocked.length} incompatible: ${plan.blocked.join(', ')})` : ''}`,
    {
      hint: `apply it with '${bin} schemas apply -f ${file}'`,
      exitCode: ExitCode.DIFFERS,
    },
  )
}
