/**
 * Forgiving mistakes: the command a mistyped one most likely meant (`kafkit topic list` -> `topics list`), and
 * the flag a mistyped flag most likely meant (`--form` -> `--format`). Pure.
 */
import {closest, editDistance} from '../util/strings.js'

export interface CommandSuggestion {
  /** The suggested command line after the program name, e.g. `topics list orders`. */
  line: string
  /** A command id (`topics:list`) or a topic of commands (`topics`). */
  id: string
  /** How many typed words the suggestion replaces (`topic list` -> 2). */
  replaced: number
}

/**
 * `id` is what oclif made of the first words (`topic`), `argv` the rest (`list`, `--json`). The longest run of
 * leading words that is near a command id wins; else the first word near a topic (`topic` -> `topics`).
 */
export function suggestCommand(id: string, argv: string[], commandIds: string[], topicNames: string[]): CommandSuggestion | undefined {
  const idWords = id.split(':')
  const rest = [...argv]
  const words = [...idWords]
  // Only bare words can be part of a command id.
  while (rest.length > 0 && !rest[0].startsWith('-') && words.length < 3) words.push(rest.shift()!)
  const tail = (n: number) => [...words.slice(n), ...rest]
  // The nearest (command, number of words) pair; on a tie, the one that explains more words.
  let best: {id: string; n: number; distance: number} | undefined
  for (let n = words.length; n >= 1; n--) {
    const phrase = words.slice(0, n).join(':')
    const match = closest(phrase, commandIds)
    const distance = match ? editDistance(phrase.toLowerCase(), match.toLowerCase()) : Number.POSITIVE_INFINITY
    if (match && (!best || distance < best.distance)) best = {id: match, n, distance}
  }
  if (best) return {id: best.id, replaced: best.n, line: [...best.id.split(':'), ...tail(best.n)].join(' ')}
  const topic = closest(words[0], topicNames)
  if (topic) return {id: topic, replaced: 1, line: [topic, ...tail(1)].join(' ')}
  return undefined
}

/** The flag nearest to a mistyped one: `--form` -> `--format`, `--partiton` -> `--partition`. */
export function suggestFlag(typed: string, flags: {name: string; char?: string}[]): string | undefined {
  const name = typed.replace(/^-+/, '').split('=')[0]
  if (!name) return undefined
  const names = flags.map((f) => f.name)
  // A prefix of exactly one flag (`--part` -> `--partitions`) is as likely as a typo.
  const prefixed = names.filter((n) => n.startsWith(name))
  if (name.length >= 3 && prefixed.length === 1) return `--${prefixed[0]}`
  const match = closest(name, names)
  return match ? `--${match}` : undefined
}
