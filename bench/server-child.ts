// The Créneaux server of the live benchmark, in a process of its own so that its memory and
// its event loop are its own. Two steps, each its own process, on the folder BENCH_DATA_DIR:
//  - BENCH_STEP=setup: migrates a fresh SQLite file, creates the accounts and publishes the
//    slots through the API (app.inject), sends the credentials and slot ids, exits. Creating
//    60 accounts runs scrypt 60 times; doing it here keeps that out of the server's memory.
//  - BENCH_STEP=serve: the server as after a restart: opens the file, listens on loopback,
//    sends its port; answers "memory", "cpu" and "profile"; "stop" closes it.
// With BENCH_DATABASE_URL (a PostgreSQL URL, its search_path on a schema of the benchmark's own),
// both steps use that database instead of the SQLite file: several servers may serve it at once.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { writeHeapSnapshot } from 'node:v8'
import type { FastifyInstance } from 'fastify'
import { DateTime } from 'luxon'
import { openSqlite } from '../db/connection.js'
import { openDatabase } from '../db/open.js'
import { migrateToLatest } from '../db/migrate.js'
import { buildApp } from '../server/app.js'
import { bootstrapAdmin } from '../server/bootstrap.js'
import { systemClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { createToken, type AuthUser } from '../server/features/session/session-service.js'
import { withRppsKey } from '../shared/rpps.js'
import { BENCH_PASSWORD, memoryReport, toParent, type Credential, type ParentMessage } from './lib.js'

const STEP = process.env.BENCH_STEP ?? 'serve'
const DATA_DIR = process.env.BENCH_DATA_DIR ?? ''
const GPS = Number(process.env.BENCH_GPS ?? 10)
const REGULATORS = Number(process.env.BENCH_REGULATORS ?? 50)
const DAYS = Number(process.env.BENCH_DAYS ?? 5)
const SLOTS_PER_DAY = 48 // the most a series publishes per day: 08:00 to 16:00, 10 minutes each
const ADMIN = { email: 'admin@bench.test', password: 'bench-admin-password' }

const t0 = performance.now()
if (DATA_DIR === '') {
  toParent({ type: 'error', message: 'BENCH_DATA_DIR is not set' })
  process.exit(1)
}
// Holds last longer than the run, so that none expires between a hold and its booking.
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? ''
const config = loadConfig({ DATA_DIR, ...(DATABASE_URL === '' ? {} : { DATABASE_URL }), HOST: '127.0.0.1', PORT: '0', HOLD_SECONDS: '1800', LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT: '100000', LOGIN_ADDRESS_RATE_LIMIT: '100000',
  // 550 sockets from one address, 50 on each GP account: the limits for hostile clients do not apply here.
  MAX_CONNECTIONS_PER_ADDRESS: '0', LIVE_MAX_SOCKETS_PER_ACCOUNT: '10000', LIVE_COMMANDS_PER_SECOND: '10000',
  // BENCH_METRICS=1: the same run with the Prometheus metrics on (README "Operating Créneaux").
  ...(process.env.BENCH_METRICS === '1' ? { METRICS_TOKEN: 'bench-metrics-token-0123456789' } : {}) })
// BENCH_STATEMENT_CACHE=0: SQLite statements prepared at each query, as before issue 23 (db/statement-cache.ts).
const statementCache = process.env.BENCH_STATEMENT_CACHE
const db = statementCache === undefined || DATABASE_URL !== '' ? openDatabase(config) : openSqlite(config.dbFile, { statementCache: Number(statementCache) })
let app: FastifyInstance | undefined

async function call (method: 'POST' | 'GET', url: string, auth: Record<string, string>, payload?: object): Promise<any> {
  const res = await app!.inject({ method, url, headers: auth, ...(payload !== undefined ? { payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 500)}`)
  return res.json()
}

async function signIn (email: string, password: string): Promise<string> {
  const res = await app!.inject({ method: 'POST', url: '/api/session', payload: { email, password } })
  const sid = res.cookies.find((c) => c.name === 'sid')
  if (res.statusCode !== 200 || sid === undefined) throw new Error(`sign-in of ${email}: ${res.statusCode} ${res.body}`)
  return `sid=${sid.value}`
}

async function setup (): Promise<{ regulators: Credential[], listeners: Credential[], slotIds: string[] }> {
  await bootstrapAdmin(db, { adminEmail: ADMIN.email, adminPassword: ADMIN.password }, systemClock.now())
  const admin = { cookie: await signIn(ADMIN.email, ADMIN.password) }
  const cpts = await call('POST', '/api/cpts', admin, { name: 'CPTS Banc d\'essai', timezone: 'Europe/Paris' })
  const createUser = (email: string, name: string, extra: object): Promise<any> =>
    call('POST', '/api/users', admin, { email, name, password: BENCH_PASSWORD, ...extra })

  // Accounts are created and signed in in parallel: scrypt runs on libuv's threads.
  const gps = await Promise.all(Array.from({ length: GPS }, async (_, i) => {
    const email = `gp${i}@bench.test`
    await createUser(email, `Dr Généraliste ${i}`, {
      role: 'practitioner',
      cptsId: cpts.id,
      practitioner: {
        rpps: withRppsKey(String(1000000000 + i)), profession: 'gp', address: `${i + 1} rue de la Plage`,
        postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 ' + String(i % 100).padStart(2, '0')
      }
    })
    const cookie = await signIn(email, BENCH_PASSWORD)
    const { token } = await call('POST', '/api/tokens', { cookie }, { label: 'bench' })
    return { cookie, token: token as string }
  }))
  // Regulation software uses tokens; they are made by the service behind POST /api/tokens,
  // which spares 50 sign-ins (scrypt) on a 2-core machine.
  const regulators = await Promise.all(Array.from({ length: REGULATORS }, async (_, i) => {
    const { user } = await createUser(`regulator${i}@bench.test`, `Régulateur ${i}`, { role: 'regulator' })
    const authUser: AuthUser = { id: user.id, email: user.email, name: user.name, role: user.role, cptsId: null, via: 'session', credential: { kind: 'session', hash: '' } }
    const { token } = await createToken(db, authUser, 'regulation software', systemClock.now(), '127.0.0.1')
    return { token }
  }))

  // Slots from tomorrow (Paris), every day, 48 slots of 10 minutes a day for each GP.
  const from = DateTime.now().setZone('Europe/Paris').plus({ days: 1 })
  const slotIds: string[] = []
  for (const gp of gps) {
    const series = await call('POST', '/api/slots/series', { cookie: gp.cookie }, {
      from: from.toISODate(), to: from.plus({ days: DAYS - 1 }).toISODate(), weekdays: [1, 2, 3, 4, 5, 6, 7],
      startTime: '08:00', slotMinutes: 10, count: SLOTS_PER_DAY, kind: 'snp', mode: 'office'
    })
    for (const s of series.created as Array<{ id: string }>) slotIds.push(s.id)
  }
  // Listeners are practitioners' pages and tools: half sign in with the cookie, half with a token.
  const listeners: Credential[] = gps.flatMap((gp) => [{ cookie: gp.cookie }, { token: gp.token }])
  return { regulators, listeners, slotIds }
}

// Optional CPU profile of the measured phase, for looking into the server's costs
// (BENCH_CPU_PROFILE=/tmp/live.cpuprofile; open it in Chrome DevTools or speedscope).
const inspector = new Session()
async function profile (on: boolean): Promise<void> {
  const file = process.env.BENCH_CPU_PROFILE
  if (file === undefined || file === '') return
  const post = (method: string): Promise<any> => new Promise((resolve, reject) => {
    inspector.post(method, (err, result) => { if (err !== null) reject(err); else resolve(result) })
  })
  if (on) {
    inspector.connect()
    await post('Profiler.enable')
    await post('Profiler.start')
  } else {
    const { profile } = await post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    inspector.disconnect()
  }
}

// Optional sampling heap profile (BENCH_HEAP_PROFILE=/tmp/x.heapprofile; Chrome DevTools opens it).
async function heapProfile (on: boolean): Promise<void> {
  const file = process.env.BENCH_HEAP_PROFILE
  if (file === undefined || file === '') return
  const post = (method: string, params?: object): Promise<any> => new Promise((resolve, reject) => {
    inspector.post(method, params, (err, result) => { if (err !== null) reject(err); else resolve(result) })
  })
  if (on) {
    inspector.connect()
    await post('HeapProfiler.enable')
    await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  } else {
    const { profile } = await post('HeapProfiler.stopSampling')
    writeFileSync(file, JSON.stringify(profile))
    inspector.disconnect()
  }
}

async function stop (code: number): Promise<never> {
  try {
    await app?.close()
    await db.destroy()
  } finally {
    process.exit(code)
  }
}

try {
  await migrateToLatest(db)
  app = await buildApp({ config, db, clock: systemClock, logger: false })
  if (STEP === 'setup') {
    await app.ready()
    const made = await setup()
    toParent({ type: 'setup', ...made, setupMs: performance.now() - t0 })
    await stop(0)
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  // Commit → write of every event (the hub's observer, unless the metrics took it).
  let lags: number[] = []
  if (app.liveHub.observer === null) app.liveHub.observer = (_sockets, lagMs) => { if (lagMs !== null) lags.push(lagMs) }
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'lag') { toParent({ type: 'lag', lags }); lags = [] }
    if (m.type === 'memory') toParent({ type: 'memory', report: memoryReport(app!.liveHub.clients.size) })
    if (m.type === 'cpu') toParent({ type: 'cpu', usage: process.cpuUsage() })
    if (m.type === 'profile') void profile(m.on)
    if (m.type === 'heapProfile') void heapProfile(m.on)
    if (m.type === 'heapSnapshot' && (process.env.BENCH_HEAP_SNAPSHOT ?? '') !== '') writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT)
    if (m.type === 'stop') void stop(0)
  })
  process.on('disconnect', () => { void stop(0) })
  toParent({ type: 'ready', port: address.port })
} catch (err) {
  toParent({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) })
  await stop(1)
}
