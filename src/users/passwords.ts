/**
 * Where a new SCRAM password comes from: an environment variable or stdin, never the command line (it would
 * be visible in `ps` and in the shell history).
 */
import {usageError} from '../errors.js'
import type {ScramMechanism} from '../kafka/scram-credentials.js'

export function parseMechanism(text: string): ScramMechanism {
  const m = text.trim().toUpperCase()
  if (m === 'SCRAM-SHA-256' || m === 'SCRAM-SHA-512') return m
  throw usageError(`unknown SCRAM mechanism '${text}'`, 'use scram-sha-256 or scram-sha-512', 'BAD_MECHANISM')
}

export async function readPassword(
  options: {env?: string; stdin?: boolean},
  environment: NodeJS.ProcessEnv = process.env,
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string> = process.stdin,
): Promise<string> {
  if (options.env && options.stdin) throw usageError('--password-env and --password-stdin cannot be used together', 'pick one source for the password', 'BAD_FLAGS')
  let password: string
  if (options.env) {
    const value = environment[options.env]
    if (value === undefined) throw usageError(`environment variable ${options.env} is not set`, `export ${options.env}=... (the password), or use --password-stdin`, 'PASSWORD_MISSING')
    password = value
  } else if (options.stdin) {
    const chunks: Buffer[] = []
    for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
    // One trailing line break (echo, a file) is not part of the password.
    password = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '')
  } else {
    throw usageError('no password source', 'pass --password-env VAR (the name of a variable holding it) or --password-stdin; a password is never taken on the command line', 'PASSWORD_MISSING')
  }
  if (password.length === 0) throw usageError('the password is empty', 'set a non-empty password', 'PASSWORD_EMPTY')
  return password
}
