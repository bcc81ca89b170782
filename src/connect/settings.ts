/**
 * Which Kafka Connect a command talks to. Precedence, highest first: --connect-url > KAFKIT_CONNECT_URL (with
 * KAFKIT_CONNECT_USERNAME / KAFKIT_CONNECT_PASSWORD) > the profile's `connect:` > the local worker
 * (http://127.0.0.1:8083, `kafkit local start --connect`) for the built-in local profile or a profile whose brokers
 * are all on this machine. Secrets stay sources until `connectTarget` reads them.
 */
import {usageError} from '../errors.js'
import {buildTlsOptions} from '../profiles/credentials.js'
import {resolveSecret} from '../profiles/secrets.js'
import type {ConnectSettings, ResolvedConnection} from '../profiles/types.js'
import type {ConnectTarget} from './client.js'

export const LOCAL_CONNECT_URL = 'http://127.0.0.1:8083'

export interface ResolvedConnect extends ConnectSettings {
  /** Where the URL came from: `--connect-url`, `KAFKIT_CONNECT_URL`, `profile 'x'`, `local worker`. */
  source: string
  /** The URL is the local worker's default: unreachable means "start it". */
  local: boolean
}

/** An http(s) URL without a trailing slash; exit 2 naming `what` otherwise. */
export function checkConnectUrl(url: string, what: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw usageError(`${what}: '${url}' is not a URL`, 'e.g. http://127.0.0.1:8083 or https://connect.example.com', 'BAD_CONNECT_URL')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw usageError(`${what}: '${url}' must be an http:// or https:// URL`, 'e.g. http://127.0.0.1:8083', 'BAD_CONNECT_URL')
  return url.replace(/\/+$/, '')
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/i

export function resolveConnectSettings(flagUrl: string | undefined, connection: Pick<ResolvedConnection, 'profile' | 'brokers' | 'connect'>, env: NodeJS.ProcessEnv = process.env): ResolvedConnect {
  let settings: ConnectSettings | undefined = connection.connect ? {...connection.connect} : undefined
  let source = `profile '${connection.profile}'`
  const override = flagUrl ?? (env.KAFKIT_CONNECT_URL || undefined)
  if (override) {
    const what = flagUrl ? '--connect-url' : 'KAFKIT_CONNECT_URL'
    settings = {...settings, url: checkConnectUrl(override, what)}
    source = what
  }
  let local = false
  if (!settings) {
    const onThisMachine = connection.brokers.every((b) => LOOPBACK.test(b.replace(/:\d+$/, '')))
    if (!onThisMachine) {
      throw usageError(
        `profile '${connection.profile}' has no Kafka Connect URL`,
        `add 'connect: {url: https://connect.example.com:8083}' to the profile, or pass --connect-url (or KAFKIT_CONNECT_URL)`,
        'CONNECT_URL_MISSING',
      )
    }
    settings = {url: LOCAL_CONNECT_URL}
    source = 'local worker'
    local = true
  }
  if (env.KAFKIT_CONNECT_USERNAME) settings.username = env.KAFKIT_CONNECT_USERNAME
  if (env.KAFKIT_CONNECT_PASSWORD) settings.password = {env: 'KAFKIT_CONNECT_PASSWORD'}
  return {...settings, source, local}
}

/** Reads the password and TLS files: what the HTTP client needs. */
export async function connectTarget(resolved: ResolvedConnect, env: NodeJS.ProcessEnv = process.env): Promise<ConnectTarget> {
  const target: ConnectTarget = {url: resolved.url}
  if (resolved.username !== undefined) target.username = resolved.username
  if (resolved.password) target.password = await resolveSecret(resolved.password, 'Kafka Connect password', env)
  if (resolved.tls) target.tls = await buildTlsOptions(resolved.tls, env)
  target.unreachableHint = resolved.local
    ? "start the local worker with 'kafkit local start --connect'"
    : `is the worker running and ${resolved.url} its REST URL (${resolved.source})? a local one: 'kafkit local start --connect'`
  return target
}
