/**
 * Tests that need a service besides the shared broker (a secured cluster, PostgreSQL, a schema registry, a
 * Connect worker). On a workstation a missing service skips them with one line saying how to start it; under
 * CI=true (where .ci/run starts every service) a missing one is a failing test, never a silent skip.
 *
 *   const secured = requireService('a local cluster with --secure listeners', Boolean(info), "start one with 'kafkit local start --secure'")
 *   describe.runIf(secured)('secured connections', () => { ... })
 */
import {describe, it} from 'vitest'

export function requireService(name: string, available: boolean, howToStart: string): boolean {
  if (available) return true
  if (process.env.CI === 'true') {
    describe(`required service: ${name}`, () => {
      it('is available (CI=true: a missing service fails the run)', () => {
        throw new Error(`${name} is not available under CI: ${howToStart}`)
      })
    })
  } else {
    console.warn(`skipped: tests that need ${name} (${howToStart})`)
  }
  return false
}
