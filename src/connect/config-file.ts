/**
 * `connect create NAME -f FILE`: one connector's config from a file. Accepted shapes, so that what people already
 * have works: a flat map of config keys (JSON or YAML), Connect's own `{name, config}` body (what
 * `curl .../connectors/NAME` returns), Kafka's `.properties` files (config/connect-file-sink.properties), or a
 * `connect apply` file (the entry named NAME).
 */
import {usageError} from '../errors.js'
import {readInputFile} from '../util/input-file.js'
import {normalizeConfig, validateDesiredConnectors} from './apply.js'

export interface ConnectorConfigFile {
  name: string
  config: Record<string, string>
}

/** The text of the file named with -f (`-` is stdin). */
export const readInput = readInputFile

/** `key=value` lines; `#` and `!` comments; `\` line continuations. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.replaceAll('\r', '').split('\n')
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim()
    if (!line || line.startsWith('#') || line.startsWith('!')) continue
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i].trim()
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line)
    if (m) out[m[1]] = m[2]
  }
  return out
}

export async function parseConnectorConfig(text: string, source: string, name: string | undefined): Promise<ConnectorConfigFile> {
  const bad = (where: string, what: string) =>
    usageError(`${source}: ${where} ${what}`, 'the file is a map of config keys (JSON/YAML), {"name": ..., "config": {...}}, or .properties', 'BAD_CONFIG_FILE')
  let doc: unknown
  if (/\.properties$/i.test(source)) {
    doc = parseProperties(text)
  } else {
    const m = (await import('yaml')) as typeof import('yaml') & {default?: typeof import('yaml')}
    try {
      doc = (m.parse ?? m.default!.parse)(text)
    } catch (error) {
      throw usageError(`${source}: not valid JSON/YAML: ${(error as Error).message.split('\n')[0]}`, undefined, 'BAD_CONFIG_FILE')
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('the document', 'must be a mapping')
  const root = doc as Record<string, unknown>
  let fileName: string | undefined
  let config: Record<string, string>
  if (Array.isArray(root.connectors)) {
    const all = validateDesiredConnectors(root, source).connectors
    const pick = name ? all.find((c) => c.name === name) : all.length === 1 ? all[0] : undefined
    if (!pick) throw bad('connectors', name ? `has no connector named '${name}' (it has: ${all.map((c) => c.name).join(', ') || 'none'})` : 'lists several connectors: name the one to create')
    return {name: pick.name, config: pick.config}
  }
  if (typeof root.config === 'object' && root.config !== null && !Array.isArray(root.config)) {
    // Connect's {name, config} (and the GET answer's tasks and type, which are ignored).
    if (root.name !== undefined && typeof root.name !== 'string') throw bad('name', 'must be a string')
    fileName = root.name as string | undefined
    config = normalizeConfig(root.config, 'config', bad)
  } else {
    config = normalizeConfig(root, 'the config', bad)
  }
  if (config.name !== undefined) {
    fileName ??= config.name
    if (config.name !== fileName) throw bad('config.name', `is '${config.name}', but the file names the connector '${fileName}'`)
    delete config.name
  }
  const finalName = name ?? fileName
  if (!finalName) throw usageError(`${source} does not name the connector`, 'pass the name: kafkit connect create NAME -f FILE', 'BAD_CONFIG_FILE')
  if (name && fileName && name !== fileName) throw usageError(`${source} is the config of '${fileName}', not '${name}'`, 'pass the same name, or leave the name out of the file', 'BAD_CONFIG_FILE')
  if (!config['connector.class']) throw bad('the config', 'needs connector.class')
  return {name: finalName, config}
}
