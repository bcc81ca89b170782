/**
 * kafkajs loses an ACL denial of FindCoordinator: its broker pool tries each broker, swallows their errors and
 * reports "Failed to find group coordinator", which kafkit (rightly) retries as a coordinator still loading until
 * --timeout. A GROUP_ / TRANSACTIONAL_ID_AUTHORIZATION_FAILED seen on the way is rethrown instead, so that the
 * denial is reported at once (exit 9) and not as a timeout.
 * Patches `Cluster.prototype.findGroupCoordinatorMetadata` (`kafkajs/src/cluster/index.js`) once kafkajs is loaded.
 * Checked on: kafkajs 2.2.4. Pinned by: the admin-ops ACL tests (a denied group is exit 9 at once).
 */
import {requireKafkaJS} from '../require.js'

interface DeniedError extends Error {
  type?: string
}
type WithBroker = (callback: (ctx: unknown) => Promise<unknown>) => Promise<unknown>
interface ClusterProto {
  findGroupCoordinatorMetadata: ((this: {brokerPool: {withBroker: WithBroker}}, args: unknown) => Promise<unknown>) & {kafkitDenials?: boolean}
}

export function patchCoordinatorDenials(): boolean {
  try {
    const proto = (requireKafkaJS('kafkajs/src/cluster/index.js') as {prototype: ClusterProto}).prototype
    if (proto.findGroupCoordinatorMetadata.kafkitDenials) return true
    const original = proto.findGroupCoordinatorMetadata
    const patched: ClusterProto['findGroupCoordinatorMetadata'] = async function (args) {
      const pool = this.brokerPool
      const withBroker = pool.withBroker
      let denied: DeniedError | undefined
      pool.withBroker = (callback) =>
        withBroker.call(pool, async (ctx) => {
          try {
            return await callback(ctx)
          } catch (error) {
            const e = error as DeniedError
            if (/AUTHORIZATION_FAILED$/.test(e?.type ?? '')) denied ??= e
            throw error
          }
        })
      try {
        return await original.call(this, args)
      } catch (error) {
        if (denied && (error as Error).name === 'KafkaJSGroupCoordinatorNotFound') throw denied
        throw error
      } finally {
        pool.withBroker = withBroker
      }
    }
    patched.kafkitDenials = true
    proto.findGroupCoordinatorMetadata = patched
    return true
  } catch {
    return false
  }
}
