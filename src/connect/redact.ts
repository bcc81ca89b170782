/**
 * Connector configs carry database passwords, cloud keys and JAAS lines, and Connect's REST API returns them in
 * clear. Everything kafkit prints of a config goes through here: pure, unit-tested.
 */

export const REDACTED = '[redacted]'

/**
 * Config keys whose values are secrets: passwords, secrets, tokens, keys that are credentials (not `key.converter`),
 * JAAS configs, basic-auth user info.
 */
const SECRET_KEY = /(password|passwd|passphrase|secret|token|credential|api[._-]?key|private[._-]?key|access[._-]?key|session[._-]?key|signing[._-]?key|jaas|user\.info|auth\.info)/i

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key)
}

/** A config provider reference (`${env:DB_PASSWORD}`, `${file:/etc/secrets:db}`) says where a secret is, not what. */
export function isProviderReference(value: string): boolean {
  return /^\$\{[A-Za-z0-9_.-]+:[^}]*\}$/.test(value.trim())
}

/** `scheme://user:pass@host` -> `scheme://user:[redacted]@host`; `password=...` in JDBC URLs and query strings. */
export function redactInlineCredentials(value: string): string {
  return value.replaceAll(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+):([^@\s/]+)@/gi, `$1:${REDACTED}@`).replaceAll(/([?&;](?:password|pwd|secret|token|sslpassword)=)([^&;\s]*)/gi, `$1${REDACTED}`)
}

/** A URL for messages: its user info redacted. */
export function redactUrl(url: string): string {
  return redactInlineCredentials(url)
}

/** One value as shown: secrets (by key) redacted unless they are provider references, credentials in URLs redacted. */
export function redactConfigValue(key: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null
  if (isSecretKey(key) && value !== '' && !isProviderReference(value)) return REDACTED
  return redactInlineCredentials(value)
}

export function redactConfig(config: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, redactConfigValue(k, v)]))
}
