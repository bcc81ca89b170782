/** The text of a file the user named with -f (`-` is stdin): a missing file is exit 2 with a hint. */
import {readFile} from 'node:fs/promises'

import {ExitCode, KafkitError, usageError} from '../errors.js'

/** `what` names the kind of file in the hint ("pass the path of a topics file with -f"). */
export async function readInputFile(file: string, what = 'file'): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new KafkitError('FILE_NOT_FOUND', `no such file: ${file}`, {hint: `pass the path of ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} with -f`, exitCode: ExitCode.USAGE})
    throw usageError(`cannot read ${file}: ${(error as Error).message}`)
  }
}
