import {readFile} from 'node:fs/promises'
import type {KafkaConfig} from 'kafkajs'

import {usageError} from '../errors.js'
import {resolveSecret} from '../profiles/secrets.js'
import type {ResolvedConnection} from '../profiles/types.js'

/** The TLS and SASL part of kafkajs' config for a connection. TLS verification stays on unless asked off. */
export async function buildSecurityConfig(connection: ResolvedConnection): Promise<Pick<KafkaConfig, 'ssl' | 'sasl'>> {
  const config: Pick<KafkaConfig, 'ssl' | 'sasl'> = {}
  const tls = connection.tls
  if (tls) {
    config.ssl = {
      rejectUnauthorized: !tls.insecureSkipVerify,
      ...(tls.ca ? {ca: [await readPem(tls.ca, 'tls.ca')]} : {}),
      ...(tls.cert ? {cert: await readPem(tls.cert, 'tls.cert')} : {}),
      ...(tls.key ? {key: await readPem(tls.key, 'tls.key')} : {}),
      ...(tls.passphrase ? {passphrase: await resolveSecret(tls.passphrase, 'tls key passphrase')} : {}),
      ...(tls.servername ? {servername: tls.servername} : {}),
    }
  }
  const sasl = connection.sasl
  if (sasl && (sasl.mechanism === 'plain' || sasl.mechanism === 'scram-sha-256' || sasl.mechanism === 'scram-sha-512')) {
    if (!sasl.username || !sasl.password) throw usageError(`SASL ${sasl.mechanism} needs a username and a password source`, 'set sasl.username and sasl.passwordEnv (or passwordCommand) in the profile')
    config.sasl = {mechanism: sasl.mechanism, username: sasl.username, password: await resolveSecret(sasl.password, 'SASL password')} as KafkaConfig['sasl']
  }
  return config
}

async function readPem(path: string, field: string): Promise<string> {
  const expanded = path.startsWith('~/') ? `${process.env.HOME}/${path.slice(2)}` : path
  try {
    return await readFile(expanded, 'utf8')
  } catch {
    throw usageError(`${field}: cannot read ${path}`, 'check the path in the profile', 'TLS_FILE_MISSING')
  }
}
