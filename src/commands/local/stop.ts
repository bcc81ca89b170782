import {BaseCommand} from '../../base-command.js'
import {StopResult, stopLocal} from '../../local/lifecycle.js'

export default class LocalStop extends BaseCommand<StopResult> {
  static summary = 'Stop the local Kafka (no Java process is left behind)'
  static examples = ['<%= config.bin %> local stop']

  async run(): Promise<StopResult> {
    await this.parse(LocalStop)
    const result = await stopLocal()
    this.render(result, (r, io) => {
      if (!r.wasRunning) io.info('local Kafka is not running')
      else io.info(`${io.styleErr('✓', 'green')} stopped node${r.stopped.length > 1 ? 's' : ''} ${r.stopped.join(', ')}${r.killed.length > 0 ? ` (killed after the grace period: ${r.killed.join(', ')})` : ''}`)
      if (r.connect) io.info(`${io.styleErr('✓', 'green')} stopped the Kafka Connect worker${r.connect.killed ? ' (killed after the grace period)' : ''}`)
    })
    return result
  }
}
