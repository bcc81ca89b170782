/**
 * Typed errors. Every failure a user can cause or meet ends up as one KafkitError: a one-line message in the
 * user's words, an optional hint line, a stable machine code for `--json`, and the exit code of DESIGN.md.
 */

export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  CONNECT: 4,
  INCOMPLETE: 5,
  REFUSED: 6,
  TIMEOUT: 7,
  DIFFERS: 8,
  NOT_AUTHORIZED: 9,
  INTERRUPTED: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface KafkitErrorOptions {
  hint?: string
  exitCode?: number
  cause?: unknown
  /** Extra machine-readable fields for `--json` (counts delivered/failed, ...). */
  details?: Record<string, unknown>
}

export class KafkitError extends Error {
  readonly code: string
  readonly exitCode: number
  readonly hint?: string
  readonly details?: Record<string, unknown>

  constructor(code: string, message: string, options: KafkitErrorOptions = {}) {
    const usage = options.exitCode === ExitCode.USAGE
    // A usage error quotes what the user typed, which may hold line breaks or terminal escapes: shown escaped,
    // the message stays one line (and cannot restyle the terminal).
    super(usage ? escapeControls(message) : message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'KafkitError'
    this.code = code
    this.exitCode = options.exitCode ?? ExitCode.FAILED
    this.hint = usage && options.hint !== undefined ? escapeControls(options.hint) : options.hint
    this.details = options.details
  }

  toJSON(): {code: string; message: string; hint?: string} & Record<string, unknown> {
    return {code: this.code, message: this.message, ...(this.hint ? {hint: this.hint} : {}), ...this.details}
  }
}

const CONTROL_ESCAPES: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

/** Control characters (line breaks, ESC, ...) as visible escapes: `\n`, `\x1b`. */
export function escapeControls(text: string): string {
  return text.replaceAll(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => CONTROL_ESCAPES[c] ?? (c.charCodeAt(0) > 0xff ? `\\u${c.charCodeAt(0).toString(16)}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
}

export const usageError = (message: string, hint?: string, code = 'USAGE') =>
  new KafkitError(code, message, {hint, exitCode: ExitCode.USAGE})

export const notFoundError = (code: string, message: string, hint?: string) =>
  new KafkitError(code, message, {hint, exitCode: ExitCode.NOT_FOUND})

export const connectError = (message: string, hint?: string, code = 'CONNECTION_FAILED', cause?: unknown) =>
  new KafkitError(code, message, {hint, exitCode: ExitCode.CONNECT, cause})

export const timeoutError = (what: string, ms: number, hint?: string) =>
  new KafkitError('TIMEOUT', `${what} timed out after ${formatMs(ms)}`, {
    hint: hint ?? 'raise it with --timeout, e.g. --timeout 30s',
    exitCode: ExitCode.TIMEOUT,
  })

export const refusedError = (message: string, hint?: string, code = 'REFUSED') =>
  new KafkitError(code, message, {hint, exitCode: ExitCode.REFUSED})

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${(ms / 1000).toFixed(1)}s`
}

/** Rejects with `onTimeout()` if `promise` has not settled within `ms`. The timer never keeps the process alive. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
    timer.unref()
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
