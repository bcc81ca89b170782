import {Args} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {notFoundError} from '../../errors.js'
import {type BrokerOverview, describeBrokers} from '../../kafka/log-dirs.js'
import {renderPairs, renderTable} from '../../output/table.js'
import {formatBytes} from '../../output/numbers.js'

export default class BrokersDescribe extends KafkaCommand<BrokerOverview> {
  static summary = 'One broker: address, rack, role, leader and replica counts, each log dir with its size'
  static examples = ['<%= config.bin %> brokers describe 1', '<%= config.bin %> brokers describe 2 --json']
  static args = {id: Args.integer({description: 'broker id', required: true, min: 0})}

  async run(): Promise<BrokerOverview> {
    const {args} = await this.parse(BrokersDescribe)
    const all = await describeBrokers(await this.client())
    const broker = all.find((b) => b.id === args.id)
    if (!broker) throw notFoundError('BROKER_NOT_FOUND', `there is no broker ${args.id}`, `brokers: ${all.map((b) => b.id).join(', ')} (kafkit brokers list)`)
    if (broker.logDirsError) this.io.warn(`log dirs unknown (${broker.logDirsError})`)
    this.render(broker, (b, io) => {
      renderPairs(io, [
        ['broker', b.id],
        ['address', `${b.host}:${b.port}`],
        ['rack', b.rack ?? 'none'],
        ['controller', b.controller ? 'yes' : 'no'],
        ['leaders', b.leaders],
        ['replicas', b.replicas],
      ])
      if (b.logDirs) {
        if (io.stdoutIsTTY) io.out('')
        renderTable(
          io,
          [
            {header: 'LOG DIR', get: (d) => d.path},
            {header: 'SIZE', get: (d) => formatBytes(d.size), align: 'right'},
            {header: 'BYTES', get: (d) => d.size, align: 'right'},
            {header: 'REPLICAS', get: (d) => d.replicas, align: 'right'},
            {header: 'ERROR', get: (d) => d.error ?? ''},
          ],
          b.logDirs,
        )
      }
    })
    if (broker.logDirsError) process.exitCode = 5
    return broker
  }
}
