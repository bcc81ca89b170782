/** Human output of the admin plans (stdout tables, stderr notes). */
import type {IOStreams} from '../output/io.js'
import {renderTable} from '../output/table.js'
import type {QuotaPlan} from './quotas.js'

export function renderQuotaPlan(plan: QuotaPlan & {entityLabel: string}, io: IOStreams): void {
  io.info(`quotas of ${plan.entityLabel}:`)
  renderTable(
    io,
    [
      {header: 'QUOTA', get: (c) => c.key},
      {header: 'BEFORE', get: (c) => c.before ?? '(none)', align: 'right'},
      {header: 'AFTER', get: (c) => c.after ?? '(removed)', align: 'right'},
    ],
    plan.changes,
  )
  if (plan.unchanged.length > 0) io.info(`unchanged: ${plan.unchanged.join(', ')}`)
}
