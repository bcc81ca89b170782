/**
 * Interop: records compressed by Kafka's own Java client (gzip, snappy, lz4, zstd) and transactional records
 * (committed and aborted, with their control records) are read correctly by `kafkit consume`.
 */
import {execFile} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {resolveKafka} from '../../src/local/distribution.js'
import {kafkit, TEST_BROKERS, uniqueName} from './helpers.js'

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const
const PER_CODEC = 300
const prefix = uniqueName('consume-codec')
const txTopic = uniqueName('consume-tx')

/** One JVM writes every codec with Kafka's Java producer (faster than one console producer per codec). */
const JAVA = `
import java.util.Properties;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.serialization.StringSerializer;

public class CodecProducer {
  public static void main(String[] args) throws Exception {
    for (String codec : new String[] {"gzip", "snappy", "lz4", "zstd"}) {
      Properties p = new Properties();
      p.put("bootstrap.servers", args[0]);
      p.put("compression.type", codec);
      p.put("linger.ms", "50");
      p.put("key.serializer", StringSerializer.class.getName());
      p.put("value.serializer", StringSerializer.class.getName());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        for (int i = 0; i < ${PER_CODEC}; i++) {
          producer.send(new ProducerRecord<>(args[1] + "-" + codec, "k" + i, codec + "-value-" + i + "-" + "abc".repeat(i % 20)));
        }
        producer.flush();
      }
    }
  }
}
`

const kafka = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), clientId: 'consume-codecs-test', logLevel: kafkajs.logLevel.NOTHING})
const admin = kafka.admin()

beforeAll(async () => {
  await admin.connect()
  await admin.createTopics({waitForLeaders: true, topics: [...CODECS.map((c) => ({topic: `${prefix}-${c}`})), {topic: txTopic}]})
}, 30_000)

afterAll(async () => {
  await admin.deleteTopics({topics: [...CODECS.map((c) => `${prefix}-${c}`), txTopic]}).catch(() => undefined)
  await admin.disconnect()
})

describe('consume: compressed records from the Java producer', () => {
  it('reads gzip, snappy, lz4 and zstd', async () => {
    const kafkaDist = await resolveKafka()
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-codec-'))
    const source = join(dir, 'CodecProducer.java')
    writeFileSync(source, JAVA)
    await promisify(execFile)('java', [kafkaDist.logConfigFlag, '-cp', kafkaDist.classpath, source, TEST_BROKERS, prefix], {timeout: 110_000})
    const results = await Promise.all(CODECS.map((c) => kafkit(['consume', `${prefix}-${c}`, '-e', '-f', '%k %v\\n'])))
    for (const [i, codec] of CODECS.entries()) {
      const r = results[i]
      expect(r.code, `${codec}: ${r.stderr}`).toBe(0)
      const got = r.stdout.split('\n').filter(Boolean)
      expect(got, codec).toHaveLength(PER_CODEC)
      expect(got[7]).toBe(`k7 ${codec}-value-7-${'abc'.repeat(7)}`)
    }
  }, 150_000)
})

describe('consume: transactions', () => {
  it('reads committed records only; aborted ones and control records are skipped', async () => {
    const producer = kafka.producer({transactionalId: uniqueName('consume-txid'), idempotent: true, maxInFlightRequests: 1})
    await producer.connect()
    const inTx = async (values: string[], commit: boolean) => {
      const tx = await producer.transaction()
      await tx.send({topic: txTopic, messages: values.map((value) => ({value}))})
      await (commit ? tx.commit() : tx.abort())
    }
    await inTx(['c1', 'c2'], true)
    await inTx(['a1', 'a2', 'a3'], false)
    await inTx(['c3'], true)
    await producer.disconnect()
    const [all, tail] = await Promise.all([kafkit(['consume', txTopic, '-e', '-f', '%o %v\\n']), kafkit(['consume', txTopic, '--from', '3', '-e'])])
    expect(all.code).toBe(0)
    // offsets: c1 0, c2 1, marker 2, a1-a3 3-5, abort marker 6, c3 7, marker 8
    expect(all.stdout).toBe('0 c1\n1 c2\n7 c3\n')
    expect(tail.stdout).toBe('c3\n')
  }, 60_000)
})
