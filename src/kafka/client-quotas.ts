/**
 * Client quotas (KIP-546) for `kafkit quotas`: DescribeClientQuotas and AlterClientQuotas are encoded in
 * kafkajs/protocol/client-quotas.ts and sent over a kafkajs broker connection.
 */
import type {KafkaClient} from './client.js'
import {sendOn} from './kafkajs/internals.js'
import {BrokerResourceError, withBroker} from './kafkajs/protocol/admin-requests.js'
import {
  ALTER_CLIENT_QUOTAS,
  type AlterQuotaEntry,
  DESCRIBE_CLIENT_QUOTAS,
  type QuotaEntry,
  type QuotaFilter,
  alterClientQuotasRequest,
  alterClientQuotasResponse,
  describeClientQuotasRequest,
  describeClientQuotasResponse,
  entityLabel,
  requireApi,
} from './kafkajs/protocol/client-quotas.js'
import {kafkajsCodec} from './kafkajs/protocol/codec.js'
import {sessionOf} from './kafkajs/session.js'

export {type AlterQuotaEntry, type QuotaEntityPart, type QuotaEntityType, type QuotaEntry, type QuotaFilter, type QuotaOp, entityLabel} from './kafkajs/protocol/client-quotas.js'

/** The quotas matching the filters (all quotas for no filters). */
export async function describeClientQuotas(client: KafkaClient, filters: QuotaFilter[], strict = false): Promise<QuotaEntry[]> {
  const result = await withBroker(sessionOf(client), 'reading client quotas', async (broker) => {
    requireApi(broker, DESCRIBE_CLIENT_QUOTAS, 'DescribeClientQuotas')
    return sendOn(broker, {request: describeClientQuotasRequest(filters, strict), response: describeClientQuotasResponse()})
  })
  if (result.errorCode !== 0) {
    const known = kafkajsCodec().errorType(result.errorCode)
    throw new BrokerResourceError('', known.type, result.errorCode, result.errorMessage ?? known.message)
  }
  return result.entries
}

/** Applies the changes; throws a BrokerResourceError (the broker's message) for the first entity that failed. */
export async function alterClientQuotas(client: KafkaClient, entries: AlterQuotaEntry[], options: {validateOnly?: boolean} = {}): Promise<void> {
  if (entries.length === 0) return
  const results = await withBroker(sessionOf(client), 'changing client quotas', async (broker) => {
    requireApi(broker, ALTER_CLIENT_QUOTAS, 'AlterClientQuotas')
    return sendOn(broker, {request: alterClientQuotasRequest(entries, options.validateOnly), response: alterClientQuotasResponse()})
  })
  const failed = results.find((r) => r.errorCode !== 0)
  if (failed) {
    const known = kafkajsCodec().errorType(failed.errorCode)
    throw new BrokerResourceError(entityLabel(failed.entity), known.type, failed.errorCode, failed.errorMessage ?? known.message)
  }
}
