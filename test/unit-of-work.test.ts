// The slots' unit of work (server/features/slots/unit-of-work.ts): a deadlock's victim is run
// again, whole, and only the committed run's events are broadcast; every event row names who
// made the change and, for bookings, which booking (migration 0015). The functions that must
// run inside a transaction refuse the outer database at compile time (`npm run typecheck`).
import t from 'tap'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { lockCursor } from '../server/features/deliveries/delivery-repository.js'
import { appendEvent, type LoggedEvent } from '../server/features/slots/event-log.js'
import { lockAccounts, lockSlots, type NeutralSlot } from '../server/features/slots/slot-repository.js'
import { UnitOfWork } from '../server/features/slots/unit-of-work.js'
import { build } from './helpers/build.js'
import { publishSlot, territory } from './helpers/fixtures.js'

const BOOKING = { patient: { lastName: 'Durand', firstName: 'Paul', birthDate: '1975-05-06', phone: '02 51 58 12 34' }, hasTreatingGp: 'yes' }
const slot = (id: string): NeutralSlot => ({ id, status: 'free' } as unknown as NeutralSlot)

/** Never called: it only has to fail the typecheck where marked. */
export function outerDatabaseIsRefused (db: Kysely<Database>): unknown[] {
  return [
    // @ts-expect-error a lock outside a transaction locks nothing: Transaction<Database> only
    lockSlots(db, ['s']),
    // @ts-expect-error likewise
    lockAccounts(db, ['u']),
    // @ts-expect-error an event is appended in the transaction of its change
    appendEvent(db, 'slot.published', slot('s'), new Date(), { actorId: null }),
    // @ts-expect-error the delivery cursor is locked in the enqueueing transaction
    lockCursor(db, 'mail')
  ]
}

const deadlock = (): Error => Object.assign(new Error('deadlock detected'), { code: '40P01' })

t.test('a deadlock victim runs again; the events of the committed run only are broadcast', async (t) => {
  const { db, clock } = await build(t)
  const uow = new UnitOfWork({ db, clock })
  const told: LoggedEvent[][] = []
  const stop = uow.onCommit((events) => { told.push(events) })
  let attempts = 0
  const result = await uow.run(async (w) => {
    attempts++
    w.emit('slot.published', slot(`try-${attempts}`), { actorId: 'u1' })
    if (attempts < 3) throw deadlock()
    return 'done'
  })
  t.equal(result, 'done')
  t.equal(attempts, 3, 'run three times')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(told.length, 1, 'one broadcast')
  t.same(told[0]?.map((e) => [e.slot?.id, e.actorId, e.bookingId]), [['try-3', 'u1', null]], 'of the last run\'s event')
  const rows = await db.selectFrom('events').select(['slot_id', 'actor_id', 'booking_id']).execute()
  t.same(rows, [{ slot_id: 'try-3', actor_id: 'u1', booking_id: null }], 'nothing of the victims was written')

  attempts = 0
  await t.rejects(uow.run(async () => { attempts++; throw deadlock() }), { code: '40P01' }, 'a third deadlock is thrown')
  t.equal(attempts, 3)
  attempts = 0
  await t.rejects(uow.run(async () => { attempts++; throw new Error('other') }), /other/, 'any other error at once')
  t.equal(attempts, 1)
  stop()
  await uow.run(async (w) => { w.emit('slot.published', slot('unheard'), { actorId: null }) })
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(told.length, 1, 'a listener stopped hears nothing more')
})

t.test('each event row names its actor and its booking', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const reg = terr.users.regulator
  const s1 = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const s2 = await publishSlot(app, gp.cookie, '2026-06-02T12:30:00+02:00', '2026-06-02T12:45:00+02:00')
  t.equal((await app.inject({ method: 'POST', url: `/api/slots/${s1.id}/hold`, headers: { cookie: reg.cookie } })).statusCode, 200)
  const booked = await app.inject({ method: 'POST', url: `/api/slots/${s2.id}/booking`, headers: { cookie: reg.cookie }, payload: BOOKING })
  t.equal(booked.statusCode, 201)
  const b1 = booked.json().id as string
  const moved = await app.inject({ method: 'POST', url: `/api/bookings/${b1}/move`, headers: { cookie: reg.cookie }, payload: { slotId: s1.id } })
  t.equal(moved.statusCode, 200, moved.body)
  const b2 = moved.json().booking.id as string
  t.equal(moved.json().booking.bookedBy.name, moved.json().previous.bookedBy.name, 'the answer names the regulator, without reading the rows again')
  const cancelled = await app.inject({ method: 'POST', url: `/api/bookings/${b2}/cancel`, headers: { cookie: gp.cookie }, payload: { reason: 'Absent' } })
  t.equal(cancelled.statusCode, 200)
  t.equal(cancelled.json().status, 'cancelled')
  const rows = await db.selectFrom('events').select(['type', 'slot_id', 'actor_id', 'booking_id']).orderBy('seq').execute()
  t.same(rows, [
    { type: 'slot.published', slot_id: s1.id, actor_id: gp.id, booking_id: null },
    { type: 'slot.published', slot_id: s2.id, actor_id: gp.id, booking_id: null },
    { type: 'slot.held', slot_id: s1.id, actor_id: reg.id, booking_id: null },
    { type: 'slot.released', slot_id: s1.id, actor_id: reg.id, booking_id: null },
    { type: 'slot.booked', slot_id: s2.id, actor_id: reg.id, booking_id: b1 },
    { type: 'slot.booked', slot_id: s1.id, actor_id: reg.id, booking_id: b2 },
    { type: 'booking.cancelled', slot_id: s2.id, actor_id: reg.id, booking_id: b1 },
    { type: 'booking.cancelled', slot_id: s1.id, actor_id: gp.id, booking_id: b2 }
  ])
})
