import {Args} from '@oclif/core'

import {RegistryCommand} from '../../../base-command.js'
import {usageError} from '../../../errors.js'
import {COMPATIBILITY_LEVELS} from '../../../schemas/registry.js'
import {CompatibilityResult, setCompatibility} from '../../../schemas/operations.js'
import {parseCompatibilityLevel} from '../../../schemas/schema-file.js'

export default class SchemasCompatibilitySet extends RegistryCommand<CompatibilityResult & {previous: string | null}> {
  static summary = 'Set the compatibility level: global, or of one subject'
  static description = `LEVEL is one of ${COMPATIBILITY_LEVELS.join(', ')} (any case, - or _).`
  static examples = ['<%= config.bin %> schemas compatibility set BACKWARD', '<%= config.bin %> schemas compatibility set sales-value full_transitive']
  static args = {
    first: Args.string({description: 'SUBJECT LEVEL, or LEVEL alone for the global level', required: true}),
    second: Args.string({description: 'LEVEL (when the first argument is a subject)'}),
  }

  async run(): Promise<CompatibilityResult & {previous: string | null}> {
    const {args} = await this.parse(SchemasCompatibilitySet)
    if (args.second === undefined && !(COMPATIBILITY_LEVELS as readonly string[]).includes(args.first.toUpperCase().replaceAll('-', '_'))) {
      throw usageError(`'${args.first}' is not a compatibility level`, `usage: schemas compatibility set [SUBJECT] LEVEL, LEVEL one of ${COMPATIBILITY_LEVELS.join(', ')}`, 'BAD_COMPATIBILITY_LEVEL')
    }
    const [subject, levelText] = args.second === undefined ? [undefined, args.first] : [args.first, args.second]
    const level = parseCompatibilityLevel(levelText)
    const result = await setCompatibility(await this.registry(), level, subject)
    this.render(result, (r, io) => io.info(`${io.styleErr('✓', 'green')} ${r.subject ? `${r.subject}` : 'global'} compatibility: ${r.previous ?? 'unset'} -> ${r.level}`))
    return result
  }
}
