import {Flags} from '@oclif/core'
import {createReadStream, statSync, watchFile} from 'node:fs'

import {BaseCommand} from '../../base-command.js'
import {notFoundError} from '../../errors.js'
import {readLogTail, readState} from '../../local/lifecycle.js'
import {readRegistryState} from '../../local/registry.js'

export default class LocalLogs extends BaseCommand<void> {
  static enableJsonFlag = false
  static summary = "Show a local Kafka node's log"
  static examples = ['<%= config.bin %> local logs', '<%= config.bin %> local logs -f', '<%= config.bin %> local logs --node 2 -n 200', '<%= config.bin %> local logs --schema-registry']
  static flags = {
    follow: Flags.boolean({char: 'f', description: 'keep printing new lines (Ctrl-C to stop)'}),
    lines: Flags.integer({char: 'n', description: 'how many of the last lines to show', default: 50, min: 0}),
    node: Flags.integer({description: 'which node', default: 1, min: 1}),
    'schema-registry': Flags.boolean({description: "the schema registry's log instead of a node's", exclusive: ['node']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(LocalLogs)
    const state = flags['schema-registry'] ? undefined : await readState()
    const registry = flags['schema-registry'] ? await readRegistryState() : undefined
    if (flags['schema-registry'] && !registry) throw notFoundError('REGISTRY_NOT_FOUND', 'the local schema registry has never been started here', "start it with 'kafkit local start --schema-registry'")
    const node = registry ? {logFile: registry.logFile} : state?.nodes.find((n) => n.id === flags.node)
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
