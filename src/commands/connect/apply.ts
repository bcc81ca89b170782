import {Flags} from '@oclif/core'

import {type ActualConnector, type ConnectPlan, formatConnectPlan, parseConnectorsFile, planConnectorsApply} from '../../connect/apply.js'
import type {ConnectClient} from '../../connect/client.js'
import {ConnectCommand} from '../../connect-command.js'
import {readInput} from '../../connect/config-file.js'
import {type FieldErrors, formatFieldErrors, invalidConfigError, validateConfig} from '../../connect/validation.js'
import {ExitCode, KafkitError, usageError} from '../../errors.js'

export interface ConnectApplyResult extends ConnectPlan {
  file: string
  /** Whether the worker differs from the file (the plan is not empty). */
  differs: boolean
  executed: boolean
}

export default class ConnectApply extends ConnectCommand<ConnectApplyResult> {
  static summary = 'Make the Connect cluster match a connectors file: plan, then --execute'
  static description = `The file (YAML or JSON) lists connectors, each with a name, its config and optionally its state (running, paused, stopped). Without flags, prints the plan: + create, ~ update (the keys that change; Connect replaces the whole config, so keys the file leaves out are removed), - delete; the configs to create or update are checked by their plugins first (errors per field, exit 2). --execute applies it (asking first on a terminal). --check exits 8 when the worker differs and 0 when it matches, for CI. --prune also deletes connectors the file does not list. Secret values never appear in the plan.
The JSON Schema of the file ships in the package: schemas/connectors.schema.json.`
  static examples = [
    '<%= config.bin %> connect apply -f connectors.yaml',
    '<%= config.bin %> connect apply -f connectors.yaml --execute',
    '<%= config.bin %> connect apply -f connectors.yaml --check   # CI: exit 8 when the connectors drifted',
    '<%= config.bin %> connect apply -f connectors.yaml --execute --prune --yes',
  ]
  static flags = {
    file: Flags.string({char: 'f', description: "the connectors file (YAML or JSON); '-' reads stdin", required: true}),
    execute: Flags.boolean({description: 'apply the plan'}),
    check: Flags.boolean({description: 'exit 8 when the worker differs from the file, 0 when it matches'}),
    prune: Flags.boolean({description: 'also delete connectors that are not in the file'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<ConnectApplyResult> {
    const {flags} = await this.parse(ConnectApply)
    if (flags.check && flags.execute) throw usageError('--check and --execute cannot be used together', '--check only compares; --execute applies', 'BAD_FLAGS')
    const source = flags.file === '-' ? 'stdin' : flags.file
    const desired = await parseConnectorsFile(await readInput(flags.file, 'connectors file'), source)
    const connect = await this.connect()
    const actual: ActualConnector[] = Object.entries(await connect.connectors()).map(([name, c]) => ({name, config: c.info?.config ?? {}, state: c.status?.connector.state ?? 'UNASSIGNED'}))
    const plan = planConnectorsApply(desired, actual, {prune: flags.prune})
    const result: ConnectApplyResult = {file: source, ...plan, differs: plan.actions.length > 0, executed: false}
    const paint = (t: string, s: 'green' | 'yellow' | 'red' | 'dim' | 'bold') => this.io.style(t, s)
    if (!this.io.json) this.io.out(formatConnectPlan(plan, paint).join('\n'))

    if (flags.check) {
      if (!result.differs) return result
      if (this.io.json) this.logJson(result)
      throw new KafkitError('CONNECTORS_DIFFER', `the connectors differ from ${source}: ${plan.counts.create} to create, ${plan.counts.update} to update, ${plan.counts.delete} to delete`, {
        hint: `apply it with '${this.config.bin} connect apply -f ${flags.file} --execute'`,
        exitCode: ExitCode.DIFFERS,
      })
    }
    // The plugins check every config that would be written, before anything changes.
    const toWrite = desired.connectors.filter((c) => plan.actions.some((a) => a.connector === c.name && (a.action === 'create' || (a.action === 'update' && a.changes.length > 0))))
    await this.validateAll(connect, toWrite, source)
    if (!flags.execute || !result.differs) {
      if (!flags.execute && result.differs) this.io.info(this.io.styleErr(`this is a plan; apply it with '${this.config.bin} connect apply -f ${flags.file} --execute'`, 'dim'))
      return result
    }
    const connection = await this.connection()
    const target = {name: connection.profile, protected: connection.protected}
    if (plan.counts.delete > 0) {
      const names = plan.actions.filter((a) => a.action === 'delete').map((a) => a.connector)
      await this.confirmDestructive(
        `apply ${source}, deleting ${names.length} connector${names.length === 1 ? '' : 's'} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`,
        flags.yes,
        target,
      )
    } else if (!flags.yes && (this.io.interactive || connection.protected)) {
      await this.confirmDestructive(`apply ${source}: ${plan.counts.create} to create, ${plan.counts.update} to update`, false, target)
    }
    const byName = new Map(desired.connectors.map((c) => [c.name, c]))
    for (const a of plan.actions) {
      if (a.action === 'delete') {
        await connect.delete(a.connector)
        continue
      }
      if (a.action === 'create' || a.changes.length > 0) await connect.putConfig(a.connector, byName.get(a.connector)!.config)
      if (a.state) await connect[a.state.via](a.connector)
    }
    result.executed = true
    this.io.info(`${this.io.styleErr('applied', 'green')}: ${plan.counts.create} created, ${plan.counts.update} updated, ${plan.counts.delete} deleted; states: kafkit connect list`)
    return result
  }

  private async validateAll(connect: ConnectClient, connectors: {name: string; config: Record<string, string>}[], source: string): Promise<void> {
    const invalid: {connector: string; errors: FieldErrors[]}[] = []
    for (const c of connectors) {
      const errors = await validateConfig(connect, c.name, c.config)
      if (errors.length > 0) invalid.push({connector: c.name, errors})
    }
    if (invalid.length === 0) return
    if (!this.io.json) for (const c of invalid) for (const line of formatFieldErrors(c.connector, c.errors)) this.io.stderr.write(`${line}\n`)
    throw invalidConfigError(invalid, source)
  }
}
