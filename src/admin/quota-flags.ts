/** The entity flags every `quotas` command takes (commands never import each other, so they live here). */
import {Flags} from '@oclif/core'

export const quotaEntityFlags = {
  user: Flags.string({description: 'user principal name (SASL user, or the TLS principal)', helpGroup: 'ENTITY'}),
  'client-id': Flags.string({description: 'client id', helpGroup: 'ENTITY'}),
  ip: Flags.string({description: 'client IP address (alone: not combined with --user/--client-id)', helpGroup: 'ENTITY'}),
  'default-user': Flags.boolean({description: 'the default quota of every user without its own', helpGroup: 'ENTITY'}),
  'default-client-id': Flags.boolean({description: 'the default quota of every client id without its own', helpGroup: 'ENTITY'}),
  'default-ip': Flags.boolean({description: 'the default quota of every IP without its own', helpGroup: 'ENTITY'}),
}
