/**
 * SCRAM users (KIP-554) for `kafkit users`: the requests (DescribeUserScramCredentials, AlterUserScramCredentials)
 * are encoded in kafkajs/protocol/scram-credentials.ts and sent over a kafkajs broker connection.
 */
import type {KafkaClient} from './client.js'
import {sendOn} from './kafkajs/internals.js'
import {withBroker} from './kafkajs/protocol/admin-requests.js'
import {
  ALTER_USER_SCRAM_CREDENTIALS,
  DESCRIBE_USER_SCRAM_CREDENTIALS,
  type DescribeScramResult,
  type ScramDeletion,
  type ScramUpsertion,
  type ScramUser,
  alterScramBody,
  decodeAlterScram,
  decodeDescribeScram,
  describeScramBody,
  errorOf,
  rawRequest,
  requireApi,
} from './kafkajs/protocol/scram-credentials.js'
import {sessionOf} from './kafkajs/session.js'

export {DEFAULT_ITERATIONS, SCRAM_MECHANISMS, type ScramDeletion, type ScramMechanism, type ScramUpsertion, type ScramUser, scramUpsertion} from './kafkajs/protocol/scram-credentials.js'

/** SCRAM users and their mechanisms; all users when `names` is undefined. Unknown names are left out. */
export async function describeScramUsers(client: KafkaClient, names?: string[]): Promise<ScramUser[]> {
  const result = await withBroker(
    sessionOf(client),
    'describing SCRAM users',
    async (broker) => {
      requireApi(broker, DESCRIBE_USER_SCRAM_CREDENTIALS, 'DescribeUserScramCredentials')
      return sendOn(broker, {
        request: rawRequest(DESCRIBE_USER_SCRAM_CREDENTIALS, 'DescribeUserScramCredentials', describeScramBody(names ?? null)),
        response: {decode: async (raw: Buffer) => decodeDescribeScram(raw), parse: async (data: DescribeScramResult) => data},
      })
    },
    {anyBroker: true},
  )
  if (result.errorCode !== 0) throw errorOf(result.errorCode, result.errorMessage, 'users')
  const users: ScramUser[] = []
  for (const r of result.results) {
    // RESOURCE_NOT_FOUND (91): a named user without credentials.
    if (r.errorCode === 91) continue
    if (r.errorCode !== 0) throw errorOf(r.errorCode, r.errorMessage, r.user)
    users.push({name: r.user, credentials: r.credentials})
  }
  return users.sort((a, b) => a.name.localeCompare(b.name))
}

/** Applies deletions and upsertions in one request; throws the first user's error with the broker's message. */
export async function alterScramUsers(client: KafkaClient, deletions: ScramDeletion[], upsertions: ScramUpsertion[]): Promise<void> {
  // The broker refuses a request that names a user twice ("cannot be altered twice in the same request"), even
  // for two mechanisms: one request per round, each user at most once in it.
  const rounds: {deletions: ScramDeletion[]; upsertions: ScramUpsertion[]}[] = []
  const place = (name: string) => {
    let round = rounds.find((r) => !r.deletions.some((d) => d.name === name) && !r.upsertions.some((u) => u.name === name))
    if (!round) rounds.push((round = {deletions: [], upsertions: []}))
    return round
  }
  for (const d of deletions) place(d.name).deletions.push(d)
  for (const u of upsertions) place(u.name).upsertions.push(u)
  for (const round of rounds) await alterScramRound(client, round.deletions, round.upsertions)
}

async function alterScramRound(client: KafkaClient, deletions: ScramDeletion[], upsertions: ScramUpsertion[]): Promise<void> {
  const results = await withBroker(sessionOf(client), 'changing SCRAM users', async (broker) => {
    requireApi(broker, ALTER_USER_SCRAM_CREDENTIALS, 'AlterUserScramCredentials')
    return sendOn(broker, {
      request: rawRequest(ALTER_USER_SCRAM_CREDENTIALS, 'AlterUserScramCredentials', alterScramBody(deletions, upsertions)),
      response: {decode: async (raw: Buffer) => decodeAlterScram(raw), parse: async (data: ReturnType<typeof decodeAlterScram>) => data},
    })
  })
  const failed = results.find((r) => r.errorCode !== 0)
  if (failed) throw errorOf(failed.errorCode, failed.errorMessage, failed.user)
}
