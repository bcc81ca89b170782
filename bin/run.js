#!/usr/bin/env node
import module from 'node:module'

// Node 22.1+: compiled code is cached on disk (os.tmpdir()/node-compile-cache), ~25% off every start (README:
// Compatibility). Node 20 has no such API.
module.enableCompileCache?.()
// Closing the reading end of a pipe (`kafkit consume t | head`) is a normal way to stop: exit 0 quietly.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1'
// oclif's Node version check loads semver at every start (~7 ms); npm already enforces package.json's engines.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'

// dist/bundle/ is the CLI bundled with @oclif/core (scripts/bundle.mjs, run by
// `npm run build`): one file to read and compile instead of ~150 (start-up time).
const {execute} = await import('../dist/bundle/kafkit.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bundle/kafkit.js')) throw error
  process.stderr.write('error: kafkit is not built (no dist/bundle/kafkit.js)\nhint: run `npm run build`\n')
  process.exit(1)
})
// `kafkit -p prod topics list`: global flags before the command are moved after it (bin/argv.js).
let args = process.argv.slice(2)
if (args[0]?.startsWith('-') && args[0] !== '--help' && args[0] !== '--version') args = (await import('./argv.js')).hoistGlobalFlags(args)
await execute({args, dir: import.meta.url})
// Every command awaits its own clean-up (acks, commits, disconnects) before it returns; what can remain is the
// kernel closing sockets, e.g. a closed reader's connection still receiving a prefetched response (~60 ms of
// `consume -c 1`). Leave once stdout and stderr are written out.
await Promise.all([process.stdout, process.stderr].map((s) => (s.writableLength > 0 ? new Promise((resolve) => s.once('drain', resolve)) : undefined)))
process.exit()
