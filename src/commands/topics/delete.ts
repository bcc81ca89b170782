import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {deleteTopics, listTopics} from '../../topics/admin.js'
import {planTopicDeletion} from '../../topics/delete.js'
import {compileRegex} from '../../topics/summary.js'

export interface TopicDeletion {
  deleted: string[]
}

export default class TopicsDelete extends KafkaCommand<TopicDeletion> {
  static summary = 'Delete topics (asks first on a terminal; --yes otherwise)'
  static description = 'Shows what will go before asking. Internal topics are never deleted. Without a terminal, --yes is required (exit 6 otherwise).'
  static examples = ['<%= config.bin %> topics delete orders-old --yes', '<%= config.bin %> topics delete --regex "^tmp-" --yes', '<%= config.bin %> topics delete a b c']
  static args = {topics: Args.string({description: 'topic names'})}
  static strict = false
  static flags = {
    regex: Flags.string({description: 'also delete every topic whose name matches this regular expression'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<TopicDeletion> {
    const {argv, flags} = await this.parse(TopicsDelete)
    const regex = compileRegex(flags.regex, '--regex')
    const client = await this.client()
    const existing = (await listTopics(client)).map((t) => t.name)
    const plan = planTopicDeletion(argv as string[], regex, existing)
    if (plan.skippedInternal.length > 0) this.io.info(`skipping internal topic${plan.skippedInternal.length === 1 ? '' : 's'}: ${plan.skippedInternal.join(', ')}`)
    if (!flags.yes && this.io.interactive) for (const t of plan.topics) this.io.info(`  - ${t}`)
    const connection = await this.connection()
    await this.confirmDestructive(plan.summary, flags.yes, {name: connection.profile, protected: connection.protected})
    await deleteTopics(client, plan.topics)
    const result = {deleted: plan.topics}
    this.render(result, (r, io) => io.info(`${io.styleErr('deleted', 'green')} ${r.deleted.length} topic${r.deleted.length === 1 ? '' : 's'}: ${r.deleted.join(', ')}`))
    return result
  }
}
