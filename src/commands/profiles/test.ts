import {Args} from '@oclif/core'

import {KafkaCommand, schemaRegistryFlag} from '../../base-command.js'
import {ExitCode, KafkitError} from '../../errors.js'
import type {Diagnosis, StepResult} from '../../profiles/diagnose.js'
import {printStep} from '../../profiles/render.js'
import {redactSecrets} from '../../profiles/secrets.js'
import {resolveConnection} from '../../profiles/resolve.js'

export default class ProfilesTest extends KafkaCommand<Diagnosis> {
  static summary = 'Check a connection step by step: DNS, TCP, TLS, SASL, metadata, cluster, topics, schema registry'
  static description = `Each step prints ✓ or ✗; the first failure stops the test with exit code 4 and a hint naming the setting to fix. The TLS step shows the broker certificate (subject, issuer, expiry) and checks the host name. With a schema registry (the profile's schemaRegistry, --schema-registry or KAFKIT_SCHEMA_REGISTRY_URL), a last step checks it is reachable and accepts the credentials, and counts its subjects (a refused login is exit 4, a forbidden one exit 9). --json prints every step for scripts (and the error on stderr).`
  static examples = ['<%= config.bin %> profiles test', '<%= config.bin %> profiles test staging', '<%= config.bin %> profiles test -b 127.0.0.1:9092 --json']
  static args = {name: Args.string({description: 'profile to test (default: the one in effect)'})}
  static flags = {'schema-registry': schemaRegistryFlag}

  async run(): Promise<Diagnosis> {
    const {args, flags} = await this.parse(ProfilesTest)
    const connection = await resolveConnection({profile: args.name ?? flags.profile, brokers: flags.brokers, schemaRegistry: flags['schema-registry']})
    for (const warning of connection.warnings ?? []) this.io.warn(warning)
    const {diagnose, securityProtocol} = await import('../../profiles/diagnose.js')
    if (!this.io.json) this.io.info(`testing profile '${connection.profile}': ${connection.brokers.join(',')} (${securityProtocol(connection)})`)
    const result = await diagnose(connection, {
      timeoutMs: this.timeoutMs,
      onStep: (step) => this.io.json || printStep(this.io, step),
      debugLog: this.io.debug ? (line) => this.io.debugLog(redactSecrets(line)) : undefined,
    })
    if (!result.ok) {
      const failed = result.steps.find((s) => s.ok === false)!
      if (this.io.json) this.io.out(redactSecrets(JSON.stringify(result, null, 2)))
      throw new KafkitError(failed.code ?? 'CONNECTION_TEST_FAILED', `${failed.step}: ${failed.detail}`, {hint: failed.hint, exitCode: ExitCode.CONNECT, details: {step: failed.step}})
    }
    if (connection.schemaRegistry) {
      // The registry step: after the cluster's, with the same rules (first failure: exit code, hint).
      const {diagnoseRegistry} = await import('../../schemas/diagnose.js')
      const step = await diagnoseRegistry(connection.schemaRegistry, {
        timeoutMs: this.timeoutMs,
        profile: connection.profile,
        debugLog: this.io.debug ? (line) => this.io.debugLog(redactSecrets(line)) : undefined,
      })
      result.steps.push(step as unknown as StepResult)
      if (!this.io.json) printStep(this.io, step as unknown as StepResult)
      if (!step.ok) {
        result.ok = false
        if (this.io.json) this.io.out(redactSecrets(JSON.stringify(result, null, 2)))
        throw new KafkitError(step.code ?? 'REGISTRY_TEST_FAILED', `registry: ${step.detail}`, {hint: step.hint, exitCode: step.exitCode ?? ExitCode.CONNECT, details: {step: 'registry'}})
      }
    }
    this.render(result, (r, io) => io.info(`${io.styleErr('✓', 'green')} profile '${r.profile}' works`))
    return result
  }
}
