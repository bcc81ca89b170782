/**
 * Consumption and production rates between two looks at a group, and the time to catch up at those rates.
 * Pure, for `groups describe --watch`.
 */
import {type GroupLag, partitionKey} from './lag.js'

export interface GroupRates {
  /** Seconds between the two samples. */
  intervalSeconds: number
  /** Committed offsets per second, summed over partitions. */
  consumeRate: number
  /** Log-end offsets per second, summed over partitions. */
  produceRate: number
  totalLag: number
  /** Seconds until the lag is 0 at these rates; 0 when caught up; null when the lag does not shrink. */
  catchUpSeconds: number | null
  partitions: {topic: string; partition: number; consumeRate: number; lag: number | null}[]
}

export function computeRates(previous: GroupLag, previousAt: number, current: GroupLag, currentAt: number): GroupRates {
  const seconds = Math.max(0.001, (currentAt - previousAt) / 1000)
  const before = new Map(previous.partitions.map((p) => [partitionKey(p.topic, p.partition), p]))
  let consumed = 0
  let produced = 0
  const partitions = current.partitions.map((p) => {
    const old = before.get(partitionKey(p.topic, p.partition))
    const c = old && old.committed !== null && p.committed !== null ? Math.max(0, p.committed - old.committed) : 0
    const w = old ? Math.max(0, p.logEnd - old.logEnd) : 0
    consumed += c
    produced += w
    return {topic: p.topic, partition: p.partition, consumeRate: c / seconds, lag: p.lag}
  })
  const consumeRate = consumed / seconds
  const produceRate = produced / seconds
  return {
    intervalSeconds: seconds,
    consumeRate,
    produceRate,
    totalLag: current.totalLag,
    catchUpSeconds: catchUpSeconds(current.totalLag, consumeRate, produceRate),
    partitions,
  }
}

/** Lag / net drain rate. */
export function catchUpSeconds(lag: number, consumeRate: number, produceRate: number): number | null {
  if (lag <= 0) return 0
  const drain = consumeRate - produceRate
  return drain > 0 ? lag / drain : null
}

/** `2h 05m`, `3m 10s`, `42s`, `never` (at this rate). */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return 'never'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(s / 86_400)}d ${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1_000_000) return `${(perSecond / 1_000_000).toFixed(1)}M/s`
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(0)}k/s`
  if (perSecond >= 100) return `${perSecond.toFixed(0)}/s`
  return `${perSecond.toFixed(1)}/s`
}

/** The sentence under the --watch table. */
export function describeCatchUp(rates: GroupRates): string {
  const eta = rates.catchUpSeconds === null ? 'not catching up at this rate' : rates.catchUpSeconds === 0 ? 'caught up' : `caught up in ${formatEta(rates.catchUpSeconds)}`
  return `consuming ${formatRate(rates.consumeRate)}, producing ${formatRate(rates.produceRate)}: ${eta}`
}
