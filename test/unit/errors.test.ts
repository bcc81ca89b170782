import {describe, expect, it} from 'vitest'

import {mapKafkaError} from '../../src/kafka/errors.js'
import {parseBrokerList} from '../../src/profiles/resolve.js'

const ctx = {brokers: ['127.0.0.1:9092']}

describe('kafkajs error mapping', () => {
  it('maps connection failures to exit 4 with a local hint', () => {
    const err = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {name: 'KafkaJSConnectionError'})
    const retries = Object.assign(new Error('retries'), {name: 'KafkaJSNumberOfRetriesExceeded', originalError: err})
    const mapped = mapKafkaError(retries, ctx)
    expect(mapped.exitCode).toBe(4)
    expect(mapped.hint).toContain('kafkit local start')
  })

  it('maps SASL failures naming user and mechanism', () => {
    const err = Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), {name: 'KafkaJSSASLAuthenticationError'})
    const mapped = mapKafkaError(err, {...ctx, saslUser: 'ops', saslMechanism: 'scram-sha-512'})
    expect(mapped.exitCode).toBe(4)
    expect(mapped.message).toContain("user 'ops'")
    expect(mapped.message).toContain('SCRAM-SHA-512')
  })

  it('maps untrusted certificates with a hint about tls.ca', () => {
    const err = Object.assign(new Error('self-signed certificate in certificate chain'), {name: 'KafkaJSConnectionError'})
    const mapped = mapKafkaError(err, ctx)
    expect(mapped.code).toBe('TLS_UNTRUSTED')
    expect(mapped.hint).toContain('tls.ca')
  })

  it('maps unknown topics to exit 3', () => {
    const err = Object.assign(new Error('This server does not host this topic-partition'), {name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION'})
    expect(mapKafkaError(err, ctx).exitCode).toBe(3)
  })
})

describe('broker lists', () => {
  it('adds the default port and trims', () => {
    expect(parseBrokerList(' a:1, b ')).toEqual(['a:1', 'b:9092'])
  })
  it('rejects bad ports', () => {
    expect(() => parseBrokerList('a:99999')).toThrow(/out of range/)
  })
})
