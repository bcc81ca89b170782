import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../../base-command.js'
import {selectConfigs} from '../../../brokers/configs.js'
import {readTargetConfigs} from '../../../brokers/target.js'
import type {BrokerConfigEntry} from '../../../kafka/broker-configs.js'
import {renderTable} from '../../../output/table.js'

export interface BrokerConfigList {
  broker: number
  configs: BrokerConfigEntry[]
}

export default class ClusterConfigGet extends KafkaCommand<BrokerConfigList> {
  static summary = "Show a broker's configs with each value's source"
  static description = `Sources: default (Kafka's), static-broker (the broker's server.properties), broker (dynamic, this broker), cluster-default (dynamic, every broker). Without keys, shows those not at Kafka's default (--all: every one). Without --broker, reads the lowest broker id. Replaces kafka-configs.sh --describe --entity-type brokers (--all).`
  static examples = ['<%= config.bin %> cluster config get', '<%= config.bin %> cluster config get log.retention.hours num.io.threads --broker 2', '<%= config.bin %> cluster config get --all --json']
  static args = {keys: Args.string({description: 'config keys to show'})}
  static strict = false
  static flags = {
    broker: Flags.string({description: 'broker id (default: the lowest)'}),
    all: Flags.boolean({description: 'every config, also those at their default'}),
  }

  async run(): Promise<BrokerConfigList> {
    const {argv, flags} = await this.parse(ClusterConfigGet)
    const {readFrom, entries} = await readTargetConfigs(await this.client(), flags.broker)
    const result = {broker: Number(readFrom), configs: selectConfigs(entries, argv as string[], flags.all)}
    this.render(result, (r, io) => {
      renderTable(
        io,
        [
          {header: 'CONFIG', get: (c) => c.name},
          {header: 'VALUE', get: (c) => (c.sensitive ? '(sensitive)' : c.value)},
          {header: 'SOURCE', get: (c) => c.source},
          {
            header: 'ALSO SET',
            get: (c) =>
              c.synonyms
                .slice(1)
                .filter((s) => s.source !== 'default')
                .map((s) => `${s.source}=${c.sensitive ? '(sensitive)' : s.value}`)
                .join(' ') || '',
          },
        ],
        r.configs,
      )
    })
    return result
  }
}
