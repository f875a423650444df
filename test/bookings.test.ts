// Issue 3: bookings. Idempotency, cancel (back to the pool, live), outcome, who may do what,
// patient identity and its audit trail, validation, and the call log.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from './helpers/build.js'
import { countRows, publishSlot, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'

const PATIENT = { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }
const BOOKING = { patient: PATIENT, reason: 'fièvre depuis 3 jours', hasTreatingGp: 'no' }
// Tests that move the clock a day ahead keep their sessions (12 hours by default).
const LONG_SESSIONS = { SESSION_HOURS: '72' }
const BOOKING_TABLES = ['slots', 'bookings', 'events', 'audit_log', 'calls'] as const

const book = async (app: FastifyInstance, cookie: string, slotId: string, body: unknown = BOOKING) =>
  await app.inject({ method: 'POST', url: `/api/slots/${slotId}/booking`, headers: { cookie }, payload: body as object })

async function audit (db: any, action: string): Promise<any[]> {
  return await db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute()
}

async function slotRow (db: any, id: string): Promise<any> {
  return await db.selectFrom('slots').select(['status', 'booking_id', 'hold_by']).where('id', '=', id).executeTakeFirstOrThrow()
}

t.test('idempotent booking', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const reg = terr.users.regulator
  const s1 = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const s2 = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:15:00+02:00', '2026-06-02T12:30:00+02:00')

  const first = await book(app, reg.cookie, s1.id, { ...BOOKING, idempotencyKey: 'call-0001' })
  t.equal(first.statusCode, 201, 'HTTP 201', { body: first.body })
  const again = await book(app, reg.cookie, s1.id, { ...BOOKING, idempotencyKey: 'call-0001' })
  t.equal(again.statusCode, 200, 'same key again: 200')
  t.equal(again.json().id, first.json().id, 'the same booking')
  t.same(again.json().patient, first.json().patient)
  const n = await db.selectFrom('bookings').select('id').where('slot_id', '=', s1.id).execute()
  t.equal(n.length, 1, 'never a second booking')
  t.equal((await audit(db, 'booking.create')).length, 1, 'one creation audited')
  const replayRead = await audit(db, 'booking.read')
  t.same(replayRead.map((a) => [a.user_id, a.subject_id]), [[reg.id, first.json().id]], 'answering the patient again is an audited read')
  t.equal((await db.selectFrom('events').select('seq').where('slot_id', '=', s1.id).where('type', '=', 'slot.booked').execute()).length, 1, 'nor a second event')
  const otherSlot = await book(app, reg.cookie, s2.id, { ...BOOKING, idempotencyKey: 'call-0001' })
  t.equal(otherSlot.statusCode, 400, 'the same key for another slot is refused')
  t.equal(otherSlot.json().code, 'VALIDATION')
  const noKey = await book(app, reg.cookie, s1.id)
  t.equal(noKey.statusCode, 409, 'without the key it is a second attempt: taken')
  t.equal(noKey.json().code, 'SLOT_TAKEN')

  // Retries racing: 10 identical requests at once.
  const racing = await Promise.all(Array.from({ length: 10 }, async () => await book(app, reg.cookie, s2.id, { ...BOOKING, idempotencyKey: 'call-0002' })))
  t.same(racing.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201], 'one 201, the retries 200: ' + racing.map((r) => r.statusCode).join(','))
  t.equal(new Set(racing.map((r) => r.json().id)).size, 1, 'all answer the same booking')
  const rows = await db.selectFrom('bookings').select('id').where('slot_id', '=', s2.id).execute()
  t.equal(rows.length, 1, 'one booking in the database')

  // Over the websocket too.
  const s3 = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:30:00+02:00', '2026-06-02T12:45:00+02:00')
  const live = await openLive(app, reg.cookie)
  t.teardown(() => live.close())
  const [w1, w2] = await Promise.all([1, 2].map(async () => await live.command({ type: 'book', slotId: s3.id, booking: { ...BOOKING, idempotencyKey: 'call-0003' } })))
  t.ok(w1.ok && w2.ok, 'both retries answered ok')
  t.equal(w1.result.id, w2.result.id)
  t.equal((await db.selectFrom('bookings').select('id').where('slot_id', '=', s3.id).execute()).length, 1)
})

t.test('cancel, outcome, and who may touch what', async (t) => {
  const { app, db, clock } = await build(t, LONG_SESSIONS)
  const terr = await territory(app)
  const { gp, gp2, regulator: reg } = terr.users
  const slot = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const live = await openLive(app, reg.cookie)
  const liveGp = await openLive(app, gp.cookie)
  t.teardown(() => { live.close(); liveGp.close() })
  await live.waitFor((f) => f.type === 'snapshot')

  const b1 = await book(app, reg.cookie, slot.id)
  t.equal(b1.statusCode, 201, 'HTTP 201', { body: b1.body })
  const booking = b1.json()
  t.same(booking.patient, PATIENT)
  t.equal(booking.status, 'booked')
  t.equal(booking.slotId, slot.id)
  t.equal(booking.hasTreatingGp, 'no')
  t.same(booking.bookedBy, { id: reg.id, name: 'Dr regulator' })
  t.equal(booking.bookedAt, '2026-06-01T10:00:00+02:00')
  t.same(await slotRow(db, slot.id), { status: 'booked', booking_id: booking.id, hold_by: null })
  const bookedEvent = await liveGp.waitFor((f) => f.event === 'slot.booked')
  t.equal(bookedEvent.slot.bookingId, booking.id)
  t.equal(JSON.stringify(bookedEvent).includes('Martin'), false, 'no patient identity in events')

  // A booked slot: no hold (SLOT_TAKEN), no withdrawal (SLOT_BOOKED).
  const hold = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: reg.cookie } })
  t.equal(hold.statusCode, 409)
  t.equal(hold.json().code, 'SLOT_TAKEN')
  const withdraw = await app.inject({ method: 'DELETE', url: `/api/slots/${slot.id}`, headers: { cookie: gp.cookie } })
  t.equal(withdraw.statusCode, 409)
  t.equal(withdraw.json().code, 'SLOT_BOOKED')
  const withdrawByAdmin = await app.inject({ method: 'DELETE', url: `/api/slots/${slot.id}`, headers: { cookie: terr.adminCookie } })
  t.equal(withdrawByAdmin.json().code, 'SLOT_BOOKED')

  // Another practitioner: neither withdraw, cancel, nor record an outcome.
  const w2 = await app.inject({ method: 'DELETE', url: `/api/slots/${slot.id}`, headers: { cookie: gp2.cookie } })
  t.equal(w2.statusCode, 403)
  t.equal(w2.json().code, 'FORBIDDEN')
  const c2 = await app.inject({ method: 'POST', url: `/api/bookings/${booking.id}/cancel`, headers: { cookie: gp2.cookie }, payload: { reason: 'x' } })
  t.equal(c2.statusCode, 403)
  const o2 = await app.inject({ method: 'POST', url: `/api/bookings/${booking.id}/outcome`, headers: { cookie: gp2.cookie }, payload: { outcome: 'honored' } })
  t.equal(o2.statusCode, 403)
  t.equal(o2.json().code, 'FORBIDDEN')
  const oReg = await app.inject({ method: 'POST', url: `/api/bookings/${booking.id}/outcome`, headers: { cookie: reg.cookie }, payload: { outcome: 'honored' } })
  t.equal(oReg.statusCode, 403, 'regulators do not record outcomes')

  // Cancel: the slot is back in the pool, live.
  const cancel = await app.inject({ method: 'POST', url: `/api/bookings/${booking.id}/cancel`, headers: { cookie: reg.cookie }, payload: { reason: 'le patient a trouvé un autre rendez-vous' } })
  t.equal(cancel.statusCode, 200, 'HTTP 200', { body: cancel.body })
  t.equal(cancel.json().status, 'cancelled')
  t.equal(cancel.json().cancelReason, 'le patient a trouvé un autre rendez-vous')
  t.equal(cancel.json().cancelledAt, '2026-06-01T10:00:00+02:00')
  const ev = await live.waitFor((f) => f.event === 'booking.cancelled')
  t.equal(ev.slot.id, slot.id)
  t.equal(ev.slot.status, 'free', 'the socket sees the slot free again')
  t.equal(ev.slot.bookingId, undefined)
  t.same(await slotRow(db, slot.id), { status: 'free', booking_id: null, hold_by: null })
  const again = await app.inject({ method: 'POST', url: `/api/bookings/${booking.id}/cancel`, headers: { cookie: reg.cookie }, payload: { reason: 'encore' } })
  t.equal(again.statusCode, 409, 'cancelling a cancelled booking')
  t.equal(again.json().code, 'BOOKING_ALREADY_CANCELLED')
  const outcomeCancelled = await app.inject({ method: 'POST', url: `/api/bookings/${booking.id}/outcome`, headers: { cookie: gp.cookie }, payload: { outcome: 'honored' } })
  t.equal(outcomeCancelled.statusCode, 409, 'no outcome for a cancelled booking')

  // Booked again by someone else; then its practitioner cancels over HTTP, a regulator rebooks over the socket.
  const b2 = await book(app, reg.cookie, slot.id, { ...BOOKING, patient: { ...PATIENT, firstName: 'Bruno' } })
  t.equal(b2.statusCode, 201, 'the slot can be booked again')
  t.not(b2.json().id, booking.id)
  const byGp = await app.inject({ method: 'POST', url: `/api/bookings/${b2.json().id}/cancel`, headers: { cookie: gp.cookie }, payload: { reason: 'cabinet fermé' } })
  t.equal(byGp.statusCode, 200, 'its practitioner cancels')
  t.same(byGp.json().patient, { ...PATIENT, firstName: 'Bruno' }, 'and sees the patient')
  const viaWs = await live.command({ type: 'book', slotId: slot.id, booking: BOOKING })
  t.equal(viaWs.ok, true, JSON.stringify(viaWs))
  const cancelWs = await live.command({ type: 'cancel', bookingId: viaWs.result.id, reason: 'doublon' })
  t.equal(cancelWs.ok, true)
  t.equal(cancelWs.result.status, 'cancelled')
  const cancelWs2 = await live.command({ type: 'cancel', bookingId: viaWs.result.id, reason: 'doublon' })
  t.equal(cancelWs2.ok, false)
  t.equal(cancelWs2.error.statusCode, 409)
  t.equal(cancelWs2.error.code, 'BOOKING_ALREADY_CANCELLED', 'the socket answers with the same code')
  const final = await book(app, reg.cookie, slot.id)
  t.equal(final.statusCode, 201)
  const liveRows = await db.selectFrom('bookings').select('status').where('slot_id', '=', slot.id).execute()
  t.same(liveRows.map((r) => r.status).sort(), ['booked', 'cancelled', 'cancelled', 'cancelled'])

  // Outcome: not before the slot starts; then honored, by its practitioner.
  const early = await app.inject({ method: 'POST', url: `/api/bookings/${final.json().id}/outcome`, headers: { cookie: gp.cookie }, payload: { outcome: 'honored' } })
  t.equal(early.statusCode, 409)
  t.equal(early.json().code, 'OUTCOME_TOO_EARLY')
  clock.set('2026-06-02T10:05:00.000Z') // 12:05 in Paris, during the slot
  const cancelledStarted = await app.inject({ method: 'POST', url: `/api/bookings/${booking.id}/outcome`, headers: { cookie: gp.cookie }, payload: { outcome: 'honored' } })
  t.match(cancelledStarted.json(), { statusCode: 409, code: 'BOOKING_ALREADY_CANCELLED' }, 'once started, a cancelled booking takes no outcome either')
  const late = await app.inject({ method: 'POST', url: `/api/bookings/${final.json().id}/outcome`, headers: { cookie: gp.cookie }, payload: { outcome: 'honored' } })
  t.equal(late.statusCode, 200, 'HTTP 200', { body: late.body })
  t.equal(late.json().status, 'honored')
  t.equal(late.json().outcomeAt, '2026-06-02T12:05:00+02:00')
  t.same(late.json().patient, PATIENT)
  await liveGp.waitFor((f) => f.event === 'booking.outcome' && f.slot.id === slot.id)
  const fix = await app.inject({ method: 'POST', url: `/api/bookings/${final.json().id}/outcome`, headers: { cookie: terr.adminCookie }, payload: { outcome: 'no_show' } })
  t.equal(fix.statusCode, 200, 'an admin corrects the outcome')
  t.equal(fix.json().status, 'no_show')
  t.equal(fix.json().patient, undefined, 'an admin does not see the patient')
  const closed = await app.inject({ method: 'POST', url: `/api/bookings/${final.json().id}/cancel`, headers: { cookie: reg.cookie }, payload: { reason: 'trop tard' } })
  t.equal(closed.statusCode, 409, 'a booking with its outcome cannot be cancelled')
  t.equal(closed.json().code, 'BOOKING_CLOSED')
  const unknown = await app.inject({ method: 'POST', url: '/api/bookings/nope/cancel', headers: { cookie: reg.cookie }, payload: { reason: 'x' } })
  t.equal(unknown.statusCode, 404)

  // A slot that has started cannot be booked nor held.
  const started = await publishSlot(app, gp.cookie, '2026-06-02T12:30:00+02:00', '2026-06-02T12:45:00+02:00')
  clock.set('2026-06-02T10:31:00.000Z')
  const lateBook = await book(app, reg.cookie, started.id)
  t.equal(lateBook.statusCode, 409)
  t.equal(lateBook.json().code, 'SLOT_TAKEN')
  const lateHold = await app.inject({ method: 'POST', url: `/api/slots/${started.id}/hold`, headers: { cookie: reg.cookie } })
  t.equal(lateHold.json().code, 'SLOT_TAKEN')
  t.equal((await slotRow(db, started.id)).status, 'free')
})

t.test('a booking cancelled after its slot started does not offer the slot again', async (t) => {
  const { app, db, clock } = await build(t, LONG_SESSIONS)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:30:00+02:00')
  const b = await book(app, terr.users.regulator.cookie, slot.id)
  t.equal(b.statusCode, 201)
  clock.set('2026-06-02T10:10:00.000Z')
  const cancel = await app.inject({ method: 'POST', url: `/api/bookings/${b.json().id}/cancel`, headers: { cookie: terr.users.regulator.cookie }, payload: { reason: 'le patient ne viendra pas' } })
  t.equal(cancel.statusCode, 200, 'HTTP 200', { body: cancel.body })
  t.equal(cancel.json().status, 'cancelled')
  const again = await book(app, terr.users.regulator.cookie, slot.id)
  t.equal(again.statusCode, 409, 'a started slot cannot be booked again')
  t.equal(again.json().code, 'SLOT_TAKEN')
  t.equal((await db.selectFrom('bookings').select('id').where('slot_id', '=', slot.id).where('status', '!=', 'cancelled').execute()).length, 0)
})

t.test('patient identity: who sees it, and the audit trail', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const { gp, gp2, regulator: reg, board } = terr.users
  const slot = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const slot2 = await publishSlot(app, gp2.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const b = await book(app, reg.cookie, slot.id)
  t.equal(b.statusCode, 201)
  const b2 = await book(app, reg.cookie, slot2.id, { ...BOOKING, patient: { ...PATIENT, lastName: 'Petit' } })
  t.equal(b2.statusCode, 201)

  const created = await audit(db, 'booking.create')
  t.same(created.map((a) => [a.user_id, a.subject_type, a.subject_id]), [[reg.id, 'booking', b.json().id], [reg.id, 'booking', b2.json().id]], 'each booking creation is audited')
  t.equal(created.some((a) => String(a.detail).includes('Martin') || String(a.detail).includes('0612')), false, 'the audit names fields, never values')

  const list = async (cookie: string) => await app.inject({ method: 'GET', url: '/api/bookings', headers: { cookie } })
  const asReg = await list(reg.cookie)
  t.equal(asReg.statusCode, 200)
  t.same(asReg.json().map((x: any) => [x.id, x.patient?.lastName]), [[b.json().id, 'Martin'], [b2.json().id, 'Petit']], 'a regulator sees every booking with the patient')
  t.equal(asReg.json()[0].reason, BOOKING.reason)
  let reads = await audit(db, 'booking.read')
  t.equal(reads.length, 1, 'the read is audited')
  t.equal(reads[0].user_id, reg.id)
  t.same(JSON.parse(reads[0].detail).bookingIds.sort(), [b.json().id, b2.json().id].sort())

  const asGp = await list(gp.cookie)
  t.same(asGp.json().map((x: any) => [x.id, x.patient?.lastName]), [[b.json().id, 'Martin']], "its practitioner sees its own booking with the patient, not the other's")
  reads = await audit(db, 'booking.read')
  t.equal(reads.length, 2)
  t.equal(reads[1].user_id, gp.id)

  const asGp2 = await list(gp2.cookie)
  t.same(asGp2.json().map((x: any) => x.id), [b2.json().id], "another practitioner does not see gp's booking")
  t.equal(asGp2.json()[0].patient.lastName, 'Petit')
  t.equal((await audit(db, 'booking.read')).length, 3)

  const asAdmin = await list(terr.adminCookie)
  t.equal(asAdmin.statusCode, 200)
  t.equal(asAdmin.json().length, 2)
  t.ok(asAdmin.json().every((x: any) => !('patient' in x) && x.reason === null), 'an admin sees bookings without the patient')
  t.equal((await audit(db, 'booking.read')).length, 3, 'a read without identity is not a read of identity')

  const asPsy = await list(terr.users.psy.cookie)
  t.same(asPsy.json(), [], 'a practitioner without bookings sees none')
  t.equal((await audit(db, 'booking.read')).length, 3)

  for (const url of ['/api/slots', '/api/bookings', '/api/live']) {
    const res = await app.inject({ method: 'GET', url, headers: { cookie: board.cookie } })
    t.equal(res.statusCode, 403, `board: GET ${url}`)
    t.equal(res.json().code, 'FORBIDDEN')
  }
  await t.rejects(openLive(app, board.cookie), 'the board cannot open the live socket')
  const anon = await app.inject({ method: 'GET', url: '/api/bookings' })
  t.equal(anon.statusCode, 401)
})

t.test('a bad booking body is refused with details, nothing written', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const reg = terr.users.regulator
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const before = await countRows(db, BOOKING_TABLES)
  const bad: Array<[string, unknown, string]> = [
    ['missing patient', { hasTreatingGp: 'no' }, 'patient'],
    ['bad birthDate', { ...BOOKING, patient: { ...PATIENT, birthDate: '02/01/1980' } }, 'birthDate'],
    ['impossible birthDate', { ...BOOKING, patient: { ...PATIENT, birthDate: '1980-02-30' } }, 'birthDate'],
    ['bad phone', { ...BOOKING, patient: { ...PATIENT, phone: '12345' } }, 'phone'],
    ['empty last name', { ...BOOKING, patient: { ...PATIENT, lastName: '  ' } }, 'lastName'],
    ['bad hasTreatingGp', { ...BOOKING, hasTreatingGp: 'peut-être' }, 'hasTreatingGp']
  ]
  for (const [label, body, field] of bad) {
    const res = await book(app, reg.cookie, slot.id, body)
    t.equal(res.statusCode, 400, label, { body: res.body })
    t.equal(res.json().code, 'VALIDATION')
    t.ok(res.json().details.some((d: any) => d.path.includes(field)), `${label}: details name ${field}`)
  }
  const noBody = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: reg.cookie, 'content-type': 'application/json' }, payload: '{"patient":' })
  t.equal(noBody.statusCode, 400, 'unparsable JSON')
  t.equal(noBody.json().code, 'VALIDATION')
  t.same(await countRows(db, BOOKING_TABLES), before, 'nothing written')
  t.same(await slotRow(db, slot.id), { status: 'free', booking_id: null, hold_by: null })
  const unknownSlot = await book(app, reg.cookie, 'no-such-slot')
  t.equal(unknownSlot.statusCode, 404)
  const byGp = await book(app, terr.users.gp.cookie, slot.id)
  t.equal(byGp.statusCode, 403, 'practitioners do not book')
  t.same(await countRows(db, BOOKING_TABLES), before)
})

t.test('the call log', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const reg = terr.users.regulator
  const call = async (payload: Record<string, unknown>, cookie = reg.cookie) => await app.inject({ method: 'POST', url: '/api/calls', headers: { cookie }, payload })

  const none = await call({ outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'no' })
  t.equal(none.statusCode, 201, 'HTTP 201', { body: none.body })
  t.match(none.json(), { outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'no', bookingId: null, at: '2026-06-01T10:00:00+02:00' }, "answered with the territory's offset")
  t.equal((await db.selectFrom('calls').select('at').executeTakeFirstOrThrow()).at, '2026-06-01T08:00:00.000Z', 'stored in UTC')
  const cptsRe = await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name: 'CPTS Sud Réunion', timezone: 'Indian/Reunion' } })
  const reunion = await call({ outcome: 'no_slot', kind: 'psy', hasTreatingGp: 'unknown', cptsId: cptsRe.json().id })
  t.equal(reunion.statusCode, 201, 'HTTP 201', { body: reunion.body })
  t.equal(reunion.json().at, '2026-06-01T12:00:00+04:00', "a call of a Réunion CPTS in Réunion's offset")
  const missing = await call({ outcome: 'booked', kind: 'snp', hasTreatingGp: 'no' })
  t.equal(missing.statusCode, 400, 'booked without bookingId')
  t.equal(missing.json().code, 'VALIDATION')
  t.ok(missing.json().details.some((d: any) => d.path.includes('bookingId')))
  const unknown = await call({ outcome: 'booked', kind: 'snp', hasTreatingGp: 'no', bookingId: 'no-such-booking' })
  t.equal(unknown.statusCode, 400, 'unknown bookingId')
  t.equal(unknown.json().code, 'VALIDATION')
  const badCommune = await call({ outcome: 'advice', kind: 'snp', hasTreatingGp: 'yes', communeCode: '99999' })
  t.equal(badCommune.statusCode, 400)
  const badCpts = await call({ outcome: 'advice', kind: 'snp', hasTreatingGp: 'yes', cptsId: 'nope' })
  t.equal(badCpts.statusCode, 400)
  t.equal((await db.selectFrom('calls').select('id').execute()).length, 2, 'refused calls wrote nothing')

  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const b = await book(app, reg.cookie, slot.id)
  const booked = await call({ outcome: 'booked', kind: 'snp', hasTreatingGp: 'no', bookingId: b.json().id, communeCode: '85234', cptsId: terr.cpts[0]!.id })
  t.equal(booked.statusCode, 201, 'HTTP 201', { body: booked.body })
  t.equal(booked.json().bookingId, b.json().id)
  t.equal(booked.json().at, '2026-06-01T10:00:00+02:00')
  const byGp = await call({ outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'no' }, terr.users.gp.cookie)
  t.equal(byGp.statusCode, 403, 'only regulators log calls')
  t.equal((await db.selectFrom('calls').select('id').execute()).length, 3)
})
