/**
 * A failed connector or task reports a Java stack trace of 50-200 lines, most of them Connect's own runtime and
 * the JDK. What matters is the chain of causes (outermost to root) and the few frames of the code that threw.
 * Pure, unit-tested.
 */
import {redactInlineCredentials} from './redact.js'

export interface ShortTrace {
  /** "Class: message" of each exception, outermost first, repeats removed. */
  chain: string[]
  /** The innermost cause. */
  root: string
  /** Up to three frames of the innermost cause that has frames outside the JDK and Connect's runtime. */
  frames: string[]
  /** Lines of the full trace not shown. */
  omitted: number
}

/** Frames that rarely explain a failure: the JDK, Connect's worker loop, the HTTP server, reflection. */
const BORING_FRAME = /^(java\.|javax\.|jdk\.|sun\.|com\.sun\.|org\.apache\.kafka\.connect\.runtime\.|org\.apache\.kafka\.connect\.util\.|org\.eclipse\.jetty\.|org\.glassfish\.|kotlin\.|scala\.)/

const MAX_MESSAGE = 400

interface Block {
  header: string
  frames: string[]
}

export function parseTrace(trace: string): Block[] {
  const blocks: Block[] = []
  let current: Block | undefined
  let inFrames = false
  for (const raw of trace.replaceAll('\r', '').split('\n')) {
    const line = raw.trimEnd()
    if (!line.trim()) continue
    const frame = /^\s+at (.+)$/.exec(line)
    if (frame) {
      if (current) current.frames.push(frame[1].trim())
      inFrames = true
      continue
    }
    if (/^\s+\.\.\. \d+ (more|common frames omitted)$/.test(line)) continue
    const cause = /^\s*Caused by: (.*)$/.exec(line)
    // Suppressed exceptions are side notes (a failed close): kept out of the chain.
    if (/^\s+Suppressed: /.test(line)) {
      current = {header: '', frames: []}
      inFrames = true
      continue
    }
    if (cause || !current) {
      current = {header: cause ? cause[1] : line.trim(), frames: []}
      blocks.push(current)
      inFrames = false
      continue
    }
    // A message spanning several lines (SQL errors with a "Position:" line): part of the header.
    if (!inFrames && current.header) current.header += ` ${line.trim()}`
  }
  return blocks.filter((b) => b.header)
}

export function shortenTrace(trace: string | undefined | null): ShortTrace | undefined {
  if (!trace || !trace.trim()) return undefined
  const blocks = parseTrace(trace)
  if (blocks.length === 0) return undefined
  const chain: string[] = []
  for (const b of blocks) {
    // Exception messages quote JDBC URLs and the like: credentials in them go.
    b.header = redactInlineCredentials(b.header)
    const text = b.header.length > MAX_MESSAGE ? `${b.header.slice(0, MAX_MESSAGE)}…` : b.header
    // Connect wraps a cause in an exception that repeats its text ("ConnectException: java.sql.SQLException: ..."):
    // keep the chain short by dropping exact repeats.
    if (chain.at(-1) !== text) chain.push(text)
  }
  let frames: string[] = []
  for (let i = blocks.length - 1; i >= 0 && frames.length === 0; i--) frames = blocks[i].frames.filter((f) => !BORING_FRAME.test(f)).slice(0, 3)
  const totalLines = trace.trim().split('\n').length
  return {chain, root: chain.at(-1)!, frames, omitted: Math.max(0, totalLines - chain.length - frames.length)}
}

/** The short trace as lines: the chain ("caused by:" from the second on), then the frames that matter. */
export function formatShortTrace(short: ShortTrace): string[] {
  const lines = short.chain.map((c, i) => (i === 0 ? c : `caused by: ${c}`))
  for (const f of short.frames) lines.push(`  at ${f}`)
  return lines
}
