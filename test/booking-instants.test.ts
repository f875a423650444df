// Issue 24, item 6: the instants a change writes are read after its locks, so that on one slot
// they follow the order in which the changes commit. A booking that had to wait while another
// regulator cancelled the slot's booking is dated after that cancellation, not at the moment
// its request arrived (the booking's history and the report's lead time read these dates).
import t from 'tap'
import { sql } from 'kysely'
import { build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { addRegulator, publishSlot, territory } from './helpers/fixtures.js'

const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }

t.test('a booking that waited for a cancellation of its slot is dated after it', {
  skip: TEST_ENGINE !== 'postgres' && 'PostgreSQL only: SQLite runs one writing transaction at a time, in the order they start, so no change waits on another\'s row locks'
}, async (t) => {
  const A = await build(t)
  // The other side (another instance's transaction on the second regulator's account) runs on a pool of its own.
  const B = await build(t, {}, undefined, { sameDatabaseAs: A })
  const terr = await territory(A.app)
  const first = await addRegulator(A.app, terr.adminCookie, 'first')
  const second = await addRegulator(A.app, terr.adminCookie, 'second')
  const slot = await publishSlot(A.app, terr.users.gp.cookie, '2026-06-03T06:00:00.000Z', '2026-06-03T06:15:00.000Z')
  const booked = await A.app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: first.cookie }, payload: BOOKING })
  t.equal(booked.statusCode, 201)

  const { second: again, cancelled } = await B.db.connection().execute(async (c) => {
    // The second regulator's account is busy elsewhere: their booking waits for it.
    await sql`BEGIN`.execute(c)
    await sql`SELECT id FROM users WHERE id = ${second.id} FOR NO KEY UPDATE`.execute(c)
    const reply = A.app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: second.cookie }, payload: BOOKING })
    for (let i = 0; ; i++) {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))`.execute(c)
      if (rows[0]!.n > 0) break
      if (i > 600) throw new Error('the second booking never waited for its account')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // Meanwhile, a minute later, the first regulator cancels: the slot is free again.
    A.clock.advance(60_000)
    const cancelled = await A.app.inject({ method: 'POST', url: `/api/bookings/${booked.json().id as string}/cancel`, headers: { cookie: first.cookie }, payload: { reason: 'Le patient a trouvé un autre rendez-vous' } })
    await sql`COMMIT`.execute(c)
    return { second: await reply, cancelled }
  })

  t.equal(cancelled.statusCode, 200, 'the cancellation went through')
  t.equal(again.statusCode, 201, 'the second regulator books the freed slot', { body: again.body })
  t.ok(again.json().bookedAt >= cancelled.json().cancelledAt,
    `the new booking (${String(again.json().bookedAt)}) is not dated before the cancellation that freed its slot (${String(cancelled.json().cancelledAt)})`)
  const events = await A.db.selectFrom('events').select(['type', 'at']).where('slot_id', '=', slot.id).where('type', 'in', ['booking.cancelled', 'slot.booked']).orderBy('seq').execute()
  t.same(events.map((e) => e.type), ['slot.booked', 'booking.cancelled', 'slot.booked'])
  t.ok(events.every((e, i) => i === 0 || e.at >= events[i - 1]!.at), 'the slot\'s events are dated in the order they happened')
})
