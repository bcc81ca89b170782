/**
 * Schemas by id on disk, so that the next `consume` does not ask the registry again (README "Records with schemas":
 * the schema cache). A schema id names one schema for good within one registry, so an entry never goes stale;
 * entries are keyed by the registry's URL (and the user name it is read with), so two registries never mix.
 *
 *   <cache root>/schemas/<sha256(url, user) prefix>/registry.json   which registry this directory is (no secrets)
 *                                                   /<id>.json       the schema, its type and references, and the
 *                                                                    referenced schemas (subject, version, text)
 *
 * Only what the registry answered 200 to is written (never an error, a 401/403 or an unknown id); directories are
 * 0700 and files 0600 (schemas can be private). Registries on loopback addresses are not cached: a fetch costs a
 * millisecond there, and local registries are the ones that get wiped and reuse ids (Apicurio's in-memory storage,
 * `kafkit local start --schema-registry`, a docker compose down -v). A cache that cannot be read or written is
 * ignored: it never fails a command.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

// The shapes of store.ts' FetchedSchema / SchemaRef, restated: store.ts imports this module.
interface SchemaRef {
  name: string
  subject: string
  version: number
}
interface FetchedSchema {
  schema: string
  schemaType: 'AVRO' | 'PROTOBUF' | 'JSON'
  references: SchemaRef[]
}

const FORMAT = 1

export interface CachedSchema {
  schema: FetchedSchema
  /** The referenced schemas, transitively, by subject and version. */
  refs: {subject: string; version: number; schema: FetchedSchema}[]
}

export class SchemaDiskCache {
  readonly dir: string
  private prepared = false

  constructor(
    root: string,
    private readonly url: string,
    principal?: string,
  ) {
    const key = createHash('sha256')
      .update(`${url}\n${principal ?? ''}`)
      .digest('hex')
      .slice(0, 24)
    this.dir = join(root, 'schemas', key)
  }

  read(id: number): CachedSchema | undefined {
    try {
      const entry = JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')) as {format?: number; url?: string; id?: number} & CachedSchema
      // A hash collision or a hand-edited file is a miss, not a wrong schema.
      if (entry.format !== FORMAT || entry.url !== this.url || entry.id !== id || !validSchema(entry.schema) || !Array.isArray(entry.refs)) return undefined
      if (!entry.refs.every((r) => typeof r.subject === 'string' && typeof r.version === 'number' && validSchema(r.schema))) return undefined
      return {schema: entry.schema, refs: entry.refs}
    } catch {
      return undefined
    }
  }

  write(id: number, entry: CachedSchema): void {
    try {
      if (!this.prepared) {
        mkdirSync(this.dir, {recursive: true, mode: 0o700})
        writeFileSync(join(this.dir, 'registry.json'), `${JSON.stringify({url: this.url})}\n`, {mode: 0o600})
        this.prepared = true
      }
      const file = join(this.dir, `${id}.json`)
      const tmp = `${file}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify({format: FORMAT, url: this.url, id, ...entry}), {mode: 0o600})
      renameSync(tmp, file)
    } catch {
      // a read-only or full disk: the run goes on without the cache
    }
  }
}

function validSchema(s: unknown): s is FetchedSchema {
  const v = s as FetchedSchema
  return Boolean(v) && typeof v.schema === 'string' && typeof v.schemaType === 'string' && Array.isArray(v.references) && v.references.every(validRef)
}

function validRef(r: SchemaRef): boolean {
  return Boolean(r) && typeof r.name === 'string' && typeof r.subject === 'string' && typeof r.version === 'number'
}

/** Hosts whose registries are not cached on disk (see above). */
export function isLoopbackUrl(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return true
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '[::1]' || host === '::1' || host === '0.0.0.0'
}
