#!/usr/bin/env node
// Reads `kafkit consume --format json` envelopes on stdin and keeps stock levels in PostgreSQL.
//
//   kafkit consume 'inventory_store.*' --regex --group stock-db --format json | node sink.mjs
//
// One long-lived psql process, one transaction per batch (up to 500 records, or whatever arrived within 100 ms).
// Each record's (topic, partition, offset) and the stock change it made go into applied_records in the same
// transaction as the change, so reading a record again is safe: the same change is skipped, and a different
// one (this sink fixed, reading records that an older version got wrong) is corrected by the difference.
// That is what makes `kafkit offsets reset ... --execute` followed by a re-consume a repair, not a double count.
//
//   --v1        behave like the first release, which turned every till line into a decrement: since the POS
//               update, returns (till lines with a negative qty) were counted as sales. The walkthrough's bug.
//   --db URL    the database (default: $RETAIL_DATABASE_URL, else postgresql://postgres@127.0.0.1:$RETAIL_PG_PORT/retail)
//   --psql BIN  the psql binary (default: $PSQL, else psql on PATH, else /usr/lib/postgresql/<newest>/bin/psql)
import {spawn} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {createInterface} from 'node:readline'
import {parseArgs} from 'node:util'

const {values: opt} = parseArgs({
  options: {
    v1: {type: 'boolean', default: false},
    db: {type: 'string', default: process.env.RETAIL_DATABASE_URL ?? `postgresql://postgres@127.0.0.1:${process.env.RETAIL_PG_PORT ?? 54329}/retail`},
    psql: {type: 'string', default: process.env.PSQL},
    'batch-size': {type: 'string', default: '500'},
    quiet: {type: 'boolean', short: 'q', default: false},
  },
})
const BATCH = Math.max(1, Number(opt['batch-size']) || 500)

function fail(message, hint) {
  process.stderr.write(`sink: error: ${message}\n${hint ? `hint: ${hint}\n` : ''}`)
  process.exit(1)
}

function findPsql() {
  if (opt.psql) return opt.psql
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(`${dir}/psql`)) return `${dir}/psql`
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : []
  for (const v of versions) if (existsSync(`/usr/lib/postgresql/${v}/bin/psql`)) return `/usr/lib/postgresql/${v}/bin/psql`
  fail('psql not found', 'install PostgreSQL (Debian: apt-get install postgresql), or pass --psql /path/to/psql')
}

// The stock change one inventory record makes.
function delta(event) {
  const qty = Number(event.qty)
  if (!Number.isInteger(qty)) return null
  switch (event.type) {
    case 'receipt':
    case 'transfer_in':
    case 'adjustment':
      return qty
    case 'transfer_out':
      return -qty
    case 'sale':
      return opt.v1 ? -Math.abs(qty) : -qty // a return is a till line with qty < 0: stock goes back up
    default:
      return null
  }
}

const sql = (s) => (s === null || s === undefined ? 'NULL' : `'${String(s).replaceAll("'", "''")}'`)

const psql = spawn(findPsql(), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', opt.db], {stdio: ['pipe', 'pipe', 'inherit']})
psql.on('error', (error) => fail(`cannot run psql: ${error.message}`))
psql.stdin.on('error', () => {})
const exited = new Promise((resolve) => psql.on('close', (code) => resolve(code)))
exited.then((code) => {
  if (!finishing) fail(`psql exited (code ${code}) while records were still coming`, `is the database up? ./db.sh start (url: ${opt.db})`)
})

// Each batch ends with one SELECT that prints "new|corrected|duplicate|levels"; they come back in order.
const waiting = []
createInterface({input: psql.stdout}).on('line', (line) => {
  const [fresh, corrected, duplicate, levels] = line.split('|').map(Number)
  waiting.shift()?.({fresh, corrected, duplicate, levels})
})

const totals = {records: 0, fresh: 0, corrected: 0, duplicate: 0, skipped: 0, levels: 0}
let pending = []
let timer = null
let inFlight = Promise.resolve()
let finishing = false

function send(rows) {
  const values = rows.map((r) => `(${sql(r.topic)},${r.partition},${r.offset},${sql(r.store)},${sql(r.product)},${r.delta},${sql(r.at)})`).join(',\n')
  const text = `BEGIN;
CREATE TEMP TABLE batch (topic text, partition int, "offset" bigint, store text, product text, delta int, at timestamptz) ON COMMIT DROP;
INSERT INTO batch VALUES
${values};
CREATE TEMP TABLE seen ON COMMIT DROP AS
  SELECT b.*, a.delta AS old_delta
  FROM (SELECT DISTINCT ON (topic, partition, "offset") * FROM batch ORDER BY topic, partition, "offset") b
  LEFT JOIN applied_records a USING (topic, partition, "offset");
INSERT INTO stock_levels AS s (store, product, qty, updated_at)
  SELECT store, product, sum(delta - coalesce(old_delta, 0)), max(at) FROM seen
  WHERE old_delta IS DISTINCT FROM delta GROUP BY store, product
  ON CONFLICT (store, product) DO UPDATE SET qty = s.qty + EXCLUDED.qty, updated_at = greatest(s.updated_at, EXCLUDED.updated_at);
INSERT INTO applied_records AS a (topic, partition, "offset", store, product, delta)
  SELECT topic, partition, "offset", store, product, delta FROM seen WHERE old_delta IS DISTINCT FROM delta
  ON CONFLICT (topic, partition, "offset") DO UPDATE SET delta = EXCLUDED.delta, applied_at = now();
SELECT count(*) FILTER (WHERE old_delta IS NULL), count(*) FILTER (WHERE old_delta <> delta),
       count(*) FILTER (WHERE old_delta = delta), count(DISTINCT (store, product)) FILTER (WHERE old_delta IS DISTINCT FROM delta)
  FROM seen;
COMMIT;
`
  const answer = new Promise((resolve) => waiting.push(resolve))
  psql.stdin.write(text)
  return answer.then((r) => {
    totals.fresh += r.fresh
    totals.corrected += r.corrected
    totals.duplicate += r.duplicate
    totals.levels += r.levels
  })
}

function flush() {
  clearTimeout(timer)
  timer = null
  if (pending.length === 0) return inFlight
  const rows = pending
  pending = []
  inFlight = inFlight.then(() => send(rows))
  return inFlight
}

let lineNumber = 0
for await (const line of createInterface({input: process.stdin, crlfDelay: Infinity})) {
  lineNumber++
  if (!line.trim()) continue
  let envelope, event
  try {
    envelope = JSON.parse(line)
    const text = envelope.valueEncoding === 'base64' ? Buffer.from(envelope.value, 'base64').toString('utf8') : envelope.value
    event = typeof text === 'string' ? JSON.parse(text) : text
  } catch (error) {
    fail(`line ${lineNumber}: not a record envelope with a JSON value (${error.message})`, "pipe in 'kafkit consume ... --format json'")
  }
  if (typeof envelope.topic !== 'string' || !Number.isInteger(envelope.partition) || !Number.isInteger(Number(envelope.offset))) {
    fail(`line ${lineNumber}: the envelope has no topic/partition/offset`, "the sink needs them to apply each record once: pipe in 'kafkit consume ... --format json'")
  }
  totals.records++
  const d = event && typeof event === 'object' ? delta(event) : null
  if (d === null || typeof event.store !== 'string' || typeof (event.product ?? envelope.key) !== 'string') {
    totals.skipped++
    if (!opt.quiet) process.stderr.write(`sink: skipped ${envelope.topic}/${envelope.partition}@${envelope.offset}: not an inventory change\n`)
    continue
  }
  pending.push({
    topic: envelope.topic,
    partition: envelope.partition,
    offset: Number(envelope.offset),
    store: event.store,
    product: event.product ?? envelope.key,
    delta: d,
    at: [event.at, envelope.timestamp].find((t) => typeof t === 'string' && Number.isFinite(Date.parse(t))) ?? null,
  })
  if (pending.length >= BATCH) {
    // Back-pressure: read no further while a batch is in PostgreSQL.
    await flush()
  } else if (!timer) {
    timer = setTimeout(flush, 100)
  }
}
await flush()
finishing = true
psql.stdin.end('\\q\n')
const code = await exited
if (code !== 0) fail(`psql exited with code ${code}`)
process.stderr.write(
  `sink${opt.v1 ? ' (v1)' : ''}: ${totals.records} records: ${totals.fresh} applied, ${totals.corrected} corrected, ${totals.duplicate} already applied` +
    `${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`,
)
