import {Flags} from '@oclif/core'

import {RegistryCommand} from '../../base-command.js'
import {renderTable} from '../../output/table.js'
import {SubjectRow, listSubjects} from '../../schemas/operations.js'

export default class SchemasSubjects extends RegistryCommand<SubjectRow[]> {
  static summary = 'List the subjects of the schema registry'
  static description = 'One subject per line (piped: plain). --deleted also lists soft-deleted subjects, marked in a second column.'
  static examples = [
    '<%= config.bin %> schemas subjects',
    '<%= config.bin %> schemas subjects --deleted',
    '<%= config.bin %> schemas subjects --schema-registry http://127.0.0.1:8081/apis/ccompat/v7 --json',
  ]
  static flags = {deleted: Flags.boolean({description: 'also list soft-deleted subjects'})}

  async run(): Promise<SubjectRow[]> {
    const {flags} = await this.parse(SchemasSubjects)
    const rows = await listSubjects(await this.registry(), {deleted: flags.deleted})
    this.render(rows, (r, io) => {
      if (r.length === 0 && io.stderrIsTTY) io.info('no subjects')
      if (flags.deleted)
        renderTable(
          io,
          [
            {header: 'SUBJECT', get: (s) => s.subject},
            {header: 'STATE', get: (s) => (s.deleted ? 'deleted' : 'active')},
          ],
          r,
        )
      else for (const s of r) io.out(s.subject)
    })
    return rows
  }
}
