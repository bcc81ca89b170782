import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    // The integration files mostly wait on the broker, registry and Connect worker (JVMs), not on this
    // process: three files at a time keep a 2-core machine busy without one worker (the default here) idling.
    maxWorkers: 3,
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
