import fp from 'fastify-plugin'
import { isPostgres } from '../../../db/dialect.js'
import { LiveCredentials } from './live-credentials.js'
import { LiveHub } from './live-hub.js'
import { PgFanout } from './pg-fanout.js'

declare module 'fastify' {
  interface FastifyInstance {
    liveHub: LiveHub
    liveCredentials: LiveCredentials
    /** PostgreSQL: the connection that hears the other instances' commits; null on SQLite. */
    liveFanout: PgFanout | null
  }
}

/**
 * The live hub, fed by the slots' commits (`app.slots.unitOfWork.onCommit`), and what keeps its open sockets honest: a
 * credential that ends (here or on another instance, by expiry or in the database) closes its
 * sockets within `LIVE_AUTH_CHECK_MS`, and at once when it ends through this server (sign-out,
 * token revocation). On PostgreSQL, several instances may share the database: each hears the
 * others' commits through LISTEN/NOTIFY (pg-fanout.ts) and reads them from the event log.
 */
export default fp(async (app) => {
  const hub = new LiveHub(app.db, app.clock)
  await hub.start()
  app.decorate('liveHub', hub)
  const unsubscribe = app.slots.unitOfWork.onCommit((events) => { hub.publish(events) })
  let fanout: PgFanout | null = null
  if (isPostgres(app.db)) {
    if (app.config.databaseUrl === null) {
      app.log.warn('live: PostgreSQL without DATABASE_URL: commits of other instances are not heard')
    } else {
      fanout = new PgFanout({ url: app.config.databaseUrl, db: app.db, hub, log: app.log })
      await fanout.start()
    }
  }
  app.decorate('liveFanout', fanout)

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
    await fanout?.close()
    hub.close()
    for (const c of hub.clients) c.socket.terminate()
  })
}, { name: 'live', dependencies: ['context', 'auth', 'slots'] })
