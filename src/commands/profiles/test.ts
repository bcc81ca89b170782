import {Args} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {ExitCode, KafkitError} from '../../errors.js'
import type {Diagnosis} from '../../profiles/diagnose.js'
import {printStep} from '../../profiles/render.js'
import {redactSecrets} from '../../profiles/secrets.js'
import {resolveConnection} from '../../profiles/resolve.js'

export default class ProfilesTest extends KafkaCommand<Diagnosis> {
  static summary = 'Check a connection step by step: DNS, TCP, TLS, SASL, metadata, cluster, topics'
  static description = `Each step prints ✓ or ✗; the first failure stops the test with exit code 4 and a hint naming the setting to fix. The TLS step shows the broker certificate (subject, issuer, expiry) and checks the host name. --json prints every step for scripts (and the error on stderr).`
  static examples = ['<%= config.bin %> profiles test', '<%= config.bin %> profiles test staging', '<%= config.bin %> profiles test -b 127.0.0.1:9092 --json']
  static args = {name: Args.string({description: 'profile to test (default: the one in effect)'})}

  async run(): Promise<Diagnosis> {
    const {args, flags} = await this.parse(ProfilesTest)
    const connection = await resolveConnection({profile: args.name ?? flags.profile, brokers: flags.brokers})
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
    this.render(result, (r, io) => io.info(`${io.styleErr('✓', 'green')} profile '${r.profile}' works`))
    return result
  }
}
