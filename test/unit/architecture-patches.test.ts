/** The metadata patch (src/kafka/kafkajs/patches/metadata-no-topics.ts), checked on kafkajs' own classes. */
import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {NO_TOPICS} from '../../src/kafka/kafkajs/patches.js'
import {loadKafkaJS} from '../../src/kafka/kafkajs/session.js'

const require = createRequire(import.meta.url)

describe('metadata refreshes without target topics', () => {
  it('ask for no topic (an empty array), where kafkajs wrote null ("every topic")', async () => {
    await loadKafkaJS()
    const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => {writeNullableArray(a: readonly unknown[], type?: string): {buffer: Buffer}; buffer: Buffer}
    const pool = (require('kafkajs/src/cluster/brokerPool.js') as {prototype: {kafkitNoTopics?: boolean}}).prototype
    expect(pool.kafkitNoTopics).toBe(true)
    expect(new Encoder().writeNullableArray(NO_TOPICS, 'string').buffer).toEqual(Buffer.from([0, 0, 0, 0]))
    // Any other empty list keeps kafkajs' meaning (written as null: "every topic", as topics list asks).
    expect(new Encoder().writeNullableArray([], 'string').buffer).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]))
    expect(new Encoder().writeNullableArray(['a'], 'string').buffer).toEqual(Buffer.from([0, 0, 0, 1, 0, 1, 0x61]))
  })
})
