// Issue 10: two real server processes on one PostgreSQL schema, regulators booking on both, and
// one of them killed with SIGKILL in the middle. Every booking that was acknowledged (201
// received) is in the database, and the survivor's sockets miss no seq: the killed process's
// transactions in flight roll back (no hole in the counter), its commits reach the survivor.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import { DateTime } from 'luxon'
import { openPostgres } from '../db/postgres.js'
import { ADMIN } from './helpers/build.js'
import { TEST_ENGINE, testStorage } from './helpers/database.js'
import { PASSWORD, practitionerProfile } from './helpers/fixtures.js'
import { openLiveAt, type LiveProbe } from './helpers/live.js'
import { http, must, startServerProcess, type ServerProcess } from './helpers/server-process.js'

const REGULATORS = 8
/** Acknowledged bookings before the kill, then after it (on the survivor). */
const BEFORE_KILL = 24
const AFTER_KILL = 16

const signIn = async (base: string, email: string): Promise<string> =>
  (await must(base, 'POST', '/api/session', null, { email, password: email === ADMIN.email ? ADMIN.password : PASSWORD })).cookie as string

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: several server processes share the database')
} else {
  t.test('kill -9 one of two instances while regulators book on both', async (t) => {
    const storage = await testStorage(t)
    const env = {
      ...storage.env as Record<string, string>,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOGIN_RATE_LIMIT: '1000',
      LOGIN_ADDRESS_RATE_LIMIT: '1000',
      MAX_CONNECTIONS_PER_ADDRESS: '0'
    }
    // One after the other: the first migrates the schema.
    const victim = await startServerProcess(t, env)
    const survivor = await startServerProcess(t, env)
    const db = openPostgres(storage.env.DATABASE_URL as string)
    t.teardown(() => db.destroy())

    // A territory, a GP with three days of slots, regulators signed in on their own instance.
    const admin = await signIn(victim.url, ADMIN.email)
    const cpts = (await must(victim.url, 'POST', '/api/cpts', admin, { name: 'CPTS Côte de Lumière' })).json
    await must(victim.url, 'POST', '/api/users', admin, { email: 'gp@cpts.test', name: 'Dr Généraliste', password: PASSWORD, role: 'practitioner', cptsId: cpts.id, practitioner: practitionerProfile(1) })
    const gp = await signIn(victim.url, 'gp@cpts.test')
    const from = DateTime.now().setZone('Europe/Paris').plus({ days: 1 })
    const series = (await must(victim.url, 'POST', '/api/slots/series', gp, {
      from: from.toISODate(), to: from.plus({ days: 2 }).toISODate(), weekdays: [1, 2, 3, 4, 5, 6, 7],
      startTime: '08:00', slotMinutes: 10, count: 48, kind: 'snp', mode: 'office'
    })).json
    const slotIds = (series.created as Array<{ id: string }>).map((s) => s.id)
    const home = (r: number): ServerProcess => r % 2 === 0 ? victim : survivor
    const regulators = await Promise.all(Array.from({ length: REGULATORS }, async (_, r) => {
      const email = `regulator${r}@cpts.test`
      await must(victim.url, 'POST', '/api/users', admin, { email, name: `Régulateur ${r}`, password: PASSWORD, role: 'regulator' })
      return { r, cookie: await signIn(home(r).url, email) }
    }))

    // Pages on the survivor (and one on the victim, which dies with it).
    const watchers: LiveProbe[] = await Promise.all([survivor, survivor, survivor, victim].map(async (s) => await openLiveAt(s.url, gp)))
    t.teardown(() => { for (const w of watchers) w.close() })
    const snapshots = await Promise.all(watchers.map(async (w) => await w.waitFor((f) => f.type === 'snapshot', 'snapshot')))

    // Each regulator books its own slots over HTTP, back to back, until told to stop or its server dies.
    const acknowledged: Array<{ bookingId: string, slotId: string, on: string }> = []
    let killed = false
    let stop = false
    let killedAt = 0
    let cut = 0
    const errorsOnSurvivor: string[] = []
    await Promise.all(regulators.map(async ({ r, cookie }) => {
      const server = home(r)
      for (let k = r; k < slotIds.length && !stop; k += REGULATORS) {
        const slotId = slotIds[k] as string
        try {
          const res = await http(server.url, 'POST', `/api/slots/${slotId}/booking`, cookie, {
            patient: { lastName: 'Martin', firstName: `Patient ${k}`, birthDate: '1980-01-02', phone: '06 12 34 56 78' },
            hasTreatingGp: 'no',
            idempotencyKey: `kill-${k}`
          })
          if (res.status !== 201) {
            if (server === survivor) errorsOnSurvivor.push(`${res.status} ${JSON.stringify(res.json)}`)
            continue
          }
          acknowledged.push({ bookingId: res.json.id, slotId, on: server === victim ? 'victim' : 'survivor' })
        } catch (err) {
          if (server === victim && killed) { cut++; return } // its server is gone: the reply never came
          errorsOnSurvivor.push(String(err))
          return
        }
        if (!killed && acknowledged.length >= BEFORE_KILL) {
          killed = true
          killedAt = acknowledged.length
          await victim.kill9()
        }
        if (killed && acknowledged.length >= killedAt + AFTER_KILL) stop = true
      }
    }))
    t.ok(killed, `the victim was killed after ${killedAt} acknowledged bookings (${cut} of its regulators' requests cut or refused)`)
    t.same(errorsOnSurvivor, [], 'the survivor answered every booking')
    t.ok(acknowledged.some((a) => a.on === 'victim') && acknowledged.filter((a) => a.on === 'survivor').length >= AFTER_KILL / 2,
      `bookings acknowledged by both (${acknowledged.filter((a) => a.on === 'victim').length} by the victim, ${acknowledged.filter((a) => a.on === 'survivor').length} by the survivor)`)

    const rows = await db.selectFrom('bookings').select(['id', 'slot_id', 'status']).where('id', 'in', acknowledged.map((a) => a.bookingId)).execute()
    const found = new Map(rows.map((b) => [b.id, b]))
    const missing = acknowledged.filter((a) => found.get(a.bookingId)?.status !== 'booked' || found.get(a.bookingId)?.slot_id !== a.slotId)
    t.same(missing, [], `every one of the ${acknowledged.length} acknowledged bookings is in the database`)

    // The survivor's pages: every event of the log after their snapshot, in order, once.
    const max = await db.selectFrom('events').select((eb) => eb.fn.max<number>('seq').as('max')).executeTakeFirstOrThrow()
    const last = Number(max.max)
    const count = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    t.equal(Number(count.n), last, 'the log has no hole: transactions cut by the kill rolled back')
    for (const [i, w] of watchers.slice(0, 3).entries()) {
      await w.waitFor((f) => f.type === 'event' && f.seq === last, `seq ${last} on the survivor`, 15_000)
      const seqs = w.frames.filter((f) => f.type === 'event').map((f) => f.seq as number)
      const start = snapshots[i].seq as number
      t.same(seqs, Array.from({ length: last - start }, (_, j) => start + 1 + j), `survivor socket ${i + 1}: seqs ${start + 1}…${last}, no gap`)
      const booked = new Set(w.frames.filter((f) => f.event === 'slot.booked').map((f) => f.slot.id))
      t.ok(acknowledged.every((a) => booked.has(a.slotId)), `survivor socket ${i + 1} saw every acknowledged booking, from both instances`)
    }
  })
}
