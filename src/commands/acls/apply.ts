import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {readAclFile} from '../../acls/file.js'
import {type AclBinding, type AclPlan, formatAclPlan, planAcls} from '../../acls/model.js'
import {ExitCode, KafkitError, usageError} from '../../errors.js'
import {createAcls, deleteBindings, describeAcls} from '../../kafka/acls.js'

export interface AclApplyResult extends AclPlan {
  file: string
  principals: string[]
  differs: boolean
  executed: boolean
}

export default class AclsApply extends KafkaCommand<AclApplyResult> {
  static summary = "Make the ACLs of the file's principals match an ACL file: plan, then --execute"
  static description = `The file (YAML or JSON) lists rules: principal, operations, one resource (topic, group, transactionalId or cluster: true), patternType literal|prefixed, permission allow|deny, hosts. Without flags, prints the plan: + create, - delete. --execute applies it. --check exits 8 when the cluster differs and 0 when it matches. --prune also deletes the ACLs of the file's principals (the rules' principals and the 'principals' list) that the file does not name; other principals' ACLs are never touched.
The JSON Schema of the file ships in the package: schemas/acls.schema.json.`
  static examples = [
    '<%= config.bin %> acls apply -f acls.yaml',
    '<%= config.bin %> acls apply -f acls.yaml --prune --execute',
    '<%= config.bin %> acls apply -f acls.yaml --check   # CI: exit 8 when the ACLs drifted',
  ]
  static flags = {
    file: Flags.string({char: 'f', description: "the ACL file (YAML or JSON); '-' reads stdin", required: true}),
    execute: Flags.boolean({description: 'apply the plan'}),
    check: Flags.boolean({description: 'exit 8 when the cluster differs from the file, 0 when it matches'}),
    prune: Flags.boolean({description: "also delete the file's principals' ACLs that the file does not name"}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<AclApplyResult> {
    const {flags} = await this.parse(AclsApply)
    if (flags.check && flags.execute) throw usageError('--check and --execute cannot be used together', '--check only compares; --execute applies', 'BAD_FLAGS')
    const {source, desired} = await readAclFile(flags.file)
    const client = await this.client()
    const actual: AclBinding[] = []
    for (const principal of desired.principals) actual.push(...(await describeAcls(client, {principal})))
    const plan = planAcls(desired, actual, {prune: flags.prune})
    const differs = plan.create.length + plan.delete.length > 0
    const result: AclApplyResult = {file: source, principals: desired.principals, ...plan, differs, executed: false}
    if (!this.io.json) this.io.out(formatAclPlan(plan, (t, s) => this.io.style(t, s)).join('\n'))
    if (flags.check) {
      if (!differs) return result
      if (this.io.json) this.logJson(result)
      throw new KafkitError('CLUSTER_DIFFERS', `the ACLs differ from ${source}: ${plan.create.length} to create, ${plan.delete.length} to delete`, {
        hint: `apply it with '${this.config.bin} acls apply -f ${flags.file}${flags.prune ? ' --prune' : ''} --execute'`,
        exitCode: ExitCode.DIFFERS,
      })
    }
    if (!flags.execute || !differs) {
      if (!flags.execute && differs) this.io.info(this.io.styleErr(`this is a plan; apply it with '${this.config.bin} acls apply -f ${flags.file}${flags.prune ? ' --prune' : ''} --execute'`, 'dim'))
      return result
    }
    const connection = await this.connection()
    if (plan.delete.length > 0 || connection.protected || (!flags.yes && this.io.interactive)) {
      await this.confirmDestructive(`apply ${source}: ${plan.create.length} ACLs to create, ${plan.delete.length} to delete`, flags.yes, {name: connection.profile, protected: connection.protected})
    }
    await createAcls(client, plan.create)
    await deleteBindings(client, plan.delete)
    result.executed = true
    this.io.info(`${this.io.styleErr('applied', 'green')}: ${plan.create.length} created, ${plan.delete.length} deleted`)
    return result
  }
}
