/** Which topics `topics delete` removes: names and/or a regex against the existing ones. Pure. */
import {notFoundError, refusedError, usageError} from '../errors.js'
import {unknownTopic} from '../kafka/metadata.js'
import {isInternalTopic} from './names.js'

export interface TopicDeletionPlan {
  topics: string[]
  /** Internal topics a regex matched and that are left alone. */
  skippedInternal: string[]
  summary: string
}

export function planTopicDeletion(names: string[], regex: RegExp | undefined, existing: string[]): TopicDeletionPlan {
  if (names.length === 0 && !regex) throw usageError('name the topics to delete, or give --regex', "e.g. 'kafkit topics delete orders-old --yes'", 'MISSING_VALUE')
  const existingSet = new Set(existing)
  const chosen = new Set<string>()
  for (const name of names) {
    if (isInternalTopic(name)) throw refusedError(`'${name}' is an internal topic; kafkit does not delete internal topics`, 'Kafka needs it to work', 'INTERNAL_TOPIC')
    if (!existingSet.has(name)) throw unknownTopic(name, existing)
    chosen.add(name)
  }
  const skippedInternal: string[] = []
  if (regex) {
    const matches = existing.filter((t) => regex.test(t))
    for (const t of matches) {
      if (isInternalTopic(t)) skippedInternal.push(t)
      else chosen.add(t)
    }
    if (chosen.size === 0) throw notFoundError('TOPIC_NOT_FOUND', `no topics match /${regex.source}/`, "check the pattern with 'kafkit topics list REGEX'")
  }
  const topics = [...chosen].sort()
  const shown = topics.length <= 10 ? topics.join(', ') : `${topics.slice(0, 10).join(', ')} and ${topics.length - 10} more`
  return {topics, skippedInternal, summary: `delete ${topics.length} topic${topics.length === 1 ? '' : 's'} (${shown}) and all ${topics.length === 1 ? 'its' : 'their'} records`}
}
