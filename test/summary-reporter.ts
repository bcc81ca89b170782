import type {Reporter, TestModule} from 'vitest/node'

/**
 * Adds the plain closing line CI reads: `tests: N passed, N failed, N skipped`, and before it what each test that
 * passed only on its retry threw the first time (a flaky test is a defect to find, not noise to hide).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result()
        const state = result.state
        if (state === 'passed' && result.errors?.length) {
          const first = result.errors[0]
          process.stdout.write(`
passed on retry: ${module.moduleId} > ${test.fullName}
  first attempt: ${first.message}
${first.stack ?? ''}
`)
        }
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
      // A file that failed to load (or whose setup failed) has no tests to count: it counts as a failure.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++
    }
    failed += unhandledErrors.length
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
