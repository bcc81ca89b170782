#!/usr/bin/env node
// A retail chain's trading day as kafkit record envelopes (JSON Lines), for `kafkit produce --format json`.
//
//   node generate.mjs --seed 7 --out-dir day --expected day/expected.json    # day/<topic>.jsonl per topic
//   for f in day/*.jsonl; do kafkit produce "$(basename "$f" .jsonl)" --format json -f "$f"; done
//
// Without --out-dir, every envelope goes to stdout (each carries its "topic").
//
// Every store's tills and back office write to that store's topic (inventory_store1, inventory_store2, ...):
// deliveries (`receipt`, +qty), till lines (`sale`: qty > 0 is a sale, qty < 0 a return), shrinkage and damage
// (`adjustment`, signed), and moves between stores (`transfer_out` / `transfer_in`). Every till line also goes to
// `sales`, keyed by product id like everything else. The same seed gives the same records; timestamps are the
// last --hours hours before --now (default: now), so `--from @-1h` style windows select real history.
//
// Store tills could not take returns until a POS update went live part-way through the day (`returnsSince` in
// the expected file); from then on a return is a till line with a negative quantity. The walkthrough's first
// sink ("v1") mishandles those, which is the bug it later fixes.
//
// --expected FILE gets the totals a correct consumer must end with: the stock level per store and product, plus
// what the v1 sink ends with, record counts per topic, and how many sales the last hour holds.
import {mkdirSync, writeFileSync, appendFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

const {values: opt} = parseArgs({
  options: {
    seed: {type: 'string', default: '7'},
    stores: {type: 'string', default: '3'},
    products: {type: 'string', default: '12'},
    events: {type: 'string', default: '1500'},
    hours: {type: 'string', default: '3'},
    now: {type: 'string'},
    prefix: {type: 'string', default: process.env.RETAIL_PREFIX ?? ''},
    expected: {type: 'string'},
    'out-dir': {type: 'string'},
    help: {type: 'boolean', short: 'h'},
  },
})
if (opt.help) {
  console.error('usage: node generate.mjs [--seed N] [--stores N] [--products N] [--events N] [--hours H] [--now ISO] [--prefix P] [--out-dir DIR] [--expected FILE]')
  process.exit(0)
}
const int = (name) => {
  const n = Number(opt[name])
  if (!Number.isInteger(n) || n < 1) {
    console.error(`generate: --${name} must be a whole number >= 1`)
    process.exit(2)
  }
  return n
}
const seed = int('seed')
const storeCount = int('stores')
const productCount = Math.min(int('products'), 99)
const eventCount = int('events')
const hours = Number(opt.hours)
const now = opt.now ? Date.parse(opt.now) : Date.now()
if (!Number.isFinite(now) || !(hours >= 1.5)) {
  console.error('generate: --now must be an ISO-8601 time and --hours at least 1.5')
  process.exit(2)
}
const P = opt.prefix

// mulberry32: small, fast, and the same sequence everywhere for a given seed.
let state = seed >>> 0
function random() {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1))
const pick = (list) => list[Math.floor(random() * list.length)]

const CATALOGUE = [
  ['Whole milk 1L', 1.19],
  ['Oat drink 1L', 1.89],
  ['Free-range eggs x6', 2.49],
  ['Sourdough loaf', 3.2],
  ['Butter 250g', 2.35],
  ['Cheddar 400g', 4.1],
  ['Bananas 1kg', 1.35],
  ['Gala apples x6', 2.2],
  ['Basmati rice 1kg', 2.9],
  ['Penne 500g', 1.15],
  ['Tomato passata 700g', 1.3],
  ['Olive oil 500ml', 5.4],
  ['Ground coffee 250g', 4.75],
  ['Black tea x80', 3.1],
  ['Orange juice 1L', 2.05],
  ['Dark chocolate 100g', 1.6],
  ['Crisps sea salt 150g', 1.85],
  ['Sparkling water 1.5L', 0.69],
  ['Dish soap 500ml', 1.99],
  ['Toilet roll x9', 4.5],
  ['Laundry pods x30', 8.9],
  ['Toothpaste 75ml', 1.75],
  ['Shampoo 400ml', 3.6],
  ['Cat food x12', 6.3],
]
const products = Array.from({length: productCount}, (_, i) => {
  const [name, price] = CATALOGUE[i % CATALOGUE.length]
  return {id: `P-${1001 + i}`, name: i < CATALOGUE.length ? name : `${name} (${Math.floor(i / CATALOGUE.length) + 1})`, price}
})
const stores = Array.from({length: storeCount}, (_, i) => `store${i + 1}`)
const topicOf = (store) => `${P}inventory_${store}`

// The day: opening deliveries at `open`, then events spread until a minute before `now`. No till line falls in
// the 6 minutes around one hour ago, so "the last hour of sales" has the same count whether it is asked for
// now or a couple of minutes later.
const span = hours * 3_600_000
const open = now - span
const close = now - 60_000
const gapStart = now - 3_600_000 - 180_000
const gap = 360_000
const returnsSince = new Date(Math.floor((open + span * 0.4) / 60_000) * 60_000) // on the minute
const times = Array.from({length: eventCount}, () => open + 60_000 + random() * (close - open - 60_000 - gap))
  .sort((a, b) => a - b)
  .map((t) => Math.round(t >= gapStart ? t + gap : t))

const stock = new Map() // `${store}|${product}` -> qty (the truth)
const stockV1 = new Map() // what the v1 sink ends with
const counts = {}
let salesLastHour = 0
let seq = 0
const add = (map, key, delta) => map.set(key, (map.get(key) ?? 0) + delta)
const outDir = opt['out-dir']
if (outDir) mkdirSync(outDir, {recursive: true})
const out = new Map() // topic -> lines not yet written
let buffered = 0
function emit(topic, key, value, headers, timestamp) {
  if (!counts[topic] && outDir) writeFileSync(join(outDir, `${topic}.jsonl`), '')
  counts[topic] = (counts[topic] ?? 0) + 1
  if (!out.has(topic)) out.set(topic, [])
  // The value as a JSON object: produced as Avro with the topic's schema (or as its JSON text without one).
  out.get(topic).push(JSON.stringify({topic, key, value, headers, timestamp: new Date(timestamp).toISOString()}))
  if (++buffered >= 1000) flush()
}
function flush() {
  for (const [topic, lines] of out) {
    if (!lines.length) continue
    if (outDir) appendFileSync(join(outDir, `${topic}.jsonl`), lines.join('\n') + '\n')
    else process.stdout.write(lines.join('\n') + '\n')
    lines.length = 0
  }
  buffered = 0
}
function inventory(store, product, type, qty, timestamp, extra = {}, headers = {}) {
  const delta = type === 'receipt' || type === 'transfer_in' || type === 'adjustment' ? qty : -qty
  const deltaV1 = type === 'sale' ? -Math.abs(qty) : delta
  add(stock, `${store}|${product.id}`, delta)
  add(stockV1, `${store}|${product.id}`, deltaV1)
  const id = `${store}-${String(++seq).padStart(6, '0')}`
  emit(topicOf(store), product.id, {id, store, product: product.id, type, qty, at: new Date(timestamp).toISOString(), ...extra}, {source: headers.source ?? type, ...headers}, timestamp)
}
function tillLine(store, product, qty, timestamp) {
  const till = `T${between(1, 4)}`
  inventory(store, product, 'sale', qty, timestamp, {till}, {source: 'pos', till})
  const id = `${store}-${till}-${String(seq).padStart(6, '0')}`
  emit(
    `${P}sales`,
    product.id,
    {id, store, product: product.id, name: product.name, qty, unitPrice: product.price, amount: Math.round(qty * product.price * 100) / 100, at: new Date(timestamp).toISOString()},
    {source: 'pos', store},
    timestamp,
  )
  if (timestamp >= now - 3_600_000) salesLastHour++
}

for (const store of stores) for (const product of products) inventory(store, product, 'receipt', between(15, 40), open, {supplier: 'DC-North'}, {source: 'warehouse'})

for (const t of times) {
  const store = pick(stores)
  const product = pick(products)
  const onHand = stock.get(`${store}|${product.id}`)
  const r = random()
  if (r < 0.1 && t >= returnsSince.getTime()) {
    tillLine(store, product, -between(1, 2), t) // a return
  } else if (r < 0.72 && onHand > 0) {
    tillLine(store, product, between(1, Math.min(4, onHand)), t)
  } else if (r < 0.8 && onHand > 0) {
    inventory(store, product, 'adjustment', -between(1, Math.min(2, onHand)), t, {reason: pick(['damaged', 'expired', 'stocktake'])}, {source: 'backoffice'})
  } else if (r < 0.87 && onHand > 3 && stores.length > 1) {
    const to = pick(stores.filter((s) => s !== store))
    const qty = between(1, Math.min(5, onHand - 2))
    const transfer = `TR-${String(seq + 1).padStart(6, '0')}`
    inventory(store, product, 'transfer_out', qty, t, {to, transfer}, {source: 'backoffice'})
    inventory(to, product, 'transfer_in', qty, t, {from: store, transfer}, {source: 'backoffice'})
  } else {
    inventory(store, product, 'receipt', between(10, 30), t, {supplier: pick(['DC-North', 'DC-South'])}, {source: 'warehouse'})
  }
}
flush()

if (opt.expected) {
  const table = (map) => {
    const result = {}
    for (const [k, qty] of [...map].sort()) {
      const [store, product] = k.split('|')
      ;(result[store] ??= {})[product] = qty
    }
    return result
  }
  const inventoryRecords = Object.entries(counts)
    .filter(([t]) => t.startsWith(`${P}inventory_`))
    .reduce((n, [, c]) => n + c, 0)
  writeFileSync(
    opt.expected,
    JSON.stringify(
      {
        seed,
        stores: storeCount,
        products: productCount,
        events: eventCount,
        prefix: P,
        now: new Date(now).toISOString(),
        open: new Date(open).toISOString(),
        returnsSince: returnsSince.toISOString(),
        records: counts,
        inventoryRecords,
        salesLastHour,
        stock: table(stock),
        stockV1: table(stockV1),
      },
      null,
      2,
    ) + '\n',
  )
}
process.stderr.write(
  `generate: ${Object.values(counts).reduce((a, b) => a + b, 0)} records for ${storeCount} stores x ${productCount} products (seed ${seed})${outDir ? ` in ${outDir}/<topic>.jsonl` : ''}${opt.expected ? `, expected totals in ${opt.expected}` : ''}\n`,
)
