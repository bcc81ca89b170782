import {execFile} from 'node:child_process'
import {createConnection, createServer} from 'node:net'

/** True when something accepts TCP connections on host:port within `timeoutMs`. */
export function isListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({port, host})
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** True when this process could bind host:port now. */
export function isFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}

/** Best effort: which process listens on a port (`java (pid 1234)`), from `ss`. Undefined when unknown. */
export function portOwner(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ss', ['-Hltnp', `sport = :${port}`], {timeout: 2000}, (error, stdout) => {
      if (error) return resolve(undefined)
      const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout)
      resolve(m ? `${m[1]} (pid ${m[2]})` : undefined)
    })
  })
}
