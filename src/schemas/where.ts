/**
 * `consume --where EXPR`: a filter on decoded records, with filtrex (compiled once into a JavaScript function,
 * evaluated per record). Filtrex was chosen because its grammar is the one people write without reading a manual
 * (`value.store_id == "store-7" and value.qty < 0`, `or`, `not`, `in (...)`, `~=` for regular expressions,
 * arithmetic), it has no dependencies, runs on any Node >= 12, and compiles to a plain function (per-record cost
 * ~ a property lookup per name). CEL needs `&&` and its maintained JS ports want newer Node; JSONata's `=` and
 * path semantics are a query language more than a condition.
 *
 * Names: key, value, headers, partition, offset, timestamp (ms), topic; dots go into fields (value.customer.id,
 * value.lines.0.sku); a name with other characters is quoted with single quotes: 'headers.trace-id'. A record
 * whose fields do not fit the expression (a missing field compared with <, text compared with a number) does not
 * match; it is not an error.
 */
import {compileExpression} from 'filtrex'

import {usageError} from '../errors.js'

/** What an expression sees of a record (key and value decoded: JSON values, or text). */
export interface WhereRecord {
  readonly key: unknown
  readonly value: unknown
  readonly headers: Record<string, string | null | (string | null)[]>
  readonly partition: number | undefined
  readonly offset: number | undefined
  readonly timestamp: number | undefined
  readonly topic: string | undefined
}

export type WherePredicate = (record: WhereRecord) => boolean

const ROOTS = new Set(['key', 'value', 'headers', 'partition', 'offset', 'timestamp', 'topic'])

export function compileWhere(expression: string): WherePredicate {
  if (expression.trim() === '') throw usageError('--where: the expression is empty', 'e.g. --where \'value.store_id == "store-7" and value.qty < 0\'', 'BAD_WHERE')
  const unknown: string[] = []
  const customProp = (name: string, _get: (name: string) => unknown, obj: WhereRecord): unknown => {
    const parts = name.split('.')
    let v: unknown = (obj as unknown as Record<string, unknown>)[parts[0]]
    for (let i = 1; i < parts.length && v !== null && v !== undefined; i++) v = (v as Record<string, unknown>)[parts[i]]
    return v
  }
  let fn: (record: WhereRecord) => unknown
  try {
    fn = compileExpression(expression, {customProp: customProp as never}) as (record: WhereRecord) => unknown
  } catch (error) {
    throw whereSyntaxError(expression, (error as Error).message)
  }
  // Names that cannot be a record field are caught now, not as "no record matched".
  for (const m of expression.matchAll(/'((?:[^'\\]|\\.)*)'|"(?:[^"\\]|\\.)*"|([A-Za-z_$][\w$.]*)(\s*\()?/g)) {
    const name = m[1] ?? (m[3] ? undefined : m[2])
    if (!name) continue
    if (['and', 'or', 'not', 'in', 'if', 'then', 'else', 'mod', 'true', 'false'].includes(name)) continue
    if (!ROOTS.has(name.split('.')[0])) unknown.push(name)
  }
  if (unknown.length > 0) {
    const at = expression.indexOf(unknown[0])
    throw usageError(
      `--where: '${unknown[0]}' at position ${at + 1} is not a record field`,
      "names start with key, value, headers, partition, offset, timestamp or topic: value.qty, headers.source, 'headers.trace-id'",
      'BAD_WHERE',
    )
  }
  return (record) => {
    try {
      return fn(record) === true
    } catch {
      // A type mismatch on this record's fields (filtrex refuses "a" < 1): it does not match.
      return false
    }
  }
}

/** Filtrex's messages show the spot with a caret under a (possibly shortened) copy of the input: turn that into a position. */
function whereSyntaxError(expression: string, message: string) {
  const lines = message.split('\n')
  const caret = lines.findIndex((l) => /^-*\^$/.test(l))
  let position: number | undefined
  if (caret > 0) {
    const shown = lines[caret - 1]
    const column = lines[caret].length - 1
    const before = shown.slice(0, column).replace(/^\.\.\./, '')
    const after = shown.slice(column).replace(/\.\.\.$/, '')
    const at = expression.indexOf(before + after)
    position = at >= 0 ? at + before.length : undefined
  }
  const expecting = /Expecting (.*), got '([^']*)'/.exec(message)
  const word = position === undefined ? undefined : /^(?:"[^"]*"?|'[^']*'?|[^\s()]+|.)/.exec(expression.slice(position))?.[0]
  const what = expecting
    ? `unexpected ${expecting[2] === 'EndOfExpression' || !word ? 'end of expression' : `'${word}'`}`
    : message.includes('Lexical error')
      ? 'unrecognized text'
      : (lines[0] ?? message)
  const where = position === undefined ? '' : ` at position ${position + 1}`
  const near = position === undefined ? '' : position >= expression.length ? ` (after '${expression.slice(-20)}')` : ` (at '${expression.slice(position, position + 20)}')`
  return usageError(
    `--where: ${what}${where}${near}`,
    'e.g. --where \'value.store_id == "store-7" and value.qty < 0\' (and, or, not, ==, !=, <, <=, >, >=, in (a, b), ~= regex; strings in double quotes)',
    'BAD_WHERE',
  )
}
