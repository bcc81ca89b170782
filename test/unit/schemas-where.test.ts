import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import {compileWhere, type WhereRecord} from '../../src/schemas/where.js'

const record = (value: unknown, extra: Partial<WhereRecord> = {}): WhereRecord => ({
  key: 'k1',
  value,
  headers: {'trace-id': 'abc', source: 'pos'},
  partition: 2,
  offset: 41,
  timestamp: 1_764_000_000_000,
  topic: 'sales',
  ...extra,
})

function errorOf(expression: string): KafkitError {
  try {
    compileWhere(expression)
  } catch (error) {
    return error as KafkitError
  }
  throw new Error(`'${expression}' compiled`)
}

describe('--where', () => {
  it('filters on decoded fields, headers and record coordinates', () => {
    const where = compileWhere('value.store_id == "store-7" and value.qty < 0')
    expect(where(record({store_id: 'store-7', qty: -2}))).toBe(true)
    expect(where(record({store_id: 'store-7', qty: 3}))).toBe(false)
    expect(where(record({store_id: 'store-1', qty: -2}))).toBe(false)
    expect(compileWhere('value.lines.1.sku == "b"')(record({lines: [{sku: 'a'}, {sku: 'b'}]}))).toBe(true)
    expect(compileWhere('\'headers.trace-id\' == "abc" and headers.source == "pos"')(record({}))).toBe(true)
    expect(compileWhere('partition == 2 and offset >= 41 and timestamp > 1700000000000 and topic == "sales" and key == "k1"')(record({}))).toBe(true)
    expect(compileWhere('value.sku ~= "^SKU-0+1$" or value.qty in (5, 6)')(record({sku: 'SKU-0001', qty: 1}))).toBe(true)
    expect(compileWhere('not (value.qty in (5, 6))')(record({qty: 5}))).toBe(false)
  })

  it('a record whose fields do not fit does not match (no error)', () => {
    const where = compileWhere('value.qty < 0')
    expect(where(record({}))).toBe(false)
    expect(where(record('plain text'))).toBe(false)
    expect(where(record({qty: 'x'}))).toBe(false)
    expect(where(record(null))).toBe(false)
  })

  it('a bad expression is exit 2 with the position', () => {
    const cut = errorOf('value.qty <')
    expect(cut.exitCode).toBe(2)
    expect(cut.message).toBe("--where: unexpected end of expression at position 12 (after 'value.qty <')")
    const dangling = errorOf('value.store_id == "a" or')
    expect(dangling.message).toBe("--where: unexpected 'or' at position 23 (at 'or')")
    const lexical = errorOf('value.store_id == "store-7" && value.qty < 0')
    expect(lexical.message).toBe("--where: unrecognized text at position 29 (at '&& value.qty < 0')")
    const long = errorOf('value.a == 1 and value.b == 2 and value.c == 3 and value.d == 4 and value.e = 5')
    expect(long.message).toMatch(/at position 77 /)
    const field = errorOf('qty < 0')
    expect(field.message).toBe("--where: 'qty' at position 1 is not a record field")
    expect(errorOf('   ').exitCode).toBe(2)
  })
})
