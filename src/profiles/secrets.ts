/**
 * Secrets: read from their source only when a client is built, and remembered here so that anything kafkit
 * prints (errors, --debug logs, --json) can be scrubbed of them as a last line of defence.
 */
import {spawn} from 'node:child_process'

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

/**
 * Runs a passwordCommand / tokenCommand with /bin/sh; its stdout (minus one trailing newline) is the secret.
 * The shell runs in a process group of its own: on a timeout the whole group is killed, so nothing the command
 * started (a `pass` waiting for a GPG agent, a `sleep` in a pipeline) outlives it.
 */
export function runSecretCommand(command: string, what: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new KafkitError('SECRET_COMMAND_FAILED', `${what}: the command failed (${why})`, {hint: `run it by hand to see why: ${command}`, exitCode: 4}))
    const child = spawn('/bin/sh', ['-c', command], {detached: true, stdio: ['ignore', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    let size = 0
    let failure: string | undefined
    const killGroup = (reason?: string) => {
      failure ??= reason
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => killGroup(`timed out after ${Math.round(timeoutMs / 1000)}s`), timeoutMs)
    child.stdout.on('data', (d: Buffer) => {
      size += d.length
      if (size > 1024 * 1024) killGroup('it printed more than 1 MB')
      else out.push(d)
    })
    child.stderr.on('data', (d: Buffer) => err.length < 64 && err.push(d))
    child.on('error', (error) => {
      clearTimeout(timer)
      fail(error.message)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      // The shell is gone; children it left in its group (backgrounded, or a pipeline's other end) go with it.
      if (code !== 0 || failure) killGroup()
      const stderr = Buffer.concat(err).toString('utf8').trim()
      if (failure || code !== 0) {
        // stderr of the command is shown (its first line): it explains why ("pass: not found"); stdout never is.
        fail(failure ?? `exit ${code ?? signal}${stderr ? `: ${stderr.split('\n')[0].slice(0, 200)}` : ''}`)
        return
      }
      const value = Buffer.concat(out)
        .toString('utf8')
        .replace(/\r?\n$/, '')
      if (value === '') {
        reject(new KafkitError('SECRET_COMMAND_FAILED', `${what}: the command printed nothing`, {hint: `run it by hand: ${command}`, exitCode: 4}))
        return
      }
      resolve(value)
    })
  })
}
