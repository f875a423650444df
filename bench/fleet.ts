// The client side of the live benchmark: hundreds of `/api/live` sockets in this process,
// listeners that only receive and regulators that send commands and await their replies.
// Frames are matched on their first bytes, without parsing the whole JSON, so that the load
// generator stays as light as it can; a reply (small) is parsed.
import { WebSocket } from 'ws'
import { sleep, type Credential } from './lib.js'

const EVENT_RE = /^\{"type":"event","seq":(\d+),"event":"([a-z.]+)","slot":\{"id":"([^"]+)"/
const SNAPSHOT_RE = /^\{"type":"snapshot","seq":(\d+)/

interface Delivery {
  /** When the command that causes the event was sent (performance.now()). */
  sentAt: number
  /** Listeners that have received the event so far, and when the last one did. */
  count: number
  last: number
  done: () => void
}

export interface Regulator {
  ws: WebSocket
  command: (msg: Record<string, unknown>, timeoutMs?: number) => Promise<any>
  /** Sends a frame that gets no reply (the bare server's `bcast`). */
  send: (msg: Record<string, unknown>) => void
}

/** Raw frames kept for the bare server to imitate (the first of each kind). */
export interface Captured {
  holdReply?: any
  bookReply?: any
  held?: string
  booked?: string
}

export class Fleet {
  readonly listeners: WebSocket[] = []
  readonly regulators: Regulator[] = []
  readonly captured: Captured = {}
  /** Events that did not follow the socket's previous seq (must stay 0). */
  gaps = 0
  /** Frames received by listeners, and their bytes. */
  framesReceived = 0
  bytesReceived = 0
  /** Error frames, or frames that matched nothing. */
  oddFrames = 0
  readonly #deliveries = new Map<string, Delivery>()
  readonly #url: string

  constructor (port: number) {
    this.#url = `ws://127.0.0.1:${port}/api/live`
  }

  /** Opens the sockets in waves, each wave waiting for its snapshots. */
  async open (listeners: number, listenerCreds: Credential[], regulatorCreds: Credential[], wave = 50): Promise<void> {
    const plan: Array<{ kind: 'listener' | 'regulator', cred: Credential }> = [
      ...Array.from({ length: listeners }, (_, i) => ({ kind: 'listener' as const, cred: listenerCreds[i % Math.max(1, listenerCreds.length)] ?? { cookie: '' } })),
      ...regulatorCreds.map((cred) => ({ kind: 'regulator' as const, cred }))
    ]
    for (let i = 0; i < plan.length; i += wave) {
      await Promise.all(plan.slice(i, i + wave).map((p) => this.#connect(p.kind, p.cred)))
    }
  }

  #connect (kind: 'listener' | 'regulator', cred: Credential): Promise<void> {
    const headers = 'cookie' in cred ? { cookie: cred.cookie } : { authorization: `Bearer ${cred.token}` }
    const ws = new WebSocket(this.#url, { headers, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 })
    const pending = new Map<string, (reply: any) => void>()
    let counter = 0
    let lastSeq = -1
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no snapshot within 60 s (${kind})`)), 60_000)
      ws.on('error', (err) => { clearTimeout(timer); reject(err) })
      ws.on('unexpected-response', (_req, res) => { clearTimeout(timer); reject(new Error(`upgrade refused: ${res.statusCode}`)) })
      ws.on('message', (data: Buffer) => {
        const t = performance.now()
        const head = data.toString('latin1', 0, Math.min(data.length, 200))
        if (kind === 'listener') {
          this.framesReceived++
          this.bytesReceived += data.length
        }
        const ev = EVENT_RE.exec(head)
        if (ev !== null) {
          const seq = Number(ev[1])
          if (lastSeq >= 0 && seq !== lastSeq + 1) this.gaps++
          lastSeq = seq
          if (kind === 'listener') this.#event(ev[2] as string, ev[3] as string, t, data)
          return
        }
        if (head.startsWith('{"type":"reply"')) {
          const reply = JSON.parse(data.toString())
          const done = pending.get(reply.requestId)
          pending.delete(reply.requestId)
          done?.(reply)
          return
        }
        const snap = SNAPSHOT_RE.exec(head)
        if (snap !== null) {
          lastSeq = Number(snap[1])
          clearTimeout(timer)
          resolve()
          return
        }
        this.oddFrames++
      })
      if (kind === 'listener') {
        this.listeners.push(ws)
        return
      }
      const send = (msg: Record<string, unknown>): void => { ws.send(JSON.stringify(msg)) }
      this.regulators.push({
        ws,
        send,
        command: (msg, timeoutMs = 10_000) => new Promise((resolveReply, rejectReply) => {
          const requestId = `q${++counter}`
          const timeout = setTimeout(() => { pending.delete(requestId); rejectReply(new Error(`no reply to ${String(msg.type)} within ${timeoutMs} ms`)) }, timeoutMs)
          pending.set(requestId, (reply) => {
            clearTimeout(timeout)
            if (reply.ok === true && msg.type === 'hold') this.captured.holdReply ??= reply
            if (reply.ok === true && msg.type === 'book') this.captured.bookReply ??= reply
            resolveReply(reply)
          })
          send({ ...msg, requestId })
        })
      })
    })
  }

  #event (type: string, slotId: string, t: number, data: Buffer): void {
    if (type === 'slot.held') this.captured.held ??= data.toString()
    if (type !== 'slot.booked') return
    this.captured.booked ??= data.toString()
    const d = this.#deliveries.get(slotId)
    if (d === undefined) return
    d.count++
    d.last = t
    if (d.count === this.listeners.length) d.done()
  }

  /**
   * Call right before sending the command that will cause a `slot.booked` event for `slotId`:
   * resolves with the time from now to the last listener's receipt, or NaN after `timeoutMs`.
   */
  expect (slotId: string, timeoutMs = 15_000): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(NaN), timeoutMs)
      const d: Delivery = {
        sentAt: performance.now(),
        count: 0,
        last: 0,
        done: () => { clearTimeout(timer); this.#deliveries.delete(slotId); resolve(d.last - d.sentAt) }
      }
      this.#deliveries.set(slotId, d)
    })
  }

  /** Closes the last `n` listeners (deliveries then count the others). */
  async dropListeners (n: number): Promise<void> {
    const gone = this.listeners.splice(Math.max(0, this.listeners.length - n))
    for (const ws of gone) ws.close(1000)
    const deadline = Date.now() + 5000
    while (Date.now() < deadline && gone.some((ws) => ws.readyState !== ws.CLOSED)) await sleep(50)
    for (const ws of gone) if (ws.readyState !== ws.CLOSED) ws.terminate()
  }

  async close (): Promise<void> {
    const all = [...this.listeners, ...this.regulators.map((r) => r.ws)]
    for (const ws of all) ws.close(1000)
    const deadline = Date.now() + 2000
    while (Date.now() < deadline && all.some((ws) => ws.readyState !== ws.CLOSED)) await sleep(50)
    for (const ws of all) if (ws.readyState !== ws.CLOSED) ws.terminate()
  }
}
