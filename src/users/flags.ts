/** Flags shared by `users create` and `users set-password`. */
import {Flags} from '@oclif/core'

import {DEFAULT_ITERATIONS} from '../kafka/scram-credentials.js'

export interface UserChange {
  user: string
  mechanisms: string[]
  iterations: number
}

export const passwordFlags = {
  mechanism: Flags.string({description: 'scram-sha-256 or scram-sha-512 (repeatable)', multiple: true, default: ['scram-sha-512']}),
  'password-env': Flags.string({description: 'name of the environment variable that holds the password'}),
  'password-stdin': Flags.boolean({description: 'read the password from stdin'}),
  iterations: Flags.integer({description: 'PBKDF2 iterations (Kafka accepts 4096-16384)', default: DEFAULT_ITERATIONS, min: 4096, max: 16_384}),
}
