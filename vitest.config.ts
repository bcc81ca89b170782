import {defineConfig} from 'vitest/config'
import {BaseSequencer, type TestSpecification} from 'vitest/node'

/**
 * The files that take longest (their own clusters, JVM tools, thousands of records), slowest first: started
 * first, they do not become the tail of a run that has nothing else left to overlap them with. Measured one file
 * at a time on the 2-core CI machine; a file not listed runs after these, in vitest's own order (with a local
 * cache: failed and slow files first; on a clean clone: larger files first).
 */
const SLOW_FIRST = [
  'test/integration/integrity-produce.test.ts',
  'test/reliability/faults.test.ts',
  'test/integration/schemas-interop.test.ts',
  'test/integration/retail-example.test.ts',
  'test/reliability/integrity-restart.test.ts',
  'test/integration/help-examples.test.ts',
  'test/integration/admin-ops.test.ts',
  'test/integration/everyday.test.ts',
  'test/integration/produce-faults.test.ts',
  'test/integration/reassign.test.ts',
  'test/reliability/bad-input.test.ts',
  'test/integration/connect.test.ts',
  'test/integration/local-kafka39.test.ts',
  'test/integration/local-registry.test.ts',
  'test/integration/schemas-data.test.ts',
  'test/integration/replay-cluster.test.ts',
]

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = SLOW_FIRST.findIndex((path) => file.moduleId.endsWith(path))
      return at === -1 ? SLOW_FIRST.length : at
    }
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b))
  }
}

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    // The integration files mostly wait on the broker, registry and Connect worker (JVMs), not on this
    // process: three files at a time keep a 2-core machine busy without one worker (the default here) idling.
    maxWorkers: 3,
    sequence: {sequencer: SlowFirstSequencer},
    projects: [
      {test: {name: 'unit', include: ['test/unit/**/*.test.ts']}},
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/reliability/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One more try for a test that failed: these drive real brokers, a registry and a Connect worker on a
          // 2-core machine, where a failure of load alone happens; a real defect fails both tries.
          retry: 1,
        },
      },
    ],
  },
})
