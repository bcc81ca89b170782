import {BaseCommand} from '../../base-command.js'
import {type ConnectWorkerStatus, connectWorkerStatus} from '../../local/connect-worker.js'
import {LocalStatus, localStatus} from '../../local/lifecycle.js'
import {type RegistryStatus, registryStatus} from '../../local/registry.js'
import {renderTable} from '../../output/table.js'

type Status = LocalStatus & {connect?: ConnectWorkerStatus; schemaRegistry?: RegistryStatus}

export default class LocalStatusCommand extends BaseCommand<Status> {
  static summary = 'Is the local Kafka running? Checks each process and its port'
  static description = 'Exit code 0 when every node (and the schema registry and Connect worker, once started here) is up, 1 when it is stopped or something is down.'
  static examples = ['<%= config.bin %> local status', '<%= config.bin %> local status --json']

  async run(): Promise<Status> {
    await this.parse(LocalStatusCommand)
    const [kafka, registry, connect] = await Promise.all([localStatus(), registryStatus(), connectWorkerStatus()])
    const status: Status = {...kafka, ...(registry.configured ? {schemaRegistry: registry} : {}), ...(connect ? {connect} : {})}
    this.render(status, (s, io) => {
      if (s.schemaRegistry) {
        const r = s.schemaRegistry
        io.info(`schema registry ${r.running ? 'running' : r.alive ? 'starting (port closed)' : 'stopped'}: Apicurio ${r.version} on ${r.url} (${r.storage} storage${r.pid ? `, pid ${r.pid}` : ''})`)
      }
      if (s.nodes.length === 0) {
        io.info("local Kafka has never been started here; start it with 'kafkit local start'")
        return
      }
      io.info(`${s.running ? (s.degraded ? 'degraded' : 'running') : 'stopped'}: Kafka ${s.version}, data in ${s.dataDir}`)
      renderTable(
        io,
        [
          {header: 'NODE', get: (n) => n.id, align: 'right'},
          {header: 'ADDRESS', get: (n) => `127.0.0.1:${n.port}`},
          {header: 'PID', get: (n) => n.pid, align: 'right'},
          {header: 'PROCESS', get: (n) => (n.alive ? 'alive' : 'dead')},
          {header: 'PORT', get: (n) => (n.listening ? 'listening' : 'closed')},
        ],
        s.nodes,
      )
      if (s.security) {
        for (const [name, addresses] of Object.entries(s.security.listeners)) io.info(`${name.padEnd(14)} ${addresses.join(',')}`)
        io.info(`CA ${s.security.ca}; credentials in ${s.security.credentialsFile}`)
      }
      const c = s.connect
      if (c)
        io.info(
          `Kafka Connect ${c.version}: ${c.running ? `running on ${c.url} (pid ${c.pid})` : c.pid ? `DEAD (pid ${c.pid} is gone; 'kafkit local logs --connect')` : 'stopped'}${c.plugins.length > 0 ? `; plugins ${c.plugins.join(', ')}` : ''}`,
        )
    })
    // A registry or worker started here is part of the local setup (`local start` brings it back): down is not
    // fine; a worker stopped with the cluster is.
    if (!status.running || status.degraded || (registry.configured && !registry.running) || (connect && connect.pid !== null && !connect.running)) process.exitCode = 1
    return status
  }
}
