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
}

/** Appends one record's output to the buffer. */
export type RecordFormatter = (record: RawRecord, out: OutputBuffer) => void

/** A growable byte buffer: records are appended, then taken as one chunk for one write(). */
export class OutputBuffer {
  private buf: Buffer
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
    this.ensure(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  byte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
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
  const key = makeDecoder(options.keyDecoder ?? 'utf8', options.pretty)
  const value = makeDecoder(options.valueDecoder ?? 'utf8', options.pretty)
  if (options.format === 'json') {
    return (r, out) => {
      out.string(JSON.stringify(toEnvelope(r)))
      out.byte(10)
    }
  }
  if (options.format === 'raw') {
    return (r, out) => {
      if (r.value) value(r.value, out)
      out.byte(10)
    }
  }
  if (!options.format.includes('%') && !options.format.includes('\\')) {
    throw usageError(`--format: '${options.format}' is not raw, json or a template`, "e.g. --format json, or a template: --format '%t/%p@%o %k=%v\\n'", 'BAD_FORMAT')
  }
  return compileTemplate(options.format, key, value)
}

type Part = (r: RawRecord, out: OutputBuffer) => void

/** Parses the template once into a list of appenders; unknown placeholders are a usage error. */
export function compileTemplate(template: string, key: Decode, value: Decode): RecordFormatter {
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
      case '%':
        literal += '%'
        break
      default:
        throw usageError(
          `--format: unknown placeholder '%${n ?? ''}' in '${template}'`,
          'use %t topic, %p partition, %o offset, %k key, %v value, %T timestamp ms, %d ISO time, %h headers, %K/%S sizes; e.g. --format \'%p %o %k %v\\n\'',
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
