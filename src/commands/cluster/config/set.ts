import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../../base-command.js'
import {brokerRefusal} from '../../../admin/broker-errors.js'
import {type BrokerConfigChange, parseConfigAssignments, planBrokerConfigSet, targetLabel} from '../../../brokers/configs.js'
import {readTargetConfigs} from '../../../brokers/target.js'
import {usageError} from '../../../errors.js'
import {alterBrokerConfigs} from '../../../kafka/broker-configs.js'
import {renderTable} from '../../../output/table.js'

export interface BrokerConfigResult {
  target: string
  executed: boolean
  changes: BrokerConfigChange[]
}

export default class ClusterConfigSet extends KafkaCommand<BrokerConfigResult> {
  static summary = 'Set dynamic broker configs, per broker or cluster-wide: shows the plan; --execute applies it'
  static description = `Incremental (IncrementalAlterConfigs): only the keys named change. Cluster-wide (the default, or --all-brokers) sets the dynamic default of every broker; --broker ID sets one broker's value, which wins over the cluster-wide one. The broker validates each value. Replaces kafka-configs.sh --alter --entity-type brokers (--entity-default).`
  static examples = ['<%= config.bin %> cluster config set --set log.cleaner.threads=2', '<%= config.bin %> cluster config set --broker 1 --set log.cleaner.threads=2 --execute']
  static flags = {
    set: Flags.string({char: 's', description: 'key=value (repeatable)', multiple: true}),
    broker: Flags.string({description: 'one broker id', exclusive: ['all-brokers']}),
    'all-brokers': Flags.boolean({description: 'the cluster-wide default of every broker (the default)'}),
    execute: Flags.boolean({description: 'apply the plan (otherwise the broker only validates it)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  async run(): Promise<BrokerConfigResult> {
    const {flags} = await this.parse(ClusterConfigSet)
    if (!flags.set?.length) throw usageError('nothing to set', "e.g. '--set log.cleaner.threads=2'", 'MISSING_VALUE')
    const client = await this.client()
    const {target, entries} = await readTargetConfigs(client, flags.broker)
    const changes = planBrokerConfigSet(entries, target, parseConfigAssignments(flags.set))
    const result: BrokerConfigResult = {target: targetLabel(target), executed: false, changes}
    const alter = changes.map((c) => ({name: c.name, op: 'set' as const, value: c.after}))
    this.render(result, (r, io) =>
      renderTable(
        io,
        [
          {header: 'CONFIG', get: (c) => c.name},
          {header: 'BEFORE', get: (c) => `${c.before ?? '-'} [${c.beforeSource}]`},
          {header: 'AFTER', get: (c) => `${c.after} [${c.afterSource}]`},
        ],
        r.changes,
      ),
    )
    if (!flags.execute) {
      await alterBrokerConfigs(client, target, alter, {validateOnly: true}).catch((error) => {
        throw brokerRefusal(error, `setting configs of ${result.target}`)
      })
      this.io.info(`the broker accepts these values for ${result.target}. Plan only, nothing changed: add --execute to apply it.`)
      return result
    }
    const connection = await this.connection()
    if (connection.protected) await this.confirmDestructive(`change ${changes.length} config(s) of ${result.target}`, flags.yes)
    await alterBrokerConfigs(client, target, alter).catch((error) => {
      throw brokerRefusal(error, `setting configs of ${result.target}`)
    })
    this.io.info(`set ${changes.length} config(s) of ${result.target}`)
    return {...result, executed: true}
  }
}
