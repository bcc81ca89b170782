import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {KafkitError, refusedError} from '../../errors.js'
import type {KafkaClient} from '../../kafka/client.js'
import {describeClusterInfo} from '../../kafka/cluster-info.js'
import {createTopics, describeTopic} from '../../topics/admin.js'
import {renderPairs} from '../../output/table.js'
import {resolveConnection} from '../../profiles/resolve.js'
import {planTopicClone, type TopicClonePlan} from '../../topics/clone.js'

export interface TopicClone extends TopicClonePlan {
  destProfile: string
  executed: boolean
}

export default class TopicsClone extends KafkaCommand<TopicClone> {
  static summary = "Create a topic with another topic's partitions, replication factor and configs: shows the plan; --execute creates it"
  static description = `Copies the partition count, the replication factor (lowered to the destination's broker count where needed, with a warning) and the source topic's own config overrides, on the same cluster or on --to-profile's. No records are copied: copy them with 'kafkit replay SRC DEST --from beginning --to end' afterwards. The plan is validated by the destination broker.`
  static examples = ['<%= config.bin %> topics clone orders orders-test', '<%= config.bin %> topics clone orders orders --to-profile staging --execute']
  static args = {source: Args.string({description: 'topic to copy', required: true}), dest: Args.string({description: 'new topic', required: true})}
  static flags = {
    'to-profile': Flags.string({description: "create the copy on this profile's cluster (default: the same cluster)"}),
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
      const result: TopicClone = {...plan, destProfile, executed: false}
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
        this.io.info(`the destination accepts it. Plan only, nothing changed: add --execute to create '${plan.dest}'.`)
        return result
      }
      if (destProtected) await this.confirmDestructive(`create topic '${plan.dest}'`, flags.yes, {name: destProfile, protected: true})
      await createTopics(dest, [newTopic]).catch((error) => {
        throw exists(error)
      })
      this.io.info(`created '${plan.dest}' (${plan.partitions} partitions, replication factor ${plan.replicationFactor}, ${Object.keys(plan.configs).length} config override(s))`)
      return {...result, executed: true}
    } finally {
      if (dest !== source) await dest.disconnect()
    }
  }
}
