/**
 * ApiVersions v3 (API key 18, the first flexible version) for its tagged fields, which kafkajs (it negotiates with
 * v0-v2) never reads: the features a broker supports (KIP-584) and the cluster's finalized feature levels. The
 * broker's supported `metadata.version` range ends at the newest level its software knows, which names its
 * release (../../kafka-versions.ts); the finalized level is the one the cluster runs at.
 *
 * Kafka never tells a client its exact software version: the ApiVersions request carries the client's name and
 * version, not the other way round.
 *
 * The request is flexible (header v2: kafkajs' header v1 plus an empty tagged-field section, written first in the
 * body); the response header of ApiVersions stays v0 whatever the version (KIP-511), so the body starts with
 * the error code.
 */
import {requireKafkaJS} from '../require.js'

export const API_VERSIONS = 18

interface Encoder {
  writeUVarInt(value: number): Encoder
  writeUVarIntString(value: string | null): Encoder
  buffer: Buffer
}
interface Decoder {
  offset: number
  readInt16(): number
  readInt32(): number
  readInt64(): {toString(): string}
  readBoolean(): boolean
  readUVarInt(): number
  readUVarIntString(): string | null
  readUVarIntArray<T>(reader: (d: Decoder) => T): T[] | null
  readTaggedFields(): unknown
}

export interface FeatureRange {
  name: string
  min: number
  max: number
}

export interface ApiVersionsV3 {
  errorCode: number
  apiKeys: {apiKey: number; minVersion: number; maxVersion: number}[]
  /** Tag 0: the features this broker's software supports. */
  supportedFeatures: FeatureRange[]
  /** Tag 1: -1 when the finalized features are unknown. */
  finalizedFeaturesEpoch: number
  /** Tag 2: the cluster's finalized feature levels (min..max). */
  finalizedFeatures: FeatureRange[]
}

/** ApiVersions Request (Version: 3) => client_software_name client_software_version TAG_BUFFER (after header v2's tags). */
export function apiVersionsBody(softwareName: string, softwareVersion: string): Buffer {
  const Encoder = requireKafkaJS('kafkajs/src/protocol/encoder') as new () => Encoder
  return new Encoder().writeUVarInt(0).writeUVarIntString(softwareName).writeUVarIntString(softwareVersion).writeUVarInt(0).buffer
}

/**
 * ApiVersions Response (Version: 3) => error_code [api_keys] throttle_time_ms TAG_BUFFER
 *   api_keys => api_key min_version max_version TAG_BUFFER
 * Tagged: 0 supported_features [name min_version max_version], 1 finalized_features_epoch INT64,
 *         2 finalized_features [name max_version_level min_version_level], 3 zk_migration_ready BOOLEAN.
 * A broker that does not know v3 answers with v0 and UNSUPPORTED_VERSION (35): only the error code is read then.
 */
export function decodeApiVersionsV3(raw: Buffer): ApiVersionsV3 {
  const Decoder = requireKafkaJS('kafkajs/src/protocol/decoder') as new (b: Buffer) => Decoder
  const d = new Decoder(raw)
  const result: ApiVersionsV3 = {errorCode: d.readInt16(), apiKeys: [], supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: []}
  if (result.errorCode !== 0) return result
  result.apiKeys =
    d.readUVarIntArray((k) => {
      const key = {apiKey: k.readInt16(), minVersion: k.readInt16(), maxVersion: k.readInt16()}
      k.readTaggedFields()
      return key
    }) ?? []
  d.readInt32() // throttle_time_ms
  const tags = d.readUVarInt()
  for (let i = 0; i < tags; i++) {
    const tag = d.readUVarInt()
    const size = d.readUVarInt()
    const end = d.offset + size
    const t = new Decoder(raw.subarray(d.offset, end))
    if (tag === 0) {
      result.supportedFeatures =
        t.readUVarIntArray((f) => {
          const feature = {name: f.readUVarIntString() ?? '', min: f.readInt16(), max: f.readInt16()}
          f.readTaggedFields()
          return feature
        }) ?? []
    } else if (tag === 1) {
      result.finalizedFeaturesEpoch = Number(t.readInt64().toString())
    } else if (tag === 2) {
      result.finalizedFeatures =
        t.readUVarIntArray((f) => {
          const name = f.readUVarIntString() ?? ''
          const max = f.readInt16()
          const min = f.readInt16()
          f.readTaggedFields()
          return {name, min, max}
        }) ?? []
    }
    d.offset = end
  }
  return result
}

/** The ApiVersions v3 request as kafkajs' connection sends it. */
export function apiVersionsProtocol(softwareVersion: string) {
  const Encoder = requireKafkaJS('kafkajs/src/protocol/encoder') as new () => {writeBufferInternal(b: Buffer): void}
  const body = apiVersionsBody('kafkit', softwareVersion)
  return {
    request: {
      apiKey: API_VERSIONS,
      apiVersion: 3,
      apiName: 'ApiVersions',
      encode: async () => {
        const encoder = new Encoder()
        encoder.writeBufferInternal(body)
        return encoder as never
      },
    },
    response: {decode: async (raw: Buffer) => decodeApiVersionsV3(raw), parse: async (data: ApiVersionsV3) => data},
  }
}
