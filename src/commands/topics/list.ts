import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {listTopics} from '../../topics/admin.js'
import {renderTable} from '../../output/table.js'
import {compileRegex, filterTopics, healthLabel, TopicListEntry} from '../../topics/summary.js'

export default class TopicsList extends KafkaCommand<TopicListEntry[]> {
  static summary = 'List topics with partitions, replication factor and a health marker'
  static description =
    'Internal topics (__consumer_offsets, ...) are listed only with --all. The STATUS column marks partitions that are under-replicated (fewer in-sync replicas than replicas) or offline (no leader).'
  static examples = ['<%= config.bin %> topics list', '<%= config.bin %> topics list "^orders"', '<%= config.bin %> topics list --all --json', '<%= config.bin %> topics list | cut -f1']
  static args = {regex: Args.string({description: 'only topics whose name matches this regular expression'})}
  static flags = {all: Flags.boolean({char: 'a', description: 'include internal topics'})}

  async run(): Promise<TopicListEntry[]> {
    const {args, flags} = await this.parse(TopicsList)
    const regex = compileRegex(args.regex)
    const topics = filterTopics(await listTopics(await this.client()), {regex, all: flags.all})
    this.render(topics, (rows, io) => {
      if (rows.length === 0) {
        io.info(args.regex ? `no topics match /${args.regex}/` : "no topics yet: create one with 'kafkit topics create NAME --partitions 3'")
        return
      }
      renderTable(
        io,
        [
          {header: 'TOPIC', get: (t) => t.name},
          {header: 'PARTITIONS', get: (t) => t.partitions, align: 'right'},
          {header: 'RF', get: (t) => t.replicationFactor, align: 'right'},
          {header: 'STATUS', get: (t) => (io.stdoutIsTTY && healthLabel(t) !== 'ok' ? io.style(healthLabel(t), t.offline ? 'red' : 'yellow') : healthLabel(t))},
        ],
        rows,
      )
    })
    return topics
  }
}
