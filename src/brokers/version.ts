/**
 * The Kafka version `cluster info` shows, and how it knows. Kafka tells clients no software version, so:
 * - the cluster `kafkit local` started here (same cluster id): the exact version of its jars;
 * - otherwise each broker's ApiVersions (v3) features: the newest `metadata.version` level its software supports
 *   names its release (`4.4`, no patch number), and the cluster's finalized level what it runs at.
 * Pure.
 */
import type {BrokerSoftware} from '../kafka/cluster-info.js'

export type VersionSource = 'kafkit local' | 'ApiVersions' | 'unknown'

export interface ClusterVersion {
  /** `4.4.0` (kafkit local), `4.4` (ApiVersions), `3.9, 4.4` (brokers of different releases), or null. */
  kafka: string | null
  source: VersionSource
  /** The cluster's finalized metadata.version (`4.4-IV2`), null when unknown (ZooKeeper mode, Kafka < 3.3). */
  metadataVersion: string | null
  metadataVersionLevel: number | null
}

export function clusterVersion(software: Map<number, BrokerSoftware | Error>, local: {clusterId: string; version: string} | undefined, clusterId: string): ClusterVersion {
  const answers = [...software.values()].filter((s): s is BrokerSoftware => !(s instanceof Error))
  const finalized = answers.find((s) => s.metadataVersion)?.metadataVersion ?? null
  const base = {metadataVersion: finalized?.name ?? null, metadataVersionLevel: finalized?.level ?? null}
  if (local && local.clusterId === clusterId) return {kafka: local.version, source: 'kafkit local', ...base}
  const releases = [...new Set(answers.map((s) => s.release).filter((r): r is string => r !== null))].sort()
  if (releases.length === 0) return {kafka: null, source: 'unknown', ...base}
  return {kafka: releases.join(', '), source: 'ApiVersions', ...base}
}
