import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {filtersOf, operationsOf, patternOf, resourceFlags, selection} from '../../acls/flags.js'
import {type AclBinding, type AclFilter, bindingKey, formatBinding, matchesFilter, sortBindings} from '../../acls/model.js'
import {usageError} from '../../errors.js'
import {deleteBindings, describeAcls} from '../../kafka/acls.js'

export default class AclsDelete extends KafkaCommand<AclBinding[]> {
  static summary = 'Delete the ACLs a filter matches (kafka-acls.sh --remove)'
  static description = 'Lists what matches first and asks (on a terminal; --yes otherwise). Deleting every ACL needs at least one of principal, operation or resource.'
  static examples = ['<%= config.bin %> acls delete --allow-principal User:billing --operation READ --topic orders --yes', '<%= config.bin %> acls delete --principal User:intern --yes']
  static flags = {
    principal: Flags.string({description: 'ACLs of this principal, allow or deny; repeatable', multiple: true}),
    'allow-principal': Flags.string({description: 'ALLOW ACLs of this principal; repeatable', multiple: true}),
    'deny-principal': Flags.string({description: 'DENY ACLs of this principal; repeatable', multiple: true}),
    operation: Flags.string({description: 'only this operation; repeatable', multiple: true}),
    host: Flags.string({description: 'only ACLs for this host', multiple: true}),
    ...resourceFlags,
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<AclBinding[]> {
    const {flags} = await this.parse(AclsDelete)
    const sel = selection(flags)
    const operations = operationsOf(flags.operation)
    const common = {operations, hosts: flags.host, patternType: patternOf(flags)}
    const filters: AclFilter[] = [
      ...(flags.principal?.length || (!flags['allow-principal']?.length && !flags['deny-principal']?.length) ? filtersOf(sel, {...common, principals: flags.principal}) : []),
      ...(flags['allow-principal']?.length ? filtersOf(sel, {...common, principals: flags['allow-principal'], permission: 'ALLOW'}) : []),
      ...(flags['deny-principal']?.length ? filtersOf(sel, {...common, principals: flags['deny-principal'], permission: 'DENY'}) : []),
    ]
    if (filters.some((f) => Object.keys(f).length === 0)) throw usageError('refusing to delete every ACL of the cluster', 'narrow it with --principal, --operation or a resource', 'FILTER_TOO_BROAD')
    const client = await this.client()
    // Match on the client side too: the exact bindings are deleted, so that what was shown is what goes.
    const found = new Map<string, AclBinding>()
    for (const f of filters) for (const b of await describeAcls(client, f)) if (matchesFilter(b, f)) found.set(bindingKey(b), b)
    const doomed = sortBindings([...found.values()])
    if (doomed.length === 0) {
      this.io.info('no ACLs match: nothing deleted')
      this.render(doomed, () => undefined)
      return doomed
    }
    if (!this.io.json) for (const b of doomed) this.io.info(`- ${formatBinding(b)}`)
    await this.confirmDestructive(`delete ${doomed.length} ACL${doomed.length === 1 ? '' : 's'}`, flags.yes)
    const deleted = sortBindings(await deleteBindings(client, doomed))
    this.render(deleted, (rows, io) => {
      io.info(`deleted ${rows.length} ACL${rows.length === 1 ? '' : 's'}`)
    })
    return deleted
  }
}
