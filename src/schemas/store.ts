/**
 * Schemas by id -> ready codecs, each fetched and compiled once per run. The registry is reached through the
 * small interface below (the RegistryClient of registry.ts has it), so that this module and the serdes stay pure.
 */
import type {AvroCodec} from './avro.js'
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

  constructor(
    private readonly registry: RegistryApi,
    /** True for an exit-3-style "not found" error of the client. */
    private readonly isNotFound: (error: unknown) => boolean,
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
    try {
      this.codecs.set(id, await compileSchema(id, schema, (ref) => this.registry.getVersion(ref.subject, ref.version)))
    } catch (error) {
      this.codecs.set(id, new Error(`schema id ${id} (${schema.schemaType}) could not be compiled: ${(error as Error).message}`))
    }
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
    for (const ref of list) {
      const key = `${ref.subject}\u0000${ref.version}`
      if (seen.has(key)) continue
      seen.add(key)
      const fetched = await fetchRef(ref)
      await visit(fetched.references ?? [])
      out.push({name: ref.name, schema: fetched})
    }
  }
  await visit(refs)
  return out
}
