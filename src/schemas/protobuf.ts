/**
 * Protobuf with protobufjs: .proto text is parsed at run time (from the registry, with its references, or from
 * files with --proto / --proto-path), and messages become ProtoJSON, the canonical JSON mapping (protobufjs'
 * protojson extension: lowerCamelCase names, 64-bit integers as strings, bytes as base64, enums by name,
 * well-known types such as Timestamp as RFC 3339), and back.
 *
 * Message indexes (wire.ts) say which message of the file a record holds: [0] the first top-level message, [1, 0]
 * the first message nested in the second, ... (enums do not count).
 */
import {existsSync, readFileSync} from 'node:fs'
import {isAbsolute, join, resolve} from 'node:path'

import protobuf from 'protobufjs'
import protojson from 'protobufjs/ext/protojson.js'

import {SchemaMismatch} from './errors.js'

/** Where imports come from: a map of import names to .proto text (registry references) and/or directories. */
export interface ProtoSources {
  files?: Map<string, string>
  dirs?: string[]
}

export class ProtoFile {
  readonly root = new protobuf.Root()
  /** The main file's top-level messages, in declaration order. */
  readonly messages: protobuf.Type[]
  private readonly byIndexes = new Map<string, ProtoMessage>()

  /** `name` is the main file's import name (only used to tell its declarations from imported ones). */
  constructor(text: string, name: string, sources: ProtoSources = {}) {
    const loaded = new Set<string>()
    const load = (file: string, source: string) => {
      if (loaded.has(file)) return
      loaded.add(file)
      const parse = protobuf.parse as typeof protobuf.parse & {filename: string}
      parse.filename = file
      let parsed: protobuf.IParserResult
      try {
        parsed = parse(source, this.root, {keepCase: true, alternateCommentMode: true})
      } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`)
      }
      for (const imported of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
        const bundled = bundledName(imported)
        if (bundled) {
          if (!loaded.has(bundled)) {
            loaded.add(bundled)
            this.root.addJSON((protobuf.common as unknown as Record<string, {nested: protobuf.INamespace['nested']}>)[bundled].nested!)
          }
          continue
        }
        const found = findImport(imported, sources)
        if (found === undefined)
          throw new Error(`${file}: import "${imported}" not found${sources.dirs?.length ? ` under ${sources.dirs.join(', ')}` : ''} (add --proto-path DIR, or register it as a reference)`)
        load(imported, found)
      }
    }
    load(name, text)
    this.root.resolveAll()
    this.messages = []
    const collect = (ns: protobuf.NamespaceBase) => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          if (nested.filename === name) this.messages.push(nested)
        } else if (nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Service)) collect(nested)
      }
    }
    collect(this.root)
    if (this.messages.length === 0) throw new Error(`${name} declares no message`)
  }

  /** The message at these indexes ([0] = the first top-level message). */
  message(indexes: number[]): ProtoMessage {
    const key = indexes.join('.')
    let found = this.byIndexes.get(key)
    if (found) return found
    let type = this.messages[indexes[0]]
    for (let i = 1; type && i < indexes.length; i++) type = nestedMessages(type)[indexes[i]]
    if (!type) throw new Error(`message indexes [${indexes.join(', ')}] point to no message of the schema`)
    found = new ProtoMessage(type, indexes)
    this.byIndexes.set(key, found)
    return found
  }

  /** A message by name (full, `pkg.Outer.Inner`, or short when unique), with its indexes. */
  messageByName(name: string): ProtoMessage {
    const wanted = name.replace(/^\./, '')
    const paths: {type: protobuf.Type; indexes: number[]}[] = []
    const walk = (types: protobuf.Type[], prefix: number[]) => {
      types.forEach((type, i) => {
        paths.push({type, indexes: [...prefix, i]})
        walk(nestedMessages(type), [...prefix, i])
      })
    }
    walk(this.messages, [])
    const full = (t: protobuf.Type) => t.fullName.replace(/^\./, '')
    const match =
      paths.find((p) => full(p.type) === wanted) ??
      (paths.filter((p) => p.type.name === wanted || full(p.type).endsWith(`.${wanted}`)).length === 1 ? paths.find((p) => p.type.name === wanted || full(p.type).endsWith(`.${wanted}`)) : undefined)
    if (!match) {
      throw new Error(`no message '${name}' in the schema (it has ${paths.map((p) => full(p.type)).join(', ')})`)
    }
    return this.message(match.indexes)
  }
}

export class ProtoMessage {
  readonly name: string

  constructor(
    readonly type: protobuf.Type,
    readonly indexes: number[],
  ) {
    this.name = type.fullName.replace(/^\./, '')
  }

  /** Protobuf bytes -> ProtoJSON value. */
  decode(payload: Uint8Array): unknown {
    return protojson.toJson(this.type, this.type.decode(payload))
  }

  /** ProtoJSON text of the bytes (one step less than JSON.stringify(decode())). */
  decodeToText(payload: Uint8Array): string {
    return protojson.toJsonString(this.type, this.type.decode(payload))
  }

  /** ProtoJSON value -> Protobuf bytes; a SchemaMismatch names the field. */
  encode(json: unknown, path = 'value'): Uint8Array {
    let message: protobuf.Message
    try {
      message = protojson.fromJson(this.type, json)
    } catch (error) {
      throw locate(this.type, json, path) ?? new SchemaMismatch(path, (error as Error).message)
    }
    return this.type.encode(message).finish()
  }
}

function nestedMessages(type: protobuf.Type): protobuf.Type[] {
  return type.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type && !(n as {group?: boolean}).group && !isMapEntry(n))
}

function isMapEntry(type: protobuf.Type): boolean {
  return Boolean(type.options?.map_entry)
}

function bundledName(file: string): string | undefined {
  const at = file.lastIndexOf('google/protobuf/')
  const name = at >= 0 ? file.slice(at) : file
  return Object.prototype.hasOwnProperty.call(protobuf.common, name) ? name : undefined
}

function findImport(name: string, sources: ProtoSources): string | undefined {
  const text = sources.files?.get(name)
  if (text !== undefined) return text
  for (const dir of sources.dirs ?? []) {
    const path = isAbsolute(name) ? name : join(dir, name)
    if (existsSync(path)) return readFileSync(path, 'utf8')
  }
  return undefined
}

/** Reads a .proto file for --proto: its imports from --proto-path dirs (and the file's own directory). */
export function loadProtoFile(path: string, dirs: string[] = []): ProtoFile {
  const absolute = resolve(path)
  if (!existsSync(absolute)) throw new Error(`no such file: ${path}`)
  const text = readFileSync(absolute, 'utf8')
  const searchDirs = [...dirs.map((d) => resolve(d)), resolve(absolute, '..')]
  // The main file's name as other files would import it (relative to a --proto-path dir), so that it loads once.
  const dir = searchDirs.find((d) => absolute.startsWith(`${d}/`))
  const name = dir ? absolute.slice(dir.length + 1) : absolute
  return new ProtoFile(text, name, {dirs: searchDirs})
}

/** Finds the first field of `json` that protojson refuses, as a path (value.lines[0].sku). */
function locate(type: protobuf.Type, json: unknown, path: string): SchemaMismatch | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    // Well-known types take other JSON forms (a Timestamp is a string): protojson's own message then.
    if (type.fullName.startsWith('.google.protobuf.')) return undefined
    return new SchemaMismatch(path, `expected an object (message ${type.fullName.replace(/^\./, '')}), got ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`)
  }
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = type.fieldsArray.find((f) => f.name === key || f.jsonName === key || camel(f.name) === key)
    const here = `${path}.${key}`
    if (!field) return new SchemaMismatch(here, `is not a field of ${type.fullName.replace(/^\./, '')}`)
    try {
      protojson.fromJson(type, {[key]: value})
      continue
    } catch (error) {
      field.resolve()
      const inner = field.resolvedType
      if (inner instanceof protobuf.Type && value !== null) {
        if (field.map && value && typeof value === 'object') {
          for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            const found = locate(inner, v, `${here}.${k}`)
            if (found) return found
          }
        } else if (field.repeated && Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const found = locate(inner, value[i], `${here}[${i}]`)
            if (found) return found
          }
        } else {
          const found = locate(inner, value, here)
          if (found) return found
        }
      }
      return new SchemaMismatch(here, reason((error as Error).message))
    }
  }
  return undefined
}

/** protojson's message without its ".pkg.Type.field: " prefix (the path says where). */
function reason(message: string): string {
  return message.replace(/^\.[\w.]+: /, '')
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}
