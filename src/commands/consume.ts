import {Args, Flags} from '@oclif/core'

import {KafkaCommand, schemaRegistryFlag} from '../base-command.js'
import {ExitCode, usageError} from '../errors.js'
import {ISOLATIONS, type Isolation, parsePartitionList, type ReadBatch, ReaderSession, resolveTargets} from '../kafka/reader.js'
import {compileFormat, compileGrep, DECODERS, parseDecoder} from '../records/format.js'
import {RecordPrinter} from '../records/format-stream.js'
import {formatDuration} from '../specs/duration.js'
import {checkWindowOrder, type OffsetSpec, parseOffsetSpec, parseRange} from '../specs/offset-spec.js'
import {formatCount} from '../output/numbers.js'
import {openConsumeSchemas} from '../schemas/consume-setup.js'
import {consumeSchemaFlags} from '../schemas/flags.js'

export interface ConsumeSummary {
  records: number
  bytes: number
  partitions: number
  ms: number
  interrupted: boolean
}

/** What the print loop reads from: the group-less reader or the group consumer. */
export interface BatchSource extends AsyncIterable<ReadBatch> {
  readonly buffered: number
  /** Group mode: commit what the printer has written. */
  commit?(positions: Iterable<{topic: string; partition: number; next: number}>, final?: boolean): Promise<void>
  /** End the iteration (Ctrl-C) without tearing down: a group member still commits afterwards. */
  stop(): void
  close(): Promise<void>
}

export default class Consume extends KafkaCommand<void> {
  static summary = 'Read records from topics to stdout'
  static description = `Reads any window of one or more topics straight from the partition leaders: without --group no consumer group is created or joined, so reading changes nothing on the cluster. With --group the group's committed offsets are used and only offsets of records already written to stdout are committed.

Specs: beginning, end, stored, 1234 (offset), -100 (100 before the end), @2026-11-24T09:00:00Z, @1732438800000, @-2h (time). --range FROM:TO is a closed window; with several partitions reading stops when every partition has passed TO.

Template placeholders (kcat-compatible): %t topic, %p partition, %o offset, %k key, %v value, %T timestamp (ms), %d timestamp (ISO-8601), %h headers, %K key size, %S value size, %i / %I value / key schema id (decoded records), and \\n \\t \\\\.`

  static examples = [
    '<%= config.bin %> consume orders --from beginning -e',
    '<%= config.bin %> consume orders --range @-2h:@-1h --format json',
    "<%= config.bin %> consume orders -f '%p %o %k %v\\n' --count 10",
    "<%= config.bin %> consume --regex '^orders-' --from -5 -e",
    '<%= config.bin %> consume orders --group billing --from stored',
    "<%= config.bin %> consume orders --grep 'sku-17' --value-decoder json -e",
  ]

  static strict = false
  static args = {topic: Args.string({description: 'topic names (patterns with --regex)', required: true})}
  static flags = {
    regex: Flags.boolean({description: 'TOPIC arguments are regular expressions matched against topic names'}),
    from: Flags.string({description: 'where to start: beginning|end|stored|OFFSET|-N|@TIME|@-2h (default: beginning; with --group: committed, else this)'}),
    to: Flags.string({description: 'where to stop (inclusive): OFFSET|@TIME|end'}),
    range: Flags.string({description: 'a closed window FROM:TO, e.g. 100:200 or @-48h:@-24h', exclusive: ['from', 'to']}),
    exit: Flags.boolean({char: 'e', description: 'stop at the end offsets seen at start instead of following'}),
    count: Flags.integer({char: 'c', description: 'stop after N records', min: 1}),
    partitions: Flags.string({description: 'only these partitions, e.g. 0,3 or 0-5'}),
    group: Flags.string({char: 'g', description: 'read as this consumer group: start from its committed offsets, commit what was written'}),
    format: Flags.string({char: 'f', description: "raw (value per line), json (the record envelope, JSON Lines) or a template like '%k\\t%v\\n'", default: 'raw'}),
    'key-decoder': Flags.string({description: `how keys are shown in templates: ${DECODERS.join('|')}`, default: 'utf8'}),
    'value-decoder': Flags.string({description: `how values are shown: ${DECODERS.join('|')} (json is pretty-printed on a terminal)`, default: 'utf8'}),
    grep: Flags.string({description: 'keep records whose key or value matches this regular expression'}),
    isolation: Flags.string({
      description: 'read-committed: no records of open or aborted transactions, -e stops at the last stable offset; read-uncommitted: every record written, the end is the high watermark',
      options: [...ISOLATIONS],
      default: 'read-committed',
    }),
    ...consumeSchemaFlags,
    'schema-registry': schemaRegistryFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Consume)
    const started = Date.now()
    // Everything the user typed is checked before any network round trip: a bad spec is exit 2 at once.
    const names = argv as string[]
    const range = flags.range ? parseRange(flags.range) : undefined
    const from: OffsetSpec = range?.from ?? (flags.from ? parseOffsetSpec(flags.from, Date.now(), '--from') : {kind: 'beginning'})
    const to: OffsetSpec | undefined = range?.to ?? (flags.to ? parseOffsetSpec(flags.to, Date.now(), '--to') : undefined)
    if (to && !range) checkWindowOrder(from, to)
    if (to?.kind === 'stored') throw usageError("--to: 'stored' cannot end a window", 'end with an offset, a time or end: --to 500, --to @-1h, --to end', 'BAD_SPEC')
    if (from.kind === 'stored' && !flags.group) throw usageError('--from stored needs --group', 'e.g. kafkit consume orders --group billing --from stored', 'BAD_SPEC')
    const partitions = flags.partitions ? parsePartitionList(flags.partitions) : undefined
    if (partitions && flags.group) throw usageError('--partitions cannot be used with --group (the group assigns partitions)', 'drop --partitions, or read without --group', 'BAD_FLAGS')
    // Schema registry decoding and --where (src/schemas): checked here, the registry asked only when a record needs it.
    const schemas = await openConsumeSchemas(flags, {registryConfigured: Boolean((await this.connection()).schemaRegistry), registry: () => this.registry(), warn: (t) => this.io.warn(t)})
    const formatter = compileFormat({
      format: this.io.json ? 'json' : flags.format,
      keyDecoder: parseDecoder(flags['key-decoder'], '--key-decoder'),
      valueDecoder: parseDecoder(flags['value-decoder'], '--value-decoder'),
      pretty: this.io.stdoutIsTTY,
      schemas: schemas.decoders,
    })
    const grep = schemas.filter(compileGrep(flags.grep))

    const client = await this.client()
    const isolation = flags.isolation as Isolation
    const session = await ReaderSession.open(client, {isolation})
    let source: BatchSource | undefined
    try {
      const targets = resolveTargets(await session.topics(flags.regex ? undefined : names), names, {regex: flags.regex, partitions})
      if (flags.group) {
        const {openGroupSource} = await import('../kafka/group-reader.js')
        source = await openGroupSource(client, session, {
          group: flags.group,
          targets,
          from,
          to,
          exitAtEnd: flags.exit,
          warn: (t) => this.io.warn(t),
          readUncommitted: isolation === 'read-uncommitted',
          maxRecords: grep ? undefined : flags.count,
        })
      } else {
        const windows = await session.planWindows(targets, {from, to, exitAtEnd: flags.exit})
        // -c N: no fetching beyond N records (with --grep, N printed records may take more).
        source = session.read(windows, {maxRecords: grep ? undefined : flags.count})
      }
      // Raw values as UTF-8 without a filter: copied from the fetched bytes, no record object each (the values lane).
      const explicitValueFormat = flags['value-format'] !== undefined && flags['value-format'] !== 'auto' && flags['value-format'] !== 'raw'
      const valuesLane =
        !this.io.json && flags.format === 'raw' && (flags['value-decoder'] ?? 'utf8') === 'utf8' && !grep && !flags.message && !explicitValueFormat
          ? {bailOnWire: Boolean(schemas.decoders?.value), transcode: schemas.decoders?.value?.writeRange}
          : undefined
      const printer = new RecordPrinter({formatter, grep, limit: flags.count, stream: this.io.stdout, valuesLane})
      const interrupted = await printLoop(source, printer, (records) => schemas.prepare(records))
      const summary: ConsumeSummary = {records: printer.count, bytes: printer.bytes, partitions: printer.partitions.size, ms: Date.now() - started, interrupted}
      if (this.io.stderrIsTTY && !this.io.json) this.io.info(this.io.styleErr(describeSummary(summary, targets.length), 'dim'))
      if (interrupted) this.exit(ExitCode.INTERRUPTED)
      schemas.finish(flags.strict, (t) => this.io.warn(t))
    } finally {
      await source?.close()
      await session.close()
    }
  }
}

/**
 * Batches -> printer -> stdout, writing whenever the reader has nothing more ready (low latency when
 * following) or a chunk is full (throughput). Ctrl-C stops reading, writes what is buffered, and (group
 * mode) commits it. Returns true when interrupted.
 */
async function printLoop(source: BatchSource, printer: RecordPrinter, prepare: (records: ReadBatch['records']) => Promise<void> | undefined): Promise<boolean> {
  let interrupted = false
  const onSignal = () => {
    interrupted = true
    source.stop()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  // Group mode: what was written is committed every second, also when no more records arrive.
  const commit = source.commit?.bind(source)
  const timer = commit ? new (await import('../kafka/group-reader.js')).CommitTimer(() => commit(printer.written.values())) : undefined
  try {
    try {
      for await (const batch of source) {
        let more = printer.addEncoded(batch.topic, batch.partition, batch.encoded, batch.nextOffset)
        if (more === undefined) {
          // Schema ids met for the first time are fetched, then the values lane is tried again with them.
          const schemasFetched = prepare(batch.records)
          if (schemasFetched) {
            await schemasFetched
            more = printer.addEncoded(batch.topic, batch.partition, batch.encoded, batch.nextOffset)
          }
          more ??= printer.add(batch.topic, batch.partition, batch.records, batch.nextOffset)
        }
        await printer.flush(!more || source.buffered === 0)
        if (!more || interrupted) break
      }
    } catch (error) {
      // Reading failed: what was read is still written, and (group mode) committed if the cluster takes it.
      await printer.flush(true).catch(() => undefined)
      await timer?.stop()
      if (commit) await commit(printer.written.values()).catch(() => undefined)
      throw error
    }
    await printer.flush(true)
    await timer?.stop()
    if (commit) await commit(printer.written.values(), true)
  } finally {
    await timer?.stop()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  return interrupted
}

function describeSummary(s: ConsumeSummary, topics: number): string {
  const secs = s.ms >= 1000 ? `${(s.ms / 1000).toFixed(1)}s` : formatDuration(s.ms)
  return `${s.interrupted ? 'interrupted: ' : ''}${formatCount(s.records)} record${s.records === 1 ? '' : 's'} from ${s.partitions} partition${s.partitions === 1 ? '' : 's'}${topics > 1 ? ` of ${topics} topics` : ''} in ${secs}`
}
