import {describe, expect, it} from 'vitest'

import {kafkaPom, loggingFor, versionFromLibs} from '../../src/local/distribution.js'
import {parseJavaVersion} from '../../src/local/java.js'
import {nodeProperties, planNodes, randomClusterId} from '../../src/local/node-config.js'

const props = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  )

describe('local cluster layout', () => {
  it('gives one node port 9092 and internal topics replication factor 1', () => {
    const nodes = planNodes(1, 9092, '/tmp/k')
    const p = props(nodeProperties(nodes[0], {nodes, host: '127.0.0.1'}))
    expect(p['listeners']).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092')
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:19092')
    expect(p['offsets.topic.replication.factor']).toBe('1')
    expect(p['transaction.state.log.replication.factor']).toBe('1')
    expect(p['auto.create.topics.enable']).toBe('false')
  })

  it('gives three nodes ports 9092-9094 and a three-voter quorum', () => {
    const nodes = planNodes(3, 9092, '/tmp/k')
    expect(nodes.map((n) => n.port)).toEqual([9092, 9093, 9094])
    const p = props(nodeProperties(nodes[2], {nodes, host: '127.0.0.1'}))
    expect(p['node.id']).toBe('3')
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:19092,2@127.0.0.1:19093,3@127.0.0.1:19094')
    expect(p['offsets.topic.replication.factor']).toBe('3')
    expect(p['transaction.state.log.min.isr']).toBe('2')
  })

  it('lets extra properties override defaults', () => {
    const nodes = planNodes(1, 9092, '/tmp/k')
    expect(props(nodeProperties(nodes[0], {nodes, host: '127.0.0.1'}, {'num.partitions': 3}))['num.partitions']).toBe('3')
  })

  it('makes 22-character URL-safe cluster ids', () => {
    expect(randomClusterId(new Uint8Array(16).fill(255))).toMatch(/^[\w-]{22}$/)
    // 0xf8… encodes to a leading '-', which StorageTool would take for a flag
    expect(randomClusterId(new Uint8Array(16).fill(0xf8))).toMatch(/^[^-]/)
  })
})

describe('Kafka distribution', () => {
  it('picks the SLF4J binding each major needs', () => {
    expect(loggingFor('4.4.0').artifacts.join()).toContain('log4j-slf4j-impl')
    expect(loggingFor('3.9.1').artifacts.join()).toContain('slf4j-reload4j')
  })

  it('asks Maven for the broker, the tools and the binding', () => {
    const pom = kafkaPom('4.4.0')
    expect(pom).toContain('<artifactId>kafka_2.13</artifactId><version>4.4.0</version>')
    expect(pom).toContain('<artifactId>kafka-tools</artifactId>')
  })

  it('reads the version of an unpacked distribution', () => {
    expect(versionFromLibs(['a.jar', 'kafka_2.13-3.9.1.jar'])).toBe('3.9.1')
    expect(versionFromLibs(['a.jar'])).toBeUndefined()
  })

  it('parses java -version', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15')?.major).toBe(17)
    expect(parseJavaVersion('java version "1.8.0_392"')?.major).toBe(8)
    expect(parseJavaVersion('nope')).toBeUndefined()
  })
})
