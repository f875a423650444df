// Issue 24: three real server processes on one PostgreSQL schema, regulators spread over them
// racing for a dozen slots in three local hours (so the season rollups' counter rows are shared
// both ways): holds and books over the websocket and HTTP, direct books, books with an
// idempotency key sent twice at once, cancel-then-rebook, moves, releases, and holds that lapse
// under the sweepers. Every refusal is a coded 4xx; no request gets a 500 (no deadlock, 40P01,
// reaches a user), the servers log none, and what the race leaves is consistent: one live booking
// a slot at most, the rollups equal to the slots they count, bookings of a slot in commit order
// by their instants too (a booking never starts before the previous one's cancellation), the
// audit chain whole.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import { DateTime } from 'luxon'
import { sql } from 'kysely'
import { openPostgres } from '../db/postgres.js'
import { verifyAuditChain } from '../server/features/audit/audit-chain.js'
import { ADMIN } from './helpers/build.js'
import { TEST_ENGINE, testStorage } from './helpers/database.js'
import { PASSWORD, practitionerProfile } from './helpers/fixtures.js'
import { openLiveAt, type LiveProbe } from './helpers/live.js'
import { http, must, startServerProcess, type ServerProcess } from './helpers/server-process.js'

const INSTANCES = 3
const REGULATORS = 12
const ATTEMPTS = Number(process.env.CONTENTION_ATTEMPTS ?? 10_000)
/** Slots per practitioner and local hour, over HOURS hours, for two practitioners. */
const PER_HOUR = 2
const HOURS = [8, 9, 10]

const signIn = async (base: string, email: string): Promise<string> =>
  (await must(base, 'POST', '/api/session', null, { email, password: email === ADMIN.email ? ADMIN.password : PASSWORD })).cookie as string

/** A small seeded generator (mulberry32): the same run of choices each time. */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6D2B79F5) | 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const patient = (n: number): Record<string, unknown> => ({ patient: { lastName: 'Martin', firstName: `Patient ${n}`, birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: n % 3 === 0 ? 'yes' : 'no' })

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: several server processes share the database (SQLite has one writer and takes no row locks)')
} else {
  // Ten thousand attempts and three servers' starts: well within tap's 300 s on an idle 2-core
  // machine, not always on one that runs other suites too.
  t.setTimeout(15 * 60_000)
  t.test(`${REGULATORS} regulators on ${INSTANCES} instances race for ${PER_HOUR * HOURS.length * 2} slots: ${ATTEMPTS} attempts, no server error`, async (t) => {
    const storage = await testStorage(t)
    const env = {
      ...storage.env as Record<string, string>,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOGIN_RATE_LIMIT: '1000',
      LOGIN_ADDRESS_RATE_LIMIT: '1000',
      MAX_CONNECTIONS_PER_ADDRESS: '0',
      LIVE_COMMANDS_PER_SECOND: '1000',
      LIVE_MAX_SOCKETS_PER_ACCOUNT: '100',
      // Holds lapse during the run, and the sweepers free them while regulators claim them.
      HOLD_SECONDS: '5',
      HOLD_SWEEP_MS: '200'
    }
    // The first migrates the schema; the others start once it has.
    const first = await startServerProcess(t, env)
    const servers: ServerProcess[] = [first, ...await Promise.all(Array.from({ length: INSTANCES - 1 }, async () => await startServerProcess(t, env)))]
    const db = openPostgres(storage.env.DATABASE_URL as string)
    t.teardown(() => db.destroy())

    // A CPTS, two GPs with slots over three local hours of one day, regulators signed in on their instance.
    const admin = await signIn(first.url, ADMIN.email)
    const cpts = (await must(first.url, 'POST', '/api/cpts', admin, { name: 'CPTS Côte de Lumière' })).json
    const day = DateTime.now().setZone('Europe/Paris').plus({ days: 3 }).startOf('day')
    const slotIds: string[] = []
    for (const n of [1, 2]) {
      const email = `gp${n}@cpts.test`
      await must(first.url, 'POST', '/api/users', admin, { email, name: `Dr Généraliste ${n}`, password: PASSWORD, role: 'practitioner', cptsId: cpts.id, practitioner: practitionerProfile(n) })
      const gp = await signIn(first.url, email)
      for (const hour of HOURS) {
        for (let k = 0; k < PER_HOUR; k++) {
          const start = day.set({ hour, minute: k * 20 })
          const res = await must(first.url, 'POST', '/api/slots', gp, { start: start.toISO(), end: start.plus({ minutes: 15 }).toISO(), kind: 'snp', mode: 'office' })
          slotIds.push(res.json.id as string)
        }
      }
    }
    // One at a time: each account and each sign-in hashes a password, which a loaded machine does slowly.
    const regulators: Array<{ r: number, server: ServerProcess, cookie: string, socket: LiveProbe }> = []
    for (let r = 0; r < REGULATORS; r++) {
      const email = `regulator${r}@cpts.test`
      await must(first.url, 'POST', '/api/users', admin, { email, name: `Régulateur ${r}`, password: PASSWORD, role: 'regulator' })
      const server = servers[r % INSTANCES]!
      const cookie = await signIn(server.url, email)
      regulators.push({ r, server, cookie, socket: await openLiveAt(server.url, cookie) })
    }
    const sockets: LiveProbe[] = regulators.map((g) => g.socket)
    t.teardown(() => { for (const s of sockets) s.close() })

    // What every attempt got: a success, a coded refusal (4xx with a code), or a failure.
    let attempts = 0
    const counts = new Map<string, number>()
    const failures: string[] = []
    const note = (how: string, status: number, code: unknown): void => {
      attempts++
      const key = status < 300 ? `${how} ok` : `${how} ${String(code)}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
      if (status >= 500 || (status >= 300 && (status >= 500 || typeof code !== 'string' || code === 'INTERNAL'))) failures.push(`${how}: ${status} ${String(code)}`)
    }
    /** Live bookings as the regulators know them (any regulator may cancel or move any of them). */
    const live = new Map<string, string>()
    const rand = random(24)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
    let serial = 0

    const byHttp = async (g: typeof regulators[number], how: string, method: string, path: string, body?: unknown): Promise<{ status: number, json: any }> => {
      try {
        const res = await http(g.server.url, method, path, g.cookie, body)
        note(how, res.status, res.json?.code)
        return res
      } catch (err) {
        note(how, 599, String(err).slice(0, 200))
        return { status: 599, json: undefined }
      }
    }
    const byWs = async (g: typeof regulators[number], how: string, msg: Record<string, unknown>): Promise<{ ok: boolean, result: any }> => {
      try {
        // As LiveProbe.command, with the HTTP requests' patience (a loaded machine answers slowly).
        const requestId = `c${++serial}`
        g.socket.send({ ...msg, requestId })
        const reply = await g.socket.waitFor((f) => f.type === 'reply' && f.requestId === requestId, `reply ${requestId}`, 20_000)
        note(how, reply.ok === true ? 200 : Number(reply.error?.statusCode ?? 599), reply.error?.code)
        return { ok: reply.ok === true, result: reply.result }
      } catch (err) {
        note(how, 599, String(err).slice(0, 200))
        return { ok: false, result: undefined }
      }
    }
    const booked = (json: any, slotId: string): void => { if (typeof json?.id === 'string') live.set(json.id, slotId) }

    const began = Date.now()
    await Promise.all(regulators.map(async (g) => {
      while (attempts < ATTEMPTS) {
        const slotId = pick(slotIds)
        const n = ++serial
        const choice = rand()
        if (choice < 0.15) {
          // Hold over the websocket, then book it (the way a call goes).
          if ((await byWs(g, 'ws hold', { type: 'hold', slotId })).ok && rand() < 0.7) {
            const b = await byWs(g, 'ws book', { type: 'book', slotId, booking: patient(n) })
            if (b.ok) booked(b.result, slotId)
          }
        } else if (choice < 0.3) {
          if ((await byHttp(g, 'http hold', 'POST', `/api/slots/${slotId}/hold`)).status === 200 && rand() < 0.7) {
            const b = await byHttp(g, 'http book', 'POST', `/api/slots/${slotId}/booking`, patient(n))
            if (b.status === 201) booked(b.json, slotId)
          }
        } else if (choice < 0.42) {
          const b = await byWs(g, 'ws direct book', { type: 'book', slotId, booking: patient(n) })
          if (b.ok) booked(b.result, slotId)
        } else if (choice < 0.54) {
          // A retry with the same key, sent twice at once (a page resending after a timeout).
          const body = { ...patient(n), idempotencyKey: `contention-${n}` }
          const both = await Promise.all([0, 1].map(async () => await byHttp(g, 'http book (idempotent)', 'POST', `/api/slots/${slotId}/booking`, body)))
          const ids = new Set(both.filter((b) => b.status < 300).map((b) => b.json.id as string))
          if (ids.size > 1) failures.push(`one idempotency key, two bookings: ${[...ids].join(', ')}`)
          for (const b of both) if (b.status < 300) booked(b.json, slotId)
        } else if (choice < 0.72 && live.size > 0) {
          // Cancel a live booking, then book its slot again at once.
          const [bookingId, itsSlot] = pick([...live.entries()])
          live.delete(bookingId)
          const cancelled = rand() < 0.5
            ? (await byHttp(g, 'http cancel', 'POST', `/api/bookings/${bookingId}/cancel`, { reason: 'Le patient rappelle' })).status === 200
            : (await byWs(g, 'ws cancel', { type: 'cancel', bookingId, reason: 'Le patient rappelle' })).ok
          if (cancelled) {
            const b = await byHttp(g, 'http rebook', 'POST', `/api/slots/${itsSlot}/booking`, patient(n))
            if (b.status === 201) booked(b.json, itsSlot)
          }
        } else if (choice < 0.9 && live.size > 0) {
          const [bookingId] = pick([...live.entries()])
          const m = await byHttp(g, 'http move', 'POST', `/api/bookings/${bookingId}/move`, { slotId })
          if (m.status === 200) {
            live.delete(bookingId)
            booked(m.json.booking, slotId)
          }
        } else {
          await byWs(g, 'ws release', { type: 'release', slotId })
        }
      }
    }))

    t.comment(`${attempts} attempts in ${((Date.now() - began) / 1000).toFixed(1)} s`)
    t.comment([...counts.entries()].sort().map(([k, v]) => `${k}: ${v}`).join('; '))
    t.ok(attempts >= ATTEMPTS, `${attempts} attempts`)
    t.same(failures.slice(0, 20), [], 'every refusal is a coded 4xx: no 500, no INTERNAL, no request lost')
    t.ok((counts.get('http book ok') ?? 0) + (counts.get('ws direct book ok') ?? 0) > 0 && (counts.get('http move ok') ?? 0) > 0, 'books and moves succeeded under contention')
    const logged = servers.map((s) => s.output()).join('\n').split('\n').filter((l) => /deadlock|40P01|unhandled error/.test(l))
    t.same(logged.slice(0, 5), [], 'the servers logged no deadlock and no unhandled error')

    // One live booking a slot at most, and the slot names it.
    const doubled = await db.selectFrom('bookings').select(['slot_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '!=', 'cancelled').groupBy('slot_id').having((eb) => eb.fn.countAll(), '>', 1).execute()
    t.same(doubled, [], 'no slot has two live bookings')
    const mismatched = await db.selectFrom('slots').leftJoin('bookings', (j) => j.onRef('bookings.slot_id', '=', 'slots.id').on('bookings.status', '!=', 'cancelled'))
      .select(['slots.id', 'slots.status', 'slots.booking_id', 'bookings.id as live_id'])
      .where((eb) => eb.or([
        eb.and([eb('slots.status', '=', 'booked'), eb.or([eb('bookings.id', 'is', null), eb('bookings.id', '!=', eb.ref('slots.booking_id'))])]),
        eb.and([eb('slots.status', '!=', 'booked'), eb('bookings.id', 'is not', null)])
      ])).execute()
    t.same(mismatched, [], 'every booked slot names its live booking, and no other slot has one')

    // The rollups (migration 0012) count exactly the slots they sum.
    const { rows: off } = await sql<{ which: string }>`
      SELECT 'day_hours' AS which FROM (
        SELECT local_date, local_hour, kind, count(*) AS total, count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn,
               count(*) FILTER (WHERE status = 'booked') AS booked, sum(released_holds) AS released
        FROM slots GROUP BY local_date, local_hour, kind
        EXCEPT SELECT local_date, local_hour, kind, total, withdrawn, booked, released FROM report_day_hours WHERE total <> 0) x
      UNION ALL SELECT 'practitioner_days' FROM (
        SELECT practitioner_id, local_date, count(*) AS total, count(*) FILTER (WHERE status = 'booked') AS booked,
               count(*) FILTER (WHERE booking_has_treating_gp = 'no') AS without_gp
        FROM slots GROUP BY practitioner_id, local_date
        EXCEPT SELECT practitioner_id, local_date, total, booked, without_gp FROM report_practitioner_days WHERE total <> 0) y
      UNION ALL SELECT 'lead_hours' FROM (
        SELECT local_date, kind, count(*) AS n FROM slots WHERE lead_minutes IS NOT NULL GROUP BY local_date, kind
        EXCEPT SELECT local_date, kind, sum(n) FROM report_lead_hours GROUP BY local_date, kind HAVING sum(n) <> 0) z`.execute(db)
    t.same(off, [], 'the season rollups equal the slots they count')
    const released = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'slot.released').executeTakeFirstOrThrow()
    const counted = await db.selectFrom('report_day_hours').select((eb) => eb.fn.sum<number>('released').as('n')).executeTakeFirstOrThrow()
    t.equal(Number(counted.n), Number(released.n), `the rollups count every released hold (${Number(released.n)})`)

    // In commit order (the seq of each booking's slot.booked), a booking of a slot never starts
    // before the previous booking of that slot was cancelled.
    const { rows: order } = await sql<{ id: string, slot_id: string, booked_at: string, cancelled_at: string | null }>`
      SELECT b.id, b.slot_id, b.booked_at, b.cancelled_at FROM bookings b
      JOIN events e ON e.booking_id = b.id AND e.type = 'slot.booked' ORDER BY b.slot_id, e.seq`.execute(db)
    const early: string[] = []
    for (let i = 1; i < order.length; i++) {
      const prev = order[i - 1]!
      const cur = order[i]!
      if (prev.slot_id === cur.slot_id && prev.cancelled_at !== null && cur.booked_at < prev.cancelled_at) early.push(`${cur.id} booked at ${cur.booked_at}, before ${prev.id}'s cancellation at ${prev.cancelled_at}`)
    }
    t.same(early.slice(0, 5), [], `no booking is dated before the cancellation it followed (${order.length} bookings)`)

    const chain = await verifyAuditChain(db)
    t.ok(chain.ok, 'the audit chain is whole', { chain })
  })
}
