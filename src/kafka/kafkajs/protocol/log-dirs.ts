/**
 * DescribeLogDirs (API key 35, v1), which kafkajs 2.2.4 does not have: each broker's log directories and the size
 * of every partition replica in them. Sent to every broker (each answers for its own disks), over kafkajs
 * connections made by the command's Kafka instance (src/kafka/log-dirs.ts sends it).
 */
import {kafkajsCodec} from './codec.js'

export const DESCRIBE_LOG_DIRS = 35

export interface LogDirReplica {
  topic: string
  partition: number
  size: number
  offsetLag: number
  isFuture: boolean
}
export interface LogDir {
  errorCode: number
  path: string
  replicas: LogDirReplica[]
}

/** DescribeLogDirs Request (Version: 1) => [topics]: a null array asks for every topic. */
export function describeLogDirsRequest() {
  const {Encoder} = kafkajsCodec()
  return {apiKey: DESCRIBE_LOG_DIRS, apiVersion: 1, apiName: 'DescribeLogDirs', encode: async () => new Encoder().writeInt32(-1)}
}

/**
 * DescribeLogDirs Response (Version: 1) => throttle_time_ms [results]
 *   results => error_code log_dir [topics]
 *     topics => name [partitions]
 *       partitions => partition_index partition_size offset_lag is_future_key (INT32 INT64 INT64 BOOLEAN)
 */
export function describeLogDirsResponse() {
  const {Decoder} = kafkajsCodec()
  return {
    decode: async (raw: Buffer): Promise<LogDir[]> => {
      const d = new Decoder(raw)
      d.readInt32()
      return d.readArray((r) => {
        const errorCode = r.readInt16()
        const path = r.readString() ?? ''
        const replicas = r
          .readArray((t) => {
            const topic = t.readString() ?? ''
            return t.readArray((p) => ({topic, partition: p.readInt32(), size: Number(p.readInt64().toString()), offsetLag: Number(p.readInt64().toString()), isFuture: p.readBoolean()}))
          })
          .flat()
        return {errorCode, path, replicas}
      })
    },
    parse: async (data: LogDir[]) => data,
  }
}
