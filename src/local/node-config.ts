/** server.properties for the nodes of a local KRaft cluster: pure, unit-tested. */

export interface LocalNode {
  id: number
  /** PLAINTEXT client port (9092, 9093, 9094 for three nodes). */
  port: number
  controllerPort: number
  dir: string
  dataDir: string
  logFile: string
  propertiesFile: string
}

export interface ClusterLayout {
  nodes: LocalNode[]
  host: string
  /** Adds the secured listeners of `securedListeners()` to every node (`kafkit local start --secure`). */
  secure?: boolean
}

/** The secured listeners a node gets with --secure: name, security protocol and port offset from the PLAINTEXT port. */
export const SECURED_LISTENERS = [
  {name: 'SASL_PLAINTEXT', protocol: 'SASL_PLAINTEXT', offset: 1000},
  {name: 'SSL', protocol: 'SSL', offset: 2000},
  // TLS with a required client certificate (mTLS): a listener of its own so that plain TLS stays testable.
  {name: 'MTLS', protocol: 'SSL', offset: 3000},
  {name: 'SASL_SSL', protocol: 'SASL_SSL', offset: 4000},
] as const

export type SecuredListenerName = (typeof SECURED_LISTENERS)[number]['name']

/** Ports of a node's secured listeners (9092 -> 10092 SASL_PLAINTEXT, 11092 SSL, 12092 MTLS, 13092 SASL_SSL). */
export function securedPorts(node: Pick<LocalNode, 'port'>): Record<SecuredListenerName, number> {
  return Object.fromEntries(SECURED_LISTENERS.map((l) => [l.name, node.port + l.offset])) as Record<SecuredListenerName, number>
}

/** Client ports start at basePort; controller ports at basePort + 10000. */
export function planNodes(count: number, basePort: number, root: string): LocalNode[] {
  return Array.from({length: count}, (_, i) => {
    const id = i + 1
    const dir = `${root}/node-${id}`
    return {
      id,
      port: basePort + i,
      controllerPort: basePort + 10_000 + i,
      dir,
      dataDir: `${dir}/data`,
      logFile: `${dir}/kafka.log`,
      propertiesFile: `${dir}/server.properties`,
    }
  })
}

export function nodeProperties(node: LocalNode, layout: ClusterLayout, extra: Record<string, string | number | boolean> = {}): string {
  const n = layout.nodes.length
  const host = layout.host
  const secured = layout.secure ? SECURED_LISTENERS.map((l) => ({...l, port: node.port + l.offset})) : []
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node.id,
    'controller.quorum.voters': layout.nodes.map((x) => `${x.id}@${host}:${x.controllerPort}`).join(','),
    listeners: [`PLAINTEXT://${host}:${node.port}`, `CONTROLLER://${host}:${node.controllerPort}`, ...secured.map((l) => `${l.name}://${host}:${l.port}`)].join(','),
    'advertised.listeners': [`PLAINTEXT://${host}:${node.port}`, ...secured.map((l) => `${l.name}://${host}:${l.port}`)].join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...secured.map((l) => `${l.name}:${l.protocol}`)].join(','),
    'log.dirs': node.dataDir,
    'num.partitions': 1,
    'default.replication.factor': 1,
    // One node cannot host 3 replicas of the internal topics: without these, groups loop on
    // "group coordinator not available" (reported against Kafka 4.0).
    'offsets.topic.replication.factor': Math.min(3, n),
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': Math.min(3, n),
    'transaction.state.log.min.isr': Math.min(2, n),
    'share.coordinator.state.topic.replication.factor': Math.min(3, n),
    'share.coordinator.state.topic.min.isr': Math.min(2, n),
    // Fast tests; kafkit itself never relies on it.
    'group.initial.rebalance.delay.ms': 0,
    // Like most production clusters: producing to an unknown topic is an error, not a new topic.
    'auto.create.topics.enable': false,
    'log.retention.check.interval.ms': 60_000,
    ...extra,
  }
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  )
}

/**
 * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage random-uuid` prints).
 * The first byte's top bit is cleared so the id never starts with '-': StorageTool would read `-t -abc…` as a
 * missing argument (Kafka's own Uuid.randomUuid() rejects such ids for the same reason).
 */
export function randomClusterId(bytes: Uint8Array): string {
  const id = Buffer.from(bytes)
  id[0] = (id[0] ?? 0) & 0x7f
  return id.toString('base64url')
}
