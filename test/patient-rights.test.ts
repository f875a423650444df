// Issue 12: the patient's rights, answered by the admin — every booking of one patient (name and
// birth date) shown and exported (right of access), or erased now (right to erasure) as the
// retention purge erases: the bookings stay and the season report does not change. Each is
// audited without the patient's name; no one but the admin may.
import { existsSync, readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import { buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { PATIENT_CSV_HEADERS } from '../server/features/patients/patient-csv.js'
import { PatientBookings, PatientExport } from '../shared/schemas/patients.js'
import { build } from './helpers/build.js'
import { testStorage } from './helpers/database.js'
import { publishSlot, territory } from './helpers/fixtures.js'

// Strings found nowhere else, to look for in the database file.
const ANNE = { lastName: 'Lefèvre-Dupont', firstName: 'Ysoldine', birthDate: '1980-01-02', phone: '06 11 22 33 44' }
const PAUL = { lastName: 'LEFEVRE DUPONT', firstName: 'Paul', birthDate: '1980-01-02', phone: '06 55 66 77 88' }
const OTHER = { lastName: 'Martin', firstName: 'Anne', birthDate: '1975-05-06', phone: '06 12 34 56 78' }
const REASON = 'Otalgiedetemoin depuis trois jours'
const CANCEL = 'Annulationtemoinysoldine rappelée'

const fileHas = (path: string, needle: string): boolean =>
  [path, `${path}-wal`].some((p) => existsSync(p) && readFileSync(p).includes(Buffer.from(needle, 'utf8')))

t.test('the admin finds, exports and erases the bookings of one patient', async (t) => {
  const { app, db, clock, config } = await build(t)
  const terr = await territory(app)
  const { gp, psy, regulator: reg, board } = terr.users
  const admin = { cookie: terr.adminCookie }
  const book = async (cookie: string, start: string, patient: typeof ANNE, reason?: string) => {
    const slot = await publishSlot(app, cookie, start, start.replace(':00:00', ':15:00'), cookie === psy.cookie ? 'psy' : 'snp')
    const res = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: reg.cookie }, payload: { patient, hasTreatingGp: 'no', ...(reason !== undefined ? { reason } : {}) } })
    t.equal(res.statusCode, 201, res.body)
    return res.json()
  }
  const a1 = await book(gp.cookie, '2026-06-01T12:00:00+02:00', ANNE, REASON)
  const a2 = await book(psy.cookie, '2026-06-01T13:00:00+02:00', { ...ANNE, lastName: 'lefevre dupont' })
  const a3 = await book(gp.cookie, '2026-06-01T14:00:00+02:00', ANNE)
  const paul = await book(gp.cookie, '2026-06-01T15:00:00+02:00', PAUL)
  const other = await book(gp.cookie, '2026-06-01T16:00:00+02:00', OTHER)
  t.equal((await app.inject({ method: 'POST', url: `/api/bookings/${a3.id}/cancel`, headers: { cookie: reg.cookie }, payload: { reason: CANCEL } })).statusCode, 200)
  clock.set('2026-06-01T10:30:00Z')
  t.equal((await app.inject({ method: 'POST', url: `/api/bookings/${a1.id}/outcome`, headers: { cookie: gp.cookie }, payload: { outcome: 'honored' } })).statusCode, 200)

  const post = async (path: string, payload: object, cookie = admin.cookie) =>
    await app.inject({ method: 'POST', url: `/api/admin/patients/${path}`, headers: cookie === '' ? {} : { cookie }, payload })
  const anne = { lastName: 'LEFEVRE-DUPONT', firstName: 'ysoldine', birthDate: ANNE.birthDate }

  t.test('no one but the admin', async (t) => {
    for (const who of ['gp', 'regulator', 'board'] as const) {
      for (const [path, body] of [['search', anne], ['export', { ...anne, format: 'csv' }], ['erase', { ...anne, bookingIds: [a1.id] }]] as const) {
        t.equal((await post(path, body, terr.users[who].cookie)).statusCode, 403, `${who} may not ${path}`)
      }
    }
    t.equal((await post('search', anne, '')).statusCode, 401, 'nor anyone signed out')
    t.equal((await post('search', { lastName: 'Lefèvre-Dupont' })).statusCode, 400, 'the birth date is required')
    t.equal((await post('export', { ...anne, format: 'pdf' })).statusCode, 400, 'a JSON or CSV file')
  })

  t.test('search: every booking of the patient, with its slot', async (t) => {
    const res = await post('search', { lastName: 'lefèvre dupont', birthDate: ANNE.birthDate })
    t.equal(res.statusCode, 200, res.body)
    const both = PatientBookings.parse(res.json()).bookings
    t.same(both.map((b) => b.id), [a1.id, a2.id, a3.id, paul.id], 'by last name and birth date: Anne\'s three and her twin\'s, by slot start')
    const found = PatientBookings.parse((await post('search', anne)).json()).bookings
    t.same(found.map((b) => b.id), [a1.id, a2.id, a3.id], 'the first name tells the twins apart')
    t.match(found[0], {
      status: 'honored', reason: REASON, hasTreatingGp: 'no', patient: { firstName: ANNE.firstName, birthDate: ANNE.birthDate, phone: ANNE.phone },
      bookedBy: { id: reg.id }, outcomeAt: '2026-06-01T12:30:00+02:00',
      slot: { start: '2026-06-01T12:00:00+02:00', end: '2026-06-01T12:15:00+02:00', kind: 'snp', mode: 'office', practitioner: { id: gp.id, name: 'Dr gp' }, cpts: { name: 'CPTS Côte de Lumière' } }
    })
    t.match(found[2], { status: 'cancelled', cancelReason: CANCEL, cancelledAt: '2026-06-01T10:00:00+02:00' })
    t.same(PatientBookings.parse((await post('search', { lastName: 'Lefèvre-Dupont', birthDate: '1980-01-03' })).json()).bookings, [], 'another birth date: no one')
  })

  t.test('export: the same bookings as CSV and JSON files', async (t) => {
    const csv = await post('export', { ...anne, format: 'csv' })
    t.equal(csv.statusCode, 200, csv.body)
    t.match(csv.headers['content-type'], /^text\/csv/)
    t.match(csv.headers['content-disposition'], /^attachment; filename="droit-d-acces-2026-06-01\.csv"$/, 'the file is named by its date, not by the patient')
    t.ok(csv.body.startsWith('\uFEFF'), 'BOM first, for Excel')
    const rows: string[][] = parse(csv.body, { bom: true, delimiter: ';' })
    t.same(rows[0], [...PATIENT_CSV_HEADERS])
    t.same(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[4], r[5]]), [
      [a1.id, 'honoré', ANNE.lastName, ANNE.firstName, ANNE.birthDate, ANNE.phone],
      [a2.id, 'réservé', 'lefevre dupont', ANNE.firstName, ANNE.birthDate, ANNE.phone],
      [a3.id, 'annulé', ANNE.lastName, ANNE.firstName, ANNE.birthDate, ANNE.phone]
    ], 'one line per booking, with the identity as it was typed')
    t.same([rows[1]![6], rows[1]![13], rows[1]![17], rows[1]![18]], [REASON, '2026-06-01 12:00:00', 'Dr gp', 'CPTS Côte de Lumière'], 'the reason and the slot')
    t.equal(rows[3]![11], CANCEL, 'the cancel reason')

    const json = await post('export', { ...anne, format: 'json' })
    t.equal(json.statusCode, 200)
    t.match(json.headers['content-type'], /^application\/json/)
    t.match(json.headers['content-disposition'], /filename="droit-d-acces-2026-06-01\.json"/)
    const file = PatientExport.parse(json.json())
    t.same(file.patient, { lastName: anne.lastName, firstName: anne.firstName, birthDate: ANNE.birthDate })
    t.equal(file.exportedAt, '2026-06-01T12:30:00+02:00')
    t.same(file.bookings, PatientBookings.parse((await post('search', anne)).json()).bookings, 'the bookings the search shows')
  })

  t.test('erase: identity and reasons gone, bookings and figures stay', async (t) => {
    const report = async () => (await app.inject({ method: 'GET', url: '/api/reports/season?from=2026-06-01&to=2026-06-30', headers: { cookie: board.cookie } })).json()
    const before = await report()
    t.equal(before.totals.booked, 4)

    const mixed = await post('erase', { ...anne, bookingIds: [a1.id, other.id] })
    t.equal(mixed.statusCode, 409, 'a booking of someone else among them: refused')
    t.equal(mixed.json().code, 'PATIENT_BOOKINGS_CHANGED')
    t.equal(PatientBookings.parse((await post('search', anne)).json()).bookings.length, 3, 'and nothing was erased')

    const res = await post('erase', { ...anne, bookingIds: [a1.id, a2.id, a3.id] })
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { erased: 3, bookingIds: [a1.id, a2.id, a3.id], requestsErased: 0, requestIds: [], requestsEnded: [] })
    t.same(PatientBookings.parse((await post('search', anne)).json()).bookings, [], 'the patient is found no more')
    t.same(PatientBookings.parse((await post('search', { lastName: PAUL.lastName, birthDate: PAUL.birthDate })).json()).bookings.map((b) => b.id), [paul.id], 'her twin is still there')
    t.equal((await post('erase', { ...anne, bookingIds: [a1.id] })).statusCode, 409, 'erased already: nothing to erase')

    t.same(await report(), before, 'the season report is the same, to the last figure')
    const ids = [a1.id, a2.id, a3.id]
    const rows = (await db.selectFrom('bookings').selectAll().where('id', 'in', ids).execute()).sort((x, y) => ids.indexOf(x.id) - ids.indexOf(y.id))
    t.same(rows.map((r) => [r.status, r.has_treating_gp, r.patient_last_name, r.patient_first_name, r.patient_birth_date, r.patient_phone, r.reason, r.cancel_reason]), [
      ['honored', 'no', null, null, null, null, null, null],
      ['booked', 'no', null, null, null, null, null, null],
      ['cancelled', 'no', null, null, null, null, null, null]
    ], 'the bookings stay, with their status and treating-GP answer')
    const gpView = (await app.inject({ method: 'GET', url: '/api/bookings?from=2026-06-01&to=2026-06-01', headers: { cookie: gp.cookie } })).json()
    t.notOk(gpView.find((b: any) => b.id === a1.id).patient, 'the practitioner sees the booking without its patient')
    t.ok(gpView.find((b: any) => b.id === paul.id).patient, 'and the other patients as before')

    if (config.databaseUrl === null) {
      for (const needle of [ANNE.firstName, REASON, 'Annulationtemoinysoldine', ANNE.phone]) {
        t.notOk(fileHas(config.dbFile, needle), `"${needle}" is nowhere in the SQLite file nor its WAL`)
      }
    }
  })

  t.test('each is audited, naming the bookings, never the patient', async (t) => {
    const entries = await db.selectFrom('audit_log').selectAll().where('action', 'like', 'patient.%').orderBy('id').execute()
    const count = (action: string) => entries.filter((e) => e.action === action).length
    t.ok(count('patient.search') >= 6, 'every search')
    t.equal(count('patient.export'), 2, 'both exports')
    t.equal(count('patient.erase'), 1, 'the erasure (the refused ones wrote nothing)')
    const erase = entries.find((e) => e.action === 'patient.erase')!
    t.match(erase, { user_id: (await app.inject({ method: 'GET', url: '/api/me', headers: admin })).json().user.id, subject_type: 'patient' })
    t.same(JSON.parse(erase.detail ?? '{}'), { patientSearch: true, bookingIds: [a1.id, a2.id, a3.id], erased: 3, requestIds: [], requestsErased: 0, requestsEnded: [] })
    t.match(JSON.parse(entries.find((e) => e.action === 'patient.export')!.detail ?? '{}'), { patientSearch: true, format: 'csv', bookingIds: [a1.id, a2.id, a3.id] })
    const everything = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute())
    for (const needle of ['efevre', 'EFEVRE', ANNE.firstName, ANNE.phone, ANNE.birthDate, REASON]) t.notOk(everything.includes(needle), `no "${needle}" in the audit log`)

    // The journal, by the patient's name, shows who looked them up (while the name is still on a booking).
    const journal = (await app.inject({ method: 'GET', url: `/api/audit?patientName=${encodeURIComponent(PAUL.lastName)}&patientBirthDate=${PAUL.birthDate}&action=patient.search`, headers: admin })).json()
    t.ok(journal.entries.length >= 1, 'the searches that found the twin are in the journal of her bookings')
    t.ok(journal.entries.every((e: any) => e.detail.bookingIds.includes(paul.id)))
  })
})

t.test('a patient\'s name in a journal URL never reaches the request log', async (t) => {
  const storage = await testStorage(t)
  const config = loadConfig({ ...storage.env, LOGIN_RATE_LIMIT: '1000', LOGIN_ADDRESS_RATE_LIMIT: '1000' })
  const db = openDatabase(config)
  await migrateToLatest(db)
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const app = await buildApp({ config, db, clock: new ManualClock('2026-06-01T08:00:00.000Z'), logger: { level: 'info', stream } })
  await app.ready()
  t.teardown(async () => { await app.close(); await db.destroy() })
  for (const url of ['/api/audit?patientName=Zorglubienne&patientBirthDate=1931-03-17', '/api/audit.csv?action=booking.read&patientName=Zorglubienne']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 401)
  }
  const logged = lines.join('')
  t.match(logged, '/api/audit?patientName=[patient]&patientBirthDate=[patient]', 'the request is logged, the patient masked')
  t.match(logged, '/api/audit.csv?action=booking.read&patientName=[patient]')
  t.notOk(logged.includes('Zorglubienne') || logged.includes('1931-03-17'), 'no name nor birth date in the log')
})
