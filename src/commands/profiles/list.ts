import {BaseCommand} from '../../base-command.js'
import {renderTable} from '../../output/table.js'
import {configPath, loadConfig} from '../../profiles/config.js'
import {ProfileSummary, summarize} from '../../profiles/describe.js'
import {BUILTIN_LOCAL} from '../../profiles/resolve.js'

export interface ProfilesListResult {
  configFile: string
  current: string
  profiles: ProfileSummary[]
}

export default class ProfilesList extends BaseCommand<ProfilesListResult> {
  static summary = 'List connection profiles (the current one is marked *)'
  static description = `Profiles live in $KAFKIT_CONFIG, else $XDG_CONFIG_HOME/kafkit/config.yaml, else ~/.config/kafkit/config.yaml. The built-in 'local' profile (127.0.0.1:9092) is always there unless the file defines its own.

The file's format (YAML, here in its one-line form; 'kafkit profiles add' writes valid entries):
current: staging
profiles: {staging: {brokers: [kafka-1:9093, kafka-2:9093], tls: {ca: ~/certs/ca.pem}, sasl: {mechanism: scram-sha-512, username: ops, passwordEnv: KAFKA_PW}, protected: true}}

Profile fields: brokers; tls (true for the system CAs, or ca, cert + key, passphraseEnv | passphraseCommand, servername, insecureSkipVerify); sasl; protected (destructive commands need --yes); clientId.
sasl fields: mechanism (plain, scram-sha-256, scram-sha-512, oauthbearer, aws-msk-iam); username with passwordEnv | passwordCommand | password; oauthbearer: tokenCommand, or tokenEndpoint + clientId + clientSecretEnv | clientSecretCommand (scope, extensions); aws-msk-iam: region (awsProfile, roleArn).`
  static examples = ['<%= config.bin %> profiles list', '<%= config.bin %> profiles list --json']

  async run(): Promise<ProfilesListResult> {
    await this.parse(ProfilesList)
    const loaded = await loadConfig(configPath())
    for (const w of loaded.warnings) this.io.warn(w)
    const current = process.env.KAFKIT_PROFILE || loaded.config.current || 'local'
    const profiles = Object.entries(loaded.config.profiles).map(([name, p]) => summarize(name, p, current))
    if (!('local' in loaded.config.profiles)) profiles.unshift(summarize('local', BUILTIN_LOCAL, current, 'built-in'))
    const result = {configFile: loaded.path, current, profiles}
    this.render(result, (r, io) => {
      renderTable(
        io,
        [
          {header: '', get: (p) => (p.current ? '*' : '')},
          {header: 'NAME', get: (p) => (p.protected && io.stdoutIsTTY ? io.style(p.name, 'red', 'bold') : p.name)},
          {header: 'BROKERS', get: (p) => p.brokers.join(',')},
          {header: 'SECURITY', get: (p) => p.security},
          {header: 'PROTECTED', get: (p) => (p.protected ? 'yes' : 'no')},
        ],
        r.profiles,
      )
      if (io.stdoutIsTTY) io.info(`config: ${r.configFile}${process.env.KAFKIT_PROFILE ? ' (current set by KAFKIT_PROFILE)' : ''}`)
    })
    return result
  }
}
