// Prints, for every API kafkajs speaks, its version range, the broker's, and the version they agree on.
// Usage: node scripts/api-versions.cjs 127.0.0.1:9092   (re-check on each new Kafka release)
const {requests} = require('kafkajs/src/protocol/requests')
const apiKeys = require('kafkajs/src/protocol/requests/apiKeys')
const {createLogger, LEVELS} = require('kafkajs/src/loggers')
const Cluster = require('kafkajs/src/cluster')
const socketFactory = require('kafkajs/src/network/socketFactory')()

;(async () => {
  const logger = createLogger({level: LEVELS.NOTHING, logCreator: () => () => {}})
  const cluster = new Cluster({brokers: [process.argv[2] || '127.0.0.1:9092'], socketFactory, logger, clientId: 'kafkit-api-versions'})
  await cluster.connect()
  const broker = cluster.brokerPool.versions
  console.log('| API | key | kafkajs | broker | used |\n|---|---|---|---|---|')
  for (const [name, key] of Object.entries(apiKeys)) {
    const request = requests[name]
    if (!request || Object.keys(request.versions).length === 0) continue
    const ours = Object.keys(request.versions).map(Number)
    const theirs = broker[key]
    const common = theirs ? ours.filter((v) => v >= theirs.minVersion && v <= theirs.maxVersion) : []
    const range = theirs ? `${theirs.minVersion}-${theirs.maxVersion}` : 'none'
    console.log(`| ${name} | ${key} | ${Math.min(...ours)}-${Math.max(...ours)} | ${range} | ${common.length ? Math.max(...common) : 'NONE'} |`)
  }
  await cluster.disconnect()
})().catch((error) => {
  console.error(`error: ${error.message}`)
  process.exit(4)
})
