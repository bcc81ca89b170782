/**
 * `kafkit local start --connect`: a real Kafka Connect worker in distributed mode, started with Java from jars
 * resolved on Maven Central (connect-runtime, connect-json, connect-transforms, connect-file: cached under
 * ~/.cache/kafkit/connect/<version>), its internal topics on the local cluster, REST on 127.0.0.1:8083.
 * `--connect-plugin GROUP:ARTIFACT:VERSION` adds a connector plugin to its plugin path: the artifact's Connect
 * plugin archive (`-plugin.tar.gz`, as Debezium publishes) when there is one, else the artifact and its runtime
 * dependencies (cached under ~/.cache/kafkit/connect/plugins/). State (pid, port, plugins) lives in
 * <local dir>/connect/state.json, apart from the brokers' state.
 */
import {existsSync} from 'node:fs'
import {mkdir, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError, usageError} from '../errors.js'
import {DEFAULT_KAFKA_VERSION, loggingFor, mavenPom} from './distribution.js'
import {isJavaProcess, launchDetached, requireJava, runTool, stopProcess} from './java.js'
import {lastLines, readJsonFile, readLogTail, readStateFile, writeJsonFile} from './state.js'
import {cacheRoot, localDir} from './paths.js'
import {isFree, isListening, portOwner} from './ports.js'

export const CONNECT_HOST = '127.0.0.1'
export const CONNECT_PORT = 8083
/** kafkit's own names, so that the worker never joins or reads another Connect cluster's group and topics. */
export const CONNECT_GROUP = 'kafkit-connect'
export const CONNECT_TOPICS = {config: 'kafkit-connect-configs', offset: 'kafkit-connect-offsets', status: 'kafkit-connect-status'} as const

/**
 * Kafka version -> the Connect version whose jars work together, where it is not the same. Checked on Maven
 * Central on 2026-12-06: connect-runtime 4.4.0 is served but connect-file 4.4.0 is not (4.3.1 is the newest), and
 * connect-file 4.3.1 does not run on connect-runtime 4.4.0 (it calls org.apache.kafka.common.utils.AppInfoParser,
 * which 4.4 moved to ...utils.internals: NoClassDefFoundError on every FileStream call). A 4.3.1 worker talks to a
 * 4.4.0 broker like any 4.3 client does, so a 4.4.0 cluster gets a 4.3.1 worker until connect-file 4.4.0 is served.
 */
export const CONNECT_VERSION_PINS: Record<string, string> = {'4.4.0': '4.3.1'}

/** A JDBC sink known to run on the pinned worker (used by the retail walkthrough): Debezium's, for PostgreSQL and others. */
export const DEBEZIUM_JDBC_PLUGIN = 'io.debezium:debezium-connector-jdbc:3.6.0.Final'

export function connectVersionFor(kafkaVersion: string): string {
  return CONNECT_VERSION_PINS[kafkaVersion] ?? kafkaVersion
}

export const connectCacheDir = (version: string) => join(cacheRoot(), 'connect', version)
export const workerDir = () => join(localDir(), 'connect')
const stateFile = () => join(workerDir(), 'state.json')

export interface PluginCoordinate {
  groupId: string
  artifactId: string
  version: string
  /** GROUP:ARTIFACT:VERSION */
  id: string
}

/** `io.debezium:debezium-connector-jdbc:3.6.0.Final` -> its parts; exit 2 for anything else. */
export function parsePluginCoordinate(text: string): PluginCoordinate {
  const parts = text.trim().split(':')
  const ok = /^[A-Za-z0-9_.-]+$/
  if (parts.length !== 3 || !parts.every((p) => ok.test(p))) {
    throw usageError(`--connect-plugin '${text}' is not GROUP:ARTIFACT:VERSION`, `e.g. --connect-plugin ${DEBEZIUM_JDBC_PLUGIN}`, 'BAD_PLUGIN')
  }
  const [groupId, artifactId, version] = parts
  return {groupId, artifactId, version, id: `${groupId}:${artifactId}:${version}`}
}

export const pluginCacheDir = (p: PluginCoordinate) => join(cacheRoot(), 'connect', 'plugins', `${p.groupId}+${p.artifactId}+${p.version}`)

/**
 * The worker's jars: the runtime, its converters and transforms, the FileStream connectors, one kafka-clients and
 * connect-api (declared first, so that Maven picks them over older transitive ones), and a logging binding.
 */
export function connectPom(version: string): string {
  const kafka = ['kafka-clients', 'connect-api', 'connect-runtime', 'connect-json', 'connect-transforms', 'connect-file'].map((a) => `org.apache.kafka:${a}:${version}`)
  return mavenPom('connect-jars', version, [...kafka, ...loggingFor(version).artifacts])
}

export interface WorkerLayout {
  bootstrap: string[]
  host: string
  port: number
  /** Of the internal topics: 1 on one node, up to 3. */
  replicationFactor: number
  pluginPath: string[]
  /** service_load (fast: plugins declare themselves) unless a plugin lacks the ServiceLoader manifests. */
  discovery: 'service_load' | 'hybrid_warn'
}

/** connect-distributed.properties for the local worker: pure, unit-tested. */
export function workerProperties(layout: WorkerLayout): string {
  const rf = String(layout.replicationFactor)
  const props: [string, string][] = [
    ['bootstrap.servers', layout.bootstrap.join(',')],
    ['group.id', CONNECT_GROUP],
    ['config.storage.topic', CONNECT_TOPICS.config],
    ['offset.storage.topic', CONNECT_TOPICS.offset],
    ['status.storage.topic', CONNECT_TOPICS.status],
    ['config.storage.replication.factor', rf],
    ['offset.storage.replication.factor', rf],
    ['status.storage.replication.factor', rf],
    ['offset.storage.partitions', '5'],
    ['key.converter', 'org.apache.kafka.connect.json.JsonConverter'],
    ['value.converter', 'org.apache.kafka.connect.json.JsonConverter'],
    ['listeners', `http://${layout.host}:${layout.port}`],
    ['rest.advertised.host.name', layout.host],
    ['rest.advertised.port', String(layout.port)],
    ['plugin.discovery', layout.discovery],
    // Sinks commit their consumer offsets every second (default 60 s): lag and offsets move while you watch.
    ['offset.flush.interval.ms', '1000'],
    // One worker: when it restarts, its connectors and tasks come back at once, not after the default 5 minutes.
    ['scheduled.rebalance.max.delay.ms', '0'],
    // Secrets in connector configs as ${env:NAME} or ${file:/path:key}, resolved by the worker.
    ['config.providers', 'env,file'],
    ['config.providers.env.class', 'org.apache.kafka.common.config.provider.EnvVarConfigProvider'],
    ['config.providers.file.class', 'org.apache.kafka.common.config.provider.FileConfigProvider'],
  ]
  // Connect refuses an empty plugin.path: without --connect-plugin the FileStream connectors come from the classpath.
  if (layout.pluginPath.length > 0) props.push(['plugin.path', layout.pluginPath.join(',')])
  return ['# Written by `kafkit local start --connect` at every start: edit the code, not this file.', ...props.map(([k, v]) => `${k}=${v}`), ''].join('\n')
}

export interface ConnectRuntime {
  version: string
  classpath: string
  source: 'kafka-home' | 'maven-cache' | 'maven'
  dir: string
}

/** The worker's jars for a broker version: a Kafka distribution's libs/ (it has Connect), else Maven Central, cached. */
export async function resolveConnectRuntime(kafkaVersion: string, options: {kafkaHome?: string; log?: (line: string) => void} = {}): Promise<ConnectRuntime> {
  const home = options.kafkaHome ?? process.env.KAFKA_HOME
  if (home) {
    const libs = join(home, 'libs')
    const files = existsSync(libs) ? await readdir(libs) : []
    const runtime = files.find((f) => /^connect-runtime-.*\.jar$/.test(f))
    if (!runtime) throw new KafkitError('KAFKA_HOME_INVALID', `${home}/libs has no connect-runtime jar`, {hint: 'point KAFKA_HOME at an unpacked Kafka distribution (it ships Kafka Connect)'})
    return {version: /^connect-runtime-(.+)\.jar$/.exec(runtime)![1], classpath: `${libs}/*`, source: 'kafka-home', dir: home}
  }
  const version = connectVersionFor(kafkaVersion)
  const dir = connectCacheDir(version)
  const libs = join(dir, 'libs')
  const marker = join(dir, '.complete')
  const result = (source: ConnectRuntime['source']): ConnectRuntime => ({version, classpath: `${libs}/*`, source, dir})
  if (existsSync(marker)) return result('maven-cache')
  await rm(dir, {recursive: true, force: true})
  await mkdir(dir, {recursive: true})
  await writeFile(join(dir, 'pom.xml'), connectPom(version))
  options.log?.(`fetching Kafka Connect ${version} from Maven Central into ${dir} (once)`)
  const out = await runTool('mvn', ['-B', '-q', '-f', join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'])
  if (out.code !== 0 || !existsSync(libs)) {
    throw new KafkitError('CONNECT_FETCH_FAILED', `Maven could not fetch Kafka Connect ${version}: ${lastLines(out.text, 4).join(' | ') || `exit ${out.code}`}`, {
      hint: 'is Maven Central reachable? (or set KAFKA_HOME to an unpacked Kafka distribution: it ships Connect)',
    })
  }
  await writeFile(marker, new Date().toISOString() + '\n')
  return result('maven')
}

export interface ConnectPlugin {
  coordinate: string
  /** The plugin.path entry: a directory holding the plugin's directory of jars. */
  dir: string
  /** plugin-archive: the artifact's -plugin.tar.gz; dependencies: the jar and its runtime dependencies. */
  source: 'plugin-archive' | 'dependencies'
  /** The plugin declares its classes in META-INF/services (fast discovery at start). */
  serviceManifests: boolean
  cached: boolean
}

/** Fetches a connector plugin once into the cache: its Connect plugin archive, else its runtime dependencies. */
export async function resolvePlugin(coordinate: PluginCoordinate, log?: (line: string) => void): Promise<ConnectPlugin> {
  const dir = pluginCacheDir(coordinate)
  const marker = join(dir, 'kafkit-plugin.json')
  if (existsSync(marker)) return {...(JSON.parse(await readFile(marker, 'utf8')) as Omit<ConnectPlugin, 'cached' | 'dir'>), dir, cached: true}
  await rm(dir, {recursive: true, force: true})
  await mkdir(dir, {recursive: true})
  log?.(`fetching the Connect plugin ${coordinate.id} from Maven Central into ${dir} (once)`)
  let source: ConnectPlugin['source'] = 'plugin-archive'
  // Debezium and others publish the plugin as Connect wants it: <artifact>-<version>-plugin.tar.gz.
  const archive = await runTool('mvn', [
    '-B',
    '-q',
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
    `-Dartifact=${coordinate.id}:tar.gz:plugin`,
    `-DoutputDirectory=${join(dir, 'archive')}`,
  ])
  const tarball = archive.code === 0 ? (await readdir(join(dir, 'archive')).catch(() => [])).find((f) => f.endsWith('.tar.gz')) : undefined
  if (tarball) {
    const untar = await runTool('tar', ['-xzf', join(dir, 'archive', tarball), '-C', dir])
    if (untar.code !== 0) throw new KafkitError('CONNECT_PLUGIN_FETCH_FAILED', `could not unpack ${tarball}: ${lastLines(untar.text, 2).join(' | ')}`, {hint: 'is tar installed?'})
    await rm(join(dir, 'archive'), {recursive: true, force: true})
  } else {
    source = 'dependencies'
    await rm(join(dir, 'archive'), {recursive: true, force: true})
    // The artifact and its runtime dependencies; Kafka's own jars come from the worker (Connect loads them from its parent).
    const exclude = coordinate.groupId === 'org.apache.kafka' ? ['-DexcludeArtifactIds=kafka-clients,connect-api,connect-runtime'] : ['-DexcludeGroupIds=org.apache.kafka']
    await writeFile(join(dir, 'pom.xml'), mavenPom('connect-plugin', '1', [coordinate.id]))
    const deps = await runTool('mvn', [
      '-B',
      '-q',
      '-f',
      join(dir, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${join(dir, coordinate.artifactId)}`,
      '-DincludeScope=runtime',
      ...exclude,
    ])
    if (deps.code !== 0) {
      await rm(dir, {recursive: true, force: true})
      throw new KafkitError('CONNECT_PLUGIN_FETCH_FAILED', `Maven could not fetch the Connect plugin ${coordinate.id}: ${lastLines(deps.text, 3).join(' | ') || `exit ${deps.code}`}`, {
        hint: 'is GROUP:ARTIFACT:VERSION right and served by Maven Central? (mvn dependency:get -Dartifact=...)',
      })
    }
  }
  const plugin = {coordinate: coordinate.id, source, serviceManifests: await hasServiceManifests(dir)}
  await writeFile(marker, JSON.stringify(plugin, null, 2) + '\n')
  return {...plugin, dir, cached: false}
}

async function jarsUnder(dir: string, depth: number): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, {withFileTypes: true})) {
    const path = join(dir, e.name)
    if (e.isDirectory() && depth > 0) out.push(...(await jarsUnder(path, depth - 1)))
    else if (e.name.endsWith('.jar')) out.push(path)
  }
  return out
}

/** Whether a jar under `dir` declares Connect plugins for ServiceLoader (the entry name is stored uncompressed). */
async function hasServiceManifests(dir: string): Promise<boolean> {
  const needle = Buffer.from('META-INF/services/org.apache.kafka.connect.')
  const jars = await jarsUnder(dir, 2)
  for (const jar of jars) if ((await readFile(jar)).includes(needle)) return true
  return false
}

export interface ConnectWorkerState {
  pid: number | null
  host: string
  port: number
  url: string
  kafkaVersion: string
  version: string
  bootstrap: string[]
  plugins: string[]
  discovery: WorkerLayout['discovery']
  logFile: string
  propertiesFile: string
  startedAt: string | null
}

export async function readWorkerState(): Promise<ConnectWorkerState | undefined> {
  return readJsonFile<ConnectWorkerState>(stateFile())
}

async function writeWorkerState(state: ConnectWorkerState): Promise<void> {
  await writeJsonFile(stateFile(), state)
}

/** The process is alive and really is a Connect worker (not a recycled pid). */
export function isConnectProcess(pid: number | null | undefined): boolean {
  return isJavaProcess(pid, 'ConnectDistributed')
}

export interface ConnectWorkerStatus {
  running: boolean
  pid: number | null
  alive: boolean
  listening: boolean
  url: string
  version: string
  plugins: string[]
  logFile: string
}

/** The local worker, if it was ever started here. */
export async function connectWorkerStatus(): Promise<ConnectWorkerStatus | undefined> {
  const state = await readWorkerState()
  if (!state) return undefined
  const alive = isConnectProcess(state.pid)
  const listening = alive && (await isListening(state.port, state.host))
  return {running: alive && listening, pid: state.pid, alive, listening, url: state.url, version: state.version, plugins: state.plugins, logFile: state.logFile}
}

export interface ConnectStartOptions {
  /** GROUP:ARTIFACT:VERSION of connector plugins to add (kept for later starts). */
  plugins?: string[]
  port?: number
  heap?: string
  /** The broker's version when known before Kafka starts (--kafka-version); else the local state's, else the default. */
  kafkaVersion?: string
  kafkaHome?: string
  /** Milliseconds to wait for the REST API to answer. */
  waitMs?: number
  log?: (line: string) => void
}

export interface ConnectStartResult {
  alreadyRunning: boolean
  /** It was running without a requested plugin, and was restarted with it. */
  restarted: boolean
  url: string
  pid: number | null
  version: string
  kafkaVersion: string
  plugins: string[]
  discovery: WorkerLayout['discovery']
  logFile: string
  elapsedMs: number
}

/** What `start` needs of the cluster it joins (from startLocal's result). */
export interface LocalCluster {
  version: string
  brokers: string[]
}

/**
 * Starts resolving the worker's jars and plugins now, so that Maven runs while Kafka starts; `start` then launches
 * the worker against the cluster. Only a malformed plugin coordinate throws at once; fetch errors come from `start`.
 */
export function prepareConnectWorker(options: ConnectStartOptions = {}): {start: (cluster: LocalCluster) => Promise<ConnectStartResult>} {
  const started = Date.now()
  const log = options.log ?? (() => {})
  // A bad coordinate is a usage error now, before anything starts.
  const requested = (options.plugins ?? []).map(parsePluginCoordinate)
  const prepared = (async () => {
    const previous = await readWorkerState()
    const kafkaVersion = options.kafkaVersion ?? (await readStateFile<{version?: string}>())?.version ?? DEFAULT_KAFKA_VERSION
    const coordinates = unionPlugins(
      previous?.plugins ?? [],
      requested.map((r) => r.id),
    ).map(parsePluginCoordinate)
    const [runtime, plugins] = await Promise.all([resolveConnectRuntime(kafkaVersion, {kafkaHome: options.kafkaHome, log}), Promise.all(coordinates.map((c) => resolvePlugin(c, log)))])
    return {previous, kafkaVersion, runtime, plugins}
  })()
  prepared.catch(() => {}) // observed by start()
  return {
    start: async (cluster) => {
      let {previous, kafkaVersion, runtime, plugins} = await prepared
      if (cluster.version !== kafkaVersion && cluster.version !== 'unknown') {
        kafkaVersion = cluster.version
        runtime = await resolveConnectRuntime(kafkaVersion, {kafkaHome: options.kafkaHome, log})
      }
      const port = options.port ?? previous?.port ?? CONNECT_PORT
      let restarted = false
      if (previous && isConnectProcess(previous.pid)) {
        const missing = requested.map((r) => r.id).filter((id) => !previous!.plugins.includes(id))
        if (missing.length === 0 && port === previous.port) {
          return {
            alreadyRunning: true,
            restarted: false,
            url: previous.url,
            pid: previous.pid,
            version: previous.version,
            kafkaVersion: previous.kafkaVersion,
            plugins: previous.plugins,
            discovery: previous.discovery,
            logFile: previous.logFile,
            elapsedMs: Date.now() - started,
          }
        }
        log(missing.length > 0 ? `restarting the Connect worker to add ${missing.join(', ')}` : `restarting the Connect worker on port ${port}`)
        await stopConnectWorker()
        restarted = true
      }
      if (!(await isFree(port, CONNECT_HOST))) {
        const owner = await portOwner(port)
        throw new KafkitError('PORT_IN_USE', `port ${port} on ${CONNECT_HOST} (Kafka Connect's REST API) is already in use${owner ? ` by ${owner}` : ''}`, {
          hint: 'stop that process, or start the worker on another port with --connect-port',
        })
      }
      const java = requireJava(kafkaVersion)
      const dir = workerDir()
      await mkdir(dir, {recursive: true})
      const logging = loggingFor(runtime.version)
      const logConfig = join(dir, logging.fileName)
      await writeFile(logConfig, logging.content)
      const discovery = plugins.every((p) => p.serviceManifests) ? 'service_load' : 'hybrid_warn'
      for (const p of plugins.filter((x) => !x.serviceManifests)) log(`warning: ${p.coordinate} declares no plugins for ServiceLoader: the worker scans every class at start (slower)`)
      const layout: WorkerLayout = {
        bootstrap: cluster.brokers,
        host: CONNECT_HOST,
        port,
        replicationFactor: Math.min(3, cluster.brokers.length),
        pluginPath: plugins.map((p) => p.dir),
        discovery,
      }
      const propertiesFile = join(dir, 'worker.properties')
      await writeFile(propertiesFile, workerProperties(layout))
      const logFile = join(dir, 'connect.log')
      const state: ConnectWorkerState = {
        pid: null,
        host: CONNECT_HOST,
        port,
        url: `http://${CONNECT_HOST}:${port}`,
        kafkaVersion,
        version: runtime.version,
        bootstrap: cluster.brokers,
        plugins: plugins.map((p) => p.coordinate),
        discovery,
        logFile,
        propertiesFile,
        startedAt: new Date().toISOString(),
      }
      state.pid = launchWorker(java.path, runtime.classpath, logging.flag(logConfig), propertiesFile, logFile, dir, options.heap ?? '512m')
      await writeWorkerState(state)
      log(`waiting for Kafka Connect ${runtime.version} on ${state.url}`)
      await waitUntilServing(state, options.waitMs ?? 180_000)
      return {alreadyRunning: false, restarted, url: state.url, pid: state.pid, version: state.version, kafkaVersion, plugins: state.plugins, discovery, logFile, elapsedMs: Date.now() - started}
    },
  }
}

/** Plugins kept from earlier starts, then the new ones; one entry per GROUP:ARTIFACT (the newest request wins). */
export function unionPlugins(kept: string[], requested: string[]): string[] {
  const key = (id: string) => id.split(':').slice(0, 2).join(':')
  const out = new Map<string, string>()
  for (const id of [...kept, ...requested]) {
    if (!id.includes(':')) continue
    out.delete(key(id))
    out.set(key(id), id)
  }
  return [...out.values()]
}

function launchWorker(java: string, classpath: string, logFlag: string, propertiesFile: string, logFile: string, cwd: string, heap: string): number {
  const args = [
    `-Xms128m`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    logFlag,
    '-cp',
    classpath,
    'org.apache.kafka.connect.cli.ConnectDistributed',
    propertiesFile,
  ]
  const pid = launchDetached(java, args, logFile, cwd)
  if (!pid) throw new KafkitError('CONNECT_START_FAILED', 'could not start Java for the Kafka Connect worker')
  return pid
}

/** Polls GET /connectors until the worker answers; fails fast, with its last log lines, when it exits. */
async function waitUntilServing(state: ConnectWorkerState, waitMs: number): Promise<void> {
  const {ConnectClient} = await import('../connect/client.js')
  const client = new ConnectClient({url: state.url}, {timeoutMs: 3000})
  const deadline = Date.now() + waitMs
  const logStart = (await stat(state.logFile).catch(() => ({size: 0}))).size
  while (Date.now() < deadline) {
    if (!isConnectProcess(state.pid)) {
      const tail = await workerLogTail(state.logFile, logStart, 15)
      throw new KafkitError('CONNECT_START_FAILED', `the Kafka Connect worker exited during start-up; last log lines:\n${tail.join('\n')}`, {hint: `full log: ${state.logFile}`})
    }
    if (await isListening(state.port, state.host)) {
      const ready = await client.connectorNames().then(
        () => true,
        () => false,
      )
      if (ready) return
    }
    await sleep(300)
  }
  const tail = await workerLogTail(state.logFile, logStart, 8)
  throw new KafkitError('CONNECT_START_TIMEOUT', `Kafka Connect did not answer on ${state.url} within ${Math.round(waitMs / 1000)}s; last log lines:\n${tail.join('\n')}`, {
    hint: `the worker is still starting or stuck: 'kafkit local logs --connect' (${state.logFile}); 'kafkit local stop' stops it`,
    exitCode: 7,
  })
}

/** The log lines written since `from` (this start), else the file's last lines. */
async function workerLogTail(file: string, from: number, lines: number): Promise<string[]> {
  try {
    const text = (await readFile(file)).subarray(from).toString('utf8')
    return text.trim() ? lastLines(text, lines) : await readLogTail(file, lines)
  } catch {
    return []
  }
}

export interface ConnectStopResult {
  wasRunning: boolean
  killed: boolean
}

/** SIGTERM (a clean leave of the group), SIGKILL after `graceMs`. */
export async function stopConnectWorker(graceMs = 20_000): Promise<ConnectStopResult> {
  const state = await readWorkerState()
  if (!state || !isConnectProcess(state.pid)) return {wasRunning: false, killed: false}
  const killed = await stopProcess(state.pid!, isConnectProcess, graceMs)
  state.pid = null
  state.startedAt = null
  await writeWorkerState(state)
  return {wasRunning: true, killed}
}

/** The options to start the worker again as it runs now (`local reset` wipes its state with the data); undefined when it is not running. */
export async function runningWorkerOptions(): Promise<ConnectStartOptions | undefined> {
  const state = await readWorkerState()
  return state && isConnectProcess(state.pid) ? {plugins: state.plugins, port: state.port} : undefined
}
