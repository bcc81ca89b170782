import {describe, expect, it} from 'vitest'

import {currentValues, parseEntity, parseQuotaAssignments, planQuotaRemove, planQuotaSet, planToAlter} from '../../src/admin/quotas.js'
import {alterClientQuotasRequest, alterClientQuotasResponse, describeClientQuotasRequest, describeClientQuotasResponse} from '../../src/kafka/kafkajs/protocol/client-quotas.js'

const bytes = async (r: {encode: () => Promise<unknown>}) => ((await r.encode()) as {buffer: Buffer}).buffer
const double = (v: number) => {
  const b = Buffer.alloc(8)
  b.writeDoubleBE(v)
  return [...b]
}

describe('DescribeClientQuotas v0', () => {
  it('encodes exact, default and any components and strict', async () => {
    const request = describeClientQuotasRequest(
      [
        {type: 'user', match: 'exact', name: 'al'},
        {type: 'client-id', match: 'default'},
        {type: 'ip', match: 'any'},
      ],
      true,
    )
    expect(request).toMatchObject({apiKey: 48, apiVersion: 0})
    expect(
      (await bytes(request)).equals(
        Buffer.from([0, 0, 0, 3, 0, 4, ...Buffer.from('user'), 0, 0, 2, ...Buffer.from('al'), 0, 9, ...Buffer.from('client-id'), 1, 0xff, 0xff, 0, 2, ...Buffer.from('ip'), 2, 0xff, 0xff, 1]),
      ),
    ).toBe(true)
  })

  it('decodes entries with default (null) entity names and FLOAT64 values', async () => {
    const raw = Buffer.from([
      0,
      0,
      0,
      0, // throttle
      0,
      0,
      0xff,
      0xff, // no error, null message
      0,
      0,
      0,
      1, // one entry
      0,
      0,
      0,
      2,
      0,
      4,
      ...Buffer.from('user'),
      0,
      1,
      ...Buffer.from('a'),
      0,
      9,
      ...Buffer.from('client-id'),
      0xff,
      0xff,
      0,
      0,
      0,
      1,
      0,
      18,
      ...Buffer.from('producer_byte_rate'),
      ...double(1048576),
    ])
    const decoded = await describeClientQuotasResponse().decode(raw)
    expect(decoded).toEqual({
      errorCode: 0,
      errorMessage: null,
      entries: [
        {
          entity: [
            {type: 'user', name: 'a'},
            {type: 'client-id', name: null},
          ],
          values: {producer_byte_rate: 1048576},
        },
      ],
    })
  })
})

describe('AlterClientQuotas v0', () => {
  it('encodes set and remove ops', async () => {
    const request = alterClientQuotasRequest(
      [
        {
          entity: [{type: 'user', name: 'a'}],
          ops: [
            {key: 'k', value: 2.5},
            {key: 'r', remove: true},
          ],
        },
      ],
      true,
    )
    expect(request).toMatchObject({apiKey: 49, apiVersion: 0})
    expect(
      (await bytes(request)).equals(
        Buffer.from([
          0,
          0,
          0,
          1,
          0,
          0,
          0,
          1,
          0,
          4,
          ...Buffer.from('user'),
          0,
          1,
          ...Buffer.from('a'),
          0,
          0,
          0,
          2,
          0,
          1,
          ...Buffer.from('k'),
          ...double(2.5),
          0,
          0,
          1,
          ...Buffer.from('r'),
          ...double(0),
          1,
          1,
        ]),
      ),
    ).toBe(true)
  })

  it('decodes per-entity errors', async () => {
    const raw = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 0, 42, 0, 3, ...Buffer.from('bad'), 0, 0, 0, 1, 0, 2, ...Buffer.from('ip'), 0, 1, ...Buffer.from('x')])
    expect(await alterClientQuotasResponse().decode(raw)).toEqual([{errorCode: 42, errorMessage: 'bad', entity: [{type: 'ip', name: 'x'}]}])
  })
})

describe('quota plans', () => {
  it('parses entities and refuses an IP combined with a user', () => {
    expect(parseEntity({user: 'alice', 'default-client-id': true}, {required: true})).toEqual([
      {type: 'user', name: 'alice'},
      {type: 'client-id', name: null},
    ])
    expect(() => parseEntity({user: 'a', ip: '1.2.3.4'}, {required: true})).toThrow(/IP quota cannot be combined/)
    expect(() => parseEntity({}, {required: true})).toThrow(/name the entity/)
  })

  it('parses values with units and names the closest key', () => {
    const user = [{type: 'user' as const, name: 'a'}]
    expect(parseQuotaAssignments(['producer_byte_rate=1MiB', 'request_percentage=200'], user)).toEqual({producer_byte_rate: 1048576, request_percentage: 200})
    let hint: string | undefined
    try {
      parseQuotaAssignments(['producer-byte-rate=1'], user)
    } catch (error) {
      hint = (error as {hint?: string}).hint
    }
    expect(hint).toMatch(/did you mean 'producer_byte_rate'/)
    expect(() => parseQuotaAssignments(['request_percentage=5MiB'], user)).toThrow(/not a number/)
    expect(() => parseQuotaAssignments(['consumer_byte_rate=0'], user)).toThrow(/greater than 0/)
    expect(() => parseQuotaAssignments(['producer_byte_rate=1'], [{type: 'ip', name: '1.2.3.4'}])).toThrow(/not a quota of an IP/)
  })

  it('plans only real changes, and removes every key when none is named', () => {
    const entity = [{type: 'user' as const, name: 'a'}]
    const current = currentValues(
      [
        {entity: [{type: 'user', name: 'b'}], values: {x: 1}},
        {entity, values: {producer_byte_rate: 10, consumer_byte_rate: 20}},
      ],
      entity,
    )
    const set = planQuotaSet(entity, current, {producer_byte_rate: 10, consumer_byte_rate: 30})
    expect(set.changes).toEqual([{key: 'consumer_byte_rate', before: 20, after: 30}])
    expect(set.unchanged).toEqual(['producer_byte_rate'])
    const remove = planQuotaRemove(entity, current, [])
    expect(planToAlter(remove)).toEqual([
      {
        entity,
        ops: [
          {key: 'producer_byte_rate', remove: true},
          {key: 'consumer_byte_rate', remove: true},
        ],
      },
    ])
    expect(planQuotaRemove(entity, current, ['request_percentage']).unchanged).toEqual(['request_percentage'])
  })
})

describe('truncate plans', async () => {
  const {parsePartitionList, parseTruncatePoint, planTruncate} = await import('../../src/topics/truncate.js')
  const marks = [
    {partition: 0, low: 100, high: 1000},
    {partition: 1, low: 0, high: 50},
    {partition: 2, low: 0, high: 0},
  ]

  it('counts the records that go per partition, clamped to each log', () => {
    const plan = planTruncate('t', marks, {kind: 'offset', offset: 500}, undefined)
    expect(plan.rows).toEqual([
      {partition: 0, low: 100, high: 1000, before: 500, deleted: 400},
      {partition: 1, low: 0, high: 50, before: 50, deleted: 50, clamped: 'high'},
      {partition: 2, low: 0, high: 0, before: 0, deleted: 0, clamped: 'high'},
    ])
    expect(plan.deleted).toBe(450)
    expect(planTruncate('t', marks, {kind: 'offset', offset: 10}, [0]).rows).toEqual([{partition: 0, low: 100, high: 1000, before: 100, deleted: 0, clamped: 'low'}])
  })

  it("uses each partition's offset at the time, the end where no record is that recent", () => {
    const plan = planTruncate(
      't',
      marks,
      {kind: 'time', timestamp: 1},
      [0, 1],
      new Map([
        [0, 700],
        [1, -1],
      ]),
    )
    expect(plan.rows.map((r) => r.before)).toEqual([700, 50])
    expect(() => planTruncate('t', marks, {kind: 'offset', offset: 1}, [5])).toThrow(/no partition 5/)
  })

  it('parses offsets, times and partition lists', () => {
    expect(parseTruncatePoint('1200')).toEqual({kind: 'offset', offset: 1200})
    expect(parseTruncatePoint('@2026-11-24T09:00:00Z')).toEqual({kind: 'time', timestamp: Date.parse('2026-11-24T09:00:00Z')})
    expect(parseTruncatePoint('@-2h', 10_000_000)).toEqual({kind: 'time', timestamp: 10_000_000 - 7_200_000})
    expect(() => parseTruncatePoint('-5')).toThrow(/not an offset/)
    expect(parsePartitionList('2, 0,2')).toEqual([0, 2])
    expect(() => parsePartitionList('0,a')).toThrow(/not a list/)
  })
})

describe('broker config plans', async () => {
  const {parseBrokerTarget, planBrokerConfigSet, planBrokerConfigUnset, selectConfigs} = await import('../../src/brokers/configs.js')
  const entry = (name: string, value: string, source: string, synonyms: [string, string][], readOnly = false) => ({
    name,
    value,
    source,
    sensitive: false,
    readOnly,
    synonyms: synonyms.map(([s, v]) => ({source: s, value: v})),
  })
  const entries = [
    entry('a.ms', '3', 'broker', [
      ['broker', '3'],
      ['cluster-default', '2'],
      ['default', '1'],
    ]),
    entry('b.ms', '2', 'cluster-default', [
      ['cluster-default', '2'],
      ['static-broker', '5'],
      ['default', '1'],
    ]),
    entry('c.ms', '1', 'default', [['default', '1']]),
    entry('process.roles', 'broker', 'static-broker', [['static-broker', 'broker']], true),
  ]

  it('targets a broker or the cluster-wide default', () => {
    expect(parseBrokerTarget(undefined, [1, 2])).toBe('')
    expect(parseBrokerTarget('2', [1, 2])).toBe('2')
    expect(() => parseBrokerTarget('3', [1, 2])).toThrow(/no broker 3/)
    expect(() => parseBrokerTarget('x', [1])).toThrow(/not a broker id/)
  })

  it('shows non-default values, or the named keys', () => {
    expect(selectConfigs(entries, [], false).map((e) => e.name)).toEqual(['a.ms', 'b.ms', 'process.roles'])
    expect(() => selectConfigs(entries, ['c.mss'], false)).toThrow(/unknown broker config 'c.mss'/)
  })

  it('plans sets, refusing read-only keys', () => {
    expect(planBrokerConfigSet(entries, '', [['c.ms', '9']])).toEqual([{name: 'c.ms', before: '1', beforeSource: 'default', after: '9', afterSource: 'cluster-default'}])
    expect(() => planBrokerConfigSet(entries, '1', [['process.roles', 'x']])).toThrow(/read-only/)
  })

  it('plans unsets with the value that applies afterwards', () => {
    expect(planBrokerConfigUnset(entries, '1', ['a.ms', 'b.ms'])).toEqual({
      changes: [{name: 'a.ms', before: '3', beforeSource: 'broker', after: '2', afterSource: 'cluster-default'}],
      notSet: ['b.ms'],
    })
    expect(planBrokerConfigUnset(entries, '', ['b.ms']).changes).toEqual([{name: 'b.ms', before: '2', beforeSource: 'cluster-default', after: '5', afterSource: 'static-broker'}])
    // The broker's own value still wins after the cluster default goes.
    expect(planBrokerConfigUnset(entries, '', ['a.ms']).changes).toEqual([{name: 'a.ms', before: '2', beforeSource: 'cluster-default', after: '3', afterSource: 'broker'}])
  })
})

describe('topic clone plans', async () => {
  const {planTopicClone} = await import('../../src/topics/clone.js')
  const cfg = (name: string, value: string | null, source: string, sensitive = false) => ({name, value, source, sensitive, readOnly: false}) as never
  const source = {
    name: 'o',
    internal: false,
    partitions: 6,
    replicationFactor: 3,
    underReplicated: 0,
    offline: 0,
    records: 0,
    partitionDetails: [],
    configs: [cfg('retention.ms', '1000', 'topic'), cfg('log.retention.hours', '1', 'static-broker'), cfg('secret', null, 'topic', true)],
  }

  it("copies partitions and the topic's own configs, lowering the replication factor to the destination's brokers", () => {
    expect(planTopicClone(source, 'p', 1)).toEqual({
      source: 'o',
      dest: 'p',
      partitions: 6,
      replicationFactor: 1,
      configs: {'retention.ms': '1000'},
      warnings: ['replication factor 3 lowered to 1: the destination has 1 broker(s)', "config 'secret' is sensitive and not copied"],
    })
    expect(planTopicClone(source, 'p', 5).replicationFactor).toBe(3)
  })

  it('lowers min.insync.replicas with the replication factor, and sets what could refuse copied records last', async () => {
    const {splitCloneConfigs} = await import('../../src/topics/clone.js')
    const strict = {...source, configs: [cfg('min.insync.replicas', '2', 'topic'), cfg('cleanup.policy', 'compact', 'topic'), cfg('retention.ms', '1000', 'topic')]}
    const plan = planTopicClone(strict, 'p', 1)
    expect(plan.configs).toEqual({'min.insync.replicas': '1', 'cleanup.policy': 'compact', 'retention.ms': '1000'})
    expect(plan.warnings).toContain('min.insync.replicas 2 lowered to 1: the copy has 1 replica(s)')
    expect(planTopicClone(strict, 'p', 3).configs['min.insync.replicas']).toBe('2')
    expect(splitCloneConfigs(plan.configs)).toEqual({create: {'retention.ms': '1000'}, after: {'min.insync.replicas': '1', 'cleanup.policy': 'compact'}})
  })
})
