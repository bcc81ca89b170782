import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {operationsOf, patternOf, resourceFlags, selection} from '../../acls/flags.js'
import {type AclBinding, bindingsToCreate, formatBinding} from '../../acls/model.js'
import {createAcls} from '../../kafka/acls.js'

export default class AclsCreate extends KafkaCommand<AclBinding[]> {
  static summary = 'Create ACLs (kafka-acls.sh --add)'
  static description = 'Every principal gets every --operation on every named resource. Creating an ACL that exists changes nothing.'
  static examples = [
    '<%= config.bin %> acls create --allow-principal User:billing --operation READ --operation DESCRIBE --topic orders',
    '<%= config.bin %> acls create --allow-principal User:etl --operation ALL --topic store- --resource-pattern-type prefixed',
    '<%= config.bin %> acls create --deny-principal User:intern --operation WRITE --topic payments',
  ]
  static flags = {
    'allow-principal': Flags.string({description: 'principal to allow (User:NAME); repeatable', multiple: true}),
    'deny-principal': Flags.string({description: 'principal to deny (User:NAME); repeatable', multiple: true}),
    operation: Flags.string({description: 'READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, CLUSTER_ACTION, ALL; repeatable', multiple: true}),
    host: Flags.string({description: 'only from this host (default: any, *); repeatable', multiple: true}),
    ...resourceFlags,
  }

  async run(): Promise<AclBinding[]> {
    const {flags} = await this.parse(AclsCreate)
    const bindings = bindingsToCreate({
      ...selection(flags),
      allow: flags['allow-principal'] ?? [],
      deny: flags['deny-principal'] ?? [],
      operations: operationsOf(flags.operation),
      hosts: flags.host,
      patternType: patternOf(flags),
    })
    await createAcls(await this.client(), bindings)
    this.render(bindings, (rows, io) => {
      for (const b of rows) io.info(`created ${formatBinding(b)}`)
    })
    return bindings
  }
}
