import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../base-command.js'
import {ExitCode, KafkitError, usageError} from '../../errors.js'
import type {KafkaClient} from '../../kafka/client.js'
import {unknownTopic} from '../../kafka/metadata.js'
import {listReassignments, readPlacement} from '../../kafka/reassignments.js'
import {countOf, formatBytes, formatElapsed} from '../../output/numbers.js'
import {renderTable} from '../../output/table.js'
import {parseSize} from '../../topics/human.js'
import {parseBrokerIds, type ReassignPlan} from '../../topics/reassign.js'
import {type MovingPartition, RateEstimator, type ReassignProgress, type ThrottleSetup, throttleSetup} from '../../topics/reassign-progress.js'
import {describeProgress, describeReassignPlan, describeThrottles, renderMoving, renderReassignPlan} from '../../topics/reassign-render.js'
import {
  applyThrottles,
  cancelReassignments,
  differingFromPlan,
  type ElectionResult,
  electPreferred,
  followReassignment,
  prepareReassignment,
  readProgress,
  readThrottles,
  refuseIfMoving,
  removeThrottles,
  startReassignment,
  type ThrottleRemoval,
  type Throttles,
} from '../../topics/reassign-run.js'

export interface ReassignPlanResult extends ReassignPlan {
  action: 'plan'
  executed: boolean
  throttle: ThrottleSetup | null
  /** Followed to the end (not --no-wait, not interrupted). */
  completed: boolean
  durationMs: number
  /** Partitions whose replicas are not the plan's at the end (someone cancelled or changed them). */
  differs: {topic: string; partition: number; replicas: number[]; target: number[]}[]
  elections: ElectionResult[]
  throttlesRemoved: ThrottleRemoval | null
}

export interface ReassignStatusResult {
  action: 'status'
  inProgress: MovingPartition[]
  partitionsLeft: number
  bytesLeft: number
  throttles: Throttles
  /** --wait: followed until nothing was moving, then removed the throttles. */
  completed: boolean
  throttlesRemoved: ThrottleRemoval | null
}

export interface ReassignCancelResult {
  action: 'cancel'
  partitions: {topic: string; partition: number; replicas: number[]; adding: number[]; removing: number[]}[]
  executed: boolean
  throttlesRemoved: ThrottleRemoval | null
}

export type ReassignResult = ReassignPlanResult | ReassignStatusResult | ReassignCancelResult

export default class TopicsReassign extends KafkaCommand<ReassignResult> {
  static summary = 'Move partition replicas and leaders: a balanced, rack-aware plan; --execute applies it and follows it'
  static description = `Plans where each partition's replicas go: balanced over the brokers (each holds floor or ceil of the topic's replicas), rack-aware (a partition's replicas spread over the racks), with the fewest replicas copied (what may stay stays) and preferred leaders spread. Nothing changes without --execute, which starts the reassignment, throttles the copy with --throttle, follows it (partitions and bytes left, rate, ETA) until done, removes the throttle and elects the new preferred leaders. On a protected profile --execute also needs --yes.

--exclude-broker ID moves every replica off a broker (decommission); with --leaders-only only its leadership moves (its replicas stay, last in each list; nothing is copied): run that before stopping the broker, and 'kafkit topics reassign TOPIC... --leaders-only --execute' afterwards to spread the leaders again. --status shows what is moving (--wait follows it to the end, then removes the throttle); --cancel stops the reassignments in progress (with --execute). Replaces kafka-reassign-partitions.sh.`
  static examples = [
    '<%= config.bin %> topics reassign orders',
    '<%= config.bin %> topics reassign orders --replication-factor 3 --execute --throttle 50MiB',
    '<%= config.bin %> topics reassign orders payments --broker-ids 1,2,3,4 --execute --no-wait',
    '<%= config.bin %> topics reassign --all-topics --exclude-broker 2 --leaders-only --execute',
    '<%= config.bin %> topics reassign --all-topics --exclude-broker 4 --execute --throttle 20MiB',
    '<%= config.bin %> topics reassign --status',
    '<%= config.bin %> topics reassign --status orders --wait',
    '<%= config.bin %> topics reassign --cancel orders --execute',
  ]
  static args = {topics: Args.string({description: 'topics to reassign (with --status / --cancel: to look at; default all)'})}
  static strict = false
  static flags = {
    'all-topics': Flags.boolean({description: 'every topic of the cluster, internal ones included'}),
    'broker-ids': Flags.string({description: 'brokers the replicas may be on, e.g. 1,2,3 (default: every broker)', helpValue: 'IDS'}),
    'exclude-broker': Flags.string({description: 'no replica (with --leaders-only: no leader) on these brokers, e.g. 2 or 2,3 (repeatable)', helpValue: 'IDS', multiple: true}),
    'replication-factor': Flags.integer({description: 'new replication factor of every partition (default: unchanged)', min: 1}),
    'leaders-only': Flags.boolean({description: 'keep every replica set, change only the preferred leaders (nothing is copied)'}),
    execute: Flags.boolean({description: 'apply the plan (otherwise it is only shown); with --cancel: cancel'}),
    throttle: Flags.string({description: 'limit the copy to this rate per broker, e.g. 50MiB (bytes/s); removed at the end', helpValue: 'RATE'}),
    wait: Flags.boolean({description: 'follow the reassignment until it is done (default with --execute; --no-wait returns once started)', allowNo: true}),
    status: Flags.boolean({description: 'show the reassignments in progress: partitions and bytes left, throttles'}),
    cancel: Flags.boolean({description: 'cancel the reassignments in progress (of the named topics): shows them; --execute cancels'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed on protected profiles)'}),
  }

  private readonly aborter = new AbortController()

  async run(): Promise<ReassignResult> {
    const {argv, flags} = await this.parse(TopicsReassign)
    const topics = argv as string[]
    const planFlags = (['all-topics', 'broker-ids', 'exclude-broker', 'replication-factor', 'leaders-only', 'throttle'] as const).filter((f) => flags[f] !== undefined && flags[f] !== false)
    if (flags.status && flags.cancel) throw usageError('--status and --cancel exclude each other', 'pick one')
    if ((flags.status || flags.cancel) && planFlags.length > 0)
      throw usageError(`--${flags.status ? 'status' : 'cancel'} takes no --${planFlags[0]}`, 'name topics, or nothing for every reassignment in progress')
    if (flags.status && flags.execute) throw usageError('--status changes nothing: it takes no --execute', '--status --wait follows the reassignment to its end and then removes the throttle')
    if (flags.cancel && flags.wait !== undefined) throw usageError('--cancel takes no --wait', 'cancelling is quick: kafkit waits for it')
    const throttleRate = flags.throttle === undefined ? undefined : parseRate(flags.throttle)
    if (flags.status) return this.status(topics, Boolean(flags.wait))
    if (flags.cancel) return this.cancel(topics, Boolean(flags.execute), flags.yes)

    if (topics.length === 0 && !flags['all-topics'])
      throw usageError('name the topics to reassign, or give --all-topics', "e.g. 'kafkit topics reassign orders --replication-factor 3'", 'MISSING_VALUE')
    if (topics.length > 0 && flags['all-topics']) throw usageError('topics and --all-topics both given', 'use one of them')
    if (!flags.execute && flags.wait !== undefined) throw usageError(`--${flags.wait ? '' : 'no-'}wait needs --execute`, 'without --execute nothing starts')
    const exclude = [...new Set((flags['exclude-broker'] ?? []).flatMap((x) => parseBrokerIds(x, '--exclude-broker')))]
    const brokerIds = flags['broker-ids'] === undefined ? undefined : parseBrokerIds(flags['broker-ids'], '--broker-ids')
    const client = await this.client()
    const {plan} = await prepareReassignment(client, flags['all-topics'] ? undefined : topics, {
      brokerIds,
      exclude,
      replicationFactor: flags['replication-factor'],
      leadersOnly: flags['leaders-only'],
    })
    const result: ReassignPlanResult = {action: 'plan', ...plan, executed: false, throttle: null, completed: false, durationMs: 0, differs: [], elections: [], throttlesRemoved: null}
    // Under --json the warnings are part of the document.
    if (!this.io.json) renderReassignPlan(plan, this.io)
    if (plan.changes.length === 0) {
      this.io.info(
        `nothing to change: ${plan.topics.length === 1 ? `'${plan.topics[0]}' is` : 'the topics are'} balanced over brokers ${plan.brokers.join(',')}${plan.rackAware ? ' and their racks' : ''}`,
      )
      return result
    }
    const summary = describeReassignPlan(plan)
    if (!flags.execute) {
      this.io.info(`${summary}. Plan only, nothing changed: add --execute to apply it${plan.replicasAdded > 0 ? ' (--throttle RATE limits the copy)' : ''}.`)
      return result
    }
    const connection = await this.connection()
    if (connection.protected) await this.confirmDestructive(summary, flags.yes)
    await refuseIfMoving(client, plan.changes)
    if (throttleRate !== undefined) {
      if (plan.replicasAdded === 0) this.io.warn('--throttle: the plan copies nothing, no throttle is set')
      else {
        result.throttle = throttleSetup(plan.changes, throttleRate)
        await applyThrottles(client, result.throttle)
        this.io.info(`throttled the copy to ${formatBytes(throttleRate)}/s on brokers ${result.throttle.brokers.join(',')}`)
      }
    }
    await startReassignment(client, plan.changes)
    result.executed = true
    const partitions = plan.changes.map((c) => ({topic: c.topic, partition: c.partition}))
    if (flags.wait === false) {
      const named = plan.topics.length <= 3 && !flags['all-topics'] ? plan.topics.join(' ') + ' ' : ''
      this.io.info(
        `started: ${summary}. Follow it with: kafkit topics reassign --status ${named}--wait${plan.leaderChanges > 0 ? `, then elect the new preferred leaders: kafkit topics elect-leaders ${named}--execute` : ''}`,
      )
      return result
    }
    const followed = await this.follow(client, partitions)
    result.durationMs = followed.durationMs
    if (followed.interrupted) this.interrupted(result.throttle !== null)
    result.completed = true
    result.throttlesRemoved = await this.cleanUp(client, plan.topics)
    result.differs = await differingFromPlan(client, plan.changes)
    result.elections = await electPreferred(
      client,
      plan.changes.filter((c) => !result.differs.some((d) => d.topic === c.topic && d.partition === c.partition)),
    )
    const elected = result.elections.filter((e) => e.outcome === 'elected').length
    const failedElections = result.elections.filter((e) => e.outcome !== 'elected' && e.outcome !== 'not-needed')
    this.io.info(
      `reassigned ${countOf(plan.changes.length - result.differs.length, 'partition')} in ${formatElapsed(result.durationMs)}${elected > 0 ? `; ${countOf(elected, 'preferred leader')} elected` : ''}`,
    )
    for (const e of failedElections)
      this.io.warn(`${e.topic}-${e.partition}: the preferred leader ${e.after} was not elected (${e.message ?? e.outcome}); 'kafkit topics elect-leaders ${e.topic}' tries again`)
    if (result.differs.length > 0) {
      const d = result.differs[0]
      throw new KafkitError(
        'REASSIGNMENT_DIFFERS',
        `${countOf(result.differs.length, 'partition')} did not end where the plan put ${result.differs.length === 1 ? 'it' : 'them'} (${d.topic}-${d.partition} has replicas ${d.replicas.join(',')}, not ${d.target.join(',')})`,
        {hint: 'was it cancelled or changed meanwhile? plan again with the same command', exitCode: ExitCode.INCOMPLETE, details: {differs: result.differs}},
      )
    }
    return result
  }

  /** Follows the partitions (all in progress when undefined) with a progress line; Ctrl-C stops following. */
  private async follow(client: KafkaClient, partitions: {topic: string; partition: number}[] | undefined): Promise<{interrupted: boolean; durationMs: number}> {
    const onSignal = () => {
      if (this.aborter.signal.aborted) process.exit(ExitCode.INTERRUPTED)
      this.aborter.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const rates = new RateEstimator()
    const tty = this.io.stderrIsTTY && !this.io.json
    let lastLine = ''
    let lastPrinted = 0
    try {
      return await followReassignment(client, partitions, {
        signal: this.aborter.signal,
        progress: (p: ReassignProgress, elapsedMs) => {
          rates.add(Date.now(), p.bytesLeft)
          if (p.partitionsLeft === 0) {
            if (tty && lastLine) this.io.stderr.write('\r\u001B[K')
            return
          }
          const line = `reassigning: ${describeProgress(p, rates.rate(), rates.etaMs())} (${formatElapsed(elapsedMs)})`
          if (tty) this.io.stderr.write(`\r\u001B[K${line}`)
          else if (Date.now() - lastPrinted >= 10_000 || line.split(',')[0] !== lastLine.split(',')[0]) {
            this.io.info(line)
            lastPrinted = Date.now()
          }
          lastLine = line
        },
      })
    } finally {
      if (tty && lastLine) this.io.stderr.write('\r\u001B[K')
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }

  private interrupted(throttled: boolean): never {
    throw new KafkitError('INTERRUPTED', 'stopped following: the reassignment goes on in the cluster', {
      hint: `follow it with 'kafkit topics reassign --status --wait'${throttled ? ' (it removes the throttle at the end)' : ''}, or stop it with 'kafkit topics reassign --cancel --execute'`,
      exitCode: ExitCode.INTERRUPTED,
    })
  }

  /** Removes the throttles of what is finished; says what was removed and what was kept. */
  private async cleanUp(client: KafkaClient, topics: string[]): Promise<ThrottleRemoval> {
    const placement = await readPlacement(client)
    const removal = await removeThrottles(
      client,
      placement.brokers.map((b) => b.id),
      topics,
    )
    if (removal.topics.length > 0 || removal.brokers.length > 0)
      this.io.info(
        `removed the replication throttle${removal.brokers.length > 0 ? ` of brokers ${removal.brokers.join(',')}` : ''}${removal.topics.length > 0 ? ` and of ${countOf(removal.topics.length, 'topic')}` : ''}`,
      )
    if (removal.brokersKept.length > 0) this.io.info(`kept the throttle rate of brokers ${removal.brokersKept.join(',')}: other reassignments are still in progress`)
    return removal
  }

  private async status(topics: string[], wait: boolean): Promise<ReassignStatusResult> {
    const client = await this.client()
    const placement = await readPlacement(client)
    const known = new Set(placement.topics.map((t) => t.topic))
    for (const t of topics) if (!known.has(t)) throw unknownTopic(t, [...known])
    const filter = (p: {topic: string}) => topics.length === 0 || topics.includes(p.topic)
    const progress = await readProgress(client)
    const moving = progress.partitions.filter(filter)
    const throttleTopics = topics.length > 0 ? topics : [...known]
    const throttles = await readThrottles(
      client,
      placement.brokers.map((b) => b.id),
      throttleTopics,
    )
    const result: ReassignStatusResult = {
      action: 'status',
      inProgress: moving,
      partitionsLeft: moving.length,
      bytesLeft: moving.reduce((n, p) => n + (p.bytesLeft ?? 0), 0),
      throttles,
      completed: false,
      throttlesRemoved: null,
    }
    if (!this.io.json) {
      if (moving.length > 0) renderMoving(moving, this.io)
      this.io.info(moving.length === 0 ? 'no reassignment in progress' : `${countOf(result.partitionsLeft, 'partition')} moving, ${formatBytes(result.bytesLeft)} to copy`)
      for (const line of describeThrottles(throttles)) this.io.info(line)
    }
    if (!wait) {
      if (moving.length === 0 && (throttles.brokers.length > 0 || throttles.topics.length > 0))
        this.io.info("the throttle is left from a finished reassignment: 'kafkit topics reassign --status --wait' removes it")
      return result
    }
    const followed = await this.follow(client, moving.length > 0 ? moving.map((m) => ({topic: m.topic, partition: m.partition})) : [])
    if (followed.interrupted) this.interrupted(throttles.brokers.length > 0)
    result.completed = true
    result.inProgress = []
    result.partitionsLeft = 0
    result.bytesLeft = 0
    if (moving.length > 0) this.io.info(`done: ${countOf(moving.length, 'partition')} reassigned`)
    const throttledTopics = [...new Set([...throttles.topics.map((t) => t.topic), ...moving.map((m) => m.topic)])]
    result.throttlesRemoved = await this.cleanUp(client, throttledTopics)
    result.throttles = await readThrottles(
      client,
      placement.brokers.map((b) => b.id),
      throttleTopics,
    )
    return result
  }

  private async cancel(topics: string[], execute: boolean, yes: boolean | undefined): Promise<ReassignCancelResult> {
    const client = await this.client()
    const placement = await readPlacement(client)
    const known = new Set(placement.topics.map((t) => t.topic))
    for (const t of topics) if (!known.has(t)) throw unknownTopic(t, [...known])
    const ongoing = (await listReassignments(client)).filter((o) => topics.length === 0 || topics.includes(o.topic))
    const result: ReassignCancelResult = {
      action: 'cancel',
      partitions: ongoing.map((o) => ({topic: o.topic, partition: o.partition, replicas: o.replicas, adding: o.adding, removing: o.removing})),
      executed: false,
      throttlesRemoved: null,
    }
    if (!this.io.json && result.partitions.length > 0) {
      renderTable(
        this.io,
        [
          {header: 'TOPIC', get: (p) => p.topic},
          {header: 'PARTITION', get: (p) => p.partition, align: 'right'},
          {header: 'REPLICAS', get: (p) => p.replicas.join(',')},
          {header: 'ADDING', get: (p) => p.adding.join(',') || '-'},
          {header: 'REMOVING', get: (p) => p.removing.join(',') || '-'},
        ],
        result.partitions,
      )
    }
    const throttleTopics = topics.length > 0 ? topics : [...new Set(ongoing.map((o) => o.topic))]
    if (ongoing.length === 0) {
      this.io.info('no reassignment in progress: nothing to cancel')
      if (execute) result.throttlesRemoved = await this.cleanUp(client, topics.length > 0 ? topics : [...known])
      return result
    }
    const summary = `cancel the reassignment of ${countOf(ongoing.length, 'partition')} (their replicas go back to the ones before; what was copied is deleted)`
    if (!execute) {
      this.io.info(`${summary}. Nothing changed: add --execute to cancel.`)
      return result
    }
    const connection = await this.connection()
    if (connection.protected) await this.confirmDestructive(summary, yes)
    await cancelReassignments(client, ongoing)
    result.executed = true
    // A cancelled reassignment leaves the listing once its added replicas are dropped: moments. Then the
    // brokers' metadata shows the replicas from before.
    const deadline = Date.now() + this.timeoutMs
    for (;;) {
      const left = await listReassignments(client, ongoing)
      if (left.length === 0 || Date.now() > deadline) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    await differingFromPlan(
      client,
      ongoing.map((o) => ({topic: o.topic, partition: o.partition, target: o.replicas.filter((b) => !o.adding.includes(b))})),
      {ordered: false},
    )
    this.io.info(`cancelled the reassignment of ${countOf(ongoing.length, 'partition')}`)
    result.throttlesRemoved = await this.cleanUp(client, throttleTopics)
    return result
  }
}

/** `--throttle 50MiB` (bytes per second; `/s` may follow). */
function parseRate(text: string): number {
  const rate = parseSize(text.replace(/\/s(ec)?$/i, ''), '--throttle')
  if (!(rate > 0)) throw usageError(`--throttle: '${text}' must be more than 0 bytes/s`, 'e.g. --throttle 50MiB (per second, per broker)')
  return rate
}
