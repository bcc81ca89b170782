import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {ExitCode, KafkitError, usageError} from '../../errors.js'
import {executeApplyPlan, readActualTopics} from '../../topics/admin.js'
import {ApplyPlan, formatPlan, parseApplyFile, planApply} from '../../topics/apply.js'
import {readInputFile} from '../../util/input-file.js'

export interface ApplyResult extends ApplyPlan {
  file: string
  /** Whether the cluster differs from the file (the plan is not empty). */
  differs: boolean
  executed: boolean
}

export default class TopicsApply extends KafkaCommand<ApplyResult> {
  static summary = 'Make the cluster match a topics file: plan, then --execute'
  static description = `The file (YAML or JSON) lists topics with partitions, replicationFactor and configs (human units: 7d, forever, 512MiB). Without flags, prints the plan: + create, ~ change, - delete. --execute applies it (asking first on a terminal). --check exits 8 when the cluster differs and 0 when it matches, for CI. --prune also deletes topics and removes topic overrides that the file does not mention. Shrinking partitions or changing the replication factor is an error (exit 2).
The JSON Schema of the file ships in the package: schemas/topics.schema.json.`
  static examples = [
    '<%= config.bin %> topics apply -f topics.yaml',
    '<%= config.bin %> topics apply -f topics.yaml --execute',
    '<%= config.bin %> topics apply -f topics.yaml --check   # CI: exit 8 when the cluster drifted',
    '$ cat topics.json | <%= config.bin %> topics apply -f - --json',
  ]
  static flags = {
    file: Flags.string({char: 'f', description: "the topics file (YAML or JSON); '-' reads stdin", required: true}),
    execute: Flags.boolean({description: 'apply the plan'}),
    check: Flags.boolean({description: 'exit 8 when the cluster differs from the file, 0 when it matches'}),
    prune: Flags.boolean({description: 'also delete topics and topic overrides that are not in the file'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<ApplyResult> {
    const {flags} = await this.parse(TopicsApply)
    if (flags.check && flags.execute) throw usageError('--check and --execute cannot be used together', '--check only compares; --execute applies', 'BAD_FLAGS')
    const source = flags.file === '-' ? 'stdin' : flags.file
    const text = await readInputFile(flags.file, 'topics file')
    const desired = await parseApplyFile(text, source)
    const client = await this.client()
    const actual = await readActualTopics(
      client,
      desired.topics.map((t) => t.name),
    )
    const plan = planApply(desired, actual, {prune: flags.prune})
    const result: ApplyResult = {file: source, ...plan, differs: plan.actions.length > 0, executed: false}
    const paint = (t: string, s: 'green' | 'yellow' | 'red' | 'dim' | 'bold') => this.io.style(t, s)

    if (!this.io.json) this.io.out(formatPlan(plan, paint).join('\n'))
    if (flags.check) {
      if (!result.differs) return result
      if (this.io.json) this.logJson(result)
      throw new KafkitError('CLUSTER_DIFFERS', `the cluster differs from ${source}: ${plan.counts.create} to create, ${plan.counts.change} to change, ${plan.counts.delete} to delete`, {
        hint: `apply it with '${this.config.bin} topics apply -f ${flags.file} --execute'`,
        exitCode: ExitCode.DIFFERS,
      })
    }
    if (!flags.execute || !result.differs) {
      if (!flags.execute && result.differs) this.io.info(this.io.styleErr(`this is a plan; apply it with '${this.config.bin} topics apply -f ${flags.file} --execute'`, 'dim'))
      return result
    }
    const connection = await this.connection()
    if (plan.counts.delete > 0) {
      const names = plan.actions.filter((a) => a.action === 'delete').map((a) => a.topic)
      await this.confirmDestructive(`apply ${source}, deleting ${names.length} topic${names.length === 1 ? '' : 's'} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`, flags.yes, {
        name: connection.profile,
        protected: connection.protected,
      })
    } else if (!flags.yes && this.io.interactive) {
      await this.confirmDestructive(`apply ${source}: ${plan.counts.create} to create, ${plan.counts.change} to change`, false, {name: connection.profile, protected: connection.protected})
    } else if (!flags.yes && connection.protected) {
      await this.confirmDestructive(`apply ${source} to protected profile '${connection.profile}'`, false, {name: connection.profile, protected: true})
    }
    await executeApplyPlan(client, plan)
    result.executed = true
    this.io.info(`${this.io.styleErr('applied', 'green')}: ${plan.counts.create} created, ${plan.counts.change} changed, ${plan.counts.delete} deleted`)
    return result
  }
}
