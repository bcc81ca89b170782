import {Args} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {completionScript, INSTALL, type Shell, SHELLS} from '../completion/scripts.js'

export default class Completion extends BaseCommand<{shell: Shell; install: string; script: string}> {
  static summary = 'Print the shell completion script (bash, zsh, fish)'
  static description = `Completes commands, flags, flag values, and names from the cluster (topics, groups) and the config file (profiles). A cluster look-up is bounded by 1.5 s and cached for 10 s under ~/.cache/kafkit/completion, so a Tab press never hangs the shell.

Install (one line per shell):
  bash: ${INSTALL.bash}
  zsh:  ${INSTALL.zsh}
  fish: ${INSTALL.fish}`
  static examples = ['<%= config.bin %> completion bash', '<%= config.bin %> completion zsh', '<%= config.bin %> completion fish']
  static args = {shell: Args.string({description: 'the shell to complete for', options: [...SHELLS], required: true})}

  async run(): Promise<{shell: Shell; install: string; script: string}> {
    const {args} = await this.parse(Completion)
    const shell = args.shell as Shell
    const script = completionScript(shell, this.config.bin)
    if (!this.io.json) this.io.stdout.write(script)
    return {shell, install: INSTALL[shell], script}
  }
}
