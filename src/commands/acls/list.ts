import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {filtersOf, operationsOf, patternOf, resourceFlags, selection} from '../../acls/flags.js'
import {type AclBinding, bindingKey, describeType, sortBindings} from '../../acls/model.js'
import {describeAcls} from '../../kafka/acls.js'
import {renderTable} from '../../output/table.js'

export default class AclsList extends KafkaCommand<AclBinding[]> {
  static summary = 'List ACLs, filtered by principal, resource, pattern type, operation'
  static description =
    'Like kafka-acls.sh --list. --resource-pattern-type match lists every ACL that applies to the named resource (literal, prefixed and wildcard ones); any lists every pattern type.'
  static examples = [
    '<%= config.bin %> acls list',
    '<%= config.bin %> acls list --principal User:store-1',
    '<%= config.bin %> acls list --topic orders --resource-pattern-type match',
    '<%= config.bin %> acls list --group billing --json',
  ]
  static flags = {
    principal: Flags.string({description: 'only this principal (User:NAME, or NAME); repeatable', multiple: true}),
    operation: Flags.string({description: 'only this operation (READ, WRITE, ...); repeatable', multiple: true}),
    permission: Flags.string({description: 'only ALLOW or DENY', options: ['allow', 'deny', 'ALLOW', 'DENY']}),
    host: Flags.string({description: 'only ACLs for this host', multiple: true}),
    ...resourceFlags,
  }

  async run(): Promise<AclBinding[]> {
    const {flags} = await this.parse(AclsList)
    const filters = filtersOf(selection(flags), {
      principals: flags.principal,
      operations: operationsOf(flags.operation),
      hosts: flags.host,
      patternType: patternOf(flags),
      permission: flags.permission ? (flags.permission.toUpperCase() as 'ALLOW' | 'DENY') : undefined,
    })
    const client = await this.client()
    const seen = new Map<string, AclBinding>()
    for (const filter of filters) for (const b of await describeAcls(client, filter)) seen.set(bindingKey(b), b)
    const bindings = sortBindings([...seen.values()])
    this.render(bindings, (rows, io) => {
      if (rows.length === 0 && io.stdoutIsTTY) {
        io.info('no ACLs match')
        return
      }
      renderTable(
        io,
        [
          {header: 'PRINCIPAL', get: (b) => b.principal},
          {header: 'PERMISSION', get: (b) => b.permission},
          {header: 'OPERATION', get: (b) => b.operation},
          {header: 'RESOURCE', get: (b) => describeType(b.resourceType)},
          {header: 'NAME', get: (b) => b.resourceName},
          {header: 'PATTERN', get: (b) => b.patternType.toLowerCase()},
          {header: 'HOST', get: (b) => b.host},
        ],
        rows,
      )
    })
    return bindings
  }
}
