import type { Kysely, Transaction } from 'kysely'
import { isDeadlock } from '../../../db/errors.js'
import type { Database } from '../../../db/types.js'
import type { EventType } from '../../../shared/schemas/slots.js'
import type { Clock } from '../../clock.js'
import type { RequestEventType } from '../../../shared/schemas/waiting-list.js'
import type { NeutralRequest } from '../waiting-list/request-view.js'
import { appendEvent, appendRequestEvent, type EventRefs, type LoggedEvent, type SlotLoggedEvent } from './event-log.js'
import type { NeutralSlot } from './slot-repository.js'

/** How many times a change is run when PostgreSQL picks it as a deadlock's victim (see `run`). */
const DEADLOCK_TRIES = 3

/** Told the events of a commit, in seq order. */
export type CommitListener = (events: LoggedEvent[]) => void

/** The slot events a change is about to log (no seq yet). */
export type PendingSlotEvent = Omit<SlotLoggedEvent, 'seq'>

/**
 * Runs at the end of every change that logs slot events, inside its transaction, before the
 * events are appended: it may write and emit more (the waiting list's `request.matched`).
 */
export type BeforeCommitHook = (w: Work, slotEvents: readonly PendingSlotEvent[]) => Promise<void>

/**
 * One run of a change: its transaction, its instant (one clock reading for every row it
 * writes), and the events it logs. Functions that must run inside it take `trx`, typed
 * `Transaction<Database>`: the outer `Kysely<Database>` does not type-check there.
 */
export interface Work {
  readonly trx: Transaction<Database>
  readonly now: Date
  readonly nowIso: string
  /** Logs an event of this change: written last in the transaction, broadcast after the commit. */
  emit: (type: EventType, slot: NeutralSlot, refs: EventRefs) => void
  /** Logs a waiting-list request's event of this change (same seq, same commit): never patient data. */
  emitRequest: (type: RequestEventType, request: NeutralRequest, refs: EventRefs & { slotId?: string | null }) => void
}

/**
 * The slots' unit of work: a change runs in one transaction, its events are appended to the
 * log at its end and handed to the listeners (the live hub) once it commits.
 */
export class UnitOfWork {
  readonly #db: Kysely<Database>
  readonly #clock: Clock
  readonly #listeners = new Set<CommitListener>()
  readonly #hooks = new Set<BeforeCommitHook>()

  constructor (deps: { db: Kysely<Database>, clock: Clock }) {
    this.#db = deps.db
    this.#clock = deps.clock
  }

  /** Be told the events of every commit that wrote some. Returns what stops it. */
  onCommit (listener: CommitListener): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /** Runs `hook` at the end of every change that logs slot events (see BeforeCommitHook). Returns what stops it. */
  beforeCommit (hook: BeforeCommitHook): () => void {
    this.#hooks.add(hook)
    return () => { this.#hooks.delete(hook) }
  }

  /**
   * Runs `fn` in a transaction, logs its events at the end, and broadcasts them after the commit.
   * On PostgreSQL a transaction chosen as a deadlock's victim (40P01) is run again, whole, up to
   * DEADLOCK_TRIES times: the season rollups' counter rows (migration 0012) are shared by every
   * slot of a local hour, so two changes of slots in the same hours can lock them in opposite
   * orders (a move against a booking, say). Nothing of a victim was committed, so running `fn`
   * again is safe as long as `fn` keeps its side effects inside the transaction (events are
   * queued per attempt, the rest is SQL).
   */
  async run<T> (fn: (w: Work) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#runOnce(fn)
      } catch (err) {
        if (attempt >= DEADLOCK_TRIES || !isDeadlock(err)) throw err
      }
    }
  }

  async #runOnce<T> (fn: (w: Work) => Promise<T>): Promise<T> {
    const now = this.#clock.now()
    const nowIso = now.toISOString()
    const logged: LoggedEvent[] = []
    const result = await this.#db.transaction().execute(async (trx) => {
      const queued: Array<Omit<SlotLoggedEvent, 'seq'> | Omit<Extract<LoggedEvent, { request: object }>, 'seq'>> = []
      const w: Work = {
        trx, now, nowIso,
        emit: (type, slot, refs) => { queued.push({ type, at: nowIso, slot, bookingId: refs.bookingId ?? null, actorId: refs.actorId }) },
        emitRequest: (type, request, refs) => { queued.push({ type, at: nowIso, request, slotId: refs.slotId ?? null, bookingId: refs.bookingId ?? null, actorId: refs.actorId }) }
      }
      const r = await fn(w)
      const slotEvents = queued.filter((ev): ev is PendingSlotEvent => ev.slot !== undefined)
      if (slotEvents.length > 0) for (const hook of this.#hooks) await hook(w, slotEvents)
      // The events go last: on PostgreSQL their seq locks the one counter row until the commit,
      // holding every other writer, so nothing else runs under that lock but the commit itself.
      for (const ev of queued) {
        logged.push(ev.slot !== undefined
          ? { seq: await appendEvent(trx, ev.type, ev.slot, now, ev), ...ev }
          : { seq: await appendRequestEvent(trx, ev.type, ev.request, ev.slotId, now, ev), ...ev })
      }
      return r
    })
    // On the next turn of the event loop: the reply to whoever made the change goes out first,
    // then the 500-odd sends of its event (setImmediate is FIFO, so seq order is kept).
    if (logged.length > 0) setImmediate(() => { for (const l of this.#listeners) l(logged) })
    return result
  }
}
