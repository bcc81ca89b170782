/** How `profiles test` and `profiles add --test` show a diagnosis. */
import type {IOStreams} from '../output/io.js'
import type {StepResult} from './diagnose.js'
import {redactSecrets} from './secrets.js'

/** One line per step on stdout: ✓ passed, ✗ failed, - skipped. Shared with `profiles add --test`. */
export function printStep(io: IOStreams, step: StepResult): void {
  const mark = step.ok === true ? io.style('✓', 'green') : step.ok === false ? io.style('✗', 'red', 'bold') : io.style('-', 'dim')
  const detail = step.ok === null ? io.style(step.detail, 'dim') : step.detail
  io.out(redactSecrets(`${mark} ${step.step.padEnd(9)} ${detail}${step.ms >= 1 ? io.style(` (${step.ms}ms)`, 'dim') : ''}`))
}
