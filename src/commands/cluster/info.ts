import {KafkaCommand} from '../../base-command.js'
import {ClusterInfo, describeClusterInfo} from '../../kafka/cluster-info.js'
import {renderPairs, renderTable} from '../../output/table.js'

export default class ClusterInfoCommand extends KafkaCommand<ClusterInfo> {
  static summary = 'Show the cluster id, controller, brokers, and topic and partition counts'
  static examples = ['<%= config.bin %> cluster info', '<%= config.bin %> cluster info -b 127.0.0.1:9092 --json']

  async run(): Promise<ClusterInfo> {
    await this.parse(ClusterInfoCommand)
    const info = await describeClusterInfo(await this.client())
    this.render(info, (result, io) => {
      renderPairs(io, [
        ['cluster id', result.clusterId],
        ['controller', result.controller ?? 'none'],
        ['topics', `${result.topics} (+${result.internalTopics} internal)`],
        ['partitions', result.partitions],
      ])
      if (io.stdoutIsTTY) io.out('')
      renderTable(
        io,
        [
          {header: 'BROKER', get: (b) => b.id, align: 'right'},
          {header: 'ADDRESS', get: (b) => b.address},
          {header: 'ROLE', get: (b) => (b.controller ? 'controller' : '')},
        ],
        result.brokers,
      )
    })
    return info
  }
}
