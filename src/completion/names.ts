/**
 * Names for shell completion that live outside the manifest: topics and groups (from the cluster), profiles
 * (from the config file). A Tab press must never hang the shell: a cluster look-up is bounded (1.5 s by default)
 * and its answer is cached a few seconds under ~/.cache/kafkit/completion, so that pressing Tab again, or
 * completing a second argument, costs no request. A look-up that fails or times out completes nothing (or the
 * last cached names), silently.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {cacheRoot} from '../local/paths.js'
import type {ResolvedConnection, SecretSource} from '../profiles/types.js'
import type {NameKind} from './complete.js'

export const COMPLETION_TIMEOUT_MS = 1500
export const COMPLETION_CACHE_TTL_MS = 10_000

export interface NameOptions {
  timeoutMs?: number
  ttlMs?: number
  env?: NodeJS.ProcessEnv
}

export function completionCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'completion')
}

/** Every name of a kind (filtered by the caller). Never throws. */
export async function lookupNames(kind: NameKind, connection: {profile?: string; brokers?: string}, options: NameOptions = {}): Promise<string[]> {
  const env = options.env ?? process.env
  try {
    if (kind === 'profile') return await profileNames(env)
    if (kind === 'subject') return [] // no schema registry client yet
    return await clusterNames(kind, connection, options)
  } catch {
    return []
  }
}

async function profileNames(env: NodeJS.ProcessEnv): Promise<string[]> {
  const {configPath, loadConfig} = await import('../profiles/config.js')
  const loaded = await loadConfig(configPath(env))
  return [...new Set(['local', ...Object.keys(loaded.config.profiles)])].sort()
}

/** True when building a client would run a command of the user's (a password or token command, OAuth, AWS): not on Tab. */
export function needsInteraction(connection: ResolvedConnection): boolean {
  const fromCommand = (s?: SecretSource) => Boolean(s && 'command' in s)
  const sasl = connection.sasl
  return Boolean(
    fromCommand(connection.tls?.passphrase) || (sasl && (fromCommand(sasl.password) || fromCommand(sasl.clientSecret) || sasl.tokenCommand || sasl.tokenEndpoint || sasl.mechanism === 'aws-msk-iam')),
  )
}

interface CacheEntry {
  at: number
  names: string[]
}

async function clusterNames(kind: 'topic' | 'group', flags: {profile?: string; brokers?: string}, options: NameOptions): Promise<string[]> {
  const env = options.env ?? process.env
  const timeoutMs = options.timeoutMs ?? COMPLETION_TIMEOUT_MS
  const ttlMs = options.ttlMs ?? COMPLETION_CACHE_TTL_MS
  const {resolveConnection} = await import('../profiles/resolve.js')
  const connection = await resolveConnection(flags, env)
  if (needsInteraction(connection)) return []
  const key = createHash('sha256')
    .update(JSON.stringify([kind, connection.profile, connection.brokers]))
    .digest('hex')
    .slice(0, 16)
  const file = join(completionCacheDir(env), `${kind}-${key}.json`)
  const cached = readCache(file)
  if (cached && Date.now() - cached.at < ttlMs) return cached.names

  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs)
    timer.unref()
  })
  const [{createClient}, {resolveCredentials}] = await Promise.all([import('../kafka/client.js'), import('../profiles/credentials.js')])
  const client = await createClient(await resolveCredentials(connection, {timeoutMs}), {timeoutMs})
  const lookup = (async () => {
    if (kind === 'topic') {
      const {allTopicPartitions} = await import('../kafka/topics.js')
      return (await allTopicPartitions(client)).map((t) => t.topic)
    }
    const {listGroups} = await import('../kafka/groups.js')
    return (await listGroups(client)).map((g) => g.groupId)
  })().catch(() => undefined)
  try {
    const names = await Promise.race([lookup, deadline])
    if (!names) return cached?.names ?? []
    writeCache(file, {at: Date.now(), names: names.sort()})
    return names
  } finally {
    clearTimeout(timer)
    // Not awaited past the deadline: the caller exits right after printing.
    void client.disconnect().catch(() => undefined)
  }
}

function readCache(file: string): CacheEntry | undefined {
  try {
    statSync(file)
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry
    return Array.isArray(entry.names) && typeof entry.at === 'number' ? entry : undefined
  } catch {
    return undefined
  }
}

function writeCache(file: string, entry: CacheEntry): void {
  try {
    mkdirSync(join(file, '..'), {recursive: true, mode: 0o700})
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(entry), {mode: 0o600})
    renameSync(tmp, file)
  } catch {
    // a cache that cannot be written only costs the next Tab a look-up
  }
}
