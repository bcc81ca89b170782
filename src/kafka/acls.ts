/**
 * DescribeAcls / CreateAcls / DeleteAcls through kafkajs' admin (v1 of each: Kafka 4.x accepts v1-v3, so v1
 * still works; see README's Compatibility). Bindings use the names of src/acls/model.ts.
 */
import type {AclBinding, AclFilter, FilterPatternType, Operation, Permission, PatternType, ResourceType} from './acl-types.js'
import {KafkitError} from '../errors.js'
import type {KafkaClient} from './client.js'
import {sessionOf} from './kafkajs/session.js'
import {authorizationError} from './errors.js'

const RESOURCE_CODE: Record<ResourceType | 'ANY', number> = {ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5}
const OPERATION_CODE: Record<Operation | 'ANY', number> = {
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
}
const PERMISSION_CODE: Record<Permission | 'ANY', number> = {ANY: 1, DENY: 2, ALLOW: 3}
const PATTERN_CODE: Record<FilterPatternType, number> = {ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4}

const invert = <T extends string>(m: Record<T, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k])) as Record<number, T>
const RESOURCE_NAME = invert(RESOURCE_CODE)
const OPERATION_NAME = invert(OPERATION_CODE)
const PERMISSION_NAME = invert(PERMISSION_CODE)
const PATTERN_NAME = invert(PATTERN_CODE)

function filterRequest(f: AclFilter) {
  return {
    resourceType: RESOURCE_CODE[f.resourceType ?? 'ANY'],
    resourceName: f.resourceName,
    resourcePatternType: PATTERN_CODE[f.patternType ?? (f.resourceName === undefined ? 'ANY' : 'LITERAL')],
    principal: f.principal,
    host: f.host,
    operation: OPERATION_CODE[f.operation ?? 'ANY'],
    permissionType: PERMISSION_CODE[f.permission ?? 'ANY'],
  }
}

function bindingRequest(b: AclBinding) {
  return {
    resourceType: RESOURCE_CODE[b.resourceType],
    resourceName: b.resourceName,
    resourcePatternType: PATTERN_CODE[b.patternType],
    principal: b.principal,
    host: b.host,
    operation: OPERATION_CODE[b.operation],
    permissionType: PERMISSION_CODE[b.permission],
  }
}

interface RawAcl {
  principal: string
  host: string
  operation: number
  permissionType: number
}

function toBinding(resource: {resourceType: number; resourceName: string; resourcePatternType: number}, acl: RawAcl): AclBinding {
  return {
    principal: acl.principal,
    host: acl.host,
    operation: (OPERATION_NAME[acl.operation] ?? 'ANY') as Operation,
    permission: (PERMISSION_NAME[acl.permissionType] ?? 'ALLOW') as Permission,
    resourceType: (RESOURCE_NAME[resource.resourceType] ?? 'TOPIC') as ResourceType,
    resourceName: resource.resourceName,
    patternType: (PATTERN_NAME[resource.resourcePatternType] ?? 'LITERAL') as PatternType,
  }
}

/** Listing ACLs needs DESCRIBE on the cluster: a denial says so in one line. */
function clusterDenial(client: KafkaClient, operation: string) {
  return (error: unknown): never => {
    if (error instanceof KafkitError && error.code === 'NOT_AUTHORIZED') {
      throw authorizationError('CLUSTER_AUTHORIZATION_FAILED', {...client.errorContext, access: [{operation, resourceType: 'cluster', name: 'kafka-cluster'}]}, error)
    }
    throw error
  }
}

export async function describeAcls(client: KafkaClient, filter: AclFilter = {}): Promise<AclBinding[]> {
  const admin = await sessionOf(client).admin()
  const {resources} = await client
    .call(
      'describing ACLs',
      () => admin.describeAcls(filterRequest(filter) as never) as Promise<{resources: {resourceType: number; resourceName: string; resourcePatternType: number; acls: RawAcl[]}[]}>,
    )
    .catch(clusterDenial(client, 'DESCRIBE'))
  return resources.flatMap((r) => r.acls.map((a) => toBinding(r, a)))
}

export async function createAcls(client: KafkaClient, bindings: AclBinding[]): Promise<void> {
  if (bindings.length === 0) return
  const admin = await sessionOf(client).admin()
  await client.call('creating ACLs', () => admin.createAcls({acl: bindings.map(bindingRequest) as never})).catch(clusterDenial(client, 'ALTER'))
}

/** Deletes what each filter matches; returns the bindings the broker deleted. */
export async function deleteAcls(client: KafkaClient, filters: AclFilter[]): Promise<AclBinding[]> {
  if (filters.length === 0) return []
  const admin = await sessionOf(client).admin()
  const {filterResponses} = await client
    .call(
      'deleting ACLs',
      () =>
        admin.deleteAcls({filters: filters.map(filterRequest) as never}) as unknown as Promise<{
          filterResponses: {matchingAcls: (RawAcl & {resourceType: number; resourceName: string; resourcePatternType: number})[]}[]
        }>,
    )
    .catch(clusterDenial(client, 'ALTER'))
  return filterResponses.flatMap((r) => r.matchingAcls.map((a) => toBinding(a, a)))
}

/** Deletes exactly these bindings (each as a fully specified filter). */
export async function deleteBindings(client: KafkaClient, bindings: AclBinding[]): Promise<AclBinding[]> {
  return deleteAcls(
    client,
    bindings.map((b) => ({...b})),
  )
}
