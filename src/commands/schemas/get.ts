import {Args, Flags} from '@oclif/core'

import {RegistryCommand} from '../../base-command.js'
import {usageError} from '../../errors.js'
import {GetResult, getSchema} from '../../schemas/operations.js'
import {parseVersion} from '../../schemas/schema-file.js'

export default class SchemasGet extends RegistryCommand<GetResult> {
  static summary = 'Print a registered schema (by subject and version, or by id)'
  static description =
    'The schema text goes to stdout as the registry stores it (redirect it to a file); subject, version, id, type and references go to stderr. --json prints all of it as one document.'
  static examples = ['<%= config.bin %> schemas get sales-value', '<%= config.bin %> schemas get sales-value --version 2 > sale-v2.avsc', '<%= config.bin %> schemas get --id 7 --json']
  static args = {subject: Args.string({description: 'subject (not with --id)'})}
  static flags = {
    version: Flags.string({char: 'V', description: 'version number or latest (default latest)'}),
    id: Flags.integer({description: 'the schema id (as in the records: the 4 bytes after the magic byte)', min: 0, exclusive: ['version']}),
  }

  async run(): Promise<GetResult> {
    const {args, flags} = await this.parse(SchemasGet)
    if (flags.id === undefined && !args.subject) throw usageError('give a SUBJECT or --id N', "e.g. 'kafkit schemas get sales-value' or 'kafkit schemas get --id 7'")
    if (flags.id !== undefined && args.subject) throw usageError('give a SUBJECT or --id N, not both')
    const result = await getSchema(await this.registry(), {subject: args.subject, version: flags.version === undefined ? undefined : parseVersion(flags.version), id: flags.id})
    this.render(result, (r, io) => {
      const where =
        'subject' in r ? `subject ${r.subject} version ${r.version}, id ${r.id}` : `id ${r.id}${r.subjects.length > 0 ? ` (${r.subjects.map((s) => `${s.subject} v${s.version}`).join(', ')})` : ''}`
      io.info(
        io.styleErr(`${where}, ${r.schemaType.toLowerCase()}${r.references.length > 0 ? `, references: ${r.references.map((x) => `${x.name}=${x.subject}:${x.version}`).join(' ')}` : ''}`, 'dim'),
      )
      io.out(r.schema.endsWith('\n') ? r.schema.slice(0, -1) : r.schema)
    })
    return result
  }
}
