/**
 * Interactive `topics create`: the questions (validated with the cluster's facts: existing names, broker
 * count, broker defaults), the summary, the equivalent non-interactive command, the confirmation. The
 * validators and the command line are pure and unit-tested; the prompts run only on a TTY, on stderr.
 */
import {ExitCode, KafkitError} from '../errors.js'
import {normalizeConfigValue} from './configs.js'
import {formatHumanDuration, parseHumanDuration} from './human.js'
import {periodUnderscoreWarning, topicNameProblem} from './names.js'

export interface CreateDefaults {
  brokers: number
  numPartitions: number
  defaultReplicationFactor: number
  minInsyncReplicas: number
  retentionMs: number
  compressionType: string
}

export interface CreateDraft {
  name?: string
  partitions?: number
  replicationFactor?: number
  /** key=value pairs already given with --config (their questions are skipped). */
  configs: [string, string][]
}

export interface CreatePlan {
  name: string
  partitions: number
  replicationFactor: number
  configs: [string, string][]
}

type Validation = true | string

export function validateNameAnswer(existing: string[]): (value: string) => Validation {
  return (value) => topicNameProblem(value.trim(), existing) ?? true
}

export function validatePartitionsAnswer(value: string): Validation {
  const text = value.trim()
  if (!/^\d+$/.test(text) || Number(text) < 1) return 'a whole number, 1 or more'
  if (Number(text) > 100_000) return 'that is more partitions than any cluster handles well'
  return true
}

export function validateReplicationAnswer(brokers: number): (value: string) => Validation {
  return (value) => {
    const text = value.trim()
    if (!/^\d+$/.test(text) || Number(text) < 1) return 'a whole number, 1 or more'
    if (Number(text) > brokers) return `the cluster has ${brokers} broker${brokers === 1 ? '' : 's'}: at most ${brokers}`
    return true
  }
}

export function validateRetentionAnswer(value: string): Validation {
  try {
    parseHumanDuration(value, 'retention', true)
    return true
  } catch {
    return 'a duration such as 12h, 7d, 4w, or forever'
  }
}

export function validateMinInsyncAnswer(replicationFactor: number): (value: string) => Validation {
  return (value) => {
    const text = value.trim()
    if (!/^\d+$/.test(text) || Number(text) < 1) return 'a whole number, 1 or more'
    if (Number(text) > replicationFactor) return `at most the replication factor (${replicationFactor}), or no write would ever succeed with acks=all`
    return true
  }
}

/** The default replication factor offered: the broker's default, capped by the broker count. */
export function defaultReplication(defaults: CreateDefaults): number {
  return Math.max(1, Math.min(defaults.defaultReplicationFactor, defaults.brokers))
}

function shellQuote(word: string): string {
  return /^[\w.,:=/@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`
}

/** The command that does the same without prompts (for scripts, docs, CI). */
export function equivalentCommand(plan: CreatePlan, bin = 'kafkit'): string {
  const words = [bin, 'topics', 'create', plan.name, '--partitions', String(plan.partitions), '--replication-factor', String(plan.replicationFactor)]
  for (const [k, v] of plan.configs) words.push('--config', `${k}=${v}`)
  return words.map(shellQuote).join(' ')
}

function has(draft: CreateDraft, key: string): boolean {
  return draft.configs.some(([k]) => k === key)
}

/**
 * Asks for what is missing; answers equal to the cluster's defaults add no config override. Resolves to the
 * plan, or throws (exit 6) when the person says no, (exit 130) on Ctrl-C.
 */
export async function askCreateTopic(
  draft: CreateDraft,
  defaults: CreateDefaults,
  existing: string[],
  io: {stderr: NodeJS.WritableStream; info: (text: string) => void; warn?: (text: string) => void; styleErr: (text: string, ...s: ('bold' | 'dim' | 'cyan')[]) => string},
  bin = 'kafkit',
): Promise<CreatePlan> {
  const {input, select, confirm} = await import('@inquirer/prompts')
  const context = {output: io.stderr}
  try {
    const name = draft.name ?? (await input({message: 'Topic name', validate: validateNameAnswer(existing)}, context)).trim()
    if (draft.name === undefined) {
      const warning = periodUnderscoreWarning(name)
      if (warning) {
        if (io.warn) io.warn(warning)
        else io.info(`warning: ${warning}`)
      }
    }
    const partitions = draft.partitions ?? Number(await input({message: 'Partitions', default: String(Math.max(1, defaults.numPartitions)), validate: validatePartitionsAnswer}, context))
    const replicationFactor =
      draft.replicationFactor ??
      Number(await input({message: `Replication factor (1-${defaults.brokers})`, default: String(defaultReplication(defaults)), validate: validateReplicationAnswer(defaults.brokers)}, context))
    const configs: [string, string][] = [...draft.configs]
    let policy = draft.configs.find(([k]) => k === 'cleanup.policy')?.[1] ?? 'delete'
    if (!has(draft, 'cleanup.policy')) {
      policy = await select(
        {
          message: 'Cleanup policy',
          choices: [
            {name: 'delete  (drop old segments after the retention time / size)', value: 'delete'},
            {name: 'compact (keep the latest record per key)', value: 'compact'},
            {name: 'both    (compact, and drop after the retention time)', value: 'compact,delete'},
          ],
          default: 'delete',
        },
        context,
      )
      if (policy !== 'delete') configs.push(['cleanup.policy', policy])
    }
    // Retention (by time) only drops records under a delete policy: a compact-only topic keeps each key's latest.
    if (
      !has(draft, 'retention.ms') &&
      policy
        .split(',')
        .map((p) => p.trim())
        .includes('delete')
    ) {
      const current = formatHumanDuration(defaults.retentionMs)
      const retention = (await input({message: 'Retention (e.g. 12h, 7d, 4w, forever)', default: current, validate: validateRetentionAnswer}, context)).trim()
      if (parseHumanDuration(retention, 'retention', true) !== defaults.retentionMs) configs.push(['retention.ms', retention])
    }
    if (!has(draft, 'min.insync.replicas')) {
      const fallback = Math.min(defaults.minInsyncReplicas, replicationFactor)
      const minIsr = (await input({message: `min.insync.replicas (1-${replicationFactor})`, default: String(fallback), validate: validateMinInsyncAnswer(replicationFactor)}, context)).trim()
      if (Number(minIsr) !== defaults.minInsyncReplicas) configs.push(['min.insync.replicas', minIsr])
    }
    if (!has(draft, 'compression.type')) {
      const compression = await select(
        {
          message: 'Compression',
          choices: ['producer', 'zstd', 'lz4', 'snappy', 'gzip', 'uncompressed'].map((c) => ({name: c === 'producer' ? 'producer (keep what producers send)' : c, value: c})),
          default: normalizeConfigValue('compression.type', defaults.compressionType),
        },
        context,
      )
      if (compression !== defaults.compressionType) configs.push(['compression.type', compression])
    }
    const plan: CreatePlan = {name, partitions, replicationFactor, configs}
    io.info('')
    io.info(io.styleErr('Summary', 'bold'))
    io.info(`  topic               ${name}`)
    io.info(`  partitions          ${partitions}`)
    io.info(`  replication factor  ${replicationFactor}`)
    for (const [k, v] of configs) io.info(`  ${k.padEnd(20)}${v}`)
    io.info('')
    io.info(`${io.styleErr('Same without prompts:', 'dim')} ${equivalentCommand(plan, bin)}`)
    const ok = await confirm({message: `Create topic '${name}'?`, default: true}, context)
    if (!ok) throw new KafkitError('ABORTED', 'aborted, nothing created', {exitCode: ExitCode.REFUSED})
    return plan
  } catch (error) {
    if ((error as Error)?.name === 'ExitPromptError') throw new KafkitError('INTERRUPTED', 'interrupted, nothing created', {exitCode: ExitCode.INTERRUPTED})
    throw error
  }
}
