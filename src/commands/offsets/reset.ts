import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {usageError} from '../../errors.js'
import {formatCsv} from '../../offsets/csv.js'
import {type PlanOutcome, planOffsets} from '../../offsets/plan.js'
import {planOnly, planTotals, showPlan} from '../../offsets/render.js'
import {executePlan, prepareReset} from '../../offsets/reset.js'
import {parseStrategy, parseTopicScope} from '../../offsets/strategy.js'

export interface ResetResult extends PlanOutcome {
  strategy: string
}

export default class OffsetsReset extends KafkaCommand<ResetResult> {
  static summary = "Reset a group's offsets: shows the plan; --execute applies it"
  static description = `Every kafka-consumer-groups strategy. Without --execute nothing changes: the plan shows, per partition, the current offset -> the new one, the delta and the lag after. Targets outside the log are clamped to its start or end (with a warning). Executing is refused (exit 6) while the group has active members, and first saves the current offsets as a snapshot that 'offsets undo' restores. --export prints the plan as kafka-consumer-groups CSV (topic,partition,offset), which --from-file reads back (either tool's files).`
  static examples = [
    '<%= config.bin %> offsets reset billing --topic orders --to-earliest',
    '<%= config.bin %> offsets reset billing --topic orders --to-earliest --execute',
    '<%= config.bin %> offsets reset billing --topic orders:0,1 --shift-by -100 --execute',
    '<%= config.bin %> offsets reset billing --all-topics --to-datetime 2026-11-24T09:00:00Z',
    '<%= config.bin %> offsets reset billing --all-topics --by-duration 2h --execute',
    '<%= config.bin %> offsets reset billing --all-topics --to-current --export > billing.csv',
    '<%= config.bin %> offsets reset billing --from-file billing.csv --execute',
  ]
  static args = {group: Args.string({description: 'group id', required: true})}
  static flags = {
    topic: Flags.string({char: 't', description: 'topic to reset, optionally with partitions: orders or orders:0,1,2 (repeatable)', multiple: true}),
    'all-topics': Flags.boolean({description: 'every topic the group has committed offsets for'}),
    'to-earliest': Flags.boolean({description: 'to the start of the log', helpGroup: 'STRATEGY'}),
    'to-latest': Flags.boolean({description: 'to the end of the log (skip everything)', helpGroup: 'STRATEGY'}),
    'to-offset': Flags.string({description: 'to this absolute offset', helpValue: 'N', helpGroup: 'STRATEGY'}),
    'shift-by': Flags.string({description: 'move the committed offset by N (negative: back)', helpValue: '±N', helpGroup: 'STRATEGY'}),
    'to-datetime': Flags.string({description: 'to the first offset at or after a time: 2026-11-24T09:00:00Z, 1732438800000, -2h', helpValue: 'TIME', helpGroup: 'STRATEGY'}),
    'by-duration': Flags.string({description: 'to the first offset at or after now minus D: 30m, 2h, 7d (or ISO PT2H)', helpValue: 'D', helpGroup: 'STRATEGY'}),
    'to-current': Flags.boolean({description: 'to the committed offset (no move; with --export: save them)', helpGroup: 'STRATEGY'}),
    'from-file': Flags.string({description: 'to the offsets in a CSV of topic,partition,offset (- for stdin)', helpValue: 'CSV', helpGroup: 'STRATEGY'}),
    execute: Flags.boolean({description: 'apply the plan (otherwise it is only shown)'}),
    'dry-run': Flags.boolean({description: 'only show the plan (the default)', exclusive: ['execute']}),
    export: Flags.boolean({description: 'print the plan as CSV (topic,partition,offset) instead of a table', exclusive: ['json']}),
    'allow-new-group': Flags.boolean({description: 'the group may not exist yet: committing creates it'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  async run(): Promise<ResetResult> {
    const {args, flags} = await this.parse(OffsetsReset)
    const strategy = parseStrategy({
      'to-earliest': flags['to-earliest'],
      'to-latest': flags['to-latest'],
      'to-offset': flags['to-offset'],
      'shift-by': flags['shift-by'],
      'to-datetime': flags['to-datetime'],
      'by-duration': flags['by-duration'],
      'to-current': flags['to-current'],
      'from-file': flags['from-file'],
    })
    const scopes = (flags.topic ?? []).map(parseTopicScope)
    if (flags['all-topics'] && scopes.length > 0) {
      throw usageError('--topic and --all-topics both given', 'use one of them')
    }
    const client = await this.client()
    const {plan, group, isNew} = await prepareReset(client, {group: args.group, strategy, scopes, allTopics: flags['all-topics'], allowNewGroup: flags['allow-new-group']})
    let result: ResetResult
    if (flags.export) {
      // Under --json the warnings are part of the document; stderr carries only errors.
      if (!this.io.json) for (const w of plan.warnings) this.io.warn(w)
      this.io.stdout.write(formatCsv(planOffsets(plan)))
      result = {group: plan.group, strategy: plan.strategy, executed: false, partitions: plan.rows, changes: plan.changes, warnings: plan.warnings}
    } else {
      result = {...showPlan(plan, this.io), strategy: plan.strategy}
    }

    if (!flags.execute) {
      planOnly(
        plan,
        group,
        this.io,
        flags.export
          ? `exported ${plan.rows.length} offset${plan.rows.length === 1 ? '' : 's'} of group '${plan.group}' as CSV; nothing changed. Apply a saved file with: kafkit offsets reset ${plan.group} --from-file FILE --execute`
          : undefined,
      )
      return result
    }
    if (plan.changes === 0 && !isNew) {
      // Nothing would move: no commit, and no snapshot that a later undo would "restore" to the same offsets.
      this.io.info(`nothing to change: every offset of group '${plan.group}' is already at its target (${planTotals(plan)}); no snapshot saved`)
      return result
    }
    const connection = await this.connection()
    if (connection.protected) {
      await this.confirmDestructive(`reset ${plan.rows.length} offsets of group '${plan.group}'`, flags.yes, {name: connection.profile, protected: true})
    }
    const execution = await executePlan(client, plan, `reset ${plan.strategy}`, {allowNewGroup: isNew})
    this.io.info(`reset ${execution.committed} partition${execution.committed === 1 ? '' : 's'} of group '${plan.group}' (${planTotals(plan)}).`)
    this.io.info(`snapshot ${execution.snapshot.id} saved; undo with: kafkit offsets undo ${plan.group} --execute`)
    return {...result, executed: true, snapshot: execution.snapshot}
  }
}
