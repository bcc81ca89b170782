/**
 * The consumer lag of sink connectors: each sink task is a consumer of the group `connect-<name>` (or
 * consumer.override.group.id), so its lag is the group's, read with kafkit's own group code (src/groups/).
 */
import {KafkitError} from '../errors.js'
import type {GroupLag} from '../groups/lag.js'
import {describeGroupLag} from '../groups/overview.js'
import {type GroupRates, computeRates} from '../groups/rates.js'
import type {KafkaClient} from '../kafka/client.js'
import type {ConnectorView} from './overview.js'

export interface SinkLag {
  group: string
  /** null: the group has committed nothing yet (a new connector), or does not exist. */
  totalLag: number | null
  partitions: number
  rates?: Pick<GroupRates, 'consumeRate' | 'produceRate' | 'catchUpSeconds'>
}

export interface SinkLagSample {
  lag: GroupLag | null
  at: number
}

/** Lag of every sink connector's group, looked up in parallel. A group that does not exist yet has no lag. */
export async function readSinkLags(client: KafkaClient, views: ConnectorView[]): Promise<Map<string, SinkLagSample>> {
  const samples = new Map<string, SinkLagSample>()
  await Promise.all(
    views
      .filter((v) => v.group)
      .map(async (v) => {
        const lag = await describeGroupLag(client, v.group!).catch((error) => {
          if (error instanceof KafkitError && error.code === 'GROUP_NOT_FOUND') return null
          throw error
        })
        samples.set(v.name, {lag, at: Date.now()})
      }),
  )
  return samples
}

/** The lag to show for one connector, with rates when an earlier sample of the same group exists. */
export function sinkLag(group: string, sample: SinkLagSample | undefined, previous: SinkLagSample | undefined): SinkLag {
  const lag = sample?.lag ?? null
  const committed = lag ? lag.partitions.some((p) => p.committed !== null) : false
  const out: SinkLag = {group, totalLag: lag && committed ? lag.totalLag : null, partitions: lag?.partitions.length ?? 0}
  if (lag && previous?.lag && sample) {
    const r = computeRates(previous.lag, previous.at, lag, sample.at)
    out.rates = {consumeRate: r.consumeRate, produceRate: r.produceRate, catchUpSeconds: r.catchUpSeconds}
  }
  return out
}
