import fp from 'fastify-plugin'
import { LiveCredentials } from './live-credentials.js'
import { LiveHub } from './live-hub.js'

declare module 'fastify' {
  interface FastifyInstance {
    liveHub: LiveHub
    liveCredentials: LiveCredentials
  }
}

/**
 * The live hub, fed by the slot service's commits, and what keeps its open sockets honest: a
 * credential that ends (here or on another instance, by expiry or in the database) closes its
 * sockets within `LIVE_AUTH_CHECK_MS`, and at once when it ends through this server (sign-out,
 * token revocation).
 */
export default fp(async (app) => {
  const hub = new LiveHub(app.db, app.clock)
  await hub.start()
  app.decorate('liveHub', hub)
  const unsubscribe = app.slots.onCommit((events) => { hub.publish(events) })

  const credentials = new LiveCredentials(app.db, app.clock, () => hub.clients)
  app.decorate('liveCredentials', credentials)
  const sweep = (): void => {
    credentials.sweep().catch((err: unknown) => app.log.error({ err }, 'live credential sweep failed'))
  }
  app.onCredentialEnded(sweep)
  const timer = setInterval(sweep, app.config.liveAuthCheckMs)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    unsubscribe()
    for (const c of hub.clients) c.socket.terminate()
  })
}, { name: 'live', dependencies: ['context', 'auth', 'slots'] })
