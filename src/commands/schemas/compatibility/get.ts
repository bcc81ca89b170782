import {Args} from '@oclif/core'

import {RegistryCommand} from '../../../base-command.js'
import {CompatibilityResult, getCompatibility} from '../../../schemas/operations.js'

export default class SchemasCompatibilityGet extends RegistryCommand<CompatibilityResult> {
  static summary = "Show the compatibility level: global, or a subject's"
  static description = "A subject without its own level follows the global one (shown as such where the registry says so; Apicurio reports the global level as the subject's)."
  static examples = ['<%= config.bin %> schemas compatibility get', '<%= config.bin %> schemas compatibility get sales-value --json']
  static args = {subject: Args.string({description: 'subject (default: the global level)'})}

  async run(): Promise<CompatibilityResult> {
    const {args} = await this.parse(SchemasCompatibilityGet)
    const result = await getCompatibility(await this.registry(), args.subject)
    this.render(result, (r, io) => {
      if (r.subject && r.source === 'global') io.info(io.styleErr(`${r.subject} follows the global level`, 'dim'))
      io.out(r.level ?? 'unknown')
    })
    return result
  }
}
