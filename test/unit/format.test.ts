import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/errors.js'
import type {RawRecord} from '../../src/records/envelope.js'
import {compileFormat, compileGrep, formatHeaders, OutputBuffer, parseDecoder} from '../../src/records/format.js'

const record: RawRecord = {
  topic: 'orders',
  partition: 3,
  offset: 1042,
  timestamp: Date.UTC(2026, 10, 24, 10, 15, 2, 114),
  key: Buffer.from('store-17'),
  value: Buffer.from('{"sku":"A1","qty":-2}'),
  headers: {source: Buffer.from('pos'), tag: [Buffer.from('a'), Buffer.from('b')]},
}

function render(format: string, r: RawRecord = record, extra: Parameters<typeof compileFormat>[0] = {format}): string {
  const out = new OutputBuffer(8)
  compileFormat({...extra, format})(r, out)
  return out.take().toString('utf8')
}

describe('templates', () => {
  it('fills every kcat placeholder', () => {
    expect(render('%t %p %o %k %v %T %K %S\\n')).toBe(`orders 3 1042 store-17 {"sku":"A1","qty":-2} ${record.timestamp} 8 21\n`)
  })

  it('supports %s as the value (kcat), %d as an ISO time, %h headers and %%', () => {
    expect(render('%s|%d|%h|100%%')).toBe('{"sku":"A1","qty":-2}|2026-11-24T10:15:02.114Z|source=pos,tag=a,tag=b|100%')
  })

  it('turns escapes into characters, keeps an unknown escape', () => {
    expect(render('%k\\t%v\\r\\n\\\\\\q')).toBe('store-17\t{"sku":"A1","qty":-2}\r\n\\\\q')
  })

  it('writes nothing for a null key or value and -1 as their sizes', () => {
    expect(render('[%k][%v] %K %S\\n', {...record, key: null, value: null})).toBe('[][] -1 -1\n')
  })

  it('rejects an unknown placeholder with exit 2 and an example', () => {
    try {
      render('%q')
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(KafkitError)
      expect((error as KafkitError).exitCode).toBe(2)
      expect((error as KafkitError).hint).toContain('%p %o %k %v')
    }
  })

  it('rejects a format that is neither raw, json nor a template', () => {
    expect(() => render('yaml')).toThrow(/not raw, json or a template/)
  })
})

describe('raw and json formats', () => {
  it('raw is the value and a newline, bytes untouched', () => {
    const binary = Buffer.from([0xff, 0x00, 0xfe])
    const out = new OutputBuffer(1)
    compileFormat({format: 'raw'})({...record, value: binary}, out)
    expect(out.take()).toEqual(Buffer.concat([binary, Buffer.from('\n')]))
  })

  it('json is the envelope, one line per record', () => {
    const line = render('json')
    expect(line.endsWith('\n')).toBe(true)
    expect(JSON.parse(line)).toEqual({
      topic: 'orders',
      partition: 3,
      offset: 1042,
      timestamp: '2026-11-24T10:15:02.114Z',
      key: 'store-17',
      value: '{"sku":"A1","qty":-2}',
      headers: {source: 'pos', tag: ['a', 'b']},
    })
  })
})

describe('decoders', () => {
  it('hex and base64', () => {
    expect(render('%k %v', record, {format: '', keyDecoder: 'hex', valueDecoder: 'base64'})).toBe(`${Buffer.from('store-17').toString('hex')} ${Buffer.from(record.value!).toString('base64')}`)
  })

  it('json compact when piped, indented on a TTY, text when not JSON', () => {
    expect(render('%v', record, {format: '', valueDecoder: 'json'})).toBe('{"sku":"A1","qty":-2}')
    expect(render('%v', record, {format: '', valueDecoder: 'json', pretty: true})).toBe('{\n  "sku": "A1",\n  "qty": -2\n}')
    expect(render('%v', {...record, value: Buffer.from('not json')}, {format: '', valueDecoder: 'json'})).toBe('not json')
  })

  it('an unknown decoder is exit 2', () => {
    expect(() => parseDecoder('yaml', '--value-decoder')).toThrow(/not a decoder/)
    expect(parseDecoder('hex', '--key-decoder')).toBe('hex')
  })
})

describe('grep and headers', () => {
  it('keeps records whose key or value matches', () => {
    const grep = compileGrep('store-1[0-9]')!
    expect(grep(record)).toBe(true)
    expect(grep({...record, key: Buffer.from('store-99')})).toBe(false)
    expect(compileGrep('"qty":-2')!({...record, key: null})).toBe(true)
    expect(compileGrep(undefined)).toBeUndefined()
    expect(() => compileGrep('(')).toThrow(/not a regular expression/)
  })

  it('formats headers like kcat', () => {
    expect(formatHeaders(undefined)).toBe('')
    expect(formatHeaders({a: Buffer.from('1')})).toBe('a=1')
  })
})

describe('OutputBuffer', () => {
  it('grows and hands out independent chunks', () => {
    const out = new OutputBuffer(2)
    out.string('héllo ')
    out.bytes(Buffer.from('world'))
    out.byte(10)
    const first = out.take()
    out.string('next')
    expect(first.toString()).toBe('héllo world\n')
    expect(out.take().toString()).toBe('next')
  })
})
