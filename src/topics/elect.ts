/** `topics elect-leaders`: which partitions an election would change. Pure. */
import {usageError} from '../errors.js'

export type ElectionType = 'preferred' | 'unclean'

export interface ElectionPartition {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
}

export interface ElectionRow {
  topic: string
  partition: number
  /** -1: no leader. */
  leader: number
  /** preferred: the first replica; unclean: the live replicas that may take over (in replica order). */
  candidates: number[]
  replicas: number[]
  isr: number[]
  /** Elected when executed; false rows say why not in `reason`. */
  eligible: boolean
  reason?: string
}

export interface ElectionPlan {
  type: ElectionType
  topics: string[]
  /** Partitions considered. */
  partitions: number
  /** Partitions an election would change (eligible or not). */
  rows: ElectionRow[]
  eligible: number
}

/**
 * Preferred: every partition not led by its first replica; eligible when that replica is live and in the ISR.
 * Unclean: every partition without a leader; eligible when a replica is live (it may lack records the last leader
 * acknowledged: that is what unclean means).
 */
export function planElection(type: ElectionType, topics: {topic: string; partitions: ElectionPartition[]}[], liveBrokers: number[], onlyPartitions?: number[]): ElectionPlan {
  const live = new Set(liveBrokers)
  if (onlyPartitions && topics.length !== 1) throw usageError('--partitions needs exactly one topic', 'e.g. kafkit topics elect-leaders orders --partitions 0,1')
  const rows: ElectionRow[] = []
  let partitions = 0
  for (const t of [...topics].sort((a, b) => a.topic.localeCompare(b.topic))) {
    if (onlyPartitions) {
      const missing = onlyPartitions.filter((p) => !t.partitions.some((x) => x.partition === p))
      if (missing.length > 0) throw usageError(`topic '${t.topic}' has no partition ${missing.join(', ')}`, `it has partitions 0-${t.partitions.length - 1}`, 'BAD_PARTITION')
    }
    for (const p of [...t.partitions].sort((a, b) => a.partition - b.partition)) {
      if (onlyPartitions && !onlyPartitions.includes(p.partition)) continue
      partitions++
      const base = {topic: t.topic, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr}
      if (type === 'preferred') {
        const preferred = p.replicas[0]
        if (preferred === undefined || p.leader === preferred) continue
        const reason = !live.has(preferred) ? `broker ${preferred} is down` : !p.isr.includes(preferred) ? `broker ${preferred} is not in the ISR (catching up)` : undefined
        rows.push({...base, candidates: [preferred], eligible: reason === undefined, ...(reason ? {reason} : {})})
      } else {
        if (p.leader >= 0) continue
        const candidates = p.replicas.filter((b) => live.has(b))
        rows.push({...base, candidates, eligible: candidates.length > 0, ...(candidates.length === 0 ? {reason: 'no replica is live'} : {})})
      }
    }
  }
  return {type, topics: topics.map((t) => t.topic).sort(), partitions, rows, eligible: rows.filter((r) => r.eligible).length}
}
