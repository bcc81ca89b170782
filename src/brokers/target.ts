/** The broker whose configs a `cluster config` command reads: the one named, else the lowest id. */
import type {KafkaClient} from '../kafka/client.js'
import {type BrokerConfigEntry, describeBrokerConfigs} from '../kafka/broker-configs.js'
import {describeClusterInfo} from '../kafka/cluster-info.js'
import {parseBrokerTarget} from './configs.js'

export async function readTargetConfigs(client: KafkaClient, broker: string | undefined): Promise<{target: string; readFrom: string; entries: BrokerConfigEntry[]}> {
  const info = await describeClusterInfo(client)
  const ids = info.brokers.map((b) => b.id)
  const target = parseBrokerTarget(broker, ids)
  const readFrom = target === '' ? String(Math.min(...ids)) : target
  return {target, readFrom, entries: await describeBrokerConfigs(client, readFrom)}
}
