import {homedir} from 'node:os'
import {join} from 'node:path'

/** kafkit's cache root: $KAFKIT_CACHE_DIR, else $XDG_CACHE_HOME/kafkit, else ~/.cache/kafkit. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKIT_CACHE_DIR) return env.KAFKIT_CACHE_DIR
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kafkit')
}

/** Where the jars of one Kafka version are cached. */
export const kafkaCacheDir = (version: string) => join(cacheRoot(), 'kafka', version)

/** Where `kafkit local` keeps its state file, node configs, data and logs ($KAFKIT_LOCAL_DIR to run a second cluster). */
export const localDir = (env: NodeJS.ProcessEnv = process.env) => env.KAFKIT_LOCAL_DIR || join(cacheRoot(env), 'local')
