/**
 * What the `kafkit schemas` commands do, over a RegistryClient: each returns the result object that `--json`
 * prints. Registry differences (Apicurio's Confluent API) are smoothed here, and said where they cannot be.
 */
import {ExitCode, KafkitError, notFoundError} from '../errors.js'
import type {CompatibilityLevel, RegistryClient, SchemaInput, SchemaReference, SchemaType, SubjectVersion, VersionSpec} from './registry.js'
import type {ReferenceSpec} from './schema-file.js'

export interface SubjectRow {
  subject: string
  /** Soft-deleted (listed only with --deleted). */
  deleted: boolean
}

export async function listSubjects(client: RegistryClient, options: {deleted?: boolean} = {}): Promise<SubjectRow[]> {
  const live = (await client.listSubjects()).sort()
  if (!options.deleted) return live.map((subject) => ({subject, deleted: false}))
  const all = await client.listSubjects({deleted: true})
  const liveSet = new Set(live)
  return [...new Set([...all, ...live])].sort().map((subject) => ({subject, deleted: !liveSet.has(subject)}))
}

export interface VersionsResult {
  subject: string
  versions: {version: number; deleted: boolean}[]
}

export async function listVersions(client: RegistryClient, subject: string, options: {deleted?: boolean} = {}): Promise<VersionsResult> {
  const live = await client.listVersions(subject, options.deleted ? {deleted: true} : {}).catch(async (error) => {
    // A soft-deleted subject: its versions are listed with --deleted only.
    if (!options.deleted) throw error
    return client.listVersions(subject, {deleted: true})
  })
  if (!options.deleted) return {subject, versions: live.map((version) => ({version, deleted: false}))}
  const active = new Set(await client.listVersions(subject).catch(() => [] as number[]))
  return {subject, versions: [...live].sort((a, b) => a - b).map((version) => ({version, deleted: !active.has(version)}))}
}

/** References given as name=subject:latest become the latest version's number (the registry stores numbers). */
export async function resolveReferences(client: RegistryClient, specs: ReferenceSpec[]): Promise<SchemaReference[]> {
  return Promise.all(
    specs.map(async (r) => {
      if (r.version !== 'latest') return {name: r.name, subject: r.subject, version: r.version}
      const latest = await client.getVersion(r.subject, 'latest')
      return {name: r.name, subject: r.subject, version: latest.version}
    }),
  )
}

export interface RegisterResult {
  subject: string
  id: number
  version: number
  schemaType: SchemaType
  /** false: the subject already had this schema (the registry returns the existing id, no new version). */
  created: boolean
}

export async function registerSchema(client: RegistryClient, subject: string, input: SchemaInput): Promise<RegisterResult> {
  const existing = await client.lookup(subject, input)
  if (existing) return {subject, id: existing.id, version: existing.version, schemaType: existing.schemaType, created: false}
  const {id} = await client.register(subject, input)
  const found = await client.lookup(subject, input)
  return {subject, id, version: found?.version ?? (await client.getVersion(subject, 'latest')).version, schemaType: input.schemaType ?? 'AVRO', created: true}
}

export interface VersionCheck {
  version: number
  compatible: boolean
  messages: string[]
}

export interface CheckResult {
  subject: string
  compatible: boolean
  /** The level the registry applies to the subject (its own, else the global one). */
  level: CompatibilityLevel | null
  /** Against the latest version, or every version with --all. */
  against: 'latest' | 'all'
  results: VersionCheck[]
  /** Why nothing was asked (a new subject, level NONE), or what the registry did not say. */
  note?: string
}

/**
 * Is `input` compatible with the subject? A subject with no versions accepts anything, and so does level NONE
 * (Apicurio's compatibility endpoint would still test backward compatibility there; Confluent answers compatible,
 * and registering succeeds on both).
 */
export async function checkSchema(client: RegistryClient, subject: string, input: SchemaInput, options: {all?: boolean} = {}): Promise<CheckResult> {
  const against = options.all ? 'all' : 'latest'
  const versions = await client.listVersions(subject).catch((error) => {
    if (error instanceof KafkitError && error.code === 'SUBJECT_NOT_FOUND') return [] as number[]
    throw error
  })
  const level = (await client.getCompatibility(subject)) ?? (await client.getCompatibility()) ?? null
  if (versions.length === 0) return {subject, compatible: true, level, against, results: [], note: `subject '${subject}' has no versions yet: any schema can be registered`}
  if (level === 'NONE') return {subject, compatible: true, level, against, results: [], note: 'the compatibility level is NONE: any schema can be registered'}
  const targets: VersionSpec[] = options.all ? [...versions].sort((a, b) => a - b) : ['latest']
  const latest = Math.max(...versions)
  const results: VersionCheck[] = []
  const notes = new Set<string>()
  for (const version of targets) {
    const r = await checkAgainst(client, subject, input, version)
    if (r.note) notes.add(r.note)
    results.push({version: version === 'latest' ? latest : version, compatible: r.compatible, messages: r.messages})
  }
  const compatible = results.every((r) => r.compatible)
  return {subject, compatible, level, against, results, ...(notes.size > 0 ? {note: [...notes].join('; ')} : {})}
}

/**
 * One compatibility check, with Apicurio's gaps filled from its own API's dry run of registering (which registers
 * nothing, applies the subject's rule and says why it fails): its Confluent API gives no reasons for an
 * incompatible schema, and answers "invalid schema" for a Protobuf schema with references.
 */
export async function checkAgainst(client: RegistryClient, subject: string, input: SchemaInput, version: VersionSpec): Promise<{compatible: boolean; messages: string[]; note?: string}> {
  let result: {compatible: boolean; messages: string[]}
  try {
    result = await client.checkCompatibility(subject, input, version)
  } catch (error) {
    if (!(error instanceof KafkitError && error.code === 'INVALID_SCHEMA' && (input.references?.length ?? 0) > 0)) throw error
    const dry = await client.apicurioDryRun(subject, input)
    if (!dry) throw error
    return {...dry, note: "checked with Apicurio's own API (a dry run of registering under the subject's rule): its Confluent API cannot check schemas with references"}
  }
  if (result.compatible || result.messages.length > 0) return result
  const dry = await client.apicurioDryRun(subject, input).catch(() => undefined)
  if (dry && !dry.compatible) return {compatible: false, messages: dry.messages, note: "reasons from Apicurio's own API (a dry run of registering): its Confluent API gives none"}
  return {...result, note: 'the registry gave no reasons'}
}

export interface CompatibilityResult {
  /** Absent for the global level. */
  subject?: string
  level: CompatibilityLevel | null
  /** Where the level comes from: the subject's own, or the global one it follows. */
  source: 'subject' | 'global'
}

export async function getCompatibility(client: RegistryClient, subject?: string): Promise<CompatibilityResult> {
  if (subject === undefined) return {level: (await client.getCompatibility()) ?? null, source: 'global'}
  // Some registries (Confluent) say "no level of its own" for a subject; then the global level applies.
  await client.listVersions(subject)
  const own = await client.getCompatibility(subject)
  if (own) return {subject, level: own, source: 'subject'}
  return {subject, level: (await client.getCompatibility()) ?? null, source: 'global'}
}

export async function setCompatibility(client: RegistryClient, level: CompatibilityLevel, subject?: string): Promise<CompatibilityResult & {previous: CompatibilityLevel | null}> {
  const previous = (await client.getCompatibility(subject)) ?? null
  const now = await client.setCompatibility(level, subject)
  return {...(subject === undefined ? {} : {subject}), level: now, source: subject === undefined ? 'global' : 'subject', previous}
}

export interface DeletePlan {
  subject: string
  /** A single version, or every version of the subject. */
  version?: number
  /** The versions that go. */
  versions: number[]
  permanent: boolean
  /** Already soft-deleted: --permanent only removes it for good. */
  alreadySoftDeleted: boolean
  summary: string
}

export async function planDelete(client: RegistryClient, subject: string, options: {version?: VersionSpec; permanent?: boolean}): Promise<DeletePlan> {
  const permanent = options.permanent ?? false
  const live = await client.listVersions(subject).catch((error) => {
    if (permanent && error instanceof KafkitError && error.exitCode === ExitCode.NOT_FOUND) return [] as number[]
    throw error
  })
  const all = permanent ? await client.listVersions(subject, {deleted: true}).catch(() => live) : live
  if (all.length === 0) throw notFoundError('SUBJECT_NOT_FOUND', `subject '${subject}' not found`, "list them with 'kafkit schemas subjects --deleted'")
  if (options.version !== undefined) {
    const version = options.version === 'latest' ? Math.max(...live) : options.version
    if (!all.includes(version))
      throw notFoundError('VERSION_NOT_FOUND', `version ${version} of subject '${subject}' not found`, `list the versions with 'kafkit schemas versions ${subject}${permanent ? ' --deleted' : ''}'`)
    const alreadySoftDeleted = !live.includes(version)
    return {subject, version, versions: [version], permanent, alreadySoftDeleted, summary: `${permanent ? 'permanently delete' : 'delete'} version ${version} of subject '${subject}'`}
  }
  const alreadySoftDeleted = live.length === 0
  const versions = permanent ? all : live
  return {
    subject,
    versions,
    permanent,
    alreadySoftDeleted,
    summary: `${permanent ? 'permanently delete' : 'delete'} subject '${subject}' (${versions.length} version${versions.length === 1 ? '' : 's'}: ${versions.join(', ')})`,
  }
}

export interface DeleteResult {
  subject: string
  deleted: number[]
  permanent: boolean
}

/** A permanent delete soft-deletes first when needed: both registries refuse a permanent delete otherwise. */
export async function executeDelete(client: RegistryClient, plan: DeletePlan): Promise<DeleteResult> {
  if (plan.version !== undefined) {
    if (!plan.alreadySoftDeleted) await client.deleteVersion(plan.subject, plan.version)
    if (plan.permanent) await client.deleteVersion(plan.subject, plan.version, {permanent: true})
    return {subject: plan.subject, deleted: [plan.version], permanent: plan.permanent}
  }
  let deleted: number[] = plan.versions
  if (!plan.alreadySoftDeleted) deleted = await client.deleteSubject(plan.subject)
  if (plan.permanent) deleted = await client.deleteSubject(plan.subject, {permanent: true})
  return {subject: plan.subject, deleted: [...deleted].sort((a, b) => a - b), permanent: plan.permanent}
}

/** For `get`: the registered schema as a result (the schema text is also what `--raw`-style output prints). */
export type GetResult = SubjectVersion | (Omit<SubjectVersion, 'subject' | 'version'> & {subjects: {subject: string; version: number}[]})

export async function getSchema(client: RegistryClient, target: {subject?: string; version?: VersionSpec; id?: number}): Promise<GetResult> {
  if (target.id !== undefined) {
    const schema = await client.getSchemaById(target.id)
    const subjects = await client.getSubjectVersionsById(target.id).catch(() => [])
    return {...schema, subjects}
  }
  return client.getVersion(target.subject!, target.version ?? 'latest')
}
