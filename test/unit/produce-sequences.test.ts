/** The idempotent producer's sequence book (src/kafka/kafkajs/patches/sequences.ts): pure bookkeeping. */
import {describe, expect, it} from 'vitest'

import {SequenceBook, incrementSequence, sequenceBook} from '../../src/kafka/kafkajs/patches/sequences.js'

describe('SequenceBook', () => {
  it('numbers batches per partition in assignment order; a retry keeps its number', () => {
    const book = new SequenceBook('7')
    const a = book.assign('t', 0, 10)
    const b = book.assign('t', 0, 5)
    const c = book.assign('t', 1, 3)
    expect([a.seq, b.seq, c.seq]).toEqual([0, 10, 0])
    expect(book.nextSequence('t', 0)).toBe(15)
    expect(book.earlierOpen('t', 0, b)).toEqual([a])
    a.settle('acked')
    expect(book.earlierOpen('t', 0, b)).toEqual([])
    b.settle('acked')
    expect(book.nextSequence('t', 0)).toBe(15)
  })

  it('gives back the numbers of failed batches at the end only, never past one that may have been appended', () => {
    const book = new SequenceBook('7')
    const a = book.assign('t', 0, 10)
    const b = book.assign('t', 0, 10)
    const c = book.assign('t', 0, 10)
    b.settle('failed')
    expect(book.nextSequence('t', 0)).toBe(30) // c is still out: b's number stays taken
    c.settle('failed')
    expect(book.nextSequence('t', 0)).toBe(10) // b and c: the broker never took them
    a.settle('acked')
    expect(book.nextSequence('t', 0)).toBe(10)
    const d = book.assign('t', 0, 4)
    const e = book.assign('t', 0, 4)
    d.settle('uncertain')
    e.settle('failed')
    expect(book.nextSequence('t', 0)).toBe(14) // back to after d, whose records may be in the topic
  })

  it('retries go in sequence order: nothing overtakes a batch being retried, and a retry waits for every earlier batch', () => {
    const book = new SequenceBook('7')
    const a = book.assign('t', 0, 10)
    const b = book.assign('t', 0, 10)
    const c = book.assign('t', 0, 10)
    const other = book.assign('t', 1, 10)
    // First attempts in flight together: nobody waits (five in flight, as the broker allows).
    expect([a, b, c].map((e) => book.mustWaitFor('t', 0, e))).toEqual([[], [], []])
    // a's attempt failed: b and c (first attempts or retries) wait for it; another partition does not.
    a.retrying = true
    expect(book.mustWaitFor('t', 0, b)).toEqual([a])
    expect(book.mustWaitFor('t', 0, c)).toEqual([a])
    expect(book.mustWaitFor('t', 1, other)).toEqual([])
    // c is retried too: it waits for every earlier open batch, b's first attempt included.
    c.retrying = true
    expect(book.mustWaitFor('t', 0, c)).toEqual([a, b])
    a.settle('acked')
    expect(book.mustWaitFor('t', 0, c)).toEqual([b])
    b.settle('acked')
    expect(book.mustWaitFor('t', 0, c)).toEqual([])
  })

  it('takes turns in the order asked, whatever order the turns are used in', async () => {
    const book = new SequenceBook('7')
    const first = book.takeTurn()
    const second = book.takeTurn()
    const order: string[] = []
    const late = second.wait.then(() => order.push('second'))
    await first.wait
    order.push('first')
    first.done()
    await late
    expect(order).toEqual(['first', 'second'])
  })

  it('wraps after Int32.MAX_VALUE as Kafka does; a new producer id starts a new book', () => {
    expect(incrementSequence(2_147_483_647, 1)).toBe(0)
    expect(incrementSequence(2_147_483_640, 10)).toBe(2)
    const owner = {}
    const one = sequenceBook(owner, 1)
    expect(sequenceBook(owner, '1')).toBe(one)
    expect(sequenceBook(owner, 2)).not.toBe(one)
  })
})
