/**
 * Fault tests need a cluster of their own (they stop, restart and kill brokers): each gets a private
 * `kafkit local` cluster in a temp dir on its own ports, so the shared broker of the other tests is untouched.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {kafkit} from './helpers.js'

export interface IsolatedCluster {
  brokers: string
  dir: string
  env: NodeJS.ProcessEnv
  start(): Promise<void>
  stop(): Promise<void>
  /** SIGKILL one node's process (no clean shutdown). */
  kill(nodeId: number): Promise<void>
  destroy(): Promise<void>
}

export async function isolatedCluster(options: {nodes: number; port: number}): Promise<IsolatedCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-rel-'))
  const env = {KAFKIT_LOCAL_DIR: dir}
  const brokers = Array.from({length: options.nodes}, (_, i) => `127.0.0.1:${options.port + i}`).join(',')
  const local = async (...args: string[]) => {
    const result = await kafkit(['local', ...args], {env, noBrokers: true, timeoutMs: 180_000})
    if (result.code !== 0) throw new Error(`kafkit local ${args.join(' ')} failed (${result.code}): ${result.stderr}`)
    return result
  }
  const cluster: IsolatedCluster = {
    brokers,
    dir,
    env,
    start: async () => void (await local('start', '--nodes', String(options.nodes), '--port', String(options.port), '--heap', '384m')),
    stop: async () => void (await local('stop')),
    kill: async (nodeId: number) => {
      // `local status` exits 1 once a node is down, so read its JSON whatever the exit code.
      const status = JSON.parse((await kafkit(['local', 'status', '--json'], {env, noBrokers: true})).stdout) as {nodes: {id: number; pid: number}[]}
      const node = status.nodes.find((n) => n.id === nodeId)
      if (node?.pid) process.kill(node.pid, 'SIGKILL')
    },
    destroy: async () => {
      await kafkit(['local', 'stop'], {env, noBrokers: true, timeoutMs: 60_000})
      rmSync(dir, {recursive: true, force: true})
    },
  }
  await cluster.start()
  return cluster
}
