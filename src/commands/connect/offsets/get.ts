import {Args} from '@oclif/core'

import type {ConnectorOffset} from '../../../connect/client.js'
import {ConnectCommand} from '../../../connect-command.js'
import {offsetRows} from '../../../connect/offsets.js'
import {renderTable} from '../../../output/table.js'

export interface ConnectorOffsetsResult {
  connector: string
  type: string
  /** Connect's own shape: what `offsets reset --from-file` takes back. */
  offsets: ConnectorOffset[]
}

export default class ConnectOffsetsGet extends ConnectCommand<ConnectorOffsetsResult> {
  static summary = "Show a connector's offsets (KIP-875): a sink's topic-partition positions, a source's own offsets"
  static examples = ['<%= config.bin %> connect offsets get orders-to-postgres', '<%= config.bin %> connect offsets get orders-file --json > offsets.json']
  static args = {name: Args.string({description: 'connector name', required: true})}

  async run(): Promise<ConnectorOffsetsResult> {
    const {args} = await this.parse(ConnectOffsetsGet)
    const connect = await this.connect()
    const [info, offsets] = await Promise.all([connect.connector(args.name), connect.offsets(args.name)])
    const result: ConnectorOffsetsResult = {connector: args.name, type: info.type, offsets: offsets.offsets}
    this.render(result, (r, io) => {
      const rows = offsetRows({offsets: r.offsets})
      if (rows.length === 0) return io.info(`connector '${r.connector}' has no offsets${r.type === 'sink' ? ' (nothing committed yet)' : ''}`)
      if (rows.every((x) => x.topic !== undefined)) {
        renderTable(
          io,
          [
            {header: 'TOPIC', get: (x) => x.topic},
            {header: 'PARTITION', get: (x) => x.partition, align: 'right'},
            {header: 'OFFSET', get: (x) => x.offset, align: 'right'},
          ],
          rows,
        )
      } else {
        renderTable(
          io,
          [
            {header: 'PARTITION', get: (x) => x.sourcePartition ?? `${x.topic}:${x.partition}`},
            {header: 'OFFSET', get: (x) => x.sourceOffset ?? x.offset},
          ],
          rows,
        )
      }
    })
    return result
  }
}
