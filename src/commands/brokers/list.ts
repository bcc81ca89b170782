import {KafkaCommand} from '../../base-command.js'
import {type BrokerOverview, describeBrokers} from '../../kafka/log-dirs.js'
import {formatBytes} from '../../output/numbers.js'
import {renderTable} from '../../output/table.js'

export interface BrokerList {
  brokers: BrokerOverview[]
}

export default class BrokersList extends KafkaCommand<BrokerList> {
  static summary = 'List brokers: address, rack, role, leaders, replicas, log dir sizes'
  static description =
    "Racks come from Metadata, sizes from DescribeLogDirs (every replica on the broker's disks). A broker that does not answer DescribeLogDirs is shown without sizes and a warning; the exit code is then 5."
  static examples = ['<%= config.bin %> brokers list', '<%= config.bin %> brokers list --json']

  async run(): Promise<BrokerList> {
    await this.parse(BrokersList)
    const result = {brokers: await describeBrokers(await this.client())}
    for (const b of result.brokers) if (b.logDirsError) this.io.warn(`broker ${b.id}: log dirs unknown (${b.logDirsError})`)
    this.render(result, (r, io) =>
      renderTable(
        io,
        [
          {header: 'BROKER', get: (b) => b.id, align: 'right'},
          {header: 'ADDRESS', get: (b) => `${b.host}:${b.port}`},
          {header: 'RACK', get: (b) => b.rack},
          {header: 'ROLE', get: (b) => (b.controller ? 'controller' : '')},
          {header: 'LEADERS', get: (b) => b.leaders, align: 'right'},
          {header: 'REPLICAS', get: (b) => b.replicas, align: 'right'},
          {header: 'LOG DIRS', get: (b) => (b.logDirs ? b.logDirs.map((d) => `${d.path} ${formatBytes(d.size)}`).join(', ') : '?')},
        ],
        r.brokers,
      ),
    )
    if (result.brokers.some((b) => b.logDirsError)) process.exitCode = 5
    return result
  }
}
