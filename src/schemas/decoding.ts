/**
 * consume's side of the schemas: keys and values in the wire format become JSON values.
 *
 *   auto         (the default with a registry) a record whose bytes start with magic 0 and an id the registry
 *                knows is decoded with that schema; anything else is shown as it is, as without a registry
 *   avro | protobuf | json-schema   every record must be in the wire format with a schema of that type
 *   raw          no decoding (the --key-decoder/--value-decoder of old)
 *
 * With --proto/--message (no registry) values are plain Protobuf bytes of that message, or wire-format records
 * whose id is ignored. A record that claims the wire format but cannot be decoded is shown as it is, with a
 * warning on stderr (the first few in full), and counted (`failures`): the stream never stops for it.
 */
import type {RawRecord, ValueTranscoder} from '../records/envelope.js'
import {AvroWasmLane} from './avro-wasm.js'
import type {AvroCodec} from './avro.js'
import type {AvroJsonWriter, JsonSink} from './avro-json.js'
import type {ProtoFile, ProtoMessage} from './protobuf.js'
import type {WhereRecord} from './where.js'
import {type Codec, SchemaStore, UnknownSchemaId} from './store.js'
import {HEADER_BYTES, readMessageIndexes, wireSchemaId} from './wire.js'

import type {DataFormat} from './data-formats.js'

export type {DataFormat} from './data-formats.js'

const KIND_OF: Record<string, Codec['kind']> = {avro: 'AVRO', protobuf: 'PROTOBUF', 'json-schema': 'JSON'}

/** A decoded key or value: its JSON value and the schema id it was written with (none for --proto plain bytes). */
export interface Decoded {
  readonly value: unknown
  readonly schemaId: number | undefined
  /** JSON.stringify(value), when the serde writes it faster itself (Avro). */
  readonly text?: string
}

/** Avro: avsc's value is turned into the JSON value or straight into JSON text, whichever is asked for. */
class AvroDecoded implements Decoded {
  constructor(
    private readonly codec: AvroCodec,
    private readonly raw: unknown,
    readonly schemaId: number,
  ) {}

  get value(): unknown {
    return this.codec.toPlain(this.raw)
  }

  get text(): string {
    return this.codec.toText(this.raw)
  }
}

export interface FieldDecoder {
  /** The decoded form, or undefined when the bytes are shown as they are. Memoized for the last bytes. */
  decode(bytes: Buffer): Decoded | undefined
  /** Avro's fast lane: compact JSON straight into the output; false when it does not apply (then decode()). */
  write?(bytes: Buffer, out: JsonSink): boolean
  /** The same for the value at body[start, end) (consume's values lane: no record object, no Buffer view). */
  writeRange?(body: Buffer, start: number, end: number, out: JsonSink): boolean
}

export interface DecodingOptions {
  keyFormat: DataFormat
  valueFormat: DataFormat
  store?: SchemaStore
  /** --proto with --message (value) / --key-message (key). */
  proto?: {file: ProtoFile; value?: ProtoMessage; key?: ProtoMessage}
  warn: (line: string) => void
  /** Full warnings for the first N failures, then one line saying more are counted. */
  warnLimit?: number
}

export class RecordDecoding {
  readonly key?: FieldDecoder
  readonly value?: FieldDecoder
  /** Records that claimed the wire format and could not be decoded (shown as they are). */
  failures = 0
  private warned = 0
  private readonly needsIds: boolean
  private readonly store?: SchemaStore

  constructor(private readonly options: DecodingOptions) {
    this.store = options.store
    this.key = this.field('key', options.keyFormat, options.proto?.key)
    this.value = this.field('value', options.valueFormat, options.proto?.value)
    this.needsIds = Boolean(this.store) && ((this.key !== undefined && options.keyFormat !== 'raw') || (this.value !== undefined && options.valueFormat !== 'raw'))
  }

  get active(): boolean {
    return this.key !== undefined || this.value !== undefined
  }

  /**
   * Fetches the schemas of ids not seen yet in these records (once per id for the run). Returns undefined when
   * there is nothing to wait for, which is nearly always after the first batch.
   */
  prepare(records: readonly RawRecord[]): Promise<void> | undefined {
    const store = this.store
    if (!this.needsIds || !store) return undefined
    let missing: Set<number> | undefined
    let last = -1
    for (let i = 0; i < records.length; i++) {
      const r = records[i]
      if (this.value) {
        const id = wireSchemaId(r.value)
        if (id !== undefined && id !== last && store.get(id) === undefined) (missing ??= new Set()).add(id)
        if (id !== undefined) last = id
      }
      if (this.key) {
        const id = wireSchemaId(r.key)
        if (id !== undefined && store.get(id) === undefined) (missing ??= new Set()).add(id)
      }
    }
    return missing ? store.prepare(missing) : undefined
  }

  private field(which: 'key' | 'value', format: DataFormat, message: ProtoMessage | undefined): FieldDecoder | undefined {
    if (message) return memo(this.protoDecoder(which, message))
    if (format === 'raw' || !this.store) return undefined
    const store = this.store
    const expected = format === 'auto' ? undefined : KIND_OF[format]
    const fail = (what: string) => this.fail(which, what)
    // The Avro codec of a schema id, when the fast lanes may write it (known, Avro, and Avro is what was asked for).
    const avroOf = (id: number): AvroCodec | undefined => {
      const codec = store.get(id)
      return !codec || codec instanceof Error || codec.kind !== 'AVRO' || (expected && expected !== 'AVRO') ? undefined : codec.avro
    }
    // The last id's writer is kept: consecutive records nearly always share their schema.
    let lastId = -1
    let lastWriter: AvroJsonWriter | undefined
    const fastLane: ValueTranscoder = (bytes: Buffer, start: number, end: number, out: JsonSink): boolean => {
      if (end - start < HEADER_BYTES || bytes[start] !== 0) return false
      const id = bytes.readInt32BE(start + 1)
      if (id !== lastId) {
        const avro = avroOf(id)
        if (!avro) return false
        lastId = id
        lastWriter = avro.fastJsonWriter
      }
      return lastWriter ? lastWriter(bytes, start + HEADER_BYTES, end, out) : false
    }
    // Whole batches in WebAssembly (avro-wasm.ts) for schemas it has a function for; each record it declines
    // through fastLane.
    const wasm = AvroWasmLane.get()
    if (wasm) fastLane.records = wasm.transcoder((id) => avroOf(id)?.wasmFunction, fastLane)
    return memo((bytes) => {
      const id = wireSchemaId(bytes)
      if (id === undefined) {
        if (expected) fail(bytes.length === 0 ? 'is empty, not in the wire format' : `does not start with the wire format's magic byte 0 (${format} was asked for)`)
        return undefined
      }
      const codec = store.get(id)
      if (codec === undefined || codec instanceof UnknownSchemaId) {
        if (expected) fail(`has schema id ${id}, which the registry does not know`)
        return undefined
      }
      if (codec instanceof Error) {
        fail(`has schema id ${id}: ${codec.message}`)
        return undefined
      }
      if (expected && codec.kind !== expected) {
        fail(`has schema id ${id}, a ${codec.kind} schema (${format} was asked for)`)
        return undefined
      }
      try {
        if (codec.kind === 'AVRO') return new AvroDecoded(codec.avro, codec.avro.decodeRaw(bytes.subarray(HEADER_BYTES)), id)
        return {value: decodeWith(codec, bytes), schemaId: id}
      } catch (error) {
        fail(`has schema id ${id} but its ${codec.kind} payload cannot be decoded: ${(error as Error).message}`)
        return undefined
      }
    }, fastLane)
  }

  private protoDecoder(which: 'key' | 'value', message: ProtoMessage): (bytes: Buffer) => Decoded | undefined {
    return (bytes) => {
      try {
        // Wire-format records too: magic 0 cannot start a Protobuf message (field number 0 does not exist).
        if (bytes.length >= HEADER_BYTES && bytes[0] === 0) {
          const {next} = readMessageIndexes(bytes, HEADER_BYTES)
          return {value: message.decode(bytes.subarray(next)), schemaId: bytes.readInt32BE(1)}
        }
        return {value: message.decode(bytes), schemaId: undefined}
      } catch (error) {
        this.fail(which, `is not a ${message.name}: ${(error as Error).message}`)
        return undefined
      }
    }
  }

  private fail(which: 'key' | 'value', what: string): void {
    this.failures++
    const limit = this.options.warnLimit ?? 5
    const r = this.current
    const at = r ? ` (${r.topic ?? ''}${r.partition === undefined ? '' : `/${r.partition}`}${r.offset === undefined ? '' : ` offset ${r.offset}`})` : ''
    if (this.warned < limit) this.options.warn(`the ${which} of a record${at} ${what}; shown as it is`)
    else if (this.warned === limit) this.options.warn('more records could not be decoded: they are counted, not shown one by one')
    this.warned++
  }

  /** The record being decoded (set by the caller, named in warnings). */
  current?: RawRecord
}

function decodeWith(codec: Codec, bytes: Buffer): unknown {
  switch (codec.kind) {
    case 'AVRO':
      return codec.avro.decode(bytes.subarray(HEADER_BYTES))
    case 'JSON':
      return codec.json.decode(bytes.subarray(HEADER_BYTES))
    case 'PROTOBUF': {
      const {indexes, next} = readMessageIndexes(bytes, HEADER_BYTES)
      return codec.proto.message(indexes).decode(bytes.subarray(next))
    }
  }
}

/** The printer may ask twice for one record (--where, then the format): the second ask costs nothing. */
function memo(decode: (bytes: Buffer) => Decoded | undefined, writeRange?: FieldDecoder['writeRange']): FieldDecoder {
  let lastBytes: Buffer | undefined
  let lastResult: Decoded | undefined
  return {
    write: writeRange && ((bytes, out) => writeRange(bytes, 0, bytes.length, out)),
    writeRange,
    decode(bytes) {
      if (bytes === lastBytes) return lastResult
      lastResult = decode(bytes)
      lastBytes = bytes
      return lastResult
    },
  }
}

/** The record as `--where` sees it: key and value decoded (or their text, parsed when it is JSON). */
export function whereView(record: RawRecord, decoding: RecordDecoding | undefined): WhereRecord {
  return new RecordView(record, decoding)
}

class RecordView implements WhereRecord {
  private keyValue: unknown = UNSET
  private valueValue: unknown = UNSET
  private headerValues?: Record<string, string | null | (string | null)[]>

  constructor(
    private readonly record: RawRecord,
    private readonly decoding: RecordDecoding | undefined,
  ) {}

  get key(): unknown {
    if (this.keyValue === UNSET) this.keyValue = viewOf(this.record.key, this.decoding?.key)
    return this.keyValue
  }

  get value(): unknown {
    if (this.valueValue === UNSET) this.valueValue = viewOf(this.record.value, this.decoding?.value)
    return this.valueValue
  }

  get headers(): Record<string, string | null | (string | null)[]> {
    if (!this.headerValues) {
      this.headerValues = {}
      // Kafka allows null header values: they stay null for --where.
      const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'))
      for (const [k, v] of Object.entries(this.record.headers ?? {})) this.headerValues[k] = Array.isArray(v) ? v.map(text) : text(v)
    }
    return this.headerValues
  }

  get partition() {
    return this.record.partition
  }

  get offset() {
    return this.record.offset
  }

  get timestamp() {
    return this.record.timestamp
  }

  get topic() {
    return this.record.topic
  }
}

const UNSET = Symbol('unset')

function viewOf(bytes: Buffer | null, decoder: FieldDecoder | undefined): unknown {
  if (bytes === null) return null
  const decoded = decoder?.decode(bytes)
  if (decoded) return decoded.value
  const text = bytes.toString('utf8')
  const first = text.trimStart()[0]
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}
