// A slot change that PostgreSQL picks as a deadlock's victim is run again (UnitOfWork.run, server/features/slots/unit-of-work.ts),
// so the regulator gets the booking instead of a 500. No path of the application takes its locks
// out of the documented order (CONTRIBUTING, "Several instances"), so the other side of the
// deadlock is made by hand on a second connection: it holds the event counter (which the booking
// takes last), waits until the booking waits for it, then asks for the slot the booking holds.
// And the season rollups' counters (migration 0012), shared by every slot of a local hour, are no
// longer locked in the middle of a change (migration 0022): a booking waiting for the event
// counter holds none of them.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import { sql } from 'kysely'
import { build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { addRegulator, publishSlot, territory } from './helpers/fixtures.js'

const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: SQLite has one writer and never deadlocks')
} else {
  t.test('a booking chosen as a deadlock victim is run again and succeeds', async (t) => {
    const A = await build(t)
    // A second instance's pool: the other side of the deadlock runs on a connection of its own.
    const B = await build(t, {}, undefined, { sameDatabaseAs: A })
    const terr = await territory(A.app)
    const reg = await addRegulator(A.app, terr.adminCookie, 'deadlock')
    const slot = await publishSlot(A.app, terr.users.gp.cookie, '2026-06-03T06:00:00.000Z', '2026-06-03T06:15:00.000Z')
    const key = await A.db.selectFrom('slots').select(['local_date', 'local_hour', 'kind']).where('id', '=', slot.id).executeTakeFirstOrThrow()

    let victimOfB = false
    const booking = await B.db.connection().execute(async (c) => {
      await sql`BEGIN`.execute(c)
      // This side waits long before checking for a deadlock: the booking's check (1 s) finds it first.
      await sql`SET LOCAL deadlock_timeout = '60s'`.execute(c)
      await sql`SELECT last FROM events_counter FOR UPDATE`.execute(c)
      const reply = A.app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: reg.cookie }, payload: BOOKING })
      // The booking has written its slot (and locked its rollup rows) and now waits for the counter.
      for (let i = 0; ; i++) {
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))`.execute(c)
        if (rows[0]!.n > 0) break
        if (i > 600) throw new Error('the booking never waited for the event counter')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      try {
        await sql`SELECT id FROM slots WHERE id = ${slot.id} FOR NO KEY UPDATE`.execute(c)
        await sql`COMMIT`.execute(c)
      } catch (err) {
        victimOfB = (err as { code?: string }).code === '40P01'
        await sql`ROLLBACK`.execute(c)
      }
      return await reply
    })

    t.equal(victimOfB, false, 'the booking, not the other side, was the deadlock victim (this test is about its retry)')
    t.equal(booking.statusCode, 201, 'the regulator gets the booking', { body: booking.body })
    const bookings = await A.db.selectFrom('bookings').select('id').where('slot_id', '=', slot.id).execute()
    t.equal(bookings.length, 1, 'one booking written, none twice')
    const events = await A.db.selectFrom('events').select('type').where('slot_id', '=', slot.id).where('type', '=', 'slot.booked').execute()
    t.equal(events.length, 1, 'one slot.booked event')
    const report = await A.db.selectFrom('report_day_hours').select('booked')
      .where('local_date', '=', key.local_date!).where('local_hour', '=', key.local_hour!).where('kind', '=', key.kind).executeTakeFirstOrThrow()
    t.equal(Number(report.booked), 1, 'the rollup counts the booking once')
  })

  t.test('a booking waiting for the event counter holds no rollup counter', async (t) => {
    const A = await build(t)
    const B = await build(t, {}, undefined, { sameDatabaseAs: A })
    const terr = await territory(A.app)
    const reg = await addRegulator(A.app, terr.adminCookie, 'rollups')
    const slot = await publishSlot(A.app, terr.users.gp.cookie, '2026-06-03T06:00:00.000Z', '2026-06-03T06:15:00.000Z')
    const key = await A.db.selectFrom('slots').select(['local_date', 'local_hour', 'kind']).where('id', '=', slot.id).executeTakeFirstOrThrow()

    let blocked: string | null = null
    const booking = await B.db.connection().execute(async (c) => {
      await sql`BEGIN`.execute(c)
      // Shorter than PostgreSQL's deadlock check (1 s): were the booking holding the row, this side would give up first.
      await sql`SET LOCAL lock_timeout = '500ms'`.execute(c)
      await sql`SELECT last FROM events_counter FOR UPDATE`.execute(c)
      const reply = A.app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: reg.cookie }, payload: BOOKING })
      for (let i = 0; ; i++) {
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))`.execute(c)
        if (rows[0]!.n > 0) break
        if (i > 600) throw new Error('the booking never waited for the event counter')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      try {
        await sql`UPDATE report_day_hours SET total = total WHERE local_date = ${key.local_date} AND local_hour = ${key.local_hour} AND kind = ${key.kind}`.execute(c)
        await sql`COMMIT`.execute(c)
      } catch (err) {
        blocked = String((err as { code?: string }).code)
        await sql`ROLLBACK`.execute(c)
      }
      return await reply
    })

    t.equal(blocked, null, 'the rollup row of the booked slot\'s hour was free while the booking waited')
    t.equal(booking.statusCode, 201, 'the regulator gets the booking', { body: booking.body })
    const report = await A.db.selectFrom('report_day_hours').select('booked')
      .where('local_date', '=', key.local_date!).where('local_hour', '=', key.local_hour!).where('kind', '=', key.kind).executeTakeFirstOrThrow()
    t.equal(Number(report.booked), 1, 'the rollup counts the booking once it committed')
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM report_day_hours_deltas`.execute(A.db)
    t.equal(rows[0]!.n, 0, 'no delta left behind')
  })
}
