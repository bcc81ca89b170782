/** The patches are seeded before kafkajs loads and pick their implementation on first use (see src/kafka/kafkajs/patches.ts). */
import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {encodeRecord, findLeaderForPartitions, installKafkaJSPatches, patchKafkaJSClasses} from '../../src/kafka/kafkajs/patches.js'

const require = createRequire(import.meta.url)

describe('kafkajs patches, installed before kafkajs loads', () => {
  const installed = installKafkaJSPatches()

  it('seeds every module', () => {
    expect(installed).toEqual({crc32c: true, record: true, grouping: true, produce: true, framing: true, sendMessages: true})
    expect(require.cache[require.resolve('kafkajs/src/protocol/request.js')]).toBeDefined()
  })

  it('CRC32C: the check value of "123456789"', () => {
    const crc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number
    expect(crc(Buffer.from('123456789'))).toBe(0xe3069283)
  })

  it('the record encoder kafkajs loads is the fast one once it matched the original', () => {
    const record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => {buffer: Buffer}
    const r = {offsetDelta: 3, timestampDelta: 9, key: Buffer.from('k'), value: Buffer.from('v'), headers: {h: Buffer.from('1')}}
    expect(record(r).buffer.equals(encodeRecord(r).buffer)).toBe(true)
  })

  it('uncompressed Produce requests take the fast path (framed in place); compressed ones kafkajs own', async () => {
    await import('kafkajs')
    const produce = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (a: object) => {encode: () => Promise<{kafkitFramed?: Buffer}>}
    const args = (compression: number) => ({acks: -1, timeout: 1000, compression, topicData: [{topic: 't', partitions: [{partition: 0, messages: [{value: Buffer.from('v')}]}]}]})
    expect((await produce(args(0)).encode()).kafkitFramed).toBeInstanceOf(Buffer)
    expect((await produce(args(1)).encode()).kafkitFramed).toBeUndefined()
  })
})

describe('Cluster.findLeaderForPartitions', () => {
  it('gives what kafkajs gives (order, unknown partitions left out, string ids), and is installed on the class', () => {
    const Cluster = require('kafkajs/src/cluster/index.js') as {prototype: {findLeaderForPartitions: (this: object, t: string, p: (number | string)[]) => Record<string, number[]>}}
    const original = Cluster.prototype.findLeaderForPartitions
    const metadata = Array.from({length: 50}, (_, i) => ({partitionId: i, leader: [3, 1, 2][i % 3]}))
    const self = {findTopicPartitionMetadata: () => metadata}
    const ask: (number | string)[] = [7, '3', 49, 0, 99, 12, 1]
    expect(findLeaderForPartitions.call(self, 't', ask)).toEqual(original.call(self, 't', ask))
    expect(Object.keys(findLeaderForPartitions.call(self, 't', ask))).toEqual(Object.keys(original.call(self, 't', ask)))
    const broken = {findTopicPartitionMetadata: () => [{partitionId: 0, leader: null}]}
    expect(() => findLeaderForPartitions.call(broken, 't', [0])).toThrow('Invalid partition metadata')
    expect(patchKafkaJSClasses()).toBe(true)
    expect(Cluster.prototype.findLeaderForPartitions).toBe(findLeaderForPartitions)
  })
})
