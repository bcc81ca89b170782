import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {type TopicOffsets, listTopicOffsets} from '../../offsets/list.js'
import {renderTable} from '../../output/table.js'
import {parseTime} from '../../specs/offset-spec.js'

export default class OffsetsList extends KafkaCommand<TopicOffsets> {
  static summary = 'Earliest and latest offsets per partition, and the offset at a time'
  static examples = ['<%= config.bin %> offsets list orders', '<%= config.bin %> offsets list orders --at @2026-11-24T09:00:00Z', '<%= config.bin %> offsets list orders payments --at @-2h --json']
  static strict = false
  static args = {topic: Args.string({description: 'topic names', required: true})}
  static flags = {
    at: Flags.string({description: 'also the first offset at or after this time: @2026-11-24T09:00:00Z, @1732438800000, @-2h', helpValue: '@TIME'}),
  }

  async run(): Promise<TopicOffsets> {
    const {argv, flags} = await this.parse(OffsetsList)
    const at = flags.at === undefined ? undefined : parseTime(flags.at.replace(/^@/, ''), Date.now(), '--at')
    const result = await listTopicOffsets(await this.client(), [...new Set(argv as string[])], at)
    this.render(result, (r, io) =>
      renderTable(
        io,
        [
          {header: 'TOPIC', get: (p) => p.topic},
          {header: 'PARTITION', get: (p) => p.partition, align: 'right'},
          {header: 'EARLIEST', get: (p) => p.earliest, align: 'right'},
          {header: 'LATEST', get: (p) => p.latest, align: 'right'},
          {header: 'RECORDS', get: (p) => p.records, align: 'right'},
          ...(r.at ? [{header: `AT ${r.at}`, get: (p: TopicOffsets['partitions'][number]) => p.atTime, align: 'right' as const}] : []),
        ],
        r.partitions,
      ),
    )
    return result
  }
}
