/**
 * The contract every parser a user feeds must keep, whatever the input: it returns, or it throws a KafkitError
 * that the CLI prints as one `error:` line (plus at most one hint line) with exit 2. Anything else (a TypeError,
 * a RangeError, a multi-line message) is a bug: the user would see exit 1 or a stack trace.
 */
import fc from 'fast-check'
import {expect} from 'vitest'

import {KafkitError} from '../../../src/errors.js'

/** Inputs per property (issue: 10,000 each). */
export const RUNS = 10_000

export function expectUsageError(error: unknown, input: unknown): void {
  const shown = JSON.stringify(input)?.slice(0, 200)
  if (!(error instanceof KafkitError)) throw new Error(`input ${shown}: not a KafkitError: ${(error as Error)?.stack ?? String(error)}`)
  expect(error.exitCode, `input ${shown}: ${error.message}`).toBe(2)
  expect(error.message.trim(), `input ${shown}`).not.toBe('')
  expect(error.message, `input ${shown}: the message is not one line`).not.toMatch(/[\n\r]/)
  if (error.hint !== undefined) expect(error.hint, `input ${shown}: the hint is not one line`).not.toMatch(/[\n\r]/)
}

/** Runs `parse`; a rejection must keep the contract. Returns the parsed value, or undefined when rejected. */
export function accepts<T>(parse: () => T, input: unknown): T | undefined {
  try {
    return parse()
  } catch (error) {
    expectUsageError(error, input)
    return undefined
  }
}

export async function acceptsAsync<T>(parse: () => Promise<T>, input: unknown): Promise<T | undefined> {
  try {
    return await parse()
  } catch (error) {
    expectUsageError(error, input)
    return undefined
  }
}

/** Text a user could type: any unicode, plus the characters the parsers split on, favoured. */
export const userText = (alphabet: string, maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof({weight: 1, arbitrary: fc.string({unit: 'binary', maxLength})}, {weight: 3, arbitrary: fc.string({unit: fc.constantFrom(...alphabet.split('')), maxLength})})

export const DIGITS = '0123456789'
