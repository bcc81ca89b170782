import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {usageError} from '../../errors.js'
import {alterTopicConfigs, ConfigEdit} from '../../topics/admin.js'
import {renderTable} from '../../output/table.js'
import {describeConfigValue, parseAssignments} from '../../topics/configs.js'

export interface TopicAlteration {
  topic: string
  dryRun: boolean
  changes: ConfigEdit[]
}

export default class TopicsAlter extends KafkaCommand<TopicAlteration> {
  static summary = 'Change some configs of a topic; every other override stays'
  static description = `Uses IncrementalAlterConfigs: only the keys named here change. --delete removes a topic override (the broker / Kafka default applies again). Units allowed: retention.ms=3d, retention.bytes=5GiB, retention.ms=forever. An unknown key is exit 2 with the closest valid key.`
  static examples = [
    '<%= config.bin %> topics alter orders --set retention.ms=3d',
    '<%= config.bin %> topics alter orders --set cleanup.policy=compact --set min.insync.replicas=2',
    '<%= config.bin %> topics alter orders --delete retention.ms',
    '<%= config.bin %> topics alter orders --set retention.bytes=10GiB --dry-run',
  ]
  static args = {topic: Args.string({description: 'topic name', required: true})}
  static flags = {
    set: Flags.string({char: 's', description: 'key=value to set (repeatable)', multiple: true}),
    delete: Flags.string({char: 'd', description: 'config key to remove from the topic (repeatable)', multiple: true}),
    'dry-run': Flags.boolean({description: 'ask the broker to validate only; nothing changes'}),
  }

  async run(): Promise<TopicAlteration> {
    const {args, flags} = await this.parse(TopicsAlter)
    const set = parseAssignments(flags.set ?? [], '--set')
    const del = flags.delete ?? []
    if (set.length === 0 && del.length === 0) throw usageError('nothing to change', `e.g. '${this.config.bin} topics alter ${args.topic} --set retention.ms=7d'`, 'MISSING_VALUE')
    const changes = await alterTopicConfigs(await this.client(), args.topic, {set, delete: del}, {dryRun: flags['dry-run']})
    const result = {topic: args.topic, dryRun: Boolean(flags['dry-run']), changes}
    this.render(result, (r, io) => {
      renderTable(
        io,
        [
          {header: 'CONFIG', get: (c) => c.name},
          {header: 'BEFORE', get: (c) => `${describeConfigValue(c.name, c.before)} [${c.beforeSource}]`},
          {header: 'AFTER', get: (c) => `${describeConfigValue(c.name, c.after)} [${c.afterSource}]`},
        ],
        r.changes,
      )
      if (r.dryRun) io.info('dry run: the broker accepted these changes; nothing was changed')
    })
    return result
  }
}
