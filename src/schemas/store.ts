/**
 * Schemas by id -> ready codecs, each fetched and compiled once per run. The registry is reached through the
 * small interface below (the RegistryClient of registry.ts has it), so that this module and the serdes stay pure.
 */
import type {AvroCodec} from './avro.js'
import type {CachedSchema, SchemaDiskCache} from './disk-cache.js'
import type {JsonSchemaCodec} from './json-schema.js'
import type {ProtoFile} from './protobuf.js'

export type SchemaKind = 'AVRO' | 'PROTOBUF' | 'JSON'

export interface SchemaRef {
  name: string
  subject: string
  version: number
}

export interface FetchedSchema {
  schema: string
  schemaType: SchemaKind
  references: SchemaRef[]
}

/** What the data side needs from a registry client (RegistryClient has it). */
export interface RegistryApi {
  getSchemaById(id: number): Promise<FetchedSchema & {id: number}>
  getVersion(subject: string, version: number | 'latest'): Promise<FetchedSchema & {id: number; subject: string; version: number}>
  getSubjectVersionsById(id: number): Promise<{subject: string; version: number}[]>
  register(subject: string, input: {schema: string; schemaType?: SchemaKind; references?: SchemaRef[]}): Promise<{id: number}>
  lookup(subject: string, input: {schema: string; schemaType?: SchemaKind; references?: SchemaRef[]}): Promise<{id: number; version: number} | undefined>
  /** Which registry, as seen by whom: what the on-disk cache is keyed by (no secrets). */
  readonly identity?: {url: string; principal?: string}
}

export type Codec = {kind: 'AVRO'; id: number; avro: AvroCodec} | {kind: 'PROTOBUF'; id: number; proto: ProtoFile} | {kind: 'JSON'; id: number; json: JsonSchemaCodec}

/** A schema id the registry does not know (404): in auto mode such records are shown as they are. */
export class UnknownSchemaId extends Error {
  constructor(readonly id: number) {
    super(`schema id ${id} is not in the registry`)
  }
}

export class SchemaStore {
  private readonly codecs = new Map<number, Codec | Error>()
  private readonly pending = new Map<number, Promise<void>>()

  private disk?: Promise<SchemaDiskCache | undefined>

  constructor(
    private readonly registry: RegistryApi,
    /** True for an exit-3-style "not found" error of the client. */
    private readonly isNotFound: (error: unknown) => boolean,
    /** The on-disk cache of schemas by id (disk-cache.ts), opened on the first id not seen yet; none: every id is fetched. */
    private readonly openDisk?: () => Promise<SchemaDiskCache | undefined>,
  ) {}

  /** The codec of an id fetched before (prepare), or the error that fetching it met. */
  get(id: number): Codec | Error | undefined {
    return this.codecs.get(id)
  }

  /** Fetches and compiles the ids not seen yet (all at once). Registry failures other than 404 are thrown. */
  async prepare(ids: Iterable<number>): Promise<void> {
    const waits: Promise<void>[] = []
    for (const id of ids) {
      if (this.codecs.has(id)) continue
      let p = this.pending.get(id)
      if (!p) {
        p = this.load(id).finally(() => this.pending.delete(id))
        this.pending.set(id, p)
      }
      waits.push(p)
    }
    if (waits.length > 0) await Promise.all(waits)
  }

  private async load(id: number): Promise<void> {
    const disk = this.openDisk ? await (this.disk ??= this.openDisk().catch(() => undefined)) : undefined
    const cached = disk?.read(id)
    if (cached) {
      const refs = new Map(cached.refs.map((r) => [`${r.subject}\u0000${r.version}`, r.schema]))
      try {
        this.codecs.set(
          id,
          await compileSchema(id, cached.schema, async (ref) => {
            const found = refs.get(`${ref.subject}\u0000${ref.version}`)
            if (!found) throw new Error(`reference ${ref.subject} version ${ref.version} is not in the cached entry`)
            return found
          }),
        )
        return
      } catch {
        // an entry that does not compile (an older kafkit wrote it?): fetched again below
      }
    }
    let schema: FetchedSchema
    try {
      schema = await this.registry.getSchemaById(id)
    } catch (error) {
      if (this.isNotFound(error)) {
        this.codecs.set(id, new UnknownSchemaId(id))
        return
      }
      throw error
    }
    const refs: CachedSchema['refs'] = []
    let codec: Codec
    try {
      codec = await compileSchema(id, schema, async (ref) => {
        const fetched = await this.registry.getVersion(ref.subject, ref.version)
        refs.push({subject: ref.subject, version: ref.version, schema: {schema: fetched.schema, schemaType: fetched.schemaType, references: fetched.references ?? []}})
        return fetched
      })
    } catch (error) {
      this.codecs.set(id, new Error(`schema id ${id} (${schema.schemaType}) could not be compiled: ${(error as Error).message}`))
      return
    }
    this.codecs.set(id, codec)
    // Only what the registry answered and what compiled is kept (never an error).
    disk?.write(id, {schema: {schema: schema.schema, schemaType: schema.schemaType, references: schema.references ?? []}, refs})
  }
}

type FetchRef = (ref: SchemaRef) => Promise<FetchedSchema>

/** Compiles a registry schema with its references (fetched recursively, each once). */
export async function compileSchema(id: number, schema: FetchedSchema, fetchRef: FetchRef): Promise<Codec> {
  const refs = await collectReferences(schema.references, fetchRef)
  // Each serde library is loaded with the first schema of its kind (a consume that meets none loads none).
  switch (schema.schemaType) {
    case 'AVRO': {
      const {AvroCodec} = await import('./avro.js')
      // Referenced named types first, dependencies before dependents.
      return {
        kind: 'AVRO',
        id,
        avro: new AvroCodec(
          schema.schema,
          refs.map((r) => ({schema: r.schema.schema})),
        ),
      }
    }
    case 'PROTOBUF': {
      const {ProtoFile} = await import('./protobuf.js')
      return {kind: 'PROTOBUF', id, proto: new ProtoFile(schema.schema, `schema-${id}.proto`, {files: new Map(refs.map((r) => [r.name, r.schema.schema]))})}
    }
    case 'JSON': {
      const {JsonSchemaCodec} = await import('./json-schema.js')
      return {
        kind: 'JSON',
        id,
        json: new JsonSchemaCodec(
          schema.schema,
          refs.map((r) => ({name: r.name, schema: r.schema.schema})),
        ),
      }
    }
  }
}

/** Every reference, transitively, in dependency order (a reference's own references come before it). */
export async function collectReferences(refs: SchemaRef[], fetchRef: FetchRef): Promise<{name: string; schema: FetchedSchema}[]> {
  const out: {name: string; schema: FetchedSchema}[] = []
  const seen = new Set<string>()
  const visit = async (list: SchemaRef[]) => {
    // One level at a time, in parallel (Apicurio's Protobuf serializer gives a schema some 27 references).
    const fresh = list.filter((ref) => {
      const key = `${ref.subject}\u0000${ref.version}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    const fetched = await Promise.all(fresh.map((ref) => fetchRef(ref)))
    for (let i = 0; i < fresh.length; i++) {
      await visit(fetched[i].references ?? [])
      out.push({name: fresh[i].name, schema: fetched[i]})
    }
  }
  await visit(refs)
  return out
}
