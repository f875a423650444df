import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database, DeliveryRow } from '../../../db/types.js'
import type { Clock } from '../../clock.js'
import { eventsAfter, seqBounds } from '../slots/event-log.js'
import { loadBookingChange } from './booking-change.js'
import { DeliveryError, type DeliveryChannel } from './channel.js'
import { claimDue, createCursor, insertDelivery, lockCursor, markFailed, markRetry, markSent, releaseClaims, saveCursor } from './delivery-repository.js'
import { nextAttemptAt, RETRY_POLICY } from './retry-policy.js'

export interface DeliveryWorkerDeps {
  db: Kysely<Database>
  clock: Clock
  log: FastifyBaseLogger
  /** The channels switched on by the settings. */
  channels: DeliveryChannel[]
}

/** What one run did, summed over the channels. */
export interface RunReport { queued: number, sent: number, retrying: number, failed: number }

// Events read per enqueueing transaction: short enough not to hold up bookings behind it.
const EVENT_BATCH = 200
const SEND_BATCH = 50
// Passes over the due deliveries in one run: a booking's update becomes due once its creation is sent.
const MAX_PASSES = 10
const MAX_ERROR_CHARS = 500
/**
 * How long a claimed delivery is this worker's to send: longer than any send lasts (the channels'
 * own timeouts are shorter), so that only a worker that died leaves its claims to run out.
 */
export const CLAIM_LEASE_MS = 5 * 60_000

/** One channel's runs, one after the other, and how many are going or waiting. */
interface Lane { ch: DeliveryChannel, chain: Promise<unknown>, pending: number }

/**
 * The delivery queue. The event log is the outbox: each channel turns the booking events after
 * its cursor into `deliveries` rows, in the transaction that moves the cursor (nothing queued
 * twice, nothing lost over a restart), then sends what is due, retrying with backoff. It runs
 * beside requests, never inside them: a send that fails or hangs never touches a booking.
 * Each channel runs in its own lane: a mail server that hangs holds up the mails, never the
 * appointments sent to the SAS.
 *
 * Several instances on one PostgreSQL database run it at once, safely: the enqueueing
 * transaction locks the channel's cursor (one instance at a time reads the events after it),
 * and sending claims due rows with a lease (`claimDue`), outcomes written only under that claim.
 */
export class DeliveryWorker {
  readonly #d: DeliveryWorkerDeps
  readonly #lanes: Lane[]
  #stopping = false

  constructor (deps: DeliveryWorkerDeps) {
    this.#d = deps
    this.#lanes = deps.channels.map((ch) => ({ ch, chain: Promise.resolve(), pending: 0 }))
  }

  /** The names of the channels switched on. */
  get channels (): string[] { return this.#d.channels.map((c) => c.name) }

  /**
   * A channel switched on for the first time starts at the end of the log: nobody gets the
   * past. A channel that has a cursor resumes where it stopped, across restarts and whichever
   * instance runs it. A channel switched off here leaves its cursor alone: another instance may
   * have it on (deleting it would make that one lose events). Events older than the retry
   * horizon are passed over when read (see #enqueue): a channel switched on again after a long
   * pause sends no flood of stale notices.
   */
  async start (): Promise<void> {
    if (this.#d.channels.length === 0) return
    const { max } = await seqBounds(this.#d.db)
    for (const ch of this.#d.channels) await createCursor(this.#d.db, ch.name, max, this.#d.clock.now())
  }

  /**
   * Reads new events and sends every delivery due now, on every channel; resolves once every
   * channel is done. A channel runs one run at a time (a call during its run waits for it, then
   * runs). Tests call it directly, for determinism.
   */
  async runOnce (): Promise<RunReport> {
    const reports = await Promise.all(this.#lanes.map(async (lane) => await this.#run(lane)))
    return reports.reduce((a, b) => ({ queued: a.queued + b.queued, sent: a.sent + b.sent, retrying: a.retrying + b.retrying, failed: a.failed + b.failed }),
      { queued: 0, sent: 0, retrying: 0, failed: 0 })
  }

  /** The timer's run: each channel not already running runs; errors logged, never thrown. */
  tick (): void {
    for (const lane of this.#lanes) {
      if (lane.pending > 0) continue
      this.#run(lane).catch((err: unknown) => this.#d.log.error({ err, channel: lane.ch.name }, 'delivery run failed'))
    }
  }

  /** Waits for the runs in progress (a hanging send ends with its channel's timeouts), then closes the channels. */
  async close (): Promise<void> {
    this.#stopping = true
    await Promise.all(this.#lanes.map(async (lane) => await lane.chain))
    for (const ch of this.#d.channels) await ch.close()
  }

  /** Chains one run of the channel after its previous one. */
  #run (lane: Lane): Promise<RunReport> {
    lane.pending++
    const run = lane.chain.then(async () => await this.#runChannel(lane.ch)).finally(() => { lane.pending-- })
    lane.chain = run.catch(() => {})
    return run
  }

  async #runChannel (ch: DeliveryChannel): Promise<RunReport> {
    const report: RunReport = { ...await this.#enqueue(ch), sent: 0, retrying: 0 }
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const now = this.#d.clock.now()
      const due = await claimDue(this.#d.db, ch.name, now, new Date(now.getTime() + CLAIM_LEASE_MS), SEND_BATCH)
      if (due.length === 0) break
      for (const [i, d] of due.entries()) {
        // Stopping (a drain): the send under way ends, the claims not yet tried are given back.
        if (this.#stopping) { await releaseClaims(this.#d.db, due.slice(i)); return report }
        report[await this.#attempt(ch, d)]++
      }
    }
    return report
  }

  /**
   * Turns the events after the channel's cursor into deliveries, batch by batch. `failed`
   * counts those the channel refused to build (recorded as given up at once).
   *
   * No event can commit late below the cursor: appendEvent (slots/event-log.ts) takes each seq
   * from the `events_counter` row, whose lock its transaction holds until it commits, so seq n+1
   * is handed out only after seq n committed (or rolled back, freeing n again). An event this
   * transaction sees therefore has every lower seq visible too; higher ones are read next run.
   */
  async #enqueue (ch: DeliveryChannel): Promise<{ queued: number, failed: number }> {
    let queued = 0
    let failed = 0
    for (;;) {
      const read = await this.#d.db.transaction().execute(async (trx) => {
        const cursor = await lockCursor(trx, ch.name)
        /* c8 ignore next */
        if (cursor === undefined) return 0
        const events = await eventsAfter(trx, cursor, EVENT_BATCH)
        const now = this.#d.clock.now()
        const isStale = (ev: { at: string }): boolean => now.getTime() - Date.parse(ev.at) >= RETRY_POLICY.giveUpAfterMs
        const stale = events.filter(isStale)
        if (stale.length > 0) this.#d.log.warn({ channel: ch.name, events: stale.length, fromSeq: stale[0]?.seq }, 'events older than the retry horizon passed over (channel switched off meanwhile)')
        for (const ev of events) {
          if (isStale(ev)) continue
          const change = await loadBookingChange(trx, ev)
          if (change === undefined) continue
          const d = { channel: ch.name, eventSeq: ev.seq, bookingId: change.booking.id, kind: change.kind, now }
          let payload: unknown
          try {
            payload = ch.build(change)
          } catch (err) {
            if (err instanceof DeliveryError && !err.retry) {
              // It can never be sent: kept as given up, so that the queue shows why.
              if (await insertDelivery(trx, { ...d, payload: null, refused: errorText(err) })) {
                failed++
                this.#d.log.error({ channel: ch.name, eventSeq: ev.seq, bookingId: d.bookingId, kind: d.kind, attempts: 0, error: errorText(err) }, 'delivery given up')
              }
              continue
            }
            // One event that cannot be turned into a message must not stop the channel for good.
            this.#d.log.error({ channel: ch.name, eventSeq: ev.seq, bookingId: change.booking.id, error: errorText(err) }, 'delivery not queued: could not build it')
            continue
          }
          if (payload === null) continue
          if (await insertDelivery(trx, { ...d, payload })) queued++
        }
        const last = events.at(-1)
        if (last !== undefined) await saveCursor(trx, ch.name, last.seq, now)
        return events.length
      })
      if (read < EVENT_BATCH) return { queued, failed }
    }
  }

  async #attempt (ch: DeliveryChannel, d: DeliveryRow): Promise<'sent' | 'retrying' | 'failed'> {
    const attempts = d.attempts + 1
    const where = { channel: ch.name, deliveryId: d.id, bookingId: d.booking_id, kind: d.kind, attempts }
    let outcome: 'sent' | 'retrying' | 'failed'
    let own: boolean
    let failure: { err: unknown } | null = null
    try {
      await ch.send(JSON.parse(d.payload))
    } catch (err) {
      failure = { err }
    }
    // Recorded outside the try: a failure to record a sent delivery is not a failed send (that would send it again).
    if (failure === null) {
      outcome = 'sent'
      own = await markSent(this.#d.db, d, attempts, this.#d.clock.now())
      this.#d.log.info(where, 'delivery sent')
    } else {
      const message = errorText(failure.err)
      const now = this.#d.clock.now()
      const retryAt = failure.err instanceof DeliveryError && !failure.err.retry ? null : nextAttemptAt(new Date(d.created_at), now, attempts)
      if (retryAt === null) {
        outcome = 'failed'
        own = await markFailed(this.#d.db, d, attempts, now, message)
        this.#d.log.error({ ...where, error: message }, 'delivery given up')
      } else {
        outcome = 'retrying'
        own = await markRetry(this.#d.db, d, attempts, retryAt, message)
        this.#d.log.warn({ ...where, error: message, retryAt: retryAt.toISOString() }, 'delivery failed, will retry')
      }
    }
    // Only after a send that outlasted the lease: another worker has claimed it meanwhile, and
    // its outcome stands.
    if (!own) this.#d.log.warn(where, 'delivery claim ran out before its outcome was written')
    return outcome
  }
}

function errorText (err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.length > MAX_ERROR_CHARS ? text.slice(0, MAX_ERROR_CHARS) + '…' : text
}
