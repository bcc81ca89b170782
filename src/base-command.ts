/**
 * Base classes of every command. A command returns its typed result; `--json` prints that value; one error
 * path turns anything thrown into one line + hint + exit code (docs/ARCHITECTURE.md).
 */
import {Command, Flags, Interfaces} from '@oclif/core'

import {suggestFlag} from './cli/suggest.js'
import {ExitCode, KafkitError, refusedError, usageError} from './errors.js'
import type {KafkaClient} from './kafka/client.js'
import {mapKafkaError} from './kafka/errors.js'
import {connectionPrincipal} from './kafka/principal.js'
import {type IOOptions, IOStreams} from './output/io.js'
import {resolveConnection} from './profiles/resolve.js'
import {redactSecrets} from './profiles/secrets.js'
import type {ResolvedConnection} from './profiles/types.js'
import type {RegistryClient} from './schemas/registry.js'
import {parseWaitDuration} from './specs/duration.js'

// oclif's own FlagOutput/ArgOutput shape (not exported by @oclif/core 4).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OclifOutput = {[name: string]: any}

export type Renderer<T> = (result: T, io: IOStreams) => void

type StreamsFactory = (options: IOOptions) => IOStreams
const processStreams: StreamsFactory = (options) => new IOStreams(options)
let makeStreams = processStreams

/**
 * Where commands read and write: the process's streams, unless a test injects its own (testStreams() in
 * output/io.ts) to run a command in-process. The flags a command was given (--json, --no-color, --debug) are
 * passed to the factory. Call with no argument to go back to the process's streams.
 */
export function injectIOStreams(factory?: StreamsFactory): void {
  makeStreams = factory ?? processStreams
}

export abstract class BaseCommand<T> extends Command {
  static enableJsonFlag = true
  static baseFlags = {
    debug: Flags.boolean({description: 'log what happens (secrets redacted) and show stack traces', helpGroup: 'GLOBAL'}),
    'no-color': Flags.boolean({description: 'no colours (also NO_COLOR=1)', helpGroup: 'GLOBAL'}),
  }

  protected io!: IOStreams
  protected globalFlags: Record<string, unknown> = {}

  override async init(): Promise<void> {
    await super.init()
    const argv = this.argv.slice(0, this.argv.includes('--') ? this.argv.indexOf('--') : undefined)
    this.io = makeStreams({json: this.jsonEnabled(), noColor: argv.includes('--no-color'), debug: argv.includes('--debug')})
  }

  protected override async parse<F extends OclifOutput, B extends OclifOutput, A extends OclifOutput>(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    const result = await super.parse(options, argv)
    this.globalFlags = result.flags as Record<string, unknown>
    return result
  }

  abstract override run(): Promise<T>

  /** Human output for a result; skipped under --json, where the return value is printed instead. */
  protected render(result: T, renderer: Renderer<T>): void {
    if (!this.io.json) renderer(result, this.io)
  }

  override logJson(json: unknown): void {
    this.io.stdout.write(JSON.stringify(json, null, 2) + '\n')
  }

  /** Maps anything thrown to a KafkitError. Subclasses add context (brokers, profile). */
  protected toKafkitError(error: unknown): KafkitError {
    if (error instanceof KafkitError) return error
    const err = error as {parse?: unknown; message?: string; name?: string; oclif?: {exit?: number}}
    if (
      err?.parse ||
      /^(Nonexistent flag|Unexpected argument|Missing \d+ required arg|Expected --|Parsing --|.*must be one of|Missing required flag|--\S+=\S+ cannot also be provided)/i.test(err?.message ?? '')
    ) {
      const lines = (err.message ?? 'invalid usage').split('\n').map((l) => l.trim())
      // oclif puts the reason on the second line of some messages ("Parsing --rate" / "Expected an integer ...",
      // "Missing 1 required arg:" / "topic ..."): keep it on the one error line.
      const first = lines.length > 1 && lines[1] && (/^Parsing --\S+$/.test(lines[0]) || lines[0].endsWith(':')) ? `${lines[0]}${lines[0].endsWith(':') ? '' : ':'} ${lines[1]}` : lines[0]
      const help = `see '${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help'`.replace(/\s+--help/, ' --help')
      // `--form` -> did you mean --format?
      const unknown = /^Nonexistent flags?: (\S+?)(?:,|$)/.exec(first)?.[1]
      if (unknown) {
        const ctor = this.ctor as unknown as {flags?: Record<string, {char?: string}>; baseFlags?: Record<string, {char?: string}>; enableJsonFlag?: boolean}
        const flags = Object.entries({...ctor.baseFlags, ...ctor.flags, ...(ctor.enableJsonFlag ? {json: {} as {char?: string}} : {})}).map(([name, f]) => ({name, char: f?.char}))
        const nearest = suggestFlag(unknown, flags)
        return usageError(`unknown flag ${unknown}`, nearest ? `did you mean ${nearest}? (${help})` : help, 'UNKNOWN_FLAG')
      }
      return usageError(first, help)
    }
    if (typeof err?.name === 'string' && err.name.startsWith('KafkaJS')) return mapKafkaError(error, {brokers: []})
    return new KafkitError('UNEXPECTED', err?.message?.split('\n')[0] ?? String(error), {
      hint: this.io?.debug ? undefined : 'run again with --debug for details',
      exitCode: ExitCode.FAILED,
      cause: error,
    })
  }

  override async catch(error: Error & {code?: string; oclif?: {exit?: number}}): Promise<unknown> {
    // this.exit() and a help request are not failures to report.
    if (error?.code === 'EEXIT' || error?.oclif?.exit === 0) throw error
    this.io ??= makeStreams({json: this.jsonEnabled()})
    const kerr = this.toKafkitError(error)
    this.printError(kerr, error)
    return this.exit(kerr.exitCode)
  }

  protected printError(kerr: KafkitError, original: unknown): void {
    const io = this.io
    // Last line of defence: a secret read for this run never reaches the terminal, whatever the error says.
    if (io.json) {
      io.stderr.write(redactSecrets(JSON.stringify({error: kerr.toJSON()})) + '\n')
    } else if (kerr.code === 'INTERRUPTED') {
      // Ctrl-C is the user's choice, not an error: what was done is said plainly (the exit code is still 130).
      io.stderr.write(`${redactSecrets(kerr.message)}\n`)
      if (kerr.hint) io.stderr.write(`${io.styleErr('hint:', 'dim')} ${redactSecrets(kerr.hint)}\n`)
    } else {
      io.stderr.write(`${io.styleErr('error:', 'red', 'bold')} ${redactSecrets(kerr.message)}\n`)
      if (kerr.hint) io.stderr.write(`${io.styleErr('hint:', 'dim')} ${redactSecrets(kerr.hint)}\n`)
    }
    if (io.debug) {
      const cause = (kerr.cause ?? original) as {stack?: string}
      io.stderr.write(`${redactSecrets(String(cause?.stack ?? kerr.stack))}\n`)
    }
  }

  /**
   * Destructive operations: --yes goes ahead; a person on a TTY is asked; anything else is refused (exit 6).
   * `profileName` is shown in red when the target profile is protected.
   */
  protected async confirmDestructive(summary: string, yes: boolean | undefined, profile?: {name: string; protected: boolean}): Promise<void> {
    if (yes) {
      if (profile?.protected) this.io.warn(`${summary} on ${this.io.styleErr(`protected profile '${profile.name}'`, 'red', 'bold')} (confirmed with --yes)`)
      return
    }
    if (!this.io.interactive) {
      throw refusedError(`${summary}: refusing without confirmation`, 'pass --yes to confirm (no prompt is shown without a terminal)', 'CONFIRMATION_REQUIRED')
    }
    const where = profile?.protected ? ` on ${this.io.styleErr(`protected profile '${profile.name}'`, 'red', 'bold')}` : ''
    const {confirm} = await import('@inquirer/prompts')
    const ok = await confirm({message: `${summary}${where}. Continue?`, default: false}, {output: process.stderr})
    if (!ok) throw new KafkitError('ABORTED', 'aborted, nothing changed', {exitCode: ExitCode.REFUSED})
  }
}

/**
 * The built-in `local` profile (no config file entry) uses the schema registry that `kafkit local start
 * --schema-registry` started here, when there is one and nothing else names a registry.
 */
async function withLocalRegistry(connection: ResolvedConnection): Promise<ResolvedConnection> {
  if (connection.schemaRegistry || !connection.builtIn) return connection
  const {readRegistryState, registryUrl} = await import('./local/registry.js')
  const state = await readRegistryState()
  if (!state) return connection
  return {...connection, schemaRegistry: {url: registryUrl(state.port, state.host)}, sources: {...connection.sources, schemaRegistry: 'kafkit local start --schema-registry'}}
}

/** `--schema-registry URL`: on `schemas *`, and on any Kafka command that uses a registry (add it to its flags). */
export const schemaRegistryFlag = Flags.string({description: 'schema registry URL (overrides the profile; also KAFKIT_SCHEMA_REGISTRY_URL)', helpGroup: 'GLOBAL'})

export abstract class KafkaCommand<T> extends BaseCommand<T> {
  static baseFlags = {
    ...BaseCommand.baseFlags,
    profile: Flags.string({char: 'p', description: 'connection profile to use (see `kafkit profiles list`)', helpGroup: 'GLOBAL'}),
    brokers: Flags.string({char: 'b', description: 'bootstrap brokers host:port,... (overrides the profile)', helpGroup: 'GLOBAL'}),
    timeout: Flags.string({description: 'upper bound for each network wait, e.g. 10s, 2m', default: '10s', helpGroup: 'GLOBAL'}),
  }

  private clientPromise?: Promise<KafkaClient>
  private registryPromise?: Promise<RegistryClient>
  /** What the command declared it would access (KafkaClient.expectAccess): a denial met outside call() names it. */
  private clientAccess?: KafkaClient['access']
  private connectionPromise?: Promise<ResolvedConnection>
  /** Set once resolved: errors name the brokers really used (profile, KAFKIT_BROKERS, --brokers). */
  private resolvedConnection?: ResolvedConnection

  protected get timeoutMs(): number {
    return parseWaitDuration(String(this.globalFlags.timeout ?? '10s'), '--timeout')
  }

  /** A bad --timeout is exit 2 before anything else happens (not at the first network wait). */
  protected override async parse<F extends OclifOutput, B extends OclifOutput, A extends OclifOutput>(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    const result = await super.parse(options, argv)
    void this.timeoutMs
    return result
  }

  protected connection(): Promise<ResolvedConnection> {
    this.connectionPromise ??= resolveConnection({
      profile: this.globalFlags.profile as string | undefined,
      brokers: this.globalFlags.brokers as string | undefined,
      schemaRegistry: this.globalFlags['schema-registry'] as string | undefined,
    })
      .then(withLocalRegistry)
      .then((c) => (this.resolvedConnection = c))
    return this.connectionPromise
  }

  protected client(): Promise<KafkaClient> {
    this.clientPromise ??= (async () => {
      const connection = await this.connection()
      const timeoutMs = this.timeoutMs
      for (const warning of connection.warnings ?? []) this.io.warn(warning)
      this.io.debugLog(`profile ${connection.profile}, brokers ${connection.brokers.join(',')}, timeout ${timeoutMs}ms`)
      if (connection.sources)
        this.io.debugLog(
          `from: ${Object.entries(connection.sources)
            .map(([k, v]) => `${k} <- ${v}`)
            .join('; ')}`,
        )
      const [{createClient}, {resolveCredentials}] = await Promise.all([import('./kafka/client.js'), import('./profiles/credentials.js')])
      const resolved = await resolveCredentials(connection, {timeoutMs})
      const client = await createClient(resolved, {timeoutMs, debugLog: this.io.debug ? (line) => this.io.debugLog(redactSecrets(line)) : undefined})
      this.clientAccess = client.access
      return client
    })()
    return this.clientPromise
  }

  /** The schema registry of the resolved connection (exit 2 when none is configured), with --timeout on every call. */
  protected registry(): Promise<RegistryClient> {
    this.registryPromise ??= (async () => {
      const connection = await this.connection()
      const {registryForConnection} = await import('./schemas/connection.js')
      if (connection.schemaRegistry) this.io.debugLog(`schema registry ${connection.schemaRegistry.url} (from ${connection.sources?.schemaRegistry ?? 'profile'})`)
      return registryForConnection(connection, {timeoutMs: this.timeoutMs, debugLog: this.io.debug ? (line) => this.io.debugLog(redactSecrets(line)) : undefined})
    })()
    return this.registryPromise
  }

  /** Destructive operations on the resolved connection: a protected profile is named in red (docs/ARCHITECTURE.md: Profiles). */
  protected override async confirmDestructive(summary: string, yes: boolean | undefined, profile?: {name: string; protected: boolean}): Promise<void> {
    const target = profile ?? (await this.connection().then((c) => ({name: c.profile, protected: c.protected})))
    return super.confirmDestructive(summary, yes, target)
  }

  protected override toKafkitError(error: unknown): KafkitError {
    const err = error as {name?: string}
    if (!(error instanceof KafkitError) && typeof err?.name === 'string' && err.name.startsWith('KafkaJS')) {
      const resolved = this.resolvedConnection
      if (resolved)
        return mapKafkaError(error, {
          brokers: resolved.brokers,
          profile: resolved.profile,
          timeoutMs: this.timeoutMs,
          saslUser: resolved.sasl?.username,
          saslMechanism: resolved.sasl?.mechanism,
          principal: connectionPrincipal(resolved),
          access: this.clientAccess,
        })
      return mapKafkaError(error, {brokers: (this.globalFlags.brokers as string | undefined)?.split(',') ?? ['127.0.0.1:9092'], profile: this.globalFlags.profile as string | undefined})
    }
    return super.toKafkitError(error)
  }

  override async finally(error: Error | undefined): Promise<unknown> {
    if (this.clientPromise) await this.clientPromise.then((c) => c.disconnect()).catch(() => undefined)
    if (this.registryPromise) await this.registryPromise.then((r) => r.close()).catch(() => undefined)
    return super.finally(error)
  }
}

/** `kafkit schemas *`: a profile's schema registry, no brokers. */
export abstract class RegistryCommand<T> extends KafkaCommand<T> {
  // No --brokers here (these commands never reach Kafka); the cast only satisfies the static side's type.
  static baseFlags = {
    ...BaseCommand.baseFlags,
    profile: KafkaCommand.baseFlags.profile,
    'schema-registry': schemaRegistryFlag,
    timeout: KafkaCommand.baseFlags.timeout,
  } as unknown as typeof KafkaCommand.baseFlags & {'schema-registry': typeof schemaRegistryFlag}
}
