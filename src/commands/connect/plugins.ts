import {Flags} from '@oclif/core'

import type {PluginInfo} from '../../connect/client.js'
import {ConnectCommand} from '../../connect-command.js'
import {renderTable} from '../../output/table.js'

const TYPE_ORDER = ['source', 'sink', 'converter', 'header_converter', 'transformation', 'predicate']

export default class ConnectPlugins extends ConnectCommand<PluginInfo[]> {
  static summary = 'List the plugins the Kafka Connect workers have, with their versions'
  static description = 'Connector plugins by default; --all adds converters, transformations and predicates.'
  static examples = ['<%= config.bin %> connect plugins', '<%= config.bin %> connect plugins --all', '<%= config.bin %> connect plugins --json']
  static flags = {all: Flags.boolean({description: 'also converters, header converters, transformations and predicates'})}

  async run(): Promise<PluginInfo[]> {
    const {flags} = await this.parse(ConnectPlugins)
    const plugins = (await (await this.connect()).plugins(flags.all)).sort((a, b) => rank(a.type) - rank(b.type) || a.class.localeCompare(b.class))
    this.render(plugins, (rows, io) => {
      if (rows.length === 0 && io.stdoutIsTTY) return io.info('no plugins')
      renderTable(
        io,
        [
          {header: 'CLASS', get: (p) => p.class},
          {header: 'TYPE', get: (p) => p.type},
          {header: 'VERSION', get: (p) => p.version ?? '-'},
        ],
        rows,
      )
    })
    return plugins
  }
}

function rank(type: string): number {
  const i = TYPE_ORDER.indexOf(type)
  return i === -1 ? TYPE_ORDER.length : i
}
