/**
 * The network half of `kafkit profiles test`: name resolution, TCP, and the TLS handshake with the peer
 * certificate's details, each bounded by a timeout. Plain node:dns / node:net / node:tls: no Kafka involved.
 */
import {lookup} from 'node:dns/promises'
import {createConnection} from 'node:net'
import {type PeerCertificate, type TLSSocket, checkServerIdentity, connect as tlsConnect} from 'node:tls'

import {withTimeout} from '../errors.js'

export interface HostPort {
  host: string
  port: number
}

export function splitBroker(broker: string): HostPort {
  const i = broker.lastIndexOf(':')
  const host = broker.slice(0, i).replace(/^\[|\]$/g, '')
  return {host, port: Number(broker.slice(i + 1))}
}

export async function resolveHost(host: string, timeoutMs: number): Promise<{ok: true; address: string} | {ok: false; error: string}> {
  try {
    const result = await withTimeout(lookup(host), timeoutMs, () => Object.assign(new Error('timed out'), {code: 'ETIMEOUT'}))
    return {ok: true, address: result.address}
  } catch (error) {
    return {ok: false, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message}
  }
}

export function tcpConnect(target: HostPort, timeoutMs: number): Promise<{ok: true; ms: number} | {ok: false; error: string}> {
  const started = Date.now()
  return new Promise((resolve) => {
    const socket = createConnection(target)
    const done = (result: {ok: true; ms: number} | {ok: false; error: string}) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () => done({ok: false, error: `no answer within ${timeoutMs}ms`}))
    socket.once('connect', () => done({ok: true, ms: Date.now() - started}))
    socket.once('error', (error: NodeJS.ErrnoException) => done({ok: false, error: error.code ?? error.message}))
  })
}

export interface TlsProbeOptions {
  ca?: string
  cert?: string
  key?: string
  passphrase?: string
  servername?: string
  insecureSkipVerify?: boolean
}

export interface TlsProbeResult {
  ok: boolean
  /** untrusted | hostname | expired | handshake: what failed, to pick the hint. */
  failure?: 'untrusted' | 'hostname' | 'expired' | 'handshake'
  error?: string
  protocol?: string
  subject?: string
  issuer?: string
  validTo?: string
  daysLeft?: number
  /** The name checked against the certificate. */
  checkedName?: string
}

/**
 * Handshakes without letting Node reject the certificate, so that an untrusted or mismatching certificate can
 * still be described; then applies the same checks Node would (trust chain, host name, validity).
 */
export function probeTls(target: HostPort, options: TlsProbeOptions, timeoutMs: number, now = Date.now()): Promise<TlsProbeResult> {
  return new Promise((resolve) => {
    const name = options.servername ?? target.host
    let settled = false
    const socket: TLSSocket = tlsConnect({
      host: target.host,
      port: target.port,
      // SNI is only sent for DNS names (Node warns on an IP).
      ...(isIp(name) ? {} : {servername: name}),
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      passphrase: options.passphrase,
      rejectUnauthorized: false,
    })
    const finish = (result: TlsProbeResult) => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () => finish({ok: false, failure: 'handshake', error: `no TLS handshake within ${timeoutMs}ms (is this a TLS listener?)`}))
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ok: false, failure: 'handshake', error: `${error.code ?? ''} ${error.message}`.trim()}))
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate() as PeerCertificate
      const base: TlsProbeResult = {
        ok: true,
        protocol: socket.getProtocol() ?? undefined,
        subject: formatName(cert.subject),
        issuer: formatName(cert.issuer),
        validTo: cert.valid_to ? new Date(cert.valid_to).toISOString() : undefined,
        daysLeft: cert.valid_to ? Math.floor((new Date(cert.valid_to).getTime() - now) / 86_400_000) : undefined,
        checkedName: name,
      }
      if (options.insecureSkipVerify) return finish(base)
      if (!socket.authorized) {
        const reason = String(socket.authorizationError ?? 'not trusted')
        // Node checks the name too when it is given as servername: report it as the name problem it is.
        if (/ALTNAME/.test(reason)) return finish({...base, ok: false, failure: 'hostname', error: checkServerIdentity(name, cert)?.message ?? reason})
        return finish({...base, ok: false, failure: /EXPIRED|NOT_YET_VALID/.test(reason) ? 'expired' : 'untrusted', error: reason})
      }
      const identity = checkServerIdentity(name, cert)
      if (identity) return finish({...base, ok: false, failure: 'hostname', error: identity.message})
      finish(base)
    })
  })
}

function isIp(name: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.includes(':')
}

function formatName(name: PeerCertificate['subject'] | undefined): string | undefined {
  if (!name) return undefined
  const entries = Object.entries(name).filter(([, v]) => v !== undefined)
  const cn = entries.find(([k]) => k === 'CN')
  return cn ? `CN=${String(cn[1])}` : entries.map(([k, v]) => `${k}=${String(v)}`).join(', ')
}
