#!/usr/bin/env node
/**
 * The folder picture of src/: lines of code per folder and the import arrows between folders (how many imports
 * each arrow stands for), from the sources' own import statements (TypeScript's parser; type-only imports count).
 * A folder is a top-level folder of src/ (src/commands/topics/*.ts is `commands`), except the kafkajs adapter
 * (src/kafka/kafkajs/), which is shown on its own; a file directly in src/ is its own node.
 *
 * Usage: node scripts/layers.mjs [--check] [--json] [SRC_DIR]
 *   --check  exit 1 when the folders import each other in a cycle (`npm run lint` runs it)
 *   SRC_DIR  another tree, e.g. an older commit's: git archive REV src | tar -x -C /tmp/old && node scripts/layers.mjs /tmp/old/src
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

import ts from 'typescript'

const args = process.argv.slice(2)
const check = args.includes('--check')
const json = args.includes('--json')
const root = resolve(args.find((a) => !a.startsWith('--')) ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'))

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** The node a file belongs to. */
function folderOf(file) {
  const parts = relative(root, file).split(sep)
  if (parts.length === 1) return parts[0]
  if (parts[0] === 'kafka' && parts[1] === 'kafkajs' && parts.length > 2) return 'kafka/kafkajs'
  return parts[0]
}

/** Lines that are not blank and not only a comment. */
function codeLines(text) {
  let inBlock = false
  let count = 0
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (inBlock) {
      if (line.includes('*/')) inBlock = false
      continue
    }
    if (line === '' || line.startsWith('//')) continue
    if (line.startsWith('/*')) {
      if (!line.includes('*/')) inBlock = true
      continue
    }
    count++
  }
  return count
}

const files = walk(root)
const lines = new Map()
const arrows = new Map()
const packages = new Map()
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  const from = folderOf(file)
  lines.set(from, (lines.get(from) ?? 0) + codeLines(text))
  const {importedFiles} = ts.preProcessFile(text, true, true)
  for (const {fileName} of importedFiles) {
    if (fileName.startsWith('.')) {
      const target = resolve(dirname(file), fileName).replace(/\.js$/, '.ts')
      if (!target.startsWith(root + sep)) continue
      const to = folderOf(target)
      if (to === from) continue
      const key = `${from} -> ${to}`
      arrows.set(key, (arrows.get(key) ?? 0) + 1)
    } else if (!fileName.startsWith('node:')) {
      const name = fileName.startsWith('@') ? fileName.split('/').slice(0, 2).join('/') : fileName.split('/')[0]
      if (name === 'kafkajs') {
        const key = `${from} -> kafkajs (package)`
        packages.set(key, (packages.get(key) ?? 0) + 1)
      }
    }
  }
}

// Folder cycles: a strongly connected component of more than one folder.
const graph = new Map()
for (const key of arrows.keys()) {
  const [a, b] = key.split(' -> ')
  if (!graph.has(a)) graph.set(a, new Set())
  graph.get(a).add(b)
}
const cycles = []
{
  let index = 0
  const idx = new Map()
  const low = new Map()
  const stack = []
  const on = new Set()
  const visit = (v) => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
    }
    if (low.get(v) === idx.get(v)) {
      const component = []
      let w
      do {
        w = stack.pop()
        on.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1) cycles.push(component.sort())
    }
  }
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v)
}

const sortedLines = [...lines].sort((a, b) => a[0].localeCompare(b[0]))
const sortedArrows = [...arrows, ...packages].sort((a, b) => a[0].localeCompare(b[0]))
if (json) {
  console.log(JSON.stringify({root, lines: Object.fromEntries(sortedLines), arrows: Object.fromEntries(sortedArrows), cycles}, null, 2))
} else {
  console.log(`lines of code per folder (${relative(process.cwd(), root) || '.'}; blank and comment lines not counted)`)
  for (const [folder, n] of sortedLines) console.log(`  ${folder.padEnd(22)} ${String(n).padStart(6)}`)
  console.log(`  ${'total'.padEnd(22)} ${String(sortedLines.reduce((n, [, v]) => n + v, 0)).padStart(6)}`)
  console.log('imports between folders (count of import statements)')
  for (const [key, n] of sortedArrows) console.log(`  ${key.padEnd(40)} ${String(n).padStart(4)}`)
  console.log(cycles.length === 0 ? 'folder cycles: none' : `folder cycles: ${cycles.map((c) => c.join(' <-> ')).join('; ')}`)
}
if (check && cycles.length > 0) process.exit(1)
