import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import {planElection} from '../../src/topics/elect.js'
import {parseBrokerIds, planReassignment, type PlanBroker, type PlanTopic, type ReassignPlan} from '../../src/topics/reassign.js'
import {mergeThrottledReplicas, progressOf, RateEstimator, remainingThrottledReplicas, throttleSetup} from '../../src/topics/reassign-progress.js'
import {alterReassignmentsBody, decodeAlterReassignments, decodeElectLeaders, electLeadersBody} from '../../src/kafka/kafkajs/protocol/reassignments.js'
import {apiVersionsBody, decodeApiVersionsV3} from '../../src/kafka/kafkajs/protocol/api-versions.js'
import {brokerSoftware} from '../../src/kafka/cluster-info.js'
import {metadataVersionName, releaseOfLevel} from '../../src/kafka/kafka-versions.js'
import {clusterVersion} from '../../src/brokers/version.js'

const brokers = (n: number, racks?: string[]): PlanBroker[] => Array.from({length: n}, (_, i) => ({id: i + 1, rack: racks ? racks[i] : null}))

/** A topic with the given replica lists (partition i gets lists[i]); the leader is the first replica. */
const topic = (name: string, lists: number[][]): PlanTopic => ({topic: name, partitions: lists.map((replicas, partition) => ({partition, replicas, leader: replicas[0] ?? -1}))})

/** The replica lists after applying a plan. */
function apply(topics: PlanTopic[], plan: ReassignPlan): PlanTopic[] {
  return topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const c = plan.changes.find((x) => x.topic === t.topic && x.partition === p.partition)
      return c ? {partition: p.partition, replicas: c.target, leader: c.target[0]} : p
    }),
  }))
}

function perBroker(t: PlanTopic, ids: number[]): {replicas: number[]; leaders: number[]} {
  return {
    replicas: ids.map((b) => t.partitions.filter((p) => p.replicas.includes(b)).length),
    leaders: ids.map((b) => t.partitions.filter((p) => p.replicas[0] === b).length),
  }
}

const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs)

describe('reassignment plan: balance and fewest moves', () => {
  it('changes nothing on a balanced topic (and planning the result again changes nothing)', () => {
    const t = topic('orders', [
      [1, 2],
      [2, 3],
      [3, 1],
    ])
    const plan = planReassignment([t], brokers(3))
    expect(plan.changes).toEqual([])
    expect(plan.replicasAdded).toBe(0)
  })

  it('raises the replication factor 1 -> 3 without moving any preferred leader', () => {
    const t = topic('orders', [[1], [2], [3]])
    const plan = planReassignment([t], brokers(3), {replicationFactor: 3})
    expect(plan.changes).toHaveLength(3)
    expect(plan.replicasAdded).toBe(6)
    expect(plan.replicasRemoved).toBe(0)
    for (const c of plan.changes) {
      expect([...c.target].sort()).toEqual([1, 2, 3])
      expect(c.preferredAfter).toBe(c.preferredBefore)
    }
    expect(plan.leaderChanges).toBe(0)
  })

  it('moves the fewest replicas onto a new broker: 12 replicas on 3 brokers -> 3 each on 4', () => {
    const t = topic('orders', [
      [1, 2],
      [2, 3],
      [3, 1],
      [1, 2],
      [2, 3],
      [3, 1],
    ])
    const plan = planReassignment([t], brokers(4))
    expect(plan.replicasAdded).toBe(3)
    expect(plan.replicasRemoved).toBe(3)
    const after = perBroker(apply([t], plan)[0], [1, 2, 3, 4])
    expect(after.replicas).toEqual([3, 3, 3, 3])
    expect(spread(after.leaders)).toBeLessThanOrEqual(1)
  })

  it('lowers the replication factor by removing replicas only, keeping the leaders', () => {
    const t = topic('orders', [
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
    ])
    const plan = planReassignment([t], brokers(3), {replicationFactor: 2})
    expect(plan.replicasAdded).toBe(0)
    expect(plan.replicasRemoved).toBe(3)
    expect(plan.leaderChanges).toBe(0)
    expect(perBroker(apply([t], plan)[0], [1, 2, 3]).replicas).toEqual([2, 2, 2])
  })

  it('excludes a broker: its replicas move, the others stay', () => {
    const t = topic('orders', [
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 1],
    ])
    const plan = planReassignment([t], brokers(4), {exclude: [2]})
    expect(plan.brokers).toEqual([1, 3, 4])
    const after = apply([t], plan)[0]
    expect(after.partitions.every((p) => !p.replicas.includes(2))).toBe(true)
    expect(plan.replicasAdded).toBe(2) // exactly the two replicas broker 2 held
    expect(spread(perBroker(after, [1, 3, 4]).replicas)).toBeLessThanOrEqual(1)
  })

  it('places onto --broker-ids only', () => {
    const t = topic('orders', [[1], [1], [1], [1]])
    const plan = planReassignment([t], brokers(5), {brokerIds: [3, 4]})
    const after = apply([t], plan)[0]
    expect(after.partitions.map((p) => p.replicas[0]).sort()).toEqual([3, 3, 4, 4])
  })

  it('spreads the preferred leaders without moving data', () => {
    const t = topic('orders', [
      [1, 2, 3],
      [1, 3, 2],
      [1, 2, 3],
      [1, 3, 2],
      [1, 2, 3],
      [1, 3, 2],
    ])
    const plan = planReassignment([t], brokers(3))
    expect(plan.replicasAdded).toBe(0)
    expect(plan.replicasRemoved).toBe(0)
    expect(perBroker(apply([t], plan)[0], [1, 2, 3]).leaders).toEqual([2, 2, 2])
    expect(plan.leaderChanges).toBe(4)
  })

  it('spreads single-partition topics over the brokers', () => {
    const topics = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => topic(n, [[1]]))
    const plan = planReassignment(topics, brokers(3))
    const leaders = apply(topics, plan).map((t) => t.partitions[0].replicas[0])
    expect([1, 2, 3].map((b) => leaders.filter((x) => x === b).length)).toEqual([2, 2, 2])
  })

  it('is deterministic', () => {
    const t = topic('orders', [[1, 2], [1, 2], [1, 2], [1, 2], [3], [3]])
    expect(planReassignment([t], brokers(4), {replicationFactor: 3})).toEqual(planReassignment([t], brokers(4), {replicationFactor: 3}))
  })
})

describe('reassignment plan: racks', () => {
  const racked = brokers(6, ['a', 'a', 'b', 'b', 'c', 'c'])

  it('spreads every partition over the racks, balanced per broker', () => {
    // Every replica on racks a and b today.
    const t = topic('orders', [
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 1],
      [4, 1, 2],
      [1, 3, 4],
      [2, 4, 1],
    ])
    const plan = planReassignment([t], racked)
    expect(plan.rackAware).toBe(true)
    const after = apply([t], plan)[0]
    const rack = (b: number) => racked.find((x) => x.id === b)!.rack
    for (const p of after.partitions) expect(new Set(p.replicas.map(rack)).size).toBe(3)
    expect(spread(perBroker(after, [1, 2, 3, 4, 5, 6]).replicas)).toBeLessThanOrEqual(1)
    expect(spread(perBroker(after, [1, 2, 3, 4, 5, 6]).leaders)).toBeLessThanOrEqual(1)
    // Rack spread needs one replica of each partition on rack c: 6 copies, no more.
    expect(plan.replicasAdded).toBe(6)
  })

  it('keeps a rack-spread topic as it is', () => {
    const t = topic('orders', [
      [1, 3, 5],
      [4, 6, 2],
      [5, 1, 4],
    ])
    expect(planReassignment([t], racked).changes).toEqual([])
  })

  it('raises RF 1 -> 2 onto another rack', () => {
    const t = topic('orders', [[1], [3], [5]])
    const plan = planReassignment([t], racked, {replicationFactor: 2})
    const rack = (b: number) => racked.find((x) => x.id === b)!.rack
    for (const c of plan.changes) expect(rack(c.target[0])).not.toBe(rack(c.target[1]))
  })

  it('warns when only some brokers have a rack', () => {
    const plan = planReassignment(
      [topic('t', [[1], [2]])],
      [
        {id: 1, rack: 'a'},
        {id: 2, rack: null},
      ],
    )
    expect(plan.warnings.join(' ')).toContain('have no rack')
  })
})

describe('reassignment plan: leaders only', () => {
  it('moves every preferred leader off an excluded broker, which keeps its replicas (last)', () => {
    const t = topic('orders', [
      [2, 1, 3],
      [1, 2, 3],
      [3, 2, 1],
      [2, 3, 1],
    ])
    const plan = planReassignment([t], brokers(3), {exclude: [2], leadersOnly: true})
    expect(plan.replicasAdded).toBe(0)
    expect(plan.replicasRemoved).toBe(0)
    const after = apply([t], plan)[0]
    for (const p of after.partitions) {
      expect(p.replicas[0]).not.toBe(2)
      expect(p.replicas[p.replicas.length - 1]).toBe(2)
      expect([...p.replicas].sort()).toEqual([1, 2, 3])
    }
    expect(perBroker(after, [1, 3]).leaders).toEqual([2, 2])
  })

  it('warns about a partition whose only replica is on the excluded broker', () => {
    const plan = planReassignment([topic('t', [[2], [1]])], brokers(3), {exclude: [2], leadersOnly: true})
    expect(plan.changes).toEqual([])
    expect(plan.warnings.join(' ')).toContain('cannot move without moving data')
  })

  it('spreads the leaders again afterwards', () => {
    const t = topic('orders', [
      [1, 3, 2],
      [1, 3, 2],
      [3, 1, 2],
    ])
    const plan = planReassignment([t], brokers(3), {leadersOnly: true})
    expect(spread(perBroker(apply([t], plan)[0], [1, 2, 3]).leaders)).toBe(0)
    expect(plan.replicasAdded).toBe(0)
  })
})

describe('reassignment plan: refusals (exit 2)', () => {
  const refused = (f: () => unknown) => {
    try {
      f()
    } catch (error) {
      expect(error).toBeInstanceOf(KafkitError)
      expect((error as KafkitError).exitCode).toBe(2)
      return `${(error as KafkitError).message} (${(error as KafkitError).hint})`
    }
    throw new Error('not refused')
  }

  it('refuses unknown brokers, too few brokers, and contradictions', () => {
    expect(refused(() => planReassignment([topic('t', [[1]])], brokers(3), {brokerIds: [1, 7]}))).toContain('no broker 7')
    expect(refused(() => planReassignment([topic('t', [[1]])], brokers(3), {exclude: [9]}))).toContain('no broker 9')
    expect(refused(() => planReassignment([topic('t', [[1]])], brokers(3), {replicationFactor: 4}))).toContain('needs 4 brokers')
    expect(refused(() => planReassignment([topic('t', [[1, 2, 3]])], brokers(3), {exclude: [2]}))).toContain('--leaders-only')
    expect(refused(() => planReassignment([topic('t', [[1]])], brokers(3), {leadersOnly: true, replicationFactor: 2}))).toContain('--leaders-only')
    expect(refused(() => planReassignment([topic('t', [[1]])], brokers(2), {exclude: [1, 2]}))).toContain('no broker is left')
    expect(refused(() => parseBrokerIds('1,x', '--broker-ids'))).toContain('not a list of broker ids')
    expect(parseBrokerIds('3, 1,3', '--exclude-broker')).toEqual([1, 3])
  })
})

describe('reassignment plan: properties', () => {
  const cluster = fc.integer({min: 1, max: 6}).chain((n) =>
    fc.record({
      n: fc.constant(n),
      rf: fc.integer({min: 1, max: n}),
      newRf: fc.option(fc.integer({min: 1, max: n}), {nil: undefined}),
      partitions: fc.integer({min: 1, max: 12}),
      seed: fc.array(fc.integer({min: 0, max: 1000}), {minLength: 40, maxLength: 40}),
      racks: fc.option(fc.integer({min: 1, max: 3}), {nil: undefined}),
    }),
  )

  it('valid sets, balanced replicas and leaders, and a second plan changes nothing', () => {
    fc.assert(
      fc.property(cluster, ({n, rf, newRf, partitions, seed, racks}) => {
        const ids = Array.from({length: n}, (_, i) => i + 1)
        // Random current sets of size rf.
        const lists = Array.from({length: partitions}, (_, p) => {
          const pool = [...ids]
          const list: number[] = []
          for (let i = 0; i < rf; i++) list.push(pool.splice(seed[(p * 3 + i) % seed.length] % pool.length, 1)[0])
          return list
        })
        const t = topic('t', lists)
        const bs = brokers(n, racks ? ids.map((id) => String(id % racks)) : undefined)
        const plan = planReassignment([t], bs, {replicationFactor: newRf})
        const after = apply([t], plan)[0]
        const want = newRf ?? rf
        for (const p of after.partitions) {
          expect(p.replicas).toHaveLength(want)
          expect(new Set(p.replicas).size).toBe(want)
        }
        const load = perBroker(after, ids)
        // Balance holds without racks, or with racks of equal size (every rack count divides the broker count).
        if (!racks || n % racks === 0) expect(spread(load.replicas)).toBeLessThanOrEqual(1)
        if (want === n) expect(spread(load.leaders)).toBeLessThanOrEqual(1)
        // Fewest moves: never more copies than replicas that must change place, given the new sizes.
        if (!racks) {
          const lower = Math.max(0, want - rf) * partitions
          const quotaUpper = Math.ceil((want * partitions) / n)
          const over = ids.reduce((s, b) => s + Math.max(0, perBroker(t, ids).replicas[ids.indexOf(b)] - quotaUpper), 0)
          expect(plan.replicasAdded).toBeLessThanOrEqual(lower + over + partitions)
        }
        if (racks) {
          // Every partition over as many racks as it can be.
          const rackCount = new Set(bs.map((b) => b.rack)).size
          for (const p of after.partitions) expect(new Set(p.replicas.map((b) => bs[b - 1].rack)).size).toBe(Math.min(want, rackCount))
        }
        if (!racks || n % racks === 0) expect(planReassignment([after], bs).changes).toEqual([])
      }),
      {numRuns: 200},
    )
  }, 60_000)
})

describe('throttles and progress', () => {
  const change = {topic: 'o', partition: 0, current: [1], target: [1, 2, 3], adding: [2, 3], removing: [], leader: 1, preferredBefore: 1, preferredAfter: 1}

  it('throttles the current replicas as leaders, the new ones as followers, on every broker involved', () => {
    const setup = throttleSetup([change, {...change, partition: 1, current: [2, 3], target: [2, 3], adding: []}], 1000)
    expect(setup).toEqual({rate: 1000, brokers: [1, 2, 3], topics: [{topic: 'o', leader: ['0:1'], follower: ['0:2', '0:3']}]})
  })

  it('merges with what is set, and removes only the finished partitions', () => {
    expect(mergeThrottledReplicas('5:1', ['0:1', '5:1'])).toBe('5:1,0:1')
    expect(mergeThrottledReplicas('*', ['0:1'])).toBe('*')
    expect(mergeThrottledReplicas(null, ['0:1'])).toBe('0:1')
    expect(remainingThrottledReplicas('0:1,5:1,5:2', new Set([5]))).toBe('5:1,5:2')
    expect(remainingThrottledReplicas('0:1', new Set())).toBeNull()
  })

  it('counts the bytes the new replicas still lack', () => {
    const sizes = new Map<number, Map<string, number> | Error>([
      [1, new Map([['o\u00000', 1000]])],
      [2, new Map([['o\u00000', 400]])],
      [3, new Map()],
    ])
    const p = progressOf([{topic: 'o', partition: 0, replicas: [1, 2, 3], adding: [2, 3], removing: []}], new Map([['o\u00000', 1]]), sizes)
    expect(p).toMatchObject({partitionsLeft: 1, bytesLeft: 600 + 1000, sizesUnknown: false})
    expect(p.partitions[0]).toMatchObject({target: [1, 2, 3], leaderBytes: 1000, bytesLeft: 1600})
    const unknown = progressOf([{topic: 'o', partition: 0, replicas: [1, 2], adding: [2], removing: []}], new Map([['o\u00000', 1]]), new Map([[1, new Error('down')]]))
    expect(unknown.sizesUnknown).toBe(true)
  })

  it('estimates the rate and the time left', () => {
    const r = new RateEstimator()
    r.add(0, 10_000)
    expect(r.rate()).toBeUndefined()
    r.add(2000, 6000)
    expect(r.rate()).toBe(2000)
    expect(r.etaMs()).toBe(3000)
  })
})

describe('elections', () => {
  const parts = [
    {partition: 0, leader: 2, replicas: [1, 2], isr: [1, 2]},
    {partition: 1, leader: 1, replicas: [1, 2], isr: [1, 2]},
    {partition: 2, leader: 2, replicas: [3, 2], isr: [2]},
    {partition: 3, leader: -1, replicas: [3, 1], isr: [3]},
  ]

  it('preferred: partitions not led by their first replica; skipped when it is down or not in the ISR', () => {
    const plan = planElection('preferred', [{topic: 'o', partitions: parts}], [1, 2])
    expect(plan.rows.map((r) => [r.partition, r.eligible, r.reason])).toEqual([
      [0, true, undefined],
      [2, false, 'broker 3 is down'],
      [3, false, 'broker 3 is down'],
    ])
  })

  it('unclean: partitions without a leader, from live replicas', () => {
    const plan = planElection('unclean', [{topic: 'o', partitions: parts}], [1, 2])
    expect(plan.rows).toMatchObject([{partition: 3, candidates: [1], eligible: true}])
    expect(planElection('preferred', [{topic: 'o', partitions: parts}], [1, 2, 3], [1]).rows).toEqual([])
  })
})

describe('request bytes', () => {
  it('AlterPartitionReassignments v0: a list, and null to cancel', () => {
    const hex = alterReassignmentsBody(
      [
        {topic: 'ab', partition: 1, replicas: [1, 2]},
        {topic: 'ab', partition: 2, replicas: null},
      ],
      5000,
    ).toString('hex')
    const int32 = (n: number) => n.toString(16).padStart(8, '0')
    expect(hex).toBe(
      '00' + // header v2 tags
        int32(5000) +
        '02' + // 1 topic
        '03' +
        Buffer.from('ab').toString('hex') +
        '03' + // 2 partitions
        int32(1) +
        '03' +
        int32(1) +
        int32(2) +
        '00' +
        int32(2) +
        '00' + // null replicas: cancel
        '00' +
        '00' + // topic tags
        '00', // request tags
    )
  })

  it('AlterPartitionReassignments v0 response, with the broker message', () => {
    const msg = Buffer.from('no such broker')
    const raw = Buffer.concat([
      Buffer.from('00' + '00000000' + '0000' + '00' + '02' + '02' + Buffer.from('a').toString('hex') + '02' + '00000003' + '0027', 'hex'),
      Buffer.from([msg.length + 1]),
      msg,
      Buffer.from('000000', 'hex'),
    ])
    expect(decodeAlterReassignments(raw)).toEqual({errorCode: 0, errorMessage: null, partitions: [{topic: 'a', partition: 3, errorCode: 39, message: 'no such broker'}]})
  })

  it('ElectLeaders v1: election type, partitions (or null for all), timeout', () => {
    const int32 = (n: number) => n.toString(16).padStart(8, '0')
    expect(electLeadersBody('unclean', null, 1000).toString('hex')).toBe('01' + 'ffffffff' + int32(1000))
    expect(electLeadersBody('preferred', [{topic: 'o', partition: 4}], 1000).toString('hex')).toBe('00' + int32(1) + '0001' + Buffer.from('o').toString('hex') + int32(1) + int32(4) + int32(1000))
    const raw = Buffer.from('00000000' + '0000' + int32(1) + '0001' + Buffer.from('o').toString('hex') + int32(1) + int32(4) + '0054' + 'ffff', 'hex')
    expect(decodeElectLeaders(raw)).toEqual({errorCode: 0, partitions: [{topic: 'o', partition: 4, errorCode: 84, message: null}]})
  })

  it('ApiVersions v3: the software fields, and the features in the tagged fields', () => {
    expect(apiVersionsBody('kafkit', 'cli').toString('hex')).toBe('00' + '07' + Buffer.from('kafkit').toString('hex') + '04' + Buffer.from('cli').toString('hex') + '00')
    const feature = (name: string, a: number, b: number) => Buffer.concat([Buffer.from([name.length + 1]), Buffer.from(name), Buffer.from([0, a, 0, b, 0])])
    const supported = Buffer.concat([Buffer.from([2]), feature('metadata.version', 7, 33)])
    const finalized = Buffer.concat([Buffer.from([2]), feature('metadata.version', 33, 7)])
    const epoch = Buffer.from('0000000000000005', 'hex')
    const raw = Buffer.concat([
      Buffer.from('0000' + '02' + '0012' + '0000' + '0004' + '00' + '00000000', 'hex'),
      Buffer.from([3, 0, supported.length]),
      supported,
      Buffer.from([1, epoch.length]),
      epoch,
      Buffer.from([2, finalized.length]),
      finalized,
    ])
    const decoded = decodeApiVersionsV3(raw)
    expect(decoded).toMatchObject({errorCode: 0, apiKeys: [{apiKey: 18, minVersion: 0, maxVersion: 4}], finalizedFeaturesEpoch: 5})
    expect(brokerSoftware(decoded)).toEqual({
      release: '4.4',
      supportedMetadataVersion: {min: 7, max: 33},
      metadataVersion: {level: 33, name: '4.4-IV2'},
      finalizedFeatures: {'metadata.version': 33},
    })
  })

  it('names metadata.version levels and releases', () => {
    expect(metadataVersionName(21)).toBe('3.9-IV0')
    expect(releaseOfLevel(21)).toBe('3.9')
    expect(releaseOfLevel(40)).toBe('newer than 4.4')
    expect(releaseOfLevel(0)).toBeUndefined()
  })
})

describe('the Kafka version of cluster info', () => {
  const software = (release: string | null, level: number | null) => ({
    release,
    supportedMetadataVersion: null,
    metadataVersion: level === null ? null : {level, name: metadataVersionName(level)},
    finalizedFeatures: {},
  })

  it("is exact for the cluster kafkit local started (same cluster id), the brokers' release otherwise", () => {
    const brokers = new Map([
      [1, software('4.4', 33)],
      [2, software('4.4', 33)],
    ])
    expect(clusterVersion(brokers, {clusterId: 'abc', version: '4.4.0'}, 'abc')).toEqual({kafka: '4.4.0', source: 'kafkit local', metadataVersion: '4.4-IV2', metadataVersionLevel: 33})
    expect(clusterVersion(brokers, {clusterId: 'other', version: '4.4.0'}, 'abc')).toEqual({kafka: '4.4', source: 'ApiVersions', metadataVersion: '4.4-IV2', metadataVersionLevel: 33})
  })

  it('names both releases during a rolling upgrade, and says unknown when no broker tells', () => {
    const mixed = new Map([
      [1, software('3.9', 21)],
      [2, software('4.4', 21)],
    ])
    expect(clusterVersion(mixed, undefined, 'abc')).toMatchObject({kafka: '3.9, 4.4', metadataVersion: '3.9-IV0'})
    expect(clusterVersion(new Map([[1, new Error('no v3')]]), undefined, 'abc')).toEqual({kafka: null, source: 'unknown', metadataVersion: null, metadataVersionLevel: null})
  })
})
