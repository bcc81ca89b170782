import {usageError} from '../errors.js'
import type {ResolvedConnection} from './types.js'

export const LOCAL_BROKERS = ['127.0.0.1:9092']

export interface ConnectionFlags {
  profile?: string
  brokers?: string
}

/**
 * Resolves the connection a command uses. Precedence, highest first: flags > KAFKIT_* environment >
 * --profile > the current profile > the built-in `local` profile (127.0.0.1:9092).
 */
export async function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedConnection> {
  const name = flags.profile ?? env.KAFKIT_PROFILE ?? 'local'
  const base: ResolvedConnection = {profile: name, brokers: LOCAL_BROKERS, protected: false, clientId: 'kafkit'}
  if (name !== 'local') {
    throw usageError(`profile '${name}' is not defined`, "list them with 'kafkit profiles list'", 'PROFILE_NOT_FOUND')
  }
  const brokers = flags.brokers ?? env.KAFKIT_BROKERS
  return brokers ? {...base, brokers: parseBrokerList(brokers)} : base
}

/** `host:port,host2:port` -> list; a missing port means 9092. */
export function parseBrokerList(input: string): string[] {
  const brokers = input
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
  if (brokers.length === 0) throw usageError('no broker given', 'use --brokers host:port[,host:port...]')
  return brokers.map((b) => {
    const m = /^(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/.exec(b)
    if (!m) throw usageError(`'${b}' is not a broker address`, 'use host:port, e.g. --brokers 127.0.0.1:9092')
    const port = m[2] === undefined ? 9092 : Number(m[2])
    if (port < 1 || port > 65_535) throw usageError(`port ${m[2]} in '${b}' is out of range`, 'ports are 1-65535')
    return `${m[1]}:${port}`
  })
}
