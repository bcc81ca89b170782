import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {deleteRecordsBefore} from '../../kafka/delete-records.js'
import {fetchOffsetsAtTime, fetchWatermarks} from '../../kafka/offsets.js'
import {renderTable} from '../../output/table.js'
import {parsePartitionList, parseTruncatePoint, planTruncate, type TruncateRow} from '../../topics/truncate.js'

export interface TruncateResult {
  topic: string
  executed: boolean
  partitions: TruncateRow[]
  deleted: number
}

export default class TopicsTruncate extends KafkaCommand<TruncateResult> {
  static summary = 'Delete the records before an offset or a time: shows the plan; --execute applies it'
  static description = `DeleteRecords moves each partition's log start offset forward: the records before it are gone for every reader. The plan shows, per partition, the current start and end, the new start and how many records go. Targets outside the log are clamped to its start or end. On a protected profile --execute also needs --yes. Replaces kafka-delete-records.sh.`
  static examples = [
    '<%= config.bin %> topics truncate orders --before 1200',
    '<%= config.bin %> topics truncate orders --before @2026-11-24T09:00:00Z --execute',
    '<%= config.bin %> topics truncate orders --before @-7d --partitions 0,1 --execute --yes',
  ]
  static args = {topic: Args.string({description: 'topic name', required: true})}
  static flags = {
    before: Flags.string({description: 'delete records before this offset, or before this time (@TIME: ISO, epoch ms, or -2h)', required: true, helpValue: 'OFFSET|@TIME'}),
    partitions: Flags.string({description: 'only these partitions: 0,1,2 (default: all)'}),
    execute: Flags.boolean({description: 'apply the plan (otherwise it is only shown)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  async run(): Promise<TruncateResult> {
    const {args, flags} = await this.parse(TopicsTruncate)
    const point = parseTruncatePoint(flags.before)
    const partitions = flags.partitions === undefined ? undefined : parsePartitionList(flags.partitions)
    const client = await this.client()
    const watermarks = await fetchWatermarks(client, args.topic)
    const atTime = point.kind === 'time' ? await fetchOffsetsAtTime(client, args.topic, point.timestamp) : undefined
    const plan = planTruncate(args.topic, watermarks, point, partitions, atTime)
    const result: TruncateResult = {topic: plan.topic, executed: false, partitions: plan.rows, deleted: plan.deleted}
    this.render(result, (r, io) =>
      renderTable(
        io,
        [
          {header: 'PARTITION', get: (x) => x.partition, align: 'right'},
          {header: 'START', get: (x) => x.low, align: 'right'},
          {header: 'END', get: (x) => x.high, align: 'right'},
          {header: 'NEW START', get: (x) => `${x.before}${x.clamped ? ` (clamped to ${x.clamped === 'low' ? 'start' : 'end'})` : ''}`, align: 'right'},
          {header: 'DELETED', get: (x) => x.deleted, align: 'right'},
        ],
        r.partitions,
      ),
    )
    const summary = `delete ${plan.deleted} record${plan.deleted === 1 ? '' : 's'} of '${plan.topic}' in ${plan.rows.filter((r) => r.deleted > 0).length} partition(s)`
    if (plan.deleted === 0) {
      this.io.info('nothing to delete')
      return result
    }
    if (!flags.execute) {
      this.io.info(`${summary}. Plan only, nothing changed: add --execute to apply it.`)
      return result
    }
    const connection = await this.connection()
    if (connection.protected) await this.confirmDestructive(summary, flags.yes)
    await deleteRecordsBefore(
      client,
      plan.topic,
      plan.rows.filter((r) => r.deleted > 0).map((r) => ({partition: r.partition, offset: r.before})),
    )
    this.io.info(`deleted ${plan.deleted} record${plan.deleted === 1 ? '' : 's'} of '${plan.topic}'`)
    return {...result, executed: true}
  }
}
