/**
 * Schema files and the flags about them: which type a file is (--type, else the extension, else its content),
 * `--reference name=subject:version`, compatibility levels. Pure, unit-tested; reading the file is the only I/O.
 */
import {readFile} from 'node:fs/promises'
import {extname} from 'node:path'

import {ExitCode, KafkitError, usageError} from '../errors.js'
import {COMPATIBILITY_LEVELS, type CompatibilityLevel, type SchemaType, type VersionSpec} from './registry.js'

export const TYPE_NAMES: Record<string, SchemaType> = {
  avro: 'AVRO',
  protobuf: 'PROTOBUF',
  proto: 'PROTOBUF',
  json: 'JSON',
  'json-schema': 'JSON',
  jsonschema: 'JSON',
}

/** `avro`, `protobuf`, `json` (and `proto`, `json-schema`), any case -> the registry's type name. */
export function parseSchemaType(value: string, where = '--type'): SchemaType {
  const type = TYPE_NAMES[value.toLowerCase()] ?? (['AVRO', 'PROTOBUF', 'JSON'].includes(value.toUpperCase()) ? (value.toUpperCase() as SchemaType) : undefined)
  if (!type) throw usageError(`${where}: '${value}' is not a schema type`, 'use avro, protobuf or json', 'BAD_SCHEMA_TYPE')
  return type
}

/**
 * The type of a schema file without --type: `.avsc` Avro, `.proto` Protobuf; a `.json` file (or another
 * extension) by its content: a JSON Schema has `$schema`, or JSON Schema keywords and no Avro `fields`/`symbols`.
 */
export function inferSchemaType(path: string, text: string): SchemaType {
  const ext = extname(path).toLowerCase()
  if (ext === '.avsc') return 'AVRO'
  if (ext === '.proto') return 'PROTOBUF'
  const trimmed = text.trim()
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[') && !trimmed.startsWith('"')) {
    if (/^\s*(syntax|package|message|import|enum|option)\b/m.test(text)) return 'PROTOBUF'
    throw usageError(`${path}: cannot tell the schema type from the file`, 'pass --type avro|protobuf|json', 'BAD_SCHEMA_TYPE')
  }
  let doc: unknown
  try {
    doc = JSON.parse(trimmed)
  } catch {
    throw usageError(`${path}: cannot tell the schema type (not valid JSON, not .proto)`, 'pass --type avro|protobuf|json', 'BAD_SCHEMA_TYPE')
  }
  if (typeof doc === 'string' || Array.isArray(doc)) return 'AVRO'
  const o = doc as Record<string, unknown>
  if ('$schema' in o || '$id' in o || '$ref' in o || '$defs' in o || 'definitions' in o) return 'JSON'
  if ('fields' in o || 'symbols' in o || (['record', 'enum', 'fixed', 'error'].includes(String(o.type)) && 'name' in o)) return 'AVRO'
  // Avro's array items name a type (a string); JSON Schema has no `map` type.
  if (o.type === 'map' || (o.type === 'array' && typeof o.items === 'string')) return 'AVRO'
  if ('properties' in o || 'items' in o || 'required' in o || 'oneOf' in o || 'anyOf' in o || 'allOf' in o || 'additionalProperties' in o) return 'JSON'
  throw usageError(`${path}: cannot tell whether this is Avro or JSON Schema`, 'pass --type avro or --type json', 'BAD_SCHEMA_TYPE')
}

/**
 * Checks what the registry would refuse with a vaguer message: Avro and JSON Schema must be JSON. The schema text
 * is sent as it is in the file (the registry fingerprints it), never re-serialized.
 */
export function checkSchemaText(text: string, type: SchemaType, where: string): void {
  if (text.trim() === '') throw usageError(`${where}: the schema is empty`, undefined, 'INVALID_SCHEMA')
  if (type === 'PROTOBUF') return
  try {
    JSON.parse(text)
  } catch (error) {
    throw usageError(
      `${where}: ${type === 'AVRO' ? 'an Avro' : 'a JSON'} schema must be JSON: ${(error as Error).message}`,
      type === 'AVRO' ? 'is it a .proto file? pass --type protobuf' : undefined,
      'INVALID_SCHEMA',
    )
  }
}

export interface SchemaFile {
  path: string
  text: string
  type: SchemaType
}

export async function readSchemaFile(path: string, type?: SchemaType): Promise<SchemaFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new KafkitError('FILE_NOT_FOUND', `no such file: ${path}`, {hint: 'pass the schema file with -f', exitCode: ExitCode.USAGE})
    throw usageError(`cannot read ${path}: ${(error as Error).message}`)
  }
  const resolved = type ?? inferSchemaType(path, text)
  checkSchemaText(text, resolved, path)
  return {path, text, type: resolved}
}

export interface ReferenceSpec {
  name: string
  subject: string
  version: VersionSpec
}

/** `--reference name=subject:version` (version a number or `latest`; `name=subject` means latest). */
export function parseReference(spec: string): ReferenceSpec {
  const eq = spec.indexOf('=')
  if (eq <= 0)
    throw usageError(`--reference '${spec}': expected name=subject:version`, 'e.g. --reference shop/money.proto=money-value:1 (Avro: the full type name; JSON Schema: the $ref URL)', 'BAD_REFERENCE')
  const name = spec.slice(0, eq)
  const rest = spec.slice(eq + 1)
  const colon = rest.lastIndexOf(':')
  const subject = colon > 0 ? rest.slice(0, colon) : rest
  const versionText = colon > 0 ? rest.slice(colon + 1) : 'latest'
  if (subject === '') throw usageError(`--reference '${spec}': the subject is empty`, 'expected name=subject:version', 'BAD_REFERENCE')
  return {name, subject, version: parseVersion(versionText, `--reference '${spec}'`)}
}

/** A version: a whole number from 1 up, or `latest` (also -1, Confluent's spelling of latest). */
export function parseVersion(value: string | number, where = '--version'): VersionSpec {
  const text = String(value).trim().toLowerCase()
  if (text === 'latest' || text === '-1') return 'latest'
  if (!/^\d+$/.test(text) || Number(text) < 1) throw usageError(`${where}: '${value}' is not a version`, 'a version is a number from 1 up, or latest', 'BAD_VERSION')
  return Number(text)
}

/** `backward`, `FULL_TRANSITIVE`, `full-transitive` -> the registry's level. */
export function parseCompatibilityLevel(value: string, where = 'LEVEL'): CompatibilityLevel {
  const level = value.toUpperCase().replaceAll('-', '_')
  if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(level)) {
    throw usageError(`${where}: '${value}' is not a compatibility level`, `one of ${COMPATIBILITY_LEVELS.join(', ')}`, 'BAD_COMPATIBILITY_LEVEL')
  }
  return level as CompatibilityLevel
}
