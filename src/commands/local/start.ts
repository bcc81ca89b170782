import {Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {type ConnectStartResult, prepareConnectWorker} from '../../local/connect-worker.js'
import {DEFAULT_KAFKA_VERSION, KNOWN_KAFKA_VERSIONS} from '../../local/distribution.js'
import {startLocal} from '../../local/lifecycle.js'
import {APICURIO_VERSION, REGISTRY_PORT, REGISTRY_STORAGES, type RegistryStartResult, type RegistryStorage, registryWasStarted, startRegistry} from '../../local/registry.js'
import type {LocalSecurityInfo} from '../../local/security.js'
import {parseWaitDuration} from '../../specs/duration.js'

export interface LocalStartResult {
  alreadyRunning: boolean
  /** --secure given while a cluster started without it was running: it still has no secured listeners. */
  secureNotApplied?: boolean
  version: string
  clusterId: string
  brokers: string[]
  nodes: {id: number; pid: number | null; port: number; logFile: string}[]
  elapsedMs: number
  /** With --secure: the secured listeners, the CA and client certificate files, the credentials file. */
  security?: LocalSecurityInfo
  /** With --connect: the Kafka Connect worker. */
  connect?: ConnectStartResult
  /** With --schema-registry (or when one was started here before): the local Apicurio Registry. */
  schemaRegistry?: RegistryStartResult
}

export default class LocalStart extends BaseCommand<LocalStartResult> {
  static summary = 'Start a real Apache Kafka (KRaft) on 127.0.0.1'
  static description = `Fetches Kafka's jars once (Maven Central, cached under ~/.cache/kafkit/kafka/<version>) unless --kafka-home or KAFKA_HOME points at an unpacked distribution, formats storage, starts the node(s) with Java and waits until they serve requests. Data is kept across stop/start until 'kafkit local reset'.`
  static examples = [
    '<%= config.bin %> local start',
    '<%= config.bin %> local start --nodes 3',
    '<%= config.bin %> local start --secure',
    '<%= config.bin %> local start --schema-registry',
    '<%= config.bin %> local start --connect',
    '<%= config.bin %> local start --connect --connect-plugin io.debezium:debezium-connector-jdbc:3.6.0.Final',
    `<%= config.bin %> local start --kafka-version ${KNOWN_KAFKA_VERSIONS[1]}`,
  ]
  static flags = {
    nodes: Flags.integer({description: 'number of combined broker+controller nodes', options: undefined, min: 1, max: 5}),
    port: Flags.integer({description: 'client port of the first node (the next nodes use the next ports)', min: 1024, max: 55_000}),
    'kafka-version': Flags.string({description: `Apache Kafka version (default ${DEFAULT_KAFKA_VERSION}; tested: ${KNOWN_KAFKA_VERSIONS.join(', ')})`}),
    'kafka-home': Flags.string({description: 'an unpacked Kafka distribution to use instead of Maven (also KAFKA_HOME)'}),
    heap: Flags.string({description: 'JVM heap per node', default: '512m'}),
    wait: Flags.string({description: 'how long to wait for the node(s) to serve every partition', default: '2m'}),
    secure: Flags.boolean({
      description:
        'also open secured listeners for testing profiles: SASL_PLAINTEXT (port+1000), SSL (port+2000), mTLS (port+3000), SASL_SSL (port+4000) with PLAIN, SCRAM-SHA-256/512 and OAUTHBEARER (unsecured test tokens); a CA and certificates are generated. Kept for later starts.',
    }),
    connect: Flags.boolean({
      description: "also start a Kafka Connect worker (distributed mode, jars from Maven Central, REST on 127.0.0.1:8083, internal topics kafkit-connect-*); 'kafkit connect' talks to it",
      helpGroup: 'CONNECT',
    }),
    'connect-plugin': Flags.string({
      description: 'GROUP:ARTIFACT:VERSION of a connector plugin to fetch from Maven Central into the worker (repeatable; implies --connect; kept for later starts)',
      multiple: true,
      helpGroup: 'CONNECT',
    }),
    'connect-port': Flags.integer({description: "the Connect worker's REST port (default 8083)", min: 1024, max: 65_535, helpGroup: 'CONNECT'}),
    'schema-registry': Flags.boolean({
      description: `also run a schema registry (Apicurio Registry ${APICURIO_VERSION}, Confluent-compatible API at http://127.0.0.1:${REGISTRY_PORT}/apis/ccompat/v7; needs Java 21+). Kept for later starts.`,
    }),
    'schema-registry-port': Flags.integer({description: `port of the schema registry (default ${REGISTRY_PORT})`, min: 1024, max: 65_535}),
    'schema-registry-storage': Flags.string({
      description: 'memory (default: empty at every start) or file (an H2 database under the local data dir, kept until reset)',
      options: [...REGISTRY_STORAGES],
    }),
  }

  async run(): Promise<LocalStartResult> {
    const {flags} = await this.parse(LocalStart)
    const spinner = await this.io.spinner('starting local Kafka')
    const log = (line: string) => (this.io.stderrIsTTY ? spinner.update(line) : this.io.info(line))
    // Connect's jars are fetched while Kafka starts.
    const connect =
      flags.connect || flags['connect-plugin'] || flags['connect-port']
        ? prepareConnectWorker({plugins: flags['connect-plugin'], port: flags['connect-port'], kafkaVersion: flags['kafka-version'], kafkaHome: flags['kafka-home'], log})
        : undefined
    // The registry starts beside the broker (it does not need it): both waits overlap.
    const withRegistry = flags['schema-registry'] || flags['schema-registry-port'] !== undefined || flags['schema-registry-storage'] !== undefined || (await registryWasStarted())
    const registry = withRegistry ? startRegistry({port: flags['schema-registry-port'], storage: flags['schema-registry-storage'] as RegistryStorage | undefined, log}) : undefined
    registry?.catch(() => undefined)
    const result = await startLocal({
      nodes: flags.nodes,
      basePort: flags.port,
      version: flags['kafka-version'],
      kafkaHome: flags['kafka-home'],
      heap: flags.heap,
      waitMs: parseWaitDuration(flags.wait, '--wait'),
      secure: flags.secure ? true : undefined,
      log,
    }).catch((error) => {
      spinner.fail()
      throw error
    })
    const schemaRegistry = await registry?.catch((error) => {
      spinner.fail()
      throw error
    })
    const connectResult = await connect?.start({version: result.state.version, brokers: result.brokers}).catch((error) => {
      spinner.fail()
      throw error
    })
    spinner.stop()
    const out: LocalStartResult = {
      alreadyRunning: result.alreadyRunning,
      ...(result.secureNotApplied ? {secureNotApplied: true} : {}),
      version: result.state.version,
      clusterId: result.state.clusterId,
      brokers: result.brokers,
      nodes: result.state.nodes.map((n) => ({id: n.id, pid: n.pid, port: n.port, logFile: n.logFile})),
      elapsedMs: result.elapsedMs,
      ...(result.state.secure && result.state.security ? {security: result.state.security} : {}),
      ...(connectResult ? {connect: connectResult} : {}),
      ...(schemaRegistry ? {schemaRegistry} : {}),
    }
    this.render(out, (r, io) => {
      const what = `Kafka ${r.version} (${r.nodes.length} node${r.nodes.length > 1 ? 's' : ''}) on ${r.brokers.join(',')}`
      if (r.alreadyRunning) io.info(`already running: ${what}`)
      if (r.secureNotApplied) {
        io.warn('--secure not applied: the running local Kafka was started without it (no SASL/TLS listeners)')
        io.info(`  to add them, restart it: ${this.config.bin} local stop && ${this.config.bin} local start --secure (data is kept)`)
      } else io.info(`${io.styleErr('✓', 'green')} started ${what} in ${(r.elapsedMs / 1000).toFixed(1)}s`)
      if (r.security) {
        for (const [name, addresses] of Object.entries(r.security.listeners)) io.info(`  ${name.padEnd(14)} ${addresses.join(',')}`)
        io.info(`  CA ${r.security.ca}; user '${r.security.username}', password in ${r.security.credentialsFile}`)
      }
      if (r.connect) {
        const c = r.connect
        const what = `Kafka Connect ${c.version} on ${c.url}${c.plugins.length > 0 ? ` (plugins: ${c.plugins.join(', ')})` : ''}`
        io.info(c.alreadyRunning ? `already running: ${what}` : `${io.styleErr('✓', 'green')} ${c.restarted ? 'restarted' : 'started'} ${what} in ${(c.elapsedMs / 1000).toFixed(1)}s`)
      }
      if (r.schemaRegistry) {
        const s = r.schemaRegistry
        io.info(
          `${s.alreadyRunning ? 'schema registry already running' : `${io.styleErr('✓', 'green')} schema registry (Apicurio ${s.version}, ${s.storage} storage) started in ${(s.elapsedMs / 1000).toFixed(1)}s`}: ${s.url}`,
        )
      }
      io.out(r.brokers.join(','))
    })
    return out
  }
}
