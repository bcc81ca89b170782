/**
 * The scenarios: kafkit and its peers doing the same work against the same broker in the same run.
 *
 * ratio 'time':  kafkit's time ÷ the peer's (lower is better: `--help` ≤ 2× `node -e 0`)
 * ratio 'speed': the peer's time ÷ kafkit's, i.e. kafkit's throughput relative to the peer's (higher is better)
 *
 * A tool is { name, argv, stdinFile?, verify?(ctx, state) -> error string | undefined, goal?: {op, value} }.
 * A scenario is { name, title, ratio, reps, records?, available?(ctx) -> reason | undefined, setup, teardown,
 * kafkit: tool, peers: [tool], maxMs? (absolute goal for kafkit) }.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT, TOOLS, java, kafkit, measure, topicSize} from './lib.mjs'
import {RECORDS_PER_TOPIC, RESET_GROUP, ensureScaleCluster, scaleSizes} from './scale.mjs'

const hasCommand = (id) => existsSync(join(ROOT, 'dist', 'bundle', 'commands', ...id.split(' ')) + '.js')

/** Each run must have written exactly N records: otherwise its time means nothing. */
function grewBy(topic, n) {
  const before = new Map()
  return {
    before: async (ctx) => before.set(topic, await topicSize(ctx.admin, topic)),
    verify: async (ctx) => {
      const size = await topicSize(ctx.admin, topic)
      const grown = size - before.get(topic)
      return grown === n ? undefined : `wrote ${grown} records, expected ${n}`
    },
  }
}

let filledAvro = false

export function scenarios(ctx) {
  const {brokers: B, records: N, reps, prefix, partitions: P, kcat} = ctx
  const many = Math.max(reps, 5) // start-up scenarios are cheap and noisy: more repetitions
  const topic = (what) => `${prefix}-${what}`

  const list = []

  list.push({
    name: 'startup',
    title: '`kafkit --help` vs `node -e 0`',
    ratio: 'time',
    reps: many,
    kafkit: {name: 'kafkit --help', argv: kafkit('--help')},
    peers: [{name: 'node -e 0', argv: [process.execPath, '-e', '0'], goal: {op: '<=', value: 2}}],
  })

  list.push({
    name: 'cluster-info',
    title: '`kafkit cluster info` (per-command overhead of a Kafka command)',
    ratio: 'time',
    reps: many,
    kafkit: {name: 'kafkit cluster info', argv: kafkit('cluster', 'info', '-b', B)},
    peers: [{name: 'node -e 0', argv: [process.execPath, '-e', '0']}, kcat && {name: 'kcat -L', argv: ['kcat', '-L', '-b', B]}],
  })

  list.push({
    name: 'topics-list',
    title: '`kafkit topics list`',
    ratio: 'time',
    reps: many,
    available: () => (hasCommand('topics list') ? undefined : 'no `topics list` command yet'),
    kafkit: {name: 'kafkit topics list', argv: kafkit('topics', 'list', '-b', B)},
    peers: [
      {name: 'TopicCommand --list', argv: java(TOOLS.topicCommand, '--bootstrap-server', B, '--list'), goal: {op: '<=', value: 0.2}},
      kcat && {name: 'kcat -L', argv: ['kcat', '-L', '-b', B], goal: {op: '<=', value: 1.5}},
    ],
  })

  const produceTool = (name, argv, goal, stdin = true) => {
    const t = topic(`produce-${name.split(' ')[0].toLowerCase()}`)
    const check = grewBy(t, N)
    return {name, topic: t, argv: argv(t), stdinFile: stdin ? ctx.dataFile : undefined, goal, before: check.before, verify: check.verify}
  }
  const producers = [
    produceTool('kafkit', (t) => kafkit('produce', t, '-b', B, '--acks', 'all', '-f', ctx.dataFile), undefined, false),
    produceTool('ConsoleProducer', (t) => java(TOOLS.consoleProducer, '--bootstrap-server', B, '--topic', t, '--producer-property', 'acks=all'), {op: '>=', value: 2}),
    kcat && produceTool('kcat -P', (t) => ['kcat', '-P', '-b', B, '-t', t, '-X', 'acks=all'], {op: '>=', value: 1}),
    produceTool(
      'ProducerPerformance',
      (t) => java(TOOLS.producerPerformance, '--topic', t, '--num-records', String(N), '--record-size', '100', '--throughput', '-1', '--producer-props', `bootstrap.servers=${B}`, 'acks=all'),
      {op: '>=', value: 0.5},
      false,
    ),
  ].filter(Boolean)
  list.push({
    name: 'produce',
    title: `produce ${ctx.recordsLabel} × 100 B from a file, acks=all`,
    ratio: 'speed',
    reps,
    records: N,
    available: () => (hasCommand('produce') ? undefined : 'no `produce` command yet'),
    setup: async () => {
      for (const p of producers) await ctx.createTopic(p.topic, P)
    },
    teardown: async () => ctx.deleteTopics(producers.map((p) => p.topic)),
    kafkit: producers[0],
    peers: producers.slice(1),
  })

  const consumeTopic = topic('consume')
  list.push({
    name: 'consume',
    title: `consume ${ctx.recordsLabel} × 100 B to /dev/null, exit at the end`,
    ratio: 'speed',
    reps,
    records: N,
    available: () => (hasCommand('consume') ? undefined : 'no `consume` command yet'),
    setup: async () => ctx.fillTopic(consumeTopic, N),
    kafkit: {name: 'kafkit', argv: kafkit('consume', consumeTopic, '-b', B, '-e', '--from', 'beginning')},
    peers: [
      {name: 'ConsoleConsumer', argv: java(TOOLS.consoleConsumer, '--bootstrap-server', B, '--topic', consumeTopic, '--from-beginning', '--max-messages', String(N)), goal: {op: '>=', value: 2}},
      kcat && {name: 'kcat -C -e', argv: ['kcat', '-C', '-b', B, '-t', consumeTopic, '-o', 'beginning', '-e', '-q'], goal: {op: '>=', value: 1}},
      {name: 'ConsumerPerformance', argv: java(TOOLS.consumerPerformance, '--bootstrap-server', B, '--topic', consumeTopic, '--messages', String(N))},
    ],
  })

  list.push({
    name: 'first-record',
    title: 'time to the first record (no group), whole process',
    ratio: 'time',
    reps: many,
    maxMs: 300,
    available: () => (hasCommand('consume') ? undefined : 'no `consume` command yet'),
    setup: async () => ctx.fillTopic(consumeTopic, N),
    kafkit: {name: 'kafkit consume -c 1', argv: kafkit('consume', consumeTopic, '-b', B, '-c', '1', '--from', 'beginning')},
    peers: [kcat && {name: 'kcat -C -c 1', argv: ['kcat', '-C', '-b', B, '-t', consumeTopic, '-o', 'beginning', '-c', '1', '-e', '-q']}],
  })

  const replaySource = consumeTopic
  const replayTool = (name, argv) => {
    const t = topic(`replay-${name.split(' ')[0].toLowerCase()}`)
    const check = grewBy(t, N)
    return {name, topic: t, argv: argv(t), before: check.before, verify: check.verify}
  }
  const replayers = [
    // --restart: every repetition copies the whole window, whatever an earlier (failed) one left as checkpoint.
    replayTool('kafkit', (t) => kafkit('replay', replaySource, t, '-b', B, '--restart')),
    kcat && replayTool('kcat -C -e | kcat -P', (t) => ['bash', '-o', 'pipefail', '-c', `kcat -C -b ${B} -t ${replaySource} -o beginning -e -q | kcat -P -b ${B} -t ${t} -X acks=all`]),
  ].filter(Boolean)
  if (replayers[1]) replayers[1].goal = {op: '>=', value: 0.8}
  list.push({
    name: 'replay',
    title: `replay a ${ctx.recordsLabel} window to another topic`,
    ratio: 'speed',
    reps,
    records: N,
    available: () => (hasCommand('replay') ? undefined : 'no `replay` command yet'),
    setup: async () => {
      await ctx.fillTopic(replaySource, N)
      for (const r of replayers) await ctx.createTopic(r.topic, P)
    },
    teardown: async () => ctx.deleteTopics(replayers.map((r) => r.topic)),
    kafkit: replayers[0],
    peers: replayers.slice(1),
  })

  const resetTopic = topic('reset')
  const resetGroup = `${prefix}-reset-group`
  const RP = ctx.resetPartitions
  list.push({
    name: 'offsets-reset',
    title: `offsets reset: 1 group × ${RP} partitions, --to-earliest --execute`,
    ratio: 'time',
    reps,
    available: () => (hasCommand('offsets reset') ? undefined : 'no `offsets reset` command yet'),
    setup: async () => {
      await ctx.createTopic(resetTopic, RP)
      // An empty group with a committed offset on every partition: what both tools then move.
      await ctx.admin.setOffsets({groupId: resetGroup, topic: resetTopic, partitions: Array.from({length: RP}, (_, partition) => ({partition, offset: '0'}))})
    },
    teardown: async () => {
      await ctx.admin.deleteGroups([resetGroup]).catch(() => undefined)
      await ctx.deleteTopics([resetTopic])
    },
    kafkit: {name: 'kafkit offsets reset', argv: kafkit('offsets', 'reset', resetGroup, '-b', B, '--topic', resetTopic, '--to-earliest', '--execute', '--yes')},
    peers: [
      {
        name: 'ConsumerGroupCommand',
        argv: java(TOOLS.consumerGroupCommand, '--bootstrap-server', B, '--group', resetGroup, '--reset-offsets', '--topic', resetTopic, '--to-earliest', '--execute'),
        goal: {op: '<=', value: 0.3},
      },
    ],
  })

  // Schema registry data (issue 19): Avro against plain records of the same size, same broker, same run.
  const avroTopic = topic('avro')
  const avroProduce = [topic('avro-produce'), topic('avro-produce-plain')]
  const registryEnv = {KAFKIT_SCHEMA_REGISTRY_URL: ctx.registry}
  const avroArgs = ['--value-schema', ctx.avroSchemaFile, '--auto-register']
  list.push({
    name: 'consume-avro',
    title: `consume ${ctx.recordsLabel} Avro records (10 fields, ~100 B) to JSON Lines vs ${ctx.recordsLabel} plain 100 B records`,
    ratio: 'time',
    reps,
    records: N,
    available: () => (!ctx.registryUp ? `no schema registry at ${ctx.registry} (kafkit local start --schema-registry)` : undefined),
    setup: async () => {
      await ctx.fillTopic(consumeTopic, N)
      if (filledAvro) return
      await ctx.createTopic(avroTopic, P)
      const r = await measure(kafkit('produce', avroTopic, '-b', B, '-f', await ctx.avroDataFile(N), ...avroArgs), {env: registryEnv})
      if (r.code !== 0) throw new Error(`filling ${avroTopic}: ${r.stderr}`)
      filledAvro = true
    },
    kafkit: {name: 'kafkit consume (Avro -> JSON)', argv: kafkit('consume', avroTopic, '-b', B, '-e'), env: registryEnv},
    peers: [{name: 'kafkit consume (plain)', argv: kafkit('consume', consumeTopic, '-b', B, '-e'), env: registryEnv, goal: {op: '<=', value: 1.5}}],
  })
  const avroProducer = (name, t, args, goal) => ({name, topic: t, argv: kafkit('produce', t, '-b', B, '-f', ctx.avroDataFilePath(N), ...args), env: registryEnv, goal, ...grewBy(t, N)})
  list.push({
    name: 'produce-avro',
    title: `produce ${ctx.recordsLabel} JSON Lines encoded as Avro (validated) vs the same lines as plain records`,
    ratio: 'time',
    reps,
    records: N,
    available: () => (!ctx.registryUp ? `no schema registry at ${ctx.registry} (kafkit local start --schema-registry)` : undefined),
    setup: async () => {
      await ctx.avroDataFile(N)
      for (const t of avroProduce) await ctx.createTopic(t, P)
    },
    teardown: async () => ctx.deleteTopics(avroProduce),
    kafkit: avroProducer('kafkit produce --value-schema', avroProduce[0], avroArgs),
    peers: [avroProducer('kafkit produce (plain)', avroProduce[1], [], {op: '<=', value: 2})],
  })

  // Peak RSS must not grow with the input: the same command at N and at 4N.
  const memTopic = topic('memory')
  list.push({
    name: 'memory',
    title: `peak RSS of kafkit produce / consume at ${ctx.recordsLabel} and 4× that (must stay flat, ≤ 150 MB)`,
    kind: 'memory',
    reps: 1,
    maxRssMb: 150,
    available: () => (hasCommand('produce') && hasCommand('consume') ? undefined : 'needs `produce` and `consume`'),
    setup: async () => {
      await ctx.createTopic(memTopic, P)
      await ctx.dataFileFor(4 * N)
    },
    teardown: async () => ctx.deleteTopics([memTopic]),
    runs: () => [
      {name: `produce ${ctx.recordsLabel}`, argv: kafkit('produce', memTopic, '-b', B, '-f', ctx.dataFile), ...grewBy(memTopic, N)},
      {name: `produce 4×${ctx.recordsLabel}`, argv: kafkit('produce', memTopic, '-b', B, '-f', ctx.dataFilePath(4 * N)), ...grewBy(memTopic, 4 * N)},
      // Counted through a pipe (the only scenario that reads kafkit's output): the count is checked.
      {name: `consume ${ctx.recordsLabel}`, argv: kafkit('consume', memTopic, '-b', B, '-c', String(N)), expectLines: N},
      {name: `consume 4×${ctx.recordsLabel}`, argv: kafkit('consume', memTopic, '-b', B, '-c', String(4 * N)), expectLines: 4 * N},
    ],
  })

  // Scale (issue 22): the same commands on private clusters of two sizes (bench/scale.mjs: built once, reused).
  // Each scenario runs once per size; `scale` selects them all, `scale-groups-describe` one command at both sizes.
  for (const size of scaleSizes()) {
    const S = size.brokers
    const at = `${size.topics} topics`
    // Every network wait of a kafkit command is bounded by --timeout (10 s by default): thousands of topics on a
    // busy broker take longer to describe. The Java tools' own defaults are 30 s and more.
    const k = (...args) => kafkit(...args, '-b', S, '--timeout', '2m')
    const scale = (what, fields) =>
      list.push({
        group: ['scale', `scale-${what}`],
        name: `scale-${what}-${size.topics}`,
        ratio: 'time',
        reps,
        scale: {what, topics: size.topics, groups: size.groups, partitions: size.partitions},
        setup: async () => {
          size.manifest ??= await ensureScaleCluster(size, (line) => process.stderr.write(`${line}\n`))
        },
        ...fields,
      })
    scale('topics-list', {
      title: `\`kafkit topics list\` on a cluster of ${at} (${size.partitions} partitions)`,
      kafkit: {name: 'kafkit topics list', argv: k('topics', 'list')},
      peers: [{name: 'TopicCommand --list', argv: java(TOOLS.topicCommand, '--bootstrap-server', S, '--list')}, kcat && {name: 'kcat -L', argv: ['kcat', '-L', '-b', S]}],
    })
    scale('topics-apply-check', {
      title: `\`kafkit topics apply --check\` of a file of ${at} that matches the cluster`,
      kafkit: {name: 'kafkit topics apply --check', argv: k('topics', 'apply', '-f', size.topicsFile, '--check')},
      peers: [],
    })
    scale('groups-list', {
      title: `\`kafkit groups list\` (with lag) on ${size.groups + 1} groups, ${at}`,
      kafkit: {name: 'kafkit groups list', argv: k('groups', 'list')},
      peers: [{name: 'ConsumerGroupCommand --list', argv: java(TOOLS.consumerGroupCommand, '--bootstrap-server', S, '--list')}],
    })
    scale('groups-describe', {
      title: `lag of all ${size.groups + 1} groups (${size.groups * 9 + size.partitions} committed partitions), ${at}`,
      kafkit: {name: 'kafkit groups describe --all', argv: k('groups', 'describe', '--all')},
      peers: [{name: 'ConsumerGroupCommand --describe --all-groups', argv: java(TOOLS.consumerGroupCommand, '--bootstrap-server', S, '--describe', '--all-groups'), goal: {op: '<=', value: 0.3}}],
    })
    scale('offsets-reset', {
      title: `offsets reset: 1 group × ${size.partitions} partitions of ${at}, --all-topics --to-earliest --execute`,
      // Snapshots ('offsets undo') of every repetition go to a scratch state dir, not the user's.
      kafkit: {name: 'kafkit offsets reset', argv: k('offsets', 'reset', RESET_GROUP, '--all-topics', '--to-earliest', '--execute', '--yes'), env: {KAFKIT_STATE_DIR: ctx.scratchDir}},
      peers: [
        {
          name: 'ConsumerGroupCommand --reset-offsets',
          argv: java(TOOLS.consumerGroupCommand, '--bootstrap-server', S, '--group', RESET_GROUP, '--reset-offsets', '--all-topics', '--to-earliest', '--execute'),
          goal: {op: '<=', value: 0.3},
        },
      ],
    })
    scale('consume-regex', {
      title: `\`kafkit consume --regex '^scale-' -e\`: ${at}, ${size.topics * RECORDS_PER_TOPIC} records, to the end`,
      records: size.topics * RECORDS_PER_TOPIC,
      kafkit: {name: 'kafkit consume --regex -e', argv: k('consume', '--regex', '^scale-', '-e'), expectLines: size.topics * RECORDS_PER_TOPIC},
      peers: [],
    })
  }
  // Issue 22 (consume/replay): replay with two worker threads against the one-thread replay, and peak RSS of replay.
  const parallelTopics = [topic('replay-par'), topic('replay-one')]
  list.push({
    name: 'replay-parallel',
    title: `replay a ${ctx.recordsLabel} window with --parallel 2 vs one thread`,
    ratio: 'speed',
    reps,
    records: N,
    available: () => (hasCommand('replay') ? undefined : 'no `replay` command yet'),
    setup: async () => {
      await ctx.fillTopic(replaySource, N)
      for (const t of parallelTopics) await ctx.createTopic(t, P)
    },
    teardown: async () => ctx.deleteTopics(parallelTopics),
    kafkit: {name: 'kafkit replay --parallel 2', argv: kafkit('replay', replaySource, parallelTopics[0], '-b', B, '--restart', '--parallel', '2'), ...grewBy(parallelTopics[0], N)},
    peers: [{name: 'kafkit replay', argv: kafkit('replay', replaySource, parallelTopics[1], '-b', B, '--restart'), ...grewBy(parallelTopics[1], N)}],
  })
  const memoryScenario = list.find((s) => s.name === 'memory')
  const memoryReplay = topic('memory-replay')
  const memorySetup = memoryScenario.setup
  const memoryTeardown = memoryScenario.teardown
  const memoryRuns = memoryScenario.runs
  memoryScenario.setup = async () => {
    await memorySetup()
    await ctx.fillTopic(replaySource, N)
    await ctx.createTopic(memoryReplay, P)
  }
  memoryScenario.teardown = async () => {
    await memoryTeardown()
    await ctx.deleteTopics([memoryReplay])
  }
  memoryScenario.runs = () => [...memoryRuns(), {name: `replay ${ctx.recordsLabel}`, argv: kafkit('replay', replaySource, memoryReplay, '-b', B, '--restart'), ...grewBy(memoryReplay, N)}]

  return list.map((s) => ({...s, peers: (s.peers ?? []).filter(Boolean)}))
}
