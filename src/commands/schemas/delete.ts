import {Args, Flags} from '@oclif/core'

import {RegistryCommand} from '../../base-command.js'
import {DeleteResult, executeDelete, planDelete} from '../../schemas/operations.js'
import {parseVersion} from '../../schemas/schema-file.js'

export default class SchemasDelete extends RegistryCommand<DeleteResult> {
  static summary = 'Delete a subject or one version (soft; --permanent for good)'
  static description =
    'A soft delete hides the subject/version (ids keep resolving, so old records still decode); --permanent removes it for good, soft-deleting first when needed. Asks first on a terminal; --yes otherwise (exit 6 without it); a protected profile is named in red.'
  static examples = [
    '<%= config.bin %> schemas delete sales-value --yes',
    '<%= config.bin %> schemas delete sales-value --version 3 --yes',
    '<%= config.bin %> schemas delete old-value --permanent --yes',
  ]
  static args = {subject: Args.string({description: 'subject', required: true})}
  static flags = {
    version: Flags.string({char: 'V', description: 'only this version (a number or latest)'}),
    permanent: Flags.boolean({description: 'delete for good (hard delete): ids stop resolving'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<DeleteResult> {
    const {args, flags} = await this.parse(SchemasDelete)
    const client = await this.registry()
    const plan = await planDelete(client, args.subject, {version: flags.version === undefined ? undefined : parseVersion(flags.version), permanent: flags.permanent})
    await this.confirmDestructive(plan.summary, flags.yes)
    const result = await executeDelete(client, plan)
    this.render(result, (r, io) => io.info(`${io.styleErr(r.permanent ? 'deleted permanently' : 'deleted', 'green')} ${r.subject} version${r.deleted.length === 1 ? '' : 's'} ${r.deleted.join(', ')}`))
    return result
  }
}
