/**
 * How Avro types look in JSON, for reading unions unwrapped (README "Avro as JSON"): a union whose branches differ
 * in JSON kind takes and prints plain values; otherwise the wrapped form {"branch": value}. Shared by AvroCodec and
 * produce's fast lane (avro-lines.ts), which must pick branches exactly alike.
 */

/** The part of an avsc Type read here and by the lanes (avsc keeps these on its type objects). */
export interface AvroTypeShape {
  typeName: string
  fields?: {name: string; type: AvroTypeShape}[]
  types?: AvroTypeShape[]
  symbols?: string[]
  underlyingType?: AvroTypeShape
}

/** The union's branches can be told apart by JSON kind alone (then its values are written unwrapped). */
export function unionIsPlain(branches: AvroTypeShape[]): boolean {
  const kinds = new Set<string>()
  for (const b of branches) {
    const kind = jsonKind(b)
    if (kind === 'null') continue
    if (kinds.has(kind)) return false
    kinds.add(kind)
  }
  return true
}

export function jsonKind(type: AvroTypeShape): string {
  const name = type.typeName
  if (name.startsWith('logical:')) {
    const logical = name.slice(8)
    if (['decimal', 'uuid', 'date', 'time-millis', 'time-micros'].includes(logical) || logical.includes('timestamp')) return 'string'
    return jsonKind(type.underlyingType!)
  }
  switch (name) {
    case 'null':
      return 'null'
    case 'boolean':
      return 'boolean'
    case 'int':
    case 'long':
    case 'abstract:long':
    case 'float':
    case 'double':
      return 'number'
    case 'string':
    case 'enum':
    case 'bytes':
    case 'fixed':
      return 'string'
    case 'array':
      return 'array'
    default:
      return 'object'
  }
}

/** A named type's (record, enum, fixed) full name, met inside `enclosing` (Avro's rules: a dotted name is full). */
export function fullNameOf(schema: {name: string; namespace?: string}, enclosing: string): string {
  const name = String(schema.name)
  if (name.includes('.')) return name
  const ns = schema.namespace ?? enclosing
  return ns ? `${ns}.${name}` : name
}

/** The full name a reference to a named type (`"Line"`, `"retail.Line"`) means inside `namespace`. */
export function referenceName(name: string, namespace: string): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`
}

/** The namespace in which a record's fields resolve the names they use. */
export function namespaceOf(schema: {name: string; namespace?: string}, enclosing: string): string {
  const name = String(schema.name)
  return schema.namespace ?? (name.includes('.') ? name.split('.').slice(0, -1).join('.') : enclosing)
}
