/** Reading the file of `acls apply` (YAML or JSON; '-' is stdin). */
import {readInputFile} from '../util/input-file.js'
import {parseYamlFile} from '../util/yaml.js'
import {type AclFile, parseAclDocument} from './model.js'

export async function readAclFile(file: string): Promise<{source: string; desired: AclFile}> {
  const source = file === '-' ? 'stdin' : file
  const text = await readInputFile(file, 'ACL file')
  const doc = await parseYamlFile(text, source, 'see schemas/acls.schema.json for the format', 'BAD_ACL_FILE')
  return {source, desired: parseAclDocument(doc, source)}
}
