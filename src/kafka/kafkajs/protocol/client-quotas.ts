/**
 * Client quotas, which kafkajs 2.2.4 does not have (KIP-546):
 *
 * - DescribeClientQuotas (API key 48, v0)
 * - AlterClientQuotas (API key 49, v0)
 *
 * Built with kafkajs' own Encoder/Decoder (./codec.ts) and sent (src/kafka/client-quotas.ts) over a kafkajs broker connection, like
 * incremental-alter-configs.ts. Quota values are FLOAT64 on the wire (kafkajs' writeDouble/readDouble).
 */
import {BrokerResourceError} from './admin-requests.js'
import {type Decoder, type Encoder, kafkajsCodec} from './codec.js'

export const DESCRIBE_CLIENT_QUOTAS = 48
export const ALTER_CLIENT_QUOTAS = 49

/** Kafka's entity types: `user`, `client-id`, `ip`. */
export type QuotaEntityType = 'user' | 'client-id' | 'ip'

/** One part of a quota entity; `name: null` is the default entity of that type (`<default>` in kafka-configs). */
export interface QuotaEntityPart {
  type: QuotaEntityType
  name: string | null
}

/** DescribeClientQuotas filter component: exact name, the default entity, or any entity of the type. */
export interface QuotaFilter {
  type: QuotaEntityType
  match: 'exact' | 'default' | 'any'
  name?: string
}
const MATCH_CODE = {exact: 0, default: 1, any: 2} as const

export interface QuotaEntry {
  entity: QuotaEntityPart[]
  values: Record<string, number>
}

export interface QuotaOp {
  key: string
  /** Ignored (sent as 0) when `remove`. */
  value?: number
  remove?: boolean
}

/**
 * DescribeClientQuotas Request (Version: 0) => [components] strict
 *   components => entity_type match_type match
 *     entity_type => STRING
 *     match_type => INT8
 *     match => NULLABLE_STRING
 *   strict => BOOLEAN
 */
export function describeClientQuotasRequest(filters: QuotaFilter[], strict = false) {
  const {Encoder} = kafkajsCodec()
  return {
    apiKey: DESCRIBE_CLIENT_QUOTAS,
    apiVersion: 0,
    apiName: 'DescribeClientQuotas',
    encode: async () =>
      new Encoder()
        .writeArray(
          filters.map((f) =>
            new Encoder()
              .writeString(f.type)
              .writeInt8(MATCH_CODE[f.match])
              .writeString(f.match === 'exact' ? (f.name ?? '') : null),
          ),
        )
        .writeBoolean(strict),
  }
}

export interface DescribeClientQuotasResult {
  errorCode: number
  errorMessage: string | null
  entries: QuotaEntry[]
}

function readEntity(d: Decoder): QuotaEntityPart[] {
  return d.readArray((e) => ({type: (e.readString() ?? '') as QuotaEntityType, name: e.readString()}))
}

/**
 * DescribeClientQuotas Response (Version: 0) => throttle_time_ms error_code error_message [entries]
 *   entries => [entity] [values]
 *     entity => entity_type entity_name (STRING, NULLABLE_STRING)
 *     values => key value (STRING, FLOAT64)
 */
export function describeClientQuotasResponse() {
  const {Decoder} = kafkajsCodec()
  return {
    decode: async (raw: Buffer): Promise<DescribeClientQuotasResult> => {
      const d = new Decoder(raw)
      d.readInt32() // throttle_time_ms
      const errorCode = d.readInt16()
      const errorMessage = d.readString()
      // A null array (length -1) when the request failed: kafkajs' readArray returns [] for it.
      const entries = d.readArray((e) => {
        const entity = readEntity(e)
        const values: Record<string, number> = {}
        for (const [k, v] of e.readArray((x) => [x.readString() ?? '', x.readDouble()] as const)) values[k] = v
        return {entity, values}
      })
      return {errorCode, errorMessage, entries}
    },
    parse: async (data: DescribeClientQuotasResult) => data,
  }
}

export interface AlterQuotaEntry {
  entity: QuotaEntityPart[]
  ops: QuotaOp[]
}

function writeEntity(Encoder: new () => Encoder, entity: QuotaEntityPart[]): Encoder {
  return new Encoder().writeArray(entity.map((p) => new Encoder().writeString(p.type).writeString(p.name)))
}

/**
 * AlterClientQuotas Request (Version: 0) => [entries] validate_only
 *   entries => [entity] [ops]
 *     entity => entity_type entity_name (STRING, NULLABLE_STRING)
 *     ops => key value remove (STRING, FLOAT64, BOOLEAN)
 *   validate_only => BOOLEAN
 */
export function alterClientQuotasRequest(entries: AlterQuotaEntry[], validateOnly = false) {
  const {Encoder} = kafkajsCodec()
  return {
    apiKey: ALTER_CLIENT_QUOTAS,
    apiVersion: 0,
    apiName: 'AlterClientQuotas',
    encode: async () =>
      new Encoder()
        .writeArray(
          entries.map((entry) => {
            const e = new Encoder().writeEncoder(writeEntity(Encoder, entry.entity))
            return e.writeArray(
              entry.ops.map((op) =>
                new Encoder()
                  .writeString(op.key)
                  .writeDouble(op.remove ? 0 : (op.value ?? 0))
                  .writeBoolean(Boolean(op.remove)),
              ),
            )
          }),
        )
        .writeBoolean(validateOnly),
  }
}

export interface AlterQuotaResult {
  errorCode: number
  errorMessage: string | null
  entity: QuotaEntityPart[]
}

/**
 * AlterClientQuotas Response (Version: 0) => throttle_time_ms [entries]
 *   entries => error_code error_message [entity]
 */
export function alterClientQuotasResponse() {
  const {Decoder} = kafkajsCodec()
  return {
    decode: async (raw: Buffer): Promise<AlterQuotaResult[]> => {
      const d = new Decoder(raw)
      d.readInt32()
      return d.readArray((e) => ({errorCode: e.readInt16(), errorMessage: e.readString(), entity: readEntity(e)}))
    },
    parse: async (data: AlterQuotaResult[]) => data,
  }
}

export function requireApi(broker: {versions: Record<number, {minVersion: number; maxVersion: number}>}, apiKey: number, name: string): void {
  const range = broker.versions[apiKey]
  if (!range || range.minVersion > 0) {
    throw new BrokerResourceError('', 'UNSUPPORTED_VERSION', 35, `the broker does not support ${name} v0 (client quotas need Kafka 2.6 or later)`)
  }
}

const ORDER: Record<string, number> = {user: 0, 'client-id': 1, ip: 2}

/** `user=alice,client-id=billing` (always in this order, whatever order the broker sent). */
export function entityLabel(entity: QuotaEntityPart[]): string {
  return [...entity]
    .sort((a, b) => (ORDER[a.type] ?? 3) - (ORDER[b.type] ?? 3))
    .map((p) => `${p.type}=${p.name ?? '<default>'}`)
    .join(',')
}
