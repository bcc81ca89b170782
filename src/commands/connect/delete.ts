import {Args, Flags} from '@oclif/core'

import {ConnectCommand} from '../../connect-command.js'
import {notFoundError} from '../../errors.js'
import {closest} from '../../util/strings.js'

export interface ConnectDeletion {
  deleted: string[]
}

export default class ConnectDelete extends ConnectCommand<ConnectDeletion> {
  static summary = 'Delete connectors (asks first on a terminal; --yes otherwise)'
  static description =
    "The connector's tasks stop and its config goes. What it wrote stays, and so do its offsets (a sink's consumer group connect-<name>; delete it with 'kafkit groups delete'). Without a terminal, --yes is required (exit 6 otherwise); a protected profile is named in red."
  static examples = ['<%= config.bin %> connect delete orders-file --yes', '<%= config.bin %> connect delete a b c']
  static args = {names: Args.string({description: 'connector names', required: true})}
  static strict = false
  static flags = {yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'})}

  async run(): Promise<ConnectDeletion> {
    const {argv, flags} = await this.parse(ConnectDelete)
    const names = [...new Set(argv as string[])]
    const connect = await this.connect()
    const existing = await connect.connectorNames()
    const missing = names.filter((n) => !existing.includes(n))
    if (missing.length > 0) {
      const guess = closest(missing[0], existing)
      throw notFoundError(
        'CONNECTOR_NOT_FOUND',
        `connector${missing.length === 1 ? '' : 's'} ${missing.map((n) => `'${n}'`).join(', ')} do${missing.length === 1 ? 'es' : ''} not exist; nothing deleted`,
        guess ? `did you mean '${guess}'? ('kafkit connect list')` : "list them with 'kafkit connect list'",
      )
    }
    await this.confirmDestructive(`delete ${names.length} connector${names.length === 1 ? '' : 's'} (${names.join(', ')})`, flags.yes)
    for (const name of names) await connect.delete(name)
    const result = {deleted: names}
    this.render(result, (r, io) => io.info(`${io.styleErr('deleted', 'green')} ${r.deleted.length} connector${r.deleted.length === 1 ? '' : 's'}: ${r.deleted.join(', ')}`))
    return result
  }
}
