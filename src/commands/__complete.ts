/**
 * Hidden: what the completion scripts call on Tab (`kafkit __complete SHELL -- WORDS...`). Prints candidates,
 * one per line, and always exits 0 within ~2 s: a Tab press must never hang the shell or print an error.
 */
import {Command} from '@oclif/core'

import {complete, type CompletionCommand, formatCandidates} from '../completion/complete.js'
import {COMPLETION_TIMEOUT_MS, lookupNames} from '../completion/names.js'

export default class Complete extends Command {
  static hidden = true
  static strict = false
  static summary = 'Candidates for shell completion (used by the scripts of `kafkit completion`)'

  async run(): Promise<void> {
    // Whatever happens below, the shell gets its answer in time.
    setTimeout(() => process.exit(0), COMPLETION_TIMEOUT_MS + 1000).unref()
    const argv = this.argv
    const shell = (['bash', 'zsh', 'fish'].includes(argv[0]) ? argv[0] : 'bash') as 'bash' | 'zsh' | 'fish'
    const words = argv.includes('--') ? argv.slice(argv.indexOf('--') + 1) : argv.slice(1)
    const commands = this.config.commands.map((c) => c as unknown as CompletionCommand)
    const topics = this.config.topics.map((t) => ({name: t.name, description: t.description}))
    const result = complete({commands, topics, words: words.length > 0 ? words : ['']})
    let out: string
    if (result.kind === 'files') out = formatCandidates('files', shell)
    else if (result.kind === 'words') out = formatCandidates(result.items, shell)
    else {
      const names = await lookupNames(result.name, result.connection)
      const shown = names.filter((n) => n.startsWith(result.prefix) && (result.prefix.startsWith('_') || !n.startsWith('__')))
      out = formatCandidates(
        shown.map((n) => ({value: result.insertPrefix + n})),
        shell,
      )
    }
    process.stdout.write(out)
  }

  // A broken completion prints nothing rather than an error into the user's command line.
  override async catch(): Promise<void> {}
}
