import fp from 'fastify-plugin'
import { LiveHub } from '../live/live-hub.js'
import { SlotService } from './slot-service.js'
import { DEFAULT_LIMITS } from './slot-times.js'

declare module 'fastify' {
  interface FastifyInstance {
    slots: SlotService
    liveHub: LiveHub
  }
}

/**
 * The slot state machine and the live hub it feeds, shared by the HTTP routes and the
 * websocket; plus the sweeper that releases expired holds with no request needed.
 */
export default fp(async (app) => {
  const hub = new LiveHub(app.db, app.clock)
  await hub.start()
  const service = new SlotService({
    db: app.db,
    clock: app.clock,
    holdSeconds: app.config.holdSeconds,
    limits: { ...DEFAULT_LIMITS, maxDaysAhead: app.config.publishMaxDaysAhead },
    // On the next turn of the event loop: the reply to whoever made the change goes out first,
    // then the 500-odd sends of its event (FIFO, so seq order is kept).
    onCommit: (events) => { setImmediate(() => hub.publish(events)) }
  })
  app.decorate('liveHub', hub)
  app.decorate('slots', service)

  let sweeping = false
  const timer = setInterval(() => {
    if (sweeping) return
    sweeping = true
    service.expireHolds().catch((err: unknown) => app.log.error({ err }, 'hold sweeper failed')).finally(() => { sweeping = false })
  }, app.config.holdSweepMs)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    for (const c of hub.clients) c.socket.terminate()
  })
}, { name: 'slots', dependencies: ['context'] })
