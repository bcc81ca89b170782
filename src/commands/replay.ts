import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../base-command.js'
import {ExitCode, KafkitError, usageError} from '../errors.js'
import type {KafkaClient} from '../kafka/client.js'
import {parsePartitionList} from '../kafka/reader.js'
import {renderTable} from '../output/table.js'
import {resolveConnection} from '../profiles/resolve.js'
import {compileGrep} from '../records/format.js'
import {parseHeaderAdds, parseWindowSpecs} from '../replay/plan.js'
import {formatProgress} from '../replay/progress.js'
import {COMPRESSIONS, type ReplaySummary, runReplay} from '../replay/replay.js'
import type {CompressionName} from '../kafka/writer.js'
import {countOf, formatBytes, formatCount, formatElapsed} from '../output/numbers.js'
import {schemaRegistryFlag} from '../base-command.js'
import {describeMapping, openReplaySchemaIds, replaySchemaFlags} from '../schemas/replay-setup.js'

export default class Replay extends KafkaCommand<ReplaySummary> {
  static summary = 'Copy a window of history from one topic to another, losslessly and resumably, across clusters'
  static description = `Copies the records of SRC_TOPIC between --from and --to (offsets, times or relative times; TO included) to DEST_TOPIC, with their keys, values, headers, timestamps and partitions, in order within each partition. Reads committed records only. When the destination has at least as many partitions, each record keeps its partition; otherwise records are spread by key with the Java producer's partitioner (--repartition).

After every acknowledged batch the position is saved in $KAFKIT_STATE_DIR/replay (else $XDG_STATE_HOME/kafkit/replay, else ~/.local/state/kafkit/replay). After a crash or Ctrl-C, run the same command with --resume: it continues with no gap and no duplicate.

Exit 0 when the window is copied (or empty), 2 for a bad spec or flag, 3 for an unknown topic or partition, 5 when any record was not copied (with counts), 6 when refused (same topic, an interrupted replay exists), 130 on Ctrl-C after saving the checkpoint.`

  static examples = [
    '<%= config.bin %> replay orders orders-replay --from @-2h --to @-1h',
    '<%= config.bin %> replay orders orders-copy --from 1000 --to 1999 --partitions 0,1',
    '<%= config.bin %> replay orders orders --to-profile staging --from @2026-11-24T09:00Z --to @2026-11-24T10:00Z --header-add replayed-from=orders@2026-11-24T09:00Z',
    '<%= config.bin %> replay orders orders-copy --from beginning --to end --dry-run',
    '<%= config.bin %> replay orders orders-copy --from @-1d --to end --resume',
    '<%= config.bin %> replay orders orders-copy --parallel 2',
    "<%= config.bin %> replay payments payments-debug --from @-30m --to end --grep 'user-4[0-9]' --new-timestamps --rate 500",
  ]

  static args = {
    source: Args.string({description: 'topic to copy from', required: true}),
    destination: Args.string({description: 'topic to copy to (must exist)', required: true}),
  }

  static flags = {
    from: Flags.string({description: 'start of the window: beginning, OFFSET, -N, @TIME, @-2h', default: 'beginning'}),
    to: Flags.string({description: 'end of the window, included: end, OFFSET, -N, @TIME, @-1h', default: 'end'}),
    'to-profile': Flags.string({description: 'write to the cluster of this profile (default: the source cluster)'}),
    'to-brokers': Flags.string({description: "write to these brokers host:port,... (overrides --to-profile's brokers)"}),
    'keep-partition': Flags.boolean({description: 'each record keeps its partition (default when the destination has enough partitions)'}),
    repartition: Flags.boolean({description: "spread records by key with the Java producer's murmur2 partitioner"}),
    'new-timestamps': Flags.boolean({description: 'stamp records with the time of the copy instead of keeping theirs'}),
    partitions: Flags.string({description: 'copy only these source partitions, e.g. 0,2,4-6'}),
    grep: Flags.string({description: 'copy only records whose key or value matches this regular expression (as consume --grep)'}),
    'header-add': Flags.string({description: 'add a header NAME=VALUE to every copied record (repeatable)', multiple: true}),
    rate: Flags.integer({description: 'at most N records per second', min: 1}),
    parallel: Flags.integer({description: 'copy with N worker threads, each with its share of the partitions (order kept per partition)', min: 1, max: 64, default: 1}),
    compression: Flags.string({char: 'z', description: 'compression of the written batches', options: [...COMPRESSIONS], default: 'none'}),
    'dry-run': Flags.boolean({description: 'read the window and show records and bytes per partition that would be copied; write nothing'}),
    execute: Flags.boolean({description: 'copy even when the destination profile is protected (otherwise a dry run)'}),
    resume: Flags.boolean({description: 'continue an interrupted replay of the same window from its checkpoint'}),
    restart: Flags.boolean({description: 'copy the whole window again even though an interrupted replay of it exists'}),
    'allow-same-topic': Flags.boolean({description: 'allow the destination to be the source topic on the same cluster'}),
    'schema-registry': schemaRegistryFlag,
    ...replaySchemaFlags,
  }

  async run(): Promise<ReplaySummary> {
    const {args, flags} = await this.parse(Replay)
    // Everything that can be checked without a cluster is checked first (exit 2, nothing contacted).
    const specs = parseWindowSpecs(flags.from, flags.to)
    const headerAdd = parseHeaderAdds(flags['header-add'] ?? [])
    if (flags.grep !== undefined) compileGrep(flags.grep)
    const partitions = flags.partitions === undefined ? undefined : parsePartitionList(flags.partitions)
    if (flags['keep-partition'] && flags.repartition) throw usageError('--keep-partition and --repartition exclude each other', 'pick one')
    if (flags.resume && flags.restart) throw usageError('--resume and --restart exclude each other', '--resume continues the interrupted replay; --restart copies the whole window again')
    if (flags['dry-run'] && flags.execute) throw usageError('--dry-run and --execute exclude each other', 'pick one')

    const source = await this.client()
    const sourceConnection = await this.connection()
    let destination: KafkaClient = source
    let destinationProfile = sourceConnection.profile
    let destinationProtected = sourceConnection.protected
    let destinationRegistry =
      flags['to-schema-registry'] === undefined
        ? undefined
        : {url: flags['to-schema-registry'], open: async () => (await import('../schemas/connection.js')).createRegistryClient({url: flags['to-schema-registry']!}, {timeoutMs: this.timeoutMs})}
    if (flags['to-profile'] !== undefined || flags['to-brokers'] !== undefined) {
      // The KAFKIT_* environment describes the main (source) connection, not the destination.
      const connection = await resolveConnection({profile: flags['to-profile'] ?? 'local', brokers: flags['to-brokers']}, process.env, {envOverrides: false})
      const registry = connection.schemaRegistry
      if (!destinationRegistry && registry)
        destinationRegistry = {url: registry.url, open: async () => (await import('../schemas/connection.js')).registryForConnection(connection, {timeoutMs: this.timeoutMs})}
      for (const warning of connection.warnings ?? []) this.io.warn(warning)
      const [{createClient}, {resolveCredentials}] = await Promise.all([import('../kafka/client.js'), import('../profiles/credentials.js')])
      destination = await createClient(await resolveCredentials(connection, {timeoutMs: this.timeoutMs}), {
        timeoutMs: this.timeoutMs,
        debugLog: this.io.debug ? (line) => this.io.debugLog(line) : undefined,
      })
      destinationProfile = connection.profile
      destinationProtected = connection.protected
    }

    let dryRun = Boolean(flags['dry-run'])
    if (!dryRun && destinationProtected && !flags.execute) {
      dryRun = true
      this.io.info(this.io.styleErr(`destination profile '${destinationProfile}' is protected: this is a dry run; pass --execute to copy`, 'yellow'))
    }

    // Across schema registries: ids are rewritten (schemas registered in the destination's registry as they come).
    const sourceRegistry = sourceConnection.schemaRegistry ? {url: sourceConnection.schemaRegistry.url, open: () => this.registry()} : undefined
    const schemaIds = await openReplaySchemaIds({source: sourceRegistry, destination: destinationRegistry, dryRun, sourceTopic: args.source, warn: (t) => this.io.warn(t)})

    const aborter = new AbortController()
    const onSignal = () => {
      if (aborter.signal.aborted) process.exit(ExitCode.INTERRUPTED) // second Ctrl-C: leave now
      aborter.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const showProgress = this.io.stderrIsTTY && !this.io.json
    let progressShown = false
    let summary: ReplaySummary
    try {
      summary = await runReplay(
        {client: source, profile: sourceConnection.profile},
        {client: destination, profile: destinationProfile},
        {
          sourceTopic: args.source,
          destinationTopic: args.destination,
          from: flags.from,
          to: flags.to,
          specs,
          partitions,
          newTimestamps: Boolean(flags['new-timestamps']),
          keepPartition: Boolean(flags['keep-partition']),
          repartition: Boolean(flags.repartition),
          grep: flags.grep,
          headerAdd,
          rate: flags.rate,
          parallel: flags.parallel,
          compression: flags.compression as CompressionName,
          dryRun,
          resume: Boolean(flags.resume),
          restart: Boolean(flags.restart),
          allowSameTopic: Boolean(flags['allow-same-topic']),
          schemaIds,
          // A request the writer gives up on may still be retried by kafkajs: give it room before calling it failed.
          requestTimeoutMs: Math.max(this.timeoutMs, 30_000),
        },
        {
          // A message during the copy replaces the progress line instead of being appended to it.
          info: (line) => this.io.info(progressShown ? `\r\u001B[K${line}` : line),
          warn: (line) => {
            if (progressShown) this.io.stderr.write('\r\u001B[K')
            this.io.warn(line)
          },
          progress: showProgress
            ? (p) => {
                progressShown = true
                this.io.stderr.write(`\r\u001B[K${dryRun ? 'reading ' : 'copying '}${formatProgress(p)}`)
              }
            : undefined,
          signal: aborter.signal,
        },
      )
    } finally {
      if (progressShown) this.io.stderr.write('\r\u001B[K')
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      if (destination !== source) await destination.disconnect()
    }

    if (schemaIds) {
      summary.schemas = schemaIds.plan
      if (!this.io.json) for (const m of schemaIds.plan) this.io.info(`schema ${describeMapping(m)}`)
    }

    if (summary.interrupted) {
      if (!this.io.json) this.io.info(describe(summary))
      throw new KafkitError('INTERRUPTED', `interrupted: ${countOf(summary.records, 'record')} copied this run, checkpoint saved`, {
        hint: summary.dryRun ? undefined : 'run the same command with --resume to continue',
        exitCode: ExitCode.INTERRUPTED,
        details: {copied: summary.records, totalCopied: summary.totalCopied, checkpoint: summary.checkpoint},
      })
    }
    if (summary.dryRun) {
      this.render(summary, (s, io) =>
        renderTable(
          io,
          [
            {header: 'PARTITION', get: (p) => p.partition, align: 'right'},
            {header: 'FROM', get: (p) => p.start, align: 'right'},
            {header: 'TO', get: (p) => (p.end > p.start ? p.end - 1 : '-'), align: 'right'},
            {header: 'RECORDS', get: (p) => p.records, align: 'right'},
            {header: 'BYTES', get: (p) => p.bytes, align: 'right'},
            {header: 'DEST PARTITION', get: (p) => (p.destination === null ? 'by key' : p.destination)},
          ],
          s.partitions,
        ),
      )
    }
    if (!this.io.json && !summary.empty) this.io.info(describe(summary))
    return summary
  }
}

function describe(s: ReplaySummary): string {
  const n = formatCount
  const where = `'${s.source.topic}' -> '${s.destination.topic}'${s.destination.profile === s.source.profile ? '' : ` (profile ${s.destination.profile})`}`
  const parts = [s.dryRun ? `dry run: ${countOf(s.records, 'record')} (${formatBytes(s.bytes)}) would be copied ${where}` : `copied ${countOf(s.records, 'record')} (${formatBytes(s.bytes)}) ${where}`]
  if (s.filtered > 0) parts.push(`${n(s.filtered)} left out by --grep`)
  if (s.alreadyPresent > 0) parts.push(`${n(s.alreadyPresent)} already there from the interrupted run`)
  if (s.resumed) parts.push(`${n(s.totalCopied)} copied in all runs`)
  parts.push(`in ${formatElapsed(s.durationMs)}${s.durationMs >= 1000 ? `, ${n(s.recordsPerSecond)} records/s` : ''}`)
  if (s.mode === 'repartition' && !s.dryRun) parts.push('re-partitioned by key')
  return parts.join('; ')
}
