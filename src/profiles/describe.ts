/** How profiles are shown (list rows, `show` output): pure, and secrets are never part of it. */
import type {Profile, ResolvedConnection, SecretSource} from './types.js'

export interface ProfileSummary {
  name: string
  current: boolean
  brokers: string[]
  /** PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL, plus the mechanism. */
  security: string
  protected: boolean
  /** `file` or `built-in` (the implicit local profile). */
  origin: 'file' | 'built-in'
}

export function securityOf(profile: Pick<Profile, 'tls' | 'sasl'>): string {
  const proto = profile.sasl ? (profile.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT') : profile.tls ? 'SSL' : 'PLAINTEXT'
  return profile.sasl ? `${proto}/${profile.sasl.mechanism.toUpperCase()}` : proto
}

export function summarize(name: string, profile: Profile, current: string, origin: ProfileSummary['origin'] = 'file'): ProfileSummary {
  return {name, current: name === current, brokers: profile.brokers, security: securityOf(profile), protected: profile.protected ?? false, origin}
}

/** A secret source as shown to people and in --json: where it comes from, never the value. */
export function redactSource(source: SecretSource | undefined): Record<string, string> | undefined {
  if (!source) return undefined
  if ('value' in source) return {from: 'config file', value: '[redacted]'}
  if ('env' in source) return {from: 'env', env: source.env}
  return {from: 'command', command: source.command}
}

/** The profile (or resolved connection) with every secret replaced by its source. */
export function redactProfile(profile: Pick<Profile, 'brokers' | 'tls' | 'sasl' | 'protected' | 'clientId' | 'connect' | 'schemaRegistry'>): Record<string, unknown> {
  const out: Record<string, unknown> = {brokers: profile.brokers, security: securityOf(profile)}
  if (profile.tls) {
    const {passphrase, ...rest} = profile.tls
    out.tls = {...rest, ...(passphrase ? {passphrase: redactSource(passphrase)} : {})}
  }
  if (profile.sasl) {
    const {password, clientSecret, ...rest} = profile.sasl
    out.sasl = {...rest, ...(password ? {password: redactSource(password)} : {}), ...(clientSecret ? {clientSecret: redactSource(clientSecret)} : {})}
  }
  out.protected = profile.protected ?? false
  if (profile.clientId) out.clientId = profile.clientId
  if (profile.connect) out.connect = redactHttpService(profile.connect)
  if (profile.schemaRegistry) out.schemaRegistry = redactHttpService(profile.schemaRegistry)
  return out
}

/** `connect:` and `schemaRegistry:` with their password and TLS passphrase replaced by their sources. */
function redactHttpService(service: NonNullable<Profile['connect']>): Record<string, unknown> {
  const {password, tls, ...rest} = service
  const {passphrase, ...tlsRest} = tls ?? {}
  return {...rest, ...(password ? {password: redactSource(password)} : {}), ...(tls ? {tls: {...tlsRest, ...(passphrase ? {passphrase: redactSource(passphrase)} : {})}} : {})}
}

/** Flattens a redacted profile into `key value` pairs for a human (`sasl.password  from $STAGING_PW`). */
export function flattenForDisplay(value: Record<string, unknown>, prefix = ''): [string, string][] {
  const pairs: [string, string][] = []
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const src = v as Record<string, string>
      if (src.from === 'env') pairs.push([path, `from $${src.env}`])
      else if (src.from === 'command') pairs.push([path, `from command: ${src.command}`])
      else if (src.from === 'config file') pairs.push([path, '[redacted] (stored in the config file)'])
      else if (Object.keys(src).length === 0) pairs.push([path, 'on (system CAs)'])
      else pairs.push(...flattenForDisplay(src, path))
    } else {
      pairs.push([path, Array.isArray(v) ? v.join(',') : String(v)])
    }
  }
  return pairs
}

export function connectionAsProfile(c: ResolvedConnection): Profile {
  return {
    brokers: c.brokers,
    tls: c.tls,
    sasl: c.sasl,
    protected: c.protected,
    clientId: c.clientId === 'kafkit' ? undefined : c.clientId,
    ...(c.connect ? {connect: c.connect} : {}),
    ...(c.schemaRegistry ? {schemaRegistry: c.schemaRegistry} : {}),
  }
}
