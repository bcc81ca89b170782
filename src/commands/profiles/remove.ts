import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {notFoundError} from '../../errors.js'
import {ConfigEdit, configPath, loadConfig, saveConfig} from '../../profiles/config.js'

export default class ProfilesRemove extends BaseCommand<{removed: string; current: string; configFile: string}> {
  static summary = 'Remove a profile from the config file'
  static description = 'Removing the current profile makes the built-in local profile current. A protected profile needs --yes (or a confirmation on a terminal).'
  static examples = ['<%= config.bin %> profiles remove old-staging', '<%= config.bin %> profiles remove prod --yes']
  static args = {name: Args.string({description: 'profile name', required: true})}
  static flags = {yes: Flags.boolean({char: 'y', description: 'do not ask (needed for a protected profile without a terminal)'})}

  async run(): Promise<{removed: string; current: string; configFile: string}> {
    const {args, flags} = await this.parse(ProfilesRemove)
    const loaded = await loadConfig(configPath())
    const profile = loaded.config.profiles[args.name]
    if (!profile) throw notFoundError('PROFILE_NOT_FOUND', `profile '${args.name}' is not defined${loaded.exists ? ` in ${loaded.path}` : ''}`, "list them with 'kafkit profiles list'")
    if (profile.protected) await this.confirmDestructive(`remove profile '${args.name}'`, flags.yes, {name: args.name, protected: true})
    const edits: ConfigEdit[] = [{removeProfile: args.name}]
    const wasCurrent = loaded.config.current === args.name
    if (wasCurrent) edits.push({current: null})
    await saveConfig(loaded, edits)
    const result = {removed: args.name, current: wasCurrent ? 'local' : (loaded.config.current ?? 'local'), configFile: loaded.path}
    this.render(result, (r, io) => io.info(`${io.styleErr('✓', 'green')} removed profile '${r.removed}'${wasCurrent ? '; current profile is now local' : ''}`))
    return result
  }
}
