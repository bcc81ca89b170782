/** ACL bindings in Kafka's own words (kafka-acls.sh's vocabulary), as the port sends and returns them. */

export const RESOURCE_TYPES = ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'] as const
export type ResourceType = (typeof RESOURCE_TYPES)[number]

export const OPERATIONS = ['ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE'] as const
export type Operation = (typeof OPERATIONS)[number]

export type Permission = 'ALLOW' | 'DENY'
/** Stored bindings are LITERAL or PREFIXED; filters also take MATCH (what applies to a name) and ANY. */
export type PatternType = 'LITERAL' | 'PREFIXED'
export type FilterPatternType = PatternType | 'MATCH' | 'ANY'

/** The cluster resource's only name. */
export const CLUSTER_NAME = 'kafka-cluster'

export interface AclBinding {
  principal: string
  host: string
  operation: Operation
  permission: Permission
  resourceType: ResourceType
  resourceName: string
  patternType: PatternType
}

/** Undefined fields match anything. */
export interface AclFilter {
  principal?: string
  host?: string
  operation?: Operation
  permission?: Permission
  resourceType?: ResourceType
  resourceName?: string
  patternType?: FilterPatternType
}
