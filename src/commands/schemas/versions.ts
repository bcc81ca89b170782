import {Args, Flags} from '@oclif/core'

import {RegistryCommand} from '../../base-command.js'
import {renderTable} from '../../output/table.js'
import {VersionsResult, listVersions} from '../../schemas/operations.js'

export default class SchemasVersions extends RegistryCommand<VersionsResult> {
  static summary = "List a subject's versions"
  static examples = ['<%= config.bin %> schemas versions sales-value', '<%= config.bin %> schemas versions sales-value --deleted --json']
  static args = {subject: Args.string({description: 'subject', required: true})}
  static flags = {deleted: Flags.boolean({description: 'also list soft-deleted versions'})}

  async run(): Promise<VersionsResult> {
    const {args, flags} = await this.parse(SchemasVersions)
    const result = await listVersions(await this.registry(), args.subject, {deleted: flags.deleted})
    this.render(result, (r, io) => {
      if (flags.deleted)
        renderTable(
          io,
          [
            {header: 'VERSION', get: (v) => v.version, align: 'right'},
            {header: 'STATE', get: (v) => (v.deleted ? 'deleted' : 'active')},
          ],
          r.versions,
        )
      else for (const v of r.versions) io.out(String(v.version))
    })
    return result
  }
}
