/** A CLI run in a pseudo-terminal (what a person sees): wait for text, type keys, collect the exit code. */
import pty from '@homebridge/node-pty-prebuilt-multiarch'

import {BIN} from './helpers.js'

const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B[()][0-9A-B]|\u001B[=>]/g
export const DOWN = '\u001B[B'
export const BACKSPACE = '\u007F'

/** `env` adds to this process's environment; an `undefined` value removes the variable. */
export function terminal(args: string[], env: Record<string, string | undefined> = {}) {
  const merged: Record<string, string | undefined> = {...process.env, NO_COLOR: '1', TERM: 'xterm', ...env}
  delete merged.CI // prompts are (rightly) off in CI environments; these tests are the person at the terminal
  const clean = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined))
  const child = pty.spawn(process.execPath, [BIN, ...args], {name: 'xterm', cols: 200, rows: 50, env: clean})
  let screen = ''
  let seen = 0
  const waiters: (() => void)[] = []
  child.onData((data) => {
    screen += data.replace(ANSI, '')
    for (const w of waiters.splice(0)) w()
  })
  const exited = new Promise<number>((resolve) => child.onExit(({exitCode}) => resolve(exitCode)))
  return {
    get screen() {
      return screen
    },
    /** Resolves when `text` appears after the last match (so a repeated prompt is not matched twice). */
    async waitFor(text: string | RegExp, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const rest = screen.slice(seen)
        const index = typeof text === 'string' ? rest.indexOf(text) : rest.search(text)
        if (index >= 0) {
          seen += index + 1
          return
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${screen}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 200)
        })
      }
    },
    type(text: string): void {
      child.write(text)
    },
    exited,
    kill: () => child.kill(),
  }
}
