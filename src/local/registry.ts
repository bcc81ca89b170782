/**
 * `kafkit local start --schema-registry`: Apicurio Registry 3.x, a real registry serving the Confluent-compatible
 * API at http://127.0.0.1:8081/apis/ccompat/v7. Its jars come from Maven Central once (the
 * io.apicurio:apicurio-registry-app:<version>:tar.gz:all artifact, unpacked to a runnable quarkus-run.jar, cached
 * under <cache>/apicurio/<version>); it runs on Java 21+ (JAVA_HOME if new enough, else java on PATH, else the
 * newest JDK under /usr/lib/jvm). State lives in <local dir>/registry/state.json, beside Kafka's.
 *
 * Storage is in memory by default: the local registry is for trying things and for tests, and starts empty,
 * like a fresh `schemas` scenario should; nothing on disk can go stale when Apicurio is upgraded. `--schema-registry-storage
 * file` keeps the schemas in an H2 database file under <local dir>/registry/data instead (then schema ids in
 * the local Kafka's records stay valid across restarts). The choice is kept for later starts.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {ExitCode, KafkitError} from '../errors.js'
import {isJavaProcess, launchDetached, parseJavaVersion, runTool, stopProcess} from './java.js'
import {cacheRoot, localDir} from './paths.js'
import {isFree, isListening, portOwner} from './ports.js'
import {readJsonFile, writeJsonFile} from './state.js'

/** Newest Apicurio Registry 3.x on Maven Central when this was written (3.3.3); see README, Schema Registry. */
export const APICURIO_VERSION = '3.3.3'
export const REGISTRY_PORT = 8081
export const REGISTRY_API_PATH = '/apis/ccompat/v7'
export const REGISTRY_MIN_JAVA = 21
const HOST = '127.0.0.1'

export type RegistryStorage = 'memory' | 'file'
export const REGISTRY_STORAGES: readonly RegistryStorage[] = ['memory', 'file']

export interface RegistryState {
  version: string
  host: string
  port: number
  storage: RegistryStorage
  pid: number | null
  java: string
  logFile: string
  dataDir: string
  startedAt: string | null
}

export interface RegistryStatus {
  /** Ever started here (a state file exists). */
  configured: boolean
  running: boolean
  version: string | null
  url: string | null
  pid: number | null
  alive: boolean
  listening: boolean
  storage: RegistryStorage | null
  logFile: string | null
}

export const registryDir = (env: NodeJS.ProcessEnv = process.env) => join(localDir(env), 'registry')
const stateFile = () => join(registryDir(), 'state.json')
export const apicurioCacheDir = (version: string) => join(cacheRoot(), 'apicurio', version)
export const registryUrl = (port = REGISTRY_PORT, host = HOST) => `http://${host}:${port}${REGISTRY_API_PATH}`

export async function readRegistryState(): Promise<RegistryState | undefined> {
  return readJsonFile<RegistryState>(stateFile())
}

async function writeRegistryState(state: RegistryState): Promise<void> {
  await writeJsonFile(stateFile(), state)
}

/** The process is alive and is Apicurio (not a recycled pid). */
export function isRegistryProcess(pid: number | null): boolean {
  return isJavaProcess(pid, 'quarkus-run.jar')
}

// ---------------------------------------------------------------------------------------------------------------
// Java 21+

export interface JavaCandidate {
  path: string
  major: number
  version: string
  source: string
}

/** Java 21+: JAVA_HOME when new enough, else `java` on PATH, else the newest JDK under `jvmDir`. */
export function findJavaFor(minMajor = REGISTRY_MIN_JAVA, env: NodeJS.ProcessEnv = process.env, jvmDir = '/usr/lib/jvm'): JavaCandidate {
  const seen: JavaCandidate[] = []
  const probe = (path: string, source: string): JavaCandidate | undefined => {
    const result = spawnSync(path, ['-version'], {encoding: 'utf8', timeout: 15_000, env})
    const parsed = result.error ? undefined : parseJavaVersion(`${result.stderr}${result.stdout}`)
    if (!parsed) return undefined
    const candidate = {path, source, ...parsed}
    seen.push(candidate)
    return candidate.major >= minMajor ? candidate : undefined
  }
  const fromHome = env.JAVA_HOME ? probe(join(env.JAVA_HOME, 'bin', 'java'), 'JAVA_HOME') : undefined
  if (fromHome) return fromHome
  const fromPath = probe('java', 'PATH')
  if (fromPath) return fromPath
  const jdks = jdkDirs(jvmDir)
    .map((dir) => ({dir, major: releaseMajor(dir)}))
    .sort((a, b) => (b.major ?? 0) - (a.major ?? 0))
  for (const {dir, major} of jdks) {
    if (major !== undefined && major < minMajor) continue
    const found = probe(join(dir, 'bin', 'java'), dir)
    if (found) return found
  }
  const have = seen.length > 0 ? `; found ${[...new Map(seen.map((c) => [c.version, c])).values()].map((c) => `Java ${c.version} (${c.source})`).join(', ')}` : ''
  throw new KafkitError('JAVA_TOO_OLD', `Apicurio Registry needs Java ${minMajor} or newer${have}`, {
    hint: `install one (Debian/Ubuntu: apt-get install openjdk-${minMajor}-jre-headless, or a Temurin ${minMajor}+ JDK under ${jvmDir}) or set JAVA_HOME to it`,
  })
}

function jdkDirs(jvmDir: string): string[] {
  try {
    return readdirSync(jvmDir)
      .map((name) => join(jvmDir, name))
      .filter((dir) => existsSync(join(dir, 'bin', 'java')))
  } catch {
    return []
  }
}

/** JAVA_VERSION="25.0.1" from a JDK's `release` file, without starting it. */
function releaseMajor(dir: string): number | undefined {
  try {
    const m = /JAVA_VERSION="([^"]+)"/.exec(readFileSync(join(dir, 'release'), 'utf8'))
    return m ? parseJavaVersion(`version "${m[1]}"`)?.major : undefined
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Distribution

export interface ApicurioDistribution {
  version: string
  dir: string
  jar: string
  source: 'cache' | 'maven'
}

/** Finds or fetches Apicurio's runnable jar (quarkus-run.jar). A cached version is used as it is. */
export async function resolveApicurio(options: {version?: string; log?: (line: string) => void} = {}): Promise<ApicurioDistribution> {
  const version = options.version ?? APICURIO_VERSION
  const dir = apicurioCacheDir(version)
  const app = join(dir, 'app')
  const jar = join(app, 'quarkus-run.jar')
  const marker = join(dir, '.complete')
  if (existsSync(marker) && existsSync(jar)) return {version, dir, jar, source: 'cache'}

  if (spawnSync('mvn', ['--version'], {stdio: 'ignore'}).error) {
    throw new KafkitError('MAVEN_NOT_FOUND', `cannot fetch Apicurio Registry ${version}: 'mvn' is not installed`, {
      hint: 'install Maven (apt-get install maven): kafkit fetches the registry from Maven Central once',
    })
  }
  await rm(dir, {recursive: true, force: true})
  await mkdir(app, {recursive: true})
  const download = join(dir, 'download')
  options.log?.(`fetching Apicurio Registry ${version} from Maven Central into ${dir} (once, ~160 MB)`)
  const artifact = `io.apicurio:apicurio-registry-app:${version}:tar.gz:all`
  const fetched = await runTool('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${download}`])
  const archive = join(download, `apicurio-registry-app-${version}-all.tar.gz`)
  if (fetched.code !== 0 || !existsSync(archive)) {
    const tail = fetched.text.trim().split('\n').slice(-5).join(' | ')
    throw new KafkitError('REGISTRY_FETCH_FAILED', `Maven could not fetch ${artifact}: ${tail || `exit ${fetched.code}`}`, {
      hint: `is the version right (default ${APICURIO_VERSION}) and Maven Central reachable?`,
    })
  }
  const unpacked = await runTool('tar', ['-xzf', archive, '-C', app])
  if (unpacked.code !== 0 || !existsSync(jar)) {
    throw new KafkitError('REGISTRY_FETCH_FAILED', `unpacking ${archive} failed: ${unpacked.text.trim().split('\n').at(-1) ?? `exit ${unpacked.code}`}`, {hint: `remove ${dir} and try again`})
  }
  // The unpacked jars are what runs: the archive (the same 160 MB again) is not kept.
  await rm(download, {recursive: true, force: true})
  await writeFile(marker, new Date().toISOString() + '\n')
  return {version, dir, jar, source: 'maven'}
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle

export interface RegistryStartOptions {
  port?: number
  storage?: RegistryStorage
  version?: string
  heap?: string
  /** Milliseconds to wait for the API to answer. */
  waitMs?: number
  log?: (line: string) => void
}

export interface RegistryStartResult {
  alreadyRunning: boolean
  url: string
  version: string
  storage: RegistryStorage
  pid: number
  java: string
  logFile: string
  elapsedMs: number
}

/** The Quarkus/Apicurio settings kafkit runs the registry with (as -D flags). */
export function registrySystemProperties(port: number, storage: RegistryStorage, dataDir: string): Record<string, string> {
  return {
    'quarkus.http.host': HOST,
    'quarkus.http.port': String(port),
    // The management interface (health, metrics) is built in and would listen on 0.0.0.0:9000: on a laptop or a
    // shared host that is both exposed and a port clash (a second registry, anything else on 9000). Loopback, any
    // free port.
    'quarkus.management.host': HOST,
    'quarkus.management.port': '0',
    // Apicurio 3 refuses deletes unless enabled: `schemas delete` must work on the local registry.
    'apicurio.rest.deletion.artifact.enabled': 'true',
    'apicurio.rest.deletion.artifact-version.enabled': 'true',
    'apicurio.rest.deletion.group.enabled': 'true',
    // GET /subjects stops at 1000 subjects by default.
    'apicurio.ccompat.max-subjects': '100000',
    ...(storage === 'file' ? {'apicurio.datasource.url': `jdbc:h2:file:${join(dataDir, 'registry')};DB_CLOSE_ON_EXIT=FALSE`} : {}),
  }
}

export async function startRegistry(options: RegistryStartOptions = {}): Promise<RegistryStartResult> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const previous = await readRegistryState()
  const port = options.port ?? previous?.port ?? REGISTRY_PORT
  const storage = options.storage ?? previous?.storage ?? 'memory'
  if (previous && isRegistryProcess(previous.pid)) {
    if ((options.port && options.port !== previous.port) || (options.storage && options.storage !== previous.storage)) {
      throw new KafkitError('REGISTRY_RUNNING', `the local schema registry is already running (port ${previous.port}, ${previous.storage} storage)`, {
        hint: "stop it first ('kafkit local stop') to change its port or storage",
        exitCode: ExitCode.REFUSED,
      })
    }
    return {
      alreadyRunning: true,
      url: registryUrl(previous.port, previous.host),
      version: previous.version,
      storage: previous.storage,
      pid: previous.pid!,
      java: previous.java,
      logFile: previous.logFile,
      elapsedMs: Date.now() - started,
    }
  }
  const java = findJavaFor(REGISTRY_MIN_JAVA)
  const dist = await resolveApicurio({version: options.version ?? previous?.version, log})
  if (!(await isFree(port, HOST))) {
    const owner = await portOwner(port)
    throw new KafkitError('PORT_IN_USE', `port ${port} on ${HOST} is already in use${owner ? ` by ${owner}` : ''}; the schema registry cannot start`, {
      hint: 'stop that process, or start the registry on another port with --schema-registry-port',
    })
  }
  const dir = registryDir()
  const dataDir = join(dir, 'data')
  const logFile = join(dir, 'registry.log')
  await mkdir(dataDir, {recursive: true})
  const properties = registrySystemProperties(port, storage, dataDir)
  const args = [
    `-Xmx${options.heap ?? '512m'}`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    ...Object.entries(properties).map(([k, v]) => `-D${k}=${v}`),
    '-jar',
    dist.jar,
  ]
  const pid = launchDetached(java.path, args, logFile, dir)
  if (!pid) throw new KafkitError('REGISTRY_START_FAILED', `could not start ${java.path} for the schema registry`)
  const state: RegistryState = {version: dist.version, host: HOST, port, storage, pid, java: java.path, logFile, dataDir, startedAt: new Date().toISOString()}
  await writeRegistryState(state)
  const url = registryUrl(port)
  log(`waiting for the schema registry (Apicurio ${dist.version}, Java ${java.major}) on ${url}`)
  await waitUntilReady(state, options.waitMs ?? 180_000)
  return {alreadyRunning: false, url, version: dist.version, storage, pid, java: java.path, logFile, elapsedMs: Date.now() - started}
}

/** Polls GET /subjects until it answers 200; fails fast with the log's last lines when the process exits. */
async function waitUntilReady(state: RegistryState, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs
  const url = `${registryUrl(state.port, state.host)}/subjects`
  while (Date.now() < deadline) {
    if (!isRegistryProcess(state.pid)) {
      const tail = await readRegistryLogTail(state.logFile, 15)
      throw new KafkitError('REGISTRY_START_FAILED', `the schema registry exited during start-up; last log lines:\n${tail.join('\n')}`, {hint: `full log: ${state.logFile}`})
    }
    if (await isListening(state.port, state.host)) {
      try {
        const response = await fetch(url, {signal: AbortSignal.timeout(3000)})
        await response.arrayBuffer()
        if (response.status === 200) return
      } catch {
        // not ready yet
      }
    }
    await sleep(500)
  }
  throw new KafkitError('REGISTRY_START_TIMEOUT', `the schema registry did not answer within ${Math.round(waitMs / 1000)}s`, {
    hint: `see 'kafkit local logs --schema-registry' (${state.logFile}); it keeps starting in the background`,
    exitCode: ExitCode.TIMEOUT,
  })
}

export interface RegistryStopResult {
  wasRunning: boolean
  killed: boolean
}

/** SIGTERM, then SIGKILL after `graceMs`: no Java process stays behind. */
export async function stopRegistry(graceMs = 20_000): Promise<RegistryStopResult> {
  const state = await readRegistryState()
  if (!state || !isRegistryProcess(state.pid)) {
    if (state && state.pid !== null) await writeRegistryState({...state, pid: null, startedAt: null})
    return {wasRunning: false, killed: false}
  }
  const killed = await stopProcess(state.pid!, isRegistryProcess, graceMs)
  await writeRegistryState({...state, pid: null, startedAt: null})
  return {wasRunning: true, killed}
}

export async function registryStatus(): Promise<RegistryStatus> {
  const state = await readRegistryState()
  if (!state) return {configured: false, running: false, version: null, url: null, pid: null, alive: false, listening: false, storage: null, logFile: null}
  const alive = isRegistryProcess(state.pid)
  const listening = alive && (await isListening(state.port, state.host))
  return {
    configured: true,
    running: alive && listening,
    version: state.version,
    url: registryUrl(state.port, state.host),
    pid: alive ? state.pid : null,
    alive,
    listening,
    storage: state.storage,
    logFile: state.logFile,
  }
}

/** For `local start` without the flag: a registry started here before is started again (like --secure). */
export async function registryWasStarted(): Promise<boolean> {
  return (await readRegistryState()) !== undefined
}

export async function readRegistryLogTail(file: string, lines: number): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines)
  } catch {
    return []
  }
}
