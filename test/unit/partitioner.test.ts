import {describe, expect, it} from 'vitest'

import {NO_KEY, crc32Partitioner, keyPartitioner, murmur2, murmur2Partitioner} from '../../src/kafka/partitioners.js'

describe('murmur2 (Kafka Utils.murmur2)', () => {
  // The vectors of Kafka's own UtilsTest.testMurmur2.
  const vectors: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ]
  for (const [input, expected] of vectors) {
    it(`murmur2(${JSON.stringify(input)}) = ${expected}`, () => {
      expect(murmur2(Buffer.from(input))).toBe(expected)
    })
  }

  it('maps keys like the Java producer: toPositive(hash) % partitions', () => {
    expect(murmur2Partitioner(Buffer.from('foobar'), 7)).toBe((-790332482 & 0x7fffffff) % 7)
    expect(murmur2Partitioner(Buffer.from(''), 3)).toBe((murmur2(Buffer.alloc(0)) & 0x7fffffff) % 3)
  })

  it('leaves null keys to the writer', () => {
    expect(murmur2Partitioner(null, 3)).toBe(NO_KEY)
  })

  it('hashes bytes, not characters (high bytes are unsigned)', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x80, 0x01, 0x7f])
    const p = murmur2Partitioner(bytes, 1000)
    expect(p).toBeGreaterThanOrEqual(0)
    expect(p).toBeLessThan(1000)
  })
})

describe('crc32 (librdkafka consistent_random)', () => {
  it('uses the zlib CRC-32', () => {
    // 0xCBF43926 is the CRC-32 check value of "123456789".
    expect(crc32Partitioner(Buffer.from('123456789'), 1 << 30)).toBe(0xcbf43926 % (1 << 30))
    expect(crc32Partitioner(Buffer.from('123456789'), 10)).toBe(0xcbf43926 % 10)
  })

  it('treats empty and null keys as no key', () => {
    expect(crc32Partitioner(Buffer.alloc(0), 4)).toBe(NO_KEY)
    expect(crc32Partitioner(null, 4)).toBe(NO_KEY)
  })

  it('is chosen by name', () => {
    expect(keyPartitioner('crc32')).toBe(crc32Partitioner)
    expect(keyPartitioner('murmur2')).toBe(murmur2Partitioner)
  })
})
