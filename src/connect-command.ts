/**
 * Base of the `kafkit connect` commands: KafkaCommand's global flags (--profile, --timeout, --json, ...) plus
 * --connect-url, and one lazily built REST client whose every call is bounded by --timeout.
 */
import {Flags} from '@oclif/core'

import {KafkaCommand} from './base-command.js'
import {redactSecrets} from './profiles/secrets.js'
import {ConnectClient} from './connect/client.js'
import {type ResolvedConnect, connectTarget, resolveConnectSettings} from './connect/settings.js'

export abstract class ConnectCommand<T> extends KafkaCommand<T> {
  static baseFlags = {
    ...KafkaCommand.baseFlags,
    'connect-url': Flags.string({description: 'Kafka Connect REST URL (overrides the profile; also KAFKIT_CONNECT_URL)', helpGroup: 'GLOBAL'}),
  }

  private connectPromise?: Promise<ConnectClient>
  private resolvedConnect?: ResolvedConnect

  /** Where Kafka Connect is, after --connect-url, KAFKIT_CONNECT_URL and the profile. */
  protected async connectSettings(): Promise<ResolvedConnect> {
    if (this.resolvedConnect) return this.resolvedConnect
    const connection = await this.connection()
    this.resolvedConnect = resolveConnectSettings(this.globalFlags['connect-url'] as string | undefined, connection)
    return this.resolvedConnect
  }

  protected connect(): Promise<ConnectClient> {
    this.connectPromise ??= (async () => {
      const settings = await this.connectSettings()
      const connection = await this.connection()
      for (const warning of connection.warnings ?? []) this.io.warn(warning)
      if (settings.tls?.insecureSkipVerify) this.io.warn(`TLS certificate verification is OFF for Kafka Connect at ${settings.url}`)
      this.io.debugLog(`Kafka Connect ${settings.url} (from ${settings.source}), timeout ${this.timeoutMs}ms`)
      const target = await connectTarget(settings)
      return new ConnectClient(target, {timeoutMs: this.timeoutMs, debugLog: this.io.debug ? (line) => this.io.debugLog(redactSecrets(line)) : undefined})
    })()
    return this.connectPromise
  }
}
