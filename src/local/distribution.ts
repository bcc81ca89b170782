/**
 * Apache Kafka's jars for `kafkit local` and for interop tests and benchmarks: an unpacked distribution
 * (--kafka-home / KAFKA_HOME), else resolved from Maven Central with `mvn` into a per-version cache.
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {KafkitError} from '../errors.js'
import {kafkaCacheDir} from './paths.js'

/** Newest Kafka that kafkit's client works with (see README, Compatibility). */
export const DEFAULT_KAFKA_VERSION = '4.4.0'
export const KNOWN_KAFKA_VERSIONS = ['4.4.0', '3.9.1']

export interface KafkaDistribution {
  version: string
  /** Java classpath (`dir/*`) with the broker, the tools and a logging binding. */
  classpath: string
  /** Logging configuration file for the broker, and the JVM flag that points at it. */
  logConfigFlag: string
  source: 'kafka-home' | 'maven-cache' | 'maven'
  dir: string
}

/** Major 4 logs with log4j2; 3.x with reload4j (log4j 1 API). Each needs its own SLF4J binding. */
export function loggingFor(version: string): {artifacts: string[]; fileName: string; flag: (file: string) => string; content: string} {
  if (Number(version.split('.')[0]) >= 4) {
    return {
      artifacts: ['org.apache.logging.log4j:log4j-slf4j-impl:2.24.3', 'org.apache.logging.log4j:log4j-core:2.24.3'],
      fileName: 'log4j2.properties',
      flag: (file) => `-Dlog4j2.configurationFile=${file}`,
      content: [
        'status = error',
        'appender.out.type = Console',
        'appender.out.name = OUT',
        'appender.out.layout.type = PatternLayout',
        'appender.out.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = INFO',
        'rootLogger.appenderRef.out.ref = OUT',
        'logger.request.name = kafka.request.logger',
        'logger.request.level = WARN',
        '',
      ].join('\n'),
    }
  }
  return {
    artifacts: ['org.slf4j:slf4j-reload4j:1.7.36'],
    fileName: 'log4j.properties',
    flag: (file) => `-Dlog4j.configuration=file:${file}`,
    content: [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      '',
    ].join('\n'),
  }
}

/** The pom that makes Maven copy Kafka's broker, its tools and their runtime dependencies into `libs/`. */
export function kafkaPom(version: string): string {
  return mavenPom('kafka-jars', version, [`org.apache.kafka:kafka_2.13:${version}`, `org.apache.kafka:kafka-tools:${version}`, ...loggingFor(version).artifacts])
}

/** A pom whose only purpose is its dependencies (`groupId:artifactId:version` each), for `mvn dependency:copy-dependencies`. */
export function mavenPom(artifactId: string, version: string, deps: string[]): string {
  const xml = deps
    .map((d) => {
      const [g, a, v] = d.split(':')
      return `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`
    })
    .join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.kafkit</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${xml}
  </dependencies>
</project>
`
}

/** Reads the Kafka version from a distribution's libs (`kafka_2.13-3.9.1.jar`). */
export function versionFromLibs(files: string[]): string | undefined {
  for (const f of files) {
    const m = /^kafka_2\.1[23]-(\d+\.\d+\.\d+)\.jar$/.exec(f)
    if (m) return m[1]
  }
  return undefined
}

export interface ResolveOptions {
  version?: string
  kafkaHome?: string
  /** Progress lines (Maven download) go here. */
  log?: (line: string) => void
}

/** Finds or fetches Kafka's jars. A cached version is used as it is: a second start downloads nothing. */
export async function resolveKafka(options: ResolveOptions = {}): Promise<KafkaDistribution> {
  const home = options.kafkaHome ?? process.env.KAFKA_HOME
  if (home) return fromKafkaHome(home)
  const version = options.version ?? DEFAULT_KAFKA_VERSION
  const dir = kafkaCacheDir(version)
  const libs = join(dir, 'libs')
  const marker = join(dir, '.complete')
  const logging = loggingFor(version)
  const result = (source: KafkaDistribution['source']): KafkaDistribution => ({
    version,
    classpath: `${libs}/*`,
    logConfigFlag: logging.flag(join(dir, logging.fileName)),
    source,
    dir,
  })
  if (existsSync(marker)) return result('maven-cache')

  if (spawnSync('mvn', ['--version'], {stdio: 'ignore'}).error) {
    throw new KafkitError('MAVEN_NOT_FOUND', `cannot fetch Apache Kafka ${version}: 'mvn' is not installed and KAFKA_HOME is not set`, {
      hint: 'install Maven (apt-get install maven), or point --kafka-home / KAFKA_HOME at an unpacked Kafka distribution',
    })
  }
  await rm(dir, {recursive: true, force: true})
  await mkdir(dir, {recursive: true})
  await writeFile(join(dir, 'pom.xml'), kafkaPom(version))
  await writeFile(join(dir, logging.fileName), logging.content)
  options.log?.(`fetching Apache Kafka ${version} from Maven Central into ${dir} (once)`)
  const output = await runMaven(['-B', '-q', '-f', join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'])
  if (output.code !== 0 || !existsSync(libs)) {
    const tail = output.text.trim().split('\n').slice(-5).join(' | ')
    throw new KafkitError('KAFKA_FETCH_FAILED', `Maven could not fetch Apache Kafka ${version}: ${tail || `exit ${output.code}`}`, {
      hint: `is the version right (known: ${KNOWN_KAFKA_VERSIONS.join(', ')}) and Maven Central reachable? or set KAFKA_HOME`,
    })
  }
  await writeFile(marker, new Date().toISOString() + '\n')
  return result('maven')
}

function fromKafkaHome(home: string): KafkaDistribution {
  const libs = join(home, 'libs')
  if (!existsSync(libs)) {
    throw new KafkitError('KAFKA_HOME_INVALID', `${home} does not look like a Kafka distribution (no libs/ folder)`, {
      hint: 'point --kafka-home / KAFKA_HOME at the folder where Kafka was unpacked (the one with bin/ and libs/)',
    })
  }
  const version = versionFromLibs(readdirSync(libs)) ?? 'unknown'
  const major4 = Number(version.split('.')[0]) >= 4
  const configFile = major4 ? join(home, 'config', 'log4j2.yaml') : join(home, 'config', 'log4j.properties')
  return {
    version,
    classpath: `${libs}/*`,
    logConfigFlag: major4 ? `-Dlog4j2.configurationFile=${configFile}` : `-Dlog4j.configuration=file:${configFile}`,
    source: 'kafka-home',
    dir: home,
  }
}

function runMaven(args: string[]): Promise<{code: number; text: string}> {
  return new Promise((resolve) => {
    const child = spawn('mvn', args, {stdio: ['ignore', 'pipe', 'pipe']})
    let text = ''
    child.stdout.on('data', (d: Buffer) => (text += d.toString()))
    child.stderr.on('data', (d: Buffer) => (text += d.toString()))
    child.on('error', (error) => resolve({code: 1, text: String(error)}))
    child.on('close', (code) => resolve({code: code ?? 1, text}))
  })
}
