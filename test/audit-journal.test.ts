// Issue 12: the admin reads the audit journal — filtered by person, patient, booking, action
// and period, paged, as CSV — and that reading is itself audited. No one else may.
import t from 'tap'
import { parse } from 'csv-parse/sync'
import { AUDIT_CSV_HEADERS } from '../server/features/audit/audit-routes.js'
import { build } from './helpers/build.js'
import { publishSlot, territory } from './helpers/fixtures.js'
import { addRequest, WAITING_PATIENT } from './helpers/waiting-list.js'

t.test('the audit journal: filters, paging, CSV, admin only, audited', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const { gp, regulator: reg } = terr.users
  const booking = async (start: string, lastName: string, birthDate: string) => {
    const slot = await publishSlot(app, gp.cookie, start, start.replace(':00:00', ':15:00'))
    const res = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: reg.cookie }, payload: { patient: { lastName, firstName: 'Anne', birthDate, phone: '06 12 34 56 78' }, hasTreatingGp: 'no' } })
    return res.json()
  }
  const b1 = await booking('2026-06-02T12:00:00+02:00', 'Lefèvre-Dupont', '1980-01-02')
  const b2 = await booking('2026-06-02T13:00:00+02:00', 'Martin', '1975-05-06')
  const b3 = await booking('2026-06-02T14:00:00+02:00', 'LEFEVRE DUPONT', '1999-09-09')
  await app.inject({ method: 'GET', url: '/api/bookings', headers: { cookie: gp.cookie } }) // a booking.read per booking shown

  const journal = async (query: string, cookie = terr.adminCookie) => await app.inject({ method: 'GET', url: `/api/audit?${query}`, headers: { cookie } })

  for (const who of ['gp', 'regulator', 'board'] as const) {
    t.equal((await journal('', terr.users[who].cookie)).statusCode, 403, `${who} may not read the journal`)
    t.equal((await app.inject({ method: 'GET', url: '/api/audit.csv', headers: { cookie: terr.users[who].cookie } })).statusCode, 403)
  }
  t.equal((await journal('', '')).statusCode, 401)

  const byPatient = (await journal('patientName=lefevre%20dupont')).json()
  t.same(new Set(byPatient.entries.filter((e: any) => e.subjectId !== null).map((e: any) => e.subjectId)), new Set([b1.id, b3.id]), 'a patient\'s name, case and accents ignored')
  t.ok(byPatient.entries.some((e: any) => e.subjectId === null && e.detail.bookingIds.includes(b1.id)), 'and the reads of lists that showed them')
  t.same(new Set((await journal('patientName=Lefevre-Dupont&patientBirthDate=1999-09-09')).json().entries.filter((e: any) => e.subjectId !== null).map((e: any) => e.subjectId)), new Set([b3.id]), 'with the birth date: that patient only')
  const reads = (await journal(`bookingId=${b2.id}&action=booking.read`)).json()
  t.equal(reads.entries.length, 1, 'the practitioner\'s read of one booking')
  t.match(reads.entries[0], { action: 'booking.read', user: { id: gp.id, role: 'practitioner' } })
  t.same([...reads.entries[0].detail.bookingIds].sort(), [b1.id, b2.id, b3.id].sort(), 'the list it showed')
  t.equal((await journal(`userId=${reg.id}&action=booking.create`)).json().entries.length, 3, 'what one person did')
  t.equal((await journal('from=2026-06-02&to=2026-06-30')).json().entries.length, 0, 'a period without entries (everything happened on 1 June)')
  t.equal((await journal('from=2026-06-02&to=2026-06-01')).statusCode, 400, 'a reversed period is refused')

  // Paging: newest first, `next` until the end, no entry twice.
  const seen: number[] = []
  let next: number | null = null
  let pages = 0
  do {
    const page: any = (await journal(`limit=7${next === null ? '' : `&before=${next}`}&action=booking.read`)).json()
    seen.push(...page.entries.map((e: any) => e.id))
    next = page.next
    pages++
  } while (next !== null && pages < 50)
  t.ok(pages >= 1)
  t.same(seen, [...seen].sort((a, b) => b - a), 'newest first')
  t.equal(new Set(seen).size, seen.length, 'no entry twice')

  const csv = await app.inject({ method: 'GET', url: `/api/audit.csv?userId=${reg.id}`, headers: { cookie: terr.adminCookie } })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  t.ok(csv.body.startsWith('\uFEFF'), 'BOM first, for Excel')
  const rows: string[][] = parse(csv.body, { bom: true, delimiter: ';' })
  t.same(rows[0], [...AUDIT_CSV_HEADERS])
  t.ok(rows.length > 3, 'every entry of the regulator')
  t.ok(rows.slice(1).every((r) => r[3] === reg.email), 'only theirs')

  const audited = (await journal('action=audit.read&limit=500')).json().entries
  t.equal(audited.length, 6, 'each reading of the journal above is in the journal (the refused one is not)')
  t.notOk(JSON.stringify(audited).includes('efevre'), 'a patient search is recorded as such, without the name')
  t.equal((await journal('action=audit.export')).json().entries.length, 1, 'the CSV export too')
})

t.test('a patient filter also finds what was done with their waiting-list requests', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const { regulator: reg } = terr.users
  const mine = await addRequest(app, reg.cookie)
  const other = await addRequest(app, reg.cookie, { patient: { ...WAITING_PATIENT, lastName: 'Autre', birthDate: '1970-01-01' } })
  t.equal((await app.inject({ method: 'GET', url: `/api/waiting-list/${mine.id as string}`, headers: { cookie: reg.cookie } })).statusCode, 200)
  const journal = async (query: string) => (await app.inject({ method: 'GET', url: `/api/audit?${query}`, headers: { cookie: terr.adminCookie } })).json()

  const found = await journal('patientName=LEBRETON')
  t.same(found.entries.map((e: any) => [e.action, e.subjectType, e.subjectId]).sort(), [
    ['waiting_request.create', 'waiting_request', mine.id], ['waiting_request.read', 'waiting_request', mine.id]
  ].sort(), 'the request made and read, not the other patient\'s')
  t.equal((await journal(`patientName=Lebreton&patientBirthDate=${WAITING_PATIENT.birthDate}`)).entries.length, 2, 'with the birth date')
  t.equal((await journal('patientName=Lebreton&patientBirthDate=2000-01-01')).entries.length, 0, 'another birth date: nothing')
  t.ok((await journal('patientName=Autre')).entries.every((e: any) => e.subjectId === other.id))
})
