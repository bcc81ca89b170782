/**
 * consume's schema flags -> what the print loop needs: decoders for the formatter, the --where filter, the
 * per-batch schema fetch, and the --strict verdict at the end. Everything that can be checked without a network
 * round trip (the expression, the .proto files) is checked before the caller connects.
 */
import {ExitCode, KafkitError, usageError} from '../errors.js'
import type {RawRecord} from '../records/envelope.js'
import type {DataFormat} from './data-formats.js'
import type {RecordDecoding, whereView as WhereView} from './decoding.js'
import type {ProtoFile} from './protobuf.js'
import type {RegistryApi} from './store.js'
import type {WherePredicate} from './where.js'

export interface ConsumeSchemaFlags {
  'value-format'?: string
  'key-format'?: string
  strict?: boolean
  where?: string
  proto?: string
  'proto-path'?: string[]
  message?: string
  'key-message'?: string
  /** --no-schema-cache: false. */
  'schema-cache'?: boolean
}

export interface ConsumeSchemaContext {
  /** A registry is configured (profile, --schema-registry or KAFKIT_SCHEMA_REGISTRY_URL). */
  registryConfigured: boolean
  registry: () => Promise<RegistryApi>
  warn: (line: string) => void
}

export class ConsumeSchemas {
  /** For compileFormat (undefined: nothing is decoded). */
  readonly decoders?: RecordDecoding
  private readonly where?: (record: RawRecord) => boolean

  constructor(decoding: RecordDecoding | undefined, where?: {predicate: WherePredicate; view: typeof WhereView}) {
    this.decoders = decoding?.active ? decoding : undefined
    if (where) {
      const {predicate, view: whereView} = where
      const decoders = this.decoders
      this.where = (r) => {
        if (decoders) decoders.current = r
        return predicate(whereView(r, decoders))
      }
    }
  }

  /** --grep and --where together (both must match). */
  filter(grep: ((r: RawRecord) => boolean) | undefined): ((r: RawRecord) => boolean) | undefined {
    const where = this.where
    if (!where) return grep
    if (!grep) return where
    return (r) => grep(r) && where(r)
  }

  /** Fetch the schemas a batch needs before it is printed (undefined: nothing to wait for). */
  prepare(records: readonly RawRecord[]): Promise<void> | undefined {
    return this.decoders?.prepare(records)
  }

  /** After the last record: --strict and undecodable records are exit 5; otherwise a count on stderr. */
  finish(strict: boolean | undefined, warn: (line: string) => void): void {
    const failures = this.decoders?.failures ?? 0
    if (failures === 0) return
    const text = `${failures} record${failures === 1 ? '' : 's'} claimed the schema registry's wire format but could not be decoded (shown as they are)`
    if (strict)
      throw new KafkitError('UNDECODABLE_RECORDS', text, {
        exitCode: ExitCode.INCOMPLETE,
        hint: 'the warnings above say why; without --strict such records are only counted',
        details: {undecodable: failures},
      })
    warn(text)
  }
}

/**
 * Checks the flags and builds the decoders. The registry is only contacted when a record needs a schema, and the
 * serde libraries are only loaded when something will be decoded (a plain consume starts as fast as before).
 */
export async function openConsumeSchemas(flags: ConsumeSchemaFlags, context: ConsumeSchemaContext): Promise<ConsumeSchemas> {
  const valueFlag = flags['value-format'] as DataFormat | undefined
  const keyFlag = flags['key-format'] as DataFormat | undefined
  let proto: {file: ProtoFile; value?: ReturnType<ProtoFile['messageByName']>; key?: ReturnType<ProtoFile['messageByName']>} | undefined
  if (flags.proto !== undefined) {
    if (!flags.message && !flags['key-message'])
      throw usageError("--proto needs --message TYPE (the value's message) and/or --key-message TYPE", 'e.g. --proto sales.proto --message acme.sales.Sale', 'BAD_FLAGS')
    if ((valueFlag && valueFlag !== 'protobuf' && flags.message) || (keyFlag && keyFlag !== 'protobuf' && flags['key-message']))
      throw usageError('--proto decodes Protobuf: drop --value-format/--key-format or set them to protobuf', undefined, 'BAD_FLAGS')
    const {loadProtoFile} = await import('./protobuf.js')
    const file = protoOrUsage(() => loadProtoFile(flags.proto!, flags['proto-path'] ?? []))
    proto = {
      file,
      value: flags.message ? protoOrUsage(() => file.messageByName(flags.message!), '--message') : undefined,
      key: flags['key-message'] ? protoOrUsage(() => file.messageByName(flags['key-message']!), '--key-message') : undefined,
    }
  } else if (flags.message || flags['key-message']) {
    throw usageError('--message/--key-message name a type of the --proto file', 'e.g. --proto sales.proto --message acme.sales.Sale', 'BAD_FLAGS')
  }
  const explicit = [valueFlag, keyFlag].some((f) => f !== undefined && f !== 'raw' && f !== 'auto')
  const needsRegistry = explicit || (context.registryConfigured && (valueFlag !== 'raw' || keyFlag !== 'raw'))
  const valueFormat: DataFormat = valueFlag ?? (context.registryConfigured ? 'auto' : 'raw')
  const keyFormat: DataFormat = keyFlag ?? (context.registryConfigured ? 'auto' : 'raw')
  let store: import('./store.js').SchemaStore | undefined
  // --proto covers what it names; a registry (when there is one) still decodes the other field.
  if (needsRegistry && !(proto?.value && proto?.key)) {
    if (!context.registryConfigured && explicit) {
      // The registry client's own error says how to configure one.
      await context.registry()
    }
    if (context.registryConfigured) {
      const {SchemaStore} = await import('./store.js')
      const registry = lazyRegistry(context.registry)
      store = new SchemaStore(registry, isNotFound, flags['schema-cache'] === false ? undefined : () => openDiskCache(registry.client()))
    }
  }
  const decodingModule = store || proto || flags.where !== undefined ? await import('./decoding.js') : undefined
  const decoding = decodingModule && (store || proto) ? new decodingModule.RecordDecoding({keyFormat, valueFormat, store, proto, warn: context.warn}) : undefined
  let where: ConstructorParameters<typeof ConsumeSchemas>[1]
  if (flags.where !== undefined) {
    const {compileWhere} = await import('./where.js')
    where = {predicate: compileWhere(flags.where), view: decodingModule!.whereView}
  }
  return new ConsumeSchemas(decoding, where)
}

function protoOrUsage<T>(load: () => T, flag = '--proto'): T {
  try {
    return load()
  } catch (error) {
    throw usageError(`${flag}: ${(error as Error).message}`, '--proto-path DIR adds a directory to resolve imports from', 'BAD_PROTO')
  }
}

/** The on-disk cache for this registry, or none (a loopback registry, or one without an identity to key it by). */
async function openDiskCache(client: Promise<RegistryApi>): Promise<import('./disk-cache.js').SchemaDiskCache | undefined> {
  const identity = (await client).identity
  if (!identity) return undefined
  const [{SchemaDiskCache, isLoopbackUrl}, {cacheRoot}] = await Promise.all([import('./disk-cache.js'), import('../local/paths.js')])
  if (isLoopbackUrl(identity.url)) return undefined
  return new SchemaDiskCache(cacheRoot(), identity.url, identity.principal)
}

/** The registry client is created on the first schema fetch (a topic without wire-format records needs none). */
function lazyRegistry(open: () => Promise<RegistryApi>): RegistryApi & {client: () => Promise<RegistryApi>} {
  let client: Promise<RegistryApi> | undefined
  const get = () => (client ??= open())
  return {
    client: get,
    getSchemaById: async (id) => (await get()).getSchemaById(id),
    getVersion: async (s, v) => (await get()).getVersion(s, v),
    getSubjectVersionsById: async (id) => (await get()).getSubjectVersionsById(id),
    register: async (s, i) => (await get()).register(s, i),
    lookup: async (s, i) => (await get()).lookup(s, i),
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KafkitError && error.exitCode === ExitCode.NOT_FOUND
}
