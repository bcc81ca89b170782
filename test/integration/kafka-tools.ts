/** Kafka's own Java tools (kafka-tools jar, fetched by `kafkit local`), for interop tests: quiet, fast JVM start. */
import {type ChildProcess, spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {resolveKafka} from '../../src/local/distribution.js'

export const CONSOLE_CONSUMER = 'org.apache.kafka.tools.consumer.ConsoleConsumer'
export const GROUP_COMMAND = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand'

// Errors only, on stderr: the tools' default config prints INFO logs on stdout, which is their data.
const LOG_CONFIG = join(tmpdir(), 'kafkit-test-tools-log4j2.properties')
writeFileSync(
  LOG_CONFIG,
  'status = error\nappender.e.type = Console\nappender.e.name = E\nappender.e.target = SYSTEM_ERR\nappender.e.layout.type = PatternLayout\nappender.e.layout.pattern = %m%n\nrootLogger.level = error\nrootLogger.appenderRef.e.ref = E\n',
)

/** Starts a tool in the background. */
export async function javaTool(mainClass: string, args: string[]): Promise<ChildProcess> {
  const kafka = await resolveKafka()
  return spawn('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${LOG_CONFIG}`, '-cp', kafka.classpath, mainClass, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
}

/** Runs a tool to its end (killed after `timeoutMs`). */
export async function runJava(mainClass: string, args: string[], timeoutMs = 90_000): Promise<{code: number | null; stdout: string; stderr: string}> {
  const child = await javaTool(mainClass, args)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  return {code, stdout, stderr}
}
