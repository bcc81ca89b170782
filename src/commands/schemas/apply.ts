import {Flags} from '@oclif/core'

import {RegistryCommand} from '../../base-command.js'
import {ExitCode, KafkitError, usageError} from '../../errors.js'
import {ExecutedSchemas, SchemasPlan, differsError, executeSchemasPlan, formatSchemasPlan, parseSchemasFile, planSchemas, readActualSchemas, schemasFileDir} from '../../schemas/apply.js'
import {readInputFile} from '../../util/input-file.js'

export interface SchemasApplyResult extends SchemasPlan {
  file: string
  differs: boolean
  executed: boolean
  applied?: ExecutedSchemas
}

export default class SchemasApply extends RegistryCommand<SchemasApplyResult> {
  static summary = 'Make the registry match a schemas file: plan, then --execute'
  static description = `The file (YAML or JSON) maps subjects to a schema (file: or schema:), its type, references and compatibility level, plus an optional global level. Without flags, prints the plan: ~ levels to set, + schemas to register (each checked for compatibility first; ! marks one the registry would refuse). --execute applies it: levels first, then schemas in reference order. --check exits 8 when the registry differs, 0 when it matches, for CI. Nothing is deleted.
The JSON Schema of the file ships in the package: schemas/schemas.schema.json.`
  static examples = [
    '<%= config.bin %> schemas apply -f schemas.yaml',
    '<%= config.bin %> schemas apply -f schemas.yaml --execute',
    '<%= config.bin %> schemas apply -f schemas.yaml --check   # CI: exit 8 when the registry differs',
  ]
  static flags = {
    file: Flags.string({char: 'f', description: "the schemas file (YAML or JSON); '-' reads stdin (then paths are relative to the current directory)", required: true}),
    execute: Flags.boolean({description: 'apply the plan'}),
    check: Flags.boolean({description: 'exit 8 when the registry differs from the file, 0 when it matches'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<SchemasApplyResult> {
    const {flags} = await this.parse(SchemasApply)
    if (flags.check && flags.execute) throw usageError('--check and --execute cannot be used together', '--check only compares; --execute applies', 'BAD_FLAGS')
    const source = flags.file === '-' ? 'stdin' : flags.file
    const desired = await parseSchemasFile(await readInputFile(flags.file, 'schemas file'), source, schemasFileDir(flags.file))
    const client = await this.registry()
    const {actual, globalLevel} = await readActualSchemas(client, desired)
    const plan = planSchemas(desired, actual, globalLevel)
    const result: SchemasApplyResult = {file: source, ...plan, differs: plan.actions.length > 0, executed: false}
    if (!this.io.json) this.io.out(formatSchemasPlan(plan, (t, s) => this.io.style(t, s)).join('\n'))
    if (flags.check) {
      if (!result.differs) return result
      if (this.io.json) this.logJson(result)
      throw differsError(source, plan, this.config.bin, flags.file)
    }
    if (!flags.execute || !result.differs) {
      if (!flags.execute && result.differs) this.io.info(this.io.styleErr(`this is a plan; apply it with '${this.config.bin} schemas apply -f ${flags.file} --execute'`, 'dim'))
      return result
    }
    if (plan.blocked.length > 0) {
      if (this.io.json) this.logJson(result)
      throw new KafkitError(
        'INCOMPATIBLE_SCHEMA',
        `${plan.blocked.length} schema${plan.blocked.length === 1 ? '' : 's'} would be refused as incompatible (${plan.blocked.join(', ')}): nothing applied`,
        {
          hint: 'fix the schema, or set a compatibility level for the subject in the file',
          exitCode: ExitCode.FAILED,
        },
      )
    }
    const connection = await this.connection()
    if (connection.protected || (!flags.yes && this.io.interactive)) {
      await this.confirmDestructive(`apply ${source}: ${plan.counts.register} to register, ${plan.counts.compatibility} level${plan.counts.compatibility === 1 ? '' : 's'} to set`, flags.yes)
    }
    const upToDate = new Map(plan.upToDate.map((u) => [u.subject, u.version]))
    result.applied = await executeSchemasPlan(client, desired, plan, upToDate)
    result.executed = true
    this.io.info(
      `${this.io.styleErr('applied', 'green')}: ${result.applied.registered.length} registered, ${result.applied.compatibility.length} compatibility level${result.applied.compatibility.length === 1 ? '' : 's'} set`,
    )
    return result
  }
}
