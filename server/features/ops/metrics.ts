import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { poolOf } from '../../../db/postgres.js'

/**
 * Prometheus metrics (README "Operating Créneaux"). Labels are route patterns, statuses, roles,
 * channels and outcomes: never a URL as sent, a patient field or an account name.
 */
export function createMetrics (app: FastifyInstance): Registry {
  const register = new Registry()
  collectDefaultMetrics({ register, prefix: 'creneaux_' })
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

  const http = new Histogram({
    name: 'creneaux_http_request_duration_seconds', help: 'HTTP requests by route pattern, method and status', labelNames: ['method', 'route', 'status'], buckets: seconds, registers: [register]
  })
  const reports = new Histogram({ name: 'creneaux_report_duration_seconds', help: 'Season and board reports answered', labelNames: ['report'], buckets: seconds, registers: [register] })
  const imports = new Histogram({ name: 'creneaux_import_duration_seconds', help: 'Season imports (CSV), by status', labelNames: ['status'], buckets: [...seconds, 60, 120, 300], registers: [register] })
  app.addHook('onResponse', async (request, reply) => {
    // The pattern (`/api/slots/:id/booking`), never the URL: no identifier, no feed secret, bounded cardinality.
    const route = request.routeOptions.url ?? 'unmatched'
    const s = reply.elapsedTime / 1000
    http.observe({ method: request.method, route, status: String(reply.statusCode) }, s)
    if (route.startsWith('/api/reports/')) reports.observe({ report: route.slice('/api/reports/'.length) }, s)
    if (route === '/api/import/season') imports.observe({ status: String(reply.statusCode) }, s)
  })

  new Gauge({
    name: 'creneaux_live_sockets', help: 'Open /api/live sockets by role', labelNames: ['role'], registers: [register],
    collect () {
      this.reset()
      for (const c of app.liveHub.clients) this.inc({ role: c.role })
    }
  })
  const sent = new Counter({ name: 'creneaux_live_events_sent_total', help: 'Events sent on live sockets (one per socket written)', registers: [register] })
  const published = new Counter({ name: 'creneaux_live_events_total', help: 'Events broadcast by this instance', registers: [register] })
  const lag = new Histogram({
    name: 'creneaux_live_commit_to_write_seconds', help: 'From a commit heard (this instance\'s, or a NOTIFY) to its first write on the sockets', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [register]
  })
  app.liveHub.observer = (sockets, lagMs) => {
    published.inc()
    if (sockets > 0) sent.inc(sockets)
    if (lagMs !== null) lag.observe(lagMs / 1000)
  }

  const bookings = new Counter({ name: 'creneaux_bookings_total', help: 'Booking changes committed by this instance, by outcome', labelNames: ['outcome'], registers: [register] })
  const OUTCOME: Record<string, string> = { 'slot.booked': 'booked', 'booking.cancelled': 'cancelled', 'booking.outcome': 'outcome_recorded' }
  const unsubscribe = app.slots.unitOfWork.onCommit((events) => {
    for (const ev of events) { const o = OUTCOME[ev.type]; if (o !== undefined) bookings.inc({ outcome: o }) }
  })

  new Gauge({
    name: 'creneaux_holds_active', help: 'Slots held now (holds not run out)', registers: [register],
    async collect () {
      const r = await app.db.selectFrom('slots').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'held').where('hold_expires_at', '>', app.clock.now().toISOString()).executeTakeFirst()
      this.set(Number(r?.n ?? 0))
    }
  })
  // Each gauge reads its own figures in its collect: prom-client collects the metrics of one
  // scrape at once, so a gauge filled from another's collect would show the previous scrape's.
  const pending = () => app.db.selectFrom('deliveries').where('sent_at', 'is', null).where('failed_at', 'is', null).groupBy('channel')
  new Gauge({
    name: 'creneaux_delivery_queue_depth', help: 'Deliveries not yet sent nor given up, by channel', labelNames: ['channel'], registers: [register],
    async collect () {
      const rows = await pending().select((eb) => ['channel', eb.fn.countAll<number>().as('n')]).execute()
      this.reset()
      for (const p of rows) this.set({ channel: p.channel }, Number(p.n))
    }
  })
  new Gauge({
    name: 'creneaux_delivery_queue_oldest_seconds', help: 'Age of the oldest delivery not yet sent nor given up, by channel', labelNames: ['channel'], registers: [register],
    async collect () {
      const rows = await pending().select((eb) => ['channel', eb.fn.min<string>('created_at').as('oldest')]).execute()
      const now = app.clock.now().getTime()
      this.reset()
      for (const p of rows) this.set({ channel: p.channel }, Math.max(0, (now - Date.parse(p.oldest)) / 1000))
    }
  })
  new Gauge({
    name: 'creneaux_delivery_failures', help: 'Deliveries given up (never sent), by channel', labelNames: ['channel'], registers: [register],
    async collect () {
      const failed = await app.db.selectFrom('deliveries').select((eb) => ['channel', eb.fn.countAll<number>().as('n')])
        .where('failed_at', 'is not', null).groupBy('channel').execute()
      this.reset()
      for (const f of failed) this.set({ channel: f.channel }, Number(f.n))
    }
  })

  const pool = poolOf(app.db)
  if (pool !== undefined) {
    new Gauge({
      name: 'creneaux_db_pool_connections', help: 'PostgreSQL pool connections: in use, idle, requests waiting for one', labelNames: ['state'], registers: [register],
      collect () {
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount)
        this.set({ state: 'idle' }, pool.idleCount)
        this.set({ state: 'waiting' }, pool.waitingCount)
      }
    })
  }

  // The default metrics have the event loop's lag; this is its delay over the last scrape interval, p99 and max.
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  new Gauge({
    name: 'creneaux_event_loop_delay_seconds', help: 'Event-loop delay since the previous scrape', labelNames: ['quantile'], registers: [register],
    collect () {
      this.set({ quantile: '0.99' }, loop.percentile(99) / 1e9)
      this.set({ quantile: 'max' }, loop.max / 1e9)
      loop.reset()
    }
  })

  app.addHook('onClose', async () => {
    loop.disable()
    unsubscribe()
    app.liveHub.observer = null
  })
  return register
}
