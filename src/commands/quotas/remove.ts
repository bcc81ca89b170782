import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {brokerRefusal} from '../../admin/broker-errors.js'
import {quotaEntityFlags} from '../../admin/quota-flags.js'
import {currentValues, listFilters, parseEntity, planQuotaRemove, planToAlter, type QuotaPlan} from '../../admin/quotas.js'
import {renderQuotaPlan} from '../../admin/render.js'
import {alterClientQuotas, describeClientQuotas, entityLabel} from '../../kafka/client-quotas.js'

export interface QuotaRemoval extends QuotaPlan {
  entityLabel: string
  executed: boolean
}

export default class QuotasRemove extends KafkaCommand<QuotaRemoval> {
  static summary = 'Remove client quotas: shows the plan; --execute applies it'
  static description = 'Removes the named quota keys of the entity (every key it has without --key); the defaults apply again. Replaces kafka-configs.sh --alter --delete-config.'
  static examples = ['<%= config.bin %> quotas remove --user alice', '<%= config.bin %> quotas remove --user alice --key producer_byte_rate --execute']
  static flags = {
    ...quotaEntityFlags,
    key: Flags.string({char: 'k', description: 'quota key to remove (repeatable; default: all of the entity)', multiple: true}),
    execute: Flags.boolean({description: 'apply the plan (otherwise it is only shown)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  async run(): Promise<QuotaRemoval> {
    const {flags} = await this.parse(QuotasRemove)
    const entity = parseEntity(flags, {required: true})
    const client = await this.client()
    const current = currentValues(await describeClientQuotas(client, listFilters(entity), true), entity)
    const plan = planQuotaRemove(entity, current, flags.key ?? [])
    const result: QuotaRemoval = {...plan, entityLabel: entityLabel(entity), executed: false}
    if (!this.io.json) renderQuotaPlan(result, this.io)
    if (plan.changes.length === 0) {
      this.io.info('nothing to remove')
      return result
    }
    if (!flags.execute) {
      this.io.info('Plan only, nothing changed: add --execute to apply it.')
      return result
    }
    const connection = await this.connection()
    if (connection.protected) await this.confirmDestructive(`remove ${plan.changes.length} quota(s) of ${result.entityLabel}`, flags.yes)
    await alterClientQuotas(client, planToAlter(plan)).catch((error) => {
      throw brokerRefusal(error, `removing quotas of ${result.entityLabel}`)
    })
    this.io.info(`removed ${plan.changes.length} quota(s) of ${result.entityLabel}`)
    return {...result, executed: true}
  }
}
