import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {executeGroupClone, planGroupClone} from '../../groups/clone.js'
import type {PartitionOffset} from '../../kafka/groups.js'
import {renderTable} from '../../output/table.js'

export interface GroupClone {
  source: string
  dest: string
  executed: boolean
  destExisted: boolean
  offsets: PartitionOffset[]
}

export default class GroupsClone extends KafkaCommand<GroupClone> {
  static summary = "Copy a group's committed offsets to a new group: shows them; --execute commits them"
  static description = `A safe way to try an offset reset: clone the group, reset the copy ('offsets reset COPY ...'), consume with it, and leave the original untouched. Refused (exit 6) when DEST exists, unless --force (then DEST's offsets for the same partitions are overwritten; it must have no active members).`
  static examples = [
    '<%= config.bin %> groups clone billing billing-try',
    '<%= config.bin %> groups clone billing billing-try --execute',
    '<%= config.bin %> groups clone billing billing-try --force --execute',
  ]
  static args = {source: Args.string({description: 'group to copy', required: true}), dest: Args.string({description: 'new group', required: true})}
  static flags = {
    force: Flags.boolean({description: 'DEST may exist: overwrite its offsets for the copied partitions'}),
    execute: Flags.boolean({description: 'commit the offsets (otherwise they are only shown)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles with --force)'}),
  }

  async run(): Promise<GroupClone> {
    const {args, flags} = await this.parse(GroupsClone)
    const client = await this.client()
    const plan = await planGroupClone(client, args.source, args.dest, {force: flags.force})
    const result: GroupClone = {source: plan.source, dest: plan.dest, executed: false, destExisted: plan.destExists, offsets: plan.offsets}
    this.render(result, (r, io) =>
      renderTable(
        io,
        [
          {header: 'TOPIC', get: (o) => o.topic},
          {header: 'PARTITION', get: (o) => o.partition, align: 'right'},
          {header: 'OFFSET', get: (o) => o.offset, align: 'right'},
        ],
        r.offsets,
      ),
    )
    const summary = `copy ${plan.offsets.length} committed offset(s) of '${plan.source}' to ${plan.destExists ? 'existing' : 'new'} group '${plan.dest}'`
    if (!flags.execute) {
      this.io.info(`${summary}. Plan only, nothing changed: add --execute to apply it.`)
      return result
    }
    const connection = await this.connection()
    if (plan.destExists && connection.protected) await this.confirmDestructive(summary, flags.yes)
    await executeGroupClone(client, plan)
    this.io.info(`copied ${plan.offsets.length} offset(s) of '${plan.source}' to '${plan.dest}'`)
    return {...result, executed: true}
  }
}
