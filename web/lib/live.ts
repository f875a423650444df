/**
 * Client of the live feed `GET /api/live` (websocket, cookie auth), shared by /regulation and
 * /praticien.
 *
 * - Keeps a map of slots: the snapshot replaces everything; events are applied in seq order
 *   (an event whose seq is not above the last one seen is ignored; a gap makes it resync).
 * - Reconnects with exponential backoff and `?since=<last seq>`: the server replays what was
 *   missed, or sends a fresh snapshot when it is too old.
 * - Sends the commands hold / release / book / cancel with a requestId and resolves the reply's
 *   result, or rejects with a `LiveCommandError` (an ApiError: `code`, `french`, `details`).
 *
 * Framework-free; `useLive` below is the Preact binding.
 */
import { useEffect, useState } from 'preact/hooks'
import { LIVE_CLOSE, liveCloseMessage, type LiveCommand, type LiveError, type LiveMessage } from '../../shared/schemas/live.js'
import type { Booking, BookingBody, EventType, Slot } from '../../shared/schemas/slots.js'
import type { ApiErrorBody } from '../../shared/errors.js'
import type { RequestEventType, WaitingRequest } from '../../shared/schemas/waiting-list.js'
import { ApiError } from './api.js'

/** `ended`: the server closed the socket for good (see LIVE_CLOSE); `endedMessage` says why, in French. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'ended'

/** What changed in the map, for announcements and animations. */
export type LiveChange =
  | { type: 'status', status: LiveStatus }
  | {
    type: 'snapshot'
    seq: number
    /** Slots that were not in the map before (everything on the first snapshot). */
    added: Slot[]
    /** Slots that were in the map and are not in the snapshot. */
    removed: Slot[]
    /** False for the first snapshot of this client, true for a later one (resynchronisation). */
    resync: boolean
  }
  | {
    type: 'event'
    seq: number
    event: EventType
    /** The slot as the event describes it. */
    slot: Slot
    /** The slot as the map had it before, if it had it. */
    previous: Slot | undefined
    /** Whether the slot is in the map after this event. */
    kept: boolean
  }
  | {
    /** A waiting-list request changed (regulators only): created, matched by a slot, claimed, released, ended. */
    type: 'request'
    seq: number
    event: RequestEventType
    request: WaitingRequest
    /** The slot the event names (the matching slot, the one held with a claim, the one booked). */
    slotId: string | null
  }

export interface LiveOptions {
  /** Defaults to ws(s)://<this host>/api/live. */
  url?: string
  /** Which slots the map keeps after an event (default: free or held, not booked or withdrawn). */
  keep?: (slot: Slot, event: EventType | 'snapshot') => boolean
  initialDelayMs?: number
  maxDelayMs?: number
  /** A command without a reply after this long is rejected with OFFLINE. */
  commandTimeoutMs?: number
  /** Called when the session has ended (default: go to /connexion, which says so, and come back here). */
  onUnauthenticated?: () => void
  /** For tests. */
  WebSocketImpl?: typeof WebSocket
}

/** Codes this client adds to the contract's: not connected, or no reply in time. */
export type LiveClientCode = 'OFFLINE'

/** A refused or failed command: the server's error, or OFFLINE when the socket was not there. */
export class LiveCommandError extends ApiError {
  constructor (error: LiveError | { statusCode: number, code: LiveClientCode, message: string }) {
    super(error.statusCode, { statusCode: error.statusCode, error: 'Live', code: error.code as ApiErrorBody['code'], message: error.message, details: (error as LiveError).details })
    this.name = 'LiveCommandError'
  }

  override get french (): string {
    if (this.code === 'OFFLINE') return 'Connexion au serveur interrompue : la demande n\u2019a peut-être pas abouti. Réessayez dans un instant.'
    return super.french
  }
}

/** An id for requestId and idempotencyKey; crypto.randomUUID needs https, getRandomValues does not. */
export function randomId (): string {
  if (typeof crypto.randomUUID === 'function') {
    try { return crypto.randomUUID() } catch { /* insecure context: fall through */ }
  }
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const defaultKeep = (slot: Slot, event: EventType | 'snapshot'): boolean =>
  event !== 'slot.booked' && event !== 'slot.withdrawn' && (slot.status === 'free' || slot.status === 'held')

type Command = LiveCommand extends infer C ? C extends { requestId: string } ? Omit<C, 'requestId'> : never : never

interface Pending { resolve: (v: unknown) => void, reject: (e: unknown) => void, timer: ReturnType<typeof setTimeout>, frame: string }

export class LiveSlots {
  readonly #opts: Required<Omit<LiveOptions, 'url' | 'WebSocketImpl'>> & { url: string, WebSocketImpl: typeof WebSocket }
  #ws: WebSocket | null = null
  #slots: ReadonlyMap<string, Slot> = new Map()
  #requests: ReadonlyMap<string, WaitingRequest> = new Map()
  #seq: number | null = null
  #status: LiveStatus = 'connecting'
  #attempt = 0
  #retry: ReturnType<typeof setTimeout> | null = null
  #running = false
  #wasLive = false
  #endedMessage: string | null = null
  readonly #pending = new Map<string, Pending>()
  readonly #listeners = new Set<(change: LiveChange) => void>()

  constructor (opts: LiveOptions = {}) {
    const proto = typeof location !== 'undefined' && location.protocol === 'https:' ? 'wss:' : 'ws:'
    this.#opts = {
      url: opts.url ?? `${proto}//${location.host}/api/live`,
      keep: opts.keep ?? defaultKeep,
      initialDelayMs: opts.initialDelayMs ?? 500,
      maxDelayMs: opts.maxDelayMs ?? 30_000,
      commandTimeoutMs: opts.commandTimeoutMs ?? 15_000,
      onUnauthenticated: opts.onUnauthenticated ?? (() => { location.assign('/connexion?fin=session&suite=' + encodeURIComponent(location.pathname + location.search)) }),
      WebSocketImpl: opts.WebSocketImpl ?? WebSocket
    }
  }

  /** The slots by id; a new map object after every change (safe to compare by identity). */
  get slots (): ReadonlyMap<string, Slot> { return this.#slots }
  /** The open waiting-list requests by id (regulators; empty for other roles); a new map after every change. */
  get requests (): ReadonlyMap<string, WaitingRequest> { return this.#requests }
  get status (): LiveStatus { return this.#status }
  /** Why the server ended the connection for good (status `ended`), in French. */
  get endedMessage (): string | null { return this.#endedMessage }
  /** The last seq applied; null until the first snapshot. */
  get seq (): number | null { return this.#seq }
  /** True once a snapshot has been received. */
  get ready (): boolean { return this.#seq !== null }

  subscribe (listener: (change: LiveChange) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  start (): void {
    if (this.#running) return
    this.#running = true
    window.addEventListener('online', this.#wake)
    document.addEventListener('visibilitychange', this.#wake)
    this.#connect()
  }

  stop (): void {
    this.#running = false
    window.removeEventListener('online', this.#wake)
    document.removeEventListener('visibilitychange', this.#wake)
    if (this.#retry !== null) clearTimeout(this.#retry)
    this.#retry = null
    const ws = this.#ws
    this.#ws = null
    ws?.close(1000, 'bye')
    this.#failPending()
  }

  hold (slotId: string): Promise<{ slot: Slot, expiresAt: string }> {
    return this.#command({ type: 'hold', slotId })
  }

  release (slotId: string): Promise<Slot> {
    return this.#command({ type: 'release', slotId })
  }

  book (slotId: string, booking: BookingBody): Promise<Booking> {
    return this.#command({ type: 'book', slotId, booking })
  }

  cancel (bookingId: string, reason: string): Promise<Booking> {
    return this.#command({ type: 'cancel', bookingId, reason })
  }

  /** Sends a command without waiting (page unload: release a hold, best effort). */
  fire (cmd: Command): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ ...cmd, requestId: randomId() }))
  }

  #command<T> (cmd: Command): Promise<T> {
    const ws = this.#ws
    if (ws === null || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new LiveCommandError({ statusCode: 0, code: 'OFFLINE', message: 'not connected' }))
    }
    const requestId = randomId()
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId)
        reject(new LiveCommandError({ statusCode: 0, code: 'OFFLINE', message: 'no reply in time' }))
      }, this.#opts.commandTimeoutMs)
      const frame = JSON.stringify({ ...cmd, requestId })
      this.#pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject, timer, frame })
      ws.send(frame)
    })
  }

  #emit (change: LiveChange): void {
    for (const l of [...this.#listeners]) {
      try { l(change) } catch (err) { console.error(err) }
    }
  }

  #setStatus (status: LiveStatus): void {
    if (status === this.#status) return
    this.#status = status
    this.#emit({ type: 'status', status })
  }

  readonly #wake = (): void => {
    if (!this.#running || this.#ws !== null) return
    if (document.visibilityState === 'hidden') return
    // Back online or back to the tab: try now instead of waiting for the backoff.
    if (this.#retry !== null) clearTimeout(this.#retry)
    this.#retry = null
    this.#connect()
  }

  #connect (): void {
    if (!this.#running) return
    const url = this.#seq === null ? this.#opts.url : `${this.#opts.url}?since=${this.#seq}`
    let ws: WebSocket
    try {
      ws = new this.#opts.WebSocketImpl(url)
    } catch {
      this.#scheduleReconnect(false)
      return
    }
    this.#ws = ws
    let opened = false
    let stable: ReturnType<typeof setTimeout> | undefined
    ws.onopen = () => {
      if (this.#ws !== ws) return
      opened = true
      this.#wasLive = true
      // Commands left unanswered by a draining server (never run there): sent again here, after the snapshot.
      for (const p of this.#pending.values()) ws.send(p.frame)
      this.#setStatus('live')
      // The backoff starts over only once the socket has stayed up a while: a server that
      // accepts then drops at once is not hammered.
      stable = setTimeout(() => { this.#attempt = 0 }, 5000)
    }
    ws.onmessage = (e: MessageEvent) => {
      if (this.#ws !== ws || typeof e.data !== 'string') return
      this.#onMessage(ws, e.data)
    }
    ws.onerror = () => { /* a close event follows */ }
    ws.onclose = (e: CloseEvent) => {
      clearTimeout(stable)
      if (this.#ws !== ws) return
      this.#ws = null
      if (e.code === LIVE_CLOSE.draining && this.#running) {
        // The server restarts (a drain): it answered every command it ran; reconnect now (another
        // instance, `?since=`) and send the others again, with no backoff.
        this.#setStatus('reconnecting')
        this.#retry = setTimeout(() => { this.#retry = null; this.#connect() }, Math.random() * 100)
        return
      }
      this.#failPending()
      if (!this.#running) return
      const ended = liveCloseMessage(e.code)
      if (ended !== null) {
        // Reconnecting would not help: the session is over, or the server refuses this socket.
        this.stop()
        this.#endedMessage = ended
        this.#setStatus('ended')
        if (e.code === LIVE_CLOSE.credentialEnded) this.#opts.onUnauthenticated()
        return
      }
      this.#scheduleReconnect(opened)
    }
  }

  #scheduleReconnect (wasOpen: boolean): void {
    this.#setStatus(this.#wasLive ? 'reconnecting' : 'connecting')
    // An upgrade refused at once may be an ended session: ask the API, which says so plainly.
    if (!wasOpen) void this.#checkSession()
    const base = Math.min(this.#opts.maxDelayMs, this.#opts.initialDelayMs * 2 ** this.#attempt)
    const delay = base * (0.5 + Math.random() / 2)
    this.#attempt++
    if (this.#retry !== null) clearTimeout(this.#retry)
    this.#retry = setTimeout(() => { this.#retry = null; this.#connect() }, delay)
  }

  async #checkSession (): Promise<void> {
    try {
      const res = await fetch('/api/me', { credentials: 'same-origin' })
      if (res.status === 401 && this.#running) {
        this.stop()
        this.#opts.onUnauthenticated()
      }
    } catch { /* offline: the backoff goes on */ }
  }

  #failPending (): void {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer)
      p.reject(new LiveCommandError({ statusCode: 0, code: 'OFFLINE', message: 'connection lost before the reply' }))
      this.#pending.delete(id)
    }
  }

  #onMessage (ws: WebSocket, data: string): void {
    let msg: LiveMessage
    try { msg = JSON.parse(data) as LiveMessage } catch { return }
    switch (msg.type) {
      case 'snapshot': {
        const before = this.#slots
        const next = new Map<string, Slot>()
        for (const s of msg.slots) if (this.#opts.keep(s, 'snapshot')) next.set(s.id, s)
        const added = [...next.values()].filter((s) => !before.has(s.id))
        const removed = [...before.values()].filter((s) => !next.has(s.id))
        const resync = this.#seq !== null
        this.#slots = next
        this.#requests = new Map((msg.requests ?? []).map((r) => [r.id, r]))
        this.#seq = msg.seq
        this.#emit({ type: 'snapshot', seq: msg.seq, added, removed, resync })
        return
      }
      case 'skip':
      case 'event': {
        if (this.#seq === null || msg.seq <= this.#seq) return
        if (msg.seq > this.#seq + 1) {
          // A gap: never apply out of order; reconnect with ?since= to get what is missing.
          ws.close(4000, 'gap')
          return
        }
        if (msg.type === 'skip') { this.#seq = msg.seq; return }
        if ('request' in msg) {
          const next = new Map(this.#requests)
          if (msg.request.status === 'open') next.set(msg.request.id, msg.request); else next.delete(msg.request.id)
          this.#requests = next
          this.#seq = msg.seq
          this.#emit({ type: 'request', seq: msg.seq, event: msg.event, request: msg.request, slotId: msg.slotId })
          return
        }
        const previous = this.#slots.get(msg.slot.id)
        const kept = this.#opts.keep(msg.slot, msg.event)
        const next = new Map(this.#slots)
        if (kept) next.set(msg.slot.id, msg.slot); else next.delete(msg.slot.id)
        this.#slots = next
        this.#seq = msg.seq
        this.#emit({ type: 'event', seq: msg.seq, event: msg.event, slot: msg.slot, previous, kept })
        return
      }
      case 'reply': {
        const p = this.#pending.get(msg.requestId)
        if (p === undefined) return
        this.#pending.delete(msg.requestId)
        clearTimeout(p.timer)
        if (msg.ok) p.resolve(msg.result); else p.reject(new LiveCommandError(msg.error))
        return
      }
      case 'error':
        console.warn('live: server error frame', msg.error)
    }
  }
}

/** Preact binding: re-renders on every change of the client; starts it while mounted. */
export function useLive (client: LiveSlots): { status: LiveStatus, slots: ReadonlyMap<string, Slot>, ready: boolean } {
  const [, setTick] = useState(0)
  useEffect(() => {
    const off = client.subscribe(() => setTick((n) => n + 1))
    client.start()
    return () => { off(); client.stop() }
  }, [client])
  return { status: client.status, slots: client.slots, ready: client.ready }
}

/** The status line of a live page: '' when live, 'connexion…' or 'reconnexion…' otherwise. */
export function liveStatusLabel (status: LiveStatus, endedMessage: string | null = null): string {
  if (status === 'ended') return endedMessage ?? 'Connexion fermée par le serveur : rechargez la page.'
  return status === 'live' ? 'En direct' : status === 'connecting' ? 'Connexion…' : 'Reconnexion…'
}
