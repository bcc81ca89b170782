/** replay's schema flags: when the destination has its own registry, a SchemaIdMapper rewrites ids on the way. */
import {Flags} from '@oclif/core'

import {usageError} from '../errors.js'
import type {IdMapping, SchemaIdMapper} from './id-mapper.js'
import type {RegistryApi} from './store.js'

export const replaySchemaFlags = {
  'to-schema-registry': Flags.string({
    description: "the destination's schema registry URL (default: --to-profile's): schemas of wire-format records are registered there under the same subjects and their ids rewritten",
    helpGroup: 'SCHEMAS',
  }),
}

export interface ReplayRegistries {
  source?: {url: string; open: () => Promise<RegistryApi>}
  destination?: {url: string; open: () => Promise<RegistryApi>}
  dryRun: boolean
  warn: (line: string) => void
  sourceTopic: string
}

/** undefined when no id needs rewriting (no destination registry, or the same one as the source's). */
export async function openReplaySchemaIds(registries: ReplayRegistries): Promise<SchemaIdMapper | undefined> {
  const {source, destination} = registries
  if (!destination || (source && sameRegistry(source.url, destination.url))) return undefined
  if (!source) {
    throw usageError(
      'the destination has its own schema registry, but the source has none to read schemas from',
      'pass the source registry with --schema-registry URL (or KAFKIT_SCHEMA_REGISTRY_URL, or the source profile)',
      'NO_SCHEMA_REGISTRY',
    )
  }
  const [{SchemaIdMapper}, {isNotFound}] = await Promise.all([import('./id-mapper.js'), import('./consume-setup.js')])
  const [from, to] = await Promise.all([source.open(), destination.open()])
  return new SchemaIdMapper(from, to, {dryRun: registries.dryRun, isNotFound, warn: registries.warn, preferredSubjects: [`${registries.sourceTopic}-value`, `${registries.sourceTopic}-key`]})
}

function sameRegistry(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '')
}

export function describeMapping(m: IdMapping): string {
  if (m.action === 'unknown') return `id ${m.sourceId}: not in the source registry, copied as it is`
  return `id ${m.sourceId} (${m.subject}) -> ${m.destinationId === null ? '(new id)' : `id ${m.destinationId}`} ${m.action === 'would register' ? 'to be registered' : m.action}`
}
