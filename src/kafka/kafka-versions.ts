/**
 * Kafka's `metadata.version` feature levels (KIP-778) and the release each belongs to, from
 * org.apache.kafka.server.common.MetadataVersion of Kafka 4.4.0 (levels 1-33; 3.3-IV3 is the lowest a 4.x cluster
 * runs at). A broker's newest supported level names the release of its software; the finalized level is what
 * the cluster runs at (lower after an upgrade until `kafka-features.sh upgrade`). Pure.
 */
const LEVELS: Record<number, string> = {
  1: '3.0-IV1',
  2: '3.1-IV0',
  3: '3.2-IV0',
  4: '3.3-IV0',
  5: '3.3-IV1',
  6: '3.3-IV2',
  7: '3.3-IV3',
  8: '3.4-IV0',
  9: '3.5-IV0',
  10: '3.5-IV1',
  11: '3.5-IV2',
  12: '3.6-IV0',
  13: '3.6-IV1',
  14: '3.6-IV2',
  15: '3.7-IV0',
  16: '3.7-IV1',
  17: '3.7-IV2',
  18: '3.7-IV3',
  19: '3.7-IV4',
  20: '3.8-IV0',
  21: '3.9-IV0',
  22: '4.0-IV0',
  23: '4.0-IV1',
  24: '4.0-IV2',
  25: '4.0-IV3',
  26: '4.1-IV0',
  27: '4.1-IV1',
  28: '4.2-IV0',
  29: '4.2-IV1',
  30: '4.3-IV0',
  31: '4.4-IV0',
  32: '4.4-IV1',
  33: '4.4-IV2',
}
const HIGHEST_KNOWN = 33

/** `4.4-IV2` for level 33; `level 40` for a level newer than this table. */
export function metadataVersionName(level: number): string {
  return LEVELS[level] ?? `level ${level}`
}

/**
 * The release a broker's software belongs to, from the newest metadata.version level it supports: `4.4` for 33;
 * `newer than 4.4` past the table; undefined below level 1 (no such feature: ZooKeeper mode before 3.3, or older).
 */
export function releaseOfLevel(level: number): string | undefined {
  if (level > HIGHEST_KNOWN) return `newer than ${LEVELS[HIGHEST_KNOWN].split('-')[0]}`
  return LEVELS[level]?.split('-')[0]
}
