import {usageError} from '../errors.js'

/** `host:port,host2:port` -> list; a missing port means 9092. */
export function parseBrokerList(input: string): string[] {
  const brokers = input
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
  if (brokers.length === 0) throw usageError('no broker given', 'use --brokers host:port[,host:port...]')
  return brokers.map((b) => {
    const m = /^(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/.exec(b)
    if (!m) throw usageError(`'${b}' is not a broker address`, 'use host:port, e.g. --brokers 127.0.0.1:9092')
    const port = m[2] === undefined ? 9092 : Number(m[2])
    if (port < 1 || port > 65_535) throw usageError(`port ${m[2]} in '${b}' is out of range`, 'ports are 1-65535')
    return `${m[1]}:${port}`
  })
}
