/** Reading the file of `acls apply` (YAML or JSON; '-' is stdin). */
import {readFile} from 'node:fs/promises'

import {ExitCode, KafkitError, usageError} from '../errors.js'
import {type AclFile, parseAclDocument} from './model.js'

export async function readAclFile(file: string): Promise<{source: string; desired: AclFile}> {
  const source = file === '-' ? 'stdin' : file
  let text: string
  if (file === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    text = Buffer.concat(chunks).toString('utf8')
  } else {
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new KafkitError('FILE_NOT_FOUND', `no such file: ${file}`, {hint: 'pass the path of an ACL file with -f', exitCode: ExitCode.USAGE})
      throw usageError(`cannot read ${file}: ${(error as Error).message}`)
    }
  }
  // yaml is ESM with a CommonJS twin: the bundled build may hand us either shape.
  const m = (await import('yaml')) as typeof import('yaml') & {default?: typeof import('yaml')}
  const parse = m.parse ?? m.default!.parse
  let doc: unknown
  try {
    doc = parse(text)
  } catch (error) {
    throw usageError(`${source}: not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`, 'see schemas/acls.schema.json for the format', 'BAD_ACL_FILE')
  }
  return {source, desired: parseAclDocument(doc, source)}
}
