import type { FastifyInstance } from 'fastify'
import type { WebSocket } from 'ws'

/** A test's view of one `/api/live` socket: every frame received, and a way to wait for one. */
export interface LiveProbe {
  ws: WebSocket
  frames: any[]
  waitFor: (pred: (f: any) => boolean, what?: string, timeoutMs?: number) => Promise<any>
  send: (msg: unknown) => void
  /** Sends a command and waits for its reply. */
  command: (msg: Record<string, unknown>) => Promise<any>
  close: () => void
  /** Resolves with the close code once the socket has closed (whoever closed it). */
  closed: Promise<number>
}

let counter = 0

/**
 * Opens `/api/live` through `app.injectWS` (no port). Listeners are attached at init, before
 * the upgrade completes, because the server sends its snapshot at once.
 */
export async function openLive (app: FastifyInstance, credential: string | Record<string, string>, query = ''): Promise<LiveProbe> {
  const frames: any[] = []
  const waiters = new Set<() => void>()
  let closed!: Promise<number>
  const headers = typeof credential === 'string' ? { cookie: credential } : credential
  const ws = await app.injectWS('/api/live' + query, { headers }, {
    onInit: (socket: WebSocket) => {
      // The timer keeps the test alive while it waits (the server's own timers are unref'd).
      closed = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the socket was not closed within 10 s')), 10_000)
        socket.once('close', (code) => { clearTimeout(timer); resolve(code) })
      })
      closed.catch(() => {})
      socket.on('message', (d) => {
        frames.push(JSON.parse(d.toString()))
        for (const w of waiters) w()
      })
    }
  } as any)
  const waitFor = (pred: (f: any) => boolean, what = 'frame', timeoutMs = 5000): Promise<any> => new Promise((resolve, reject) => {
    const check = (): boolean => {
      const f = frames.find(pred)
      if (f === undefined) return false
      waiters.delete(check as () => void)
      clearTimeout(timer)
      resolve(f)
      return true
    }
    const timer = setTimeout(() => {
      waiters.delete(check as () => void)
      reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames).slice(0, 2000)}`))
    }, timeoutMs)
    if (!check()) waiters.add(check as () => void)
  })
  const send = (msg: unknown): void => { ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)) }
  const command = async (msg: Record<string, unknown>): Promise<any> => {
    const requestId = `r${++counter}`
    send({ ...msg, requestId })
    return await waitFor((f) => f.type === 'reply' && f.requestId === requestId, `reply ${requestId}`)
  }
  return { ws, frames, waitFor, send, command, close: () => ws.terminate(), closed }
}
