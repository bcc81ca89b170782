/**
 * Shell completion, the shell-independent part: given the oclif manifest and the words typed so far, what can
 * come next. Pure: the scripts of src/completion/scripts.ts call `kafkit __complete SHELL -- WORDS...`, which
 * runs this and, for names that live in the cluster (topics, groups) or in the config file (profiles), looks
 * them up (src/completion/names.ts).
 */

export interface CompletionFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  options?: readonly string[]
  multiple?: boolean
  hidden?: boolean
  summary?: string
  description?: string
}

export interface CompletionArg {
  name: string
  options?: readonly string[]
  description?: string
}

export interface CompletionCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  /** false: takes any number of arguments (the last declared one repeats). */
  strict?: boolean
  flags: Record<string, CompletionFlag>
  args: Record<string, CompletionArg>
}

export interface CompletionTopic {
  name: string
  description?: string
}

/** Names that live outside the manifest. 'subject' (schema registry subjects) resolves once a registry client exists. */
export type NameKind = 'topic' | 'group' | 'profile' | 'subject'

export interface Candidate {
  value: string
  description?: string
}

export type Completion =
  | {kind: 'words'; items: Candidate[]}
  | {kind: 'files'}
  | {kind: 'names'; name: NameKind; prefix: string; /** prepended to each name (`--topic=`) */ insertPrefix: string; connection: {profile?: string; brokers?: string}}

/** Flags every Kafka command takes; also accepted before the command (`kafkit -p prod topics list`). */
export const GLOBAL_FLAGS: CompletionFlag[] = [
  {name: 'profile', char: 'p', type: 'option', summary: 'connection profile to use'},
  {name: 'brokers', char: 'b', type: 'option', summary: 'bootstrap brokers host:port,...'},
  {name: 'timeout', type: 'option', summary: 'upper bound for each network wait'},
  {name: 'debug', type: 'boolean', summary: 'log what happens'},
  {name: 'no-color', type: 'boolean', summary: 'no colours'},
]

const TOP_LEVEL_FLAGS: Candidate[] = [
  {value: '--help', description: 'show help'},
  {value: '--version', description: 'show the version'},
]

/** Flags whose value is a file path. */
const FILE_FLAGS = new Set(['file', 'value-file', 'tls-ca', 'tls-cert', 'tls-key', 'from-file'])

/** What a flag's value names, by flag name. */
function flagValueKind(flag: string): NameKind | 'file' | undefined {
  if (FILE_FLAGS.has(flag)) return 'file'
  if (flag === 'topic') return 'topic'
  if (flag === 'group') return 'group'
  if (flag === 'profile') return 'profile'
  if (flag === 'subject') return 'subject'
  return undefined
}

/** What a positional argument names, by command and argument name. */
function argKind(commandId: string, arg: string): NameKind | 'file' | undefined {
  if (['topic', 'topics', 'source', 'destination'].includes(arg)) return 'topic'
  if (['group', 'groups'].includes(arg)) return 'group'
  if (arg === 'subject') return 'subject'
  if (arg === 'name' && commandId.startsWith('profiles:') && commandId !== 'profiles:add') return 'profile'
  if (arg === 'file') return 'file'
  return undefined
}

/**
 * The literal values a flag's description lists as `a|b|c` (`utf8|hex|base64|json`,
 * `beginning|end|stored|OFFSET|-N|@TIME`): the lowercase words, not the placeholders.
 */
export function valuesInDescription(text?: string): string[] {
  const list = (text ?? '').split(/[\s,;()]+/).find((token) => token.includes('|'))
  return list ? list.split('|').filter((v) => /^[a-z][a-z0-9-]*$/.test(v)) : []
}

export interface CompletionInput {
  commands: CompletionCommand[]
  topics: CompletionTopic[]
  /** The words after the program name, the last one being the word under the cursor ('' for a new word). */
  words: string[]
}

const firstLine = (text?: string) => (text ?? '').split('\n')[0].trim() || undefined

export function complete({commands, topics, words}: CompletionInput): Completion {
  const visible = commands.filter((c) => !c.hidden)
  const byId = new Map(commands.map((c) => [c.id, c]))
  const typed = words.length > 0 ? words.slice(0, -1) : []
  const current = words.length > 0 ? words.at(-1)! : ''

  // Walk what was typed: the command's id words, flags (and the values they take), positional arguments.
  const idParts: string[] = []
  let command: CompletionCommand | undefined
  const positionals: string[] = []
  const usedFlags = new Set<string>()
  const connection: {profile?: string; brokers?: string} = {}
  let pendingFlag: CompletionFlag | undefined
  let afterDoubleDash = false

  const flagsOf = (): CompletionFlag[] => [...(command ? Object.values(command.flags) : []), ...(command ? [] : GLOBAL_FLAGS)]
  const findFlag = (word: string): CompletionFlag | undefined => {
    const all = flagsOf()
    if (word.startsWith('--')) {
      const name = word.slice(2).split('=')[0]
      return all.find((f) => f.name === name) ?? GLOBAL_FLAGS.find((f) => f.name === name)
    }
    const char = word.slice(1, 2)
    return all.find((f) => f.char === char) ?? GLOBAL_FLAGS.find((f) => f.char === char)
  }
  const noteConnection = (flag: CompletionFlag, value: string) => {
    if (flag.name === 'profile') connection.profile = value
    if (flag.name === 'brokers') connection.brokers = value
  }

  for (const word of typed) {
    if (pendingFlag) {
      noteConnection(pendingFlag, word)
      pendingFlag = undefined
      continue
    }
    if (afterDoubleDash) {
      positionals.push(word)
      continue
    }
    if (word === '--') {
      afterDoubleDash = true
      continue
    }
    if (word.startsWith('-') && word.length > 1) {
      const flag = findFlag(word)
      if (!flag) continue
      usedFlags.add(flag.name)
      if (word.startsWith('--') && word.includes('=')) noteConnection(flag, word.slice(word.indexOf('=') + 1))
      // `-pprod`, `-c5`: a short flag with its value attached.
      else if (flag.type === 'option' && !(word.length > 2 && !word.startsWith('--'))) pendingFlag = flag
      else if (flag.type === 'option') noteConnection(flag, word.slice(2))
      continue
    }
    if (!command) {
      const next = [...idParts, word].join(':')
      if (byId.has(next) && !visible.some((c) => c.id.startsWith(`${next}:`))) {
        idParts.push(word)
        command = byId.get(next)
        continue
      }
      if (byId.has(next) || commands.some((c) => c.id.startsWith(`${next}:`))) {
        idParts.push(word)
        command = byId.get(next)
        continue
      }
    }
    positionals.push(word)
  }

  const prefixed = (items: Candidate[]) => ({kind: 'words' as const, items: items.filter((i) => i.value.startsWith(current))})
  const names = (name: NameKind, prefix: string, insertPrefix = ''): Completion => ({kind: 'names', name, prefix, insertPrefix, connection})
  const flagValue = (flag: CompletionFlag, prefix: string, insertPrefix = ''): Completion => {
    const options = flag.options && flag.options.length > 0 ? flag.options : valuesInDescription(flag.summary ?? flag.description)
    if (options.length > 0) {
      return {kind: 'words', items: options.filter((o) => o.startsWith(prefix)).map((o) => ({value: insertPrefix + o}))}
    }
    const kind = flagValueKind(flag.name)
    if (kind === 'file') return {kind: 'files'}
    if (kind) return names(kind, prefix, insertPrefix)
    return {kind: 'words', items: []}
  }

  // The word under the cursor is a flag's value.
  if (pendingFlag) return flagValue(pendingFlag, current)
  if (current.startsWith('--') && current.includes('=') && !afterDoubleDash) {
    const flag = findFlag(current)
    const head = current.slice(0, current.indexOf('=') + 1)
    return flag && flag.type === 'option' ? flagValue(flag, current.slice(head.length), head) : {kind: 'words', items: []}
  }

  // A flag name.
  if (current.startsWith('-') && !afterDoubleDash) {
    const flags = flagsOf().filter((f) => !f.hidden && (f.multiple || !usedFlags.has(f.name)))
    const items: Candidate[] = flags.map((f) => ({value: `--${f.name}`, description: firstLine(f.summary ?? f.description)}))
    // Short forms only once the user typed a single dash.
    if (!current.startsWith('--')) items.push(...flags.filter((f) => f.char).map((f) => ({value: `-${f.char}`, description: firstLine(f.summary ?? f.description)})))
    if (!command) items.push(...TOP_LEVEL_FLAGS)
    else items.push({value: '--help', description: 'show help'})
    return prefixed(items)
  }

  // The next word of a command id: sub-commands and topics.
  if (!command) {
    const base = idParts.join(':')
    const depth = idParts.length
    const seen = new Map<string, Candidate>()
    for (const c of visible) {
      if (depth > 0 && !c.id.startsWith(`${base}:`)) continue
      const parts = c.id.split(':')
      if (parts.length <= depth) continue
      const word = parts[depth]
      const isLeaf = parts.length === depth + 1
      const topicId = parts.slice(0, depth + 1).join(':')
      const description = isLeaf ? firstLine(c.summary ?? c.description) : firstLine(topics.find((t) => t.name === topicId)?.description)
      if (!seen.has(word) || isLeaf) seen.set(word, {value: word, description: description ?? seen.get(word)?.description})
    }
    if (depth === 0) seen.set('help', {value: 'help', description: 'show help for a command'})
    return prefixed([...seen.values()].sort((a, b) => a.value.localeCompare(b.value)))
  }

  // A positional argument.
  const args = Object.values(command.args)
  const index = positionals.length
  const arg = index < args.length ? args[index] : command.strict === false ? args.at(-1) : undefined
  if (!arg) return {kind: 'words', items: []}
  if (arg.options && arg.options.length > 0) return prefixed(arg.options.map((o) => ({value: o})))
  const kind = argKind(command.id, arg.name)
  if (kind === 'file') return {kind: 'files'}
  if (kind) return names(kind, current)
  return {kind: 'words', items: []}
}

/** What `kafkit __complete` prints: a directive line for files, else `value<TAB>description` lines. */
export function formatCandidates(items: Candidate[] | 'files', shell: 'bash' | 'zsh' | 'fish'): string {
  if (items === 'files') return ':files\n'
  return items.map((i) => (shell === 'bash' || !i.description ? i.value : `${i.value}\t${i.description}`) + '\n').join('')
}
