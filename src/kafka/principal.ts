/**
 * The principal a broker sees for a connection (its name in ACLs and in denials): the SASL user, the client
 * certificate's subject on TLS, ANONYMOUS otherwise. OAUTHBEARER and AWS IAM principals are decided by the
 * broker: unknown here.
 */
import {X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'

const cache = new Map<string, string | undefined>()

/** `tls.cert` is a PEM file's path (a profile) or its content (a resolved KafkaConnection). */
export function connectionPrincipal(connection: {sasl?: {mechanism: string; username?: string}; tls?: {cert?: string}}): string | undefined {
  const sasl = connection.sasl
  if (sasl) return sasl.username && /^(plain|scram-sha-256|scram-sha-512)$/.test(sasl.mechanism) ? `User:${sasl.username}` : undefined
  const cert = connection.tls?.cert
  if (cert) {
    if (!cache.has(cert)) cache.set(cert, certificatePrincipal(cert))
    return cache.get(cert)
  }
  return 'User:ANONYMOUS'
}

/** Kafka's default mapping: the subject DN as X500Principal.getName() writes it (most specific first, commas). */
export function certificatePrincipal(pathOrPem: string): string | undefined {
  try {
    const pem = pathOrPem.includes('-----BEGIN') ? pathOrPem : readFileSync(pathOrPem, 'utf8')
    const subject = new X509Certificate(pem).subject
    return `User:${subject.split('\n').reverse().join(',')}`
  } catch {
    return undefined
  }
}
