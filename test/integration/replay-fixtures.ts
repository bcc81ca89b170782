/** What the replay tests share: their source topics laid out record by record, and a replay killed midway. */
import {spawn} from 'node:child_process'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import kafkajs from 'kafkajs'
import {afterAll, beforeAll} from 'vitest'

import {BIN, TEST_BROKERS} from './helpers.js'

/**
 * A kafkajs admin and an idempotent producer that writes each message to the partition it names, connected for
 * the test file that calls this (in its beforeAll, until its afterAll).
 */
export function partitionProducer(clientId: string): {kafka: kafkajs.Kafka; admin: kafkajs.Admin; producer: kafkajs.Producer; send(topic: string, messages: kafkajs.Message[]): Promise<void>} {
  const kafka = new kafkajs.Kafka({brokers: TEST_BROKERS.split(','), clientId, logLevel: kafkajs.logLevel.NOTHING})
  const admin = kafka.admin()
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner:
      () =>
      ({message}) =>
        message.partition ?? 0,
  })
  beforeAll(async () => {
    await admin.connect()
    await producer.connect()
  })
  afterAll(async () => {
    await producer.disconnect()
    await admin.disconnect()
  })
  // 2,000 a request: well under the broker's request size limit for these tests' records.
  const send = async (topic: string, messages: kafkajs.Message[]) => {
    for (let i = 0; i < messages.length; i += 2000) await producer.send({topic, messages: messages.slice(i, i + 2000)})
  }
  return {kafka, admin, producer, send}
}

/**
 * Starts `kafkit replay ...args` (paced by the caller's --rate) with state in `stateDir`; once its checkpoint
 * counts `atLeast` records copied, freezes it (SIGSTOP: what it copied cannot move) and SIGKILLs it. `finished`:
 * it had ended on its own before (a machine stalled for seconds; then the run proves nothing). `copied()`: what
 * its checkpoint counts as copied.
 */
export async function replayKilledMidway(args: string[], stateDir: string, atLeast: number, waitMs: number): Promise<{finished: boolean; copied: () => number}> {
  const child = spawn(process.execPath, [BIN, 'replay', ...args], {env: {...process.env, KAFKIT_BROKERS: TEST_BROKERS, KAFKIT_STATE_DIR: stateDir}, stdio: 'ignore'})
  let finished = false
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve((finished = signal === null))))
  const copied = (): number => {
    const dir = join(stateDir, 'replay')
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []
    try {
      const cp = JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as {progress: Record<string, {copied: number}>}
      return Object.values(cp.progress).reduce((s, p) => s + p.copied, 0)
    } catch {
      return 0 // not there yet, or being replaced
    }
  }
  for (const deadline = Date.now() + waitMs; copied() < atLeast && !finished && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100))
  child.kill('SIGSTOP')
  child.kill('SIGKILL')
  await exited
  return {finished, copied}
}
