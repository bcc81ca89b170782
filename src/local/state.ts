/**
 * The local cluster's files that more than one module reads: its state file (written by lifecycle.ts) and log
 * tails. Kept apart so that the Connect worker and the cluster lifecycle need not import each other.
 */
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {localDir} from './paths.js'

export const stateFile = () => join(localDir(), 'state.json')

/** The recorded state of the local cluster (lifecycle.ts's LocalState); undefined when there is none. */
export async function readStateFile<T>(): Promise<T | undefined> {
  return readJsonFile<T>(stateFile())
}

/** A state file of the local cluster, worker or registry; undefined when it is missing or unreadable. */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

/** Writes a state file (its folder created first). */
export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), {recursive: true})
  await writeFile(file, JSON.stringify(value, null, 2) + '\n')
}

export async function readLogTail(file: string, lines: number): Promise<string[]> {
  try {
    return lastLines(await readFile(file, 'utf8'), lines)
  } catch {
    return []
  }
}

export function lastLines(text: string, n: number): string[] {
  return text.trimEnd().split('\n').slice(-n)
}
