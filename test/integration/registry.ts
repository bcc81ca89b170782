/**
 * The schema registry of the integration tests: a real Apicurio Registry, the one `kafkit local start
 * --schema-registry` runs (CI starts it in .ci/run), at $KAFKIT_TEST_SCHEMA_REGISTRY or 127.0.0.1:8081.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {RunOptions, RunResult, kafkit} from './helpers.js'

export const TEST_REGISTRY = process.env.KAFKIT_TEST_SCHEMA_REGISTRY ?? 'http://127.0.0.1:8081/apis/ccompat/v7'

export async function registryUp(url = TEST_REGISTRY): Promise<boolean> {
  try {
    const response = await fetch(`${url}/subjects`, {signal: AbortSignal.timeout(3000)})
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

/** Under CI a missing registry fails the file; a developer without one sees the file skipped, with this reason. */
export const REGISTRY_AVAILABLE = (await registryUp()) || process.env.CI === 'true'
if (!(await registryUp())) {
  const message = `no schema registry at ${TEST_REGISTRY}: start one with 'node bin/run.js local start --schema-registry' (or set KAFKIT_TEST_SCHEMA_REGISTRY)`
  if (process.env.CI === 'true') throw new Error(message)
  process.stderr.write(`${message}; skipping\n`)
}

/** A scratch directory with an empty config and its own local dir: only the registry the test names is used. */
export function scratch(prefix = 'kafkit-sr-'): {dir: string; env: NodeJS.ProcessEnv; write(name: string, text: string): string} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const env = {KAFKIT_CONFIG: join(dir, 'config.yaml'), KAFKIT_LOCAL_DIR: join(dir, 'local'), KAFKIT_SCHEMA_REGISTRY_URL: TEST_REGISTRY}
  return {
    dir,
    env,
    write(name: string, text: string) {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    },
  }
}

/** `kafkit schemas ...` against the test registry (no brokers involved). */
export function schemas(args: string[], env: NodeJS.ProcessEnv, options: RunOptions = {}): Promise<RunResult> {
  return kafkit(['schemas', ...args], {timeoutMs: 60_000, ...options, noBrokers: true, env: {...env, ...options.env}})
}
