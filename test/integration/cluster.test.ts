import {describe, expect, it} from 'vitest'

import {expectCleanError, json, kafkit, uniqueName} from './helpers.js'

describe('cluster info', () => {
  it('describes the local cluster as JSON', async () => {
    const result = await kafkit(['cluster', 'info', '--json'])
    expect(result.code).toBe(0)
    const info = json<{clusterId: string; brokers: {id: number; port: number}[]; controller: number}>(result)
    expect(info.clusterId).toMatch(/^[\w-]{22}$/)
    expect(info.brokers.length).toBeGreaterThanOrEqual(1)
    expect(info.brokers.map((b) => b.id)).toContain(info.controller)
    // The Kafka version and how it is known (exact from kafkit local's state, else the brokers' release).
    const {version, brokers} = json<{version: {kafka: string; source: string; metadataVersion: string}; brokers: {kafkaVersion: string; rack: string | null}[]}>(result)
    expect(version.kafka).toMatch(/^\d+\.\d+/)
    expect(['kafkit local', 'ApiVersions']).toContain(version.source)
    expect(version.metadataVersion).toMatch(/^\d+\.\d+-IV\d+$/)
    for (const b of brokers) expect(b.kafkaVersion).toMatch(/^\d+\.\d+$/)
    expect(brokers.every((b) => 'rack' in b)).toBe(true)
  })

  it('runs on the bundled kafkajs with every kafkit replacement in place (scripts/bundle.mjs)', async () => {
    const result = await kafkit(['cluster', 'info', '--debug'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('kafkajs bundled; replaced: crc32c, record, grouping, produce, framing')
    const topic = uniqueName('bundle-runs')
    expect((await kafkit(['topics', 'create', topic, '--partitions', '1'])).code).toBe(0)
    const produced = await kafkit(['produce', topic, '--debug'], {input: 'a\nb\n'})
    expect(produced.code).toBe(0)
    expect(produced.stderr).toContain('writer: plain values as record runs: yes')
  })

  it('prints plain tab-separated text when piped', async () => {
    const result = await kafkit(['cluster', 'info'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^cluster id\t/m)
    expect(result.stdout).not.toContain('\u001B[')
  })

  it('fails with exit 4, one line and a hint when the broker is unreachable', async () => {
    // A hang is killed by the harness after 60 s (signal set, no exit code); no speed threshold.
    const result = await kafkit(['cluster', 'info', '-b', '127.0.0.1:1', '--timeout', '3s'], {timeoutMs: 60_000})
    expect(result.signal, 'hung: killed after 60 s').toBeNull()
    expect(result.code).toBe(4)
    const {message, hint} = expectCleanError(result)
    expect(message).toContain('127.0.0.1:1')
    expect(hint).toBeTruthy()
  })

  it('reports errors as JSON on stderr under --json', async () => {
    const result = await kafkit(['cluster', 'info', '-b', '127.0.0.1:1', '--timeout', '2s', '--json'])
    expect(result.code).toBe(4)
    expect(result.stdout).toBe('')
    const err = JSON.parse(result.stderr.trim()) as {error: {code: string; message: string; hint: string}}
    expect(err.error.code).toBe('CONNECTION_FAILED')
  })

  it('rejects an unknown flag with exit 2', async () => {
    const result = await kafkit(['cluster', 'info', '--nope'])
    expect(result.code).toBe(2)
    expectCleanError(result)
  })

  it('rejects a bad --timeout with exit 2', async () => {
    const result = await kafkit(['cluster', 'info', '--timeout', 'soon'])
    expect(result.code).toBe(2)
    expect(expectCleanError(result).message).toContain('--timeout')
  })
})
