import type { Kysely } from 'kysely'
import type { WebSocket } from 'ws'
import type { Database } from '../../../db/types.js'
import type { Role } from '../../../shared/schemas/accounts.js'
import type { LiveMessage } from '../../../shared/schemas/live.js'
import type { Clock } from '../../clock.js'
import type { Credential } from '../session/session-service.js'
import { eventsAfter, seqBounds, type RequestLoggedEvent, type SlotLoggedEvent } from '../slots/event-log.js'
import { forViewer, listSlotRecords, toNeutralSlot } from '../slots/slot-repository.js'
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

/** The frame of one event for one socket. */
function eventFrame (ev: LiveEvent, client: LiveClient): Buffer {
  if (ev.request !== undefined) {
    return hearsRequests(client)
      ? frame({ type: 'event', seq: ev.seq, event: ev.type, request: requestForViewer(ev.request, client.userId), slotId: ev.slotId })
      : frame({ type: 'skip', seq: ev.seq })
  }
  return frame({ type: 'event', seq: ev.seq, event: ev.type, slot: forViewer(ev.slot, client.userId) })
}

/**
 * Broadcasts the event log to every socket, in seq order with no gap. After a commit the
 * service hands its events to `publish()`, which sends each one, serialised once, to all
 * sockets at once: never a query per socket, and no read of the log on the hot path. Events
 * that arrive out of order wait for the missing seq; should one never be handed over, `poke()`
 * reads it from the log. A socket starting (snapshot or replay) catches up from the recent
 * events kept in memory, so nothing published while it started is lost. With several
 * instances (PostgreSQL), `notified()` is told every commit's seq (pg-fanout.ts): the commits
 * of other instances are read from the log, one read for however many arrive meanwhile.
 */
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
    for (const timer of [this.#gapTimer, this.#ownTimer, this.#retryTimer]) clearTimeout(timer)
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

  #broadcast (ev: LiveEvent): void {
    // Serialised once for everyone, once more for the one viewer who holds (or claims) it.
    let general: Buffer
    let holderFrame: Buffer | null
    let holderId: string | undefined
    let skip: Buffer | null = null
    if (ev.request !== undefined) {
      general = frame({ type: 'event', seq: ev.seq, event: ev.type, request: requestForViewer(ev.request, null), slotId: ev.slotId })
      holderId = ev.request.claim?.holderId
      holderFrame = holderId === undefined ? null : frame({ type: 'event', seq: ev.seq, event: ev.type, request: requestForViewer(ev.request, holderId), slotId: ev.slotId })
      skip = frame({ type: 'skip', seq: ev.seq })
    } else {
      general = frame({ type: 'event', seq: ev.seq, event: ev.type, slot: forViewer(ev.slot, null) })
      holderId = ev.slot.hold?.holderId
      holderFrame = holderId === undefined ? null : frame({ type: 'event', seq: ev.seq, event: ev.type, slot: forViewer(ev.slot, holderId) })
    }
    let sent = 0
    for (const c of this.clients) {
      if (!c.ready || ev.seq <= c.lastSeq) continue
      if (skip !== null && !hearsRequests(c)) this.#send(c, skip)
      else this.#send(c, holderFrame !== null && c.userId === holderId ? holderFrame : general)
      c.lastSeq = ev.seq
      sent++
    }
    if (this.observer !== null) {
      const heard = this.#heardAt.get(ev.seq)
      this.#heardAt.delete(ev.seq)
      this.observer(sent, heard === undefined ? null : performance.now() - heard)
    }
    this.#lastPublished = ev.seq
    this.#recent.push(ev)
    if (this.#recent.length > RECENT_EVENTS * 2) this.#recent = this.#recent.slice(-RECENT_EVENTS)
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
        this.#send(client, eventFrame(ev, client))
        client.lastSeq = ev.seq
      }
    }
    client.ready = true
  }

  #send (c: LiveClient, data: Buffer): void {
    if (c.socket.readyState !== c.socket.OPEN) return
    if (c.socket.bufferedAmount > MAX_BUFFERED) {
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
    // Bounds and slots are read in one transaction so that the snapshot matches its seq.
    const { bounds, records, requestRecords } = await this.#db.transaction().execute(async (trx) => {
      const bounds = await seqBounds(trx)
      const snapshots = batch.filter((w) => !this.#canReplay(w.since, bounds))
      const records = snapshots.length > 0 ? await listSlotRecords(trx, { endAfter: now.toISOString(), statuses: ['free', 'held'] }) : []
      // The open waiting list, for the regulators among them, as of the same seq.
      const requestRecords = snapshots.some((w) => hearsRequests(w.client)) ? await listRequests(trx, { statuses: ['open'] }) : []
      return { bounds, records, requestRecords }
    })
    const slots = records.map((r) => toNeutralSlot(r, now))
    const requests: NeutralRequest[] = requestRecords.map((r) => toNeutralRequest(r, now))
    const holders = new Set([...slots.flatMap((s) => s.hold === undefined ? [] : [s.hold.holderId]), ...requests.flatMap((r) => r.claim === undefined ? [] : [r.claim.holderId])])
    const requestsFor = (c: LiveClient, viewerId: string | null) => hearsRequests(c) ? { requests: requests.map((r) => requestForViewer(r, viewerId)) } : {}
    let shared: Buffer | undefined
    let sharedRegulators: Buffer | undefined
    for (const { client, since, resolve, reject } of batch) {
      try {
        if (!this.clients.has(client)) { resolve(); continue } // closed while waiting
        if (since !== undefined && this.#canReplay(since, bounds)) {
          client.lastSeq = since
          for (const ev of await eventsAfter(this.#db, since, REPLAY_LIMIT)) {
            this.#send(client, eventFrame(ev, client))
            client.lastSeq = ev.seq
          }
        } else if (holders.has(client.userId)) {
          this.#send(client, frame({ type: 'snapshot', seq: bounds.max, slots: slots.map((s) => forViewer(s, client.userId)), ...requestsFor(client, client.userId) }))
          client.lastSeq = bounds.max
        } else if (hearsRequests(client)) {
          sharedRegulators ??= frame({ type: 'snapshot', seq: bounds.max, slots: slots.map((s) => forViewer(s, null)), ...requestsFor(client, null) })
          this.#send(client, sharedRegulators)
          client.lastSeq = bounds.max
        } else {
          shared ??= frame({ type: 'snapshot', seq: bounds.max, slots: slots.map((s) => forViewer(s, null)) })
          this.#send(client, shared)
          client.lastSeq = bounds.max
        }
        this.#goLive(client)
        resolve()
      } catch (err) {
        reject(err)
      }
    }
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
