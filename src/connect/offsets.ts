/**
 * Connector offsets (KIP-875): a sink's are Kafka positions ({kafka_topic, kafka_partition} -> {kafka_offset}),
 * a source's are whatever its plugin stores ({filename} -> {position} for FileStreamSource). Pure, unit-tested.
 */
import {usageError} from '../errors.js'
import type {ConnectorOffset, ConnectorOffsets} from './client.js'

export interface OffsetRow {
  /** Sinks: the topic-partition and offset. */
  topic?: string
  partition?: number
  offset?: number | null
  /** Sources (and anything else): the plugin's own partition and offset, as compact JSON. */
  sourcePartition?: string
  sourceOffset?: string | null
}

const isSinkOffset = (o: ConnectorOffset) => typeof o.partition?.kafka_topic === 'string' && o.partition?.kafka_partition !== undefined

export function offsetRows(offsets: ConnectorOffsets): OffsetRow[] {
  const rows = offsets.offsets.map((o): OffsetRow => {
    if (isSinkOffset(o)) {
      const off = o.offset?.kafka_offset
      return {topic: String(o.partition.kafka_topic), partition: Number(o.partition.kafka_partition), offset: off === undefined || off === null ? null : Number(off)}
    }
    return {sourcePartition: JSON.stringify(o.partition), sourceOffset: o.offset === null ? null : JSON.stringify(o.offset)}
  })
  return rows.sort((a, b) => (a.topic ?? a.sourcePartition ?? '').localeCompare(b.topic ?? b.sourcePartition ?? '') || (a.partition ?? 0) - (b.partition ?? 0))
}

/** An offsets file for `offsets reset --from-file`: Connect's {"offsets": [{partition, offset}]} (what `offsets get --json` prints). */
export function parseOffsetsFile(text: string, source: string): ConnectorOffsets {
  const bad = (what: string) =>
    usageError(`${source}: ${what}`, 'the file is what `kafkit connect offsets get NAME --json` prints: {"offsets": [{"partition": {...}, "offset": {...}}]}', 'BAD_OFFSETS_FILE')
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw bad(`not JSON: ${(error as Error).message}`)
  }
  const list = (doc as {offsets?: unknown})?.offsets
  if (!Array.isArray(list)) throw bad("needs an 'offsets' list")
  if (list.length === 0) throw bad("the 'offsets' list is empty (to remove every offset, leave --from-file out)")
  const offsets = list.map((o, i) => {
    const e = o as {partition?: unknown; offset?: unknown}
    if (typeof e?.partition !== 'object' || e.partition === null || Array.isArray(e.partition)) throw bad(`offsets[${i}].partition must be an object`)
    if (e.offset !== null && (typeof e.offset !== 'object' || Array.isArray(e.offset))) throw bad(`offsets[${i}].offset must be an object, or null to remove it`)
    return {partition: e.partition as Record<string, unknown>, offset: e.offset as Record<string, unknown> | null}
  })
  return {offsets}
}
