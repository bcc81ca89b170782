/**
 * kafkit's dependency rules (docs/ARCHITECTURE.md, "Layers"), checked by `npm run lint`:
 *   npx depcruise src        (type-only imports count: tsPreCompilationDeps)
 * Folder cycles (a folder importing one that imports it back, through any files) are checked by
 * scripts/layers.mjs --check, which also prints the folder picture.
 */
const DOMAIN = '(commands|profiles|topics|groups|offsets|replay|produce|consume|local|schemas|connect|completion|cli|hooks|acls|admin|brokers|users)'
const LEAVES = '^src/(errors\\.ts|records/|specs/|output/|util/)'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between modules.',
      from: {},
      to: {circular: true},
    },
    {
      name: 'kafkajs-only-in-adapter',
      severity: 'error',
      comment: 'kafkajs (its API, its types, its internals) is reached only from the adapter, src/kafka/kafkajs/.',
      from: {path: '^src/', pathNot: '^src/kafka/kafkajs/'},
      to: {path: '(^|/)node_modules/kafkajs(-snappy)?/'},
    },
    {
      name: 'adapter-only-from-port',
      severity: 'error',
      comment: 'Only the port (src/kafka/) uses the adapter; everything else talks to the port.',
      from: {path: '^src/', pathNot: '^src/kafka/'},
      to: {path: '^src/kafka/kafkajs/'},
    },
    {
      name: 'adapter-below-port',
      severity: 'error',
      comment: 'The adapter imports nothing of the port or above it: only itself and the leaf modules.',
      from: {path: '^src/kafka/kafkajs/'},
      to: {path: '^src/', pathNot: [`^src/kafka/kafkajs/`, LEAVES]},
    },
    {
      name: 'port-below-domain',
      severity: 'error',
      comment: 'The port (src/kafka/) knows no command, profile, topic, group, offset, replay, local or schema code.',
      from: {path: '^src/kafka/'},
      to: {path: [`^src/${DOMAIN}/`, '^src/base-command\\.ts$']},
    },
    {
      name: 'leaves-are-leaves',
      severity: 'error',
      comment: 'errors.ts, records/, specs/, output/ and util/ import only each other.',
      from: {path: LEAVES},
      to: {path: '^src/', pathNot: LEAVES},
    },
    {
      name: 'commands-never-import-each-other',
      severity: 'error',
      comment: 'A command is an entry point: shared code goes to a domain module, never into another command.',
      from: {path: '^src/commands/'},
      to: {path: '^src/commands/'},
    },
    {
      name: 'nothing-imports-commands',
      severity: 'error',
      comment: 'Commands are loaded by oclif, never imported.',
      from: {path: '^src/', pathNot: '^src/commands/'},
      to: {path: '^src/commands/'},
    },
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    includeOnly: ['^src/', '(^|/)node_modules/kafkajs(-snappy)?/'],
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.cjs', '.mjs', '.json']},
    reporterOptions: {text: {highlightFocused: true}},
  },
}
