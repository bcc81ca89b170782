import {existsSync, statSync} from 'node:fs'

import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {ExitCode, KafkitError, usageError} from '../../errors.js'
import type {Diagnosis} from '../../profiles/diagnose.js'
import {AddFlags, askForMissing, missingTlsFiles, profileFromFlags} from '../../profiles/add.js'
import {ConfigEdit, configPath, loadConfig, saveConfig} from '../../profiles/config.js'
import {redactProfile} from '../../profiles/describe.js'
import {resolveConnection} from '../../profiles/resolve.js'
import {redactSecrets} from '../../profiles/secrets.js'
import {isValidProfileName} from '../../profiles/validate.js'
import {printStep} from '../../profiles/render.js'

export interface ProfileAddResult {
  name: string
  configFile: string
  replaced: boolean
  current: boolean
  profile: Record<string, unknown>
  /** With --test: the connection test report (as `profiles test --json`). */
  test?: Diagnosis
}

const sec = 'SECURITY'
const sasl = 'SASL'
const sr = 'SCHEMA REGISTRY'

export default class ProfilesAdd extends BaseCommand<ProfileAddResult> {
  static summary = 'Add (or with --force replace) a connection profile'
  static description = `Every field is a flag, for CI. On a terminal, what the flags leave out is asked for (brokers, security protocol, mechanism, username, where the secret comes from), and kafkit offers to test the connection. Secrets are best given as --password-env NAME or --password-command CMD: the config file then holds no secret. The file is written with mode 0600.`
  static examples = [
    '<%= config.bin %> profiles add dev --brokers 127.0.0.1:9092',
    '<%= config.bin %> profiles add staging --brokers kafka-1.staging:9093 --tls-ca ~/certs/ca.pem --sasl scram-sha-512 --username ops --password-env STAGING_KAFKA_PASSWORD',
    '<%= config.bin %> profiles add confluent --brokers pkc-xxxxx.europe-west1.gcp.confluent.cloud:9092 --tls --sasl plain --username API_KEY --password-env CONFLUENT_API_SECRET --protected',
    '<%= config.bin %> profiles add msk --brokers b-1.mycluster.xxxxxx.c2.kafka.us-east-1.amazonaws.com:9098 --tls --sasl aws-msk-iam --region us-east-1',
  ]
  static args = {name: Args.string({description: 'profile name (letters, digits, . _ -)', required: true})}
  static flags = {
    brokers: Flags.string({char: 'b', description: 'bootstrap brokers host:port,...'}),
    tls: Flags.boolean({description: 'use TLS (system CAs unless --tls-ca)', helpGroup: sec}),
    'tls-ca': Flags.string({description: 'PEM file of the CA to trust (implies --tls)', helpGroup: sec}),
    'tls-cert': Flags.string({description: 'client certificate PEM for mTLS', helpGroup: sec}),
    'tls-key': Flags.string({description: 'client key PEM for mTLS', helpGroup: sec}),
    'tls-key-passphrase-env': Flags.string({description: 'environment variable holding the key passphrase', helpGroup: sec}),
    'tls-key-passphrase-command': Flags.string({description: 'command printing the key passphrase', helpGroup: sec}),
    'tls-servername': Flags.string({description: 'TLS server name (SNI and certificate check) when it differs from the broker host', helpGroup: sec}),
    'insecure-skip-verify': Flags.boolean({description: 'do not verify the broker certificate (every command will warn)', helpGroup: sec}),
    sasl: Flags.string({description: 'SASL mechanism: plain, scram-sha-256, scram-sha-512, oauthbearer, aws-msk-iam', helpGroup: sasl}),
    username: Flags.string({char: 'u', description: 'SASL username (Confluent Cloud: the API key)', helpGroup: sasl}),
    'password-env': Flags.string({description: 'environment variable holding the password (recommended)', helpGroup: sasl}),
    'password-command': Flags.string({description: 'command printing the password, e.g. "pass show kafka/staging"', helpGroup: sasl}),
    password: Flags.string({description: 'the password itself, stored in the config file (discouraged: warned about)', helpGroup: sasl}),
    'token-command': Flags.string({description: 'OAUTHBEARER: command printing a token (or a JSON token response)', helpGroup: sasl}),
    'token-endpoint': Flags.string({description: 'OAUTHBEARER: OAuth token endpoint for the client-credentials flow', helpGroup: sasl}),
    'oauth-client-id': Flags.string({description: 'OAUTHBEARER: client id for --token-endpoint', helpGroup: sasl}),
    'client-secret-env': Flags.string({description: 'OAUTHBEARER: environment variable holding the client secret', helpGroup: sasl}),
    'client-secret-command': Flags.string({description: 'OAUTHBEARER: command printing the client secret', helpGroup: sasl}),
    scope: Flags.string({description: 'OAUTHBEARER: scope to request', helpGroup: sasl}),
    extension: Flags.string({description: 'OAUTHBEARER: SASL extension key=value (repeatable; Confluent: logicalCluster=lkc-..., identityPoolId=pool-...)', multiple: true, helpGroup: sasl}),
    region: Flags.string({description: 'aws-msk-iam: AWS region', helpGroup: sasl}),
    'aws-profile': Flags.string({description: 'aws-msk-iam: named AWS profile (default: the AWS default credential chain)', helpGroup: sasl}),
    'role-arn': Flags.string({description: 'aws-msk-iam: IAM role to assume', helpGroup: sasl}),
    'schema-registry': Flags.string({description: 'schema registry URL (Apicurio: http(s)://host:port/apis/ccompat/v7)', helpGroup: sr}),
    'schema-registry-username': Flags.string({description: 'schema registry basic-auth user (Confluent Cloud: the registry API key)', helpGroup: sr}),
    'schema-registry-password-env': Flags.string({description: 'environment variable holding the schema registry password', helpGroup: sr}),
    'schema-registry-password-command': Flags.string({description: 'command printing the schema registry password', helpGroup: sr}),
    'schema-registry-token-command': Flags.string({description: 'command printing a bearer token for the schema registry', helpGroup: sr}),
    'schema-registry-ca': Flags.string({description: "PEM file of the CA to trust for the schema registry's TLS", helpGroup: sr}),
    'schema-registry-cert': Flags.string({description: 'client certificate PEM for the schema registry', helpGroup: sr}),
    'schema-registry-key': Flags.string({description: 'client key PEM for the schema registry', helpGroup: sr}),
    protected: Flags.boolean({description: 'destructive commands on this profile need --yes and name it in red', allowNo: true}),
    'client-id': Flags.string({description: 'Kafka client.id to send (default kafkit)'}),
    'connect-url': Flags.string({description: 'Kafka Connect REST URL for `kafkit connect` (TLS settings go in the file: connect.tls)', helpGroup: 'CONNECT'}),
    'connect-username': Flags.string({description: 'Kafka Connect basic-auth user', helpGroup: 'CONNECT'}),
    'connect-password-env': Flags.string({description: 'environment variable holding the Kafka Connect password', helpGroup: 'CONNECT'}),
    'connect-password-command': Flags.string({description: 'command printing the Kafka Connect password', helpGroup: 'CONNECT'}),
    use: Flags.boolean({description: 'make it the current profile'}),
    force: Flags.boolean({char: 'f', description: 'replace an existing profile of that name'}),
    test: Flags.boolean({description: 'test the connection afterwards (asked on a terminal)', allowNo: true}),
  }

  async run(): Promise<ProfileAddResult> {
    const {args, flags} = await this.parse(ProfilesAdd)
    const name = args.name
    if (!isValidProfileName(name)) throw usageError(`'${name}' is not a valid profile name`, 'use letters, digits, ".", "_" and "-"')
    const loaded = await loadConfig(configPath())
    for (const w of loaded.warnings.filter((w) => w.includes('readable by others'))) this.io.warn(w)
    const exists = name in loaded.config.profiles
    if (exists && !flags.force)
      throw usageError(`profile '${name}' already exists in ${loaded.path}`, `replace it with --force, or remove it first ('kafkit profiles remove ${name}')`, 'PROFILE_EXISTS')

    let input: AddFlags = flags
    if (!flags.brokers) {
      if (!this.io.interactive) throw usageError('--brokers is required', 'no prompt is shown without a terminal: give every field as a flag (see --help)')
      input = await askForMissing(flags, process.stderr)
    }
    const profile = profileFromFlags(input)
    for (const w of missingTlsFiles(profile.tls, (path) => existsSync(path) && statSync(path).isFile())) this.io.warn(w)
    if (profile.sasl?.password && 'value' in profile.sasl.password) this.io.warn(`the password is stored in clear text in ${loaded.path}; prefer --password-env or --password-command`)
    if (profile.tls?.insecureSkipVerify) this.io.warn('TLS certificate verification is off for this profile (--insecure-skip-verify)')

    const makeCurrent = flags.use || (!loaded.config.current && Object.keys(loaded.config.profiles).length === 0 && this.io.interactive)
    const edits: ConfigEdit[] = [{setProfile: {name, profile}}]
    if (flags.use) edits.push({current: name})
    await saveConfig(loaded, edits)
    const result: ProfileAddResult = {name, configFile: loaded.path, replaced: exists, current: Boolean(flags.use), profile: redactProfile(profile)}
    this.render(result, (r, io) => {
      io.info(`${io.styleErr('✓', 'green')} ${r.replaced ? 'replaced' : 'added'} profile '${r.name}' in ${r.configFile}${r.current ? ' (now current)' : ''}`)
      if (!r.current && makeCurrent) io.info(`make it current with 'kafkit profiles use ${r.name}'`)
    })

    let test = flags.test
    if (test === undefined && this.io.interactive) {
      const {confirm} = await import('@inquirer/prompts')
      test = await confirm({message: `Test the connection to '${name}' now?`, default: true}, {output: process.stderr})
    }
    if (test) {
      // The same steps as `profiles test`; under --json the report becomes part of this command's one document.
      const {diagnose} = await import('../../profiles/diagnose.js')
      const connection = await resolveConnection({profile: name}, process.env, {envOverrides: false})
      const report = await diagnose(connection, {timeoutMs: 10_000, onStep: (step) => this.io.json || printStep(this.io, step)})
      result.test = report
      if (!report.ok) {
        const failed = report.steps.find((x) => x.ok === false)!
        if (this.io.json) this.io.out(redactSecrets(JSON.stringify(result, null, 2)))
        throw new KafkitError(failed.code ?? 'CONNECTION_TEST_FAILED', `profile '${name}' was saved, but ${failed.step} failed: ${failed.detail}`, {hint: failed.hint, exitCode: ExitCode.CONNECT})
      }
      if (!this.io.json) this.io.info(`${this.io.styleErr('✓', 'green')} profile '${name}' works`)
    }
    return result
  }
}
