import {describe, expect, it} from 'vitest'

import {computeLag} from '../../src/groups/lag.js'
import {catchUpSeconds, computeRates, formatEta, formatRate} from '../../src/groups/rates.js'
import {compileGroupFilter} from '../../src/groups/overview.js'
import type {GroupDescription} from '../../src/kafka/groups.js'

const group = (members: GroupDescription['members'] = []): GroupDescription => ({groupId: 'g', state: members.length ? 'Stable' : 'Empty', protocolType: 'consumer', protocol: 'range', members})
const wm = (topic: string, ...highs: number[]) => [topic, highs.map((high, partition) => ({partition, low: 0, high}))] as const

describe('computeLag', () => {
  it('is log end minus committed per partition, with totals', () => {
    const lag = computeLag(
      group(),
      [
        {topic: 'a', partition: 0, offset: 3},
        {topic: 'a', partition: 1, offset: 10},
      ],
      new Map([wm('a', 10, 10)]),
    )
    expect(lag.partitions.map((p) => p.lag)).toEqual([7, 0])
    expect(lag.totalLag).toBe(7)
    expect(lag.topics).toEqual(['a'])
  })

  it('shows assigned partitions without a commit (lag unknown) and the owning member', () => {
    const members = [{memberId: 'm1', clientId: 'c1', host: '10.0.0.1', assignment: [{topic: 'a', partitions: [0, 1]}]}]
    const lag = computeLag(group(members), [{topic: 'a', partition: 0, offset: 4}], new Map([wm('a', 5, 8)]))
    expect(lag.partitions).toHaveLength(2)
    expect(lag.partitions[0]).toMatchObject({partition: 0, committed: 4, lag: 1, clientId: 'c1', host: '10.0.0.1'})
    expect(lag.partitions[1]).toMatchObject({partition: 1, committed: null, lag: null, memberId: 'm1'})
    expect(lag.totalLag).toBe(1)
  })

  it('sorts by topic then partition, and never reports negative lag', () => {
    const lag = computeLag(
      group(),
      [
        {topic: 'b', partition: 1, offset: 9},
        {topic: 'a', partition: 0, offset: 20},
        {topic: 'b', partition: 0, offset: 1},
      ],
      new Map([wm('a', 10), wm('b', 2, 9)]),
    )
    expect(lag.partitions.map((p) => `${p.topic}:${p.partition}`)).toEqual(['a:0', 'b:0', 'b:1'])
    expect(lag.partitions[0].lag).toBe(0)
  })
})

describe('rates and catch-up', () => {
  it('computes consume and produce rates between samples and the time to catch up', () => {
    const before = computeLag(group(), [{topic: 'a', partition: 0, offset: 0}], new Map([wm('a', 1000)]))
    const after = computeLag(group(), [{topic: 'a', partition: 0, offset: 300}], new Map([wm('a', 1100)]))
    const r = computeRates(before, 0, after, 10_000)
    expect(r.consumeRate).toBe(30)
    expect(r.produceRate).toBe(10)
    expect(r.totalLag).toBe(800)
    expect(r.catchUpSeconds).toBe(40)
    expect(r.partitions[0].consumeRate).toBe(30)
  })

  it('never catches up when production outpaces consumption; 0 when there is no lag', () => {
    expect(catchUpSeconds(100, 5, 10)).toBeNull()
    expect(catchUpSeconds(0, 0, 0)).toBe(0)
    expect(formatEta(null)).toMatch(/never/)
    expect(formatEta(42)).toBe('42s')
    expect(formatEta(190)).toBe('3m 10s')
    expect(formatEta(7500)).toBe('2h 05m')
    expect(formatRate(12.34)).toBe('12.3/s')
    expect(formatRate(25_000)).toBe('25k/s')
  })
})

describe('group filter', () => {
  it('compiles a regex or fails with exit 2', () => {
    expect(compileGroupFilter('^bill')!.test('billing')).toBe(true)
    expect(compileGroupFilter(undefined)).toBeUndefined()
    expect(() => compileGroupFilter('(')).toThrow(expect.objectContaining({exitCode: 2}))
  })
})

describe('describeCatchUp', () => {
  it('says whether and when the group catches up', async () => {
    const {describeCatchUp} = await import('../../src/groups/rates.js')
    const base = {intervalSeconds: 1, totalLag: 100, partitions: []}
    expect(describeCatchUp({...base, consumeRate: 20, produceRate: 10, catchUpSeconds: 10})).toBe('consuming 20.0/s, producing 10.0/s: caught up in 10s')
    expect(describeCatchUp({...base, consumeRate: 0, produceRate: 0, catchUpSeconds: null})).toMatch(/not catching up at this rate$/)
    expect(describeCatchUp({...base, totalLag: 0, consumeRate: 0, produceRate: 0, catchUpSeconds: 0})).toMatch(/: caught up$/)
  })
})
