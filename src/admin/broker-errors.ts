/** A broker's refusal of an admin change (quotas, broker configs) as one KafkitError with the broker's words. */
import {ExitCode, KafkitError, usageError} from '../errors.js'
import {BrokerResourceError} from '../kafka/topics.js'

export function brokerRefusal(error: unknown, what: string): unknown {
  if (!(error instanceof BrokerResourceError)) return error
  const msg = error.message.replace(/\.$/, '')
  switch (error.type) {
    case 'INVALID_CONFIG':
    case 'INVALID_REQUEST':
      return usageError(`${what}: the broker refused it: ${msg}`, 'check the key and the value', 'BAD_CONFIG_VALUE')
    case 'CLUSTER_AUTHORIZATION_FAILED':
      return new KafkitError('NOT_AUTHORIZED', `${what}: not authorized: ${msg}`, {hint: 'the principal needs ALTER_CONFIGS / DESCRIBE_CONFIGS on the cluster', exitCode: ExitCode.FAILED})
    default:
      return new KafkitError(error.type, `${what}: ${msg}`, {hint: 'run again with --debug for details', exitCode: ExitCode.FAILED})
  }
}
