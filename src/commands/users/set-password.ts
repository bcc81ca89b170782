import {Args} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {notFoundError} from '../../errors.js'
import {alterScramUsers, describeScramUsers, scramUpsertion} from '../../kafka/scram-credentials.js'
import {parseMechanism, readPassword} from '../../users/passwords.js'
import {type UserChange, passwordFlags} from '../../users/flags.js'

export default class UsersSetPassword extends KafkaCommand<UserChange> {
  static summary = "Change a SCRAM user's password"
  static description = 'Replaces the credentials of the given mechanisms (a new random salt each time). The user must exist.'
  static examples = ['$ NEW_PW=... <%= config.bin %> users set-password store-1 --mechanism scram-sha-512 --password-env NEW_PW']
  static args = {name: Args.string({description: 'the user name', required: true})}
  static flags = passwordFlags

  async run(): Promise<UserChange> {
    const {args, flags} = await this.parse(UsersSetPassword)
    const mechanisms = [...new Set(flags.mechanism.map(parseMechanism))]
    const password = await readPassword({env: flags['password-env'], stdin: flags['password-stdin']})
    const client = await this.client()
    const [existing] = await describeScramUsers(client, [args.name])
    if (!existing) throw notFoundError('USER_NOT_FOUND', `no SCRAM user '${args.name}'`, `create it with '${this.config.bin} users create ${args.name}'`)
    await alterScramUsers(
      client,
      [],
      mechanisms.map((m) => scramUpsertion(args.name, m, password, flags.iterations)),
    )
    const result = {user: args.name, mechanisms, iterations: flags.iterations}
    this.render(result, (r, io) => io.info(`changed the password of '${r.user}' (${r.mechanisms.join(', ')})`))
    return result
  }
}
