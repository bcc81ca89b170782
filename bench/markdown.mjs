#!/usr/bin/env node
/** `node bench/markdown.mjs [bench/results/latest.json | bench/results/all.json]`: the results as a Markdown table (for the README). */
import {readFileSync} from 'node:fs'

import {formatMs, formatRate} from './lib.mjs'

const file = process.argv[2] ?? new URL('./results/latest.json', import.meta.url).pathname
const report = JSON.parse(readFileSync(file, 'utf8'))
const mb = (v) => (v ? `${Math.round(v)} MB` : '-')
const x = (v) => (v === undefined || v === null ? '-' : `${v.toFixed(2)}×`)
const goal = (g) => (g ? `${g.op === '<=' ? '≤' : '≥'} ${g.value}×` : '')
const met = (m) => (m === undefined || m === null ? '' : m ? 'yes' : '**no**')
const cell = (text) => String(text).replaceAll('|', '\\|')
const time = (s, records) => `${formatMs(s.wallMs)}${records && s.wallMs ? ` (${formatRate(records, s.wallMs)})` : ''}${s.errors?.length ? ` (${s.errors.length} failed)` : ''}`

// Reports written before the CPU ratio existed still have the CPU times.
const cpuRatio = (r, p) => p.cpuRatio ?? (r.kafkit.cpuMs && p.cpuMs ? (r.ratio === 'speed' ? p.cpuMs / r.kafkit.cpuMs : r.kafkit.cpuMs / p.cpuMs) : undefined)

const lines = ['| scenario | kafkit | peer | peer time | ratio | CPU ratio | goal | met | RSS kafkit / peer |', '|---|---|---|---|---|---|---|---|---|']
for (const r of report.results) {
  if (r.skipped || r.error) {
    lines.push(`| ${r.name} | ${r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error}`} | | | | | | | |`)
    continue
  }
  if (r.kind === 'memory') {
    for (const row of r.rows)
      lines.push(
        `| memory: ${row.name}${row.errors?.length ? ` (failed: ${cell(row.errors[0])})` : ''} | ${formatMs(row.wallMs)} | | | | | ≤ ${r.maxRssMb} MB | ${met(row.rssMb ? row.rssMb <= r.maxRssMb : undefined)} | ${mb(row.rssMb)} |`,
      )
    continue
  }
  if (r.kafkit.maxMs) lines.push(`| ${r.name} | ${time(r.kafkit)} | (absolute) | | | | ≤ ${r.kafkit.maxMs} ms | ${met(r.kafkit.met)} | ${mb(r.kafkit.rssMb)} |`)
  for (const p of r.peers) {
    lines.push(
      `| ${r.name} | ${time(r.kafkit, r.records)} | ${cell(p.name)} | ${time(p, r.records)} | ${x(p.ratio)} | ${x(cpuRatio(r, p))} | ${goal(p.goal)} | ${met(p.met)} | ${mb(r.kafkit.rssMb)} / ${mb(p.rssMb)} |`,
    )
  }
}
const m = report.machine
// latest.json is one run; all.json (the newest result of each scenario) has no config: each row has its date.
const when = report.date ?? report.updated
const runs = report.config
  ? `${report.config.records} records, ${report.config.reps} repetitions (start-up scenarios ≥ 5), medians`
  : `results of several runs: ${[...new Set(report.results.map((r) => r.date?.slice(0, 16).replace('T', ' ')))].join(', ')} UTC`
lines.push(
  '',
  `Finished ${when.slice(0, 16).replace('T', ' ')} UTC; ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB RAM, load average at the end ${m.loadAverageAtEnd.join(' / ')}; Node ${m.node}; Kafka ${m.kafka} (one local KRaft node); ${m.java ?? ''}; ${m.kcat ?? ''}; ${runs}.`,
)
process.stdout.write(lines.join('\n') + '\n')
