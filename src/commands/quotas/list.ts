import {KafkaCommand} from '../../base-command.js'
import {quotaEntityFlags} from '../../admin/quota-flags.js'
import {listFilters, parseEntity, type QuotaRow, quotaRows} from '../../admin/quotas.js'
import {describeClientQuotas} from '../../kafka/client-quotas.js'
import {renderTable} from '../../output/table.js'

export interface QuotaList {
  quotas: QuotaRow[]
}

export default class QuotasList extends KafkaCommand<QuotaList> {
  static summary = 'List client quotas (users, client ids, IPs)'
  static description = 'Every quota the cluster has, or those of the named entity (DescribeClientQuotas). Replaces kafka-configs.sh --describe --entity-type users/clients/ips.'
  static examples = ['<%= config.bin %> quotas list', '<%= config.bin %> quotas list --user alice', '<%= config.bin %> quotas list --default-client-id --json']
  static flags = {...quotaEntityFlags}

  async run(): Promise<QuotaList> {
    const {flags} = await this.parse(QuotasList)
    const entity = parseEntity(flags, {required: false})
    const entries = await describeClientQuotas(await this.client(), listFilters(entity), entity.length > 0)
    const result = {quotas: quotaRows(entries)}
    this.render(result, (r, io) => {
      if (r.quotas.length === 0) {
        io.info(entity.length > 0 ? 'no quotas for this entity' : 'no client quotas are set')
        return
      }
      renderTable(
        io,
        [
          {header: 'ENTITY', get: (q) => q.entity},
          {header: 'QUOTA', get: (q) => q.key},
          {header: 'VALUE', get: (q) => q.value, align: 'right'},
        ],
        r.quotas,
      )
    })
    return result
  }
}
