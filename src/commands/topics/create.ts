import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {ExitCode, KafkitError, usageError} from '../../errors.js'
import {clusterTopicDefaults, CreatedTopic, createTopics, listTopics, normalizeTopicConfigs} from '../../topics/admin.js'
import {parseAssignments} from '../../topics/configs.js'
import {checkNewTopicName, periodUnderscoreWarning} from '../../topics/names.js'
import {askCreateTopic, CreatePlan} from '../../topics/prompts.js'

export default class TopicsCreate extends KafkaCommand<CreatedTopic> {
  static summary = 'Create a topic (asks for what is missing on a terminal)'
  static description = `Durations and sizes in --config take units: retention.ms=7d, retention.ms=forever, retention.bytes=10GiB, segment.bytes=512MiB.
On a terminal, a missing name or --partitions starts the interactive flow: name, partitions, replication factor, cleanup policy, retention, min.insync.replicas, compression, then a summary with the same command without prompts. Without a terminal every value comes from flags, and a missing one is a usage error (exit 2).`
  static examples = [
    '<%= config.bin %> topics create orders --partitions 6 --replication-factor 3',
    '<%= config.bin %> topics create orders --partitions 6 --config retention.ms=7d --config cleanup.policy=compact',
    '<%= config.bin %> topics create orders --partitions 6 --if-not-exists',
    '<%= config.bin %> topics create   # interactive, on a terminal',
  ]
  static args = {topic: Args.string({description: 'topic name'})}
  static flags = {
    partitions: Flags.integer({description: 'number of partitions', min: 1}),
    'replication-factor': Flags.integer({char: 'r', description: "copies of each partition (default: the broker's default.replication.factor)", min: 1}),
    config: Flags.string({char: 'c', description: 'topic config key=value (repeatable); units allowed: 7d, 512MiB, forever', multiple: true}),
    'if-not-exists': Flags.boolean({description: 'succeed without changes when the topic already exists'}),
    'dry-run': Flags.boolean({description: 'ask the broker to validate only; nothing is created'}),
  }

  async run(): Promise<CreatedTopic> {
    const {args, flags} = await this.parse(TopicsCreate)
    const configs = parseAssignments(flags.config ?? [])
    // Catch a bad key or value before any prompt or network round trip.
    normalizeTopicConfigs(configs)
    let plan: Partial<CreatePlan> & {configs: [string, string][]} = {
      name: args.topic,
      partitions: flags.partitions,
      replicationFactor: flags['replication-factor'],
      configs,
    }
    if (plan.name !== undefined) {
      checkNewTopicName(plan.name)
      const warning = periodUnderscoreWarning(plan.name)
      if (warning) this.io.warn(warning)
    }
    if (plan.name === undefined || plan.partitions === undefined) {
      if (!this.io.interactive) {
        const missing = plan.name === undefined ? 'a topic name' : '--partitions'
        throw usageError(`missing ${missing}`, `e.g. '${this.config.bin} topics create orders --partitions 3' (prompts are shown only on a terminal)`, 'MISSING_VALUE')
      }
      const client = await this.client()
      const [defaults, existing] = await Promise.all([clusterTopicDefaults(client), listTopics(client)])
      // Do not ask questions about a topic that cannot be created.
      if (plan.name !== undefined && existing.some((t) => t.name === plan.name) && !flags['if-not-exists']) {
        throw new KafkitError('TOPIC_EXISTS', `topic '${plan.name}' already exists`, {
          hint: 'add --if-not-exists to succeed when it does, or change it with `kafkit topics alter`',
          exitCode: ExitCode.FAILED,
        })
      }
      plan = await askCreateTopic(
        plan,
        defaults,
        existing.map((t) => t.name),
        this.io,
        this.config.bin,
      )
    }
    const [created] = await createTopics(await this.client(), [{name: plan.name!, partitions: plan.partitions, replicationFactor: plan.replicationFactor, configs: plan.configs}], {
      ifNotExists: flags['if-not-exists'],
      validateOnly: flags['dry-run'],
    })
    this.render(created, (t, io) => {
      const what = `${t.partitions} partition${t.partitions === 1 ? '' : 's'}, replication factor ${t.replicationFactor}`
      if (flags['dry-run']) io.info(`valid: topic '${t.name}' can be created (${what}); nothing was created`)
      else if (t.created) io.info(`${io.styleErr('created', 'green')} topic '${t.name}' (${what})`)
      else io.info(`topic '${t.name}' already exists; nothing changed`)
    })
    return created
  }
}
