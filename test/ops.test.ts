// Issue 26: health probes for a load balancer, Prometheus metrics read back by a text-format
// parser (never an identifier, a patient field or an account name in a label), and the drain's
// first steps in one process (the rolling restart of real processes: multi-instance-rolling-restart.test.ts).
import t from 'tap'
import { sql } from 'kysely'
import { LIVE_CLOSE } from '../shared/schemas/live.js'
import { build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { publishSlot, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'
import { histogramCount, parsePrometheus, sample } from './helpers/prometheus.js'

const TOKEN = 'metrics-secret-0123456789'
const PATIENT = { lastName: 'Zébulon', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }

t.test('health: live, ready, and which check fails', async (t) => {
  const { app, db } = await build(t)
  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json().failed, [])
  t.equal(ready.json().checks.database, 'ok')
  t.equal(ready.json().checks.migrations, 'ok')
  if (TEST_ENGINE === 'postgres') t.equal(ready.json().checks.listen, 'ok', 'PostgreSQL: the LISTEN connection is checked')
  t.notOk(ready.headers['set-cookie'], 'no session, no data')

  // A newer server migrated the database: this one's code is behind.
  await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(db)
  const behind = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(behind.statusCode, 503)
  t.same(behind.json().failed, ['migrations'])
  t.match(behind.json().checks.migrations, /9999_from_the_future/)
  await sql`DELETE FROM kysely_migration WHERE name = '9999_from_the_future'`.execute(db)

  if (app.liveFanout !== null) {
    await app.liveFanout.close()
    const deaf = await app.inject({ method: 'GET', url: '/health/ready' })
    t.equal(deaf.statusCode, 503)
    t.same(deaf.json().failed, ['listen'])
  }
})

t.test('metrics: behind METRICS_TOKEN, parsed back, labels without identifiers, names or patient fields', async (t) => {
  const { app } = await build(t, { METRICS_TOKEN: TOKEN })
  const anonymous = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(anonymous.statusCode, 401, 'no token: refused')
  t.match(anonymous.json(), { statusCode: 401, error: 'Unauthorized', code: 'UNAUTHENTICATED' }, 'in the app\'s error shape')
  t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-secret-0123456789' } })).statusCode, 401)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const other = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T13:00:00+02:00', '2026-06-02T13:15:00+02:00')
  const live = await openLive(app, terr.users.regulator.cookie)
  await live.waitFor((f) => f.type === 'snapshot')
  const booked = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: { patient: PATIENT, hasTreatingGp: 'no', reason: 'Fièvre' } })
  t.equal(booked.statusCode, 201)
  await live.waitFor((f) => f.event === 'slot.booked')
  const held = await live.command({ type: 'hold', slotId: other.id })
  t.ok(held.ok)
  await live.waitFor((f) => f.event === 'slot.held')
  await app.inject({ method: 'GET', url: `/api/slots/${slot.id}`, headers: { cookie: terr.users.regulator.cookie } })

  const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  const text = res.body
  const m = parsePrometheus(text)
  t.equal(m.get('creneaux_http_request_duration_seconds')?.type, 'HISTOGRAM')
  t.equal(histogramCount(text, 'creneaux_http_request_duration_seconds', { route: '/api/slots/:id/booking', method: 'POST', status: '201' }), 1, 'request durations by route pattern and status')
  t.equal(sample(m, 'creneaux_live_sockets', { role: 'regulator' }), 1, 'open sockets by role')
  t.ok((sample(m, 'creneaux_live_events_sent_total') ?? 0) >= 2, 'events sent', { got: text.split('\n').filter((l) => l.startsWith('creneaux_live')) })
  t.ok((sample(m, 'creneaux_live_commit_to_write_seconds') ?? 0) >= 2, 'commit → first-write lag observed (its count)')
  t.equal(sample(m, 'creneaux_holds_active'), 1, 'active holds')
  t.equal(sample(m, 'creneaux_bookings_total', { outcome: 'booked' }), 1, 'bookings by outcome')
  t.ok(m.has('creneaux_delivery_queue_depth') && m.has('creneaux_delivery_failures') && m.has('creneaux_delivery_queue_oldest_seconds'), 'the delivery queue')
  t.ok(m.has('creneaux_report_duration_seconds') && m.has('creneaux_import_duration_seconds'), 'report and import durations')
  t.ok(m.has('creneaux_event_loop_delay_seconds') && m.has('creneaux_nodejs_eventloop_lag_seconds'), 'event-loop delay')
  if (TEST_ENGINE === 'postgres') t.ok(sample(m, 'creneaux_db_pool_connections', { state: 'idle' }) !== undefined, 'PostgreSQL: the pool')
  // Labels are patterns and codes: no slot id, no account, no patient.
  for (const needle of [slot.id, other.id, terr.users.regulator.id, 'Dr regulator', 'regulator@cpts.test', 'Zébulon', 'Fièvre', terr.cpts[0]!.name]) {
    t.notOk(text.includes(needle), `no ${needle} in the metrics`)
  }
  live.close()
})

t.test('metrics are off without METRICS_TOKEN or METRICS_PORT', async (t) => {
  const { app } = await build(t)
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
  t.equal(app.metrics, null)
})

t.test('drain: readiness false at once; after the grace, 503 to new requests and sockets, open sockets told to reconnect', async (t) => {
  const { app } = await build(t, { DRAIN_GRACE_MS: '300' })
  const terr = await territory(app)
  const live = await openLive(app, terr.users.regulator.cookie)
  await live.waitFor((f) => f.type === 'snapshot')
  const drained = app.beginDrain()
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503, 'not ready at once')
  t.same(ready.json().failed, ['draining'])
  t.equal((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: terr.users.gp.cookie } })).statusCode, 200, 'requests still served during the grace')
  await drained
  t.equal(await live.closed, LIVE_CLOSE.draining, 'the open socket is closed with the drain code')
  const refused = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: terr.users.gp.cookie } })
  t.equal(refused.statusCode, 503)
  t.match(refused.json(), { statusCode: 503, error: 'Service Unavailable', code: 'DRAINING' }, 'the app\'s error shape')
  t.equal(refused.headers.connection, 'close')
  t.equal(refused.headers['retry-after'], '1')
  await t.rejects(openLive(app, terr.users.regulator.cookie), 'a new socket is refused')
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'the probes still answer')
})
