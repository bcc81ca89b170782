/**
 * JSON Schema with ajv: the payload is JSON text; produce validates each value against the schema (draft-07 by
 * default; 2019-09 and 2020-12 when its $schema says so), consume parses it.
 */
import AjvDraft7, {type ErrorObject, type ValidateFunction} from 'ajv'
import Ajv2019 from 'ajv/dist/2019.js'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

import {SchemaMismatch} from './errors.js'

// CommonJS modules: their default export is the module object under Node's ESM interop.
const cjs = <T>(m: T): T => (m as {default?: T}).default ?? m
type AjvClass = new (options: Record<string, unknown>) => import('ajv').default

export interface JsonSchemaReference {
  /** The name the schema refers to it by ($ref). */
  name: string
  schema: string
}

export class JsonSchemaCodec {
  private readonly validate: ValidateFunction

  constructor(schema: string, references: JsonSchemaReference[] = []) {
    const parsed = JSON.parse(schema) as Record<string, unknown> | boolean
    const draft = typeof parsed === 'object' ? String(parsed.$schema ?? '') : ''
    const Ajv = cjs((draft.includes('2020-12') ? Ajv2020 : draft.includes('2019-09') ? Ajv2019 : AjvDraft7) as unknown as AjvClass)
    // strict off: registry schemas carry keywords of their own tools (javaType, ...) that are not errors.
    const ajv = new Ajv({strict: false, allErrors: false, validateFormats: true})
    cjs(addFormatsModule as unknown as (ajv: unknown) => void)(ajv)
    for (const ref of references) ajv.addSchema(JSON.parse(ref.schema), ref.name)
    this.validate = ajv.compile(parsed)
  }

  decode(payload: Buffer): unknown {
    return JSON.parse(payload.toString('utf8'))
  }

  encode(json: unknown, path = 'value'): Buffer {
    if (!this.validate(json)) throw mismatch(this.validate.errors ?? [], path)
    return Buffer.from(JSON.stringify(json))
  }
}

function mismatch(errors: ErrorObject[], path: string): SchemaMismatch {
  const first = errors[0]
  if (!first) return new SchemaMismatch(path, 'does not match the schema')
  // instancePath is a JSON pointer (/items/2/qty): written as value.items[2].qty.
  const parts = first.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  let where = path
  for (const p of parts) where += /^\d+$/.test(p) ? `[${p}]` : `.${p}`
  if (first.keyword === 'required') return new SchemaMismatch(`${where}.${(first.params as {missingProperty: string}).missingProperty}`, 'is missing (required)')
  if (first.keyword === 'additionalProperties')
    return new SchemaMismatch(`${where}.${(first.params as {additionalProperty: string}).additionalProperty}`, 'is not allowed by the schema (additionalProperties)')
  return new SchemaMismatch(where, first.message ?? 'does not match the schema')
}
