/**
 * `kafkit local`: a real Apache Kafka (KRaft, combined broker+controller nodes) on 127.0.0.1, started with
 * Java from the jars resolved by ./distribution.ts. State (pids, ports, version, data dir) lives in
 * <local dir>/state.json; the data survives stop/start until `reset`.
 */
import {randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError} from '../errors.js'
import {KafkaDistribution, resolveKafka} from './distribution.js'
import {isJavaProcess, launchDetached, requireJava, runTool} from './java.js'
import {LocalNode, nodeProperties, planNodes, randomClusterId, securedPorts} from './node-config.js'
import {localDir} from './paths.js'
import {isFree, isListening, portOwner} from './ports.js'
import {readRegistryState, startRegistry, stopRegistry} from './registry.js'
import {lastLines, readLogTail, readStateFile, stateFile} from './state.js'
import {LocalCredentials, LocalSecurityInfo, ensureLocalSecurity, localSecurityInfo, scramFormatArgs, securedBrokerProperties} from './security.js'

export interface LocalState {
  version: string
  clusterId: string
  host: string
  basePort: number
  nodes: (LocalNode & {pid: number | null})[]
  kafkaSource: KafkaDistribution['source']
  startedAt: string | null
  /** Broker properties added on top of the defaults (secured listeners, ...), kept for restarts. */
  extraProperties?: Record<string, string>
  /** Secured listeners (SASL_PLAINTEXT, SSL, MTLS, SASL_SSL) on extra ports: `local start --secure`. */
  secure?: boolean
  /** The SCRAM users exist (created at format time, or added once afterwards). */
  scramUsers?: boolean
  security?: LocalSecurityInfo
}

export interface StartOptions {
  /** Add the secured listeners (kept for later starts once given). */
  secure?: boolean
  nodes?: number
  basePort?: number
  version?: string
  kafkaHome?: string
  /** Milliseconds to wait for the cluster to serve requests. */
  waitMs?: number
  log?: (line: string) => void
  /** JVM heap per node. */
  heap?: string
  extraProperties?: Record<string, string>
}

export interface NodeStatus {
  id: number
  pid: number | null
  alive: boolean
  port: number
  listening: boolean
  logFile: string
}

export interface LocalStatus {
  running: boolean
  /** Some nodes up, others not. */
  degraded: boolean
  version: string | null
  clusterId: string | null
  brokers: string[]
  dataDir: string
  nodes: NodeStatus[]
  /** Present when the cluster was started with --secure: the secured listeners, CA and client files. */
  security?: LocalSecurityInfo
}

const HOST = '127.0.0.1'

export async function readState(): Promise<LocalState | undefined> {
  return readStateFile<LocalState>()
}

async function writeState(state: LocalState): Promise<void> {
  await mkdir(localDir(), {recursive: true})
  await writeFile(stateFile(), JSON.stringify(state, null, 2) + '\n')
}

/** The process is alive and really is a Kafka node (not a recycled pid). */
export function isKafkaProcess(pid: number | null): boolean {
  return isJavaProcess(pid, 'kafka.Kafka')
}

export async function localStatus(): Promise<LocalStatus> {
  const state = await readState()
  if (!state) return {running: false, degraded: false, version: null, clusterId: null, brokers: [], dataDir: localDir(), nodes: []}
  const nodes = await Promise.all(
    state.nodes.map(async (n) => ({id: n.id, pid: n.pid, alive: isKafkaProcess(n.pid), port: n.port, listening: await isListening(n.port, state.host), logFile: n.logFile})),
  )
  const up = nodes.filter((n) => n.alive && n.listening).length
  return {
    running: up > 0,
    degraded: up > 0 && up < nodes.length,
    version: state.version,
    clusterId: state.clusterId,
    brokers: state.nodes.map((n) => `${state.host}:${n.port}`),
    dataDir: localDir(),
    nodes,
    ...(state.secure && state.security ? {security: state.security} : {}),
  }
}

export interface StartResult {
  alreadyRunning: boolean
  /** --secure was asked for, but the cluster already running was started without it (nothing was changed). */
  secureNotApplied?: boolean
  state: LocalState
  brokers: string[]
  elapsedMs: number
}

export async function startLocal(options: StartOptions = {}): Promise<StartResult> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const previous = await readState()
  const count = options.nodes ?? (previous?.nodes.length || 1)
  const basePort = options.basePort ?? previous?.basePort ?? 9092

  if (previous && previous.nodes.some((n) => isKafkaProcess(n.pid))) {
    if (options.nodes && options.nodes !== previous.nodes.length) {
      throw new KafkitError('LOCAL_RUNNING', `local Kafka is already running with ${previous.nodes.length} node(s)`, {
        hint: `stop it first ('kafkit local stop') to start ${options.nodes} node(s)`,
        exitCode: 6,
      })
    }
    return {
      alreadyRunning: true,
      ...(options.secure && !previous.secure ? {secureNotApplied: true} : {}),
      state: previous,
      brokers: previous.nodes.map((n) => `${previous.host}:${n.port}`),
      elapsedMs: Date.now() - started,
    }
  }
  if (previous && (previous.nodes.length !== count || previous.basePort !== basePort)) {
    throw new KafkitError('LOCAL_LAYOUT_CHANGED', `the local data was made for ${previous.nodes.length} node(s) on port ${previous.basePort}`, {
      hint: `start with the same layout, or wipe it first with 'kafkit local reset'`,
      exitCode: 2,
    })
  }
  const version = options.version ?? previous?.version
  if (previous && options.version && options.version !== previous.version) {
    throw new KafkitError('LOCAL_VERSION_CHANGED', `the local data was made by Kafka ${previous.version}, not ${options.version}`, {
      hint: `use --kafka-version ${previous.version}, or wipe the data with 'kafkit local reset'`,
      exitCode: 2,
    })
  }

  const secure = options.secure ?? previous?.secure ?? false
  const dist = await resolveKafka({version, kafkaHome: options.kafkaHome, log})
  const java = requireJava(dist.version)
  const nodes = planNodes(count, basePort, localDir())
  for (const node of nodes) {
    for (const port of [node.port, node.controllerPort, ...(secure ? Object.values(securedPorts(node)) : [])]) {
      if (!(await isFree(port, HOST))) {
        const owner = await portOwner(port)
        throw new KafkitError('PORT_IN_USE', `port ${port} on ${HOST} is already in use${owner ? ` by ${owner}` : ''}`, {
          hint: 'stop that process, or start on other ports with --port',
          exitCode: 1,
        })
      }
    }
  }

  const clusterId = previous?.clusterId ?? randomClusterId(randomBytes(16))
  const extraProperties = options.extraProperties ?? previous?.extraProperties ?? {}
  const layout = {nodes, host: HOST, secure}
  let credentials: LocalCredentials | undefined
  let securityProperties: Record<string, string> = {}
  let security: LocalSecurityInfo | undefined
  if (secure) {
    log('preparing the secured listeners (CA, certificates, users)')
    const material = await ensureLocalSecurity(localDir(), HOST)
    credentials = material.credentials
    securityProperties = securedBrokerProperties(material.files, material.credentials)
    security = localSecurityInfo(material.files, material.credentials, nodes, HOST)
  }
  let scramUsers = previous?.scramUsers ?? false
  let formattedAll = true
  for (const node of nodes) {
    await mkdir(node.dir, {recursive: true})
    // The generated security properties are not part of extraProperties: they follow the files on disk.
    await writeFile(node.propertiesFile, nodeProperties(node, layout, {...securityProperties, ...extraProperties}))
    if (!existsSync(join(node.dataDir, 'meta.properties'))) {
      log(`formatting storage of node ${node.id}`)
      await formatStorage(java.path, dist, node, clusterId, credentials ? scramFormatArgs(credentials) : [])
    } else {
      formattedAll = false
    }
  }
  if (credentials && formattedAll) scramUsers = true

  const state: LocalState = {
    version: dist.version,
    clusterId,
    host: HOST,
    basePort,
    nodes: nodes.map((n) => ({...n, pid: null})),
    kafkaSource: dist.source,
    startedAt: new Date().toISOString(),
    extraProperties,
    secure,
    scramUsers,
    ...(security ? {security} : {}),
  }
  for (const node of state.nodes) node.pid = launchNode(java.path, dist, node, options.heap ?? '512m')
  await writeState(state)

  const brokers = nodes.map((n) => `${HOST}:${n.port}`)
  log(`waiting for ${count === 1 ? 'the broker' : `${count} brokers`} on ${brokers.join(',')}`)
  await waitUntilServing(state, options.waitMs ?? 120_000)
  if (credentials && !scramUsers) {
    // Storage formatted before --secure was first given: add the SCRAM users through the running cluster.
    log('adding the SCRAM users')
    await addScramUsers(java.path, dist, brokers[0], credentials)
    state.scramUsers = true
    await writeState(state)
  }
  return {alreadyRunning: false, state, brokers, elapsedMs: Date.now() - started}
}

async function formatStorage(java: string, dist: KafkaDistribution, node: LocalNode, clusterId: string, extraArgs: string[] = []): Promise<void> {
  const args = ['-Xmx256m', dist.logConfigFlag, '-cp', dist.classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.propertiesFile, '--ignore-formatted', ...extraArgs]
  const {code, text: output} = await runTool(java, args)
  if (code !== 0) {
    throw new KafkitError(
      'LOCAL_FORMAT_FAILED',
      `formatting the storage of node ${node.id} failed: ${lastLines(output, 3)
        .join(' | ')
        .replaceAll(/password=[^\],]*/g, 'password=[redacted]')}`,
      {
        hint: "wipe the local data with 'kafkit local reset' and try again",
      },
    )
  }
}

async function addScramUsers(java: string, dist: KafkaDistribution, broker: string, credentials: LocalCredentials): Promise<void> {
  // One mechanism per request: Kafka refuses to alter one user's credentials twice in a request.
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    const args = [
      '-Xmx256m',
      dist.logConfigFlag,
      '-cp',
      dist.classpath,
      'org.apache.kafka.tools.ConfigCommand',
      '--bootstrap-server',
      broker,
      '--alter',
      '--add-config',
      `${mechanism}=[password=${credentials.password}]`,
      '--entity-type',
      'users',
      '--entity-name',
      credentials.username,
    ]
    const {code, text: output} = await runTool(java, args)
    // The output can echo the config: never show it.
    if (code !== 0)
      throw new KafkitError('LOCAL_SCRAM_FAILED', `adding the SCRAM users failed (exit ${code}, ${output.split(credentials.password).join('[redacted]').trim().split('\n').at(-1)})`, {
        hint: "start from empty data with 'kafkit local reset'",
      })
  }
}

function launchNode(java: string, dist: KafkaDistribution, node: LocalNode, heap: string): number {
  const args = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    dist.logConfigFlag,
    `-Dkafka.logs.dir=${node.dir}`,
    '-cp',
    dist.classpath,
    'kafka.Kafka',
    node.propertiesFile,
  ]
  const pid = launchDetached(java, args, node.logFile, node.dir)
  if (!pid) throw new KafkitError('LOCAL_START_FAILED', `could not start Java for node ${node.id}`)
  return pid
}

/** Polls with metadata requests until every node is a live broker; fails fast when a node exits. */
async function waitUntilServing(state: LocalState, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs
  const [{createClient}, {describeBrokers, partitionsNotServed}] = await Promise.all([import('../kafka/client.js'), import('../kafka/cluster-info.js')])
  const brokers = state.nodes.map((n) => `${state.host}:${n.port}`)
  let notServed: number | undefined
  while (Date.now() < deadline) {
    for (const node of state.nodes) {
      if (!isKafkaProcess(node.pid)) {
        const tail = await readLogTail(node.logFile, 12)
        throw new KafkitError('LOCAL_START_FAILED', `Kafka node ${node.id} exited during start-up; last log lines:\n${tail.join('\n')}`, {
          hint: `full log: ${node.logFile}`,
        })
      }
    }
    if (await Promise.all(state.nodes.map((n) => isListening(n.port, state.host))).then((all) => all.every(Boolean))) {
      const client = await createClient({profile: 'local', brokers, clientId: 'kafkit-local'}, {timeoutMs: 3000})
      try {
        const cluster = await describeBrokers(client, 'metadata')
        // Answering metadata is not serving: right after a restart, partitions get their leaders back over
        // seconds (thousands of partitions: several), and reads fail until then.
        if (cluster.brokers.length === state.nodes.length && cluster.controller !== null) {
          notServed = await partitionsNotServed(client)
          if (notServed === 0) return
        }
      } catch {
        // not ready yet
      } finally {
        await client.disconnect()
      }
    }
    await sleep(300)
  }
  const why = notServed ? ` (it answers, but ${notServed} partition${notServed === 1 ? ' has' : 's have'} no leader serving ${notServed === 1 ? 'it' : 'them'} yet)` : ''
  throw new KafkitError('LOCAL_START_TIMEOUT', `Kafka did not serve requests within ${Math.round(waitMs / 1000)}s${why}`, {
    hint: `wait longer with --wait, or see 'kafkit local logs' (${state.nodes[0].logFile})`,
    exitCode: 7,
  })
}

export interface StopResult {
  wasRunning: boolean
  stopped: number[]
  killed: number[]
  /** The Connect worker of `local start --connect`, stopped first. */
  connect?: {wasRunning: boolean; killed: boolean}
}

/** SIGTERM every node (a clean shutdown), SIGKILL what is left after `graceMs`: no Java process stays behind. */
export async function stopLocal(graceMs = 30_000, nodeIds?: number[]): Promise<StopResult> {
  // The Connect worker (local start --connect) first, while the brokers are up for it to leave its group.
  const connect = nodeIds ? undefined : await import('./connect-worker.js').then((m) => m.stopConnectWorker())
  const state = await readState()
  const targets = (state?.nodes ?? []).filter((n) => !nodeIds || nodeIds.includes(n.id))
  const running = targets.filter((n) => isKafkaProcess(n.pid))
  for (const node of running) signal(node.pid!, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (running.some((n) => isKafkaProcess(n.pid)) && Date.now() < deadline) await sleep(200)
  const killed: number[] = []
  for (const node of running) {
    if (isKafkaProcess(node.pid)) {
      signal(node.pid!, 'SIGKILL')
      killed.push(node.id)
    }
  }
  while (running.some((n) => isKafkaProcess(n.pid))) await sleep(100)
  if (state) {
    for (const node of targets) node.pid = null
    if (state.nodes.every((n) => n.pid === null)) state.startedAt = null
    await writeState(state)
  }
  return {wasRunning: running.length > 0, stopped: running.map((n) => n.id), killed, ...(connect?.wasRunning ? {connect} : {})}
}

/** Kills one node hard (SIGKILL), for failover tests. */
export async function killNode(id: number): Promise<boolean> {
  const state = await readState()
  const node = state?.nodes.find((n) => n.id === id)
  if (!node || !isKafkaProcess(node.pid)) return false
  signal(node.pid!, 'SIGKILL')
  while (isKafkaProcess(node.pid)) await sleep(50)
  return true
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

export interface ResetResult {
  wasRunning: boolean
  wiped: string
  restarted: boolean
}

/** Wipes all local data. A running cluster is stopped first and started again, empty, with the same layout. */
export async function resetLocal(options: StartOptions = {}): Promise<ResetResult> {
  const state = await readState()
  const status = await localStatus()
  // A running Connect worker is stopped with the cluster and comes back with it (its topics start empty too).
  const connect = await import('./connect-worker.js')
  const worker = await connect.runningWorkerOptions()
  if (status.running || worker) await stopLocal()
  // The schema registry's state and data live under the local dir too: stopped, wiped, started again empty.
  const registry = await readRegistryState()
  const registryRan = (await stopRegistry()).wasRunning
  await rm(localDir(), {recursive: true, force: true})
  if (status.running && state) {
    const started = await startLocal({
      ...options,
      nodes: state.nodes.length,
      basePort: state.basePort,
      version: options.version ?? state.version,
      extraProperties: state.extraProperties,
      secure: options.secure ?? state.secure,
    })
    if (worker) await connect.prepareConnectWorker(worker).start({version: started.state.version, brokers: started.brokers})
  }
  if (registryRan && registry) await startRegistry({port: registry.port, storage: registry.storage, version: registry.version, log: options.log})
  return {wasRunning: status.running, wiped: localDir(), restarted: status.running}
}

export {readLogTail}
