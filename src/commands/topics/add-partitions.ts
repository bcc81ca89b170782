import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {addPartitions, PartitionIncrease} from '../../topics/admin.js'

export default class TopicsAddPartitions extends KafkaCommand<PartitionIncrease> {
  static summary = 'Raise the partition count of a topic'
  static description =
    "Kafka cannot remove partitions. Keyed records are placed by hash(key) % partitions, so after this, a key's new records go to a different partition than its old ones: per-key order across the change is lost and compacted topics keep two latest values."
  static examples = ['<%= config.bin %> topics add-partitions orders --total 12']
  static args = {topic: Args.string({description: 'topic name', required: true})}
  static flags = {total: Flags.integer({description: 'the new total number of partitions', required: true, min: 1})}

  async run(): Promise<PartitionIncrease> {
    const {args, flags} = await this.parse(TopicsAddPartitions)
    const result = await addPartitions(await this.client(), args.topic, flags.total)
    this.io.warn(`keyed records of '${result.topic}' now map to other partitions (hash(key) % ${result.after} instead of % ${result.before}); per-key order across this change is not kept`)
    this.render(result, (r, io) => io.info(`${io.styleErr('done', 'green')}: '${r.topic}' has ${r.after} partitions (was ${r.before})`))
    return result
  }
}
