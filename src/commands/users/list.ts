import {Args} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {type ScramUser, describeScramUsers} from '../../kafka/scram-credentials.js'
import {renderTable} from '../../output/table.js'

export default class UsersList extends KafkaCommand<ScramUser[]> {
  static summary = 'List SCRAM users and their mechanisms (never their passwords)'
  static examples = ['<%= config.bin %> users list', '<%= config.bin %> users list store-1 --json']
  static strict = false
  static args = {names: Args.string({description: 'only these users'})}

  async run(): Promise<ScramUser[]> {
    const {argv} = await this.parse(UsersList)
    const names = argv as string[]
    const users = await describeScramUsers(await this.client(), names.length > 0 ? names : undefined)
    this.render(users, (rows, io) => {
      if (rows.length === 0 && io.stdoutIsTTY) {
        io.info('no SCRAM users')
        return
      }
      renderTable(
        io,
        [
          {header: 'USER', get: (u) => u.name},
          {header: 'MECHANISMS', get: (u) => u.credentials.map((c) => `${c.mechanism} (${c.iterations} iterations)`).join(', ')},
        ],
        rows,
      )
    })
    return users
  }
}
