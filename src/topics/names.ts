/**
 * Topic names: Kafka's rules (legal characters, length, `.`/`..`), the `.`/`_` collision Kafka refuses (both
 * map to the same metric name), and internal topics. Pure.
 */
import {usageError} from '../errors.js'

export const MAX_TOPIC_NAME_LENGTH = 249
const LEGAL = /^[a-zA-Z0-9._-]+$/

/** Why a name cannot be a new topic, or undefined when it can. `existing` catches clashes. */
export function topicNameProblem(name: string, existing: Iterable<string> = []): string | undefined {
  if (name.length === 0) return 'the topic name is empty'
  if (name === '.' || name === '..') return `'${name}' is not a valid topic name`
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `the topic name is ${name.length} characters long; at most ${MAX_TOPIC_NAME_LENGTH} are allowed`
  if (!LEGAL.test(name)) {
    const bad = [...new Set([...name].filter((c) => !/[a-zA-Z0-9._-]/.test(c)))].map((c) => (c === ' ' ? 'space' : `'${c}'`))
    return `'${name}' contains ${bad.join(', ')}: only letters, digits, '.', '_' and '-' are allowed`
  }
  const key = collisionKey(name)
  for (const other of existing) {
    if (other === name) return `topic '${name}' already exists`
    if (collisionKey(other) === key) return `'${name}' collides with existing topic '${other}' ('.' and '_' are the same to Kafka's metrics)`
  }
  return undefined
}

/** Throws the usage error (exit 2) for a bad new name; an existing name is left to the caller (--if-not-exists). */
export function checkNewTopicName(name: string, existing: Iterable<string> = []): void {
  const others = [...existing].filter((e) => e !== name)
  const problem = topicNameProblem(name, others)
  if (problem) throw usageError(problem, "topic names use letters, digits, '.', '_' and '-', up to 249 characters", 'INVALID_TOPIC_NAME')
}

/**
 * Kafka's TopicCommand warns about any new name with a '.' or '_' (they map to the same metric name, so a later
 * topic could collide with this one); kafkit says so on the first such name, not only at an actual clash.
 */
export function periodUnderscoreWarning(name: string): string | undefined {
  if (isInternalTopic(name) || !/[._]/.test(name)) return undefined
  return "topic names with a period ('.') or underscore ('_') could collide in Kafka's metric names: best use either, but not both"
}

function collisionKey(name: string): string {
  return name.replaceAll('.', '_')
}

/** Internal topics (`__consumer_offsets`, `__transaction_state`, ...) are hidden and protected. */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('__')
}
