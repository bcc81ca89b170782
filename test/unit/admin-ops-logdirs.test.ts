import {describe, expect, it} from 'vitest'

import {describeLogDirsRequest, describeLogDirsResponse} from '../../src/kafka/kafkajs/protocol/log-dirs.js'

describe('DescribeLogDirs v1', () => {
  it('asks for every topic with a null array', async () => {
    const request = describeLogDirsRequest()
    expect(request).toMatchObject({apiKey: 35, apiVersion: 1})
    expect(((await request.encode()) as unknown as {buffer: Buffer}).buffer.equals(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(true)
  })

  it('decodes dirs, topics and INT64 sizes', async () => {
    const int64 = (n: number) => {
      const b = Buffer.alloc(8)
      b.writeBigInt64BE(BigInt(n))
      return [...b]
    }
    const raw = Buffer.from([
      0,
      0,
      0,
      0, // throttle
      0,
      0,
      0,
      1, // one dir
      0,
      0,
      0,
      2,
      ...Buffer.from('/d'),
      0,
      0,
      0,
      1,
      0,
      1,
      ...Buffer.from('t'),
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      0,
      ...int64(5_000_000_000),
      ...int64(0),
      0,
      0,
      0,
      0,
      3,
      ...int64(12),
      ...int64(4),
      1,
    ])
    expect(await describeLogDirsResponse().decode(raw)).toEqual([
      {
        errorCode: 0,
        path: '/d',
        replicas: [
          {topic: 't', partition: 0, size: 5_000_000_000, offsetLag: 0, isFuture: false},
          {topic: 't', partition: 3, size: 12, offsetLag: 4, isFuture: true},
        ],
      },
    ])
  })
})
