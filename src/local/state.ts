/**
 * The local cluster's files that more than one module reads: its state file (written by lifecycle.ts) and log
 * tails. Kept apart so that the Connect worker and the cluster lifecycle need not import each other.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {localDir} from './paths.js'

export const stateFile = () => join(localDir(), 'state.json')

/** The recorded state of the local cluster (lifecycle.ts's LocalState); undefined when there is none. */
export async function readStateFile<T>(): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(), 'utf8')) as T
  } catch {
    return undefined
  }
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
