import type { Kysely } from 'kysely'
import type { WebSocket } from 'ws'
import type { Database } from '../../../db/types.js'
import type { LiveMessage } from '../../../shared/schemas/live.js'
import type { Clock } from '../../clock.js'
import { forViewer, listSlotRecords, toNeutralSlot } from '../slots/slot-repository.js'
import { eventsAfter, seqBounds } from './event-log.js'

/** One open `/api/live` socket. */
export interface LiveClient {
  socket: WebSocket
  userId: string
  /** Last seq this socket has been sent (by the snapshot or an event). */
  lastSeq: number
  /** False until its snapshot or replay has been sent: events wait for it. */
  ready: boolean
}

// A socket that lets this much pile up unread is too slow to follow: it is closed and will
// resynchronise with ?since= when it reconnects, instead of growing the server's memory.
const MAX_BUFFERED = 8 * 1024 * 1024
const REPLAY_LIMIT = 5000

const frame = (m: LiveMessage): Buffer => Buffer.from(JSON.stringify(m))

/**
 * Broadcasts the event log to every socket, in seq order with no gap. Changes are committed
 * first, then `poke()` makes the hub read the new events from the log once and send each
 * event, serialised once, to all sockets: never a query per socket. Attaching a socket and
 * pumping events run one after the other, so a snapshot and the events after it always fit.
 */
export class LiveHub {
  readonly clients = new Set<LiveClient>()
  #lastPublished = 0
  #chain: Promise<void> = Promise.resolve()
  #pokePending = false
  readonly #db: Kysely<Database>
  readonly #clock: Clock

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

  /** Something was committed to the event log: send it (coalesces bursts into one read). */
  poke (): void {
    if (this.#pokePending) return
    this.#pokePending = true
    void this.#serial(async () => {
      this.#pokePending = false
      await this.#pump()
    })
  }

  /** Waits until everything committed so far has been sent (tests, shutdown). */
  async flush (): Promise<void> {
    await this.#serial(async () => { await this.#pump() })
  }

  async #pump (): Promise<void> {
    for (;;) {
      const events = await eventsAfter(this.#db, this.#lastPublished, 1000)
      if (events.length === 0) return
      for (const ev of events) {
        const general = frame({ type: 'event', seq: ev.seq, event: ev.type, slot: forViewer(ev.slot, null) })
        const holderId = ev.slot.hold?.holderId
        const holderFrame = holderId === undefined ? null : frame({ type: 'event', seq: ev.seq, event: ev.type, slot: forViewer(ev.slot, holderId) })
        for (const c of this.clients) {
          if (!c.ready || ev.seq <= c.lastSeq) continue
          this.#send(c, holderFrame !== null && c.userId === holderId ? holderFrame : general)
          c.lastSeq = ev.seq
        }
        this.#lastPublished = ev.seq
      }
    }
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
   */
  attach (client: LiveClient, since: number | undefined): Promise<void> {
    this.clients.add(client)
    return this.#serial(async () => {
      await this.#pump()
      const now = this.#clock.now()
      // Bounds and slots are read in one transaction so that the snapshot matches its seq.
      const { bounds, records } = await this.#db.transaction().execute(async (trx) => {
        const bounds = await seqBounds(trx)
        const useReplay = since !== undefined && since <= bounds.max && since >= bounds.min - 1 && bounds.max - since <= REPLAY_LIMIT
        const records = useReplay ? null : await listSlotRecords(trx, { endAfter: now.toISOString(), statuses: ['free', 'held'] })
        return { bounds, records }
      })
      if (records === null && since !== undefined) {
        client.lastSeq = since
        for (const ev of await eventsAfter(this.#db, since, REPLAY_LIMIT)) {
          this.#send(client, frame({ type: 'event', seq: ev.seq, event: ev.type, slot: forViewer(ev.slot, client.userId) }))
          client.lastSeq = ev.seq
        }
      } else {
        const slots = (records ?? []).map((r) => forViewer(toNeutralSlot(r, now), client.userId))
        this.#send(client, frame({ type: 'snapshot', seq: bounds.max, slots }))
        client.lastSeq = bounds.max
      }
      client.ready = true
    })
  }

  detach (client: LiveClient): void {
    this.clients.delete(client)
  }

  /** Sends one message to one socket (command replies). */
  reply (client: LiveClient, m: LiveMessage): void {
    this.#send(client, frame(m))
  }
}
