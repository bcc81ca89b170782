import {Flags} from '@oclif/core'
import {createReadStream, statSync, watchFile} from 'node:fs'

import {BaseCommand} from '../../base-command.js'
import {notFoundError} from '../../errors.js'
import {readWorkerState} from '../../local/connect-worker.js'
import {readLogTail, readState} from '../../local/lifecycle.js'
import {readRegistryState} from '../../local/registry.js'

export default class LocalLogs extends BaseCommand<void> {
  static enableJsonFlag = false
  static summary = "Show a local Kafka node's log (or the Connect worker's, or the schema registry's)"
  static examples = [
    '<%= config.bin %> local logs',
    '<%= config.bin %> local logs -f',
    '<%= config.bin %> local logs --node 2 -n 200',
    '<%= config.bin %> local logs --connect -f',
    '<%= config.bin %> local logs --schema-registry',
  ]
  static flags = {
    follow: Flags.boolean({char: 'f', description: 'keep printing new lines (Ctrl-C to stop)'}),
    lines: Flags.integer({char: 'n', description: 'how many of the last lines to show', default: 50, min: 0}),
    node: Flags.integer({description: 'which node', default: 1, min: 1}),
    connect: Flags.boolean({description: "the Kafka Connect worker's log (local start --connect)", exclusive: ['node', 'schema-registry']}),
    'schema-registry': Flags.boolean({description: "the schema registry's log instead of a node's", exclusive: ['node']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(LocalLogs)
    const state = flags['schema-registry'] || flags.connect ? undefined : await readState()
    const worker = flags.connect ? await readWorkerState() : undefined
    if (flags.connect && !worker) throw notFoundError('CONNECT_NOT_FOUND', 'the Kafka Connect worker has never been started here', "start it with 'kafkit local start --connect'")
    const registry = flags['schema-registry'] ? await readRegistryState() : undefined
    if (flags['schema-registry'] && !registry)
      throw notFoundError('REGISTRY_NOT_FOUND', 'the local schema registry has never been started here', "start it with 'kafkit local start --schema-registry'")
    const node = worker ? {logFile: worker.logFile} : registry ? {logFile: registry.logFile} : state?.nodes.find((n) => n.id === flags.node)
    if (!node) throw notFoundError('NODE_NOT_FOUND', state ? `local Kafka has no node ${flags.node}` : 'local Kafka has never been started here', "start it with 'kafkit local start'")
    const tail = await readLogTail(node.logFile, flags.lines)
    if (tail.length > 0 && flags.lines > 0) process.stdout.write(tail.join('\n') + '\n')
    if (!flags.follow) return
    let offset = statSync(node.logFile).size
    await new Promise<void>(() => {
      watchFile(node.logFile, {interval: 250}, (curr) => {
        if (curr.size < offset) offset = 0
        if (curr.size === offset) return
        createReadStream(node.logFile, {start: offset, end: curr.size - 1}).pipe(process.stdout, {end: false})
        offset = curr.size
      })
    })
  }
}
