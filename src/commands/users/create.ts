import {Args} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {KafkitError} from '../../errors.js'
import {alterScramUsers, describeScramUsers, scramUpsertion} from '../../kafka/scram-credentials.js'
import {type UserChange, passwordFlags} from '../../users/flags.js'
import {parseMechanism, readPassword} from '../../users/passwords.js'

export default class UsersCreate extends KafkaCommand<UserChange> {
  static summary = 'Create a SCRAM user (kafka-configs.sh --alter --add-config SCRAM-SHA-512=...)'
  static description =
    'The password comes from an environment variable or stdin, never from the command line. The salted password is computed here (PBKDF2, random salt); the broker never sees the password itself.'
  static examples = [
    '$ STORE1_PASSWORD=... <%= config.bin %> users create store-1 --mechanism scram-sha-512 --password-env STORE1_PASSWORD',
    '$ pass show kafka/etl | <%= config.bin %> users create etl --password-stdin',
  ]
  static args = {name: Args.string({description: 'the user name', required: true})}
  static flags = passwordFlags

  async run(): Promise<UserChange> {
    const {args, flags} = await this.parse(UsersCreate)
    const mechanisms = [...new Set(flags.mechanism.map(parseMechanism))]
    const password = await readPassword({env: flags['password-env'], stdin: flags['password-stdin']})
    const client = await this.client()
    const [existing] = await describeScramUsers(client, [args.name])
    const clash = existing?.credentials.filter((c) => (mechanisms as string[]).includes(c.mechanism)) ?? []
    if (clash.length > 0) {
      throw new KafkitError('USER_EXISTS', `user '${args.name}' already has ${clash.map((c) => c.mechanism).join(' and ')} credentials`, {
        hint: `change the password with '${this.config.bin} users set-password ${args.name}'`,
      })
    }
    await alterScramUsers(
      client,
      [],
      mechanisms.map((m) => scramUpsertion(args.name, m, password, flags.iterations)),
    )
    const result = {user: args.name, mechanisms, iterations: flags.iterations}
    this.render(result, (r, io) => io.info(`created user '${r.user}' (${r.mechanisms.join(', ')})`))
    return result
  }
}
