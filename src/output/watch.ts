/**
 * `--watch`: run `sample` now and then every `intervalMs`, until `count` samples were taken or Ctrl-C / SIGTERM
 * (which also cuts the current wait short). Shared by `groups describe --watch` and `connect list --watch`.
 */
export async function watch(intervalMs: number, count: number | undefined, sample: (n: number) => Promise<void>): Promise<void> {
  let stop = false
  let wake: () => void = () => {}
  const onSignal = () => {
    stop = true
    wake()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    for (let n = 1; !stop; n++) {
      await sample(n)
      if (count && n >= count) break
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
