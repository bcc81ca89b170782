import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {ExitCode, KafkitError, refusedError} from '../../errors.js'
import {type GroupDeletion, deleteGroups, requireGroup} from '../../kafka/groups.js'
import {assertInactive} from '../../offsets/reset.js'

export default class GroupsDelete extends KafkaCommand<GroupDeletion[]> {
  static summary = 'Delete consumer groups (refused while they have active members)'
  static description = 'Deletes the groups and their committed offsets. Asks on a terminal; needs --yes otherwise.'
  static examples = ['<%= config.bin %> groups delete billing-old', '<%= config.bin %> groups delete tmp-1 tmp-2 --yes']
  static strict = false
  static args = {groups: Args.string({description: 'group ids', required: true})}
  static flags = {yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'})}

  async run(): Promise<GroupDeletion[]> {
    const {argv, flags} = await this.parse(GroupsDelete)
    const ids = [...new Set(argv as string[])]
    const client = await this.client()
    // Check every group first: nothing is deleted unless all of them exist and are inactive.
    for (const id of ids) assertInactive(await requireGroup(client, id), 'delete it')
    const connection = await this.connection()
    await this.confirmDestructive(`delete ${ids.length === 1 ? `group '${ids[0]}'` : `${ids.length} groups (${ids.join(', ')})`} and its committed offsets`, flags.yes, {
      name: connection.profile,
      protected: connection.protected,
    })
    const results = await deleteGroups(client, ids)
    this.render(results, (rows, io) => {
      for (const r of rows) {
        if (r.deleted) io.info(`deleted group '${r.groupId}'`)
        else io.warn(`group '${r.groupId}' was not deleted: ${r.error}`)
      }
    })
    const failed = results.filter((r) => !r.deleted)
    const busy = failed.filter((f) => f.error === 'NON_EMPTY_GROUP')
    if (busy.length > 0) {
      // KIP-848 groups: their members are only visible to the broker, which refuses the deletion.
      throw refusedError(`cannot delete ${busy.map((b) => `'${b.groupId}'`).join(', ')}: the group has active members`, 'stop its consumers first, then run this again', 'GROUP_ACTIVE')
    }
    if (failed.length > 0) {
      throw new KafkitError('DELETE_FAILED', `${failed.length} of ${results.length} groups were not deleted: ${failed.map((f) => `${f.groupId} (${f.error})`).join(', ')}`, {
        exitCode: ExitCode.FAILED,
        hint: 'a group that gained members meanwhile cannot be deleted; check with kafkit groups describe',
      })
    }
    return results
  }
}
