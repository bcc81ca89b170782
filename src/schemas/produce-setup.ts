/**
 * produce's schema flags -> encoders: JSON keys/values -> the registry's wire format (magic 0, schema id,
 * Protobuf message indexes, payload), or plain Protobuf with --proto. Each value is checked against its schema
 * while it is encoded; one that does not fit is a usage error (exit 2) naming the line and the field path.
 *
 * Where the id comes from:
 *   --value-schema FILE         the subject TOPIC-value (TOPIC-key for keys) must have this schema (lookup);
 *                               --auto-register registers it when it does not
 *   --value-subject S [--value-schema-version N|latest]   that version's schema and id
 */
import {readFile} from 'node:fs/promises'
import {extname} from 'node:path'

import {ExitCode, KafkitError, usageError} from '../errors.js'
import type {AvroCodec} from './avro.js'
import {roomFor} from './avro-lines.js'
import type {SchemaKind, RegistryApi, FetchedSchema} from './store.js'

export interface ProduceSchemaFlags {
  'value-schema'?: string
  'value-subject'?: string
  'value-schema-version'?: string
  'key-schema'?: string
  'key-subject'?: string
  'key-schema-version'?: string
  'auto-register'?: boolean
  proto?: string
  'proto-path'?: string[]
  message?: string
  'key-message'?: string
}

export interface ProduceSchemaContext {
  topic: string
  registry: () => Promise<RegistryApi>
  info: (line: string) => void
}

export type Encoder = (json: unknown, lineNumber: number) => Buffer

/**
 * A chunk of JSON lines (`bounds` as in LineChunk) -> their values in the wire format, in one buffer, for
 * RecordWriter.writeValues. undefined when a line is blank or does not fit the schema: the caller then takes the
 * chunk line by line (encodeValue), which skips or reports it exactly as it always does.
 */
export type ValueLinesEncoder = (data: Buffer, bounds: readonly number[]) => {data: Buffer; bounds: number[]} | undefined

export interface ProduceEncoders {
  encodeKey?: Encoder
  encodeValue?: Encoder
  /** Avro values: whole chunks of lines at once (produce's lines lane), when the lines are nothing but values. */
  encodeValueLines?: ValueLinesEncoder
  /** What each encoder writes with, for the summary line ("value: Avro, subject orders-value, id 3"). */
  described: string[]
}

interface Source {
  which: 'key' | 'value'
  file?: string
  subject?: string
  version?: string
}

/** undefined when no schema flag is set (nothing is loaded). */
export async function openProduceSchemas(flags: ProduceSchemaFlags, context: ProduceSchemaContext): Promise<ProduceEncoders | undefined> {
  const sources: Source[] = []
  for (const which of ['value', 'key'] as const) {
    const file = flags[`${which}-schema`]
    const subject = flags[`${which}-subject`]
    const version = flags[`${which}-schema-version`]
    if (version !== undefined && !subject)
      throw usageError(`--${which}-schema-version goes with --${which}-subject`, `e.g. --${which}-subject orders-${which} --${which}-schema-version 3`, 'BAD_FLAGS')
    if (version !== undefined && version !== 'latest' && !/^\d+$/.test(version)) throw usageError(`--${which}-schema-version: '${version}' is not a version`, 'a number or latest', 'BAD_FLAGS')
    if (file || subject) sources.push({which, file, subject, version})
  }
  if (flags['auto-register'] && !sources.some((s) => s.file)) throw usageError('--auto-register registers a --value-schema/--key-schema file: give one', undefined, 'BAD_FLAGS')
  if (flags.proto === undefined && sources.length === 0) {
    if (flags.message || flags['key-message'])
      throw usageError('--message/--key-message name a type of a --proto file (or of a .proto --value-schema)', 'e.g. --proto sales.proto --message acme.sales.Sale', 'BAD_FLAGS')
    return undefined
  }
  const encoders: ProduceEncoders = {described: []}
  if (flags.proto !== undefined) {
    if (sources.length > 0)
      throw usageError(
        '--proto writes plain Protobuf without a registry: it does not combine with --value-schema/--value-subject',
        'use --value-schema FILE.proto --message TYPE to write the wire format with a registry id',
        'BAD_FLAGS',
      )
    if (!flags.message && !flags['key-message']) throw usageError('--proto needs --message TYPE (and/or --key-message TYPE)', 'e.g. --proto sales.proto --message acme.sales.Sale', 'BAD_FLAGS')
    const {loadProtoFile} = await import('./protobuf.js')
    const file = usage(() => loadProtoFile(flags.proto!, flags['proto-path'] ?? []), '--proto')
    for (const [which, name] of [
      ['value', flags.message],
      ['key', flags['key-message']],
    ] as const) {
      if (!name) continue
      const message = usage(() => file.messageByName(name), which === 'value' ? '--message' : '--key-message')
      const encode = withLine(which, (json) => Buffer.from(message.encode(json, which)))
      if (which === 'value') encoders.encodeValue = encode
      else encoders.encodeKey = encode
      encoders.described.push(`${which}: Protobuf ${message.name} (plain, no registry)`)
    }
    return encoders
  }
  const registry = await context.registry()
  for (const source of sources) {
    const encode = await openEncoder(source, flags, context, registry, encoders.described)
    if (source.which === 'value') {
      encoders.encodeValue = encode
      encoders.encodeValueLines = encode.lines
    } else encoders.encodeKey = encode
  }
  return encoders
}

async function openEncoder(source: Source, flags: ProduceSchemaFlags, context: ProduceSchemaContext, registry: RegistryApi, described: string[]): Promise<Encoder & {lines?: ValueLinesEncoder}> {
  const {which} = source
  const {compileSchema} = await import('./store.js')
  const {frame} = await import('./wire.js')
  let schema: FetchedSchema
  let id: number
  let subject: string
  let where: string
  if (source.file) {
    const text = await readFile(source.file, 'utf8').catch(() => {
      throw usageError(`--${which}-schema: cannot read '${source.file}'`, 'check the path', 'BAD_FLAGS')
    })
    const kind = schemaKindOf(source.file, text)
    schema = {schema: text, schemaType: kind, references: []}
    subject = `${context.topic}-${which}`
    // Compile first: a schema that does not parse is a usage error before anything is registered.
    await compileOrUsage(() => compileSchema(0, schema, async () => schema), `--${which}-schema ${source.file}`)
    const found = await registry.lookup(subject, {schema: text, schemaType: kind})
    if (found) {
      id = found.id
      where = `subject ${subject} version ${found.version}, id ${id}`
    } else if (flags['auto-register']) {
      id = (await registry.register(subject, {schema: text, schemaType: kind})).id
      where = `registered under subject ${subject}, id ${id}`
      context.info(`registered ${source.file} under subject '${subject}' (id ${id})`)
    } else {
      throw new KafkitError('SCHEMA_NOT_REGISTERED', `--${which}-schema ${source.file} is not registered under subject '${subject}'`, {
        hint: `register it first (kafkit schemas register ${subject} -f ${source.file}) or pass --auto-register`,
        exitCode: ExitCode.NOT_FOUND,
      })
    }
  } else {
    subject = source.subject!
    const version = source.version === undefined || source.version === 'latest' ? 'latest' : Number(source.version)
    const got = await registry.getVersion(subject, version)
    schema = got
    id = got.id
    where = `subject ${subject} version ${got.version}, id ${id}`
  }
  const codec = await compileOrUsage(() => compileSchema(id, schema, (ref) => registry.getVersion(ref.subject, ref.version)), `subject ${subject}`)
  const messageName = which === 'value' ? flags.message : flags['key-message']
  if (messageName && codec.kind !== 'PROTOBUF')
    throw usageError(`--${which === 'value' ? 'message' : 'key-message'} picks a Protobuf message, but ${subject}'s schema is ${codec.kind}`, undefined, 'BAD_FLAGS')
  switch (codec.kind) {
    case 'AVRO':
      described.push(`${which}: Avro, ${where}`)
      return Object.assign(
        withLine(which, (json) => frame(id, codec.avro.encode(json, which))),
        {lines: avroLines(codec.avro, frame(id, new Uint8Array(0)), which)},
      )
    case 'JSON':
      described.push(`${which}: JSON Schema, ${where}`)
      return withLine(which, (json) => frame(id, codec.json.encode(json, which)))
    case 'PROTOBUF': {
      const message = usage(() => (messageName ? codec.proto.messageByName(messageName) : codec.proto.message([0])), which === 'value' ? '--message' : '--key-message')
      described.push(`${which}: Protobuf ${message.name}, ${where}`)
      return withLine(which, (json) => frame(id, message.encode(json, which), message.indexes))
    }
  }
}

/**
 * `header`: the wire format's magic byte and schema id, before each payload. Each line takes the fast lane
 * (avro-lines.ts) when it can, else JSON.parse + encodeInto, which write the same bytes.
 */
function avroLines(codec: AvroCodec, header: Buffer, which: 'key' | 'value'): ValueLinesEncoder {
  const fast = codec.lineEncoder
  return (data, bounds) => {
    let out: Buffer = Buffer.allocUnsafe(data.length + 1024)
    const outBounds = new Array<number>(bounds.length)
    let pos = 0
    for (let i = 0; i < bounds.length; i += 2) {
      const room = header.length + roomFor(bounds[i + 1] - bounds[i])
      if (pos + room > out.length) out = grown(out, pos, room)
      for (let k = 0; k < header.length; k++) out[pos + k] = header[k]
      let end = fast ? fast(data, bounds[i], bounds[i + 1], out, pos + header.length) : -1
      if (end < 0) {
        let json: unknown
        try {
          json = JSON.parse(data.toString('utf8', bounds[i], bounds[i + 1]))
        } catch {
          return undefined // not JSON, or blank
        }
        for (;;) {
          try {
            end = codec.encodeInto(json, which, out, pos + header.length)
          } catch {
            return undefined // does not fit the schema
          }
          if (end >= 0) break
          out = grown(out, pos, out.length)
          for (let k = 0; k < header.length; k++) out[pos + k] = header[k]
        }
      }
      outBounds[i] = pos
      outBounds[i + 1] = end
      pos = end
    }
    return {data: out, bounds: outBounds}
  }
}

/** out with `more` bytes of room after pos (what is before pos kept). */
function grown(out: Buffer, pos: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, pos + more))
  out.copy(bigger, 0, 0, pos)
  return bigger
}

/** A SchemaMismatch becomes a usage error that names the line and the field (the pump adds the counts). */
function withLine(which: 'key' | 'value', encode: (json: unknown) => Buffer): Encoder {
  return (json, lineNumber) => {
    try {
      return encode(json)
    } catch (error) {
      const e = error as Error & {path?: string; reason?: string}
      const what = e.name === 'SchemaMismatch' ? `${e.path}: ${e.reason}` : `${which}: ${e.message}`
      throw usageError(`line ${lineNumber}: ${what}`, `the ${which} does not match its schema; fix the line, or pass --skip-invalid to skip such lines`, 'SCHEMA_MISMATCH')
    }
  }
}

/** .avsc -> Avro, .proto -> Protobuf, .json -> JSON Schema unless it reads as an Avro schema. */
export function schemaKindOf(file: string, text: string): SchemaKind {
  const ext = extname(file).toLowerCase()
  if (ext === '.avsc') return 'AVRO'
  if (ext === '.proto') return 'PROTOBUF'
  try {
    const parsed = JSON.parse(text) as {type?: unknown; $schema?: unknown}
    if (Array.isArray(parsed) || (parsed && typeof parsed === 'object' && ['record', 'enum', 'fixed'].includes(String(parsed.type)) && parsed.$schema === undefined)) return 'AVRO'
    if (typeof parsed === 'string') return 'AVRO'
  } catch {
    if (/^\s*(syntax|package|message|import)\b/m.test(text)) return 'PROTOBUF'
  }
  return 'JSON'
}

function usage<T>(run: () => T, flag: string): T {
  try {
    return run()
  } catch (error) {
    throw usageError(`${flag}: ${(error as Error).message}`, undefined, 'BAD_SCHEMA')
  }
}

async function compileOrUsage<T>(run: () => Promise<T>, what: string): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof KafkitError) throw error
    throw usageError(`${what}: not a valid schema (${(error as Error).message})`, undefined, 'BAD_SCHEMA')
  }
}
