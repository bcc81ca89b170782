import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {patternOf} from '../../acls/flags.js'
import {type AclBinding, type PatternType, formatBinding, grantBindings} from '../../acls/model.js'
import {usageError} from '../../errors.js'
import {createAcls} from '../../kafka/acls.js'

export default class AclsGrant extends KafkaCommand<AclBinding[]> {
  static summary = 'Let a principal produce to or consume from topics (kafka-acls.sh --producer / --consumer)'
  static description = `--producer: WRITE, DESCRIBE and CREATE on the topics (WRITE, DESCRIBE on --transactional-id; IDEMPOTENT_WRITE on the cluster with --idempotent).
--consumer: READ and DESCRIBE on the topics, READ on the --group.`
  static examples = [
    '<%= config.bin %> acls grant User:billing --consumer --topic orders --group billing',
    '<%= config.bin %> acls grant store-1 --producer --consumer --topic store-1. --group store-1. --resource-pattern-type prefixed',
  ]
  static args = {principal: Args.string({description: 'the principal (User:NAME, or NAME)', required: true})}
  static flags = {
    producer: Flags.boolean({description: 'what a producer needs'}),
    consumer: Flags.boolean({description: 'what a consumer needs'}),
    topic: Flags.string({description: 'a topic (repeatable)', multiple: true}),
    group: Flags.string({description: 'the consumer group (repeatable)', multiple: true}),
    'transactional-id': Flags.string({description: 'a transactional id (with --producer)', multiple: true}),
    idempotent: Flags.boolean({description: 'also IDEMPOTENT_WRITE on the cluster (with --producer)'}),
    host: Flags.string({description: 'only from this host (default: any)'}),
    'resource-pattern-type': Flags.string({description: 'literal (default) or prefixed', options: ['literal', 'prefixed', 'LITERAL', 'PREFIXED']}),
  }

  async run(): Promise<AclBinding[]> {
    const {args, flags} = await this.parse(AclsGrant)
    const pattern = patternOf(flags)
    if (pattern && pattern !== 'LITERAL' && pattern !== 'PREFIXED') throw usageError('grant takes literal or prefixed', undefined, 'BAD_PATTERN_TYPE')
    const bindings = grantBindings({
      principal: args.principal,
      producer: flags.producer,
      consumer: flags.consumer,
      topics: flags.topic ?? [],
      groups: flags.group,
      transactionalIds: flags['transactional-id'],
      idempotent: flags.idempotent,
      host: flags.host,
      patternType: pattern as PatternType | undefined,
    })
    await createAcls(await this.client(), bindings)
    this.render(bindings, (rows, io) => {
      for (const b of rows) io.info(`created ${formatBinding(b)}`)
    })
    return bindings
  }
}
