import {KafkaCommand} from '../../base-command.js'
import {type ClusterVersion, clusterVersion} from '../../brokers/version.js'
import {type BrokerInfo, type ClusterInfo, describeBrokerSoftware, describeClusterInfo} from '../../kafka/cluster-info.js'
import {readState} from '../../local/lifecycle.js'
import {renderPairs, renderTable} from '../../output/table.js'

export interface ClusterInfoResult extends Omit<ClusterInfo, 'brokers'> {
  version: ClusterVersion
  brokers: (BrokerInfo & {
    /** The release of the broker's software (`4.4`), from its ApiVersions features; null when unknown. */
    kafkaVersion: string | null
  })[]
}

export default class ClusterInfoCommand extends KafkaCommand<ClusterInfoResult> {
  static summary = 'Show the cluster id, Kafka version, controller, brokers (racks), and topic and partition counts'
  static description = `Kafka tells clients no software version. The cluster that 'kafkit local' started here (same cluster id) shows the exact version of its jars; any other shows each broker's release (4.4), from the newest metadata.version its software supports (ApiVersions v3 features), and the cluster's finalized metadata.version (what it runs at: lower than the release until the features are upgraded). --json: "version": {"kafka","source","metadataVersion","metadataVersionLevel"}, and per broker "rack" and "kafkaVersion".`
  static examples = ['<%= config.bin %> cluster info', '<%= config.bin %> cluster info -b 127.0.0.1:9092 --json']

  async run(): Promise<ClusterInfoResult> {
    await this.parse(ClusterInfoCommand)
    const client = await this.client()
    const info = await describeClusterInfo(client)
    const [software, local] = await Promise.all([
      describeBrokerSoftware(
        client,
        info.brokers.map((b) => b.id),
      ),
      readState().catch(() => undefined),
    ])
    for (const [id, s] of software) if (s instanceof Error) this.io.debugLog(`broker ${id}: no ApiVersions features (${s.message})`)
    const version = clusterVersion(software, local, info.clusterId)
    const result: ClusterInfoResult = {
      ...info,
      version,
      brokers: info.brokers.map((b) => {
        const s = software.get(b.id)
        return {...b, kafkaVersion: s && !(s instanceof Error) ? s.release : null}
      }),
    }
    const racks = result.brokers.some((b) => b.rack !== null)
    this.render(result, (r, io) => {
      renderPairs(io, [
        ['cluster id', r.clusterId],
        ['kafka', r.version.kafka ? `${r.version.kafka} (${r.version.source === 'kafkit local' ? 'kafkit local' : "from the brokers' features"})` : 'unknown'],
        ['metadata.version', r.version.metadataVersion ? `${r.version.metadataVersion} (level ${r.version.metadataVersionLevel})` : 'unknown'],
        ['controller', r.controller ?? 'none'],
        ['topics', `${r.topics} (+${r.internalTopics} internal)`],
        ['partitions', r.partitions],
      ])
      if (io.stdoutIsTTY) io.out('')
      renderTable(
        io,
        [
          {header: 'BROKER', get: (b) => b.id, align: 'right'},
          {header: 'ADDRESS', get: (b) => b.address},
          ...(racks ? [{header: 'RACK', get: (b: ClusterInfoResult['brokers'][number]) => b.rack}] : []),
          {header: 'VERSION', get: (b) => b.kafkaVersion},
          {header: 'ROLE', get: (b) => (b.controller ? 'controller' : '')},
        ],
        r.brokers,
      )
    })
    return result
  }
}
