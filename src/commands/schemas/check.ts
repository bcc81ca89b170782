import {Args, Flags} from '@oclif/core'

import {RegistryCommand} from '../../base-command.js'
import {ExitCode, KafkitError} from '../../errors.js'
import {CheckResult, checkSchema, resolveReferences} from '../../schemas/operations.js'
import {parseReference, parseSchemaType, readSchemaFile} from '../../schemas/schema-file.js'

export default class SchemasCheck extends RegistryCommand<CheckResult> {
  static summary = 'Is a schema compatible with a subject? exit 0 yes, exit 8 no (with the reasons), for CI'
  static description =
    "Checks against the latest version, or every version with --all, under the subject's compatibility level. A subject without versions, or with level NONE, accepts anything (exit 0, said on stderr). Nothing is registered."
  static examples = ['<%= config.bin %> schemas check sales-value -f sale.avsc', '<%= config.bin %> schemas check sales-value -f sale.avsc --all --json']
  static args = {subject: Args.string({description: 'subject', required: true})}
  static flags = {
    file: Flags.string({char: 'f', description: 'the schema file', required: true}),
    type: Flags.string({char: 't', description: 'schema type (default: from the file)', options: ['avro', 'protobuf', 'json']}),
    reference: Flags.string({char: 'r', description: 'a reference: name=subject:version; repeatable', multiple: true}),
    all: Flags.boolean({description: 'check against every version, not only the latest'}),
  }

  async run(): Promise<CheckResult> {
    const {args, flags} = await this.parse(SchemasCheck)
    const file = await readSchemaFile(flags.file, flags.type ? parseSchemaType(flags.type) : undefined)
    const client = await this.registry()
    const references = await resolveReferences(client, (flags.reference ?? []).map(parseReference))
    const result = await checkSchema(client, args.subject, {schema: file.text, schemaType: file.type, references}, {all: flags.all})
    if (this.io.json) {
      if (!result.compatible) this.logJson(result)
    } else {
      for (const r of result.results) {
        this.io.out(`${r.compatible ? this.io.style('compatible', 'green') : this.io.style('INCOMPATIBLE', 'red', 'bold')} with version ${r.version}`)
        for (const m of r.messages) this.io.out(`  ${m}`)
      }
      if (result.note) this.io.info(this.io.styleErr(result.note, 'dim'))
    }
    if (!result.compatible) {
      const bad = result.results.filter((r) => !r.compatible).map((r) => r.version)
      throw new KafkitError(
        'INCOMPATIBLE_SCHEMA',
        `${flags.file} is not compatible with ${args.subject} version${bad.length === 1 ? '' : 's'} ${bad.join(', ')} (level ${result.level ?? 'unknown'})`,
        {
          hint: result.results.some((r) => r.messages.length > 0)
            ? undefined
            : `the registry gave no reasons; 'kafkit schemas register ${args.subject} -f ${flags.file}' shows its rule violation (and registers nothing when it is incompatible)`,
          exitCode: ExitCode.DIFFERS,
        },
      )
    }
    return result
  }
}
