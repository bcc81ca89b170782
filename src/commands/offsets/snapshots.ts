import {Args} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {clusterId} from '../../kafka/cluster-info.js'
import {type SnapshotSummary, listSnapshots, stateDir} from '../../offsets/snapshots.js'
import {renderTable} from '../../output/table.js'

export default class OffsetsSnapshots extends KafkaCommand<SnapshotSummary[]> {
  static summary = "List the snapshots of a group's offsets (taken before each reset / undo), newest first"
  static description = 'Snapshots live in $KAFKIT_STATE_DIR, else $XDG_STATE_HOME/kafkit, else ~/.local/state/kafkit, per cluster id and group.'
  static examples = ['<%= config.bin %> offsets snapshots billing', '<%= config.bin %> offsets snapshots billing --json']
  static args = {group: Args.string({description: 'group id', required: true})}

  async run(): Promise<SnapshotSummary[]> {
    const {args} = await this.parse(OffsetsSnapshots)
    const cluster = await clusterId(await this.client())
    const snapshots = await listSnapshots(cluster, args.group)
    this.render(snapshots, (rows, io) => {
      if (rows.length === 0) {
        io.info(`no snapshots of group '${args.group}' on cluster ${cluster} (in ${stateDir()})`)
        return
      }
      renderTable(
        io,
        [
          {header: 'ID', get: (s) => s.id},
          {header: 'TAKEN', get: (s) => s.createdAt},
          {header: 'PARTITIONS', get: (s) => s.partitions, align: 'right'},
          {header: 'BEFORE', get: (s) => s.reason},
        ],
        rows,
      )
    })
    return snapshots
  }
}
