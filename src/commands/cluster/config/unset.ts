import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../../base-command.js'
import {brokerRefusal} from '../../../admin/broker-errors.js'
import {type BrokerConfigChange, planBrokerConfigUnset, targetLabel} from '../../../brokers/configs.js'
import {readTargetConfigs} from '../../../brokers/target.js'
import {alterBrokerConfigs} from '../../../kafka/broker-configs.js'
import {renderTable} from '../../../output/table.js'

export interface BrokerConfigUnset {
  target: string
  executed: boolean
  changes: BrokerConfigChange[]
  notSet: string[]
}

export default class ClusterConfigUnset extends KafkaCommand<BrokerConfigUnset> {
  static summary = 'Remove dynamic broker configs (per broker or cluster-wide): shows the plan; --execute applies it'
  static description = `The value that applies afterwards (the cluster-wide default, the static file, or Kafka's default) is shown in the plan. Replaces kafka-configs.sh --alter --delete-config --entity-type brokers.`
  static examples = ['<%= config.bin %> cluster config unset log.cleaner.threads', '<%= config.bin %> cluster config unset log.cleaner.threads --broker 1 --execute']
  static args = {keys: Args.string({description: 'config keys', required: true})}
  static strict = false
  static flags = {
    broker: Flags.string({description: 'one broker id', exclusive: ['all-brokers']}),
    'all-brokers': Flags.boolean({description: 'the cluster-wide default (the default)'}),
    execute: Flags.boolean({description: 'apply the plan (otherwise it is only shown)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  async run(): Promise<BrokerConfigUnset> {
    const {argv, flags} = await this.parse(ClusterConfigUnset)
    const client = await this.client()
    const {target, entries} = await readTargetConfigs(client, flags.broker)
    const {changes, notSet} = planBrokerConfigUnset(entries, target, argv as string[])
    const result: BrokerConfigUnset = {target: targetLabel(target), executed: false, changes, notSet}
    this.render(result, (r, io) =>
      renderTable(
        io,
        [
          {header: 'CONFIG', get: (c) => c.name},
          {header: 'BEFORE', get: (c) => `${c.before ?? '-'} [${c.beforeSource}]`},
          {header: 'AFTER', get: (c) => `${c.after ?? '-'} [${c.afterSource}]`},
        ],
        r.changes,
      ),
    )
    if (notSet.length > 0) this.io.info(`not set on ${result.target}: ${notSet.join(', ')}`)
    if (changes.length === 0) return result
    if (!flags.execute) {
      this.io.info('Plan only, nothing changed: add --execute to apply it.')
      return result
    }
    const connection = await this.connection()
    if (connection.protected) await this.confirmDestructive(`remove ${changes.length} config(s) of ${result.target}`, flags.yes)
    await alterBrokerConfigs(
      client,
      target,
      changes.map((c) => ({name: c.name, op: 'delete' as const})),
    ).catch((error) => {
      throw brokerRefusal(error, `removing configs of ${result.target}`)
    })
    this.io.info(`removed ${changes.length} config(s) of ${result.target}`)
    return {...result, executed: true}
  }
}
