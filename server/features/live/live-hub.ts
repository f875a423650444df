import type { Kysely } from 'kysely'
import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'
import type { Database } from '../../../db/types.js'
import type { Role } from '../../../shared/schemas/accounts.js'
import type { LiveMessage } from '../../../shared/schemas/live.js'
import type { Clock } from '../../clock.js'
import type { Credential } from '../session/session-service.js'
import { eventsAfter, seqBounds, type RequestLoggedEvent, type SlotLoggedEvent } from '../slots/event-log.js'
import { holdIsLive } from '../slots/hold-rule.js'
import { forViewer, listSlotRecords, slotJson, type SlotJsonParts } from '../slots/slot-repository.js'
import { listRequests } from '../waiting-list/request-repository.js'
import { requestForViewer, toNeutralRequest, type NeutralRequest } from '../waiting-list/request-view.js'

/** One open `/api/live` socket. */
export interface LiveClient {
  socket: WebSocket
  userId: string
  /** The role the socket was opened with: a change of role ends the socket. */
  role: Role
  /** What the socket was opened with (session or token, by hash): checked before every command. */
  credential: Credential
  /** Last seq this socket has been sent (by the snapshot or an event). */
  lastSeq: number
  /** False until its snapshot or replay has been sent: events wait for it. */
  ready: boolean
  /** Commands being run for it (a drain closes the socket once they are answered). */
  inFlight?: number
  /** A drain is closing it: commands that arrive now are not run (the page sends them again elsewhere). */
  draining?: boolean
}

/** A socket waiting for its snapshot or replay. */
interface Attaching {
  client: LiveClient
  since: number | undefined
  resolve: () => void
  reject: (err: unknown) => void
}

// A socket that lets this much pile up unread is too slow to follow: it is closed and will
// resynchronise with ?since= when it reconnects, instead of growing the server's memory.
const MAX_BUFFERED = 8 * 1024 * 1024
const REPLAY_LIMIT = 5000
// How long a snapshot waits for other sockets to start with it: an upgrade is accepted, read and
// authenticated over a few turns of the event loop, and a reconnect storm brings hundreds.
const ATTACH_GATHER_MS = 10
// How long a snapshot serves sockets that start after it while nothing new was logged: a
// reconnect storm (a restart) builds one every so often, not one per wave of upgrades.
const SNAPSHOT_REUSE_MS = 1000
// Recent events kept for sockets that finish starting while events go out.
const RECENT_EVENTS = 1024
// How long an out-of-order event waits for the missing one before the log is read; also how
// long a notification of this server's own commit waits for that commit's publish().
const GAP_WAIT_MS = 50
// Events read from the log at a time.
const PUMP_BATCH = 1000
// A read of the log that failed (the database restarting) is tried again after this long.
const POKE_RETRY_MS = 1000

const frame = (m: LiveMessage): Buffer => Buffer.from(JSON.stringify(m))

/** What a frame says of an event (its instant is not sent). */
type LiveEvent =
  | (Pick<SlotLoggedEvent, 'seq' | 'type' | 'slot'> & { request?: undefined })
  | (Pick<RequestLoggedEvent, 'seq' | 'type' | 'request' | 'slotId'> & { slot?: undefined })

/**
 * Who is told a waiting-list request's change: regulators only (the list is theirs; its events
 * carry no patient data all the same). Every other socket gets `skip` for that seq, so that
 * its seq stays gapless and a reconnect replays the same.
 */
const hearsRequests = (c: LiveClient): boolean => c.role === 'regulator'

/** The two audiences of the event log: regulators, who hear requests, and everyone else. */
type Audience = 'regulators' | 'others'
const audienceOf = (c: LiveClient): Audience => hearsRequests(c) ? 'regulators' : 'others'

/** The messages of one event: one for every socket, and maybe one for one account (its hold is `me`). */
interface EventMessages { general: LiveMessage, personal?: { userId: string, message: LiveMessage } }

function messagesOf (ev: LiveEvent, audience: Audience): EventMessages {
  if (ev.request !== undefined) {
    if (audience === 'others') return { general: { type: 'skip', seq: ev.seq } }
    const general: LiveMessage = { type: 'event', seq: ev.seq, event: ev.type, request: requestForViewer(ev.request, null), slotId: ev.slotId }
    const claimerId = ev.request.claim?.holderId
    if (claimerId === undefined) return { general }
    return { general, personal: { userId: claimerId, message: { type: 'event', seq: ev.seq, event: ev.type, request: requestForViewer(ev.request, claimerId), slotId: ev.slotId } } }
  }
  const general: LiveMessage = { type: 'event', seq: ev.seq, event: ev.type, slot: forViewer(ev.slot, null) }
  const holderId = ev.slot.hold?.holderId
  if (holderId === undefined) return { general }
  return { general, personal: { userId: holderId, message: { type: 'event', seq: ev.seq, event: ev.type, slot: forViewer(ev.slot, holderId) } } }
}

/** The message of an event as one socket sees it. */
function messageFor (ev: LiveEvent, client: LiveClient): LiveMessage {
  const m = messagesOf(ev, audienceOf(client))
  return m.personal !== undefined && m.personal.userId === client.userId ? m.personal.message : m.general
}

/** Bytes of the header of an unmasked, unfragmented text frame (RFC 6455 §5.2) of `length` bytes. */
const headerLength = (length: number): number => length < 126 ? 2 : length < 65536 ? 4 : 10

/** Writes the header of an unmasked, final text frame of `length` payload bytes at `at`; returns its length. */
function writeHeader (target: Buffer, at: number, length: number): number {
  target[at] = 0x81 // FIN, text
  if (length < 126) {
    target[at + 1] = length
    return 2
  }
  if (length < 65536) {
    target[at + 1] = 126
    target.writeUInt16BE(length, at + 2)
    return 4
  }
  target[at + 1] = 127
  target.writeUInt32BE(Math.floor(length / 2 ** 32), at + 2)
  target.writeUInt32BE(length >>> 0, at + 6)
  return 10
}

/** A message framed once (header and payload together), and where its payload starts. */
function framed (m: LiveMessage): { bytes: Buffer, payloadAt: number } {
  const json = JSON.stringify(m)
  const length = Buffer.byteLength(json)
  const bytes = Buffer.allocUnsafe(headerLength(length) + length)
  const payloadAt = writeHeader(bytes, 0, length)
  bytes.write(json, payloadAt)
  return { bytes, payloadAt }
}

/**
 * The stream under a socket, when frames framed here may be written to it directly: no
 * extension negotiated (permessage-deflate is off, app.ts), so that `ws` frames nothing of its
 * own differently and queues nothing (it queues only while compressing or reading a Blob, and
 * neither happens then): what it writes and what is written here go out in the order written.
 * Null otherwise (and for stand-ins in tests): frames then go through `socket.send`.
 */
function streamOf (socket: WebSocket): Duplex | null {
  if (socket.extensions !== '') return null
  const stream = (socket as unknown as { _socket?: Duplex | null })._socket
  return stream === undefined || stream === null ? null : stream
}

/** An event of the turn, framed: its bytes in the turn's buffer, and its personal frame if any. */
interface TurnEvent {
  seq: number
  start: number
  payloadAt: number
  end: number
  personal?: { userId: string, bytes: Buffer, payloadAt: number }
}

/** The events of one turn framed for one audience: their general frames in one buffer, their personal ones apart. */
interface FramedTurn { shared: Buffer, turn: TurnEvent[], personalTo: Set<string> }

function frameTurn (events: LiveEvent[], audience: Audience): FramedTurn {
  const messages = events.map((ev) => messagesOf(ev, audience))
  const jsons = messages.map((m) => JSON.stringify(m.general))
  const lengths = jsons.map((j) => Buffer.byteLength(j))
  const shared = Buffer.allocUnsafe(lengths.reduce((sum, n) => sum + headerLength(n) + n, 0))
  const turn: TurnEvent[] = []
  const personalTo = new Set<string>()
  let at = 0
  for (let i = 0; i < events.length; i++) {
    const start = at
    at += writeHeader(shared, at, lengths[i]!)
    const payloadAt = at
    at += shared.write(jsons[i]!, at)
    const personal = messages[i]!.personal
    const te: TurnEvent = { seq: events[i]!.seq, start, payloadAt, end: at }
    if (personal !== undefined) {
      te.personal = { userId: personal.userId, ...framed(personal.message) }
      personalTo.add(personal.userId)
    }
    turn.push(te)
  }
  return { shared, turn, personalTo }
}

/**
 * Broadcasts the event log to every socket, in seq order with no gap. After a commit the
 * service hands its events to `publish()`; the events of one turn of the event loop are sent
 * together at its end (setImmediate, after the replies to the commands of that turn): each
 * serialised and framed once, all of them in one buffer, written whole to every socket in one
 * write (a socket whose own frame differs, a holder's `me`, gets the shared slices around it in
 * one corked write). Never a query or a copy per socket, and no read of the log on the hot path. Events
 * that arrive out of order wait for the missing seq; should one never be handed over, `poke()`
 * reads it from the log. A socket starting (snapshot or replay) catches up from the recent
 * events kept in memory, so nothing published while it started is lost. With several
 * instances (PostgreSQL), `notified()` is told every commit's seq (pg-fanout.ts): the commits
 * of other instances are read from the log, one read for however many arrive meanwhile.
 */
/** The last snapshot built for each audience, while it may serve again. */
interface KeptSnapshot { seq: number, at: number, bytes: Partial<Record<Audience, Buffer>>, holders: ReadonlySet<string> }

export class LiveHub {
  readonly clients = new Set<LiveClient>()
  #lastPublished = 0
  #chain: Promise<void> = Promise.resolve()
  #pokePending = false
  #attaching: Attaching[] = []
  #attachPending = false
  /** Events handed over ahead of a missing seq, by seq. */
  readonly #early = new Map<number, LiveEvent>()
  #gapTimer: NodeJS.Timeout | undefined
  /** The highest seq notified as committed by this server, and the timer that checks it came. */
  #ownNotified = 0
  #ownTimer: NodeJS.Timeout | undefined
  #retryTimer: NodeJS.Timeout | undefined
  #closed = false
  /** The last RECENT_EVENTS events sent, oldest first. */
  #recent: LiveEvent[] = []
  /** The last snapshot for every socket but its slots' holders, with the seq and instant it was read at. */
  #lastSnapshot: KeptSnapshot | undefined
  /** Lets the last snapshot go once it can no longer serve (its ~2 MB per audience are not kept for nothing). */
  #snapshotTimer: NodeJS.Timeout | undefined
  /** Events in order whose frames go out at the end of this turn (#flushTurn). */
  #turn: LiveEvent[] = []
  #turnTimer: NodeJS.Immediate | undefined
  /** A socket with more than this many bytes waiting to be sent is closed (tests lower it). */
  maxBuffered = MAX_BUFFERED
  readonly #db: Kysely<Database>
  readonly #clock: Clock
  /**
   * Told of every event sent: to how many sockets, and how long after its commit was heard
   * (publish() or a NOTIFY; null when read from the log without either). Set by the metrics.
   */
  observer: ((sockets: number, lagMs: number | null) => void) | null = null
  /** When each seq not yet sent was heard of (performance.now()), while an observer is set. */
  readonly #heardAt = new Map<number, number>()

  constructor (db: Kysely<Database>, clock: Clock) {
    this.#db = db
    this.#clock = clock
  }

  async start (): Promise<void> {
    this.#lastPublished = (await seqBounds(this.#db)).max
  }

  #serial (job: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(job)
    this.#chain = run.catch(() => {})
    return run
  }

  /** Reads the log for events not handed over by publish() (coalesces bursts into one read). */
  poke (): void {
    if (this.#pokePending || this.#closed) return
    this.#pokePending = true
    this.#serial(async () => {
      this.#pokePending = false
      await this.#pump()
    }).catch(() => {
      // Nothing is lost: the next read starts after the last seq sent.
      if (this.#closed || this.#retryTimer !== undefined) return
      this.#retryTimer = setTimeout(() => { this.#retryTimer = undefined; this.poke() }, POKE_RETRY_MS)
      this.#retryTimer.unref()
    })
  }

  /** Stops reading the log (the app closes; its sockets are ended by the live plugin). */
  close (): void {
    this.#closed = true
    for (const timer of [this.#gapTimer, this.#ownTimer, this.#retryTimer, this.#snapshotTimer]) clearTimeout(timer)
    this.#flushTurn()
  }

  /** The last seq sent to the sockets. */
  get lastPublished (): number { return this.#lastPublished }

  /**
   * `seq` has committed (a NOTIFY, PostgreSQL). From another instance (`fromHere` false), it
   * and whatever came before it are read from the log now; bursts coalesce into one read
   * (poke). From this server, its own publish() follows at once: the log is read only if it has
   * not come after GAP_WAIT_MS (e.g. the commit's reply was lost with its connection).
   */
  notified (seq: number, fromHere: boolean): void {
    if (seq <= this.#lastPublished) return
    if (this.observer !== null && !this.#heardAt.has(seq)) this.#heardAt.set(seq, performance.now())
    if (!fromHere) { this.poke(); return }
    this.#ownNotified = Math.max(this.#ownNotified, seq)
    this.#armOwnTimer()
  }

  #armOwnTimer (): void {
    if (this.#ownTimer !== undefined) return
    const expected = this.#ownNotified
    this.#ownTimer = setTimeout(() => {
      this.#ownTimer = undefined
      if (expected > this.#lastPublished) this.poke()
      else if (this.#ownNotified > this.#lastPublished) this.#armOwnTimer()
    }, GAP_WAIT_MS)
    this.#ownTimer.unref()
  }

  /** Waits until everything committed so far has been sent (tests, shutdown). */
  async flush (): Promise<void> {
    await this.#serial(async () => { await this.#pump() })
    this.#flushTurn()
  }

  /** Events just committed: sent now when they are next in seq order, else when the gap fills. */
  publish (events: LiveEvent[]): void {
    for (const ev of events) {
      if (ev.seq <= this.#lastPublished) continue
      this.#early.set(ev.seq, ev)
      if (this.observer !== null && !this.#heardAt.has(ev.seq)) this.#heardAt.set(ev.seq, performance.now())
    }
    this.#drain()
    if (this.#early.size > 0 && this.#gapTimer === undefined) {
      this.#gapTimer = setTimeout(() => { this.#gapTimer = undefined; this.poke() }, GAP_WAIT_MS)
      this.#gapTimer.unref()
    }
  }

  #drain (): void {
    for (let ev = this.#early.get(this.#lastPublished + 1); ev !== undefined; ev = this.#early.get(this.#lastPublished + 1)) {
      this.#early.delete(ev.seq)
      this.#broadcast(ev)
    }
  }

  /** Sends what the log has after the last seq sent: one read, more only for a long backlog. */
  async #pump (): Promise<void> {
    for (;;) {
      const events = await eventsAfter(this.#db, this.#lastPublished, PUMP_BATCH)
      // Sent directly while the log was read: keep only what is still new, in order.
      for (const ev of events) if (ev.seq === this.#lastPublished + 1) this.#broadcast(ev)
      this.#drain()
      // A short read is all there was: later commits are published, notified or poked again.
      if (events.length < PUMP_BATCH) break
    }
    for (const seq of this.#early.keys()) if (seq <= this.#lastPublished) this.#early.delete(seq)
    for (const seq of this.#heardAt.keys()) if (seq <= this.#lastPublished) this.#heardAt.delete(seq)
  }

  /** The next event in seq order: it goes out with the others of this turn, at its end. */
  #broadcast (ev: LiveEvent): void {
    this.#lastPublished = ev.seq
    this.#recent.push(ev)
    if (this.#recent.length > RECENT_EVENTS * 2) this.#recent = this.#recent.slice(-RECENT_EVENTS)
    this.#turn.push(ev)
    this.#turnTimer ??= setImmediate(() => { this.#turnTimer = undefined; this.#flushTurn() })
  }

  /**
   * Sends the events of this turn to every socket that is live: their general frames framed
   * once into one buffer, and to each socket the part after its last seq in one write.
   */
  #flushTurn (): void {
    if (this.#turnTimer !== undefined) { clearImmediate(this.#turnTimer); this.#turnTimer = undefined }
    const events = this.#turn
    if (events.length === 0) return
    this.#turn = []
    // One buffer per audience; the same one for both when the turn has no request event.
    const forRegulators = frameTurn(events, 'regulators')
    const forOthers = events.some((ev) => ev.request !== undefined) ? frameTurn(events, 'others') : forRegulators
    const last = events[events.length - 1]!.seq
    const sent = new Array<number>(events.length).fill(0)
    for (const c of this.clients) {
      if (!c.ready || last <= c.lastSeq) continue
      const { shared, turn, personalTo } = hearsRequests(c) ? forRegulators : forOthers
      let from = 0
      while (turn[from]!.seq <= c.lastSeq) from++
      for (let i = from; i < turn.length; i++) sent[i]!++
      c.lastSeq = last
      if (!personalTo.has(c.userId)) {
        this.#write(c, [from === 0 ? shared : shared.subarray(turn[from]!.start)], turn, from, shared)
        continue
      }
      // Its own frames in place of the shared ones, the shared slices around them: no copy.
      const chunks: Buffer[] = []
      let runStart = turn[from]!.start
      for (let i = from; i < turn.length; i++) {
        const p = turn[i]!.personal
        if (p === undefined || p.userId !== c.userId) continue
        if (turn[i]!.start > runStart) chunks.push(shared.subarray(runStart, turn[i]!.start))
        chunks.push(p.bytes)
        runStart = turn[i]!.end
      }
      if (runStart < shared.length) chunks.push(shared.subarray(runStart))
      this.#write(c, chunks, turn, from, shared)
    }
    if (this.observer !== null) {
      for (let i = 0; i < events.length; i++) {
        const heard = this.#heardAt.get(events[i]!.seq)
        this.#heardAt.delete(events[i]!.seq)
        this.observer(sent[i]!, heard === undefined ? null : performance.now() - heard)
      }
    }
  }

  /**
   * Writes framed bytes to a socket in one write (one system call for the whole turn). A
   * socket without a stream to write to (see streamOf) gets each event's payload through
   * `socket.send` instead: the events of `turn` from `from` on, their bytes in `shared`.
   */
  #write (c: LiveClient, chunks: Buffer[], turn: TurnEvent[], from: number, shared: Buffer): void {
    const socket = c.socket
    if (socket.readyState !== socket.OPEN) return
    if (socket.bufferedAmount > this.maxBuffered) {
      socket.close(1013, 'too slow: reconnect with ?since=')
      return
    }
    const stream = streamOf(socket)
    if (stream === null) {
      for (let i = from; i < turn.length; i++) {
        const te = turn[i]!
        const own = te.personal !== undefined && te.personal.userId === c.userId
        socket.send(own ? te.personal!.bytes.subarray(te.personal!.payloadAt) : shared.subarray(te.payloadAt, te.end), { binary: false })
      }
      return
    }
    // Closed under ws (the peer went away this turn): ws ends the socket on its own.
    if (stream.destroyed || !stream.writable) return
    if (chunks.length === 1) {
      stream.write(chunks[0])
      return
    }
    stream.cork()
    for (const chunk of chunks) stream.write(chunk)
    stream.uncork()
  }

  /** A socket has its snapshot or replay: send it what went out meanwhile, then it is live. */
  #goLive (client: LiveClient): void {
    if (client.lastSeq < this.#lastPublished) {
      const missed = this.#recent.filter((ev) => ev.seq > client.lastSeq)
      if (missed[0] === undefined || missed[0].seq !== client.lastSeq + 1) {
        // Too far behind to catch up from memory: it reconnects with ?since= and replays from the log.
        client.socket.close(1013, 'reconnect with ?since=')
        return
      }
      for (const ev of missed) {
        this.#send(client, frame(messageFor(ev, client)))
        client.lastSeq = ev.seq
      }
    }
    client.ready = true
  }

  #send (c: LiveClient, data: Buffer): void {
    if (c.socket.readyState !== c.socket.OPEN) return
    if (c.socket.bufferedAmount > this.maxBuffered) {
      c.socket.close(1013, 'too slow: reconnect with ?since=')
      return
    }
    c.socket.send(data, { binary: false })
  }

  /**
   * Starts a socket: the events after `since` when the log still has them all, otherwise a
   * snapshot of every slot not yet ended that is free or held; then live events.
   * Sockets that attach while an earlier job runs (a reconnect storm after a restart) start
   * together: one read of the slots and one serialised snapshot for all of them (a socket
   * holding a slot gets its own, with its hold as `me`), instead of one read each.
   */
  attach (client: LiveClient, since: number | undefined): Promise<void> {
    this.clients.add(client)
    return new Promise((resolve, reject) => {
      this.#attaching.push({ client, since, resolve, reject })
      if (this.#attachPending) return
      this.#attachPending = true
      void this.#serial(async () => {
        // Let the upgrades already accepted reach attach() first, so that they join this batch.
        await new Promise<void>((resolve) => setTimeout(resolve, ATTACH_GATHER_MS))
        this.#attachPending = false
        const batch = this.#attaching.splice(0)
        try {
          await this.#start(batch)
        } catch (err) {
          for (const w of batch) w.reject(err)
        }
      })
    })
  }

  async #start (batch: Attaching[]): Promise<void> {
    await this.#pump()
    const now = this.#clock.now()
    // The last snapshot serves again while nothing was logged since and it is recent: a socket
    // starting now gets what it would have got had it started then, then the same events.
    const last = this.#lastSnapshot
    const reusable = (bounds: { min: number, max: number }): boolean => last !== undefined && last.seq === bounds.max &&
      now.getTime() - last.at >= 0 && now.getTime() - last.at < SNAPSHOT_REUSE_MS &&
      batch.every((w) => this.#canReplay(w.since, bounds) || (!last.holders.has(w.client.userId) && last.bytes[audienceOf(w.client)] !== undefined))
    // Bounds, slots and the open waiting list are read in one transaction so that the snapshot matches its seq.
    const { bounds, records, requestRecords, reuse } = await this.#db.transaction().execute(async (trx) => {
      const bounds = await seqBounds(trx)
      const snapshots = batch.filter((w) => !this.#canReplay(w.since, bounds))
      const reuse = snapshots.length > 0 && reusable(bounds)
      const fresh = snapshots.length > 0 && !reuse
      const records = fresh ? await listSlotRecords(trx, { endAfter: now.toISOString(), statuses: ['free', 'held'] }) : []
      // The open waiting list, for the regulators among them.
      const requestRecords = fresh && snapshots.some((w) => hearsRequests(w.client)) ? await listRequests(trx, { statuses: ['open'] }) : []
      return { bounds, records, requestRecords, reuse }
    })
    // The snapshot's text is written from the records (slotJson), each slot once for every
    // socket but its holder, without the objects in between: what a burst of snapshots allocates.
    const nowIso = now.toISOString()
    const parts: SlotJsonParts = new Map()
    const slotTexts = records.map((r) => slotJson(r, nowIso, null, parts))
    const requests: NeutralRequest[] = requestRecords.map((r) => toNeutralRequest(r, now))
    const holders = new Set<string>()
    for (const r of records) if (r.hold_by !== null && holdIsLive(r, nowIso)) holders.add(r.hold_by)
    for (const r of requests) if (r.claim !== undefined) holders.add(r.claim.holderId)
    // Byte for byte what frame({ type: 'snapshot', seq, slots, requests? }) writes (test/slot-json.test.ts).
    const snapshotFor = (audience: Audience, viewerId: string | null): Buffer => {
      const texts = viewerId === null ? slotTexts : records.map((r, i) => r.hold_by === viewerId ? slotJson(r, nowIso, viewerId, parts) : slotTexts[i])
      const requestsText = audience === 'regulators' ? `,"requests":${JSON.stringify(requests.map((r) => requestForViewer(r, viewerId)))}` : ''
      return Buffer.from(`{"type":"snapshot","seq":${JSON.stringify(bounds.max)},"slots":[${texts.join(',')}]${requestsText}}`)
    }
    if (!reuse) this.#lastSnapshot = undefined
    const shared: Partial<Record<Audience, Buffer>> = reuse && last !== undefined ? last.bytes : {}
    for (const { client, since, resolve, reject } of batch) {
      try {
        if (!this.clients.has(client)) { resolve(); continue } // closed while waiting
        if (since !== undefined && this.#canReplay(since, bounds)) {
          client.lastSeq = since
          for (const ev of await eventsAfter(this.#db, since, REPLAY_LIMIT)) {
            this.#send(client, frame(messageFor(ev, client)))
            client.lastSeq = ev.seq
          }
        } else if (holders.has(client.userId)) {
          this.#send(client, snapshotFor(audienceOf(client), client.userId))
          client.lastSeq = bounds.max
        } else {
          const audience = audienceOf(client)
          let bytes = shared[audience]
          if (bytes === undefined) {
            bytes = shared[audience] = snapshotFor(audience, null)
            this.#keepSnapshot({ seq: bounds.max, at: now.getTime(), bytes: shared, holders })
          }
          this.#send(client, bytes)
          client.lastSeq = bounds.max
        }
        this.#goLive(client)
        resolve()
      } catch (err) {
        reject(err)
      }
    }
  }

  /**
   * Keeps a snapshot for the sockets that start within SNAPSHOT_REUSE_MS, then lets it go. A
   * method of its own: a timer made in #start would keep that scope (the records, every slot's
   * text) alive as long as the timer object is referenced.
   */
  #keepSnapshot (kept: KeptSnapshot): void {
    this.#lastSnapshot = kept
    clearTimeout(this.#snapshotTimer)
    this.#snapshotTimer = setTimeout(() => {
      this.#snapshotTimer = undefined
      if (this.#lastSnapshot === kept) this.#lastSnapshot = undefined
    }, SNAPSHOT_REUSE_MS)
    this.#snapshotTimer.unref()
  }

  #canReplay (since: number | undefined, bounds: { min: number, max: number }): boolean {
    return since !== undefined && since <= bounds.max && since >= bounds.min - 1 && bounds.max - since <= REPLAY_LIMIT
  }

  /** How many sockets this account has open (starting ones included). */
  socketsOf (userId: string): number {
    let n = 0
    for (const c of this.clients) if (c.userId === userId) n++
    return n
  }

  detach (client: LiveClient): void {
    this.clients.delete(client)
  }

  /** Sends one message to one socket (command replies). */
  reply (client: LiveClient, m: LiveMessage): void {
    this.#send(client, frame(m))
  }
}
