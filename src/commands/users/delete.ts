import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {notFoundError} from '../../errors.js'
import {type ScramMechanism, alterScramUsers, describeScramUsers} from '../../kafka/scram-credentials.js'
import {parseMechanism} from '../../users/passwords.js'

export interface UserDeletion {
  user: string
  mechanisms: ScramMechanism[]
}

export default class UsersDelete extends KafkaCommand<UserDeletion> {
  static summary = "Delete a SCRAM user's credentials (all mechanisms unless --mechanism)"
  static description = 'The user can no longer log in. Its ACLs stay: remove them with `kafkit acls delete --principal User:NAME`.'
  static examples = ['<%= config.bin %> users delete store-1 --yes', '<%= config.bin %> users delete etl --mechanism scram-sha-256 --yes']
  static args = {name: Args.string({description: 'the user name', required: true})}
  static flags = {
    mechanism: Flags.string({description: 'only this mechanism (repeatable)', multiple: true}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<UserDeletion> {
    const {args, flags} = await this.parse(UsersDelete)
    const client = await this.client()
    const [existing] = await describeScramUsers(client, [args.name])
    const have = (existing?.credentials.map((c) => c.mechanism) ?? []).filter((m): m is ScramMechanism => m !== 'UNKNOWN')
    const wanted = flags.mechanism ? [...new Set(flags.mechanism.map(parseMechanism))] : have
    const mechanisms = wanted.filter((m) => have.includes(m))
    if (mechanisms.length === 0)
      throw notFoundError('USER_NOT_FOUND', `no SCRAM user '${args.name}'${flags.mechanism ? ` with ${wanted.join(', ')}` : ''}`, `list users with '${this.config.bin} users list'`)
    await this.confirmDestructive(`delete user '${args.name}' (${mechanisms.join(', ')})`, flags.yes)
    await alterScramUsers(
      client,
      mechanisms.map((m) => ({name: args.name, mechanism: m})),
      [],
    )
    const result = {user: args.name, mechanisms}
    this.render(result, (r, io) => io.info(`deleted user '${r.user}' (${r.mechanisms.join(', ')})`))
    return result
  }
}
