// The patient's rights cover the waiting list (issue 25): the admin's search and exports return
// the patient's requests beside their bookings, matched by the same key; the erasure erases
// their identity, callback phone and reasons in the same transaction as the bookings', ends an
// open request as withdrawn (a request.ended, so no list shows it open, and the slot its claim
// held freed), and writes one audit entry naming them; a refused erasure changes nothing.
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { PATIENT_CSV_HEADERS } from '../server/features/patients/patient-csv.js'
import { ERASURE_END_REASON } from '../server/features/patients/patients-service.js'
import { PatientBookings, PatientErasure, PatientExport } from '../shared/schemas/patients.js'
import { build } from './helpers/build.js'
import { territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'
import { addRequest, call, COMMUNES, publishAt } from './helpers/waiting-list.js'

const ENV = { HOLD_SECONDS: '120', HOLD_SWEEP_MS: '20', SESSION_HOURS: '2160' }

// Strings found nowhere else, to look for in the database.
const YSA = { lastName: 'Quéméner-Hervé', firstName: 'Ysalinette', birthDate: '1979-04-05', phone: '06 21 22 23 24' }
/** Same birth date, another name: must be left as it is. */
const OTHER = { lastName: 'Kerbrat', firstName: 'Gwenaëlle', birthDate: '1979-04-05', phone: '06 31 32 33 34' }
/** Someone with a request and no booking. */
const SOLO = { lastName: 'Le Guennec', firstName: 'Soazig', birthDate: '1990-09-09', phone: '06 41 42 43 44' }
const BOOKING_REASON = 'Réservationtemoinysa entorse'
const OPEN_REASON = 'Demandeouvertetemoin toux'
const EXPIRED_REASON = 'Demandeexpireetemoin fièvre'

const fileHas = (path: string, needle: string): boolean =>
  [path, `${path}-wal`].some((p) => existsSync(p) && readFileSync(p).includes(Buffer.from(needle, 'utf8')))

t.test('the admin finds, exports and erases the waiting-list requests of one patient', async (t) => {
  const { app, db, clock, config } = await build(t, ENV)
  const terr = await territory(app)
  const { gp, regulator } = terr.users
  const reg = regulator.cookie
  const admin = terr.adminCookie
  const adminId = (await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: admin } })).json().user.id

  // One booking, and two requests: one that will expire (today's window), one still open.
  const slot = await publishAt(app, gp.cookie, '2026-06-01T15:00:00+02:00')
  const booked = await call(app, reg, 'POST', `/api/slots/${slot.id}/booking`, { patient: YSA, reason: BOOKING_REASON, hasTreatingGp: 'yes' })
  t.equal(booked.status, 201)
  const booking = booked.json
  const expiring = await addRequest(app, reg, { patient: YSA, reason: EXPIRED_REASON, until: '2026-06-01' })
  clock.set('2026-06-01T08:05:00.000Z')
  const open = await addRequest(app, reg, { patient: { ...YSA, lastName: 'QUEMENER HERVE' }, reason: OPEN_REASON, until: '2026-06-05', modes: ['office', 'video'], communeCode: COMMUNES.epci, kind: 'snp' })
  const other = await addRequest(app, reg, { patient: OTHER })
  const solo = await addRequest(app, reg, { patient: SOLO })

  // Midnight passes in Paris: the first window has ended.
  clock.set('2026-06-01T22:00:01.000Z')
  await app.waitingList.expire()
  t.equal((await call(app, reg, 'GET', `/api/waiting-list/${expiring.id}`)).json.status, 'expired')
  // A regulator takes the open one in hand, holding a slot that answers it.
  const held = await publishAt(app, gp.cookie, '2026-06-02T09:00:00+02:00')
  const claimed = await call(app, reg, 'POST', `/api/waiting-list/${open.id}/claim`, { slotId: held.id })
  t.equal(claimed.status, 200, JSON.stringify(claimed.json))

  const post = async (path: string, payload: object) =>
    await app.inject({ method: 'POST', url: `/api/admin/patients/${path}`, headers: { cookie: admin }, payload })
  const key = { lastName: 'quemener herve', firstName: 'YSALINETTE', birthDate: YSA.birthDate }

  t.test('search: the requests beside the bookings, matched by the same key', async (t) => {
    const res = await post('search', key)
    t.equal(res.statusCode, 200, res.body)
    const found = PatientBookings.parse(res.json())
    t.same(found.bookings.map((b) => b.id), [booking.id], 'the booking, as before')
    t.same(found.requests.map((r) => r.id), [expiring.id, open.id], 'both requests, in the order they were made (names folded as for bookings)')
    t.same(found.requests[0], {
      id: expiring.id,
      status: 'expired',
      createdAt: '2026-06-01T10:00:00+02:00',
      createdBy: { id: regulator.id, name: found.requests[0]!.createdBy!.name },
      cpts: null,
      callId: null,
      place: { communeCode: COMMUNES.same, commune: 'Saint-Jean-de-Monts', epci: '248500258', departement: '85' },
      kind: 'snp',
      modes: ['office'],
      notAfter: '2026-06-02T00:00:00+02:00',
      hasTreatingGp: 'no',
      patient: { lastName: YSA.lastName, firstName: YSA.firstName, birthDate: YSA.birthDate, phone: YSA.phone },
      reason: EXPIRED_REASON,
      endedAt: '2026-06-02T00:00:01+02:00',
      endReason: null,
      bookingId: null
    })
    t.match(found.requests[1], {
      status: 'open', createdAt: '2026-06-01T10:05:00+02:00', modes: ['office', 'video'], notAfter: '2026-06-06T00:00:00+02:00',
      place: { communeCode: COMMUNES.epci, commune: 'Notre-Dame-de-Monts' }, patient: { lastName: 'QUEMENER HERVE', phone: YSA.phone },
      reason: OPEN_REASON, endedAt: null
    })
    const lastNameOnly = PatientBookings.parse((await post('search', { lastName: 'Quéméner Hervé', birthDate: YSA.birthDate })).json())
    t.same(lastNameOnly.requests.map((r) => r.id), [expiring.id, open.id], 'without the first name: the same')
    t.same(PatientBookings.parse((await post('search', { ...key, firstName: 'Paul' })).json()).requests, [], 'another first name: none')
    t.same(PatientBookings.parse((await post('search', { ...key, birthDate: '1979-04-06' })).json()).requests, [], 'another birth date: none')
  })

  t.test('export: the requests in the JSON file and as lines of the CSV', async (t) => {
    const json = await post('export', { ...key, format: 'json' })
    t.equal(json.statusCode, 200, json.body)
    const file = PatientExport.parse(json.json())
    const shown = PatientBookings.parse((await post('search', key)).json())
    t.same(file.requests, shown.requests, 'the requests the search shows')
    t.same(file.bookings, shown.bookings)

    const csv = await post('export', { ...key, format: 'csv' })
    t.equal(csv.statusCode, 200)
    const rows: string[][] = parse(csv.body, { bom: true, delimiter: ';' })
    t.same(rows[0], [...PATIENT_CSV_HEADERS])
    t.equal(rows[0]!.indexOf('Réservation'), 0, 'the bookings\' columns first, where they always were')
    t.equal(rows[0]!.indexOf('CPTS'), 18)
    t.equal(rows.length, 4, 'a header, one booking, two requests')
    t.same(rows[1]!.slice(0, 7), [booking.id, 'réservé', YSA.lastName, YSA.firstName, YSA.birthDate, YSA.phone, BOOKING_REASON])
    t.same(rows[1]!.slice(19), ['', '', '', '', '', '', '', '', ''], 'a booking leaves the request\'s columns empty')
    const col = (name: string): number => rows[0]!.indexOf(name)
    const [expiredLine, openLine] = [rows[2]!, rows[3]!]
    t.same([expiredLine[col('Réservation')], expiredLine[col('Statut')], expiredLine[col('Nom')], expiredLine[col('Téléphone')], expiredLine[col('Motif')], expiredLine[col('Type')]],
      ['', 'expirée', YSA.lastName, YSA.phone, EXPIRED_REASON, 'SNP'])
    t.same([expiredLine[col('Demande (liste d’attente)')], expiredLine[col('Inscrit le')], expiredLine[col('Commune')], expiredLine[col('Fin de la fenêtre')], expiredLine[col('Demande terminée le')]],
      [expiring.id, '2026-06-01 10:00:00', 'Saint-Jean-de-Monts (85234)', '2026-06-02 00:00:00', '2026-06-02 00:00:01'])
    t.same([openLine[col('Statut')], openLine[col('Demande (liste d’attente)')], openLine[col('Modes acceptés')], openLine[col('Motif')], openLine[col('Demande terminée le')]],
      ['en attente', open.id, 'cabinet, téléconsultation', OPEN_REASON, ''])
  })

  t.test('a refused erasure changes nothing', async (t) => {
    const snapshot = async () => ({
      requests: await db.selectFrom('waiting_requests').selectAll().orderBy('id').execute(),
      bookings: await db.selectFrom('bookings').selectAll().orderBy('id').execute(),
      slots: await db.selectFrom('slots').select(['id', 'status', 'hold_by']).orderBy('id').execute(),
      events: (await db.selectFrom('events').select('seq').execute()).length,
      erasures: (await db.selectFrom('audit_log').select('id').where('action', '=', 'patient.erase').execute()).length
    })
    const before = await snapshot()
    const refusals: Array<[string, object, number, string]> = [
      ['nothing listed', { ...key }, 400, 'VALIDATION'],
      ['empty lists', { ...key, bookingIds: [], requestIds: [] }, 400, 'VALIDATION'],
      ['a request id that is no id', { ...key, requestIds: [open.id, 42] }, 400, 'VALIDATION'],
      ['another patient\'s request among them', { ...key, bookingIds: [booking.id], requestIds: [expiring.id, open.id, other.id] }, 409, 'PATIENT_REQUESTS_CHANGED'],
      ['an unknown request', { ...key, requestIds: ['nope'] }, 409, 'PATIENT_REQUESTS_CHANGED'],
      ['another patient\'s key for these', { ...key, firstName: OTHER.firstName, requestIds: [open.id] }, 409, 'PATIENT_REQUESTS_CHANGED']
    ]
    for (const [what, body, status, code] of refusals) {
      const res = await post('erase', body)
      t.equal(res.statusCode, status, what)
      t.equal(res.json().code, code, what)
    }
    t.same(await snapshot(), before, 'no row of a request or a booking changed, no event, no erasure audited')

    // A failure at the very end of the erasure (after every write, its audit entry included: the
    // unit of work's last hook, run because the claim's slot was freed): all of it rolls back.
    const unhook = app.slots.unitOfWork.beforeCommit(async () => { throw new Error('the disk is full') })
    try {
      const res = await post('erase', { ...key, bookingIds: [booking.id], requestIds: [expiring.id, open.id] })
      t.equal(res.statusCode, 500)
    } finally {
      unhook()
    }
    t.same(await snapshot(), before, 'a failing erasure leaves nothing half-written')
    t.same(PatientBookings.parse((await post('search', key)).json()).requests.map((r) => [r.id, r.status]), [[expiring.id, 'expired'], [open.id, 'open']], 'the patient is found as before')
  })

  t.test('the API description names the new fields', async (t) => {
    const paths = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json().paths
    t.match(JSON.stringify(paths['/api/admin/patients/erase']), /requestIds[\s\S]*requestsEnded/)
    t.match(JSON.stringify(paths['/api/admin/patients/search']), /"requests"/)
  })

  t.test('erase: identity and reasons gone, the open request ended, the rest untouched', async (t) => {
    const live = await openLive(app, reg)
    t.teardown(() => live.close())
    await live.waitFor((f) => f.type === 'snapshot')
    t.same((await call(app, reg, 'GET', '/api/waiting-list')).json.requests.map((r: any) => r.id).sort(), [open.id, other.id, solo.id].sort())
    const report = async () => (await app.inject({ method: 'GET', url: '/api/reports/waiting-list?from=2026-06-01&to=2026-06-30', headers: { cookie: admin } })).json().totals

    const res = await post('erase', { ...key, bookingIds: [booking.id], requestIds: [expiring.id, open.id] })
    t.equal(res.statusCode, 200, res.body)
    t.same(PatientErasure.parse(res.json()), { erased: 1, bookingIds: [booking.id], requestsErased: 2, requestIds: [expiring.id, open.id], requestsEnded: [open.id] })

    const ended = await live.waitFor((f) => f.event === 'request.ended' && f.request.id === open.id, 'the open request ended, live')
    t.equal(ended.request.status, 'withdrawn')
    t.notOk(JSON.stringify(live.frames).includes(YSA.phone) || JSON.stringify(live.frames).includes('QUEMENER'), 'no patient in the frames')
    await live.waitFor((f) => f.event === 'slot.released' && f.slot.id === held.id, 'the slot its claim held is free again')
    t.same((await call(app, reg, 'GET', '/api/waiting-list')).json.requests.map((r: any) => r.id).sort(), [other.id, solo.id].sort(), 'the list no longer shows it')
    t.equal((await call(app, reg, 'POST', `/api/waiting-list/${open.id}/booking`, { slotId: held.id })).json.code, 'REQUEST_ENDED', 'nor may it be booked')

    const rows = await db.selectFrom('waiting_requests').selectAll().where('id', 'in', [expiring.id, open.id]).orderBy('created_at').execute()
    t.same(rows.map((r) => [r.status, r.patient_last_name, r.patient_first_name, r.patient_birth_date, r.patient_phone, r.reason, r.end_reason]), [
      ['expired', null, null, null, null, null, null],
      ['withdrawn', null, null, null, null, null, ERASURE_END_REASON]
    ], 'no identity, phone or reason left; the open one withdrawn, saying why')
    t.match(rows[1], { ended_by: adminId, ended_at: '2026-06-01T22:00:01.000Z', claim_by: null, claim_slot_id: null })
    t.match(rows[0], { commune_code: COMMUNES.same, kind: 'snp', modes: 'office' }, 'what the board counts stays')
    t.same(await report(), { made: 4, recovered: 0, expired: 1, withdrawn: 1, open: 2 }, 'the board counts the request as withdrawn')
    const all = JSON.stringify(await db.selectFrom('waiting_requests').selectAll().execute())
    for (const needle of [YSA.firstName, YSA.phone, OPEN_REASON, EXPIRED_REASON, 'QUEMENER', 'Quéméner']) {
      t.notOk(all.includes(needle), `no "${needle}" in waiting_requests`)
    }
    const [otherRow, soloRow] = await Promise.all([other.id, solo.id].map(async (id) => await db.selectFrom('waiting_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow()))
    t.match(otherRow, { status: 'open', patient_last_name: OTHER.lastName, patient_phone: OTHER.phone, patient_birth_date: OTHER.birthDate }, 'the other patient of the same birth date is untouched')
    t.match(soloRow, { status: 'open', patient_last_name: SOLO.lastName })
    t.match(await db.selectFrom('bookings').selectAll().where('id', '=', booking.id).executeTakeFirstOrThrow(), { status: 'booked', patient_last_name: null, patient_phone: null, reason: null })

    const after = PatientBookings.parse((await post('search', key)).json())
    t.same([after.bookings, after.requests], [[], []], 'the patient is found no more')
    t.equal((await post('erase', { ...key, requestIds: [open.id] })).json().code, 'PATIENT_REQUESTS_CHANGED', 'erased already: nothing to erase')
    if (config.databaseUrl === null) {
      for (const needle of [YSA.firstName, OPEN_REASON, EXPIRED_REASON]) t.notOk(fileHas(config.dbFile, needle), `"${needle}" is nowhere in the SQLite file nor its WAL`)
    }
  })

  t.test('a patient with requests only: erased by their ids alone', async (t) => {
    const soloKey = { lastName: SOLO.lastName, birthDate: SOLO.birthDate }
    const found = PatientBookings.parse((await post('search', soloKey)).json())
    t.same([found.bookings, found.requests.map((r) => r.id)], [[], [solo.id]])
    const res = await post('erase', { ...soloKey, requestIds: [solo.id] })
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { erased: 0, bookingIds: [], requestsErased: 1, requestIds: [solo.id], requestsEnded: [solo.id] })
    t.match(await db.selectFrom('waiting_requests').selectAll().where('id', '=', solo.id).executeTakeFirstOrThrow(), { status: 'withdrawn', patient_last_name: null, patient_phone: null, reason: null })
  })

  t.test('each is audited, naming the bookings and requests, never the patient', async (t) => {
    const entries = await db.selectFrom('audit_log').selectAll().where('action', 'like', 'patient.%').orderBy('id').execute()
    const detail = (e: { detail: string | null }) => JSON.parse(e.detail ?? '{}')
    const searches = entries.filter((e) => e.action === 'patient.search')
    t.same(detail(searches[0]!), { patientSearch: true, bookingIds: [booking.id], requestIds: [expiring.id, open.id] }, 'a search names what it showed')
    t.same(entries.filter((e) => e.action === 'patient.export').map((e) => detail(e)), [
      { patientSearch: true, bookingIds: [booking.id], requestIds: [expiring.id, open.id], format: 'json' },
      { patientSearch: true, bookingIds: [booking.id], requestIds: [expiring.id, open.id], format: 'csv' }
    ])
    const erasures = entries.filter((e) => e.action === 'patient.erase')
    t.equal(erasures.length, 2, 'the two erasures (the refused ones wrote nothing)')
    t.match(erasures[0], { user_id: adminId, subject_type: 'patient' })
    t.same(detail(erasures[0]!), { patientSearch: true, bookingIds: [booking.id], erased: 1, requestIds: [expiring.id, open.id], requestsErased: 2, requestsEnded: [open.id] })
    const everything = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute())
    for (const needle of ['Quéméner', 'QUEMENER', 'quemener', YSA.firstName, YSA.phone, OPEN_REASON, EXPIRED_REASON, SOLO.lastName]) {
      t.notOk(everything.includes(needle), `no "${needle}" in the audit log`)
    }
  })
})
