import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {ExitCode, KafkitError, refusedError} from '../../errors.js'
import type {KafkaClient} from '../../kafka/client.js'
import {describeClusterInfo} from '../../kafka/cluster-info.js'
import {alterTopicConfigs, createTopics, describeTopic} from '../../topics/admin.js'
import {renderPairs} from '../../output/table.js'
import {resolveConnection} from '../../profiles/resolve.js'
import {planTopicClone, splitCloneConfigs, type TopicClonePlan} from '../../topics/clone.js'
import {countOf, formatBytes, formatCount, formatElapsed} from '../../output/numbers.js'
import {parseWindowSpecs} from '../../replay/plan.js'
import {runReplay} from '../../replay/replay.js'

export interface TopicClone extends TopicClonePlan {
  destProfile: string
  executed: boolean
  /**
   * With --data: the records of SRC (latest - earliest offsets; an upper bound), what was copied, and the configs
   * set only once the records were in (they could refuse or restamp them: compaction, min.insync.replicas, ...).
   */
  data: {records: number; copied: number; bytes: number; durationMs: number; complete: boolean; checkpoint: string | null; configsAfterCopy: string[]} | null
}

export default class TopicsClone extends KafkaCommand<TopicClone> {
  static summary = "Create a topic with another topic's partitions, replication factor and configs (--data: and records): shows the plan; --execute creates it"
  static description = `Copies the partition count, the replication factor (lowered to the destination's broker count where needed, with a warning) and the source topic's own config overrides, on the same cluster or on --to-profile's. The plan is validated by the destination broker.

Records are copied only with --data: once DEST exists, every committed record of SRC is copied as 'kafkit replay SRC DEST --from beginning --to end' copies it (same partition, key, value, headers and timestamp, in order; resumable after Ctrl-C with that replay command and --resume). The configs that could refuse or restamp the copied records (cleanup.policy, min.insync.replicas, message.timestamp.*) are set on DEST once the records are in.`
  static examples = [
    '<%= config.bin %> topics clone orders orders-test',
    '<%= config.bin %> topics clone orders orders-test --data --execute',
    '<%= config.bin %> topics clone orders orders --to-profile staging --execute',
  ]
  static args = {source: Args.string({description: 'topic to copy', required: true}), dest: Args.string({description: 'new topic', required: true})}
  static flags = {
    'to-profile': Flags.string({description: "create the copy on this profile's cluster (default: the same cluster)"}),
    data: Flags.boolean({description: "also copy SRC's records into DEST (as replay --from beginning --to end)"}),
    execute: Flags.boolean({description: 'create the topic (otherwise the plan is only validated)'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  async run(): Promise<TopicClone> {
    const {args, flags} = await this.parse(TopicsClone)
    const source = await this.client()
    const sourceConnection = await this.connection()
    let dest: KafkaClient = source
    let destProfile = sourceConnection.profile
    let destProtected = sourceConnection.protected
    if (flags['to-profile'] !== undefined) {
      // The KAFKIT_* environment describes the main (source) connection, not the destination.
      const connection = await resolveConnection({profile: flags['to-profile']}, process.env, {envOverrides: false})
      for (const warning of connection.warnings ?? []) this.io.warn(warning)
      const [{createClient}, {resolveCredentials}] = await Promise.all([import('../../kafka/client.js'), import('../../profiles/credentials.js')])
      dest = await createClient(await resolveCredentials(connection, {timeoutMs: this.timeoutMs}), {timeoutMs: this.timeoutMs, debugLog: this.io.debug ? (line) => this.io.debugLog(line) : undefined})
      destProfile = connection.profile
      destProtected = connection.protected
    }
    try {
      if (dest === source && args.source === args.dest) throw refusedError(`source and destination are the same topic '${args.source}'`, 'name a new topic, or give --to-profile', 'SAME_TOPIC')
      const [description, destInfo] = await Promise.all([describeTopic(source, args.source), describeClusterInfo(dest)])
      const plan = planTopicClone(description, args.dest, destInfo.brokers.length)
      const result: TopicClone = {...plan, destProfile, executed: false, data: null}
      const split = splitCloneConfigs(plan.configs)
      if (flags.data) result.data = {records: description.records, copied: 0, bytes: 0, durationMs: 0, complete: false, checkpoint: null, configsAfterCopy: Object.keys(split.after)}
      if (!this.io.json) for (const w of plan.warnings) this.io.warn(w)
      this.render(result, (r, io) =>
        renderPairs(io, [
          ['topic', `${r.dest} (profile ${r.destProfile})`],
          ['partitions', r.partitions],
          ['replication factor', r.replicationFactor],
          ...Object.entries(r.configs).map(([k, v]): [string, string] => [k, v]),
        ]),
      )
      const exists = (error: unknown) => {
        if (error instanceof KafkitError && error.code === 'TOPIC_EXISTS')
          return refusedError(`topic '${plan.dest}' already exists on profile '${destProfile}'`, 'pick a new name, or delete it first', 'TOPIC_EXISTS')
        return error
      }
      const newTopic = {name: plan.dest, partitions: plan.partitions, replicationFactor: plan.replicationFactor, configs: Object.entries(plan.configs)}
      if (!flags.execute) {
        await createTopics(dest, [newTopic], {validateOnly: true}).catch((error) => {
          throw exists(error)
        })
        this.io.info(
          `the destination accepts it. Plan only, nothing changed: add --execute to create '${plan.dest}'${flags.data ? ` and copy ${description.records === 0 ? 'the records' : `up to ${countOf(description.records, 'record')}`} of '${plan.source}'` : ''}.`,
        )
        return result
      }
      if (destProtected) await this.confirmDestructive(`create topic '${plan.dest}'`, flags.yes, {name: destProfile, protected: true})
      // With --data, the configs that could refuse or restamp the copied records are set after the copy.
      await createTopics(dest, [flags.data ? {...newTopic, configs: Object.entries(split.create)} : newTopic]).catch((error) => {
        throw exists(error)
      })
      this.io.info(`created '${plan.dest}' (${plan.partitions} partitions, replication factor ${plan.replicationFactor}, ${Object.keys(plan.configs).length} config override(s))`)
      result.executed = true
      if (flags.data) {
        const after = Object.entries(split.after)
        const later = `kafkit topics alter ${plan.dest}${after.map(([k, v]) => ` --set ${k}=${v}`).join('')}${destProfile !== sourceConnection.profile ? ` -p ${destProfile}` : ''}`
        try {
          result.data = {...(await this.copyRecords(source, dest, plan, sourceConnection.profile, destProfile)), configsAfterCopy: after.map(([k]) => k)}
        } catch (error) {
          if (after.length > 0) this.io.warn(`'${plan.dest}' does not have all of '${plan.source}'s configs yet; once its records are copied: ${later}`)
          throw error
        }
        if (after.length > 0) {
          await alterTopicConfigs(dest, plan.dest, {set: after, delete: []})
          this.io.info(`set ${after.map(([k, v]) => `${k}=${v}`).join(', ')} on '${plan.dest}' now that its records are in`)
        }
      }
      return result
    } finally {
      if (dest !== source) await dest.disconnect()
    }
  }

  /** --data: replay's copy of the whole of SRC into the new DEST (Ctrl-C stops it; replay --resume continues). */
  private async copyRecords(
    source: KafkaClient,
    dest: KafkaClient,
    plan: TopicClonePlan,
    sourceProfile: string,
    destProfile: string,
  ): Promise<Omit<NonNullable<TopicClone['data']>, 'configsAfterCopy'>> {
    const aborter = new AbortController()
    const onSignal = () => {
      if (aborter.signal.aborted) process.exit(ExitCode.INTERRUPTED)
      aborter.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const tty = this.io.stderrIsTTY && !this.io.json
    let shown = false
    try {
      const summary = await runReplay(
        {client: source, profile: sourceProfile},
        {client: dest, profile: destProfile},
        {
          sourceTopic: plan.source,
          destinationTopic: plan.dest,
          from: 'beginning',
          to: 'end',
          specs: parseWindowSpecs('beginning', 'end'),
          keepPartition: true,
          newTimestamps: false,
          headerAdd: [],
          compression: 'none',
          dryRun: false,
          resume: false,
          // DEST was just created: a checkpoint of an older copy into that name is stale.
          restart: true,
          allowSameTopic: false,
          requestTimeoutMs: Math.max(this.timeoutMs, 30_000),
        },
        {
          info: (line) => this.io.info(shown ? `\r\u001B[K${line}` : line),
          warn: (line) => {
            if (shown) this.io.stderr.write('\r\u001B[K')
            this.io.warn(line)
          },
          progress: tty
            ? (p) => {
                shown = true
                this.io.stderr.write(
                  `\r\u001B[Kcopying records: ${formatCount(p.copied)} (${p.offsetsTotal > 0 ? Math.floor((100 * Math.min(p.offsetsDone, p.offsetsTotal)) / p.offsetsTotal) : 100}%)`,
                )
              }
            : undefined,
          signal: aborter.signal,
        },
      )
      if (shown) this.io.stderr.write('\r\u001B[K')
      const data = {records: summary.window.offsets, copied: summary.records, bytes: summary.bytes, durationMs: summary.durationMs, complete: summary.complete, checkpoint: summary.checkpoint}
      if (summary.interrupted) {
        throw new KafkitError('INTERRUPTED', `interrupted: ${countOf(summary.records, 'record')} of '${plan.source}' copied into '${plan.dest}', checkpoint saved`, {
          hint: `continue with: kafkit replay ${plan.source} ${plan.dest} --from beginning --to end --resume${destProfile !== sourceProfile ? ` --to-profile ${destProfile}` : ''}`,
          exitCode: ExitCode.INTERRUPTED,
          details: {copied: summary.records},
        })
      }
      this.io.info(`copied ${countOf(summary.records, 'record')} (${formatBytes(summary.bytes)}) of '${plan.source}' into '${plan.dest}' in ${formatElapsed(summary.durationMs)}`)
      return data
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
