/**
 * No duplicates after a crash. The checkpoint says where each destination partition stood at the last save;
 * records found after that point were written by the crashed run after its last save (acknowledged too late to
 * be saved, or never acknowledged but written). The resumed run reads that tail first and, for every record it
 * is about to write, checks whether the tail already holds it: if so it is not written again.
 *
 * Why matching by content works: the idempotent producer keeps each destination partition's writes in order
 * with no holes, so for a source partition p and a destination partition q, the records of p that reached q are
 * a prefix of p's records routed to q. The first record of (p, q) that is not in the tail ends matching for
 * (p, q). Records in the tail that never match (another producer wrote them) are left alone.
 */
import {createHash} from 'node:crypto'

import type {RawRecord} from '../records/envelope.js'

/**
 * What identifies a record in the destination: key, value, headers, and the timestamp unless the replay
 * stamps new ones. Null and empty are distinguished.
 */
export function fingerprint(record: Pick<RawRecord, 'key' | 'value' | 'headers' | 'timestamp'>, withTimestamp: boolean): string {
  const hash = createHash('sha1')
  const field = (b: Buffer | null | undefined) => {
    if (b === null || b === undefined) hash.update('-')
    else hash.update(`${b.length}:`).update(b)
  }
  field(record.key)
  field(record.value)
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      hash.update(`h${Buffer.byteLength(name)}:${name}`)
      field(v)
    }
  }
  if (withTimestamp) hash.update(`t${record.timestamp ?? ''}`)
  return hash.digest('base64')
}

export class Reconciler {
  /** Per destination partition: fingerprint -> how many unmatched copies are in its tail. */
  private readonly tails = new Map<number, Map<string, number>>()
  private readonly remaining = new Map<number, number>()
  /** `${p}:${q}` pairs whose prefix has ended. */
  private readonly stopped = new Set<string>()
  matched = 0

  constructor(private readonly withTimestamp: boolean) {}

  /** A record found in destination partition q after the checkpoint. */
  addTail(q: number, record: RawRecord): void {
    let tail = this.tails.get(q)
    if (!tail) this.tails.set(q, (tail = new Map()))
    const fp = fingerprint(record, this.withTimestamp)
    tail.set(fp, (tail.get(fp) ?? 0) + 1)
    this.remaining.set(q, (this.remaining.get(q) ?? 0) + 1)
  }

  get tailRecords(): number {
    let n = 0
    for (const r of this.remaining.values()) n += r
    return n
  }

  /** Whether nothing is left to match (the copy loop then skips the check). */
  get exhausted(): boolean {
    return this.tailRecords === 0
  }

  /** True when `record` (source partition p, going to q, already transformed) is already in q: do not write it. */
  alreadyWritten(p: number, q: number, record: RawRecord): boolean {
    const left = this.remaining.get(q) ?? 0
    if (left === 0) return false
    const pair = `${p}:${q}`
    if (this.stopped.has(pair)) return false
    const tail = this.tails.get(q)!
    const fp = fingerprint(record, this.withTimestamp)
    const count = tail.get(fp) ?? 0
    if (count === 0) {
      this.stopped.add(pair)
      return false
    }
    if (count === 1) tail.delete(fp)
    else tail.set(fp, count - 1)
    this.remaining.set(q, left - 1)
    this.matched++
    return true
  }

  /** Tail records no source record matched (written by someone else, or by a different replay). */
  get unmatched(): number {
    return this.tailRecords
  }
}
