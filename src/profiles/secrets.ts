import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {KafkitError, usageError} from '../errors.js'
import type {SecretSource} from './types.js'

const run = promisify(execFile)

/** Reads a secret from its source. The value is never logged; errors name the source, not the secret. */
export async function resolveSecret(source: SecretSource, what: string): Promise<string> {
  if ('value' in source) return source.value
  if ('env' in source) {
    const value = process.env[source.env]
    if (value === undefined || value === '') throw usageError(`${what}: environment variable ${source.env} is not set`, `export ${source.env}=...`, 'SECRET_MISSING')
    return value
  }
  try {
    const {stdout} = await run('/bin/sh', ['-c', source.command], {timeout: 30_000})
    return stdout.replace(/\r?\n$/, '')
  } catch (error) {
    throw new KafkitError('SECRET_COMMAND_FAILED', `${what}: passwordCommand failed (${(error as {code?: unknown}).code ?? 'error'})`, {
      hint: 'run the command by hand to see why',
      exitCode: 4,
    })
  }
}
