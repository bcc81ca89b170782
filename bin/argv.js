/**
 * Global flags before the command: `kafkit -p prod topics list`, `kafkit -b host:9092 groups list` work as if
 * typed after it (oclif reads a command's flags only after its id). Only the connection and output flags every
 * Kafka command takes are moved; anything else before the command is left for oclif to report.
 */
const WITH_VALUE = new Set(['-p', '--profile', '-b', '--brokers', '--timeout'])
const WITHOUT_VALUE = new Set(['--debug', '--no-color', '--json'])

/** @param {string[]} argv the arguments after the program name @returns {string[]} */
export function hoistGlobalFlags(argv) {
  const moved = []
  let i = 0
  while (i < argv.length) {
    const arg = argv[i]
    if (WITH_VALUE.has(arg) && i + 1 < argv.length) {
      moved.push(arg, argv[i + 1])
      i += 2
    } else if (WITHOUT_VALUE.has(arg) || /^--(profile|brokers|timeout)=/.test(arg) || /^-[pb]./.test(arg)) {
      moved.push(arg)
      i += 1
    } else break
  }
  if (moved.length === 0 || i >= argv.length) return argv
  const rest = argv.slice(i)
  const end = rest.indexOf('--')
  return end === -1 ? [...rest, ...moved] : [...rest.slice(0, end), ...moved, ...rest.slice(end)]
}
