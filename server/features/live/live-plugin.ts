import fp from 'fastify-plugin'
import { LiveCredentials } from './live-credentials.js'

declare module 'fastify' {
  interface FastifyInstance {
    liveCredentials: LiveCredentials
  }
}

/**
 * Keeps open sockets honest: a credential that ends (here or on another instance, by expiry or
 * in the database) closes its sockets within `LIVE_AUTH_CHECK_MS`, and at once when it ends
 * through this server (sign-out, token revocation).
 */
export default fp(async (app) => {
  const credentials = new LiveCredentials(app.db, app.clock, () => app.liveHub.clients)
  app.decorate('liveCredentials', credentials)
  const sweep = (): void => {
    credentials.sweep().catch((err: unknown) => app.log.error({ err }, 'live credential sweep failed'))
  }
  app.onCredentialEnded(sweep)
  const timer = setInterval(sweep, app.config.liveAuthCheckMs)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
}, { name: 'live', dependencies: ['context', 'auth', 'slots'] })
