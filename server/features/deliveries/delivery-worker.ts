import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database, DeliveryRow } from '../../../db/types.js'
import type { Clock } from '../../clock.js'
import { eventsAfter, seqBounds } from '../slots/event-log.js'
import { loadBookingChange } from './booking-change.js'
import { DeliveryError, type DeliveryChannel } from './channel.js'
import { deleteCursor, dueDeliveries, insertDelivery, markFailed, markRetry, markSent, readCursor, saveCursor } from './delivery-repository.js'
import { nextAttemptAt } from './retry-policy.js'

export interface DeliveryWorkerDeps {
  db: Kysely<Database>
  clock: Clock
  log: FastifyBaseLogger
  /** The channels switched on by the settings. */
  channels: DeliveryChannel[]
  /** Channels known but switched off: their cursors are dropped (see start()). */
  offChannels: string[]
}

/** What one run did, summed over the channels. */
export interface RunReport { queued: number, sent: number, retrying: number, failed: number }

// Events read per enqueueing transaction: short enough not to hold up bookings behind it.
const EVENT_BATCH = 200
const SEND_BATCH = 50
// Passes over the due deliveries in one run: a booking's update becomes due once its creation is sent.
const MAX_PASSES = 10
const MAX_ERROR_CHARS = 500

/** One channel's runs, one after the other, and how many are going or waiting. */
interface Lane { ch: DeliveryChannel, chain: Promise<unknown>, pending: number }

/**
 * The delivery queue. The event log is the outbox: each channel turns the booking events after
 * its cursor into `deliveries` rows, in the transaction that moves the cursor (nothing queued
 * twice, nothing lost over a restart), then sends what is due, retrying with backoff. It runs
 * beside requests, never inside them: a send that fails or hangs never touches a booking.
 * Each channel runs in its own lane: a mail server that hangs holds up the mails, never the
 * appointments sent to the SAS.
 */
export class DeliveryWorker {
  readonly #d: DeliveryWorkerDeps
  readonly #lanes: Lane[]

  constructor (deps: DeliveryWorkerDeps) {
    this.#d = deps
    this.#lanes = deps.channels.map((ch) => ({ ch, chain: Promise.resolve(), pending: 0 }))
  }

  /** The names of the channels switched on. */
  get channels (): string[] { return this.#d.channels.map((c) => c.name) }

  /**
   * A channel switched on for the first time (or again after being off) starts at the end of
   * the log: what happened while it was off is never sent, and nobody gets a flood of old mail.
   * A channel that stays on keeps its cursor across restarts and resumes where it stopped.
   */
  async start (): Promise<void> {
    for (const name of this.#d.offChannels) await deleteCursor(this.#d.db, name)
    const { max } = await seqBounds(this.#d.db)
    for (const ch of this.#d.channels) {
      if (await readCursor(this.#d.db, ch.name) === undefined) await saveCursor(this.#d.db, ch.name, max, this.#d.clock.now())
    }
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
      const due = await dueDeliveries(this.#d.db, ch.name, this.#d.clock.now(), SEND_BATCH)
      if (due.length === 0) break
      for (const d of due) report[await this.#attempt(ch, d)]++
    }
    return report
  }

  /**
   * Turns the events after the channel's cursor into deliveries, batch by batch. `failed`
   * counts those the channel refused to build (recorded as given up at once).
   */
  async #enqueue (ch: DeliveryChannel): Promise<{ queued: number, failed: number }> {
    let queued = 0
    let failed = 0
    for (;;) {
      const read = await this.#d.db.transaction().execute(async (trx) => {
        const cursor = await readCursor(trx, ch.name)
        /* c8 ignore next */
        if (cursor === undefined) return 0
        const events = await eventsAfter(trx, cursor, EVENT_BATCH)
        const now = this.#d.clock.now()
        for (const ev of events) {
          const change = await loadBookingChange(trx, ev, ch.name)
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
    try {
      await ch.send(JSON.parse(d.payload))
    } catch (err) {
      const message = errorText(err)
      const now = this.#d.clock.now()
      const retryAt = err instanceof DeliveryError && !err.retry ? null : nextAttemptAt(new Date(d.created_at), now, attempts)
      if (retryAt === null) {
        await markFailed(this.#d.db, d.id, attempts, now, message)
        this.#d.log.error({ ...where, error: message }, 'delivery given up')
        return 'failed'
      }
      await markRetry(this.#d.db, d.id, attempts, retryAt, message)
      this.#d.log.warn({ ...where, error: message, retryAt: retryAt.toISOString() }, 'delivery failed, will retry')
      return 'retrying'
    }
    await markSent(this.#d.db, d.id, attempts, this.#d.clock.now())
    this.#d.log.info(where, 'delivery sent')
    return 'sent'
  }
}

function errorText (err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.length > MAX_ERROR_CHARS ? text.slice(0, MAX_ERROR_CHARS) + '…' : text
}
