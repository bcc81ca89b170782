import {createConnection} from 'node:net'

import {TEST_BROKERS} from './helpers.js'

/** Fails the integration suite with one line when no broker is up, instead of failing every test. */
export default async function setup(): Promise<void> {
  const [host, port] = TEST_BROKERS.split(',')[0].split(':')
  const up = await new Promise<boolean>((resolve) => {
    const socket = createConnection({host, port: Number(port)})
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)))
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
  if (!up) {
    throw new Error(`integration tests need a Kafka broker at ${TEST_BROKERS}: start one with 'node bin/run.js local start' (or run 'bash .ci/run')`)
  }
}
