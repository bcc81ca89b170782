import {closeSync, openSync, readFileSync} from 'node:fs'
import {spawn, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError} from '../errors.js'

export interface JavaInfo {
  path: string
  major: number
  version: string
}

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
export function javaPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java'
}

/** Parses the major version from `java -version` output (`"17.0.15"` -> 17, `"1.8.0_392"` -> 8). */
export function parseJavaVersion(output: string): {major: number; version: string} | undefined {
  const m = /version "([^"]+)"/.exec(output)
  if (!m) return undefined
  const parts = m[1].split(/[._-]/).map(Number)
  return {major: parts[0] === 1 ? parts[1] : parts[0], version: m[1]}
}

/** Finds Java and checks it is new enough to run the given Kafka version. */
export function requireJava(kafkaVersion: string): JavaInfo {
  const needed = Number(kafkaVersion.split('.')[0]) >= 4 ? 17 : 11
  const path = javaPath()
  const result = spawnSync(path, ['-version'], {encoding: 'utf8'})
  const parsed = result.error ? undefined : parseJavaVersion(`${result.stderr}${result.stdout}`)
  if (!parsed) {
    throw new KafkitError('JAVA_NOT_FOUND', `Java ${needed} or newer is needed to run Kafka ${kafkaVersion}, and '${path}' was not found`, {
      hint: 'install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME',
    })
  }
  if (parsed.major < needed) {
    throw new KafkitError('JAVA_TOO_OLD', `Kafka ${kafkaVersion} needs Java ${needed} or newer; '${path}' is Java ${parsed.version}`, {
      hint: 'install a newer JDK (apt-get install openjdk-17-jre-headless) and set JAVA_HOME to it',
    })
  }
  return {path, ...parsed}
}

/** The process is alive, not a zombie, and really runs `mainClass` (not a recycled pid). */
export function isJavaProcess(pid: number | null | undefined, mainClass: string): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes(mainClass) && !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
  } catch {
    return true
  }
}

/** SIGTERM, then SIGKILL after `graceMs` while `alive(pid)`: no Java process stays behind. True when it had to be killed. */
export async function stopProcess(pid: number, alive: (pid: number) => boolean, graceMs: number): Promise<boolean> {
  signal(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (alive(pid) && Date.now() < deadline) await sleep(200)
  if (!alive(pid)) return false
  signal(pid, 'SIGKILL')
  while (alive(pid)) await sleep(100)
  return true
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/**
 * Starts a JVM service (a Kafka node, the schema registry, the Connect worker) detached, in its own process
 * group, its output appended to `logFile`: it outlives this command. The pid, or undefined when it did not start.
 */
export function launchDetached(java: string, args: string[], logFile: string, cwd: string): number | undefined {
  const fd = openSync(logFile, 'a')
  const child = spawn(java, args, {detached: true, stdio: ['ignore', fd, fd], cwd})
  closeSync(fd)
  child.unref()
  return child.pid
}

/** Runs a set-up tool (mvn, tar) to its end: its exit code and its stdout and stderr together. */
export function runTool(command: string, args: string[]): Promise<{code: number; text: string}> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe']})
    let text = ''
    child.stdout.on('data', (d: Buffer) => (text += d.toString()))
    child.stderr.on('data', (d: Buffer) => (text += d.toString()))
    child.on('error', (error) => resolve({code: 1, text: command === 'mvn' ? `'mvn' is not installed (${error.message}); install Maven (apt-get install maven)` : String(error)}))
    child.on('close', (code) => resolve({code: code ?? 1, text}))
  })
}
