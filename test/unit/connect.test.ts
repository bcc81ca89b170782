import {mkdtempSync, writeFileSync} from 'node:fs'
import {type IncomingMessage, type ServerResponse, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {type ActualConnector, diffConfig, formatConnectPlan, parseConnectorsFile, planConnectorsApply, stateChange, validateDesiredConnectors} from '../../src/connect/apply.js'
import {ConnectClient} from '../../src/connect/client.js'
import {parseConnectorConfig, parseProperties} from '../../src/connect/config-file.js'
import {offsetRows, parseOffsetsFile} from '../../src/connect/offsets.js'
import {configuredTopics, connectorView, describeConnector, failedConnectorsError, sinkGroup, summarizeConnectors, taskSummary} from '../../src/connect/overview.js'
import {isSecretKey, redactConfig, redactConfigValue, redactInlineCredentials} from '../../src/connect/redact.js'
import {LOCAL_CONNECT_URL, resolveConnectSettings} from '../../src/connect/settings.js'
import {formatShortTrace, shortenTrace} from '../../src/connect/trace.js'
import {fieldErrors, invalidConfigError} from '../../src/connect/validation.js'
import type {KafkitError} from '../../src/errors.js'
import {CONNECT_GROUP, CONNECT_TOPICS, connectPom, connectVersionFor, parsePluginCoordinate, unionPlugins, workerProperties} from '../../src/local/connect-worker.js'
import {loadConfig} from '../../src/profiles/config.js'
import {profileFromFlags} from '../../src/profiles/add.js'
import {flattenForDisplay, redactProfile} from '../../src/profiles/describe.js'

const props = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  )

const errorOf = (fn: () => unknown): KafkitError => {
  try {
    fn()
  } catch (error) {
    return error as KafkitError
  }
  throw new Error('no error thrown')
}

describe('connect: redaction', () => {
  it('knows secret keys, not converters or key fields', () => {
    for (const k of ['connection.password', 'database.password', 'ssl.key.password', 'sasl.jaas.config', 'aws.secret.access.key', 'basic.auth.user.info', 'api.key', 'oauth.token', 'client.secret'])
      expect(isSecretKey(k), k).toBe(true)
    for (const k of ['key.converter', 'primary.key.fields', 'topics', 'connection.url', 'connection.username', 'tasks.max', 'ssl.keystore.location']) expect(isSecretKey(k), k).toBe(false)
  })

  it('redacts secret values but shows config provider references', () => {
    expect(redactConfigValue('connection.password', 'hunter22')).toBe('[redacted]')
    expect(redactConfigValue('connection.password', '${env:DB_PASSWORD}')).toBe('${env:DB_PASSWORD}')
    expect(redactConfigValue('connection.password', '${file:/etc/kafka/secrets.properties:db}')).toBe('${file:/etc/kafka/secrets.properties:db}')
    expect(redactConfigValue('connection.password', '')).toBe('')
    expect(redactConfigValue('topics', 'orders')).toBe('orders')
  })

  it('redacts credentials inside URLs and JDBC query strings', () => {
    expect(redactInlineCredentials('jdbc:postgresql://db:5432/retail?user=app&password=s3cret&ssl=true')).toBe('jdbc:postgresql://db:5432/retail?user=app&password=[redacted]&ssl=true')
    expect(redactInlineCredentials('mongodb://app:s3cret@mongo:27017/db')).toBe('mongodb://app:[redacted]@mongo:27017/db')
    expect(redactInlineCredentials('jdbc:sqlserver://db;user=sa;password=Pa55;encrypt=true')).toBe('jdbc:sqlserver://db;user=sa;password=[redacted];encrypt=true')
    expect(redactInlineCredentials('http://connect:8083')).toBe('http://connect:8083')
    expect(redactConfig({'connection.url': 'postgresql://u:p4ss@h/db', 'connection.password': 'x1234'})).toEqual({
      'connection.url': 'postgresql://u:[redacted]@h/db',
      'connection.password': '[redacted]',
    })
  })
})

const TRACE = `org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.
\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:636)
\tat org.apache.kafka.connect.runtime.WorkerSinkTask.poll(WorkerSinkTask.java:345)
\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:237)
\tat java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:635)
\tat java.base/java.lang.Thread.run(Thread.java:840)
Caused by: org.apache.kafka.connect.errors.ConnectException: JDBC sink connector failure
\tat io.debezium.connector.jdbc.JdbcSinkConnectorTask.put(JdbcSinkConnectorTask.java:121)
\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:606)
\t... 11 more
Caused by: org.postgresql.util.PSQLException: ERROR: relation "stock" does not exist
  Position: 13
\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2733)
\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2420)
\tat org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:372)
\tat org.postgresql.jdbc.PgStatement.execute(PgStatement.java:300)
\tat java.base/java.lang.reflect.Method.invoke(Method.java:569)
\t... 14 more
\tSuppressed: java.lang.IllegalStateException: close failed
\t\tat io.debezium.Other.close(Other.java:1)
`

describe('connect: shortened traces', () => {
  it('keeps the chain of causes, the root cause and the frames of the code that threw', () => {
    const short = shortenTrace(TRACE)!
    expect(short.chain).toEqual([
      'org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.',
      'org.apache.kafka.connect.errors.ConnectException: JDBC sink connector failure',
      'org.postgresql.util.PSQLException: ERROR: relation "stock" does not exist Position: 13',
    ])
    expect(short.root).toBe('org.postgresql.util.PSQLException: ERROR: relation "stock" does not exist Position: 13')
    expect(short.frames).toEqual([
      'org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2733)',
      'org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2420)',
      'org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:372)',
    ])
    expect(short.omitted).toBeGreaterThan(10)
    const lines = formatShortTrace(short)
    expect(lines).toHaveLength(6)
    expect(lines[1]).toMatch(/^caused by: /)
    expect(lines.join('\n')).not.toContain('Suppressed')
  })

  it('skips frames of the JDK and the Connect runtime, and repeated messages', () => {
    const t = `org.apache.kafka.connect.errors.ConnectException: java.net.ConnectException: Connection refused
\tat org.apache.kafka.connect.runtime.Worker.x(Worker.java:1)
Caused by: org.apache.kafka.connect.errors.ConnectException: java.net.ConnectException: Connection refused
\tat java.base/sun.nio.ch.Net.connect(Net.java:1)
\tat com.example.MySource.poll(MySource.java:42)`
    const short = shortenTrace(t)!
    expect(short.chain).toHaveLength(1)
    expect(short.frames).toEqual(['com.example.MySource.poll(MySource.java:42)'])
  })

  it('redacts credentials quoted in messages; nothing for an empty trace', () => {
    expect(shortenTrace('java.sql.SQLException: cannot connect to jdbc:postgresql://h/db?password=abc123')!.root).toBe(
      'java.sql.SQLException: cannot connect to jdbc:postgresql://h/db?password=[redacted]',
    )
    expect(shortenTrace('')).toBeUndefined()
    expect(shortenTrace(undefined)).toBeUndefined()
  })
})

describe('connect: apply file', () => {
  const source = 'connectors.yaml'

  it('parses YAML, turns numbers and booleans into strings, drops a matching config.name', async () => {
    const desired = await parseConnectorsFile(
      'connectors:\n  - name: a\n    state: Paused\n    config:\n      connector.class: FileStreamSink\n      tasks.max: 2\n      errors.log.enable: true\n      name: a\n',
      source,
    )
    expect(desired.connectors).toEqual([{name: 'a', state: 'paused', config: {'connector.class': 'FileStreamSink', 'tasks.max': '2', 'errors.log.enable': 'true'}}])
  })

  it('rejects what it does not understand, naming the place (exit 2)', () => {
    const bad = (doc: unknown) => errorOf(() => validateDesiredConnectors(doc, source))
    expect(bad([]).message).toMatch(/must be a mapping with a 'connectors' list/)
    expect(bad({topics: []}).message).toMatch(/'topics' is not a known key/)
    expect(bad({connectors: [{name: 'a'}]}).message).toMatch(/connectors\[0\]\.config \(a\) is required/)
    expect(bad({connectors: [{name: 'a', config: {topics: 'x'}}]}).message).toMatch(/needs connector\.class/)
    expect(bad({connectors: [{name: 'a', config: {'connector.class': 'X', list: [1]}}]}).message).toMatch(/config \(a\)\.list must be a string/)
    expect(
      bad({
        connectors: [
          {name: 'a', config: {'connector.class': 'X'}},
          {name: 'a', config: {'connector.class': 'X'}},
        ],
      }).message,
    ).toMatch(/'a' is listed twice/)
    expect(bad({connectors: [{name: 'a', state: 'sleeping', config: {'connector.class': 'X'}}]}).message).toMatch(/must be one of running, paused, stopped/)
    expect(bad({connectors: [{name: 'a', config: {'connector.class': 'X', name: 'b'}}]}).message).toMatch(/config\.name \(a\) is 'b'/)
    expect(bad({connectors: [{nme: 'a'}]}).exitCode).toBe(2)
  })
})

describe('connect: apply plan', () => {
  const actual: ActualConnector[] = [
    {
      name: 'orders-sink',
      state: 'RUNNING',
      config: {name: 'orders-sink', 'connector.class': 'FileStreamSink', topics: 'orders', file: '/tmp/o', 'tasks.max': '1', 'connection.password': 'old-secret'},
    },
    {name: 'legacy', state: 'FAILED', config: {name: 'legacy', 'connector.class': 'FileStreamSource', file: '/tmp/l', topic: 'l'}},
  ]
  const desired = validateDesiredConnectors(
    {
      connectors: [
        {name: 'orders-sink', state: 'paused', config: {'connector.class': 'FileStreamSink', topics: 'orders', file: '/tmp/o', 'tasks.max': 2, 'connection.password': 'new-secret'}},
        {name: 'stock-sink', config: {'connector.class': 'FileStreamSink', topics: 'stock', file: '/tmp/s', 'connection.password': 'pw-1234'}},
      ],
    },
    'c.yaml',
  )

  it('creates, updates the changed keys and the state, keeps the others without --prune', () => {
    const plan = planConnectorsApply(desired, actual)
    expect(plan.counts).toEqual({create: 1, update: 1, delete: 0})
    expect(plan.unmanaged).toEqual(['legacy'])
    const update = plan.actions.find((a) => a.action === 'update')!
    expect(update).toEqual({
      action: 'update',
      connector: 'orders-sink',
      changes: [
        {key: 'connection.password', from: '[redacted]', to: '[redacted]', secret: true},
        {key: 'tasks.max', from: '1', to: '2'},
      ],
      state: {from: 'RUNNING', to: 'PAUSED', via: 'pause'},
    })
    const create = plan.actions.find((a) => a.action === 'create')!
    expect(JSON.stringify(plan)).not.toMatch(/new-secret|old-secret|pw-1234/)
    expect(create).toMatchObject({connector: 'stock-sink', class: 'FileStreamSink'})
  })

  it('deletes what the file does not list with --prune, and refuses an empty file with --prune', () => {
    const plan = planConnectorsApply(desired, actual, {prune: true})
    expect(plan.actions.filter((a) => a.action === 'delete')).toEqual([{action: 'delete', connector: 'legacy'}])
    expect(plan.unmanaged).toEqual([])
    expect(errorOf(() => planConnectorsApply({source: 'empty.yaml', connectors: []}, actual, {prune: true})).message).toMatch(/lists no connectors: refusing to --prune/)
  })

  it('is empty when the worker matches; shows keys Connect will remove', () => {
    const same = validateDesiredConnectors({connectors: [{name: 'legacy', config: {'connector.class': 'FileStreamSource', file: '/tmp/l', topic: 'l'}}]}, 'c.yaml')
    const plan = planConnectorsApply(same, actual)
    expect(plan.actions).toEqual([])
    expect(plan.failed).toEqual(['legacy'])
    expect(diffConfig({name: 'x', a: '1', b: '2'}, {a: '1'})).toEqual([{key: 'b', from: '2', to: null}])
  })

  it('changes state only when the file says so', () => {
    expect(stateChange('PAUSED', undefined)).toBeUndefined()
    expect(stateChange('PAUSED', 'running')).toEqual({from: 'PAUSED', to: 'RUNNING', via: 'resume'})
    expect(stateChange('STOPPED', 'running')).toEqual({from: 'STOPPED', to: 'RUNNING', via: 'resume'})
    expect(stateChange('RUNNING', 'stopped')).toEqual({from: 'RUNNING', to: 'STOPPED', via: 'stop'})
    expect(stateChange('FAILED', 'running')).toBeUndefined()
  })

  it('reads as + create, ~ update, - delete with a summary line', () => {
    const lines = formatConnectPlan(planConnectorsApply(desired, actual, {prune: true}))
    expect(lines).toContain('+ create stock-sink (FileStreamSink)')
    expect(lines).toContain('    connection.password = [redacted]')
    expect(lines).toContain('~ update orders-sink')
    expect(lines).toContain('    connection.password (secret changed)')
    expect(lines).toContain('    tasks.max 1 -> 2')
    expect(lines).toContain('    state RUNNING -> PAUSED (pause)')
    expect(lines).toContain('- delete legacy (its committed offsets stay behind)')
    expect(lines.at(-1)).toBe('Plan: 1 to create, 1 to update, 1 to delete.')
    expect(formatConnectPlan({actions: [], unmanaged: [], failed: [], counts: {create: 0, update: 0, delete: 0}})).toEqual(['No changes: the connectors match the file.'])
  })
})

describe('connect: create file shapes', () => {
  it("takes a flat map, Connect's {name, config}, .properties and an apply file", async () => {
    expect(await parseConnectorConfig('{"connector.class":"FileStreamSink","topics":"t","tasks.max":1}', 'a.json', 'x')).toEqual({
      name: 'x',
      config: {'connector.class': 'FileStreamSink', topics: 't', 'tasks.max': '1'},
    })
    expect(await parseConnectorConfig('{"name":"y","config":{"connector.class":"FileStreamSink","name":"y"},"tasks":[],"type":"sink"}', 'b.json', undefined)).toEqual({
      name: 'y',
      config: {'connector.class': 'FileStreamSink'},
    })
    expect(await parseConnectorConfig('# sink\nname=local-file-sink\nconnector.class=FileStreamSink\ntopics=connect-test\nfile=test.sink.txt\n', 'c.properties', undefined)).toEqual({
      name: 'local-file-sink',
      config: {'connector.class': 'FileStreamSink', topics: 'connect-test', file: 'test.sink.txt'},
    })
    expect((await parseConnectorConfig('connectors:\n  - name: a\n    config: {connector.class: A}\n  - name: b\n    config: {connector.class: B}\n', 'd.yaml', 'b')).config).toEqual({
      'connector.class': 'B',
    })
  })

  it('needs a name and a class, and a name that agrees with the file', async () => {
    await expect(parseConnectorConfig('{"connector.class":"X"}', 'a.json', undefined)).rejects.toThrow(/does not name the connector/)
    await expect(parseConnectorConfig('{"topics":"t"}', 'a.json', 'x')).rejects.toThrow(/needs connector\.class/)
    await expect(parseConnectorConfig('{"name":"y","config":{"connector.class":"X"}}', 'a.json', 'x')).rejects.toThrow(/is the config of 'y', not 'x'/)
    await expect(parseConnectorConfig('connectors: []', 'a.yaml', 'x')).rejects.toThrow(/has no connector named 'x'/)
    expect(parseProperties('a = 1\nb: two\nlong=x\\\n  y\n! comment\n')).toEqual({a: '1', b: 'two', long: 'xy'})
  })
})

describe('connect: connectors at a glance', () => {
  const status = (state: string, tasks: string[], trace?: string) => ({
    name: 'n',
    type: 'sink',
    connector: {state, worker_id: 'w:8083'},
    tasks: tasks.map((s, id) => ({id, state: s, worker_id: 'w:8083', ...(s === 'FAILED' && trace ? {trace} : {})})),
  })
  const info = (config: Record<string, string>) => ({name: 'n', type: 'sink', tasks: [], config: {'connector.class': 'io.x.Sink', ...config}})

  it('summarizes task states worst first', () => {
    expect(taskSummary([])).toBe('none')
    expect(taskSummary([{state: 'RUNNING'}, {state: 'FAILED'}, {state: 'RUNNING'}])).toBe('1 FAILED, 2 RUNNING')
  })

  it('flags failures, shortens traces, names the sink group', () => {
    const v = connectorView('n', status('RUNNING', ['RUNNING', 'FAILED'], TRACE), info({}))
    expect(v.failed).toBe(true)
    expect(v.group).toBe('connect-n')
    expect(v.tasks[1].error?.root).toMatch(/PSQLException/)
    expect(sinkGroup('n', {'consumer.override.group.id': 'custom'})).toBe('custom')
    const list = summarizeConnectors({b: {status: status('RUNNING', ['RUNNING']), info: info({})}, a: {status: status('PAUSED', []), info: info({})}})
    expect(list.map((c) => [c.name, c.failed])).toEqual([
      ['a', false],
      ['b', false],
    ])
  })

  it('connect list: nothing FAILED is no error; a FAILED connector or task is exit 8 naming each', () => {
    const healthy = summarizeConnectors({a: {status: status('RUNNING', ['RUNNING']), info: info({})}, b: {status: status('PAUSED', ['PAUSED']), info: info({})}})
    expect(failedConnectorsError(healthy)).toBeUndefined()
    expect(failedConnectorsError([])).toBeUndefined()
    const rows = summarizeConnectors({
      ok: {status: status('RUNNING', ['RUNNING']), info: info({})},
      broken: {status: status('FAILED', []), info: info({})},
      'half-broken': {status: status('RUNNING', ['RUNNING', 'FAILED'], TRACE), info: info({})},
    })
    const error = failedConnectorsError(rows, 'kafkit')!
    expect(error).toMatchObject({exitCode: 8, code: 'CONNECTORS_FAILED', details: {failed: ['broken', 'half-broken']}})
    expect(error.message).toBe('2 of 3 connectors have failures: broken (connector FAILED), half-broken (tasks: 1 FAILED, 1 RUNNING)')
    expect(error.hint).toBe("why: 'kafkit connect describe broken'; restart what failed: 'kafkit connect restart --failed'")
    const one = failedConnectorsError(summarizeConnectors({x: {status: status('RUNNING', ['FAILED']), info: info({})}}))!
    expect(one.message).toBe('1 of 1 connector has failures: x (tasks: 1 FAILED)')
    const many = summarizeConnectors(Object.fromEntries(Array.from({length: 7}, (_, i) => [`c${i}`, {status: status('FAILED', []), info: info({})}])))
    expect(failedConnectorsError(many)!.message).toMatch(/^7 of 7 connectors have failures: c0 .*c4 \(connector FAILED\), and 2 more$/)
  })

  it('describes with the config redacted and the topics from the worker, else the config', () => {
    const d = describeConnector('n', status('RUNNING', ['RUNNING']), info({topics: 'a,b', 'connection.password': 'p4ssword'}), [])
    expect(d.config['connection.password']).toBe('[redacted]')
    expect(d.topics).toEqual(['a', 'b'])
    expect(d.topicsSource).toBe('config')
    expect(describeConnector('n', status('RUNNING', []), info({}), ['z', 'y']).topics).toEqual(['y', 'z'])
    expect(configuredTopics({'topics.regex': '^inv.*'})).toEqual(['/^inv.*/'])
  })
})

describe('connect: validation errors', () => {
  it('lists fields with errors and is exit 2 with the connectors in --json details', () => {
    const errors = fieldErrors({
      name: 'X',
      error_count: 1,
      groups: [],
      configs: [
        {definition: {name: 'topics', type: 'LIST', required: false, default_value: ''}, value: {name: 'topics', value: null, errors: ['Must configure one of topics or topics.regex'], visible: true}},
        {definition: {name: 'file', type: 'STRING', required: false, default_value: ''}, value: {name: 'file', value: '/x', errors: [], visible: true}},
      ],
    })
    expect(errors).toEqual([{field: 'topics', errors: ['Must configure one of topics or topics.regex']}])
    const err = invalidConfigError([{connector: 'a', errors}], 'a.json')
    expect(err.exitCode).toBe(2)
    expect(err.message).toBe("the config of 'a' is invalid (1 error): topics: Must configure one of topics or topics.regex")
    expect(err.toJSON().connectors).toEqual([{connector: 'a', errors}])
  })
})

describe('connect: offsets', () => {
  it('shows sink offsets as topic-partitions and source offsets as JSON', () => {
    expect(
      offsetRows({
        offsets: [
          {partition: {kafka_topic: 't', kafka_partition: 1}, offset: {kafka_offset: 7}},
          {partition: {kafka_topic: 't', kafka_partition: 0}, offset: {kafka_offset: 3}},
        ],
      }),
    ).toEqual([
      {topic: 't', partition: 0, offset: 3},
      {topic: 't', partition: 1, offset: 7},
    ])
    expect(offsetRows({offsets: [{partition: {filename: '/in.txt'}, offset: {position: 42}}]})).toEqual([{sourcePartition: '{"filename":"/in.txt"}', sourceOffset: '{"position":42}'}])
  })

  it("reads the file that 'offsets get --json' writes", () => {
    const text = JSON.stringify({connector: 'x', type: 'source', offsets: [{partition: {filename: '/in.txt'}, offset: {position: 0}}]})
    expect(parseOffsetsFile(text, 'o.json')).toEqual({offsets: [{partition: {filename: '/in.txt'}, offset: {position: 0}}]})
    expect(() => parseOffsetsFile('{"offsets": []}', 'o.json')).toThrow(/is empty/)
    expect(() => parseOffsetsFile('{"offsets": [{"partition": 1, "offset": {}}]}', 'o.json')).toThrow(/partition must be an object/)
  })
})

describe('connect: where Kafka Connect is', () => {
  const local = {profile: 'local', brokers: ['127.0.0.1:9092']}

  it('defaults to the local worker for brokers on this machine, else needs a URL', () => {
    expect(resolveConnectSettings(undefined, local, {})).toMatchObject({url: LOCAL_CONNECT_URL, source: 'local worker', local: true})
    expect(errorOf(() => resolveConnectSettings(undefined, {profile: 'prod', brokers: ['kafka-1.prod:9093']}, {})).message).toBe("profile 'prod' has no Kafka Connect URL")
  })

  it('takes --connect-url over KAFKIT_CONNECT_URL over the profile, with KAFKIT_CONNECT_* credentials', () => {
    const profile = {profile: 'staging', brokers: ['k:9093'], connect: {url: 'https://connect.staging:8083', username: 'ops', password: {env: 'STAGING_CONNECT_PW'}}}
    expect(resolveConnectSettings(undefined, profile, {})).toMatchObject({url: 'https://connect.staging:8083', source: "profile 'staging'", username: 'ops'})
    expect(resolveConnectSettings(undefined, profile, {KAFKIT_CONNECT_URL: 'http://other:8083/'})).toMatchObject({url: 'http://other:8083', source: 'KAFKIT_CONNECT_URL', username: 'ops'})
    expect(resolveConnectSettings('http://flag:8083', profile, {KAFKIT_CONNECT_URL: 'http://other:8083'}).url).toBe('http://flag:8083')
    expect(resolveConnectSettings(undefined, local, {KAFKIT_CONNECT_USERNAME: 'u', KAFKIT_CONNECT_PASSWORD: 'p'})).toMatchObject({username: 'u', password: {env: 'KAFKIT_CONNECT_PASSWORD'}})
    expect(errorOf(() => resolveConnectSettings('connect:8083', local, {})).exitCode).toBe(2)
  })

  it('reads connect: from the profiles file, redacts its password, and writes it from profiles add flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-connect-'))
    const path = join(dir, 'config.yaml')
    writeFileSync(
      path,
      'profiles:\n  staging:\n    brokers: [k:9093]\n    connect:\n      url: https://connect.staging:8083/\n      username: ops\n      passwordCommand: pass show connect\n      tls: {ca: /ca.pem}\n',
      {mode: 0o600},
    )
    const loaded = await loadConfig(path)
    expect(loaded.config.profiles.staging.connect).toEqual({url: 'https://connect.staging:8083', username: 'ops', password: {command: 'pass show connect'}, tls: {ca: '/ca.pem'}})
    const shown = flattenForDisplay(redactProfile(loaded.config.profiles.staging))
    expect(shown).toContainEqual(['connect.password', 'from command: pass show connect'])
    writeFileSync(path, 'profiles:\n  s:\n    brokers: [k:9093]\n    connect: {url: "connect:8083"}\n', {mode: 0o600})
    await expect(loadConfig(path)).rejects.toThrow(/:4: profiles\.s\.connect\.url: must be an http/)
    writeFileSync(path, 'profiles:\n  s:\n    brokers: [k:9093]\n    connect: {url: "http://c:8083", passwordEnv: X}\n', {mode: 0o600})
    await expect(loadConfig(path)).rejects.toThrow(/connect\.username: is required with a password/)
    expect(profileFromFlags({brokers: 'k:9093', 'connect-url': 'http://c:8083/', 'connect-username': 'u', 'connect-password-env': 'C_PW'}).connect).toEqual({
      url: 'http://c:8083',
      username: 'u',
      password: {env: 'C_PW'},
    })
    expect(() => profileFromFlags({brokers: 'k:9093', 'connect-username': 'u'})).toThrow(/without --connect-url/)
  })
})

describe('connect: the local worker', () => {
  it('pins Connect 4.3.1 for Kafka 4.4.0 (connect-file 4.4.0 is not on Maven Central) and the same version otherwise', () => {
    expect(connectVersionFor('4.4.0')).toBe('4.3.1')
    expect(connectVersionFor('3.9.1')).toBe('3.9.1')
    const pom = connectPom('4.3.1')
    for (const a of ['kafka-clients', 'connect-api', 'connect-runtime', 'connect-json', 'connect-transforms', 'connect-file'])
      expect(pom).toContain(`<artifactId>${a}</artifactId><version>4.3.1</version>`)
    // kafka-clients and connect-api first: Maven's nearest-first-declared rule picks them over transitive ones.
    expect(pom.indexOf('kafka-clients')).toBeLessThan(pom.indexOf('connect-file'))
  })

  it('writes a distributed worker config with kafkit-specific group and topics', () => {
    const p = props(workerProperties({bootstrap: ['127.0.0.1:9092'], host: '127.0.0.1', port: 8083, replicationFactor: 1, pluginPath: ['/p/a', '/p/b'], discovery: 'service_load'}))
    expect(p['group.id']).toBe(CONNECT_GROUP)
    expect([p['config.storage.topic'], p['offset.storage.topic'], p['status.storage.topic']]).toEqual([CONNECT_TOPICS.config, CONNECT_TOPICS.offset, CONNECT_TOPICS.status])
    expect(p['group.id']).toMatch(/^kafkit-/)
    expect(p['config.storage.replication.factor']).toBe('1')
    expect(p['listeners']).toBe('http://127.0.0.1:8083')
    expect(p['plugin.path']).toBe('/p/a,/p/b')
    expect(p['plugin.discovery']).toBe('service_load')
    expect(p['offset.flush.interval.ms']).toBe('1000')
  })

  it('leaves plugin.path out without plugins (Connect refuses it empty)', () => {
    expect(workerProperties({bootstrap: ['127.0.0.1:9092'], host: '127.0.0.1', port: 8083, replicationFactor: 1, pluginPath: [], discovery: 'service_load'})).not.toContain('plugin.path')
  })

  it('parses plugin coordinates and keeps one version per plugin', () => {
    expect(parsePluginCoordinate('io.debezium:debezium-connector-jdbc:3.6.0.Final')).toEqual({
      groupId: 'io.debezium',
      artifactId: 'debezium-connector-jdbc',
      version: '3.6.0.Final',
      id: 'io.debezium:debezium-connector-jdbc:3.6.0.Final',
    })
    for (const bad of ['debezium-connector-jdbc', 'a:b', 'a:b:c:d', 'a:b c:1']) expect(errorOf(() => parsePluginCoordinate(bad)).exitCode, bad).toBe(2)
    expect(unionPlugins(['g:a:1', 'g:b:1'], ['g:a:2', 'g:c:1'])).toEqual(['g:b:1', 'g:a:2', 'g:c:1'])
  })
})

describe('connect: the REST client against a stand-in server', () => {
  async function withServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void, fn: (url: string) => Promise<void>): Promise<void> {
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => handler(req, res, body))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, {'content-type': 'application/json'})
    res.end(body === undefined ? '' : JSON.stringify(body))
  }

  it('sends JSON with basic auth, retries "rebalance in progress", maps 404 to exit 3 naming the connector', async () => {
    let calls = 0
    await withServer(
      (req, res, body) => {
        if (req.url === '/connectors/a/config') {
          expect(req.headers.authorization).toBe(`Basic ${Buffer.from('ops:pw-1').toString('base64')}`)
          expect(JSON.parse(body)).toEqual({topics: 't'})
          if (++calls < 3) return send(res, 409, {error_code: 409, message: 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)'})
          return send(res, 201, {name: 'a', config: {}, tasks: [], type: 'sink'})
        }
        send(res, 404, {error_code: 404, message: 'Connector b not found'})
      },
      async (url) => {
        const client = new ConnectClient({url, username: 'ops', password: 'pw-1'}, {timeoutMs: 5000})
        expect(await client.putConfig('a', {topics: 't'})).toEqual({created: true})
        expect(calls).toBe(3)
        const missing = await client.status('b').catch((e: KafkitError) => e)
        expect(missing).toMatchObject({exitCode: 3, code: 'CONNECTOR_NOT_FOUND', message: `connector 'b' does not exist on ${url}`})
      },
    )
  })

  it('401 is exit 4, a refused config exit 2, an existing connector on create exit 2, a timeout exit 7', async () => {
    await withServer(
      (req, res) => {
        if (req.url === '/connectors' && req.method === 'GET') return send(res, 401, {error_code: 401, message: 'Unauthorized'})
        if (req.url === '/connectors' && req.method === 'POST') return send(res, 409, {error_code: 409, message: 'Connector a already exists'})
        if (req.url?.startsWith('/connectors/a/pause')) return send(res, 400, {error_code: 400, message: 'bad'})
        // /connector-plugins: never answers
      },
      async (url) => {
        const client = new ConnectClient({url}, {timeoutMs: 500})
        expect(await client.connectorNames().catch((e: KafkitError) => e)).toMatchObject({exitCode: 4, code: 'CONNECT_AUTHENTICATION_FAILED'})
        expect(await client.create('a', {}).catch((e: KafkitError) => e)).toMatchObject({exitCode: 2, code: 'CONNECTOR_EXISTS'})
        expect(await client.pause('a').catch((e: KafkitError) => e)).toMatchObject({exitCode: 2, code: 'CONNECT_REJECTED'})
        const slow = await client.plugins().catch((e: KafkitError) => e)
        expect(slow).toMatchObject({exitCode: 7, code: 'TIMEOUT'})
        expect((slow as KafkitError).message).toBe(`Kafka Connect at ${url} did not answer GET /connector-plugins within 500ms`)
      },
    )
  })

  it('403 (a login the worker knows, without the permission) is exit 9, like an ACL or the registry refusing', async () => {
    await withServer(
      (req, res) => send(res, 403, {error_code: 403, message: `User ops cannot ${req.method} ${req.url}`}),
      async (url) => {
        const client = new ConnectClient({url, username: 'ops', password: 'pw-1'}, {timeoutMs: 5000})
        for (const call of [() => client.connectorNames(), () => client.pause('a'), () => client.putConfig('a', {topics: 't'})]) {
          const error = (await call().catch((e: KafkitError) => e)) as KafkitError
          expect(error).toMatchObject({exitCode: 9, code: 'NOT_AUTHORIZED'})
          expect(error.message).toMatch(new RegExp(`^not authorized by Kafka Connect at ${url}: User ops cannot (GET|PUT) /connectors`))
        }
      },
    )
  })

  it('unreachable is exit 4 with the hint the caller gives', async () => {
    const client = new ConnectClient({url: 'http://127.0.0.1:1', unreachableHint: "start the local worker with 'kafkit local start --connect'"}, {timeoutMs: 2000})
    const error = (await client.connectorNames().catch((e: KafkitError) => e)) as KafkitError
    expect(error).toMatchObject({exitCode: 4, code: 'CONNECT_UNREACHABLE', message: 'cannot reach Kafka Connect at http://127.0.0.1:1 (ECONNREFUSED)'})
    expect(error.hint).toMatch(/kafkit local start --connect/)
  })
})
