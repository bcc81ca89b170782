/** Waiting for a connector to reach a state (pause, resume and stop are asynchronous: Connect answers 202 first). */
import {KafkitError, formatMs} from '../errors.js'
import type {ConnectClient, ConnectorStatus} from './client.js'

/** Polls the status until the connector (and, unless it is STOPPED, every task) is in `state`; exit 7 on timeout. */
export async function waitForState(client: ConnectClient, name: string, state: string, timeoutMs: number): Promise<ConnectorStatus> {
  const deadline = Date.now() + timeoutMs
  let last: ConnectorStatus | undefined
  for (;;) {
    last = await client.status(name)
    // A stopped connector has no tasks; a paused or running one has them all in its state.
    const tasksThere = state === 'STOPPED' ? last.tasks.length === 0 : last.tasks.every((t) => t.state === state)
    if (last.connector.state === state && tasksThere) return last
    if (Date.now() > deadline) {
      const tasks = last.tasks.map((t) => `${t.id}:${t.state}`).join(', ')
      throw new KafkitError('TIMEOUT', `connector '${name}' is ${last.connector.state}${tasks ? ` (tasks ${tasks})` : ''}, not ${state}, after ${formatMs(timeoutMs)}`, {
        hint: 'raise it with --timeout, e.g. --timeout 60s',
        exitCode: 7,
      })
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
