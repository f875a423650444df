// Issue 25, the waiting list: a call that found no slot goes on the list; refusals are coded and
// write nothing; a request is booked from the list (linked to its booking), withdrawn, or expired
// by the server's own sweeper on the injected clock; its patient never leaves the regulators
// (lists, events to practitioners, the event log, the board) and the retention purge erases it.
import t from 'tap'
import { build } from './helpers/build.js'
import { countRows, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'
import { addRequest, call, COMMUNES, publishAt, requestBody, WAITING_PATIENT, WAITING_REASON } from './helpers/waiting-list.js'
import { purgePatientData } from '../server/features/retention/patient-data-purge.js'

const ENV = { HOLD_SECONDS: '120', HOLD_SWEEP_MS: '20', SESSION_HOURS: '2160' }
const TABLES = ['waiting_requests', 'events', 'audit_log', 'bookings'] as const
/** What must never appear outside the regulators' detail of a request. */
const SECRETS = [WAITING_PATIENT.lastName, WAITING_PATIENT.firstName, WAITING_PATIENT.phone, WAITING_REASON, WAITING_PATIENT.birthDate]

t.test('a no-slot call goes on the list; bad input is refused with a code and writes nothing', async (t) => {
  const { app, db } = await build(t, ENV)
  const terr = await territory(app)
  const reg = terr.users.regulator.cookie
  const noSlot = await call(app, reg, 'POST', '/api/calls', { outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'no', communeCode: COMMUNES.same })
  t.equal(noSlot.status, 201)

  const before = await countRows(db, TABLES)
  const refusals: Array<[string, Record<string, unknown>, number, string]> = [
    ['a window already past', { until: '2026-05-31' }, 400, 'WAITING_WINDOW_PAST'],
    ['a window beyond fourteen days', { until: '2026-06-16' }, 400, 'WAITING_WINDOW_TOO_LONG'],
    ['an unknown commune', { communeCode: '99999' }, 400, 'COMMUNE_UNKNOWN'],
    ['no mode', { modes: [] }, 400, 'VALIDATION'],
    ['a call that was not « aucun créneau »', { callId: 'nope' }, 400, 'VALIDATION'],
    ['a birth date after today', { patient: { ...WAITING_PATIENT, birthDate: '2030-01-01' } }, 400, 'VALIDATION']
  ]
  for (const [what, over, status, code] of refusals) {
    const r = await call(app, reg, 'POST', '/api/waiting-list', requestBody(over))
    t.equal(r.status, status, what)
    t.equal(r.json.code, code, what)
  }
  for (const who of ['gp', 'board'] as const) {
    const r = await call(app, terr.users[who].cookie, 'POST', '/api/waiting-list', requestBody())
    t.equal(r.status, 403, `${who} may not put a patient on the list`)
  }
  t.same(await countRows(db, TABLES), before, 'nothing written by any refusal')

  const created = await addRequest(app, reg, { callId: noSlot.json.id, modes: ['office', 'video'] })
  t.equal(created.status, 'open')
  t.same(created.patient, WAITING_PATIENT, 'the regulator who typed it sees the patient')
  t.equal(created.notAfter, '2026-06-04T00:00:00+02:00', 'the window runs to the end of the chosen day, in the territory’s zone')
  t.same(created.modes, ['office', 'video'])
  t.same(created.place, { communeCode: '85234', commune: 'Saint-Jean-de-Monts', epci: '248500258', departement: '85' })

  const list = await call(app, reg, 'GET', '/api/waiting-list')
  t.equal(list.status, 200)
  t.same(list.json.requests.map((r: any) => r.id), [created.id], 'the open list')
  t.notOk(SECRETS.some((s) => JSON.stringify(list.json).includes(s)), 'the list carries no patient data')

  const reads = async (): Promise<number> => (await db.selectFrom('audit_log').select('id').where('action', '=', 'waiting_request.read').where('subject_id', '=', created.id).execute()).length
  t.equal(await reads(), 0)
  const one = await call(app, reg, 'GET', `/api/waiting-list/${created.id}`)
  t.same(one.json.patient, WAITING_PATIENT)
  t.equal(one.json.reason, WAITING_REASON)
  t.equal(await reads(), 1, 'reading the patient is audited')
  const audit = await db.selectFrom('audit_log').select(['action', 'detail']).where('subject_id', '=', created.id).execute()
  t.same(audit.map((a) => a.action).sort(), ['waiting_request.create', 'waiting_request.read'])
  t.notOk(SECRETS.some((s) => audit.some((a) => (a.detail ?? '').includes(s))), 'the audit names fields, never their values')

  for (const who of ['gp', 'board'] as const) {
    t.equal((await call(app, terr.users[who].cookie, 'GET', '/api/waiting-list')).status, 403, `${who}: no list`)
    t.equal((await call(app, terr.users[who].cookie, 'GET', `/api/waiting-list/${created.id}`)).status, 403, `${who}: no request`)
  }
  t.equal((await call(app, reg, 'GET', '/api/waiting-list/nope')).status, 404)
})

t.test('booked from the list: the slot held with the claim, the booking linked, the request ended; then nothing more', async (t) => {
  const { app, db } = await build(t, ENV)
  const terr = await territory(app)
  const reg = terr.users.regulator.cookie
  const slot = await publishAt(app, terr.users.gp.cookie, '2026-06-02T09:00:00+02:00')
  const other = await publishAt(app, terr.users.gp.cookie, '2026-06-02T10:00:00+02:00', { mode: 'home' })
  const req = await addRequest(app, reg)
  const sReg = await openLive(app, reg)
  t.teardown(() => sReg.close())
  await sReg.waitFor((f) => f.type === 'snapshot')

  const mismatch = await call(app, reg, 'POST', `/api/waiting-list/${req.id}/claim`, { slotId: other.id })
  t.equal(mismatch.status, 409)
  t.equal(mismatch.json.code, 'REQUEST_SLOT_MISMATCH', 'a home visit for a patient who accepts the office only')

  const claimed = await call(app, reg, 'POST', `/api/waiting-list/${req.id}/claim`, { slotId: slot.id })
  t.equal(claimed.status, 200)
  t.equal(claimed.json.request.patient.phone, WAITING_PATIENT.phone, 'the callback number on screen')
  t.same(claimed.json.request.claim, { by: 'me', expiresAt: '2026-06-01T10:02:00+02:00', slotId: slot.id })
  t.equal(claimed.json.expiresAt, '2026-06-01T10:02:00+02:00', 'a claim lasts as a hold')
  const held = await sReg.waitFor((f) => f.event === 'slot.held' && f.slot.id === slot.id)
  t.same(held.slot.hold.by, 'me', 'the slot is held for the claimer')
  const claimEv = await sReg.waitFor((f) => f.event === 'request.claimed')
  t.equal(claimEv.seq, held.seq + 1, 'the hold and the claim: one commit, consecutive seqs')
  t.equal(claimEv.slotId, slot.id)

  const booked = await call(app, reg, 'POST', `/api/waiting-list/${req.id}/booking`, { slotId: slot.id, idempotencyKey: 'k1' })
  t.equal(booked.status, 201, JSON.stringify(booked.json))
  t.same(booked.json.booking.patient, WAITING_PATIENT, 'booked for the request’s patient')
  t.equal(booked.json.booking.reason, WAITING_REASON)
  t.equal(booked.json.request.status, 'booked')
  t.equal(booked.json.request.bookingId, booked.json.booking.id, 'linked to its booking')
  const endEv = await sReg.waitFor((f) => f.event === 'request.ended')
  t.equal(endEv.request.status, 'booked')
  t.equal(endEv.request.bookingId, booked.json.booking.id)
  const again = await call(app, reg, 'POST', `/api/waiting-list/${req.id}/booking`, { slotId: slot.id, idempotencyKey: 'k1' })
  t.equal(again.status, 200, 'the same key again: the same booking')
  t.equal(again.json.booking.id, booked.json.booking.id)

  const before = await countRows(db, TABLES)
  const late = await call(app, reg, 'POST', `/api/waiting-list/${req.id}/booking`, { slotId: other.id })
  t.equal(late.json.code, 'REQUEST_ENDED', 'a request already ended is booked once')
  t.equal((await call(app, reg, 'POST', `/api/waiting-list/${req.id}/withdrawal`, { reason: 'x' })).json.code, 'REQUEST_ENDED')
  t.equal((await call(app, reg, 'POST', `/api/waiting-list/${req.id}/claim`, {})).json.code, 'REQUEST_ENDED')
  t.same(await countRows(db, TABLES), before, 'nothing written')
  t.same((await call(app, reg, 'GET', '/api/waiting-list')).json.requests, [], 'off the open list')
  t.same((await call(app, reg, 'GET', '/api/waiting-list?status=booked')).json.requests.map((r: any) => r.id), [req.id])
})

t.test('withdrawn with a reason; released claims; expired by the server on its clock', async (t) => {
  const { app, clock, db } = await build(t, ENV)
  const terr = await territory(app)
  const reg = terr.users.regulator.cookie
  const today = await addRequest(app, reg, { until: '2026-06-01' })
  const later = await addRequest(app, reg, { until: '2026-06-02' })
  const gone = await addRequest(app, reg)
  const sReg = await openLive(app, reg)
  t.teardown(() => sReg.close())
  await sReg.waitFor((f) => f.type === 'snapshot')

  t.equal((await call(app, reg, 'POST', `/api/waiting-list/${gone.id}/withdrawal`, { reason: '' })).json.code, 'VALIDATION', 'a withdrawal says why')
  const w = await call(app, reg, 'POST', `/api/waiting-list/${gone.id}/withdrawal`, { reason: 'Plus besoin : vu par son médecin' })
  t.equal(w.status, 200)
  t.equal(w.json.status, 'withdrawn')
  const ev = await sReg.waitFor((f) => f.event === 'request.ended' && f.request.id === gone.id)
  t.equal(ev.request.status, 'withdrawn')
  t.equal((await call(app, reg, 'GET', `/api/waiting-list/${gone.id}`)).json.endReason, 'Plus besoin : vu par son médecin')

  const c = await call(app, reg, 'POST', `/api/waiting-list/${later.id}/claim`, {})
  t.equal(c.status, 200)
  const r = await call(app, reg, 'DELETE', `/api/waiting-list/${later.id}/claim`)
  t.equal(r.status, 200)
  t.equal(r.json.claim, undefined, 'released')
  await sReg.waitFor((f) => f.event === 'request.released' && f.request.id === later.id)

  // Midnight passes in Paris: the first window has ended; the server ends it with no request.
  clock.set('2026-06-01T22:00:01.000Z')
  const expired = await sReg.waitFor((f) => f.event === 'request.ended' && f.request.id === today.id, 'the sweeper’s expiry')
  t.equal(expired.request.status, 'expired')
  t.equal(expired.request.endedAt, '2026-06-02T00:00:01+02:00')
  const open = await call(app, reg, 'GET', '/api/waiting-list')
  t.same(open.json.requests.map((x: any) => x.id), [later.id], 'the other is still open')
  t.equal((await call(app, reg, 'POST', `/api/waiting-list/${today.id}/claim`, {})).json.code, 'REQUEST_ENDED')
  t.equal(sReg.frames.filter((f) => f.event === 'request.ended' && f.request.id === today.id).length, 1, 'ended once')
  const audit = await db.selectFrom('audit_log').select(['action', 'subject_id', 'user_id']).where('subject_type', '=', 'waiting_request').orderBy('id').execute()
  t.same(audit.filter((a) => a.subject_id !== today.id && a.action !== 'waiting_request.create').map((a) => a.action),
    ['waiting_request.withdraw', 'waiting_request.read', 'waiting_request.claim', 'waiting_request.release'], 'every change and every read of the patient, audited')
  t.same(audit.filter((a) => a.action === 'waiting_request.expire').map((a) => [a.subject_id, a.user_id]), [[today.id, null]], 'the expiry too, by the server')
})

t.test('privacy: request events reach regulators only, with no patient data; the log, a replay and the purge', async (t) => {
  const { app, db, clock } = await build(t, ENV)
  const terr = await territory(app)
  const reg = terr.users.regulator.cookie
  const sReg = await openLive(app, reg)
  const sGp = await openLive(app, terr.users.gp.cookie)
  const sAdmin = await openLive(app, terr.adminCookie)
  t.teardown(() => { for (const s of [sReg, sGp, sAdmin]) s.close() })
  for (const s of [sReg, sGp, sAdmin]) await s.waitFor((f) => f.type === 'snapshot')

  const req = await addRequest(app, reg)
  const slot = await publishAt(app, terr.users.gp.cookie, '2026-06-02T09:00:00+02:00')
  const matched = await sReg.waitFor((f) => f.event === 'request.matched')
  t.equal(matched.slotId, slot.id)
  for (const s of [sGp, sAdmin]) {
    await s.waitFor((f) => f.event === 'slot.published')
    const seqs = s.frames.filter((f) => f.type === 'event' || f.type === 'skip').map((f) => f.seq)
    t.same(seqs, sReg.frames.filter((f) => f.type === 'event').map((f) => f.seq), 'the same seqs, gapless')
    t.same(s.frames.filter((f) => f.type === 'skip').map((f) => f.seq), sReg.frames.filter((f) => f.event?.startsWith('request.')).map((f) => f.seq), 'request events are skips to them')
    t.notOk(s.frames.some((f) => f.request !== undefined), 'no request sent to a practitioner or an admin')
  }
  const everything = JSON.stringify([sReg.frames, sGp.frames, sAdmin.frames])
  t.notOk(SECRETS.some((s) => everything.includes(s)), 'no patient data in any frame, regulators’ included')
  const log = await db.selectFrom('events').select(['payload', 'type', 'request_id']).execute()
  t.notOk(SECRETS.some((s) => log.some((e) => e.payload.includes(s))), 'none in the event log')
  t.same(log.filter((e) => e.request_id !== null).map((e) => e.type), ['request.created', 'request.matched'])

  // A regulator's page reconnecting: a replay, or a fresh snapshot with the open list.
  const replay = await openLive(app, reg, '?since=0')
  const gpReplay = await openLive(app, terr.users.gp.cookie, '?since=0')
  const fresh = await openLive(app, reg)
  t.teardown(() => { replay.close(); gpReplay.close(); fresh.close() })
  await replay.waitFor((f) => f.event === 'slot.published')
  t.same(replay.frames.map((f) => [f.seq, f.event]), sReg.frames.filter((f) => f.type === 'event').map((f) => [f.seq, f.event]), 'the replay is what was sent live')
  await gpReplay.waitFor((f) => f.event === 'slot.published')
  t.same(gpReplay.frames.map((f) => f.type), ['skip', 'event', 'skip'], 'a practitioner’s replay skips the same seqs')
  const snap = await fresh.waitFor((f) => f.type === 'snapshot')
  t.same(snap.requests.map((r: any) => r.id), [req.id], 'the snapshot carries the open list')
  t.equal(snap.requests[0].patient, undefined)
  const gpSnap = await openLive(app, terr.users.gp.cookie)
  t.teardown(() => gpSnap.close())
  t.equal((await gpSnap.waitFor((f) => f.type === 'snapshot')).requests, undefined, 'a practitioner’s snapshot has no list')

  // The board's report of the season knows nothing of the patient either.
  const report = await app.inject({ method: 'GET', url: '/api/reports/season?from=2026-06-01&to=2026-06-30', headers: { cookie: terr.users.board.cookie } })
  t.equal(report.statusCode, 200)
  t.notOk(SECRETS.some((s) => report.body.includes(s)))

  // The retention purge: once the window ended PATIENT_DATA_MONTHS ago, the patient goes.
  clock.set('2026-09-01T08:00:00.000Z')
  const kept = await purgePatientData(db, clock, 3)
  t.equal(kept.requests, 0, 'not yet: the window ended less than three months ago')
  clock.set('2026-12-01T08:00:00.000Z')
  const purged = await purgePatientData(db, clock, 3)
  t.equal(purged.requests, 1)
  const row = await db.selectFrom('waiting_requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow()
  t.same([row.patient_last_name, row.patient_first_name, row.patient_birth_date, row.patient_phone, row.reason], [null, null, null, null, null], 'erased')
  t.same([row.commune_code, row.kind], [COMMUNES.same, 'snp'], 'what the board counts stays')
})
