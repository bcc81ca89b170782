/**
 * The config file: where it lives, loading with validation (a bad file is one line naming the file, the line and
 * the field), and saving with mode 0600 while keeping the user's comments and layout (yaml Document API).
 */
import {existsSync, statSync} from 'node:fs'
import {chmod, mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import type {Document} from 'yaml'

import {KafkitError, usageError} from '../errors.js'
import type {ConfigFile, Profile, SecretSource} from './types.js'
import {validateConfig} from './validate.js'

/** $KAFKIT_CONFIG, else $XDG_CONFIG_HOME/kafkit/config.yaml, else ~/.config/kafkit/config.yaml. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKIT_CONFIG) return env.KAFKIT_CONFIG
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'kafkit', 'config.yaml')
}

export interface LoadedConfig {
  path: string
  exists: boolean
  config: ConfigFile
  /** The parsed document, kept to save changes without losing comments. */
  doc?: Document
  /** Line of each profile's definition, for messages. */
  lines: Record<string, number>
  warnings: string[]
}

/** The YAML library is loaded only by commands that read a config file that exists. */
async function yamlModule(): Promise<typeof import('yaml')> {
  // Bundled or not, ESM or CJS interop: the API is on the module or on its default export.
  const m = (await import('yaml')) as typeof import('yaml') & {default?: typeof import('yaml')}
  return typeof m.Document === 'function' ? m : m.default!
}

export async function loadConfig(path = configPath()): Promise<LoadedConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {path, exists: false, config: {profiles: {}}, lines: {}, warnings: []}
    throw usageError(`cannot read the config file ${path}: ${(error as Error).message}`, 'check its permissions', 'CONFIG_UNREADABLE')
  }
  const warnings: string[] = []
  const mode = statSync(path).mode & 0o777
  if (mode & 0o077) warnings.push(`the config file ${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`)
  const YAML = await yamlModule()
  const lineCounter = new YAML.LineCounter()
  const doc = YAML.parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  if (doc.errors.length > 0) {
    const err = doc.errors[0]
    const line = err.linePos?.[0].line ?? lineCounter.linePos(err.pos[0]).line
    throw usageError(`${path}:${line}: invalid YAML: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, 'fix the file, or move it away to start over', 'CONFIG_INVALID')
  }
  const lineOf = (fieldPath: (string | number)[]): number => {
    // The closest node that exists: the field itself, else its parent (a missing required field).
    for (let i = fieldPath.length; i >= 0; i--) {
      // The key's line first (`staging:` rather than the first line of its value), else the node's.
      if (i > 0) {
        const parent = (i === 1 ? doc.contents : doc.getIn(fieldPath.slice(0, i - 1), true)) as {items?: {key?: {value?: unknown; range?: [number, number, number]}}[]} | undefined
        const pair = parent?.items?.find((p) => p.key?.value === fieldPath[i - 1])
        if (pair?.key?.range) return lineCounter.linePos(pair.key.range[0]).line
      }
      const node = (i === 0 ? doc.contents : doc.getIn(fieldPath.slice(0, i), true)) as {range?: [number, number, number]} | undefined
      if (node?.range) return lineCounter.linePos(node.range[0]).line
    }
    return 1
  }
  let raw: unknown
  try {
    raw = doc.toJS()
  } catch (error) {
    // Errors the parser leaves to conversion: an alias without its anchor (`*name`), an alias loop.
    throw usageError(`${path}:1: invalid YAML: ${(error as Error).message.split('\n')[0]}`, 'fix the file, or move it away to start over', 'CONFIG_INVALID')
  }
  const {config, warnings: fieldWarnings} = validateConfig(raw, (fieldPath, message) => {
    const field = fieldPath.join('.')
    return usageError(`${path}:${lineOf(fieldPath)}: ${field ? `${field}: ` : ''}${message}`, "fix the file (its format: 'kafkit profiles list --help')", 'CONFIG_INVALID')
  })
  for (const w of fieldWarnings) warnings.push(`${path}:${lineOf(w.path)}: ${w.message}`)
  const lines: Record<string, number> = {}
  for (const name of Object.keys(config.profiles)) lines[name] = lineOf(['profiles', name])
  return {path, exists: true, config, doc, lines, warnings}
}

/** A profile as plain YAML data (secret sources as password / passwordEnv / passwordCommand). */
export function profileToYaml(profile: Profile): Record<string, unknown> {
  const out: Record<string, unknown> = {brokers: profile.brokers}
  if (profile.tls) out.tls = tlsToYaml(profile.tls)
  if (profile.sasl) {
    const s = profile.sasl
    const sasl: Record<string, unknown> = {mechanism: s.mechanism}
    if (s.username) sasl.username = s.username
    if (s.password) Object.assign(sasl, secretToYaml(s.password, 'password'))
    for (const key of ['tokenCommand', 'tokenEndpoint', 'clientId', 'scope', 'region', 'awsProfile', 'roleArn'] as const) if (s[key]) sasl[key] = s[key]
    if (s.clientSecret) Object.assign(sasl, secretToYaml(s.clientSecret, 'clientSecret'))
    if (s.extensions && Object.keys(s.extensions).length > 0) sasl.extensions = s.extensions
    out.sasl = sasl
  }
  if (profile.clientId) out.clientId = profile.clientId
  if (profile.protected) out.protected = true
  if (profile.connect) out.connect = httpServiceToYaml(profile.connect)
  if (profile.schemaRegistry) out.schemaRegistry = httpServiceToYaml(profile.schemaRegistry)
  return out
}

/** `connect:` and `schemaRegistry:`: an HTTP service's URL, basic auth or token command, TLS. */
function httpServiceToYaml(r: NonNullable<Profile['connect']> & {tokenCommand?: string}): Record<string, unknown> {
  const out: Record<string, unknown> = {url: r.url}
  if (r.username !== undefined) out.username = r.username
  if (r.password) Object.assign(out, secretToYaml(r.password, 'password'))
  if (r.tokenCommand) out.tokenCommand = r.tokenCommand
  if (r.tls) out.tls = tlsToYaml(r.tls)
  return out
}

function tlsToYaml(t: NonNullable<Profile['tls']>): Record<string, unknown> | true {
  const tls: Record<string, unknown> = {}
  if (t.ca) tls.ca = t.ca
  if (t.cert) tls.cert = t.cert
  if (t.key) tls.key = t.key
  if (t.passphrase) Object.assign(tls, secretToYaml(t.passphrase, 'passphrase'))
  if (t.servername) tls.servername = t.servername
  if (t.insecureSkipVerify) tls.insecureSkipVerify = true
  return Object.keys(tls).length === 0 ? true : tls
}

function secretToYaml(source: SecretSource, field: string): Record<string, string> {
  if ('value' in source) return {[field]: source.value}
  if ('env' in source) return {[`${field}Env`]: source.env}
  return {[`${field}Command`]: source.command}
}

export type ConfigEdit = {setProfile: {name: string; profile: Profile}} | {removeProfile: string} | {current: string | null}

/** Applies edits to the file (created when missing), keeping comments; written atomically with mode 0600. */
export async function saveConfig(loaded: LoadedConfig, edits: ConfigEdit[]): Promise<void> {
  const YAML = await yamlModule()
  const doc = loaded.doc ?? new YAML.Document({profiles: {}})
  if (!doc.has('profiles') || doc.get('profiles') === null) doc.set('profiles', doc.createNode({}))
  for (const edit of edits) {
    if ('setProfile' in edit) doc.setIn(['profiles', edit.setProfile.name], doc.createNode(profileToYaml(edit.setProfile.profile)))
    else if ('removeProfile' in edit) doc.deleteIn(['profiles', edit.removeProfile])
    else if (edit.current === null) doc.delete('current')
    else if (doc.has('current')) doc.set('current', edit.current)
    else {
      // `current` first in a new file: it is what people look for.
      const map = doc.contents as {items: unknown[]}
      doc.set('current', edit.current)
      map.items.unshift(map.items.pop())
    }
  }
  const path = loaded.path
  try {
    await mkdir(dirname(path), {recursive: true, mode: 0o700})
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, doc.toString({lineWidth: 0}), {mode: 0o600})
    await rename(tmp, path)
    // rename keeps the temporary file's mode, but an umask could have widened nothing; make it explicit.
    await chmod(path, 0o600)
  } catch (error) {
    throw new KafkitError('CONFIG_UNWRITABLE', `cannot write the config file ${path}: ${(error as Error).message}`, {hint: 'check the directory permissions, or set KAFKIT_CONFIG'})
  }
}

export function configExists(path = configPath()): boolean {
  return existsSync(path)
}
