import type { FastifyInstance } from 'fastify'
import { WebSocket } from 'ws'

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

/** Frames of a socket as they arrive, and whoever waits for one. */
interface Inbox { frames: any[], waiters: Set<() => void>, closed: Promise<number> }

/** Listens to `socket` at once (the server sends its snapshot as soon as the upgrade completes). */
function listen (socket: WebSocket): Inbox {
  const frames: any[] = []
  const waiters = new Set<() => void>()
  // The timer keeps the test alive while it waits (the server's own timers are unref'd).
  const closed = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket was not closed within 10 s')), 10_000)
    socket.once('close', (code) => { clearTimeout(timer); resolve(code) })
  })
  closed.catch(() => {})
  socket.on('message', (d) => {
    frames.push(JSON.parse(d.toString()))
    for (const w of waiters) w()
  })
  return { frames, waiters, closed }
}

function probe (ws: WebSocket, { frames, waiters, closed }: Inbox): LiveProbe {
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

const headersOf = (credential: string | Record<string, string>): Record<string, string> =>
  typeof credential === 'string' ? { cookie: credential } : credential

/**
 * Opens `/api/live` through `app.injectWS` (no port). Listeners are attached at init, before
 * the upgrade completes, because the server sends its snapshot at once.
 */
export async function openLive (app: FastifyInstance, credential: string | Record<string, string>, query = ''): Promise<LiveProbe> {
  let inbox!: Inbox
  const ws = await app.injectWS('/api/live' + query, { headers: headersOf(credential) }, {
    onInit: (socket: WebSocket) => { inbox = listen(socket) }
  } as any)
  return probe(ws, inbox)
}

/** Opens `/api/live` over a real connection to a listening server (`http://host:port`). */
export async function openLiveAt (baseUrl: string, credential: string | Record<string, string>, query = ''): Promise<LiveProbe> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/api/live' + query, { headers: headersOf(credential), perMessageDeflate: false })
  const inbox = listen(ws)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
  })
  return probe(ws, inbox)
}
