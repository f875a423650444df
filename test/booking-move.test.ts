// A patient calls back: the regulator finds the booking (reference, name, birth date) and moves
// it to another slot in one step — the target claimed first, the old slot freed only when the
// move commits, both events live, audited — or nothing changes when the target was taken.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bookingReference } from '../shared/booking-reference.js'
import { build, signIn } from './helpers/build.js'
import { addRegulator, countRows, PASSWORD, publishSlot, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'

const PATIENT = { lastName: 'Le Gall-Hérault', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }
const BOOKING = { patient: PATIENT, reason: 'fièvre', hasTreatingGp: 'no' }
const TABLES = ['slots', 'bookings', 'events', 'audit_log'] as const

const inject = async (app: FastifyInstance, cookie: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  await app.inject({ method, url, headers: { cookie }, ...(payload !== undefined ? { payload: payload as object } : {}) })

async function setup (t: Parameters<typeof build>[0]) {
  const built = await build(t)
  const terr = await territory(built.app)
  const gp = terr.users.gp.cookie
  const s1 = await publishSlot(built.app, gp, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const s2 = await publishSlot(built.app, gp, '2026-06-02T12:15:00+02:00', '2026-06-02T12:30:00+02:00')
  const s3 = await publishSlot(built.app, terr.users.gp2.cookie, '2026-06-03T12:00:00+02:00', '2026-06-03T12:15:00+02:00')
  const res = await inject(built.app, terr.users.regulator.cookie, 'POST', `/api/slots/${s1.id}/booking`, BOOKING)
  if (res.statusCode !== 201) throw new Error(res.body)
  return { ...built, terr, s1, s2, s3, booking: res.json() }
}

t.test('finding a booking by reference, patient name or birth date', async (t) => {
  const { app, db, terr, booking } = await setup(t)
  const reg = terr.users.regulator.cookie
  const search = async (q: string, cookie = reg) => await inject(app, cookie, 'GET', `/api/bookings/search?q=${encodeURIComponent(q)}`)
  const ref = bookingReference(booking.id)
  for (const q of [ref, ref.toUpperCase(), 'le gall', 'herault', 'Hérault anne', '02/01/1980', '2/1/1980', '1980-01-02', 'gall 02/01/1980']) {
    const res = await search(q)
    t.equal(res.statusCode, 200, q)
    t.same(res.json().map((b: any) => b.id), [booking.id], `"${q}" finds it`)
  }
  t.same(res(await search('Hérault')).patient, PATIENT, 'with the patient, for a regulator')
  for (const q of ['martin', '03/01/1980', 'gall 03/01/1980', 'ffff0000']) t.same((await search(q)).json(), [], `"${q}" finds nothing`)

  const reads = await db.selectFrom('audit_log').select('detail').where('action', '=', 'booking.read').where('user_id', '=', terr.users.regulator.id).execute()
  t.ok(reads.length >= 9 && reads.every((r: any) => JSON.parse(r.detail).bookingIds.includes(booking.id)), 'every search that showed the patient is audited')

  for (const who of ['gp', 'board'] as const) t.equal((await search('gall', terr.users[who].cookie)).statusCode, 403, `${who}: not allowed`)
  t.equal((await search('gall', terr.adminCookie)).statusCode, 403, 'admin: not allowed (patient identity is for regulators)')

  await inject(app, reg, 'POST', `/api/bookings/${booking.id}/cancel`, { reason: 'plus besoin' })
  t.same((await search('gall')).json(), [], 'a cancelled booking is no longer found')
})

function res (r: { json: () => any }): any { return r.json()[0] }

t.test('moving a booking: the new slot booked, the old one freed, in one commit, live and audited', async (t) => {
  const { app, db, terr, s1, s2, s3, booking } = await setup(t)
  const reg = terr.users.regulator
  const watcher = await addRegulator(app, terr.adminCookie, 'watcher')
  const live = await openLive(app, watcher.cookie)
  const gpLive = await openLive(app, terr.users.gp.cookie)
  await live.waitFor((f) => f.type === 'snapshot')
  await gpLive.waitFor((f) => f.type === 'snapshot')

  // The new slot is held first, as the page does.
  t.equal((await inject(app, reg.cookie, 'POST', `/api/slots/${s2.id}/hold`)).statusCode, 200)
  const seqBefore = Number((await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m)
  const moved = await inject(app, reg.cookie, 'POST', `/api/bookings/${booking.id}/move`, { slotId: s2.id })
  t.equal(moved.statusCode, 200, moved.body)
  const { booking: next, previous } = moved.json()
  t.equal(next.slotId, s2.id, 'the new booking is on the new slot')
  t.equal(next.status, 'booked')
  t.same(next.patient, PATIENT, 'same patient')
  t.equal(next.reason, 'fièvre')
  t.equal(next.hasTreatingGp, 'no')
  t.equal(previous.id, booking.id)
  t.equal(previous.status, 'cancelled', 'the old booking is cancelled')
  t.match(previous.cancelReason, `nouvelle référence ${bookingReference(next.id)}`, 'its reason names the new reference')

  const slots = await db.selectFrom('slots').select(['id', 'status', 'booking_id', 'hold_by']).where('id', 'in', [s1.id, s2.id]).execute()
  const byId = new Map(slots.map((s: any) => [s.id, s]))
  t.same(byId.get(s1.id), { id: s1.id, status: 'free', booking_id: null, hold_by: null }, 'the old slot is free again')
  t.same(byId.get(s2.id), { id: s2.id, status: 'booked', booking_id: next.id, hold_by: null }, 'the new slot is booked, its hold gone')

  const booked = await live.waitFor((f) => f.type === 'event' && f.event === 'slot.booked' && f.slot.id === s2.id, 'slot.booked')
  const freed = await live.waitFor((f) => f.type === 'event' && f.event === 'booking.cancelled' && f.slot.id === s1.id, 'booking.cancelled')
  t.same([booked.seq, freed.seq], [seqBefore + 1, seqBefore + 2], 'both events, one after the other, right after the move')
  t.equal(freed.slot.status, 'free')
  t.notOk(JSON.stringify(live.frames).includes('Gall'), 'no patient data in the feed')
  await gpLive.waitFor((f) => f.type === 'event' && f.event === 'booking.cancelled', 'the GP is told too')

  const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'booking.move').execute()
  t.equal(audit.length, 1, 'the move is audited')
  t.same(JSON.parse(audit[0]?.detail ?? '{}'), { fromBookingId: booking.id, fromSlotId: s1.id, toSlotId: s2.id, patientFields: ['lastName', 'firstName', 'birthDate', 'phone', 'reason'] })
  t.equal(audit[0]?.subject_id, next.id)

  // The practitioner sees the new booking with the patient; the board never does.
  const gpList = (await inject(app, terr.users.gp.cookie, 'GET', '/api/bookings?from=2026-06-01&to=2026-06-10')).json()
  t.same(gpList.find((b: any) => b.id === next.id)?.patient, PATIENT, 'its practitioner sees the patient')
  const again = await inject(app, reg.cookie, 'POST', `/api/bookings/${booking.id}/move`, { slotId: s3.id })
  t.equal(again.statusCode, 409, 'the old booking cannot be moved twice')
  t.equal(again.json().code, 'BOOKING_ALREADY_CANCELLED')
  t.equal((await db.selectFrom('slots').select('status').where('id', '=', s3.id).executeTakeFirstOrThrow()).status, 'free', 'and the slot it aimed at stays free')
  live.close()
  gpLive.close()
})

t.test('the target taken meanwhile: nothing changes, a clear 409', async (t) => {
  const { app, db, terr, s1, s2, s3, booking } = await setup(t)
  const reg = terr.users.regulator
  const other = await addRegulator(app, terr.adminCookie, 'other')

  t.equal((await inject(app, other.cookie, 'POST', `/api/slots/${s2.id}/hold`)).statusCode, 200, 'another regulator holds the target')
  const before = await countRows(db, TABLES)
  const held = await inject(app, reg.cookie, 'POST', `/api/bookings/${booking.id}/move`, { slotId: s2.id })
  t.equal(held.statusCode, 409)
  t.equal(held.json().code, 'SLOT_HELD', 'held by another regulator')
  t.same(await countRows(db, TABLES), before, 'nothing written: no booking, no event, no audit')
  const old = await db.selectFrom('bookings').select('status').where('id', '=', booking.id).executeTakeFirstOrThrow()
  t.equal(old.status, 'booked', 'the old booking stands')
  const oldSlot = await db.selectFrom('slots').select(['status', 'booking_id']).where('id', '=', s1.id).executeTakeFirstOrThrow()
  t.same(oldSlot, { status: 'booked', booking_id: booking.id }, 'its slot stays booked')

  t.equal((await inject(app, other.cookie, 'POST', `/api/slots/${s2.id}/booking`, { ...BOOKING, patient: { ...PATIENT, lastName: 'Autre' } })).statusCode, 201)
  const taken = await inject(app, reg.cookie, 'POST', `/api/bookings/${booking.id}/move`, { slotId: s2.id })
  t.equal(taken.statusCode, 409)
  t.equal(taken.json().code, 'SLOT_TAKEN', 'booked by another regulator')

  // Simultaneous: the move and another regulator's booking of the same slot, many times over.
  let moves = 0
  for (let i = 0; i < 6; i++) {
    const target = await publishSlot(app, terr.users.gp2.cookie, `2026-06-0${4 + (i % 4)}T${10 + i}:00:00+02:00`, `2026-06-0${4 + (i % 4)}T${10 + i}:15:00+02:00`)
    const current = (await db.selectFrom('bookings').select('id').where('status', '=', 'booked').where('booked_by', '=', reg.id).executeTakeFirstOrThrow()).id
    const [m, b] = await Promise.all([
      inject(app, reg.cookie, 'POST', `/api/bookings/${current}/move`, { slotId: target.id }),
      inject(app, other.cookie, 'POST', `/api/slots/${target.id}/booking`, { ...BOOKING, patient: { ...PATIENT, lastName: 'Autre' } })
    ])
    t.ok((m.statusCode === 200) !== (b.statusCode === 201) && [m.statusCode, b.statusCode].includes(409), `round ${i}: exactly one wins, the other gets 409 (${m.statusCode}, ${b.statusCode})`)
    const live = await db.selectFrom('bookings').select(['id', 'slot_id']).where('status', '=', 'booked').where('booked_by', '=', reg.id).execute()
    t.equal(live.length, 1, `round ${i}: the patient has exactly one live booking`)
    if (m.statusCode === 200) moves++
    else t.equal(live[0]?.id, current, `round ${i}: the move lost, the booking stays where it was`)
  }
  t.comment(`${moves} of 6 moves won the race`)

  const wrong = await inject(app, reg.cookie, 'POST', `/api/bookings/${booking.id}/move`, { slotId: 'nope' })
  t.ok([404, 409].includes(wrong.statusCode), 'an unknown slot or a moved booking is refused')
  const forbidden = await inject(app, terr.users.gp.cookie, 'POST', `/api/bookings/${booking.id}/move`, { slotId: s3.id })
  t.equal(forbidden.statusCode, 403, 'a practitioner does not move bookings')
})

t.test('a booking that has started, or has no patient, is not moved: each refusal its own code', async (t) => {
  const { app, db, clock, terr, booking, s2, s3 } = await setup(t)
  clock.set('2026-06-02T10:05:00.000Z') // 12:05 in Paris: the booking's slot has started
  const reg = await signIn(app, terr.users.regulator.email, PASSWORD) // the first session has expired
  const before = await countRows(db, TABLES)
  const started = await inject(app, reg, 'POST', `/api/bookings/${booking.id}/move`, { slotId: s3.id })
  t.equal(started.statusCode, 409)
  t.equal(started.json().code, 'BOOKING_STARTED')
  // Without its patient (erased, or imported history) there is nobody to move.
  await db.updateTable('bookings').set({ patient_last_name: null, patient_first_name: null, patient_birth_date: null, patient_phone: null }).where('id', '=', booking.id).execute()
  const nobody = await inject(app, reg, 'POST', `/api/bookings/${booking.id}/move`, { slotId: s2.id })
  t.equal(nobody.statusCode, 409)
  t.equal(nobody.json().code, 'BOOKING_WITHOUT_PATIENT')
  t.same(await countRows(db, TABLES), before, 'nothing written')
})
