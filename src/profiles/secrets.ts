/**
 * Secrets: read from their source only when a client is built, and remembered here so that anything kafkit
 * prints (errors, --debug logs, --json) can be scrubbed of them as a last line of defence.
 */
import {execFile} from 'node:child_process'

import {KafkitError, usageError} from '../errors.js'
import type {SecretSource} from './types.js'

const known = new Set<string>()

/** Remembers a secret value so that `redactSecrets` removes it from any text. Short values are not tracked (false hits). */
export function registerSecret(value: string): void {
  if (value.length >= 4) known.add(value)
}

/** Replaces every known secret in `text`. */
export function redactSecrets(text: string): string {
  let out = text
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]')
  }
  return out
}

export function describeSource(source: SecretSource): string {
  if ('value' in source) return '[redacted] (in the config file)'
  if ('env' in source) return `from $${source.env}`
  return `from command: ${source.command}`
}

/** Reads a secret from its source. The value is never logged; errors name the source, not the secret. */
export async function resolveSecret(source: SecretSource, what: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): Promise<string> {
  let value: string
  if ('value' in source) value = source.value
  else if ('env' in source) {
    const v = env[source.env]
    if (v === undefined || v === '') throw usageError(`${what}: environment variable ${source.env} is not set`, `export ${source.env}=... (or change the profile's ${what} source)`, 'SECRET_MISSING')
    value = v
  } else {
    value = await runSecretCommand(source.command, what, timeoutMs)
  }
  registerSecret(value)
  return value
}

/** Runs a passwordCommand / tokenCommand with /bin/sh; its stdout (minus one trailing newline) is the secret. */
export function runSecretCommand(command: string, what: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], {timeout: timeoutMs, maxBuffer: 1024 * 1024}, (error, stdout, stderr) => {
      if (error) {
        const e = error as NodeJS.ErrnoException & {killed?: boolean; code?: number | string}
        // stderr of the command is shown (its first line): it explains why ("pass: not found"); stdout never is.
        const why = e.killed ? `timed out after ${Math.round(timeoutMs / 1000)}s` : `exit ${e.code ?? 'error'}${stderr.trim() ? `: ${stderr.trim().split('\n')[0].slice(0, 200)}` : ''}`
        reject(new KafkitError('SECRET_COMMAND_FAILED', `${what}: the command failed (${why})`, {hint: `run it by hand to see why: ${command}`, exitCode: 4}))
        return
      }
      const value = stdout.replace(/\r?\n$/, '')
      if (value === '') {
        reject(new KafkitError('SECRET_COMMAND_FAILED', `${what}: the command printed nothing`, {hint: `run it by hand: ${command}`, exitCode: 4}))
        return
      }
      resolve(value)
    })
  })
}
