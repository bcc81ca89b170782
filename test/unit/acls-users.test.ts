import {createHash, createHmac} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {type AclBinding, bindingsToCreate, formatBinding, grantBindings, matchesFilter, parseAclDocument, planAcls} from '../../src/acls/model.js'
import {KafkitError} from '../../src/errors.js'
import {authorizationError, mapKafkaError} from '../../src/kafka/errors.js'
import {alterScramBody, decodeAlterScram, decodeDescribeScram, describeScramBody, saltedPassword, scramUpsertion} from '../../src/kafka/kafkajs/protocol/scram-credentials.js'
import {securedBrokerProperties, securityFiles} from '../../src/local/security.js'
import {readPassword} from '../../src/users/passwords.js'

const b = (over: Partial<AclBinding>): AclBinding => ({
  principal: 'User:bob',
  host: '*',
  operation: 'READ',
  permission: 'ALLOW',
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  ...over,
})

describe('SCRAM salting', () => {
  it('matches the RFC 7677 SCRAM-SHA-256 example (client proof from the salted password)', () => {
    const salted = saltedPassword('SCRAM-SHA-256', 'pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096)
    const clientKey = createHmac('sha256', salted).update('Client Key').digest()
    const storedKey = createHash('sha256').update(clientKey).digest()
    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0'
    const signature = createHmac('sha256', storedKey).update(authMessage).digest()
    const proof = Buffer.from(clientKey.map((x, i) => x ^ signature[i]))
    expect(proof.toString('base64')).toBe('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')
  })

  it('uses the hash length of each mechanism and a fresh 32-byte salt per credential', () => {
    const a = scramUpsertion('bob', 'SCRAM-SHA-512', 'pw', 4096)
    const c = scramUpsertion('bob', 'SCRAM-SHA-512', 'pw', 4096)
    expect(a.saltedPassword).toHaveLength(64)
    expect(scramUpsertion('bob', 'SCRAM-SHA-256', 'pw', 4096).saltedPassword).toHaveLength(32)
    expect(a.salt).toHaveLength(32)
    expect(a.salt.equals(c.salt)).toBe(false)
    expect(a.saltedPassword.equals(saltedPassword('SCRAM-SHA-512', 'pw', a.salt, 4096))).toBe(true)
  })
})

describe('SCRAM request bytes (flexible v0, after request header v2 tags)', () => {
  it('DescribeUserScramCredentials: all users (null array) and named users', () => {
    expect(describeScramBody(null).toString('hex')).toBe('000000')
    // header tags, array of 1 (+1), "bob" (3+1), user tags, request tags
    expect(describeScramBody(['bob']).toString('hex')).toBe('00' + '02' + '04' + Buffer.from('bob').toString('hex') + '00' + '00')
  })

  it('AlterUserScramCredentials: deletions then upsertions', () => {
    const up = {name: 'al', mechanism: 'SCRAM-SHA-256' as const, iterations: 4096, salt: Buffer.from([1, 2]), saltedPassword: Buffer.from([9])}
    const hex = alterScramBody([{name: 'x', mechanism: 'SCRAM-SHA-512'}], [up]).toString('hex')
    expect(hex).toBe(
      '00' + // header tags
        '02' +
        '02' +
        '78' +
        '02' +
        '00' + // deletions: [x, mechanism 2, tags]
        '02' +
        '03' +
        '616c' +
        '01' +
        '00001000' +
        '03' +
        '0102' +
        '02' +
        '09' +
        '00' + // upsertions
        '00', // request tags
    )
  })

  it('decodes the responses (response header v1 tags first)', () => {
    const describe = Buffer.from(
      '00' +
        '00000000' +
        '0000' +
        '00' + // tags, throttle, error 0, null message
        '03' + // 2 results
        '04' +
        '626f62' +
        '0000' +
        '00' +
        '02' +
        '02' +
        '00002000' +
        '00' +
        '00' + // bob: SHA-512 x 8192
        '02' +
        '78' +
        '005b' +
        '00' +
        '01' +
        '00', // x: RESOURCE_NOT_FOUND (91), no credentials
      'hex',
    )
    expect(decodeDescribeScram(describe)).toEqual({
      errorCode: 0,
      errorMessage: null,
      results: [
        {user: 'bob', errorCode: 0, errorMessage: null, credentials: [{mechanism: 'SCRAM-SHA-512', iterations: 8192}]},
        {user: 'x', errorCode: 91, errorMessage: null, credentials: []},
      ],
    })
    expect(decodeAlterScram(Buffer.from('00' + '00000000' + '02' + '04626f62' + '0000' + '00' + '00', 'hex'))).toEqual([{user: 'bob', errorCode: 0, errorMessage: null}])
  })
})

describe('ACL shortcuts and plans', () => {
  it('grant --producer/--consumer gives what kafka-acls gives', () => {
    const out = grantBindings({principal: 'bob', producer: true, consumer: true, topics: ['orders'], groups: ['billing']}).map(formatBinding)
    expect(out).toEqual([
      "ALLOW User:bob READ group 'billing'",
      "ALLOW User:bob CREATE topic 'orders'",
      "ALLOW User:bob DESCRIBE topic 'orders'",
      "ALLOW User:bob READ topic 'orders'",
      "ALLOW User:bob WRITE topic 'orders'",
    ])
    expect(() => grantBindings({principal: 'bob', consumer: true, topics: ['orders']})).toThrow(/--consumer needs the consumer group/)
  })

  it('create: principals x operations x resources, checked against the resource type', () => {
    expect(bindingsToCreate({allow: ['User:a'], deny: ['b'], operations: ['READ'], topics: ['t'], patternType: 'PREFIXED'})).toHaveLength(2)
    expect(() => bindingsToCreate({allow: ['a'], deny: [], operations: ['WRITE'], groups: ['g']})).toThrow(/WRITE does not apply to groups/)
    expect(() => bindingsToCreate({allow: ['a'], deny: [], operations: ['READ']})).toThrow(/no resource/)
  })

  it('filters: match covers literal, wildcard and prefixed ACLs of a name', () => {
    expect(matchesFilter(b({resourceName: 'store-', patternType: 'PREFIXED'}), {resourceType: 'TOPIC', resourceName: 'store-1.sales', patternType: 'MATCH'})).toBe(true)
    expect(matchesFilter(b({resourceName: '*'}), {resourceName: 'x', patternType: 'MATCH'})).toBe(true)
    expect(matchesFilter(b({}), {resourceName: 'orders', patternType: 'PREFIXED'})).toBe(false)
  })

  it("apply: creates what is missing; prune deletes only the file principals' other ACLs", () => {
    const file = parseAclDocument({acls: [{principal: 'bob', operations: ['read', 'describe'], topic: 'orders'}]}, 'acls.yaml')
    const actual = [b({}), b({operation: 'WRITE'}), b({principal: 'User:carol'})]
    expect(planAcls(file, actual)).toMatchObject({create: [b({operation: 'DESCRIBE'})], delete: [], unchanged: 1})
    expect(planAcls(file, actual, {prune: true}).delete).toEqual([b({operation: 'WRITE'})])
  })

  it('rejects unknown fields and operations with the place in the file (exit 2)', () => {
    const bad = (doc: unknown) => {
      try {
        parseAclDocument(doc, 'a.yaml')
      } catch (error) {
        return `${(error as KafkitError).exitCode} ${(error as Error).message}`
      }
      return 'accepted'
    }
    expect(bad({acls: [{principal: 'a', operations: ['READ'], topic: 't', typo: 1}]})).toMatch(/^2 a.yaml: acls\[0\].typo: unknown field/)
    expect(bad({acls: [{principal: 'a', operations: ['FLY'], topic: 't'}]})).toMatch(/unknown operation 'FLY'/)
    expect(bad({acls: [{principal: 'a', operations: ['READ'], topic: 't', group: 'g'}]})).toMatch(/exactly one resource/)
  })
})

describe('denials', () => {
  it('one line naming principal, operation and resource, exit 9', () => {
    const e = authorizationError('TOPIC_AUTHORIZATION_FAILED', {brokers: [], principal: 'User:alice', access: [{operation: 'READ', resourceType: 'topic', name: 'orders'}]})
    expect(e.message).toBe("alice may not READ topic 'orders'")
    expect(e.exitCode).toBe(9)
    expect(e.hint).toContain('kafkit acls grant alice --consumer --topic orders')
  })

  it('kafkajs protocol errors map through mapKafkaError, operation from the call', () => {
    const err = Object.assign(new Error('Not authorized to access group'), {name: 'KafkaJSProtocolError', type: 'GROUP_AUTHORIZATION_FAILED'})
    const e = mapKafkaError(err, {brokers: ['b:1'], principal: 'User:bob', what: "reading offsets of group 'g1'"})
    expect(e.message).toBe("bob may not READ group 'g1'")
    expect(e.exitCode).toBe(9)
  })
})

describe('passwords', () => {
  it('come from a variable or stdin, never empty, never both', async () => {
    expect(await readPassword({env: 'PW'}, {PW: 's3cret'})).toBe('s3cret')
    expect(await readPassword({stdin: true}, {}, [Buffer.from('from-stdin\n')])).toBe('from-stdin')
    await expect(readPassword({}, {})).rejects.toThrow(/no password source/)
    await expect(readPassword({env: 'NOPE'}, {})).rejects.toThrow(/NOPE is not set/)
    await expect(readPassword({env: 'PW', stdin: true}, {PW: 'x'})).rejects.toThrow(/cannot be used together/)
  })
})

describe('local --secure cluster', () => {
  it('enforces ACLs, with the local admin identities as super users', () => {
    const props = securedBrokerProperties(securityFiles('/tmp/x'), {username: 'alice', password: 'p', keyPassphrase: 'k', oauthScope: 'kafkit'})
    expect(props['authorizer.class.name']).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer')
    expect(props['super.users']).toBe('User:ANONYMOUS;User:alice;User:CN=kafkit-client')
  })
})
