/**
 * kafkajs sends InitProducerId (every idempotent producer's connect) and many admin requests (DescribeConfigs,
 * CreateTopics, ...) to "the controller" named in its cached metadata, and gives up when that node does not
 * answer: with one node of a cluster down, `produce -b a,b` failed with exit 4 before sending anything whenever
 * the metadata named the dead node (KRaft names a random broker as the controller to clients, and keeps a killed
 * one in its metadata until it is fenced, or for as long as the quorum is lost).
 * Any broker takes these requests (KRaft brokers forward admin requests to the active controller; a ZooKeeper
 * cluster's non-controller answers NOT_CONTROLLER, which kafkajs retries), so when the named node cannot be
 * reached, the other brokers of the metadata are tried before the connection error is reported.
 * Patches `Cluster.prototype.findControllerBroker` (`kafkajs/src/cluster/index.js`) once kafkajs is loaded; a fix,
 * so installed with KAFKIT_KAFKAJS_PATCHES=0 too.
 * Checked on: kafkajs 2.2.4. Pinned by: test/integration/produce-faults.test.ts (one node of two killed).
 */
import {requireKafkaJS} from '../require.js'

interface ClusterLike {
  brokerPool: {metadata?: {controllerId?: number | null; brokers?: {nodeId: number}[]}}
  findBroker(args: {nodeId: string | number}): Promise<unknown>
}
interface ClusterProto {
  findControllerBroker: ((this: ClusterLike) => Promise<unknown>) & {kafkitFallback?: boolean}
}

const CONNECTION_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError'])

export function patchControllerFallback(): boolean {
  try {
    const proto = (requireKafkaJS('kafkajs/src/cluster/index.js') as {prototype: ClusterProto}).prototype
    if (proto.findControllerBroker.kafkitFallback) return true
    const original = proto.findControllerBroker
    const patched: ClusterProto['findControllerBroker'] = async function () {
      const named = this.brokerPool.metadata?.controllerId
      try {
        return await original.call(this)
      } catch (error) {
        if (!CONNECTION_ERRORS.has((error as Error).name)) throw error
        // The metadata may have been refreshed meanwhile: every node but the one that did not answer.
        const others = (this.brokerPool.metadata?.brokers ?? []).map((b) => b.nodeId).filter((id) => String(id) !== String(named))
        for (const nodeId of others.sort(() => Math.random() - 0.5)) {
          try {
            return await this.findBroker({nodeId: String(nodeId)})
          } catch {
            // that one is down too: the next
          }
        }
        throw error
      }
    }
    patched.kafkitFallback = true
    proto.findControllerBroker = patched
    return true
  } catch {
    return false
  }
}
