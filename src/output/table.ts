import {createRequire} from 'node:module'

import type {IOStreams} from './io.js'

export interface Column<Row> {
  header: string
  get: (row: Row) => string | number | boolean | null | undefined
  align?: 'left' | 'right'
}

const require = createRequire(import.meta.url)

/**
 * Renders rows to stdout: a boxed table on a TTY, tab-separated lines without a header when piped, so that
 * `kafkit topics list | cut -f1` gives names and nothing else.
 */
export function renderTable<Row>(io: IOStreams, columns: Column<Row>[], rows: Row[]): void {
  io.stdout.write(formatTable(columns, rows, io.stdoutIsTTY ? io : undefined))
}

export function formatTable<Row>(columns: Column<Row>[], rows: Row[], tty?: IOStreams): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.get(row))))
  if (!tty) return cells.map((line) => line.join('\t') + '\n').join('')
  // cli-table3 is loaded lazily (start-up) and its default colours are off: we colour via IOStreams only.
  const Table = require('cli-table3') as typeof import('cli-table3')
  const table = new Table({
    head: columns.map((c) => tty.style(c.header, 'bold')),
    style: {head: [], border: [], compact: true},
    colAligns: columns.map((c) => c.align ?? 'left'),
  })
  table.push(...cells)
  return table.toString() + '\n'
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-'
  return String(value).replaceAll('\t', ' ').replaceAll('\n', ' ')
}

/** Key/value pairs: aligned on a TTY, `key<TAB>value` when piped. */
export function renderPairs(io: IOStreams, pairs: [string, string | number | undefined][]): void {
  if (!io.stdoutIsTTY) {
    io.stdout.write(pairs.map(([k, v]) => `${k}\t${cellText(v)}\n`).join(''))
    return
  }
  const width = Math.max(...pairs.map(([k]) => k.length))
  io.stdout.write(pairs.map(([k, v]) => `${io.style(k.padEnd(width), 'bold')}  ${cellText(v)}\n`).join(''))
}
