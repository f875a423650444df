import fp from 'fastify-plugin'
import { Bookings } from './bookings.js'
import { Holds } from './holds.js'
import { Publishing } from './publishing.js'
import { SlotReads } from './slot-reads.js'
import { DEFAULT_LIMITS } from './slot-times.js'
import { UnitOfWork } from './unit-of-work.js'

/**
 * The slot state machine (free → held → booked → (cancelled →) free, and withdrawn), by
 * concern. Every change is one conditional UPDATE (the database decides who wins a race),
 * written with its event (and audit entry) in one unit of work; sockets are told after the
 * commit (`unitOfWork.onCommit`). HTTP routes and websocket commands call the same functions.
 */
export interface Slots {
  publishing: Publishing
  holds: Holds
  bookings: Bookings
  reads: SlotReads
  unitOfWork: UnitOfWork
}

declare module 'fastify' {
  interface FastifyInstance {
    slots: Slots
  }
}

/**
 * The slots, shared by the HTTP routes and the websocket (the live plugin subscribes to the
 * unit of work's commits); plus the sweeper that releases expired holds with no request needed.
 */
export default fp(async (app) => {
  const { db, clock } = app
  const unitOfWork = new UnitOfWork({ db, clock })
  const holds = new Holds({ db, clock, unitOfWork, holdSeconds: app.config.holdSeconds })
  app.decorate('slots', {
    publishing: new Publishing({ db, clock, unitOfWork, limits: { ...DEFAULT_LIMITS, maxDaysAhead: app.config.publishMaxDaysAhead } }),
    holds,
    bookings: new Bookings({ db, clock, unitOfWork }),
    reads: new SlotReads({ db, clock }),
    unitOfWork
  })

  let sweeping: Promise<void> | null = null
  const timer = setInterval(() => {
    if (sweeping !== null) return
    sweeping = holds.expireHolds().then(() => {}, (err: unknown) => app.log.error({ err }, 'hold sweeper failed')).finally(() => { sweeping = null })
  }, app.config.holdSweepMs)
  timer.unref()
  // A sweep under way finishes (its rows, taken FOR UPDATE SKIP LOCKED, are let go at its commit) before the pool closes.
  app.addHook('onClose', async () => { clearInterval(timer); await sweeping })
}, { name: 'slots', dependencies: ['context'] })
