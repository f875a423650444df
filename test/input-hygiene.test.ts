// Issue 13 (low): names and dates that would display, print or be stored as something else are
// refused with a clear error (a French one on the pages), and a name already in the database
// with a line break cannot break a calendar feed's lines.
import t from 'tap'
import ICAL from 'ical.js'
import { frenchIssue } from '../web/lib/fr-errors.js'
import { build } from './helpers/build.js'
import { practitionerProfile, publishSlot, territory } from './helpers/fixtures.js'

const PATIENT = { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }

t.test('bookings: names with NUL, line breaks or bidi overrides, and birth dates before 1900, are refused', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const book = (patient: Record<string, string>, reason?: string) => app.inject({
    method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie },
    payload: { patient, hasTreatingGp: 'no', ...(reason === undefined ? {} : { reason }) }
  })
  const cases: Array<[string, Record<string, string>, string]> = [
    ['NUL', { ...PATIENT, lastName: 'Mar\u0000tin' }, 'lastName'],
    ['a line break', { ...PATIENT, firstName: 'Anne\nX-Injected: 1' }, 'firstName'],
    ['a bidi override', { ...PATIENT, lastName: '\u202Enitram' }, 'lastName'],
    ['an isolate mark', { ...PATIENT, firstName: 'An\u2066ne' }, 'firstName'],
    ['1899', { ...PATIENT, birthDate: '1899-12-31' }, 'birthDate']
  ]
  for (const [what, patient, field] of cases) {
    const res = await book(patient)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'VALIDATION', what)
    const issue = res.json().details.find((d: any) => d.path.join('.') === `patient.${field}`)
    t.ok(issue, `${what}: the issue names patient.${field}`)
    t.match(frenchIssue(issue), /Caractères interdits|entre 1900 et aujourd/, `${what}: said in French`)
  }
  t.equal((await book(PATIENT, 'Fièvre depuis deux jours\nToux')).statusCode, 201, 'a reason may have several lines')
})

t.test('accounts and CPTS: names with control characters are refused', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const cpts = await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name: 'CPTS\r\nEvil' } })
  t.equal(cpts.statusCode, 400)
  const user = await app.inject({
    method: 'POST', url: '/api/users', headers: { cookie: terr.adminCookie },
    payload: { email: 'crlf@cpts.test', name: 'Dr\rNuit', password: 'correct-horse-battery', role: 'practitioner', cptsId: terr.cpts[0]!.id, practitioner: practitionerProfile(40) }
  })
  t.equal(user.statusCode, 400)
  t.same(user.json().details.map((d: any) => d.path.join('.')), ['name'])
})

t.test('the season import refuses instants before the year 2000 (year 0000)', async (t) => {
  const { app } = await build(t, {}, '2020-09-15T08:00:00.000Z')
  const terr = await territory(app)
  const csv = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp\n' +
    `${terr.users.gp.rpps},0000-07-13T12:00:00+02:00,0000-07-13T12:15:00+02:00,snp,office,,,,\n`
  const res = await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: terr.adminCookie, 'content-type': 'text/csv' }, payload: csv })
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'IMPORT_INVALID')
  t.match(res.json().errors[0].message, /before the year 2000/)
})

t.test('a practitioner name holding a CR (older data) is escaped in the feed, not written raw', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  await db.updateTable('users').set({ name: 'Dr Nuit\rX-EVIL:1' }).where('id', '=', terr.users.gp.id).execute()
  const feed = (await app.inject({ method: 'GET', url: '/api/feed', headers: { cookie: terr.users.gp.cookie } })).json()
  const text = (await app.inject({ method: 'GET', url: new URL(feed.url).pathname })).body
  t.notOk(/\r(?!\n)/.test(text), 'no lone CR in the feed')
  t.notOk(/^X-EVIL/m.test(text), 'no injected property')
  const cal = new ICAL.Component(ICAL.parse(text))
  t.match(String(cal.getFirstPropertyValue('x-wr-calname')), /Dr Nuit\nX-EVIL:1|Dr Nuit X-EVIL:1/, 'the name reads back as one value')
})

t.test('a birth date after today (by the server\'s clock) is refused; today is accepted', async (t) => {
  const { app } = await build(t) // the clock says 2026-06-01
  const terr = await territory(app)
  const book = async (birthDate: string, start: string) => {
    const slot = await publishSlot(app, terr.users.gp.cookie, start, start.replace(':00:00', ':15:00'))
    return await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: { patient: { ...PATIENT, birthDate }, hasTreatingGp: 'no' } })
  }
  const future = await book('2026-06-03', '2026-06-02T12:00:00+02:00')
  t.equal(future.statusCode, 400)
  const issue = future.json().details.find((d: any) => d.path.join('.') === 'patient.birthDate')
  t.match(frenchIssue(issue), /entre 1900 et aujourd/)
  t.equal((await book('2026-06-01', '2026-06-02T13:00:00+02:00')).statusCode, 201, 'a baby born today')
})

t.test('a cancel or outcome reply that shows the patient is audited as a read', async (t) => {
  const { app, db, clock } = await build(t)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const b = (await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: { patient: PATIENT, hasTreatingGp: 'no' } })).json()
  const reads = async () => (await db.selectFrom('audit_log').select(['user_id', 'subject_id']).where('action', '=', 'booking.read').where('subject_id', '=', b.id).execute())
  const cancel = await app.inject({ method: 'POST', url: `/api/bookings/${b.id}/cancel`, headers: { cookie: terr.users.regulator.cookie }, payload: { reason: 'rappel du patient' } })
  t.equal(cancel.statusCode, 200)
  t.equal(cancel.json().patient.lastName, PATIENT.lastName, 'the reply shows the patient')
  t.same(await reads(), [{ user_id: terr.users.regulator.id, subject_id: b.id }], 'and that read is in the journal')

  const slot2 = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T13:00:00+02:00', '2026-06-02T13:15:00+02:00')
  const b2 = (await app.inject({ method: 'POST', url: `/api/slots/${slot2.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: { patient: PATIENT, hasTreatingGp: 'no' } })).json()
  const gpToken = (await app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: terr.users.gp.cookie }, payload: { label: 'x' } })).json().token
  clock.set('2026-06-02T11:05:00Z') // after the slot's start (sessions have ended by then: a token does not)
  const outcome = await app.inject({ method: 'POST', url: `/api/bookings/${b2.id}/outcome`, headers: { authorization: `Bearer ${gpToken}` }, payload: { outcome: 'honored' } })
  t.equal(outcome.statusCode, 200, 'HTTP 200', { body: outcome.body })
  const r2 = await db.selectFrom('audit_log').select(['user_id']).where('action', '=', 'booking.read').where('subject_id', '=', b2.id).execute()
  t.same(r2, [{ user_id: terr.users.gp.id }], 'the practitioner\'s outcome reply too')
})
