/**
 * Fault tests need a cluster of their own (they stop, restart and kill brokers): each gets a private
 * `kafkit local` cluster in a temp dir on its own ports, so the shared broker of the other tests is untouched.
 */
import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createConnection} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll} from 'vitest'

import {kafkit} from './helpers.js'

export interface IsolatedCluster {
  brokers: string
  dir: string
  env: NodeJS.ProcessEnv
  start(): Promise<void>
  stop(): Promise<void>
  /**
   * SIGKILL one node's process (no clean shutdown); with 'SIGTERM', a clean (controlled) shutdown, waited for
   * until the process is gone.
   */
  kill(nodeId: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>
  /**
   * Starts a node killed with kill() again, with the command line it had, while the others run (`local start`
   * only starts a stopped cluster); resolves once its port accepts connections.
   */
  restart(nodeId: number): Promise<void>
  /**
   * Every node serving: starts the cluster if it was stopped, restarts the nodes kill() killed, then waits
   * until the cluster's metadata lists every node (a test retried after a kill, or one after a test that killed).
   */
  allUp(): Promise<void>
  destroy(): Promise<void>
}

export async function isolatedCluster(options: {nodes: number; port: number; secure?: boolean}): Promise<IsolatedCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-rel-'))
  const env = {KAFKIT_LOCAL_DIR: dir}
  const commandLines = new Map<number, string[]>()
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
    start: async () => void (await local('start', '--nodes', String(options.nodes), '--port', String(options.port), '--heap', '384m', ...(options.secure ? ['--secure'] : []))),
    stop: async () => void (await local('stop')),
    kill: async (nodeId: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL') => {
      // `local status` exits 1 once a node is down, so read its JSON whatever the exit code.
      const status = JSON.parse((await kafkit(['local', 'status', '--json'], {env, noBrokers: true})).stdout) as {nodes: {id: number; pid: number}[]}
      const node = status.nodes.find((n) => n.id === nodeId)
      if (!node) throw new Error(`no node ${nodeId} in this cluster`)
      if (!node.pid) return
      commandLines.set(nodeId, readFileSync(`/proc/${node.pid}/cmdline`, 'utf8').split('\0').filter(Boolean))
      process.kill(node.pid, signal)
      for (const deadline = Date.now() + 120_000; existsSync(`/proc/${node.pid}`); await new Promise((r) => setTimeout(r, 200))) {
        if (Date.now() > deadline) throw new Error(`node ${nodeId} did not stop within 120 s after ${signal}`)
      }
    },
    restart: async (nodeId: number) => {
      const argv = commandLines.get(nodeId)
      if (!argv) throw new Error(`node ${nodeId} was not killed by this cluster's kill()`)
      const stateFile = join(dir, 'state.json')
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {nodes: {id: number; pid: number | null; port: number; dir: string; logFile: string}[]}
      const node = state.nodes.find((n) => n.id === nodeId)!
      // As `kafkit local start` launches a node: detached, output appended to its log.
      const fd = openSync(node.logFile, 'a')
      const child = spawn(argv[0], argv.slice(1), {detached: true, stdio: ['ignore', fd, fd], cwd: node.dir})
      closeSync(fd)
      child.unref()
      node.pid = child.pid ?? null
      writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n') // so that `local stop` stops it too
      for (const deadline = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 250))) {
        if (await portOpen(node.port)) return
        if (Date.now() > deadline) throw new Error(`node ${nodeId} did not listen on ${node.port} within 120 s after its restart`)
      }
    },
    allUp: async () => {
      const status = JSON.parse((await kafkit(['local', 'status', '--json'], {env, noBrokers: true})).stdout) as {running: boolean; nodes: {id: number; alive: boolean}[]}
      if (!status.running) await cluster.start()
      else for (const node of status.nodes) if (!node.alive) await cluster.restart(node.id)
      for (const deadline = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 500))) {
        const info = await kafkit(['cluster', 'info', '--json', '--timeout', '5s'], {env: {KAFKIT_BROKERS: brokers}})
        if (info.code === 0 && (JSON.parse(info.stdout) as {brokers: unknown[]}).brokers.length === options.nodes) return
        if (Date.now() > deadline) throw new Error(`the cluster does not list its ${options.nodes} brokers 120 s after their start: ${info.stdout}${info.stderr}`)
      }
    },
    destroy: async () => {
      await kafkit(['local', 'stop'], {env, noBrokers: true, timeoutMs: 60_000})
      rmSync(dir, {recursive: true, force: true})
    },
  }
  await cluster.start()
  return cluster
}

/**
 * A private cluster started as the test file loads, so that its start-up overlaps the file's first tests (those
 * that use it come last), and removed after the file's tests. A failed start fails the tests that await it.
 */
export function isolatedClusterForFile(options: {nodes: number; port: number; secure?: boolean}): Promise<IsolatedCluster> {
  const starting = isolatedCluster(options)
  starting.catch(() => undefined)
  afterAll(async () => {
    await (await starting.catch(() => undefined))?.destroy()
  }, 120_000)
  return starting
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({host: '127.0.0.1', port})
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)))
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}
