/**
 * oclif's command_not_found hook (package.json oclif.hooks): `kafkit topic list` says what it is not and what
 * it most likely meant, in kafkit's error format, exit 2. Loaded only when a command is not found.
 */
import type {Hook} from '@oclif/core'

import {suggestCommand} from '../cli/suggest.js'

const hook: Hook<'command_not_found'> = async function (opts) {
  const bin = opts.config.bin
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id)
  const topics = opts.config.topics.filter((t) => !t.hidden).map((t) => t.name)
  const suggestion = suggestCommand(opts.id, opts.argv ?? [], ids, topics)
  const words = [...opts.id.split(':'), ...(opts.argv ?? [])]
  const typed = words.slice(0, suggestion?.replaced ?? opts.id.split(':').length).join(' ')
  const message = `'${typed}' is not a ${bin} command`
  const hint = suggestion ? `did you mean '${bin} ${suggestion.line}'?` : `'${bin} --help' lists the commands`
  const noColor = Boolean(process.env.NO_COLOR) || !process.stderr.isTTY || process.argv.includes('--no-color')
  const paint = (text: string, code: string) => (noColor ? text : `\u001B[${code}m${text}\u001B[0m`)
  if (process.argv.includes('--json')) {
    process.stderr.write(JSON.stringify({error: {code: 'UNKNOWN_COMMAND', message, hint}}) + '\n')
  } else {
    process.stderr.write(`${paint('error:', '1;31')} ${message}\n`)
    process.stderr.write(`${paint('hint:', '2')} ${hint}\n`)
  }
  this.exit(2)
}

export default hook
