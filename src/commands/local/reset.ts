import {Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {ResetResult, resetLocal} from '../../local/lifecycle.js'

export default class LocalReset extends BaseCommand<ResetResult> {
  static summary = 'Wipe all local Kafka data (topics, groups, offsets)'
  static description = 'A running local Kafka is stopped, wiped and started again, empty, with the same layout.'
  static examples = ['<%= config.bin %> local reset --yes']
  static flags = {yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'})}

  async run(): Promise<ResetResult> {
    const {flags} = await this.parse(LocalReset)
    await this.confirmDestructive('wipe every topic, group and offset of the local Kafka', flags.yes)
    const spinner = await this.io.spinner('resetting local Kafka')
    const result = await resetLocal()
    spinner.stop()
    this.render(result, (r, io) => io.info(`${io.styleErr('✓', 'green')} wiped ${r.wiped}${r.restarted ? '; started again, empty' : ''}`))
    return result
  }
}
