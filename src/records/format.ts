/**
 * Output formats of `consume`: records -> bytes on stdout.
 *
 *   raw        the value, one per line (default)
 *   json       the record envelope (src/records/envelope.ts), JSON Lines; lossless, read back by `produce --format json`
 *   template   kcat-compatible placeholders, compiled once into a function:
 *                %t topic  %p partition  %o offset  %k key  %v (or %s) value  %T timestamp (ms)
 *                %d timestamp as ISO-8601 (kafkit's addition)  %h headers (k=v,k2=v2)
 *                %K key size  %S value size (-1 for null)  %%  and the escapes \n \t \r \\
 *
 * Keys and values in raw/template output go through a decoder: utf8 (default), hex, base64, or json (re-indented
 * when `pretty`, i.e. on a TTY). Records are appended to an OutputBuffer, which the caller writes in large chunks.
 *
 * With schema decoders (src/schemas: Avro, Protobuf, JSON Schema in the registry's wire format), a key or value
 * they decode is written as its JSON (an object in the envelope, with keySchemaId/valueSchemaId), and the
 * template placeholders %i / %I give the value's / key's schema id; anything they do not decode is written as
 * without them.
 */
import {usageError} from '../errors.js'
import type {RawRecord} from './envelope.js'
import {toEnvelope} from './envelope.js'

export const DECODERS = ['utf8', 'hex', 'base64', 'json'] as const
export type DecoderName = (typeof DECODERS)[number]

export interface FormatOptions {
  /** `raw`, `json`, or a template containing `%` placeholders. */
  format: string
  keyDecoder?: DecoderName
  valueDecoder?: DecoderName
  /** Pretty-print JSON-decoded values (on a TTY). */
  pretty?: boolean
  schemas?: SchemaDecoders
}

/** A key or value decoded by its schema: a JSON value and the schema id (src/schemas/decoding.ts). */
export interface SchemaDecoded {
  readonly value: unknown
  readonly schemaId: number | undefined
  /** The value's compact JSON text, when the decoder has it cheaper than JSON.stringify. */
  readonly text?: string
}

/** decode(), and optionally a fast lane writing compact JSON straight into the output (false: it did not). */
export interface SchemaFieldDecoder {
  decode(bytes: Buffer): SchemaDecoded | undefined
  write?(bytes: Buffer, out: OutputBuffer): boolean
}

export interface SchemaDecoders {
  key?: SchemaFieldDecoder
  value?: SchemaFieldDecoder
  /** Set to the record being formatted (its coordinates go into decoding warnings). */
  current?: RawRecord
}

/** Appends one record's output to the buffer. */
export type RecordFormatter = (record: RawRecord, out: OutputBuffer) => void

/** A growable byte buffer: records are appended, then taken as one chunk for one write(). */
export class OutputBuffer {
  private buf: Buffer
  private spare?: Buffer
  private pos = 0

  constructor(initial = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initial)
  }

  get length(): number {
    return this.pos
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(bigger, 0, 0, this.pos)
    this.buf = bigger
  }

  string(text: string): void {
    // Worst case 3 bytes per UTF-16 unit.
    this.ensure(text.length * 3)
    this.pos += this.buf.write(text, this.pos, 'utf8')
  }

  bytes(bytes: Buffer | Uint8Array): void {
    const n = bytes.length
    this.ensure(n)
    if (n < 32) {
      // A few bytes (a field name, a short string) cost less as a loop than as a native copy.
      const buf = this.buf
      let pos = this.pos
      for (let i = 0; i < n; i++) buf[pos++] = bytes[i]
      this.pos = pos
      return
    }
    this.buf.set(bytes, this.pos)
    this.pos += n
  }

  byte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }

  /** Text known to be ASCII (numbers, literals, base64): one byte per character. */
  latin1(text: string): void {
    const n = text.length
    this.ensure(n)
    if (n < 32) {
      const buf = this.buf
      let pos = this.pos
      for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i)
      this.pos = pos
      return
    }
    this.pos += this.buf.write(text, this.pos, 'latin1')
  }

  /** bytes[start, end) appended, without a view of them. */
  range(bytes: Buffer, start: number, end: number): void {
    this.ensure(end - start)
    if (end - start < 64) {
      const buf = this.buf
      let pos = this.pos
      for (let i = start; i < end; i++) buf[pos++] = bytes[i]
      this.pos = pos
      return
    }
    this.pos += bytes.copy(this.buf, this.pos, start, end)
  }

  /** For writers that fill the buffer themselves: room for n more bytes after `length`; write, then commit(). */
  reserve(n: number): Buffer {
    this.ensure(n)
    return this.buf
  }

  /** The bytes up to `length` were written (into what reserve() returned). */
  commit(length: number): void {
    this.pos = length
  }

  /** Drops what was appended after `length` (a writer that gave up half way). */
  truncate(length: number): void {
    if (length < this.pos) this.pos = length
  }

  /**
   * The content so far, not copied: the buffer is swapped with a spare one, so the view stays valid until the
   * next takeView() (the caller has written it out by then: the printer waits for each write).
   */
  takeView(): Buffer {
    const chunk = this.buf.subarray(0, this.pos)
    const spare = this.spare && this.spare.length >= this.buf.length ? this.spare : Buffer.allocUnsafe(this.buf.length)
    this.spare = this.buf
    this.buf = spare
    this.pos = 0
    return chunk
  }

  /** The content so far as its own Buffer (copied, so the buffer can be reused at once). */
  take(): Buffer {
    const chunk = Buffer.from(this.buf.subarray(0, this.pos))
    this.pos = 0
    return chunk
  }
}

type Decode = (bytes: Buffer, out: OutputBuffer) => void

export function makeDecoder(name: DecoderName, pretty = false): Decode {
  switch (name) {
    case 'utf8':
      // Bytes are copied through: invalid UTF-8 reaches the terminal as it is, as with kcat.
      return (b, out) => out.bytes(b)
    case 'hex':
      return (b, out) => out.string(b.toString('hex'))
    case 'base64':
      return (b, out) => out.string(b.toString('base64'))
    case 'json':
      return (b, out) => {
        const text = b.toString('utf8')
        try {
          out.string(JSON.stringify(JSON.parse(text), null, pretty ? 2 : undefined))
        } catch {
          out.string(text) // not JSON: shown as text rather than lost
        }
      }
  }
}

export function compileFormat(options: FormatOptions): RecordFormatter {
  const schemas = options.schemas
  const key = withSchema(makeDecoder(options.keyDecoder ?? 'utf8', options.pretty), schemas?.key, options.pretty)
  const value = withSchema(makeDecoder(options.valueDecoder ?? 'utf8', options.pretty), schemas?.value, options.pretty)
  if (options.format === 'json') {
    if (schemas) {
      return (r, out) => {
        schemas.current = r
        out.string(JSON.stringify(schemaEnvelope(r, schemas)))
        out.byte(10)
      }
    }
    return (r, out) => {
      out.string(JSON.stringify(toEnvelope(r)))
      out.byte(10)
    }
  }
  if (options.format === 'raw') {
    if (schemas) {
      return (r, out) => {
        schemas.current = r
        if (r.value) value(r.value, out)
        out.byte(10)
      }
    }
    return (r, out) => {
      if (r.value) value(r.value, out)
      out.byte(10)
    }
  }
  if (!options.format.includes('%') && !options.format.includes('\\')) {
    throw usageError(`--format: '${options.format}' is not raw, json or a template`, "e.g. --format json, or a template: --format '%t/%p@%o %k=%v\\n'", 'BAD_FORMAT')
  }
  const template = compileTemplate(options.format, key, value, schemas)
  if (!schemas) return template
  return (r, out) => {
    schemas.current = r
    template(r, out)
  }
}

/** A decoder that writes what the schema decodes as JSON, and everything else as `plain` does. */
function withSchema(plain: Decode, schema: SchemaDecoders['value'], pretty?: boolean): Decode {
  if (!schema) return plain
  const write = pretty ? undefined : schema.write?.bind(schema)
  return (bytes, out) => {
    if (write) {
      const mark = out.length
      if (write(bytes, out)) return
      out.truncate(mark)
    }
    const decoded = schema.decode(bytes)
    if (!decoded) plain(bytes, out)
    else if (pretty) out.string(JSON.stringify(decoded.value, null, 2))
    else out.string(decoded.text ?? JSON.stringify(decoded.value))
  }
}

/** The envelope with decoded keys/values as JSON values and their schema ids. */
export function schemaEnvelope(r: RawRecord, schemas: SchemaDecoders): Record<string, unknown> {
  const envelope = toEnvelope(r) as unknown as Record<string, unknown>
  const key = r.key && schemas.key?.decode(r.key)
  const value = r.value && schemas.value?.decode(r.value)
  if (key) {
    envelope.key = key.value
    delete envelope.keyEncoding
  }
  if (value) {
    envelope.value = value.value
    delete envelope.valueEncoding
  }
  if (key && key.schemaId !== undefined) envelope.keySchemaId = key.schemaId
  if (value && value.schemaId !== undefined) envelope.valueSchemaId = value.schemaId
  return envelope
}

type Part = (r: RawRecord, out: OutputBuffer) => void

/** Parses the template once into a list of appenders; unknown placeholders are a usage error. */
export function compileTemplate(template: string, key: Decode, value: Decode, schemas?: SchemaDecoders): RecordFormatter {
  const parts: Part[] = []
  let literal = ''
  const flush = () => {
    if (literal) {
      const bytes = Buffer.from(literal, 'utf8')
      parts.push((_r, out) => out.bytes(bytes))
      literal = ''
    }
  }
  const placeholder = (p: Part) => {
    flush()
    parts.push(p)
  }
  for (let i = 0; i < template.length; i++) {
    const c = template[i]
    if (c === '\\' && i + 1 < template.length) {
      const n = template[++i]
      const escape = {n: '\n', t: '\t', r: '\r', '\\': '\\', '0': '\0'}[n]
      literal += escape ?? `\\${n}`
      continue
    }
    if (c !== '%') {
      literal += c
      continue
    }
    const n = template[++i]
    switch (n) {
      case 't':
        placeholder((r, out) => out.string(r.topic ?? ''))
        break
      case 'p':
        placeholder((r, out) => out.string(String(r.partition ?? '')))
        break
      case 'o':
        placeholder((r, out) => out.string(String(r.offset ?? '')))
        break
      case 'k':
        placeholder((r, out) => r.key && key(r.key, out))
        break
      case 'v':
      case 's':
        placeholder((r, out) => r.value && value(r.value, out))
        break
      case 'K':
        placeholder((r, out) => out.string(String(r.key ? r.key.length : -1)))
        break
      case 'S':
        placeholder((r, out) => out.string(String(r.value ? r.value.length : -1)))
        break
      case 'T':
        placeholder((r, out) => out.string(String(r.timestamp ?? -1)))
        break
      case 'd':
        placeholder((r, out) => out.string(r.timestamp === undefined ? '' : new Date(r.timestamp).toISOString()))
        break
      case 'h':
        placeholder((r, out) => out.string(formatHeaders(r.headers)))
        break
      case 'i':
        // The schema id the value (%i) / key (%I) was decoded with; empty when it was not.
        placeholder((r, out) => {
          const id = r.value && schemas?.value?.decode(r.value)?.schemaId
          if (id !== undefined && id !== null) out.string(String(id))
        })
        break
      case 'I':
        placeholder((r, out) => {
          const id = r.key && schemas?.key?.decode(r.key)?.schemaId
          if (id !== undefined && id !== null) out.string(String(id))
        })
        break
      case '%':
        literal += '%'
        break
      default:
        throw usageError(
          `--format: unknown placeholder '%${n ?? ''}' in '${template}'`,
          "use %t topic, %p partition, %o offset, %k key, %v value, %T timestamp ms, %d ISO time, %h headers, %K/%S sizes, %i/%I value/key schema id; e.g. --format '%p %o %k %v\\n'",
          'BAD_FORMAT',
        )
    }
  }
  flush()
  if (parts.length === 1) return parts[0]
  return (r, out) => {
    for (let i = 0; i < parts.length; i++) parts[i](r, out)
  }
}

/** kcat's `%h`: `k=v,k2=v2` (a repeated header appears once per value; a null value prints as nothing). */
export function formatHeaders(headers: RawRecord['headers']): string {
  if (!headers) return ''
  const items: string[] = []
  for (const [k, v] of Object.entries(headers)) {
    for (const one of Array.isArray(v) ? v : [v]) items.push(`${k}=${one === null ? '' : one.toString('utf8')}`)
  }
  return items.join(',')
}

/** `--grep`: keeps records whose key or value (as UTF-8) matches. */
export function compileGrep(pattern: string | undefined): ((r: RawRecord) => boolean) | undefined {
  if (pattern === undefined) return undefined
  let re: RegExp
  try {
    re = new RegExp(pattern)
  } catch (error) {
    throw usageError(`--grep: '${pattern}' is not a regular expression (${(error as Error).message})`, "e.g. --grep 'sku-(17|42)'", 'BAD_REGEX')
  }
  return (r) => (r.value !== null && re.test(r.value.toString('utf8'))) || (r.key !== null && re.test(r.key.toString('utf8')))
}

export function parseDecoder(name: string | undefined, flag: string): DecoderName | undefined {
  if (name === undefined) return undefined
  if ((DECODERS as readonly string[]).includes(name)) return name as DecoderName
  throw usageError(`${flag}: '${name}' is not a decoder`, `use one of: ${DECODERS.join(', ')}`, 'BAD_DECODER')
}
