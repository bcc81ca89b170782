/**
 * Secured listeners for `kafkit local start --secure`: a throw-away CA with broker and client certificates
 * (openssl), SCRAM/PLAIN users with random passwords, and OAUTHBEARER with Kafka's unsecured (alg "none") tokens,
 * so that every mechanism kafkit supports is tested against a real broker.
 *
 * Everything lives in <local dir>/security (0700; keys and credentials 0600) and is reused across restarts.
 */
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {chmod, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {KafkitError} from '../errors.js'
import {LocalNode, SECURED_LISTENERS, SecuredListenerName, securedPorts} from './node-config.js'

const run = promisify(execFile)

/** The SASL mechanisms the secured listeners accept, as Kafka names them. */
export const LOCAL_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const

/** OAUTHBEARER tokens must carry this scope (a token without it is the "wrong password" case). */
export const LOCAL_OAUTH_SCOPE = 'kafkit'

export interface LocalCredentials {
  /** One user, known to PLAIN and to both SCRAM mechanisms. */
  username: string
  password: string
  /** Passphrase of client-encrypted.key. */
  keyPassphrase: string
  oauthScope: string
}

export interface LocalSecurityFiles {
  dir: string
  ca: string
  caKey: string
  /** Broker key + certificate chain in one PEM file (Kafka's PEM keystore). */
  brokerPem: string
  clientCert: string
  clientKey: string
  clientKeyEncrypted: string
  credentialsFile: string
}

/** What `local status --json` reports so that scripts and tests can find the secured listeners. */
export interface LocalSecurityInfo {
  listeners: Record<SecuredListenerName, string[]>
  mechanisms: string[]
  username: string
  oauthScope: string
  ca: string
  clientCert: string
  clientKey: string
  clientKeyEncrypted: string
  /** JSON file (0600) with the password and the key passphrase. */
  credentialsFile: string
}

export function securityFiles(root: string): LocalSecurityFiles {
  const dir = join(root, 'security')
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    brokerPem: join(dir, 'broker.pem'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    clientKeyEncrypted: join(dir, 'client-encrypted.key'),
    credentialsFile: join(dir, 'credentials.json'),
  }
}

/** Creates (once) the CA, certificates and credentials; returns the existing ones on later starts. */
export async function ensureLocalSecurity(root: string, host: string): Promise<{files: LocalSecurityFiles; credentials: LocalCredentials; created: boolean}> {
  const files = securityFiles(root)
  if (existsSync(files.credentialsFile) && existsSync(files.brokerPem)) {
    return {files, credentials: JSON.parse(await readFile(files.credentialsFile, 'utf8')) as LocalCredentials, created: false}
  }
  await mkdir(files.dir, {recursive: true, mode: 0o700})
  const credentials: LocalCredentials = {
    username: 'alice',
    // Recognisable prefix: the test suite greps every output for these.
    password: `kafkit-pw-${randomBytes(12).toString('hex')}`,
    keyPassphrase: `kafkit-kp-${randomBytes(12).toString('hex')}`,
    oauthScope: LOCAL_OAUTH_SCOPE,
  }
  await generateCertificates(files, host, credentials.keyPassphrase)
  await writeFile(files.credentialsFile, JSON.stringify(credentials, null, 2) + '\n', {mode: 0o600})
  return {files, credentials, created: true}
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, {cwd, timeout: 60_000})
  } catch (error) {
    const err = error as {code?: string; stderr?: string}
    if (err.code === 'ENOENT') throw new KafkitError('OPENSSL_MISSING', 'openssl is needed to create the certificates of --secure', {hint: 'install openssl (apt-get install openssl)'})
    throw new KafkitError('OPENSSL_FAILED', `openssl ${args[0]} failed: ${(err.stderr ?? '').trim().split('\n')[0]}`)
  }
}

async function generateCertificates(files: LocalSecurityFiles, host: string, passphrase: string): Promise<void> {
  const cwd = files.dir
  const days = '3650'
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-noenc',
      '-keyout',
      files.caKey,
      '-out',
      files.ca,
      '-days',
      days,
      '-subj',
      '/CN=kafkit local CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    cwd,
  )
  const sign = async (name: string, subject: string, ext: string) => {
    await openssl(['req', '-newkey', 'rsa:2048', '-noenc', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], cwd)
    await writeFile(join(cwd, `${name}.ext`), ext)
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', files.ca, '-CAkey', files.caKey, '-CAcreateserial', '-out', `${name}.crt`, '-days', days, '-extfile', `${name}.ext`], cwd)
  }
  await sign('broker', '/CN=localhost', `subjectAltName=DNS:localhost,IP:${host}\nextendedKeyUsage=serverAuth\n`)
  await sign('client', `/${LOCAL_CLIENT_CERT_SUBJECT}`, 'extendedKeyUsage=clientAuth\n')
  // Kafka's PEM keystore: the (PKCS#8) key followed by the certificate chain.
  const brokerKey = await readFile(join(cwd, 'broker.key'), 'utf8')
  const brokerCrt = await readFile(join(cwd, 'broker.crt'), 'utf8')
  await writeFile(files.brokerPem, brokerKey + brokerCrt + (await readFile(files.ca, 'utf8')), {mode: 0o600})
  await writeFile(files.clientCert, await readFile(join(cwd, 'client.crt'), 'utf8'))
  await openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', files.clientKey, '-out', files.clientKeyEncrypted, '-passout', `pass:${passphrase}`], cwd)
  for (const key of [files.caKey, files.clientKey, files.clientKeyEncrypted, join(cwd, 'broker.key')]) await chmod(key, 0o600)
}

/** Broker properties shared by every node (listeners and ports are per node: node-config.ts). */
export function securedBrokerProperties(files: LocalSecurityFiles, credentials: LocalCredentials): Record<string, string> {
  const props: Record<string, string> = {
    'sasl.enabled.mechanisms': LOCAL_SASL_MECHANISMS.join(','),
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': files.brokerPem,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': files.ca,
    'ssl.client.auth': 'none',
    'listener.name.mtls.ssl.client.auth': 'required',
    // The broker's certificate carries 127.0.0.1 and localhost; clients check them, the broker needs no check.
    'ssl.endpoint.identification.algorithm': '',
    // ACLs are enforced (KRaft's authorizer): a principal without a matching ACL is denied. The local admin
    // identities stay super users so that the default path keeps working: ANONYMOUS (the PLAINTEXT listener, the
    // controller and inter-broker listeners, TLS without a client certificate), the SASL user and the client
    // certificate's subject. Other principals (users made with `kafkit users create`) need ACLs.
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': localSuperUsers(credentials).join(';'),
  }
  for (const listener of ['sasl_plaintext', 'sasl_ssl']) {
    const prefix = `listener.name.${listener}`
    props[`${prefix}.plain.sasl.jaas.config`] = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${credentials.username}="${credentials.password}";`
    props[`${prefix}.scram-sha-256.sasl.jaas.config`] = 'org.apache.kafka.common.security.scram.ScramLoginModule required;'
    props[`${prefix}.scram-sha-512.sasl.jaas.config`] = 'org.apache.kafka.common.security.scram.ScramLoginModule required;'
    // Kafka's default OAUTHBEARER server side validates unsecured (alg "none") JWTs: enough to test the SASL
    // exchange for real. A token without the scope is refused.
    props[`${prefix}.oauthbearer.sasl.jaas.config`] =
      `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="kafkit" unsecuredValidatorRequiredScope="${credentials.oauthScope}";`
  }
  return props
}

/** Principals that bypass ACLs on a local --secure cluster (see securedBrokerProperties). */
export function localSuperUsers(credentials: Pick<LocalCredentials, 'username'>): string[] {
  return ['User:ANONYMOUS', `User:${credentials.username}`, `User:${LOCAL_CLIENT_CERT_SUBJECT}`]
}

/** The client certificate's subject: its principal on the TLS listeners (Kafka's default mapping keeps the DN). */
export const LOCAL_CLIENT_CERT_SUBJECT = 'CN=kafkit-client'

/** StorageTool arguments that create the SCRAM users at format time (KRaft). */
export function scramFormatArgs(credentials: LocalCredentials): string[] {
  return ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${credentials.username},password=${credentials.password}]`])
}

export function localSecurityInfo(files: LocalSecurityFiles, credentials: LocalCredentials, nodes: Pick<LocalNode, 'port'>[], host: string): LocalSecurityInfo {
  const listeners = Object.fromEntries(SECURED_LISTENERS.map((l) => [l.name, nodes.map((n) => `${host}:${securedPorts(n)[l.name]}`)])) as Record<SecuredListenerName, string[]>
  return {
    listeners,
    mechanisms: [...LOCAL_SASL_MECHANISMS],
    username: credentials.username,
    oauthScope: credentials.oauthScope,
    ca: files.ca,
    clientCert: files.clientCert,
    clientKey: files.clientKey,
    clientKeyEncrypted: files.clientKeyEncrypted,
    credentialsFile: files.credentialsFile,
  }
}

/**
 * An unsecured OAUTHBEARER token (JWS with alg "none"), what Kafka's default OAUTHBEARER validator accepts.
 * For tests and the local cluster only: it proves nothing about who you are.
 */
export function unsecuredJwt(claims: {sub: string; scope?: string; lifetimeSeconds?: number; now?: number}): string {
  const iat = Math.floor((claims.now ?? Date.now()) / 1000)
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const payload: Record<string, unknown> = {sub: claims.sub, iat, exp: iat + (claims.lifetimeSeconds ?? 3600)}
  if (claims.scope !== undefined) payload.scope = claims.scope
  return `${b64({alg: 'none'})}.${b64(payload)}.`
}
