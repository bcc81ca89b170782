/**
 * `kafkit schemas apply` against a real Apicurio Registry: plan, --check (exit 8 / 0), --execute in reference
 * order, an incompatible change shown with its reasons and refused before anything is applied.
 */
import {rmSync} from 'node:fs'

import {afterAll, describe, expect, it} from 'vitest'

import {expectCleanError, json, uniqueName} from './helpers.js'
import {REGISTRY_AVAILABLE, TEST_REGISTRY, schemas, scratch} from './registry.js'

const LONG = 300_000

const MONEY = 'syntax = "proto3";\npackage retail;\n\nmessage Money {\n  string currency = 1;\n  int64 cents = 2;\n}\n'
const SALE = 'syntax = "proto3";\npackage retail;\n\nimport "money.proto";\n\nmessage Sale {\n  string sku = 1;\n  int32 qty = 2;\n  retail.Money price = 3;\n}\n'
const STOCK_V1 = {
  type: 'record',
  name: 'Stock',
  namespace: 'retail',
  fields: [
    {name: 'sku', type: 'string'},
    {name: 'qty', type: 'int'},
  ],
}
const STOCK_V2 = {...STOCK_V1, fields: [...STOCK_V1.fields, {name: 'store', type: 'string', default: 'web'}]}
const STOCK_BROKEN = {
  ...STOCK_V1,
  fields: [
    {name: 'sku', type: 'string'},
    {name: 'qty', type: 'string'},
  ],
}

interface ApplyJson {
  differs: boolean
  executed: boolean
  blocked: string[]
  counts: {register: number; compatibility: number; unchanged: number}
  actions: {action: string; subject?: string; compatible?: boolean | null; messages?: string[]}[]
  applied?: {registered: {subject: string; id: number; version: number}[]}
}

describe.skipIf(!REGISTRY_AVAILABLE)(`kafkit schemas apply (registry ${TEST_REGISTRY})`, () => {
  const ctx = scratch('kafkit-sr-apply-')
  const env = ctx.env
  const p = uniqueName('sra')
  const money = `${p}-money`
  const sale = `${p}-sale-value`
  const stock = `${p}-stock-value`

  afterAll(async () => {
    for (const s of [sale, money, stock]) await schemas(['delete', s, '--permanent', '--yes'], env)
    rmSync(ctx.dir, {recursive: true, force: true})
  }, 120_000)

  const file = (stockSchema: object, stockLevel = 'BACKWARD') => {
    ctx.write('money.proto', MONEY)
    ctx.write('sale.proto', SALE)
    return ctx.write(
      'schemas.yaml',
      [
        'subjects:',
        // Listed before what it references: apply orders by references.
        `  ${sale}:`,
        '    file: sale.proto',
        '    compatibility: FULL',
        '    references:',
        `      - {name: money.proto, subject: ${money}}`,
        `  ${money}:`,
        '    file: money.proto',
        `  ${stock}:`,
        `    compatibility: ${stockLevel}`,
        `    schema: '${JSON.stringify(stockSchema)}'`,
        '',
      ].join('\n'),
    )
  }

  it(
    'plans, --check exits 8, --execute registers in reference order, then --check exits 0',
    async () => {
      const path = file(STOCK_V1)
      const plan = await schemas(['apply', '-f', path], env)
      expect(plan.code, plan.stderr).toBe(0)
      expect(plan.stdout).toContain(`+ register ${money} (protobuf, file money.proto, new subject)`)
      expect(plan.stdout).toContain(`~ compatibility ${sale}`)
      expect(plan.stdout).toContain('Plan: 3 to register')
      expect(plan.stderr).toContain('this is a plan')

      const check = await schemas(['apply', '-f', path, '--check'], env)
      expect(check.code).toBe(8)
      expect(expectCleanError(check).message).toContain('3 to register')

      const done = json<ApplyJson>(await schemas(['apply', '-f', path, '--execute', '--json'], env))
      expect(done.executed).toBe(true)
      expect(done.applied!.registered.map((r) => r.subject)).toEqual([money, sale, stock])

      const got = json<{references: unknown[]}>(await schemas(['get', sale, '--json'], env))
      expect(got.references).toEqual([{name: 'money.proto', subject: money, version: 1}])
      expect((await schemas(['compatibility', 'get', sale], env)).stdout.trim()).toBe('FULL')

      const clean = await schemas(['apply', '-f', path, '--check'], env)
      expect(clean.code, clean.stdout + clean.stderr).toBe(0)
      expect(clean.stdout).toContain('No changes: the registry matches the file (3 subjects up to date).')
    },
    LONG,
  )

  it(
    'a compatible change is one registration; a breaking one is shown with its reasons and nothing is applied',
    async () => {
      const compatible = file(STOCK_V2)
      const plan = json<ApplyJson>(await schemas(['apply', '-f', compatible, '--json'], env))
      expect(plan.counts).toMatchObject({register: 1, unchanged: 2})
      expect(plan.actions).toEqual([expect.objectContaining({action: 'register', subject: stock, compatible: true})])
      await schemas(['apply', '-f', compatible, '--execute', '--yes'], env)
      expect((await schemas(['versions', stock], env)).stdout).toBe('1\n2\n')

      const broken = file(STOCK_BROKEN)
      const shown = await schemas(['apply', '-f', broken], env)
      expect(shown.code, shown.stderr).toBe(0)
      expect(shown.stdout).toContain(`! register ${stock}`)
      expect(shown.stdout).toMatch(/INCOMPATIBLE[\s\S]*not compatible/)
      const refused = await schemas(['apply', '-f', broken, '--execute', '--yes'], env)
      expect(refused.code).toBe(1)
      expect(expectCleanError(refused).message).toContain('nothing applied')
      expect((await schemas(['versions', stock], env)).stdout).toBe('1\n2\n')
    },
    LONG,
  )

  it(
    'bad files are exit 2 naming the place',
    async () => {
      const bad = await schemas(['apply', '-f', ctx.write('bad.yaml', `subjects:\n  x-value:\n    file: missing.avsc\n`)], env)
      expect(bad.code).toBe(2)
      expect(expectCleanError(bad).message).toContain('subjects.x-value.file: cannot read missing.avsc')
      const both = await schemas(['apply', '-f', ctx.write('both.yaml', 'subjects: {}\n'), '--check', '--execute'], env)
      expect(both.code).toBe(2)
    },
    LONG,
  )
})
