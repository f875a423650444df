// Issue 3: many regulators race for the same slot, over the websocket and over HTTP.
// Exactly one wins; the others are told why (SLOT_TAKEN / SLOT_HELD); everyone sees the result.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from './helpers/build.js'
import { addRegulator, publishSlot, territory } from './helpers/fixtures.js'
import { openLive, type LiveProbe } from './helpers/live.js'

const N = 50
const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }

/** `n` distinct regulator accounts, created by the admin through the API, each signed in. */
async function regulators (app: FastifyInstance, adminCookie: string, n: number): Promise<Array<{ id: string, cookie: string }>> {
  return await Promise.all(Array.from({ length: n }, async (_, i) => await addRegulator(app, adminCookie, `racer${i}`)))
}

async function liveBookings (db: any, slotId: string): Promise<number> {
  const r = await db.selectFrom('bookings').select((eb: any) => eb.fn.countAll().as('n'))
    .where('slot_id', '=', slotId).where('status', '!=', 'cancelled').executeTakeFirstOrThrow()
  return Number(r.n)
}

t.test('50 regulators race for one slot', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const regs = await regulators(app, terr.adminCookie, N)
  t.equal(new Set(regs.map((r) => r.id)).size, N, '50 distinct regulator accounts')

  const sockets: LiveProbe[] = await Promise.all(regs.map(async (r) => await openLive(app, r.cookie)))
  t.teardown(() => { for (const s of sockets) s.close() })
  await Promise.all(sockets.map(async (s) => await s.waitFor((f) => f.type === 'snapshot', 'snapshot')))

  t.test('book over the websocket, all sent at once', async (t) => {
    const slot = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
    await Promise.all(sockets.map(async (s) => await s.waitFor((f) => f.event === 'slot.published' && f.slot.id === slot.id, 'published')))

    const replies = await Promise.all(sockets.map(async (s) => await s.command({ type: 'book', slotId: slot.id, booking: BOOKING })))
    const winners = replies.filter((r) => r.ok === true)
    const losers = replies.filter((r) => r.ok !== true)
    t.equal(winners.length, 1, 'exactly one booking succeeds')
    t.equal(losers.length, N - 1)
    t.ok(losers.every((r) => r.error.statusCode === 409 && ['SLOT_TAKEN', 'SLOT_HELD'].includes(r.error.code)),
      'the others are refused with SLOT_TAKEN or SLOT_HELD: ' + JSON.stringify([...new Set(losers.map((r) => r.error?.code))]))
    t.equal(winners[0].result.slotId, slot.id)
    t.equal(winners[0].result.status, 'booked')

    const events = await Promise.all(sockets.map(async (s) => await s.waitFor((f) => f.event === 'slot.booked' && f.slot.id === slot.id, 'slot.booked')))
    t.ok(events.every((e) => e.slot.status === 'booked' && e.slot.bookingId === winners[0].result.id), 'all 50 sockets see the slot booked by the winner')
    t.equal(await liveBookings(db, slot.id), 1, 'one booking in the database')
  })

  t.test('hold over the websocket, all sent at once', async (t) => {
    const slot = await publishSlot(app, gp.cookie, '2026-06-02T13:00:00+02:00', '2026-06-02T13:15:00+02:00')
    await Promise.all(sockets.map(async (s) => await s.waitFor((f) => f.event === 'slot.published' && f.slot.id === slot.id, 'published')))

    const replies = await Promise.all(sockets.map(async (s) => await s.command({ type: 'hold', slotId: slot.id })))
    const winnerIndex = replies.findIndex((r) => r.ok === true)
    t.equal(replies.filter((r) => r.ok === true).length, 1, 'exactly one hold succeeds')
    t.ok(replies.filter((r) => r.ok !== true).every((r) => r.error.code === 'SLOT_HELD'), 'the others get SLOT_HELD')
    t.equal(replies[winnerIndex].result.slot.hold.by, 'me')

    const held = await Promise.all(sockets.map(async (s) => await s.waitFor((f) => f.event === 'slot.held' && f.slot.id === slot.id, 'slot.held')))
    held.forEach((e, i) => {
      if (e.slot.hold?.by !== (i === winnerIndex ? 'me' : 'other')) t.fail(`socket ${i} sees hold.by ${String(e.slot.hold?.by)}`)
    })
    t.ok(held.every((e) => e.slot.status === 'held'), 'every socket sees the slot held')
    const heldEvents = sockets[0]!.frames.filter((f) => f.event === 'slot.held' && f.slot.id === slot.id)
    t.equal(heldEvents.length, 1, 'one slot.held event, not one per attempt')
  })

  t.test('book over HTTP: 50 concurrent requests', async (t) => {
    const slot = await publishSlot(app, gp.cookie, '2026-06-02T14:00:00+02:00', '2026-06-02T14:15:00+02:00')
    const answers = await Promise.all(regs.map(async (r) => await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: r.cookie }, payload: BOOKING })))
    const created = answers.filter((a) => a.statusCode === 201)
    const refused = answers.filter((a) => a.statusCode === 409)
    t.equal(created.length, 1, 'exactly one 201')
    t.equal(refused.length, N - 1, '49 × 409')
    t.ok(refused.every((a) => ['SLOT_TAKEN', 'SLOT_HELD'].includes(a.json().code)), 'with SLOT_TAKEN or SLOT_HELD')
    t.ok(refused.every((a) => a.json().error === 'Conflict' && typeof a.json().message === 'string'), 'in the contract error shape')
    t.equal(await liveBookings(db, slot.id), 1, 'exactly one non-cancelled booking for the slot')
    const row = await db.selectFrom('slots').select(['status', 'booking_id']).where('id', '=', slot.id).executeTakeFirstOrThrow()
    t.same(row, { status: 'booked', booking_id: created[0]!.json().id })
    await Promise.all(sockets.map(async (s) => await s.waitFor((f) => f.event === 'slot.booked' && f.slot.id === slot.id, 'slot.booked')))
  })

  t.test('hold over HTTP: 50 concurrent requests', async (t) => {
    const slot = await publishSlot(app, gp.cookie, '2026-06-02T15:00:00+02:00', '2026-06-02T15:15:00+02:00')
    const answers = await Promise.all(regs.map(async (r) => await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: r.cookie } })))
    t.equal(answers.filter((a) => a.statusCode === 200).length, 1, 'exactly one 200')
    const refused = answers.filter((a) => a.statusCode !== 200)
    t.equal(refused.length, N - 1)
    t.ok(refused.every((a) => a.statusCode === 409 && a.json().code === 'SLOT_HELD'), 'the others get 409 SLOT_HELD')
  })

  t.test('mixed race: hold and book over HTTP and websocket', async (t) => {
    const slot = await publishSlot(app, gp.cookie, '2026-06-02T16:00:00+02:00', '2026-06-02T16:15:00+02:00')
    await Promise.all(sockets.map(async (s) => await s.waitFor((f) => f.event === 'slot.published' && f.slot.id === slot.id, 'published')))
    const viaWs = sockets.slice(0, 25).map(async (s, i) => {
      const r = await s.command(i % 2 === 0 ? { type: 'book', slotId: slot.id, booking: BOOKING } : { type: 'hold', slotId: slot.id })
      return r.ok === true ? 'ok' : r.error.code
    })
    const viaHttp = regs.slice(25).map(async (r, i) => {
      const a = await app.inject(i % 2 === 0
        ? { method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: r.cookie }, payload: BOOKING }
        : { method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: r.cookie } })
      return a.statusCode < 300 ? 'ok' : a.json().code
    })
    const outcomes = await Promise.all([...viaWs, ...viaHttp])
    t.equal(outcomes.filter((o) => o === 'ok').length, 1, 'one winner among holds and bookings')
    t.ok(outcomes.filter((o) => o !== 'ok').every((o) => o === 'SLOT_TAKEN' || o === 'SLOT_HELD'), JSON.stringify([...new Set(outcomes)]))
    t.ok(await liveBookings(db, slot.id) <= 1, 'never two bookings')
  })
})
