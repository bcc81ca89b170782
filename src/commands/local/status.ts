import {BaseCommand} from '../../base-command.js'
import {LocalStatus, localStatus} from '../../local/lifecycle.js'
import {type RegistryStatus, registryStatus} from '../../local/registry.js'
import {renderTable} from '../../output/table.js'

export default class LocalStatusCommand extends BaseCommand<LocalStatus & {schemaRegistry?: RegistryStatus}> {
  static summary = 'Is the local Kafka running? Checks each process and its port'
  static description = 'Exit code 0 when every node (and the schema registry, once started here) is up, 1 when it is stopped or something is down.'
  static examples = ['<%= config.bin %> local status', '<%= config.bin %> local status --json']

  async run(): Promise<LocalStatus & {schemaRegistry?: RegistryStatus}> {
    await this.parse(LocalStatusCommand)
    const [kafka, registry] = await Promise.all([localStatus(), registryStatus()])
    const status = {...kafka, ...(registry.configured ? {schemaRegistry: registry} : {})}
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
    })
    // A registry started here is part of the local setup (`local start` brings it back): down is not fine.
    if (!status.running || status.degraded || (registry.configured && !registry.running)) process.exitCode = 1
    return status
  }
}
