/** Flags shared by the `acls` commands, in kafka-acls.sh's words. */
import {Flags} from '@oclif/core'

import {usageError} from '../errors.js'
import {type AclFilter, type FilterPatternType, type Operation, type ResourceSelection, CLUSTER_NAME, normalizePrincipal, parseOperation, parsePatternType, resourcesOf} from './model.js'

export const resourceFlags = {
  topic: Flags.string({description: 'a topic (repeatable)', multiple: true}),
  group: Flags.string({description: 'a consumer group (repeatable)', multiple: true}),
  'transactional-id': Flags.string({description: 'a transactional id (repeatable)', multiple: true}),
  cluster: Flags.boolean({description: 'the cluster resource'}),
  'resource-pattern-type': Flags.string({
    description: 'literal (default), prefixed; list/delete also take match and any',
    options: ['literal', 'prefixed', 'match', 'any', 'LITERAL', 'PREFIXED', 'MATCH', 'ANY'],
  }),
}

export function selection(flags: {topic?: string[]; group?: string[]; 'transactional-id'?: string[]; cluster?: boolean}): ResourceSelection {
  return {topics: flags.topic, groups: flags.group, transactionalIds: flags['transactional-id'], cluster: flags.cluster}
}

export function patternOf(flags: {'resource-pattern-type'?: string}): FilterPatternType | undefined {
  return flags['resource-pattern-type'] ? parsePatternType(flags['resource-pattern-type']) : undefined
}

export function operationsOf(values: string[] | undefined): Operation[] {
  return [
    ...new Set(
      (values ?? [])
        .flatMap((v) => v.split(','))
        .filter(Boolean)
        .map(parseOperation),
    ),
  ]
}

/**
 * Filters for list/delete: one per resource (or one for every resource), times each principal and operation.
 * Mirrors kafka-acls --list/--remove.
 */
export function filtersOf(
  sel: ResourceSelection,
  options: {principals?: string[]; operations?: Operation[]; hosts?: string[]; patternType?: FilterPatternType; permission?: 'ALLOW' | 'DENY'},
): AclFilter[] {
  const resources: {resourceType?: AclFilter['resourceType']; resourceName?: string}[] = resourcesOf(sel)
  if (resources.length === 0) {
    if (options.patternType && options.patternType !== 'ANY') throw usageError('--resource-pattern-type needs a resource', 'add --topic, --group, --transactional-id or --cluster', 'NO_RESOURCE')
    resources.push({})
  }
  const principals = options.principals && options.principals.length > 0 ? options.principals.map(normalizePrincipal) : [undefined]
  const operations = options.operations && options.operations.length > 0 ? options.operations : [undefined]
  const hosts = options.hosts && options.hosts.length > 0 ? options.hosts : [undefined]
  const out: AclFilter[] = []
  for (const r of resources)
    for (const principal of principals)
      for (const operation of operations)
        for (const host of hosts)
          out.push({
            ...r,
            ...(r.resourceName !== undefined
              ? {patternType: r.resourceName === CLUSTER_NAME ? 'LITERAL' : (options.patternType ?? 'LITERAL')}
              : options.patternType
                ? {patternType: options.patternType}
                : {}),
            ...(principal ? {principal} : {}),
            ...(operation ? {operation} : {}),
            ...(host ? {host} : {}),
            ...(options.permission ? {permission: options.permission} : {}),
          })
  return out
}
