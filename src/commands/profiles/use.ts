import {Args} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {configPath, loadConfig, saveConfig} from '../../profiles/config.js'
import {lookupProfile} from '../../profiles/resolve.js'

export default class ProfilesUse extends BaseCommand<{current: string; configFile: string}> {
  static summary = 'Make a profile the current one'
  static description = 'Commands without --profile (and without KAFKIT_PROFILE) use the current profile.'
  static examples = ['<%= config.bin %> profiles use staging', '<%= config.bin %> profiles use local']
  static args = {name: Args.string({description: 'profile name', required: true})}

  async run(): Promise<{current: string; configFile: string}> {
    const {args} = await this.parse(ProfilesUse)
    const loaded = await loadConfig(configPath())
    for (const w of loaded.warnings) this.io.warn(w)
    lookupProfile(args.name, loaded) // exit 3 with a did-you-mean for an unknown name
    await saveConfig(loaded, [{current: args.name}])
    const result = {current: args.name, configFile: loaded.path}
    this.render(result, (r, io) => {
      io.info(`${io.styleErr('✓', 'green')} current profile: ${r.current}`)
      if (process.env.KAFKIT_PROFILE && process.env.KAFKIT_PROFILE !== r.current) io.warn(`KAFKIT_PROFILE=${process.env.KAFKIT_PROFILE} is set in this shell and takes precedence`)
    })
    return result
  }
}
