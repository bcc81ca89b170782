/** Runs an oclif command in-process on fake streams (injected IOStreams): its exit code and what it wrote. */
import {fileURLToPath} from 'node:url'

import {injectIOStreams} from '../../src/base-command.js'
import {testStreams} from '../../src/output/io.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

export async function runInProcess(command: {run(argv: string[], root: string): Promise<unknown>}, argv: string[], options: Parameters<typeof testStreams>[0] = {}) {
  const streams = testStreams(options)
  injectIOStreams(streams.make)
  let exit = 0
  try {
    await command.run(argv, root)
  } catch (error) {
    const code = (error as {oclif?: {exit?: number}}).oclif?.exit
    if (code === undefined) throw error
    exit = code
  } finally {
    injectIOStreams()
  }
  return {exit, stdout: streams.stdout.text(), stderr: streams.stderr.text()}
}
