import {Args} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {renderPairs} from '../../output/table.js'
import {configPath, loadConfig} from '../../profiles/config.js'
import {connectionAsProfile, flattenForDisplay, redactProfile} from '../../profiles/describe.js'
import {resolveConnection} from '../../profiles/resolve.js'

export interface ProfileShowResult {
  name: string
  configFile: string
  /** The connection commands would use with `-p NAME` (environment overrides applied), secrets redacted. */
  profile: Record<string, unknown>
  /** Where each part comes from (`--profile`, `KAFKIT_BROKERS`, `profile 'x'`, ...). */
  sources: Record<string, string>
}

export default class ProfilesShow extends BaseCommand<ProfileShowResult> {
  static summary = 'Show a profile as commands will use it (secrets are never shown)'
  static description = 'Without NAME: the profile in effect (KAFKIT_PROFILE, else current, else local). KAFKIT_* overrides are applied and their origin shown, so this is also how to debug precedence.'
  static examples = ['<%= config.bin %> profiles show', '<%= config.bin %> profiles show staging --json']
  static args = {name: Args.string({description: 'profile name'})}

  async run(): Promise<ProfileShowResult> {
    const {args} = await this.parse(ProfilesShow)
    const loaded = await loadConfig(configPath())
    for (const w of loaded.warnings) this.io.warn(w)
    const connection = await resolveConnection({profile: args.name}, process.env, {loaded})
    const result: ProfileShowResult = {name: connection.profile, configFile: loaded.path, profile: redactProfile(connectionAsProfile(connection)), sources: connection.sources ?? {}}
    this.render(result, (r, io) => {
      renderPairs(io, [['profile', r.name], ...flattenForDisplay(r.profile)])
      if (io.stdoutIsTTY)
        io.info(
          `from: ${Object.entries(r.sources)
            .map(([k, v]) => `${k} <- ${v}`)
            .join('; ')}`,
        )
    })
    return result
  }
}
