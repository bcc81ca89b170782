/**
 * Dynamic broker configs: DescribeConfigs with synonyms (each value's source: default, static file, dynamic
 * broker, dynamic cluster default) and IncrementalAlterConfigs on BROKER resources ('' = every broker's default).
 */
import type {KafkaClient} from './client.js'
import {sessionOf} from './kafkajs/session.js'
import {configSourceName} from './topics.js'
import {type ConfigChange, incrementalAlterConfigs} from './kafkajs/protocol/admin-requests.js'

const RESOURCE_BROKER = 4

export interface BrokerConfigEntry {
  name: string
  value: string | null
  source: string
  sensitive: boolean
  readOnly: boolean
  /** Where else the key is set, most specific first (dynamic broker, cluster default, static file, default). */
  synonyms: {value: string | null; source: string}[]
}

/** `broker`: a broker id, or '' for the cluster-wide default (only the dynamic defaults are returned). */
export async function describeBrokerConfigs(client: KafkaClient, broker: string): Promise<BrokerConfigEntry[]> {
  const admin = await sessionOf(client).admin()
  const response = await client.call(`reading the configs of ${broker === '' ? 'the cluster' : `broker ${broker}`}`, () =>
    admin.describeConfigs({resources: [{type: RESOURCE_BROKER, name: broker}], includeSynonyms: true}),
  )
  const resource = response.resources[0]
  return (resource?.configEntries ?? [])
    .map((e) => ({
      name: e.configName,
      value: e.configValue ?? null,
      source: configSourceName(e.configSource as unknown as number),
      sensitive: e.isSensitive,
      readOnly: e.readOnly,
      synonyms: (e.configSynonyms ?? []).map((s) => ({value: s.configValue ?? null, source: configSourceName(s.configSource as unknown as number)})),
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export async function alterBrokerConfigs(client: KafkaClient, broker: string, changes: ConfigChange[], options: {validateOnly?: boolean} = {}): Promise<void> {
  await incrementalAlterConfigs(sessionOf(client), [{type: RESOURCE_BROKER, name: broker, changes}], options)
}
