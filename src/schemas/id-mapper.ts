/**
 * replay across registries: a record in the wire format names a schema id of the source registry, which means
 * nothing (or another schema) in the destination's. Each source id met in the window is registered in the
 * destination registry under the same subject (its references first, under theirs), and the 4-byte id of every
 * key and value is rewritten; the rest of the bytes are copied as they are. A dry run only looks the schemas up.
 */
import type {RawRecord} from '../records/envelope.js'
import type {FetchedSchema, RegistryApi, SchemaRef} from './store.js'
import {wireSchemaId, withSchemaId} from './wire.js'

export interface IdMapping {
  sourceId: number
  subject: string | null
  /** The id in the destination registry; null in a dry run when it would be registered, or when unknown. */
  destinationId: number | null
  /** existing: the destination had it; registered: this run registered it; would register (dry run); unknown: the source registry does not know the id (records copied as they are). */
  action: 'existing' | 'registered' | 'would register' | 'unknown'
}

export class SchemaIdMapper {
  private readonly mappings = new Map<number, IdMapping>()
  private readonly pending = new Map<number, Promise<void>>()
  /** Destination subject+version of each source subject+version registered this run (references). */
  private readonly refVersions = new Map<string, Promise<number>>()

  constructor(
    private readonly source: RegistryApi,
    private readonly destination: RegistryApi,
    private readonly options: {
      dryRun: boolean
      isNotFound: (error: unknown) => boolean
      warn: (line: string) => void
      /** Subjects to use when a schema is under several (identical schemas share an id): the source topic's. */
      preferredSubjects?: string[]
    },
  ) {}

  get plan(): IdMapping[] {
    return [...this.mappings.values()].sort((a, b) => a.sourceId - b.sourceId)
  }

  /** Maps the ids of these records not seen yet; undefined when there is nothing to wait for. */
  prepare(records: readonly RawRecord[]): Promise<void> | undefined {
    let missing: Set<number> | undefined
    for (const r of records) {
      for (const bytes of [r.key, r.value]) {
        const id = wireSchemaId(bytes)
        if (id !== undefined && !this.mappings.has(id)) (missing ??= new Set()).add(id)
      }
    }
    if (!missing) return undefined
    return Promise.all(
      [...missing].map((id) => {
        let p = this.pending.get(id)
        if (!p) {
          p = this.map(id)
          this.pending.set(id, p)
        }
        return p
      }),
    ).then(() => undefined)
  }

  /** The record with its ids rewritten (the same object when nothing changes). */
  rewrite(record: RawRecord): RawRecord {
    const key = this.rewriteBytes(record.key)
    const value = this.rewriteBytes(record.value)
    if (key === record.key && value === record.value) return record
    return {...record, key, value}
  }

  private rewriteBytes(bytes: Buffer | null): Buffer | null {
    const id = wireSchemaId(bytes)
    if (id === undefined) return bytes
    const to = this.mappings.get(id)?.destinationId
    return to === undefined || to === null || to === id ? bytes : withSchemaId(bytes!, to)
  }

  private async map(id: number): Promise<void> {
    let schema: FetchedSchema
    let subjects: {subject: string; version: number}[]
    try {
      ;[schema, subjects] = await Promise.all([this.source.getSchemaById(id), this.source.getSubjectVersionsById(id)])
    } catch (error) {
      if (!this.options.isNotFound(error)) throw error
      this.options.warn(`schema id ${id} is not in the source registry: records with it are copied as they are`)
      this.mappings.set(id, {sourceId: id, subject: null, destinationId: null, action: 'unknown'})
      return
    }
    // An identical schema under several subjects has one id (Apicurio shares it by content): the source topic's
    // subject (TopicNameStrategy) is preferred, else the first.
    const preferred = this.options.preferredSubjects ?? []
    const subject = (subjects.find((s) => preferred.includes(s.subject)) ?? subjects[0])?.subject
    if (!subject) {
      this.options.warn(`schema id ${id} is under no subject in the source registry: records with it are copied as they are`)
      this.mappings.set(id, {sourceId: id, subject: null, destinationId: null, action: 'unknown'})
      return
    }
    const references = await this.destinationReferences(schema.references)
    const input = {schema: schema.schema, schemaType: schema.schemaType, references}
    const found = await this.destination.lookup(subject, input)
    if (found) {
      this.mappings.set(id, {sourceId: id, subject, destinationId: found.id, action: 'existing'})
    } else if (this.options.dryRun) {
      this.mappings.set(id, {sourceId: id, subject, destinationId: null, action: 'would register'})
    } else {
      const {id: destinationId} = await this.destination.register(subject, input)
      this.mappings.set(id, {sourceId: id, subject, destinationId, action: 'registered'})
    }
  }

  /** References point to subject versions: register (or find) each in the destination and use its version there. */
  private async destinationReferences(refs: SchemaRef[]): Promise<SchemaRef[]> {
    const out: SchemaRef[] = []
    for (const ref of refs) {
      const key = `${ref.subject}\u0000${ref.version}`
      let version = this.refVersions.get(key)
      if (!version) {
        version = (async () => {
          const fetched = await this.source.getVersion(ref.subject, ref.version)
          const input = {schema: fetched.schema, schemaType: fetched.schemaType, references: await this.destinationReferences(fetched.references ?? [])}
          const found = await this.destination.lookup(ref.subject, input)
          if (found) return found.version
          // A dry run cannot know the version a registration would get: it says so through the main schema.
          if (this.options.dryRun) return ref.version
          await this.destination.register(ref.subject, input)
          const registered = await this.destination.lookup(ref.subject, input)
          return registered?.version ?? ref.version
        })()
        this.refVersions.set(key, version)
      }
      out.push({name: ref.name, subject: ref.subject, version: await version})
    }
    return out
  }
}
