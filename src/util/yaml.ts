/** Reading the YAML/JSON files of `topics apply`, `connect apply`, `acls apply` and `schemas apply`. */
import {usageError} from '../errors.js'

/** The document in `text`; not YAML (nor JSON) is exit 2 naming `source`, with `hint` on the format. */
export async function parseYamlFile(text: string, source: string, hint: string, code = 'BAD_APPLY_FILE'): Promise<unknown> {
  // yaml is ESM with a CommonJS twin: the bundled build may hand us either shape.
  const m = (await import('yaml')) as typeof import('yaml') & {default?: typeof import('yaml')}
  const parse = m.parse ?? m.default!.parse
  try {
    return parse(text)
  } catch (error) {
    throw usageError(`${source}: not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`, hint, code)
  }
}
