import {Args} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {type GroupSummary, summarizeGroups} from '../../groups/overview.js'
import {formatCount} from '../../output/numbers.js'
import {renderTable} from '../../output/table.js'

export default class GroupsList extends KafkaCommand<GroupSummary[]> {
  static summary = 'List consumer groups: state, members, total lag, protocol, topics'
  static description =
    'One round of requests however many groups there are (one DescribeGroups and one OffsetFetch per coordinator, one ListOffsets per broker). LAG is the sum over the partitions the group has committed; `groups describe --all` shows it per partition.'
  static examples = ['<%= config.bin %> groups list', "<%= config.bin %> groups list '^billing-'", '<%= config.bin %> groups list --json']
  static args = {regex: Args.string({description: 'only groups whose id matches this regular expression'})}

  async run(): Promise<GroupSummary[]> {
    const {args} = await this.parse(GroupsList)
    const groups = await summarizeGroups(await this.client(), args.regex)
    this.render(groups, (rows, io) => {
      if (rows.length === 0 && io.stdoutIsTTY) {
        io.info(args.regex ? `no consumer groups match '${args.regex}'` : 'no consumer groups')
        return
      }
      renderTable(
        io,
        [
          {header: 'GROUP', get: (g) => g.group},
          {header: 'STATE', get: (g) => g.state},
          {header: 'MEMBERS', get: (g) => g.members, align: 'right'},
          // A group of the new consumer protocol shows its assignor and the protocol: uniform (KIP-848).
          {header: 'PROTOCOL', get: (g) => (g.type === 'consumer' ? `${g.protocol || 'consumer'} (KIP-848)` : g.protocol || g.protocolType || '-')},
          {header: 'TOPICS', get: (g) => g.topics.join(',') || '-'},
          // Last, so that scripts cutting the first five columns keep working.
          {header: 'LAG', get: (g) => (io.stdoutIsTTY ? formatCount(g.lag) : g.lag), align: 'right'},
        ],
        rows,
      )
    })
    return groups
  }
}
