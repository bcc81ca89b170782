import {randomUUID} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {readFile, stat, writeFile} from 'node:fs/promises'
import {addAbortSignal} from 'node:stream'

import {Args, Flags} from '@oclif/core'

import {KafkaCommand, schemaRegistryFlag} from '../base-command.js'
import {ExitCode, KafkitError, usageError, withTimeout} from '../errors.js'
import {requireTopics} from '../kafka/metadata.js'
import {PARTITIONERS, PartitionerName, keyPartitioner} from '../kafka/partitioners.js'
import {topicMaxMessageBytes} from '../kafka/topics.js'
import {Acks, COMPRESSIONS, CompressionName, RecordWriter, UndeliveredBatch, WriterStats, singleRecordBatchSize} from '../kafka/writer.js'
import {MAX_TIMESTAMP, type RawRecord} from '../records/envelope.js'
import {INPUT_FORMATS, InputFormat, lineParser, linesAreValues, parseHeaderFlags, parseSize, unescapeSeparator} from '../records/input.js'
import {InputError, InputSource, pumpRecords} from '../records/input-pump.js'
import {FailureReport, failureReport, formatFailureReport, formatSummary, ProduceSummary, undeliveredEnvelopes} from '../produce/summary.js'
import {parseDuration} from '../specs/duration.js'
import {parseTime} from '../specs/offset-spec.js'
import {countOf} from '../output/numbers.js'
import {
  checkFailedTo,
  checkProduceFlags,
  defaultTransactionalId,
  incompleteError,
  inputFailure,
  interruptedError,
  liveCounter,
  onInterrupt,
  parseJsonFlag,
  partitionNotFound,
  produceSummary,
  transactionAborted,
} from '../produce/produce.js'
import {produceSchemaFlags} from '../schemas/flags.js'
import {openProduceSchemas} from '../schemas/produce-setup.js'

export default class Produce extends KafkaCommand<ProduceSummary> {
  static summary = 'Write records to a topic from stdin, files or flags'
  static description = `One record per line (or one JSON envelope per line with --format json), batched per partition with several requests in flight; acks=all and idempotent by default. Keyed records land on the partition Kafka's Java producer picks (murmur2), or librdkafka's with --partitioner crc32. The summary goes to stderr (--json: stdout). Exit 2 on a malformed line (the message names it), 3 for an unknown topic, 5 if any record was not delivered (then, per partition, what was delivered and the first line that was not; --failed-to FILE gets the undelivered records to retry), 130 on Ctrl-C after flushing what was read. With --transactional everything goes into one transaction: committed at the end, aborted on a bad line, a failure or Ctrl-C (nothing visible to read-committed readers; the cause's exit code: 2, 5, 130, ...).`

  static examples = [
    `$ printf 'hello\\nworld\\n' | <%= config.bin %> produce orders`,
    `$ printf 'k1:v1\\nk2:v2\\n' | <%= config.bin %> produce orders --key-separator :`,
    `<%= config.bin %> produce orders --key user-1 --value '{"plan":"pro"}' --header source=cli`,
    `<%= config.bin %> produce orders --file a.txt --file b.txt --compression gzip`,
    `<%= config.bin %> consume orders --format json -e | <%= config.bin %> produce orders-copy --format json`,
    `<%= config.bin %> produce images --key logo --value-file logo.png`,
    `$ printf 'user-1:NULL\\n' | <%= config.bin %> produce users --key-separator : --null-marker NULL   # tombstone`,
    `<%= config.bin %> produce orders --file a.txt --file b.txt --transactional   # all lines or none`,
  ]

  static args = {topic: Args.string({description: 'topic to write to', required: true})}

  static flags = {
    file: Flags.string({char: 'f', description: 'read records from this file (repeatable; - is stdin); default stdin', multiple: true}),
    format: Flags.string({description: 'input format: line (one record per line) or json (one envelope per line)', options: [...INPUT_FORMATS], default: 'line'}),
    'key-separator': Flags.string({char: 'K', description: 'split each line into KEY<sep>VALUE at the first separator (\\t allowed)'}),
    'null-marker': Flags.string({description: 'a key or value equal to this string is null (tombstone)'}),
    header: Flags.string({char: 'H', description: 'header NAME=VALUE added to every record (repeatable)', multiple: true}),
    'max-line-bytes': Flags.string({description: 'longest accepted line (e.g. 1MiB, 10m)', default: '8MiB'}),
    'skip-invalid': Flags.boolean({description: 'report malformed or oversized lines on stderr and go on'}),
    'keep-partition': Flags.boolean({description: 'json: write each record to the partition in its envelope'}),
    key: Flags.string({char: 'k', description: 'key of the record (--value/--value-file), or of every line'}),
    value: Flags.string({char: 'v', description: 'write one record with this value (no input read)'}),
    'value-file': Flags.string({description: 'write one record whose value is this whole file (binary safe)'}),
    partition: Flags.integer({char: 'P', description: 'write every record to this partition', min: 0}),
    timestamp: Flags.string({description: 'record timestamp: ISO-8601, epoch ms, or -2h from now (default: now)'}),
    partitioner: Flags.string({description: 'key -> partition: murmur2 (Java clients) or crc32 (librdkafka: kcat, confluent-kafka)', options: [...PARTITIONERS], default: 'murmur2'}),
    acks: Flags.string({description: 'acknowledgements to wait for', options: ['all', '1', '0'], default: 'all'}),
    idempotent: Flags.boolean({description: 'idempotent producer (default with --acks all)', allowNo: true}),
    compression: Flags.string({char: 'z', description: 'compression codec', options: [...COMPRESSIONS], default: 'none'}),
    rate: Flags.integer({description: 'at most N records per second', min: 1}),
    'batch-size': Flags.string({description: "largest batch per partition per request (e.g. 256KiB); capped by the topic's max.message.bytes", default: '512KiB'}),
    linger: Flags.string({description: 'how long a record may wait for others to share its request', default: '5ms'}),
    'max-in-flight': Flags.integer({
      description: 'requests in flight at once (idempotent producer: default 5, at most 5; 2 without it; 1 with --transactional)',
      min: 1,
      max: 100,
    }),
    transactional: Flags.boolean({description: 'write all the input in one transaction: read-committed readers see every record once it commits, or none (a bad line, a failure or Ctrl-C aborts)'}),
    'transactional-id': Flags.string({
      description: "the transaction's transactional.id (implies --transactional); reusing one aborts a crashed run's open transaction at once (default: a new id per run)",
    }),
    'transaction-timeout': Flags.string({description: 'how long the broker lets the transaction stay open before aborting it (within its transaction.max.timeout.ms)', default: '60s'}),
    'failed-to': Flags.string({description: 'write the records that were not delivered to FILE, as JSON envelope lines to retry with --format json (empty when all were delivered)'}),
    ...produceSchemaFlags,
    'schema-registry': schemaRegistryFlag,
  }

  private aborter = new AbortController()
  /** --transactional: a failure aborts everything, so no per-partition delivery report. */
  private transactional = false

  async run(): Promise<ProduceSummary> {
    const {args, flags} = await this.parse(Produce)
    const topic = args.topic
    const format = flags.format as InputFormat
    const acks: Acks = flags.acks === 'all' ? -1 : flags.acks === '1' ? 1 : 0
    const single = flags.value !== undefined || flags['value-file'] !== undefined
    const transactional = flags.transactional || flags['transactional-id'] !== undefined
    checkProduceFlags({...flags, acks, transactional})
    this.transactional = transactional
    const transactionTimeoutMs = parseDuration(flags['transaction-timeout'], {label: '--transaction-timeout'})
    const transactionalId = transactional ? (flags['transactional-id'] ?? defaultTransactionalId(topic, randomUUID().slice(0, 8))) : undefined
    const headers = parseHeaderFlags(flags.header)
    const maxLineBytes = parseSize(flags['max-line-bytes'], '--max-line-bytes')
    const batchBytes = parseSize(flags['batch-size'], '--batch-size')
    const lingerMs = parseDuration(flags.linger, {bareUnit: 'ms', label: '--linger'})
    const timestamp = flags.timestamp === undefined ? undefined : parseTime(flags.timestamp, Date.now(), '--timestamp')
    if (timestamp !== undefined && (timestamp < 0 || timestamp > MAX_TIMESTAMP || !Number.isInteger(timestamp))) {
      throw usageError(
        `--timestamp '${flags.timestamp}' is ${timestamp < 0 ? 'before 1970-01-01' : timestamp > MAX_TIMESTAMP ? 'too large' : 'not whole milliseconds'}`,
        'Kafka record timestamps are epoch milliseconds from 1970 on: an ISO-8601 time, epoch ms, or -2h',
        'BAD_TIME',
      )
    }
    const files = (flags.file ?? []).filter((f) => f !== '-')
    for (const file of [...files, ...(flags['value-file'] ? [flags['value-file']] : [])]) {
      const info = await stat(file).catch(() => undefined)
      if (!info) throw usageError(`cannot read '${file}': no such file`, 'check the path')
      if (info.isDirectory()) throw usageError(`cannot read '${file}': it is a directory`, 'give a file (or several: --file a.txt --file b.txt)')
      if (!info.isFile() && !info.isFIFO() && !info.isCharacterDevice() && !info.isSocket()) throw usageError(`cannot read '${file}': not a regular file`, 'give a file')
    }
    const failedTo = flags['failed-to']
    if (failedTo !== undefined) await checkFailedTo(failedTo, [...files, ...(flags['value-file'] ? [flags['value-file']] : [])])

    // JSON -> the registry's wire format (src/schemas): schemas looked up (or registered) before Kafka is contacted.
    const schemas = await openProduceSchemas(flags, {topic, registry: () => this.registry(), info: (t) => this.io.info(this.io.styleErr(t, 'dim'))})
    const encodeKey = schemas?.encodeKey && ((text: string) => schemas.encodeKey!(parseJsonFlag(text, '--key'), 1))

    const client = await this.client()
    // A denial names this topic and WRITE, whichever request the broker refuses first.
    client.expectAccess({operation: 'WRITE', resourceType: 'topic', name: topic})
    const compression = flags.compression as CompressionName
    const producerOptions = {acks, idempotent: flags.idempotent, compression, maxInFlight: flags['max-in-flight'], transactionalId, transactionTimeoutMs}
    // Connect the producer while the topic's metadata and config are read (start-up latency).
    const producer = RecordWriter.connectProducer(client, producerOptions)
    producer.catch(() => undefined) // reported below if it matters; an unknown topic is reported first
    const maxMessageBytesP = topicMaxMessageBytes(client, topic)
    let partitions: number
    try {
      const [meta] = await requireTopics(client, [topic])
      partitions = meta.partitions.length
      if (flags.partition !== undefined && flags.partition >= partitions) {
        throw partitionNotFound(topic, flags.partition, partitions)
      }
    } catch (error) {
      // The producer may still be connecting: let it finish and close it, or its socket keeps the process alive.
      await withTimeout(
        producer.then((p) => p.disconnect()),
        3000,
        () => new Error('disconnect'),
      ).catch(() => undefined)
      throw error
    }
    const maxMessageBytes = await maxMessageBytesP
    const started = Date.now()
    const undelivered: UndeliveredBatch[] = []
    const writer = await RecordWriter.openWith(producer, client, {
      ...producerOptions,
      topic,
      partitions,
      partitioner: keyPartitioner(flags.partitioner as PartitionerName),
      batchBytes,
      lingerMs,
      requestTimeoutMs: Math.max(this.timeoutMs, 5000),
      maxMessageBytes,
      onUndelivered: (batch) => undelivered.push(batch),
    })
    try {
      // Only uncompressed sizes can be checked up front; compressed batches are the broker's to judge.
      const maxRecord = maxMessageBytes && compression === 'none' ? {limit: maxMessageBytes, size: singleRecordBatchSize} : undefined
      const fixedPartition = flags.partition
      const summary = (stats: WriterStats, skipped: number, interrupted: boolean): ProduceSummary => produceSummary(topic, stats, skipped, interrupted, Date.now() - started)

      if (single) {
        let value: Buffer = flags['value-file'] ? await readFile(flags['value-file']) : Buffer.from(flags.value!)
        if (schemas?.encodeValue && flags.value !== flags['null-marker']) value = schemas.encodeValue(parseJsonFlag(value.toString('utf8'), '--value'), 1)
        const record: RawRecord = {
          key: flags.key === undefined ? null : encodeKey ? encodeKey(flags.key) : Buffer.from(flags.key),
          value,
          headers: Object.keys(headers).length > 0 ? headers : undefined,
          timestamp,
          partition: fixedPartition,
        }
        if (flags['null-marker'] !== undefined && flags.value === flags['null-marker']) record.value = null
        if (maxRecord && maxRecord.size(record) > maxRecord.limit) {
          throw new KafkitError('RECORD_TOO_LARGE', `the record is ${maxRecord.size(record)} bytes, above the topic's max.message.bytes (${maxRecord.limit} bytes)`, {
            hint: "raise the topic's max.message.bytes or compress (--compression gzip)",
            exitCode: ExitCode.INCOMPLETE,
            details: {delivered: 0, failed: 1},
          })
        }
        try {
          const wait = writer.write(record)
          if (wait) await wait
        } catch {
          // the failure is in the writer's stats (firstError), reported below with the broker's reason
        }
        const stats = await writer.close()
        if (stats.failed > 0) throw await this.incomplete(stats, failureReport(topic, stats, undelivered, []), undelivered, failedTo)
        await this.writeFailedTo(failedTo, undelivered)
        return await this.finish(summary(stats, 0, false), writer)
      }

      const parserOptions = {
        format,
        keySeparator: flags['key-separator'] === undefined ? undefined : unescapeSeparator(flags['key-separator']),
        nullMarker: flags['null-marker'],
        headers,
        keepPartition: flags['keep-partition'],
        encodeKey: schemas?.encodeKey,
        encodeValue: schemas?.encodeValue,
      }
      const parse = lineParser(parserOptions)
      const encodeValues = !parserOptions.encodeKey && linesAreValues({...parserOptions, encodeValue: undefined}) ? schemas?.encodeValueLines : undefined
      const fixedKey = flags.key === undefined ? undefined : encodeKey ? encodeKey(flags.key) : Buffer.from(flags.key)
      const sources = this.sources(flags.file)
      const sourceNames = sources.map((s) => s.name)
      // The sink call in progress: when the writer refuses records after a failure, the first one it did not
      // accept is where reading stopped (every record before it was delivered or is in the undelivered report).
      let callSource = 0
      let callLine = 0
      let callWritten = 0
      const notRead = (): {source: number; line: number} => ({source: callSource, line: callLine + writer.stats.written - callWritten})
      if (sources.length === 1 && sources[0].name === 'stdin' && this.io.stdinIsTTY && !this.io.json) {
        this.io.info(this.io.styleErr(`type records for '${topic}', one per line; Ctrl-D to finish`, 'dim'))
      }
      const live = liveCounter(this.io, () => writer.stats.delivered)
      const stopListening = onInterrupt(this.aborter)
      let result
      try {
        result = await pumpRecords({
          sources,
          parse,
          sink: {
            write: (record) => {
              if (fixedKey) record.key = fixedKey
              if (fixedPartition !== undefined) record.partition = fixedPartition
              callSource = record.inputSource ?? 0
              callLine = record.inputLine ?? 0
              callWritten = writer.stats.written
              return writer.write(record)
            },
            writeValues: (data, bounds, from, to, ts, origin) => {
              callSource = origin.source
              callLine = origin.firstLine + from
              callWritten = writer.stats.written
              return writer.writeValues(data, bounds, from, to, {partition: fixedPartition, timestamp: ts, origin})
            },
          },
          // Plain lines with nothing added: no record object per line (RecordWriter.writeValues); JSON lines with
          // an Avro value schema the same, encoded a chunk at a time.
          linesAreValues: (linesAreValues(parserOptions) || Boolean(encodeValues)) && !fixedKey,
          encodeValues,
          maxLineBytes,
          skipInvalid: flags['skip-invalid'],
          timestamp,
          rate: flags.rate,
          maxRecord,
          check: flags['keep-partition']
            ? (record, where) => {
                if (record.partition !== undefined && record.partition >= partitions) {
                  throw usageError(
                    `${where()}: partition ${record.partition} does not exist ('${topic}' has ${partitions})`,
                    'drop --keep-partition to let the partitioner choose',
                    'PARTITION_NOT_FOUND',
                  )
                }
              }
            : undefined,
          signal: this.aborter.signal,
          onSkip: (s) => this.io.warn(`skipped ${s.reason}`),
        })
      } catch (error) {
        live.stop()
        const stats = await writer.close()
        if (error instanceof InputError) {
          // In a transaction nothing before the bad line counts: abort() says so.
          if (transactionalId) throw error
          // The records before the bad line were flushed: say how many made it.
          const source = Math.max(0, sourceNames.indexOf(error.source))
          const report = failureReport(topic, stats, undelivered, sourceNames, {source, line: error.line})
          if (stats.failed > 0 && !this.io.json && !transactionalId) for (const line of formatFailureReport(report, sourceNames.length > 1)) this.io.info(line)
          await this.writeFailedTo(failedTo, undelivered)
          throw inputFailure(error, stats, {...report, ...(failedTo === undefined ? {} : {failedTo})})
        }
        if (stats.firstError) throw await this.incomplete(stats, failureReport(topic, stats, undelivered, sourceNames, notRead()), undelivered, failedTo)
        throw error
      } finally {
        stopListening()
      }
      const stats = await writer.close()
      live.stop()
      if (stats.failed > 0) throw await this.incomplete(stats, failureReport(topic, stats, undelivered, sourceNames), undelivered, failedTo)
      await this.writeFailedTo(failedTo, undelivered)
      const done = summary(stats, result.skipped, result.interrupted)
      if (result.interrupted) {
        if (!this.io.json && !transactionalId) this.io.info(formatSummary(done))
        throw interruptedError(done)
      }
      return await this.finish(done, writer)
    } catch (error) {
      if (transactionalId === undefined || (error instanceof KafkitError && error.code === 'COMMIT_UNCONFIRMED')) throw error
      throw await this.abort(writer, error, {topic, transactionalId, timeoutMs: transactionTimeoutMs})
    }
  }

  /** --transactional: abort what was written (nothing becomes visible) and say so; the cause's exit code. */
  private async abort(writer: RecordWriter, error: unknown, info: {topic: string; transactionalId: string; timeoutMs: number}): Promise<KafkitError> {
    await writer.close()
    const cause = error instanceof KafkitError ? error : new KafkitError('FAILED', error instanceof Error ? error.message : String(error), {exitCode: ExitCode.FAILED, cause: error})
    let abortError: KafkitError | undefined
    try {
      await writer.abortTransaction()
    } catch (failure) {
      abortError = failure instanceof KafkitError ? failure : new KafkitError('FAILED', String(failure))
    }
    return transactionAborted(cause, {...info, records: writer.stats.written, abortError})
  }

  /** The summary, once a transactional writer's transaction is committed. */
  private async finish(summary: ProduceSummary, writer: RecordWriter): Promise<ProduceSummary> {
    const transactionalId = writer.transactionalId
    if (transactionalId !== undefined) {
      try {
        await writer.commitTransaction()
      } catch (error) {
        const cause = error as KafkitError
        throw new KafkitError('COMMIT_UNCONFIRMED', `the transaction's commit was not confirmed: ${cause.message}`, {
          hint: `the ${countOf(summary.records, 'record')} are visible to read-committed readers only if the commit reached the broker: check with kafkit consume ${summary.topic} --isolation read-committed`,
          exitCode: ExitCode.INCOMPLETE,
          cause,
          details: {transaction: 'unconfirmed', transactionalId, records: summary.records},
        })
      }
      summary.transactionalId = transactionalId
    }
    if (!this.io.json) this.io.info(formatSummary(summary))
    return summary
  }

  /**
   * Exit 5 after records were not delivered: per partition what was and what was not (stderr lines, or the
   * --json error's details), what is safe to retry, and the undelivered records in --failed-to.
   */
  private async incomplete(stats: WriterStats, report: FailureReport, undelivered: readonly UndeliveredBatch[], failedTo: string | undefined): Promise<KafkitError> {
    await this.writeFailedTo(failedTo, undelivered)
    if (failedTo !== undefined) report.failedTo = failedTo
    const sources = new Set(undelivered.flatMap((b) => b.records.map((r) => r.inputSource ?? 0)))
    if (!this.io.json && !this.transactional) for (const line of formatFailureReport(report, sources.size > 1 || (report.notRead?.source ?? 'stdin') !== 'stdin')) this.io.info(line)
    return incompleteError(stats, report, failedTo)
  }

  /** --failed-to: the undelivered records as envelope lines (an empty file when every record was delivered). */
  private async writeFailedTo(file: string | undefined, undelivered: readonly UndeliveredBatch[]): Promise<void> {
    if (file === undefined) return
    try {
      await writeFile(file, undeliveredEnvelopes(undelivered))
    } catch (error) {
      this.io.warn(`could not write the undelivered records to '${file}': ${(error as Error).message}`)
    }
  }

  private sources(files: string[] | undefined): InputSource[] {
    const stdin: InputSource = {name: 'stdin', open: () => addAbortSignal(this.aborter.signal, this.io.stdin)}
    if (!files || files.length === 0) return [stdin]
    return files.map((file) => (file === '-' ? stdin : {name: file, open: () => addAbortSignal(this.aborter.signal, createReadStream(file, {highWaterMark: 256 * 1024}))}))
  }
}
