import { timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { AppError } from '../../errors.js'
import { closeLiveSockets, DrainState } from './drain.js'
import { readiness } from './health.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Prometheus metrics, or null when neither METRICS_TOKEN nor METRICS_PORT is set. */
    metrics: Registry | null
    drainState: DrainState
    /**
     * SIGTERM (README "Operating Créneaux"): readiness false at once; after DRAIN_GRACE_MS new
     * requests and sockets get 503 and the open sockets are closed with LIVE_CLOSE.draining; the
     * caller then closes the app (in-flight requests finish, the hold sweeper and the delivery
     * worker stop and give back their claims).
     */
    beginDrain: () => Promise<void>
  }
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export default fp(async (app) => {
  const state = new DrainState()
  app.decorate('drainState', state)
  // prom-client is loaded only when the metrics are on (~10 MB of the process's memory otherwise idle).
  const metrics = app.config.metricsToken !== null || app.config.metricsPort !== null ? (await import('./metrics.js')).createMetrics(app) : null
  app.decorate('metrics', metrics)

  app.decorate('beginDrain', async () => {
    if (state.draining) return
    state.draining = true
    app.log.info(`drain: not ready; refusing new requests in ${app.config.drainGraceMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, app.config.drainGraceMs))
    state.refusing = true
    await closeLiveSockets(app.liveHub.clients, app.config.requestTimeoutMs)
    app.log.info('drain: live sockets closed')
  })

  app.addHook('onRequest', async (request, reply) => {
    if (!state.refusing || request.url.startsWith('/health/')) return
    // `Connection: close`: a keep-alive client opens its next connection elsewhere. The body is
    // the error handler's (server/plugins/errors.ts), as for every refusal.
    reply.header('connection', 'close').header('retry-after', '1')
    throw new AppError('DRAINING', 'This instance is shutting down: try again (another instance answers)')
  })

  // Probes: no authentication, no data, no log line per call (a load balancer asks every second).
  app.get('/health/live', { logLevel: 'warn', schema: { hide: true } }, async () => ({ status: 'live' }))
  app.get('/health/ready', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
    const r = await readiness(app.db, { listening: app.liveFanout === null ? null : app.liveFanout.listening, draining: state.draining })
    return await reply.status(r.failed.length === 0 ? 200 : 503).send(r)
  })

  const token = app.config.metricsToken
  if (metrics !== null && token !== null) {
    app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (request, reply) => {
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? ''
      if (!sameSecret(given, token)) throw new AppError('UNAUTHENTICATED', 'metrics need Authorization: Bearer <METRICS_TOKEN>')
      return await reply.type(metrics.contentType).send(await metrics.metrics())
    })
  }
}, { name: 'ops', dependencies: ['context', 'slots', 'live', 'deliveries'] })
