import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import type {PlanOutcome} from '../../offsets/plan.js'
import {planOnly, showPlan} from '../../offsets/render.js'
import {executePlan, prepareUndo} from '../../offsets/reset.js'

/** `snapshot` (executed only) is of the offsets the undo replaced: undo the undo with --snapshot. */
export interface UndoResult extends PlanOutcome {
  /** The snapshot being restored. */
  restoring: {id: string; createdAt: string; reason: string}
}

export default class OffsetsUndo extends KafkaCommand<UndoResult> {
  static summary = 'Put a group back where it was before the last reset: shows the plan; --execute applies it'
  static description =
    "Restores a snapshot taken by 'offsets reset --execute' (the newest one by default; see 'offsets snapshots'). Refused while the group has active members. Executing saves a snapshot of the offsets it replaces, so an undo can be undone too."
  static examples = ['<%= config.bin %> offsets undo billing', '<%= config.bin %> offsets undo billing --execute', '<%= config.bin %> offsets undo billing --snapshot 20261125T204412123Z --execute']
  static args = {group: Args.string({description: 'group id', required: true})}
  static flags = {
    snapshot: Flags.string({description: "the snapshot id to restore (default: the newest; list with 'offsets snapshots')"}),
    execute: Flags.boolean({description: 'apply the restore plan (otherwise it is only shown)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  async run(): Promise<UndoResult> {
    const {args, flags} = await this.parse(OffsetsUndo)
    const client = await this.client()
    const {plan, group, snapshot} = await prepareUndo(client, args.group, flags.snapshot)
    this.io.info(`restoring snapshot ${snapshot.id} (${snapshot.createdAt}, taken before: ${snapshot.reason})`)
    const result: UndoResult = {...showPlan(plan, this.io), restoring: {id: snapshot.id, createdAt: snapshot.createdAt, reason: snapshot.reason}}
    if (!flags.execute) {
      planOnly(plan, group, this.io)
      return result
    }
    const connection = await this.connection()
    if (connection.protected) {
      await this.confirmDestructive(`restore ${plan.rows.length} offsets of group '${plan.group}'`, flags.yes, {name: connection.profile, protected: true})
    }
    const execution = await executePlan(client, plan, `undo to ${snapshot.id}`)
    this.io.info(`restored ${execution.committed} partition${execution.committed === 1 ? '' : 's'} of group '${plan.group}' to snapshot ${snapshot.id}.`)
    this.io.info(`snapshot ${execution.snapshot.id} saved; undo this with: kafkit offsets undo ${plan.group} --snapshot ${execution.snapshot.id} --execute`)
    return {...result, executed: true, snapshot: execution.snapshot}
  }
}
