import {Args} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {describeTopic} from '../../topics/admin.js'
import {renderPairs, renderTable} from '../../output/table.js'
import {describeConfigValue} from '../../topics/configs.js'
import {healthLabel, TopicDescription} from '../../topics/summary.js'

export default class TopicsDescribe extends KafkaCommand<TopicDescription> {
  static summary = 'Show partitions (leader, replicas, ISR, offsets, records) and non-default configs of a topic'
  static description = `Configs are those that differ from Kafka's built-in defaults, with where each value comes from: topic (an override on the topic), broker / cluster-default (dynamic broker configs), static-broker (server.properties).

Piped, the output is tab-separated with a header line, one row per partition:
TOPIC PARTITION LEADER REPLICAS ISR EARLIEST LATEST RECORDS
(LEADER is none without a leader; REPLICAS and ISR are comma-separated broker ids). The configs are in --json, field .configs.`
  static examples = ['<%= config.bin %> topics describe orders', '<%= config.bin %> topics describe orders --json']
  static args = {topic: Args.string({description: 'topic name', required: true})}

  async run(): Promise<TopicDescription> {
    const {args} = await this.parse(TopicsDescribe)
    const description = await describeTopic(await this.client(), args.topic)
    this.render(description, renderDescription)
    return description
  }
}

const TSV_HEADER = ['TOPIC', 'PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'EARLIEST', 'LATEST', 'RECORDS']

function renderDescription(d: TopicDescription, io: import('../../output/io.js').IOStreams): void {
  if (!io.stdoutIsTTY) {
    const lines = [
      TSV_HEADER.join('\t'),
      ...d.partitionDetails.map((p) => [d.name, p.partition, p.leader < 0 ? 'none' : p.leader, p.replicas.join(','), p.isr.join(','), p.earliest, p.latest, p.records].join('\t')),
    ]
    io.stdout.write(lines.join('\n') + '\n')
    return
  }
  const health = healthLabel(d)
  renderPairs(io, [
    ['topic', d.name + (d.internal ? ' (internal)' : '')],
    ['partitions', d.partitions],
    ['replication factor', d.replicationFactor],
    ['records', d.records],
    ['status', io.stdoutIsTTY && health !== 'ok' ? io.style(health, d.offline ? 'red' : 'yellow') : health],
  ])
  io.out('')
  renderTable(
    io,
    [
      {header: 'PARTITION', get: (p) => p.partition, align: 'right'},
      {header: 'LEADER', get: (p) => (p.leader < 0 ? 'none' : p.leader), align: 'right'},
      {header: 'REPLICAS', get: (p) => p.replicas.join(',')},
      {header: 'ISR', get: (p) => (p.underReplicated && io.stdoutIsTTY ? io.style(p.isr.join(','), 'yellow') : p.isr.join(','))},
      {header: 'EARLIEST', get: (p) => p.earliest, align: 'right'},
      {header: 'LATEST', get: (p) => p.latest, align: 'right'},
      {header: 'RECORDS', get: (p) => p.records, align: 'right'},
    ],
    d.partitionDetails,
  )
  io.out('')
  if (d.configs.length === 0) {
    io.out(io.style('configs: all Kafka defaults', 'dim'))
    return
  }
  renderTable(
    io,
    [
      {header: 'CONFIG', get: (c) => c.name},
      {header: 'VALUE', get: (c) => (c.sensitive ? '[hidden]' : describeConfigValue(c.name, c.value))},
      {header: 'SOURCE', get: (c) => c.source},
    ],
    d.configs,
  )
}
