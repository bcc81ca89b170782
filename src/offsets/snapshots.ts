/**
 * Snapshots of a group's committed offsets, taken before every reset/undo is executed, so that a mistake can be
 * undone. One JSON file per snapshot: <state dir>/snapshots/<cluster id>/<group>/<id>.json, where the state
 * dir is $KAFKIT_STATE_DIR, else $XDG_STATE_HOME/kafkit, else ~/.local/state/kafkit. Naming by cluster id means
 * a snapshot of one cluster is never applied to another.
 */
import {mkdir, readdir, readFile, rename, writeFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {KafkitError, notFoundError} from '../errors.js'

export interface SnapshotOffset {
  topic: string
  partition: number
  /** null: the group had no committed offset for this partition. */
  offset: number | null
}

export interface Snapshot {
  id: string
  clusterId: string
  group: string
  createdAt: string
  /** What was about to be executed (`reset --to-earliest`, `undo 20261125T...`). */
  reason: string
  offsets: SnapshotOffset[]
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKIT_STATE_DIR) return env.KAFKIT_STATE_DIR
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'kafkit')
  return join(homedir(), '.local', 'state', 'kafkit')
}

/** Group ids may hold any character; file names may not. `.`/`..` are escaped too. */
export function encodeGroup(group: string): string {
  return encodeURIComponent(group)
    .replace(/^\.+/, (m) => '%2E'.repeat(m.length))
    .replaceAll('*', '%2A')
}

export function snapshotDir(clusterId: string, group: string, env?: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'snapshots', encodeURIComponent(clusterId), encodeGroup(group))
}

/** `20261125T204412123Z`: sorts by time as text. */
export function snapshotId(date: Date): string {
  return date.toISOString().replaceAll('-', '').replaceAll(':', '').replace('.', '')
}

export async function saveSnapshot(input: Omit<Snapshot, 'id' | 'createdAt'>, now = new Date(), env?: NodeJS.ProcessEnv): Promise<Snapshot & {path: string}> {
  const dir = snapshotDir(input.clusterId, input.group, env)
  await mkdir(dir, {recursive: true, mode: 0o700})
  const existing = new Set(await readdir(dir))
  let id = snapshotId(now)
  for (let n = 2; existing.has(`${id}.json`); n++) id = `${snapshotId(now)}-${n}`
  const snapshot: Snapshot = {id, clusterId: input.clusterId, group: input.group, createdAt: now.toISOString(), reason: input.reason, offsets: input.offsets}
  const path = join(dir, `${id}.json`)
  // Written to a temporary name first: a crash never leaves a half snapshot that undo would trust.
  await writeFile(`${path}.tmp`, JSON.stringify(snapshot, null, 2) + '\n', {mode: 0o600})
  await rename(`${path}.tmp`, path)
  return {...snapshot, path}
}

export interface SnapshotSummary {
  id: string
  createdAt: string
  reason: string
  partitions: number
  path: string
}

/** Newest first. */
export async function listSnapshots(clusterId: string, group: string, env?: NodeJS.ProcessEnv): Promise<SnapshotSummary[]> {
  const dir = snapshotDir(clusterId, group, env)
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'))
  } catch {
    return []
  }
  const out: SnapshotSummary[] = []
  for (const name of names) {
    try {
      const s = JSON.parse(await readFile(join(dir, name), 'utf8')) as Snapshot
      out.push({id: s.id, createdAt: s.createdAt, reason: s.reason, partitions: s.offsets.length, path: join(dir, name)})
    } catch {
      // an unreadable file is not a snapshot
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
}

/** The named snapshot, or the newest one; exit 3 when there is none. */
export async function loadSnapshot(clusterId: string, group: string, id?: string, env?: NodeJS.ProcessEnv): Promise<Snapshot> {
  const all = await listSnapshots(clusterId, group, env)
  if (all.length === 0) {
    throw notFoundError(
      'SNAPSHOT_NOT_FOUND',
      `no snapshots of group '${group}' on this cluster (${clusterId})`,
      `snapshots are taken by 'kafkit offsets reset ${group} ... --execute'; they live in ${stateDir(env)}`,
    )
  }
  const chosen = id ? all.find((s) => s.id === id || s.id.startsWith(id)) : all[0]
  if (!chosen) {
    throw notFoundError('SNAPSHOT_NOT_FOUND', `no snapshot '${id}' of group '${group}'`, `list them with 'kafkit offsets snapshots ${group}'`)
  }
  try {
    return JSON.parse(await readFile(chosen.path, 'utf8')) as Snapshot
  } catch (error) {
    throw new KafkitError('BAD_SNAPSHOT', `cannot read snapshot ${chosen.path}: ${(error as Error).message}`, {exitCode: 1})
  }
}
