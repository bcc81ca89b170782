import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {ExitCode, KafkitError, usageError} from '../../errors.js'
import {countOf} from '../../output/numbers.js'
import type {ElectionPlan} from '../../topics/elect.js'
import {renderElectionPlan, renderElectionResults} from '../../topics/reassign-render.js'
import {type ElectionResult, prepareElection, runElection} from '../../topics/reassign-run.js'
import {parsePartitionList} from '../../topics/truncate.js'

export interface ElectLeadersResult extends ElectionPlan {
  executed: boolean
  results: ElectionResult[]
}

export default class TopicsElectLeaders extends KafkaCommand<ElectLeadersResult> {
  static summary = 'Elect partition leaders: the preferred replica (default) or, with --unclean, any live one; --execute applies'
  static description = `--preferred (the default) moves leadership back to each partition's first replica where another replica leads (after a broker restart, a reassignment, or 'topics reassign --leaders-only'); a partition whose preferred replica is down or out of the ISR is skipped. --unclean elects a leader for partitions that have none, from replicas outside the ISR: records the last leader acknowledged may be lost. Without topics, every partition of the cluster. The plan first; --execute elects (on a protected profile with --yes). Replaces kafka-leader-election.sh.`
  static examples = [
    '<%= config.bin %> topics elect-leaders',
    '<%= config.bin %> topics elect-leaders orders --execute',
    '<%= config.bin %> topics elect-leaders orders --partitions 0,2 --execute',
    '<%= config.bin %> topics elect-leaders orders --unclean --execute --yes',
  ]
  static args = {topics: Args.string({description: 'topics (default: every topic)'})}
  static strict = false
  static flags = {
    preferred: Flags.boolean({description: 'elect the preferred (first) replica where it is in the ISR (the default)', exclusive: ['unclean']}),
    unclean: Flags.boolean({description: 'elect any live replica for partitions without a leader (may lose acknowledged records)', exclusive: ['preferred']}),
    partitions: Flags.string({description: 'only these partitions of the one topic named: 0,1,2'}),
    execute: Flags.boolean({description: 'run the elections (otherwise the plan is only shown)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles, and for --unclean)'}),
  }

  async run(): Promise<ElectLeadersResult> {
    const {argv, flags} = await this.parse(TopicsElectLeaders)
    const topics = argv as string[]
    const type = flags.unclean ? 'unclean' : 'preferred'
    const partitions = flags.partitions === undefined ? undefined : parsePartitionList(flags.partitions)
    if (partitions && topics.length !== 1) throw usageError('--partitions needs exactly one topic', 'e.g. kafkit topics elect-leaders orders --partitions 0,1')
    const client = await this.client()
    const plan = await prepareElection(client, type, topics.length > 0 ? topics : undefined, partitions)
    const result: ElectLeadersResult = {...plan, executed: false, results: []}
    // With --execute the outcome is the table (one table on stdout).
    if (!this.io.json && !flags.execute) renderElectionPlan(plan, this.io)
    const where = plan.topics.length === 1 ? `'${plan.topics[0]}'` : topics.length === 0 ? 'the cluster' : countOf(plan.topics.length, 'topic')
    if (plan.rows.length === 0) {
      this.io.info(type === 'preferred' ? `nothing to elect: every partition of ${where} is led by its preferred replica` : `nothing to elect: every partition of ${where} has a leader`)
      return result
    }
    const summary = `${type === 'unclean' ? 'unclean-elect' : 'elect the preferred leader of'} ${countOf(plan.eligible, 'partition')} of ${where}`
    if (plan.eligible === 0) {
      this.io.info(`no partition can be elected now (${countOf(plan.rows.length, 'partition')} skipped)`)
      return result
    }
    if (!flags.execute) {
      this.io.info(`${summary}. Plan only, nothing changed: add --execute to elect.`)
      return result
    }
    const connection = await this.connection()
    // An unclean election may lose acknowledged records: confirmed on any profile.
    if (connection.protected || type === 'unclean') await this.confirmDestructive(summary, flags.yes)
    result.results = await runElection(
      client,
      type,
      plan.rows.filter((r) => r.eligible),
    )
    result.executed = true
    this.render(result, (r, io) => renderElectionResults(r.results, io))
    const failed = result.results.filter((r) => r.outcome !== 'elected' && r.outcome !== 'not-needed')
    const elected = result.results.filter((r) => r.outcome === 'elected').length
    this.io.info(`elected ${countOf(elected, 'leader')}${failed.length > 0 ? `; ${failed.length} failed` : ''}`)
    if (failed.length > 0) {
      const f = failed[0]
      throw new KafkitError('ELECTION_FAILED', `${countOf(failed.length, 'election')} failed (${f.topic}-${f.partition}: ${f.message ?? f.outcome})`, {
        hint: 'a preferred replica must be live and in the ISR; `kafkit topics describe TOPIC` shows them',
        exitCode: ExitCode.INCOMPLETE,
        details: {failed},
      })
    }
    return result
  }
}
