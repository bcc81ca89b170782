/** `groups clone`: copy a group's committed offsets to another group, so a reset can be tried on the copy. */
import {notFoundError, refusedError} from '../errors.js'
import type {KafkaClient} from '../kafka/client.js'
import {describeGroups, fetchCommittedOffsets, openOffsetCommitter, type PartitionOffset, requireGroup} from '../kafka/groups.js'

export interface GroupClonePlan {
  source: string
  dest: string
  /** DEST already existed (allowed with --force): its offsets for these partitions are overwritten. */
  destExists: boolean
  offsets: PartitionOffset[]
}

export async function planGroupClone(client: KafkaClient, source: string, dest: string, options: {force?: boolean}): Promise<GroupClonePlan> {
  if (source === dest) throw refusedError(`source and destination are the same group '${source}'`, 'name a new group as the destination', 'SAME_GROUP')
  await requireGroup(client, source)
  const [existing] = await describeGroups(client, [dest])
  const destOffsets = existing && existing.state === 'Dead' ? [] : await fetchCommittedOffsets(client, dest)
  const destExists = Boolean(existing && existing.state !== 'Dead') || destOffsets.length > 0
  if (destExists && !options.force) throw refusedError(`group '${dest}' already exists`, 'pick a new name, or pass --force to overwrite its offsets', 'GROUP_EXISTS')
  if (existing && existing.members.length > 0) throw refusedError(`group '${dest}' has ${existing.members.length} active member(s)`, 'stop its consumers first', 'GROUP_ACTIVE')
  const offsets = await fetchCommittedOffsets(client, source)
  if (offsets.length === 0) throw notFoundError('NO_OFFSETS', `group '${source}' has no committed offsets to copy`, `see 'kafkit groups describe ${source}'`)
  return {source, dest, destExists, offsets}
}

export async function executeGroupClone(client: KafkaClient, plan: GroupClonePlan): Promise<void> {
  const committer = openOffsetCommitter(client)
  try {
    await committer.commit(plan.dest, plan.offsets)
  } finally {
    await committer.close()
  }
}
