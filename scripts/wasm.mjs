#!/usr/bin/env node
/**
 * Compiles the WebAssembly text of src/ (src/schemas/avro-json.wat: consume's Avro lane) into dist/wasm/, with
 * wabt (a development dependency: the package ships the .wasm, not the compiler). `npm run build` runs it.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import wabtInit from 'wabt'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const wabt = await wabtInit()
mkdirSync(join(root, 'dist', 'wasm'), {recursive: true})
for (const name of ['avro-json']) {
  const source = join(root, 'src', 'schemas', `${name}.wat`)
  const module = wabt.parseWat(source, readFileSync(source, 'utf8'), {simd: true, bulk_memory: true})
  module.validate()
  writeFileSync(join(root, 'dist', 'wasm', `${name}.wasm`), Buffer.from(module.toBinary({}).buffer))
  module.destroy()
}
