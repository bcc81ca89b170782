/**
 * `kafkit profiles test`: checks a connection step by step and stops at the first failure, with a hint that
 * names the setting to fix. resolve -> tcp -> tls -> sasl -> metadata -> cluster -> topics.
 */
import {readFile} from 'node:fs/promises'

import {KafkitError} from '../errors.js'
import {createClient} from '../kafka/client.js'
import {describeBrokers} from '../kafka/cluster-info.js'
import {tlsHandshakeHint} from '../kafka/errors.js'
import {topicNames} from '../kafka/topics.js'
import {expandHome, resolveCredentials} from './credentials.js'
import {probeTls, resolveHost, splitBroker, tcpConnect} from './probe.js'
import {resolveSecret} from './secrets.js'
import type {ResolvedConnection} from './types.js'

export type StepName = 'resolve' | 'tcp' | 'tls' | 'sasl' | 'metadata' | 'cluster' | 'topics'

export interface StepResult {
  step: StepName
  /** true passed, false failed, null skipped (not configured / not reached). */
  ok: boolean | null
  detail: string
  hint?: string
  /** Machine-readable failure code (AUTHENTICATION_FAILED, TLS_UNTRUSTED, ...). */
  code?: string
  ms: number
}

export interface Diagnosis {
  profile: string
  brokers: string[]
  security: string
  ok: boolean
  steps: StepResult[]
  /** Details for scripts: the peer certificate, the cluster. */
  tls?: {subject?: string; issuer?: string; validTo?: string; daysLeft?: number; protocol?: string}
  cluster?: {clusterId: string; controller: number | null; brokers: string[]; topics?: number}
}

export function securityProtocol(connection: Pick<ResolvedConnection, 'tls' | 'sasl'>): string {
  const proto = connection.sasl ? (connection.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT') : connection.tls ? 'SSL' : 'PLAINTEXT'
  return connection.sasl ? `${proto} ${connection.sasl.mechanism.toUpperCase()}` : proto
}

export async function diagnose(connection: ResolvedConnection, options: {timeoutMs: number; onStep?: (step: StepResult) => void; debugLog?: (line: string) => void}): Promise<Diagnosis> {
  const steps: StepResult[] = []
  const result: Diagnosis = {profile: connection.profile, brokers: connection.brokers, security: securityProtocol(connection), ok: false, steps}
  const timeoutMs = options.timeoutMs
  const record = (step: StepResult) => {
    steps.push(step)
    options.onStep?.(step)
    return step.ok !== false
  }
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const started = Date.now()
    const value = await fn()
    return [value, Date.now() - started]
  }

  // 1. names
  const targets = connection.brokers.map(splitBroker)
  const [lookups, lookupMs] = await timed(() => Promise.all(targets.map((t) => resolveHost(t.host, timeoutMs))))
  const resolved = targets.filter((_, i) => lookups[i].ok)
  const failedNames = targets.filter((_, i) => !lookups[i].ok).map((t, i) => `${t.host} (${(lookups[i] as {error: string}).error})`)
  if (
    !record({
      step: 'resolve',
      ok: resolved.length > 0,
      detail:
        resolved.length > 0
          ? targets.map((t, i) => (lookups[i].ok ? `${t.host} -> ${(lookups[i] as {address: string}).address}` : `${t.host}: ${(lookups[i] as {error: string}).error}`)).join(', ')
          : `cannot resolve ${failedNames.join(', ')}`,
      ...(resolved.length > 0 ? {} : {hint: 'check the broker host names (brokers in the profile, --brokers, KAFKIT_BROKERS) and DNS', code: 'DNS_FAILED'}),
      ms: lookupMs,
    })
  )
    return finish()

  // 2. TCP to every bootstrap broker that resolved
  const [tcp, tcpMs] = await timed(() => Promise.all(resolved.map((t) => tcpConnect(t, Math.min(timeoutMs, 5000)))))
  const reachable = resolved.filter((_, i) => tcp[i].ok)
  const tcpDetail = resolved.map((t, i) => `${t.host}:${t.port} ${tcp[i].ok ? 'open' : (tcp[i] as {error: string}).error}`).join(', ')
  const isLocal = connection.brokers.every((b) => b.startsWith('127.0.0.1:') || b.startsWith('localhost:'))
  if (
    !record({
      step: 'tcp',
      ok: reachable.length > 0,
      detail: tcpDetail,
      ...(reachable.length > 0
        ? {}
        : {hint: isLocal ? "is the broker running? try 'kafkit local start'" : 'check the port, firewalls and VPN: nothing answers at that address', code: 'CONNECTION_FAILED'}),
      ms: tcpMs,
    })
  )
    return finish()
  const first = reachable[0]

  // 3. TLS
  if (connection.tls) {
    const tls = connection.tls
    const [probe, tlsMs] = await timed(async () =>
      probeTls(
        first,
        {
          ca: tls.ca ? await readFile(expandHome(tls.ca), 'utf8') : undefined,
          cert: tls.cert ? await readFile(expandHome(tls.cert), 'utf8') : undefined,
          key: tls.key ? await readFile(expandHome(tls.key), 'utf8') : undefined,
          passphrase: tls.passphrase ? await resolveSecret(tls.passphrase, 'tls key passphrase') : undefined,
          servername: tls.servername,
          insecureSkipVerify: tls.insecureSkipVerify,
        },
        Math.min(timeoutMs, 5000),
      ).catch((error: Error): ReturnType<typeof probeTls> extends Promise<infer R> ? R : never => ({ok: false, failure: 'handshake', error: error.message})),
    )
    result.tls = {subject: probe.subject, issuer: probe.issuer, validTo: probe.validTo, daysLeft: probe.daysLeft, protocol: probe.protocol}
    const certText = probe.subject ? `${probe.protocol ?? 'TLS'}, certificate ${probe.subject} issued by ${probe.issuer}, expires ${probe.validTo?.slice(0, 10)} (${probe.daysLeft} days)` : ''
    const hints = {
      untrusted: "trust the broker's CA: set 'tls.ca: /path/to/ca.pem' in the profile (or KAFKIT_TLS_CA)",
      hostname: `the certificate is not valid for '${probe.checkedName}': connect with a name it lists, or set 'tls.servername'`,
      expired: 'the broker certificate is outside its validity period: the cluster admin must renew it (or the clock here is wrong)',
      handshake: tlsHandshakeHint(probe.error ?? ''),
    }
    const codes = {untrusted: 'TLS_UNTRUSTED', hostname: 'TLS_HOSTNAME_MISMATCH', expired: 'TLS_EXPIRED', handshake: 'TLS_FAILED'}
    if (
      !record({
        step: 'tls',
        ok: probe.ok,
        detail: probe.ok
          ? `${certText}${tls.insecureSkipVerify ? ' (NOT verified: insecureSkipVerify)' : `, host name '${probe.checkedName}' matches`}`
          : `${probe.error}${certText ? `: ${certText}` : ''}`,
        ...(probe.ok ? {} : {hint: hints[probe.failure ?? 'handshake'], code: codes[probe.failure ?? 'handshake']}),
        ms: tlsMs,
      })
    )
      return finish()
  } else {
    record({step: 'tls', ok: null, detail: 'not configured (PLAINTEXT)', ms: 0})
  }

  // 4.-7. Kafka: connecting authenticates (SASL) and reads metadata.
  const client = await resolveCredentials(connection, {timeoutMs})
    .then((resolved) => createClient(resolved, {timeoutMs, debugLog: options.debugLog}))
    .catch((error: unknown) => error as Error)
  if (client instanceof Error) {
    const kerr = client instanceof KafkitError ? client : new KafkitError('UNEXPECTED', client.message)
    record({step: connection.sasl ? 'sasl' : 'metadata', ok: false, detail: kerr.message, hint: kerr.hint, code: kerr.code, ms: 0})
    return finish()
  }
  try {
    const startedConnect = Date.now()
    try {
      await client.connect()
    } catch (error) {
      const kerr = error instanceof KafkitError ? error : new KafkitError('UNEXPECTED', String(error))
      const authFailure = /AUTHENTICATION|SASL|OAUTH|AWS|SECRET/.test(kerr.code)
      record({
        step: connection.sasl && (authFailure || kerr.code === 'TIMEOUT') ? 'sasl' : 'metadata',
        ok: false,
        detail: kerr.message,
        hint: kerr.hint,
        code: kerr.code,
        ms: Date.now() - startedConnect,
      })
      return finish()
    }
    const connectMs = Date.now() - startedConnect
    if (connection.sasl)
      record({step: 'sasl', ok: true, detail: `authenticated${connection.sasl.username ? ` as '${connection.sasl.username}'` : ''} with ${connection.sasl.mechanism.toUpperCase()}`, ms: connectMs})
    else record({step: 'sasl', ok: null, detail: 'not configured', ms: 0})

    // Metadata: the brokers the cluster advertises must be reachable from here too (a classic: internal names).
    const [cluster, metaMs] = await timed(() => describeBrokers(client, 'reading cluster metadata'))
    const advertised = cluster.brokers.map((b) => `${b.host}:${b.port}`)
    const adTcp = await Promise.all(cluster.brokers.map((b) => tcpConnect({host: b.host, port: b.port}, Math.min(timeoutMs, 3000))))
    const unreachable = advertised.filter((_, i) => !adTcp[i].ok)
    result.cluster = {clusterId: cluster.clusterId, controller: cluster.controller, brokers: advertised}
    if (
      !record({
        step: 'metadata',
        ok: unreachable.length === 0,
        detail:
          unreachable.length === 0
            ? `${advertised.length} broker${advertised.length === 1 ? '' : 's'} advertised, all reachable: ${advertised.join(', ')}`
            : `advertised brokers not reachable from here: ${unreachable.join(', ')}`,
        ...(unreachable.length === 0 ? {} : {hint: "the brokers' advertised.listeners name addresses this machine cannot reach (internal names? a tunnel?)", code: 'ADVERTISED_UNREACHABLE'}),
        ms: metaMs,
      })
    )
      return finish()
    record({step: 'cluster', ok: true, detail: `cluster id ${cluster.clusterId}, controller ${cluster.controller ?? 'none'}`, ms: 0})

    const [topics, topicsMs] = await timed(() => topicNames(client))
    result.cluster.topics = topics.filter((t) => !t.startsWith('__')).length
    record({step: 'topics', ok: true, detail: `can list topics: ${result.cluster.topics} visible`, ms: topicsMs})
    result.ok = true
  } catch (error) {
    const kerr = error instanceof KafkitError ? error : new KafkitError('UNEXPECTED', String((error as Error)?.message ?? error))
    const stepsDone = new Set(steps.map((s) => s.step))
    record({step: stepsDone.has('metadata') ? 'topics' : 'metadata', ok: false, detail: kerr.message, hint: kerr.hint, code: kerr.code, ms: 0})
  } finally {
    await client.disconnect()
  }
  return finish()

  function finish(): Diagnosis {
    result.ok = steps.every((s) => s.ok !== false) && steps.some((s) => s.step === 'topics')
    return result
  }
}
