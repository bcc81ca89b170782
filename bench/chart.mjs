#!/usr/bin/env node
/**
 * `node bench/chart.mjs [bench/results/all.json] [out.svg]`: an SVG chart of the newest bench results (bench.mjs
 * calls writeChart after every run). Vega-Lite compiled to Vega, rendered by vega's View.toSVG(): no browser, no
 * canvas, no network.
 *
 *   - throughput: the peer's time ÷ kafkit's, per scenario and peer (higher is better);
 *   - time: kafkit's time ÷ the peer's (lower is better), log scale;
 *   - goals as ticks; scale scenarios: kafkit's (and the peers') wall time at each cluster size, with the line a
 *     linear growth from the smallest size would follow.
 */
import {readFileSync, writeFileSync} from 'node:fs'

const label = (r, p) => `${r.name}: ${p.name}`
const goalOf = (p) => (p.goal ? p.goal.value : undefined)

/** The rows the chart draws, from all.json's results. */
export function chartData(all) {
  const speed = []
  const time = []
  const growth = []
  for (const r of all.results) {
    if (r.skipped || r.error || r.kind === 'memory' || !r.kafkit) continue
    if (r.scale) {
      const base = {what: r.scale.what, topics: r.scale.topics}
      if (r.kafkit.wallMs) growth.push({...base, tool: 'kafkit', line: 'measured', seconds: r.kafkit.wallMs / 1000})
      for (const p of r.peers) if (p.wallMs) growth.push({...base, tool: p.name.replace(/ --.*/, ''), line: 'measured', seconds: p.wallMs / 1000})
      // Their ratios against a peer with a goal (the Java tools) go with the others.
      for (const p of r.peers) if (p.goal && p.ratio) time.push({label: label(r, p), ratio: Number(p.ratio.toFixed(3)), goal: goalOf(p), met: p.met ? 'goal met' : 'goal missed'})
      continue
    }
    for (const p of r.peers) {
      if (p.ratio === undefined || p.ratio === null) continue
      const row = {label: label(r, p), ratio: Number(p.ratio.toFixed(3)), goal: goalOf(p), met: p.met === undefined ? 'no goal' : p.met ? 'goal met' : 'goal missed'}
      ;(r.ratio === 'speed' ? speed : time).push(row)
    }
  }
  // The linear reference of each scale command: its smallest size's time, grown with the number of topics.
  const reference = []
  for (const what of new Set(growth.map((g) => g.what))) {
    const k = growth.filter((g) => g.what === what && g.tool === 'kafkit').sort((a, b) => a.topics - b.topics)
    if (k.length < 2) continue
    for (const g of k) reference.push({what, topics: g.topics, tool: 'kafkit if linear', line: 'linear', seconds: (k[0].seconds * g.topics) / k[0].topics})
  }
  return {speed, time, growth: [...growth, ...reference]}
}

const colors = {domain: ['goal met', 'goal missed', 'no goal'], range: ['#2e7d32', '#c62828', '#78909c']}

function bars(rows, {title, axis, log}) {
  return {
    title,
    width: 420,
    height: {step: 16},
    data: {values: rows},
    layer: [
      {
        mark: {type: 'bar'},
        encoding: {
          y: {field: 'label', type: 'nominal', sort: null, title: null, axis: {labelLimit: 320}},
          x: {field: 'ratio', type: 'quantitative', title: axis, scale: log ? {type: 'log'} : {zero: true}},
          // On the log scale a bar starts at 1× (parity): left of it kafkit is faster, right of it slower.
          ...(log ? {x2: {datum: 1}} : {}),
          color: {field: 'met', type: 'nominal', scale: colors, legend: {title: null, orient: 'bottom'}},
          tooltip: [{field: 'label'}, {field: 'ratio'}, {field: 'goal'}],
        },
      },
      {
        mark: {type: 'text', align: 'left', dx: 3, fontSize: 10},
        encoding: {y: {field: 'label', type: 'nominal', sort: null}, x: {field: 'ratio', type: 'quantitative'}, text: {field: 'ratio', type: 'quantitative', format: '.2f'}},
      },
      {mark: {type: 'tick', color: 'black', thickness: 2, size: 14}, encoding: {y: {field: 'label', type: 'nominal', sort: null}, x: {field: 'goal', type: 'quantitative'}}},
      {data: {values: [{one: 1}]}, mark: {type: 'rule', strokeDash: [4, 3], color: '#555'}, encoding: {x: {field: 'one', type: 'quantitative'}}},
    ],
  }
}

export function chartSpec(all) {
  const {speed, time, growth} = chartData(all)
  const panels = []
  if (speed.length) panels.push(bars(speed, {title: 'Throughput vs each peer (peer time ÷ kafkit time; higher is better; | = goal)', axis: 'ratio'}))
  if (time.length) panels.push(bars(time, {title: 'Time vs each peer (kafkit time ÷ peer time; lower is better; | = goal)', axis: 'ratio (log scale)', log: true}))
  if (growth.length)
    panels.push({
      title: 'Scale: wall time by cluster size (topics × 3 partitions; groups grow with them), one run',
      data: {values: growth},
      facet: {field: 'what', type: 'nominal', title: null},
      columns: 3,
      spec: {
        width: 200,
        height: 140,
        mark: {type: 'line', point: true},
        encoding: {
          x: {field: 'topics', type: 'quantitative', title: 'topics', scale: {zero: true}},
          y: {field: 'seconds', type: 'quantitative', title: 'seconds', scale: {zero: true}},
          color: {
            field: 'tool',
            type: 'nominal',
            title: null,
            legend: {orient: 'bottom'},
            scale: {domain: ['kafkit', 'kafkit if linear', 'kcat -L', 'TopicCommand', 'ConsumerGroupCommand'], range: ['#e65100', '#9e9e9e', '#1565c0', '#6a1b9a', '#00838f']},
          },
          strokeDash: {
            field: 'line',
            type: 'nominal',
            title: null,
            scale: {
              domain: ['measured', 'linear'],
              range: [
                [1, 0],
                [4, 3],
              ],
            },
            legend: null,
          },
          tooltip: [{field: 'tool'}, {field: 'topics'}, {field: 'seconds', format: '.2f'}],
        },
      },
      resolve: {scale: {y: 'independent', x: 'independent'}},
    })
  const when = all.updated ? all.updated.slice(0, 16).replace('T', ' ') : ''
  const m = all.machine ?? {}
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'kafkit bench: newest result of each scenario',
      subtitle: `updated ${when} UTC; ${m.cpus ?? '?'} × ${m.cpuModel ?? '?'}; Node ${m.node ?? '?'}; Kafka ${m.kafka ?? '?'}; each scenario's own run (see all.json for its date and load)`,
    },
    vconcat: panels,
    spacing: 30,
    resolve: {legend: {color: 'independent'}, scale: {color: 'independent'}},
    config: {font: 'sans-serif', view: {stroke: '#ddd'}, axis: {labelFontSize: 10, titleFontSize: 11}, title: {fontSize: 13, anchor: 'start'}},
    background: 'white',
    padding: 10,
  }
}

/** Renders all.json's results to `path` (an SVG file); returns the path. */
export async function writeChart(all, path) {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')])
  const {spec} = vegaLite.compile(chartSpec(all))
  const view = new vega.View(vega.parse(spec), {renderer: 'none'})
  const svg = await view.toSVG()
  view.finalize()
  writeFileSync(path, svg)
  return path
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const input = process.argv[2] ?? new URL('./results/all.json', import.meta.url).pathname
  const out = process.argv[3] ?? new URL('./results/bench.svg', import.meta.url).pathname
  process.stdout.write(`${await writeChart(JSON.parse(readFileSync(input, 'utf8')), out)}\n`)
}
