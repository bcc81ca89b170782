/**
 * One object decides what the terminal gets (gh's IOStreams): whether stdout/stderr are TTYs, whether colour is
 * on, whether the command speaks JSON. stdout is data; everything else goes to stderr.
 */
import {type Readable, Writable} from 'node:stream'

export interface IOOptions {
  json?: boolean
  noColor?: boolean
  debug?: boolean
  stdout?: Writable & {isTTY?: boolean}
  stderr?: Writable & {isTTY?: boolean}
  stdin?: Readable & {isTTY?: boolean}
  stdinIsTTY?: boolean
}

export interface Spinner {
  update(text: string): void
  succeed(text?: string): void
  fail(text?: string): void
  stop(): void
}

const ANSI = {bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39]} as const
export type Style = keyof typeof ANSI

export class IOStreams {
  readonly stdout: Writable & {isTTY?: boolean}
  readonly stderr: Writable & {isTTY?: boolean}
  readonly stdin: Readable & {isTTY?: boolean}
  readonly json: boolean
  readonly debug: boolean
  readonly stdoutIsTTY: boolean
  readonly stderrIsTTY: boolean
  readonly stdinIsTTY: boolean
  readonly color: boolean
  readonly colorErr: boolean

  constructor(options: IOOptions = {}) {
    this.stdout = options.stdout ?? process.stdout
    this.stderr = options.stderr ?? process.stderr
    this.stdin = options.stdin ?? process.stdin
    this.json = options.json ?? false
    this.debug = options.debug ?? false
    this.stdoutIsTTY = Boolean(this.stdout.isTTY)
    this.stderrIsTTY = Boolean(this.stderr.isTTY)
    this.stdinIsTTY = options.stdinIsTTY ?? Boolean(this.stdin.isTTY)
    const colorAllowed = !options.noColor && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') && process.env.TERM !== 'dumb'
    const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0'
    this.color = colorAllowed && (this.stdoutIsTTY || forced)
    this.colorErr = colorAllowed && (this.stderrIsTTY || forced)
  }

  /** Prompts only make sense when a person can answer them. */
  get interactive(): boolean {
    return this.stdinIsTTY && this.stderrIsTTY && !this.json && process.env.CI !== 'true'
  }

  /** Colours text for stdout (no-op when colour is off). Small and dependency-free on purpose: start-up. */
  style(text: string, ...styles: Style[]): string {
    return this.color ? paint(text, styles) : text
  }

  /** Colours text for stderr. */
  styleErr(text: string, ...styles: Style[]): string {
    return this.colorErr ? paint(text, styles) : text
  }

  out(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : text + '\n')
  }

  /** A line of human information on stderr (suppressed under --json, where stderr carries only errors). */
  info(text: string): void {
    if (!this.json) this.stderr.write(text.endsWith('\n') ? text : text + '\n')
  }

  warn(text: string): void {
    this.stderr.write(`${this.styleErr('warning:', 'yellow', 'bold')} ${text}\n`)
  }

  debugLog(text: string): void {
    if (this.debug) this.stderr.write(`${this.styleErr('debug', 'dim')} ${text}\n`)
  }

  /** A spinner on a TTY stderr; silent otherwise. ora is loaded only when a spinner is really shown. */
  async spinner(text: string): Promise<Spinner> {
    if (!this.stderrIsTTY || this.json) return {update() {}, succeed() {}, fail() {}, stop() {}}
    const {default: ora} = await import('ora')
    const s = ora({text, stream: this.stderr as NodeJS.WritableStream, color: 'cyan', isEnabled: true}).start()
    return {
      update: (t) => {
        s.text = t
      },
      succeed: (t) => void s.succeed(t),
      fail: (t) => void s.fail(t),
      stop: () => void s.stop(),
    }
  }
}

function paint(text: string, styles: Style[]): string {
  let result = text
  for (const name of styles) {
    const [open, close] = ANSI[name]
    result = `\u001B[${open}m${result}\u001B[${close}m`
  }
  return result
}

/** A stream that keeps what is written to it, for tests; `isTTY` as asked. */
export class CapturedStream extends Writable {
  private readonly chunks: Buffer[] = []

  constructor(readonly isTTY = false) {
    super()
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
    callback()
  }

  /** Everything written so far, as text. */
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }
}

export interface TestStreams {
  io: IOStreams
  stdout: CapturedStream
  stderr: CapturedStream
  /** IOStreams on these same streams with a command's own options (--json, ...): for injectIOStreams(). */
  make: (options: IOOptions) => IOStreams
}

/**
 * IOStreams over in-memory streams (gh's iostreams.Test()): a command's flag paths and rendering can be tested
 * without a terminal. `stdin` is what the command reads; the TTY flags say what it believes it talks to.
 */
export function testStreams(options: {stdin?: Readable; stdoutTTY?: boolean; stderrTTY?: boolean; stdinTTY?: boolean} & Pick<IOOptions, 'json' | 'noColor' | 'debug'> = {}): TestStreams {
  const stdout = new CapturedStream(options.stdoutTTY ?? false)
  const stderr = new CapturedStream(options.stderrTTY ?? false)
  const make = (given: IOOptions) => new IOStreams({...given, stdout, stderr, stdin: options.stdin, stdinIsTTY: options.stdinTTY ?? false})
  return {io: make({json: options.json, noColor: options.noColor, debug: options.debug}), stdout, stderr, make}
}
