#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/, from tsc) for start-up time: `npm run build` runs it after tsc.
 *
 * Why: an unbundled start resolves, reads and compiles ~150 small CommonJS files (@oclif/core and its
 * dependencies) before printing anything. Bundled, a start reads a handful of files.
 *
 * Layout (dist/bundle/):
 *   kafkit.js              what bin/run.js imports: oclif's execute()
 *   commands/<group>/<verb>.js   one entry per command file of dist/commands (same ids, oclif's "pattern"
 *                          strategy finds them: package.json `oclif.commands` points here), so a command
 *                          loads only its own code, and `--help` (answered from the oclif manifest) none
 *   hooks/<name>.js        oclif hooks of dist/hooks (command_not_found), loaded only when their event fires
 *   commands/help.js       @oclif/plugin-help's command, bundled instead of loaded as a plugin (a plugin costs
 *                          its own package.json, manifest and a second copy of @oclif/core at every start)
 *   replay-worker.js       the worker threads of `replay --parallel N`
 *   chunks/*.js            code shared by several entries (@oclif/core, base-command, ...): one instance
 *
 * Adding a command file under src/commands is enough: entries are found by scanning dist/commands.
 * Usage: node scripts/bundle.mjs [--metafile FILE]
 */
import {build} from 'esbuild'
import {existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, sep} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const dist = join(root, 'dist')
const outdir = join(dist, 'bundle')

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

const commandsDir = join(dist, 'commands')
const entryPoints = {kafkit: join(root, 'scripts', 'bundle-entry.mjs')}
for (const file of walk(commandsDir).filter((f) => f.endsWith('.js'))) {
  entryPoints[`commands/${relative(commandsDir, file).replace(/\.js$/, '').split(sep).join('/')}`] = file
}
entryPoints['commands/help'] = join(root, 'scripts', 'bundle-help.mjs')
// `replay --parallel N`: the worker threads' entry (src/replay/worker.ts), found by src/replay/parallel.ts.
entryPoints['replay-worker'] = join(dist, 'replay', 'worker.js')
// oclif hooks (package.json oclif.hooks points at dist/bundle/hooks/<name>.js): loaded only when their event fires.
const hooksDir = join(dist, 'hooks')
for (const file of existsSync(hooksDir) ? walk(hooksDir).filter((f) => f.endsWith('.js')) : []) {
  entryPoints[`hooks/${relative(hooksDir, file).replace(/\.js$/, '')}`] = file
}

// CommonJS dependencies inside an ES module bundle still call require() for Node built-ins.
const banner = ["import {createRequire as __kafkitCreateRequire} from 'node:module';", 'const require = __kafkitCreateRequire(import.meta.url);'].join('\n')

// kafkajs goes into the bundle (~60 ms less start-up per Kafka command than ~200 files from node_modules), with
// kafkit's replacements for some of its modules (src/kafka/kafkajs/patches.ts):
// - dist/kafka/kafkajs/require.js becomes a table of bundled requires, one per `requireKafkaJS('kafkajs...')`
//   id found in dist/, so that kafkit and kafkajs share one instance of every kafkajs module;
// - each replaced kafkajs module hands its exports to kafkit's hook as it loads, and exports what it returns.
const {REPLACED_MODULES, REPLACE_HOOK} = await import(pathToFileURL(join(dist, 'kafka', 'kafkajs', 'patches.js')).href)
const kafkajsIds = new Set(['kafkajs'])
for (const file of walk(dist).filter((f) => f.endsWith('.js') && !f.startsWith(outdir))) {
  for (const match of readFileSync(file, 'utf8').matchAll(/requireKafkaJS\((['"])(kafkajs(?:\/[^'"]*)?)\1\)/g)) kafkajsIds.add(match[2])
}
const replacedIds = new Set(Object.values(REPLACED_MODULES))
const kafkajsInBundle = {
  name: 'kafkajs-in-bundle',
  setup(b) {
    b.onLoad({filter: /[\\/]dist[\\/]kafka[\\/]kafkajs[\\/]require\.js$/}, () => ({
      resolveDir: root,
      loader: 'js',
      contents: [
        'export const KAFKAJS_BUNDLED = true',
        'export function requireKafkaJS(id) {',
        '  switch (id) {',
        ...[...kafkajsIds].sort().map((id) => `    case ${JSON.stringify(id)}: return require(${JSON.stringify(id)})`),
        '  }',
        "  throw new Error(`kafkit's bundle has no kafkajs module '${id}' (scripts/bundle.mjs finds them as requireKafkaJS('...') literals)`)",
        '}',
      ].join('\n'),
    }))
    b.onLoad({filter: /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/}, ({path}) => {
      const source = readFileSync(path, 'utf8')
      const lazy = lazyRequires(source, OCLIF_LAZY)
      return lazy === source ? undefined : {loader: 'js', contents: lazy}
    })
    b.onLoad({filter: /[\\/]node_modules[\\/]kafkajs[\\/]src[\\/].*\.js$/}, ({path}) => {
      const id = relative(join(root, 'node_modules'), path).split(sep).join('/')
      if (KAFKAJS_LAZY[id]) return {loader: 'js', contents: lazyFunctions(id, readFileSync(path, 'utf8'))}
      if (!replacedIds.has(id)) return undefined
      const hook = `globalThis[Symbol.for(${JSON.stringify(REPLACE_HOOK.description)})]`
      return {loader: 'js', contents: `${readFileSync(path, 'utf8')}\n;module.exports = (${hook} ?? ((id, m) => m))(${JSON.stringify(id)}, module.exports)\n`}
    })
  },
}

/**
 * kafkajs modules that load others they use only on some paths: the Kafka class its producer, consumer and admin
 * (a command uses one or two; `consume` none: it reads with a cluster of its own), the SASL authenticator every
 * mechanism (a connection uses one, or none). Each such module loads on its first call instead (~75 modules less
 * for `consume`). A kafkajs whose source changed shape fails the build here.
 */
const KAFKAJS_LAZY = {
  'kafkajs/src/index.js': {createProducer: './producer', createConsumer: './consumer', createAdmin: './admin'},
  'kafkajs/src/broker/saslAuthenticator/index.js': {
    plainAuthenticatorProvider: './plain',
    scram256AuthenticatorProvider: './scram256',
    scram512AuthenticatorProvider: './scram512',
    awsIAMAuthenticatorProvider: './awsIam',
    oauthBearerAuthenticatorProvider: './oauthBearer',
  },
}

/** `const name = require('module')` (a function) becomes a function that requires the module when called. */
function lazyFunctions(id, source) {
  let out = source
  for (const [name, module] of Object.entries(KAFKAJS_LAZY[id])) {
    const eager = `const ${name} = require('${module}')`
    if (!out.includes(eager)) throw new Error(`scripts/bundle.mjs: ${id} no longer has \`${eager}\``)
    out = out.replace(eager, `const ${name} = (...args) => require('${module}')(...args)`)
  }
  return out
}

/**
 * Packages @oclif/core requires as it loads but uses only on some paths: templates (ejs), plugin discovery without
 * a manifest (tinyglobby, minimatch, lilconfig), spinners, error stacks. Each loads on its first use instead of at
 * every start (~35 modules less to compile).
 */
const OCLIF_LAZY = ['ejs', 'tinyglobby', 'minimatch', 'lilconfig', 'cli-spinners', 'clean-stack']

/** `const x = require("m")` (or tsc's `__importDefault(require("m"))`) becomes a proxy that requires m on first use. */
function lazyRequires(source, modules) {
  let out = source
  for (const name of modules) {
    const eager = new RegExp(`^const (\\w+) = (?:(__import(?:Default|Star))\\()?require\\("${name}"\\)\\)?;$`, 'm')
    out = out.replace(eager, (_, binding, wrap) => `const ${binding} = __kafkitLazy(() => ${wrap ? `${wrap}(require("${name}"))` : `require("${name}")`});`)
  }
  if (out === source) return source
  return `${out}\nfunction __kafkitLazy(load) { let m; return new Proxy({}, {get: (_, key) => (m ??= load())[key]}) }\n`
}

const result = await build({
  entryPoints,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  banner: {js: banner},
  // Loaded from node_modules at run time, not bundled:
  // - native addons and WASM find their files next to themselves; only some commands load them.
  // - typescript/ts-node/tsx: oclif reads tsconfig only for development runs from .ts sources, never from dist.
  plugins: [kafkajsInBundle],
  external: ['kafkajs-snappy', 'lz4js', '@node-rs/*', '@bokuweb/zstd-wasm', 'aws-msk-iam-sasl-signer-js', '@aws-sdk/*', '@smithy/*', 'typescript', 'ts-node', 'tsx'],
  logLevel: 'warning',
  write: false,
  metafile: Boolean(option('--metafile')),
  legalComments: 'none',
  // Whitespace and syntax only: less to parse at every start, function names kept for --debug stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
})

// Several people (and test runs) share one checkout: each file is replaced atomically (write + rename), chunks
// before the entries that import them, and stale files are removed only once nothing can still be loading them.
const isChunk = (path) => path.includes(`${sep}chunks${sep}`)
const written = new Set()
for (const file of [...result.outputFiles].sort((a, b) => Number(isChunk(b.path)) - Number(isChunk(a.path)))) {
  mkdirSync(dirname(file.path), {recursive: true})
  const tmp = `${file.path}.${process.pid}.tmp`
  writeFileSync(tmp, file.contents)
  renameSync(tmp, file.path)
  written.add(file.path)
}
for (const path of existsSync(outdir) ? walk(outdir) : []) {
  if (!written.has(path) && Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, {force: true})
}
if (option('--metafile')) writeFileSync(option('--metafile'), JSON.stringify(result.metafile))
