/** The on-disk schema cache's keying and validation (src/schemas/disk-cache.ts); the end-to-end test is test/integration/schemas-cache.test.ts. */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {SchemaDiskCache, isLoopbackUrl} from '../../src/schemas/disk-cache.js'

const entry = {schema: {schema: '"string"', schemaType: 'AVRO' as const, references: []}, refs: []}

describe('SchemaDiskCache', () => {
  it('keys entries by registry URL and user: two registries (or users) never share an entry', () => {
    const root = mkdtempSync(join(tmpdir(), 'kafkit-disk-cache-'))
    const a = new SchemaDiskCache(root, 'https://sr-a.example.com')
    const b = new SchemaDiskCache(root, 'https://sr-b.example.com')
    const aAsBob = new SchemaDiskCache(root, 'https://sr-a.example.com', 'bob')
    a.write(7, entry)
    expect(a.read(7)).toEqual(entry)
    expect(b.read(7)).toBeUndefined()
    expect(aAsBob.read(7)).toBeUndefined()
    expect(new Set([a.dir, b.dir, aAsBob.dir]).size).toBe(3)
  })

  it('treats a file of another registry, another id or a broken one as a miss', () => {
    const root = mkdtempSync(join(tmpdir(), 'kafkit-disk-cache-'))
    const a = new SchemaDiskCache(root, 'https://sr-a.example.com')
    a.write(1, entry)
    writeFileSync(join(a.dir, '2.json'), JSON.stringify({format: 1, url: 'https://other.example.com', id: 2, ...entry}))
    writeFileSync(join(a.dir, '3.json'), JSON.stringify({format: 1, url: 'https://sr-a.example.com', id: 4, ...entry}))
    writeFileSync(join(a.dir, '5.json'), '{"format":1,')
    expect(a.read(1)).toEqual(entry)
    for (const id of [2, 3, 5, 6]) expect(a.read(id)).toBeUndefined()
  })

  it('a directory it cannot write is ignored', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kafkit-disk-cache-')), 'a-file')
    writeFileSync(file, '')
    const cache = new SchemaDiskCache(file, 'https://sr.example.com')
    expect(() => cache.write(1, entry)).not.toThrow()
    expect(cache.read(1)).toBeUndefined()
  })
})

describe('isLoopbackUrl', () => {
  it('is true for registries on this machine (not cached) and false for others', () => {
    for (const url of ['http://127.0.0.1:8081/apis/ccompat/v7', 'http://localhost:8081', 'http://[::1]:8081', 'http://127.1.2.3']) expect(isLoopbackUrl(url)).toBe(true)
    for (const url of ['https://psrc-xxxx.europe-west1.gcp.confluent.cloud', 'http://10.0.0.5:8081', 'http://registry.internal']) expect(isLoopbackUrl(url)).toBe(false)
  })
})
