#!/usr/bin/env node
// Compares the stock levels in PostgreSQL with the generator's expected totals.
//
//   node check.mjs day/expected.json          exit 0 when every (store, product) matches, else lists the differences
//   node check.mjs day/expected.json --v1     compare with what the buggy v1 sink ends with instead
//   node check.mjs day/expected.json --json   print {"match":..,"pairs":..,"differences":[...]} on stdout
//   node check.mjs day/expected.json --table stock_levels_connect   check that table (or view) instead
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const {values: opt, positionals} = parseArgs({
  allowPositionals: true,
  options: {v1: {type: 'boolean', default: false}, json: {type: 'boolean', default: false}, table: {type: 'string', default: 'stock_levels'}},
})
if (positionals.length !== 1) {
  console.error('usage: node check.mjs EXPECTED.json [--v1] [--json] [--table NAME]')
  process.exit(2)
}
const expectedFile = JSON.parse(readFileSync(positionals[0], 'utf8'))
const expected = opt.v1 ? expectedFile.stockV1 : expectedFile.stock
if (!/^[a-z_][a-z0-9_]*$/.test(opt.table)) {
  console.error(`check: error: --table '${opt.table}' is not a plain table name`)
  process.exit(2)
}
const what = opt.table === 'stock_levels' ? 'stock levels' : `stock levels in ${opt.table}`

const db = join(dirname(fileURLToPath(import.meta.url)), 'db.sh')
const out = spawnSync(db, ['psql', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', `SELECT store, product, qty FROM ${opt.table} ORDER BY 1, 2`], {encoding: 'utf8'})
if (out.status !== 0) {
  process.stderr.write(out.stderr)
  console.error(`check: error: cannot read ${opt.table}\nhint: ./db.sh start`)
  process.exit(1)
}
const actual = {}
for (const line of out.stdout.split('\n').filter(Boolean)) {
  const [store, product, qty] = line.split('\t')
  ;(actual[store] ??= {})[product] = Number(qty)
}

function compare(expected) {
  const differences = []
  let pairs = 0
  for (const store of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    for (const product of new Set([...Object.keys(expected[store] ?? {}), ...Object.keys(actual[store] ?? {})])) {
      pairs++
      const want = expected[store]?.[product] ?? null
      const got = actual[store]?.[product] ?? null
      if (want !== got) differences.push({store, product, expected: want, actual: got})
    }
  }
  return {pairs, differences}
}
const {pairs, differences} = compare(expected)
const match = differences.length === 0
// When the totals are wrong, say whether they are wrong the way the v1 sink gets them wrong.
const likeV1 = !match && !opt.v1 && compare(expectedFile.stockV1).differences.length === 0
if (opt.json) {
  console.log(JSON.stringify({match, pairs, differences, likeV1}))
} else if (match) {
  console.log(`${what} match the ${opt.v1 ? "v1 sink's" : 'expected'} totals: ${pairs} (store, product) pairs`)
} else {
  console.log(`${differences.length} of ${pairs} ${what} differ from the ${opt.v1 ? "v1 sink's" : 'expected'} totals:`)
  for (const d of differences.slice(0, 10)) console.log(`  ${d.store} ${d.product}: expected ${d.expected}, PostgreSQL has ${d.actual}`)
  if (differences.length > 10) console.log(`  ... and ${differences.length - 10} more`)
  if (likeV1) console.log('  (every one as the v1 sink computes it: returns counted as sales)')
}
process.exit(match ? 0 : 1)
