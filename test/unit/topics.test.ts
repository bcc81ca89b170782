import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import {formatPlan, planApply, validateDesiredState, ActualTopic} from '../../src/topics/apply.js'
import {checkConfigKey, closestKey, describeConfigValue, normalizeConfigValue, parseAssignments, sameConfigValue} from '../../src/topics/configs.js'
import {planTopicDeletion} from '../../src/topics/delete.js'
import {formatHumanDuration, formatSize, parseHumanDuration, parseSize} from '../../src/topics/human.js'
import {checkNewTopicName, isInternalTopic, topicNameProblem} from '../../src/topics/names.js'
import {
  defaultReplication,
  equivalentCommand,
  validateMinInsyncAnswer,
  validateNameAnswer,
  validatePartitionsAnswer,
  validateReplicationAnswer,
  validateRetentionAnswer,
} from '../../src/topics/prompts.js'
import {buildDescription, configSourceName, filterTopics, healthLabel, summarizeTopic} from '../../src/topics/summary.js'

function thrown(fn: () => unknown): KafkitError {
  try {
    fn()
  } catch (error) {
    if (error instanceof KafkitError) return error
    throw error
  }
  throw new Error('did not throw')
}

describe('human sizes and durations', () => {
  it('parses sizes with binary and decimal units', () => {
    expect(parseSize('1048576')).toBe(1_048_576)
    expect(parseSize('512KiB')).toBe(524_288)
    expect(parseSize('1GiB')).toBe(1_073_741_824)
    expect(parseSize('1.5 MiB')).toBe(1_572_864)
    expect(parseSize('100MB')).toBe(100_000_000)
    expect(parseSize('2gib')).toBe(2 * 1024 ** 3)
    expect(thrown(() => parseSize('lots')).exitCode).toBe(2)
  })
  it('formats sizes in the shortest exact binary unit', () => {
    expect(formatSize(1_073_741_824)).toBe('1GiB')
    expect(formatSize(1_048_588)).toBe('1048588B')
    expect(formatSize(3 * 1024 * 1024)).toBe('3MiB')
  })
  it('parses durations, bare milliseconds and forever', () => {
    expect(parseHumanDuration('7d', 'retention.ms', true)).toBe(604_800_000)
    expect(parseHumanDuration('12h', 'retention.ms', true)).toBe(43_200_000)
    expect(parseHumanDuration('1h30m', 'x', false)).toBe(5_400_000)
    expect(parseHumanDuration('60000', 'x', false)).toBe(60_000)
    expect(parseHumanDuration('forever', 'retention.ms', true)).toBe(-1)
    expect(parseHumanDuration('-2', 'local.retention.ms', true)).toBe(-2)
    expect(thrown(() => parseHumanDuration('forever', 'segment.ms', false)).code).toBe('BAD_CONFIG_VALUE')
  })
  it('formats durations in days rather than weeks', () => {
    expect(formatHumanDuration(604_800_000)).toBe('7d')
    expect(formatHumanDuration(7_200_000)).toBe('2h')
    expect(formatHumanDuration(-1)).toBe('forever')
  })
})

describe('topic configs', () => {
  it('normalizes human values to what Kafka stores', () => {
    expect(normalizeConfigValue('retention.ms', '7d')).toBe('604800000')
    expect(normalizeConfigValue('retention.ms', 'forever')).toBe('-1')
    expect(normalizeConfigValue('retention.bytes', '10GiB')).toBe(String(10 * 1024 ** 3))
    expect(normalizeConfigValue('retention.bytes', 'unlimited')).toBe('-1')
    expect(normalizeConfigValue('max.message.bytes', 2097152)).toBe('2097152')
    expect(normalizeConfigValue('cleanup.policy', 'both')).toBe('compact,delete')
    expect(normalizeConfigValue('cleanup.policy', 'Delete, compact')).toBe('compact,delete')
    expect(normalizeConfigValue('compression.type', 'ZSTD')).toBe('zstd')
    expect(normalizeConfigValue('unclean.leader.election.enable', 'yes')).toBe('true')
    expect(normalizeConfigValue('min.insync.replicas', 2)).toBe('2')
    expect(normalizeConfigValue('message.timestamp.type', 'logappendtime')).toBe('LogAppendTime')
  })
  it('refuses bad values with exit 2', () => {
    for (const [k, v] of [
      ['retention.ms', 'soon'],
      ['cleanup.policy', 'archive'],
      ['compression.type', 'brotli'],
      ['min.insync.replicas', 'two'],
      ['min.cleanable.dirty.ratio', '1.5'],
      ['preallocate', 'maybe'],
    ]) {
      const err = thrown(() => normalizeConfigValue(k, v))
      expect(err.exitCode).toBe(2)
      expect(err.code).toBe('BAD_CONFIG_VALUE')
    }
  })
  it('names the closest valid key for an unknown one', () => {
    const err = thrown(() => checkConfigKey('retention.msx'))
    expect(err.exitCode).toBe(2)
    expect(err.code).toBe('UNKNOWN_CONFIG')
    expect(err.hint).toContain("'retention.ms'")
    expect(closestKey('retention_ms', ['retention.ms', 'segment.ms'])).toBe('retention.ms')
    expect(closestKey('min.isr', ['min.insync.replicas', 'retention.ms'])).toBeUndefined()
    expect(closestKey('cleanup-policy', ['cleanup.policy'])).toBe('cleanup.policy')
    expect(() => checkConfigKey('confluent.x', ['confluent.x'])).not.toThrow()
  })
  it('parses key=value assignments', () => {
    expect(parseAssignments(['a=1', 'b=x=y'])).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
    ])
    expect(thrown(() => parseAssignments(['novalue'], '--set')).message).toContain('--set')
  })
  it('compares list values regardless of order and shows human readings', () => {
    expect(sameConfigValue('cleanup.policy', 'delete,compact', 'compact,delete')).toBe(true)
    expect(sameConfigValue('retention.ms', '1', '2')).toBe(false)
    expect(describeConfigValue('retention.ms', '604800000')).toBe('604800000 (7d)')
    expect(describeConfigValue('retention.ms', '-1')).toBe('-1 (forever)')
    expect(describeConfigValue('segment.bytes', '1073741824')).toBe('1073741824 (1GiB)')
    expect(describeConfigValue('cleanup.policy', 'compact')).toBe('compact')
  })
})

describe('topic names', () => {
  it('follows Kafka rules', () => {
    expect(topicNameProblem('orders.v1_x-y')).toBeUndefined()
    expect(topicNameProblem('')).toContain('empty')
    expect(topicNameProblem('..')).toBeDefined()
    expect(topicNameProblem('a'.repeat(250))).toContain('249')
    expect(topicNameProblem('bad name!')).toMatch(/space.*'!'/)
  })
  it('detects existing names and ./_ collisions', () => {
    expect(topicNameProblem('orders', ['orders'])).toContain('already exists')
    expect(topicNameProblem('my.topic', ['my_topic'])).toContain("collides with existing topic 'my_topic'")
    expect(thrown(() => checkNewTopicName('a b')).exitCode).toBe(2)
    expect(() => checkNewTopicName('orders', ['orders'])).not.toThrow()
  })
  it('knows internal topics', () => {
    expect(isInternalTopic('__consumer_offsets')).toBe(true)
    expect(isInternalTopic('_schemas')).toBe(false)
  })
})

describe('list and describe summaries', () => {
  const parts = [
    {partition: 1, leader: 2, replicas: [2, 3, 1], isr: [2, 3]},
    {partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3]},
    {partition: 2, leader: -1, replicas: [3, 1, 2], isr: []},
  ]
  it('marks under-replicated and offline partitions', () => {
    const s = summarizeTopic('orders', parts)
    expect(s).toMatchObject({partitions: 3, replicationFactor: 3, underReplicated: 1, offline: 1, internal: false})
    expect(healthLabel(s)).toBe('1 offline, 1 under-replicated')
    expect(healthLabel({underReplicated: 0, offline: 0})).toBe('ok')
  })
  it('hides internal topics unless all, filters by regex, sorts', () => {
    const entries = ['b', '__consumer_offsets', 'a-orders'].map((n) => summarizeTopic(n, parts))
    expect(filterTopics(entries, {}).map((t) => t.name)).toEqual(['a-orders', 'b'])
    expect(filterTopics(entries, {all: true}).map((t) => t.name)).toEqual(['__consumer_offsets', 'a-orders', 'b'])
    expect(filterTopics(entries, {regex: /orders/}).map((t) => t.name)).toEqual(['a-orders'])
  })
  it('describes partitions with offsets and keeps only non-default configs', () => {
    const d = buildDescription(
      'orders',
      parts,
      [
        {partition: 0, low: 5, high: 15},
        {partition: 1, low: 0, high: 3},
      ],
      [
        {name: 'retention.ms', value: '1000', source: 'topic', sensitive: false, readOnly: false},
        {name: 'segment.ms', value: '1', source: 'default', sensitive: false, readOnly: false},
      ],
    )
    expect(d.partitionDetails.map((p) => p.partition)).toEqual([0, 1, 2])
    expect(d.partitionDetails[0]).toMatchObject({earliest: 5, latest: 15, records: 10})
    expect(d.records).toBe(13)
    expect(d.configs.map((c) => c.name)).toEqual(['retention.ms'])
    expect(configSourceName(1)).toBe('topic')
    expect(configSourceName(5)).toBe('default')
  })
})

describe('delete plan', () => {
  const existing = ['orders', 'tmp-1', 'tmp-2', '__consumer_offsets']
  it('combines names and a regex, skipping internal topics', () => {
    const plan = planTopicDeletion(['orders'], /^(tmp|__)/, existing)
    expect(plan.topics).toEqual(['orders', 'tmp-1', 'tmp-2'])
    expect(plan.skippedInternal).toEqual(['__consumer_offsets'])
    expect(plan.summary).toContain('delete 3 topics')
  })
  it('refuses internal topics, unknown names and empty matches', () => {
    expect(thrown(() => planTopicDeletion(['__consumer_offsets'], undefined, existing)).exitCode).toBe(6)
    const unknown = thrown(() => planTopicDeletion(['order'], undefined, existing))
    expect(unknown.exitCode).toBe(3)
    expect(unknown.hint).toContain("'orders'")
    expect(thrown(() => planTopicDeletion([], /^nothing/, existing)).exitCode).toBe(3)
    expect(thrown(() => planTopicDeletion([], undefined, existing)).exitCode).toBe(2)
  })
})

describe('interactive creation (pure parts)', () => {
  it('validates answers with the cluster facts', () => {
    expect(validateNameAnswer(['my_topic'])('my.topic')).toContain('collides')
    expect(validateNameAnswer([])('fine')).toBe(true)
    expect(validatePartitionsAnswer('0')).not.toBe(true)
    expect(validatePartitionsAnswer('6')).toBe(true)
    expect(validateReplicationAnswer(1)('3')).toContain('1 broker')
    expect(validateReplicationAnswer(3)('3')).toBe(true)
    expect(validateRetentionAnswer('forever')).toBe(true)
    expect(validateRetentionAnswer('7 days')).not.toBe(true)
    expect(validateMinInsyncAnswer(1)('2')).not.toBe(true)
    expect(defaultReplication({brokers: 1, defaultReplicationFactor: 3, numPartitions: 1, minInsyncReplicas: 1, retentionMs: 1, compressionType: 'producer'})).toBe(1)
  })
  it('prints the equivalent command, quoted for a shell', () => {
    expect(
      equivalentCommand({
        name: 'orders',
        partitions: 6,
        replicationFactor: 1,
        configs: [
          ['cleanup.policy', 'compact,delete'],
          ['retention.ms', '3d'],
        ],
      }),
    ).toBe('kafkit topics create orders --partitions 6 --replication-factor 1 --config cleanup.policy=compact,delete --config retention.ms=3d')
  })
})

describe('apply file and plan', () => {
  const file = {
    topics: [
      {name: 'orders', partitions: 6, replicationFactor: 1, configs: {'retention.ms': '7d', 'cleanup.policy': 'both'}},
      {name: 'payments', partitions: 3},
      {name: 'new-one', configs: {'retention.bytes': '1GiB'}},
    ],
  }
  const actual: ActualTopic[] = [
    {
      name: 'orders',
      partitions: 3,
      replicationFactor: 1,
      configs: [
        {name: 'retention.ms', value: '86400000', source: 'topic'},
        {name: 'cleanup.policy', value: 'delete,compact', source: 'topic'},
        {name: 'segment.ms', value: '3600000', source: 'topic'},
        {name: 'max.message.bytes', value: '1048588', source: 'default'},
      ],
    },
    {name: 'payments', partitions: 3, replicationFactor: 1, configs: []},
    {name: 'legacy', partitions: 1, replicationFactor: 1, configs: []},
    {name: '__consumer_offsets', partitions: 50, replicationFactor: 1, configs: []},
  ]
  it('validates the file with places and reasons', () => {
    const desired = validateDesiredState(file, 't.yaml')
    expect(desired.topics[0].configs).toEqual({'retention.ms': '604800000', 'cleanup.policy': 'compact,delete'})
    expect(thrown(() => validateDesiredState({topics: [{name: 'x', partitions: 0}]}, 't.yaml')).message).toContain('topics[0].partitions')
    expect(thrown(() => validateDesiredState({topics: [{name: 'x', replication: 1}]}, 't.yaml')).message).toContain('topics[0].replication')
    expect(thrown(() => validateDesiredState({topics: [{name: 'x', configs: {'retention.msx': 1}}]}, 't.yaml')).hint).toContain('retention.ms')
    expect(thrown(() => validateDesiredState({topics: [{name: 'x'}, {name: 'x'}]}, 't.yaml')).message).toContain('twice')
    expect(thrown(() => validateDesiredState([], 't.yaml')).exitCode).toBe(2)
  })
  it('plans creates and changes, keeps unmanaged things without --prune', () => {
    const plan = planApply(validateDesiredState(file, 't.yaml'), actual)
    expect(plan.actions).toEqual([
      {action: 'change', topic: 'orders', partitions: {from: 3, to: 6}, configs: [{name: 'retention.ms', from: '86400000', to: '604800000'}]},
      {action: 'create', topic: 'new-one', partitions: undefined, replicationFactor: undefined, configs: {'retention.bytes': '1073741824'}},
    ])
    expect(plan.unmanagedConfigs).toEqual([{topic: 'orders', name: 'segment.ms', value: '3600000'}])
    expect(plan.unmanagedTopics).toEqual(['legacy'])
    const text = formatPlan(plan).join('\n')
    expect(text).toContain('~ change orders')
    expect(text).toContain('+ create new-one')
    expect(text).toContain('Plan: 1 to create, 1 to change, 0 to delete.')
  })
  it('prunes overrides and topics with --prune, never internal topics', () => {
    const plan = planApply(validateDesiredState(file, 't.yaml'), actual, {prune: true})
    expect(plan.actions.find((a) => a.action === 'change')).toMatchObject({configs: expect.arrayContaining([{name: 'segment.ms', from: '3600000', to: null}])})
    expect(plan.actions.filter((a) => a.action === 'delete').map((a) => a.topic)).toEqual(['legacy'])
    expect(formatPlan(plan).join('\n')).toContain('- delete legacy')
  })
  it('refuses to prune with a file that lists no topics', () => {
    expect(thrown(() => planApply(validateDesiredState({topics: []}, 't.yaml'), actual, {prune: true})).code).toBe('EMPTY_PRUNE')
  })
  it('matches when the cluster is as the file says', () => {
    const plan = planApply(validateDesiredState({topics: [{name: 'payments', partitions: 3}]}, 't.yaml'), actual)
    expect(plan.actions).toEqual([])
    expect(formatPlan(plan).at(-1)).toBe('No changes: the cluster matches the file.')
  })
  it('refuses shrinking partitions and changing the replication factor', () => {
    const err = thrown(() => planApply(validateDesiredState({topics: [{name: 'orders', partitions: 1, replicationFactor: 3}]}, 't.yaml'), actual))
    expect(err.exitCode).toBe(2)
    expect(err.code).toBe('UNSUPPORTED_CHANGE')
    expect(err.message).toContain('replication factor 1 -> 3')
    expect(err.message).toContain('cannot remove partitions')
  })
})

describe('IncrementalAlterConfigs v0 request', () => {
  it('encodes resources, names, operations and null values like kafkajs encodes AlterConfigs', async () => {
    const {incrementalAlterConfigsRequest} = await import('../../src/kafka/kafkajs/protocol/admin-requests.js')
    const request = incrementalAlterConfigsRequest([
      {
        name: 't',
        changes: [
          {name: 'a', op: 'set', value: 'v'},
          {name: 'b', op: 'delete'},
        ],
      },
    ])
    expect(request).toMatchObject({apiKey: 44, apiVersion: 0, apiName: 'IncrementalAlterConfigs'})
    const encoded = (await request.encode()) as unknown as {buffer: Buffer}
    const expected = Buffer.from([
      0,
      0,
      0,
      1, // one resource
      2, // resource type TOPIC
      0,
      1,
      0x74, // 't'
      0,
      0,
      0,
      2, // two configs
      0,
      1,
      0x61,
      0,
      0,
      1,
      0x76, // 'a' SET 'v'
      0,
      1,
      0x62,
      1,
      0xff,
      0xff, // 'b' DELETE null
      0, // validate_only false
    ])
    expect(encoded.buffer.equals(expected)).toBe(true)
  })
})

describe("broker errors in the user's words", () => {
  it('says the broker count for a too-large replication factor (Kafka 4 and 3 wordings)', async () => {
    const {topicErrorToKafkit} = await import('../../src/topics/admin.js')
    const {BrokerResourceError} = await import('../../src/kafka/kafkajs/protocol/admin-requests.js')
    const k4 = topicErrorToKafkit(
      new BrokerResourceError(
        't',
        'INVALID_REPLICATION_FACTOR',
        38,
        'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered',
      ),
    )
    expect(k4.exitCode).toBe(2)
    expect(k4.message).toBe("replication factor 3 is larger than the cluster's 1 broker")
    expect(k4.hint).toContain('--replication-factor 1')
    const k3 = topicErrorToKafkit(new BrokerResourceError('t', 'INVALID_REPLICATION_FACTOR', 38, 'Replication factor: 5 larger than available brokers: 3.'))
    expect(k3.message).toBe("replication factor 5 is larger than the cluster's 3 brokers")
  })
  it('maps exists, unknown config and bad values', async () => {
    const {topicErrorToKafkit} = await import('../../src/topics/admin.js')
    const {BrokerResourceError} = await import('../../src/kafka/kafkajs/protocol/admin-requests.js')
    const exists = topicErrorToKafkit(new BrokerResourceError('t', 'TOPIC_ALREADY_EXISTS', 36, "Topic 't' already exists."))
    expect([exists.exitCode, exists.code]).toEqual([1, 'TOPIC_EXISTS'])
    expect(exists.hint).toContain('--if-not-exists')
    const unknown = topicErrorToKafkit(new BrokerResourceError('t', 'INVALID_CONFIG', 40, 'Unknown topic config name: retention.msx'))
    expect([unknown.exitCode, unknown.hint]).toEqual([2, "did you mean 'retention.ms'?"])
    const value = topicErrorToKafkit(new BrokerResourceError('t', 'INVALID_CONFIG', 40, 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'))
    expect(value.exitCode).toBe(2)
    expect(value.message).toContain('min.insync.replicas')
  })
})
