/**
 * The registry step of `kafkit profiles test`: reachable, authenticated, and how many subjects it has. One GET
 * /subjects with the command's timeout; a failure keeps the error's code, hint and exit code.
 */
import {ExitCode, KafkitError} from '../errors.js'
import type {SchemaRegistrySettings} from '../profiles/types.js'
import {createRegistryClient} from './connection.js'

export interface RegistryStep {
  step: 'registry'
  ok: boolean
  detail: string
  hint?: string
  code?: string
  exitCode?: number
  ms: number
  url: string
  subjects?: number
}

export async function diagnoseRegistry(settings: SchemaRegistrySettings, options: {timeoutMs: number; profile?: string; debugLog?: (line: string) => void}): Promise<RegistryStep> {
  const started = Date.now()
  const auth = settings.username ? `basic auth as '${settings.username}'` : settings.tokenCommand ? 'bearer token' : 'no auth'
  let client
  try {
    client = await createRegistryClient(settings, options)
    const subjects = await client.listSubjects()
    return {
      step: 'registry',
      ok: true,
      detail: `${client.url}: reachable, ${settings.username || settings.tokenCommand ? 'authenticated' : 'answered'} (${auth}), ${subjects.length} subject${subjects.length === 1 ? '' : 's'}`,
      ms: Date.now() - started,
      url: client.url,
      subjects: subjects.length,
    }
  } catch (error) {
    const e = error instanceof KafkitError ? error : new KafkitError('REGISTRY_ERROR', String((error as Error)?.message ?? error))
    return {
      step: 'registry',
      ok: false,
      detail: e.message,
      hint: e.hint,
      code: e.code,
      exitCode: e.exitCode === ExitCode.FAILED ? ExitCode.CONNECT : e.exitCode,
      ms: Date.now() - started,
      url: settings.url,
    }
  } finally {
    await client?.close()
  }
}
