/**
 * kafka-consumer-groups' reset CSV: `topic,partition,offset` per line, no header; with several groups a
 * leading group column (`group,topic,partition,offset`). Files move both ways between kafkit and Kafka's tool.
 */
import {usageError} from '../errors.js'
import type {PartitionOffset} from '../kafka/groups.js'

export function formatCsv(rows: PartitionOffset[]): string {
  return rows.map((r) => `${csvField(r.topic)},${r.partition},${r.offset}\n`).join('')
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** Parses the CSV; rows of other groups (4-column form) are skipped. Malformed lines are exit 2 with the line. */
export function parseCsv(text: string, group: string, source = 'CSV'): PartitionOffset[] {
  const rows: PartitionOffset[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (!line || line.startsWith('#')) continue
    const fields = splitCsvLine(line)
    let topic: string
    let partition: string
    let offset: string
    if (fields.length === 3) {
      ;[topic, partition, offset] = fields
    } else if (fields.length === 4) {
      let rowGroup: string
      ;[rowGroup, topic, partition, offset] = fields
      if (rowGroup !== group) continue
    } else {
      throw badLine(source, i + 1, line)
    }
    if (/^topic$/i.test(topic) && /^partition$/i.test(partition)) continue // a header someone added
    if (!topic || !/^\d+$/.test(partition.trim()) || !/^\d+$/.test(offset.trim())) throw badLine(source, i + 1, line)
    rows.push({topic, partition: Number(partition), offset: Number(offset)})
  }
  return rows
}

function badLine(source: string, n: number, line: string) {
  return usageError(`${source} line ${n}: '${line.slice(0, 80)}' is not topic,partition,offset`, 'the format of kafka-consumer-groups --export, e.g. orders,0,1200', 'BAD_CSV')
}

function splitCsvLine(line: string): string[] {
  const fields: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"'
        i++
      } else if (ch === '"') quoted = false
      else current += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      fields.push(current)
      current = ''
    } else current += ch
  }
  fields.push(current)
  return fields
}
