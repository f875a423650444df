import fp from 'fastify-plugin'
import { SlotService } from './slot-service.js'
import { DEFAULT_LIMITS } from './slot-times.js'

declare module 'fastify' {
  interface FastifyInstance {
    slots: SlotService
  }
}

/**
 * The slot state machine, shared by the HTTP routes and the websocket (the live plugin
 * subscribes to its commits); plus the sweeper that releases expired holds with no request needed.
 */
export default fp(async (app) => {
  const service = new SlotService({
    db: app.db,
    clock: app.clock,
    holdSeconds: app.config.holdSeconds,
    limits: { ...DEFAULT_LIMITS, maxDaysAhead: app.config.publishMaxDaysAhead }
  })
  app.decorate('slots', service)

  let sweeping: Promise<void> | null = null
  const timer = setInterval(() => {
    if (sweeping !== null) return
    sweeping = service.expireHolds().then(() => {}, (err: unknown) => app.log.error({ err }, 'hold sweeper failed')).finally(() => { sweeping = null })
  }, app.config.holdSweepMs)
  timer.unref()
  // A sweep under way finishes (its rows, taken FOR UPDATE SKIP LOCKED, are let go at its commit) before the pool closes.
  app.addHook('onClose', async () => { clearInterval(timer); await sweeping })
}, { name: 'slots', dependencies: ['context'] })
