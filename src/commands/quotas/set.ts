import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {brokerRefusal} from '../../admin/broker-errors.js'
import {quotaEntityFlags} from '../../admin/quota-flags.js'
import {currentValues, listFilters, parseEntity, parseQuotaAssignments, planQuotaSet, planToAlter, type QuotaPlan} from '../../admin/quotas.js'
import {renderQuotaPlan} from '../../admin/render.js'
import {usageError} from '../../errors.js'
import {alterClientQuotas, describeClientQuotas, entityLabel} from '../../kafka/client-quotas.js'

export interface QuotaChangeResult extends QuotaPlan {
  entityLabel: string
  executed: boolean
}

export default class QuotasSet extends KafkaCommand<QuotaChangeResult> {
  static summary = 'Set client quotas: shows the plan; --execute applies it'
  static description = `Keys: producer_byte_rate, consumer_byte_rate (bytes/s; units KiB, MiB, GiB, KB, MB, GB), request_percentage, controller_mutation_rate; an IP takes connection_creation_rate. Other quotas of the entity stay. Replaces kafka-configs.sh --alter --add-config --entity-type users/clients/ips.`
  static examples = [
    '<%= config.bin %> quotas set --user alice --set producer_byte_rate=1MiB --set consumer_byte_rate=2MiB',
    '<%= config.bin %> quotas set --user alice --client-id billing --set request_percentage=200 --execute',
    '<%= config.bin %> quotas set --default-client-id --set consumer_byte_rate=10MiB --execute',
    '<%= config.bin %> quotas set --ip 10.0.0.7 --set connection_creation_rate=5 --execute',
  ]
  static flags = {
    ...quotaEntityFlags,
    set: Flags.string({char: 's', description: 'quota=value (repeatable)', multiple: true}),
    execute: Flags.boolean({description: 'apply the plan (otherwise it is only shown)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  async run(): Promise<QuotaChangeResult> {
    const {flags} = await this.parse(QuotasSet)
    const entity = parseEntity(flags, {required: true})
    if (!flags.set?.length) throw usageError('nothing to set', "e.g. '--set producer_byte_rate=1MiB'", 'MISSING_VALUE')
    const wanted = parseQuotaAssignments(flags.set, entity)
    const client = await this.client()
    const current = currentValues(await describeClientQuotas(client, listFilters(entity), true), entity)
    const plan = planQuotaSet(entity, current, wanted)
    const result: QuotaChangeResult = {...plan, entityLabel: entityLabel(entity), executed: false}
    if (!this.io.json) renderQuotaPlan(result, this.io)
    if (plan.changes.length === 0) {
      this.io.info('nothing to change')
      return result
    }
    if (!flags.execute) {
      this.io.info('Plan only, nothing changed: add --execute to apply it.')
      return result
    }
    const connection = await this.connection()
    if (connection.protected) await this.confirmDestructive(`change ${plan.changes.length} quota(s) of ${result.entityLabel}`, flags.yes)
    await alterClientQuotas(client, planToAlter(plan)).catch((error) => {
      throw brokerRefusal(error, `setting quotas of ${result.entityLabel}`)
    })
    this.io.info(`set ${plan.changes.length} quota(s) of ${result.entityLabel}`)
    return {...result, executed: true}
  }
}
