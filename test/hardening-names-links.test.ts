// Issue 24, items 4, 5 and 7: a cancellation's free text reaches only those who see the patient
// (whose reads are audited); names made only of invisible characters are refused in French; a
// reset link of an account deactivated since says at once that it is no longer valid.
import t from 'tap'
import { frenchIssue } from '../web/lib/fr-errors.js'
import { build } from './helpers/build.js'
import { practitionerProfile, publishSlot, territory } from './helpers/fixtures.js'

const PATIENT = { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }
const INVISIBLE = ['\u200b\u200b\u200b', '\u0301\u0302', '\u200b \u200d\ufeff', '\u2060\u180e', '\u00a0\u200c']

t.test('names made only of invisible characters are refused (CPTS, accounts, patients), in French', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  for (const name of INVISIBLE) {
    const cpts = await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name } })
    t.equal(cpts.statusCode, 400, `CPTS ${JSON.stringify(name)}`)
    const issue = cpts.json().details.find((d: any) => d.path.join('.') === 'name')
    t.match(frenchIssue(issue), /Nom illisible/, 'said in French')
    const user = await app.inject({
      method: 'POST', url: '/api/users', headers: { cookie: terr.adminCookie },
      payload: { email: `x${INVISIBLE.indexOf(name)}@cpts.test`, name, password: 'correct-horse-battery', role: 'practitioner', cptsId: terr.cpts[0]!.id, practitioner: practitionerProfile(40 + INVISIBLE.indexOf(name)) }
    })
    t.equal(user.statusCode, 400, `account ${JSON.stringify(name)}`)
    const edit = await app.inject({ method: 'PATCH', url: `/api/users/${terr.users.gp.id}`, headers: { cookie: terr.adminCookie }, payload: { name } })
    t.equal(edit.statusCode, 400, `account renamed ${JSON.stringify(name)}`)
  }
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const book = (patient: object) => app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: { patient, hasTreatingGp: 'no' } })
  t.equal((await book({ ...PATIENT, lastName: '\u200b\u0301' })).statusCode, 400, 'a patient name too')
  // Real names with marks and other scripts still pass.
  t.equal((await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name: 'CPTS Île-d\u2019Yeu \u00e9\u0301' } })).statusCode, 201)
  t.equal((await book({ ...PATIENT, lastName: 'N\u2019Guessan', firstName: '李' })).statusCode, 201)
})

t.test('a cancellation reason is not sent to an admin listing bookings (it may name the patient)', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const booked = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: { patient: PATIENT, hasTreatingGp: 'no' } })
  t.equal(booked.statusCode, 201)
  const id = booked.json().id ?? booked.json().booking?.id
  const cancelled = await app.inject({ method: 'POST', url: `/api/bookings/${id}/cancel`, headers: { cookie: terr.users.regulator.cookie }, payload: { reason: 'Mme Martin est hospitalisée' } })
  t.equal(cancelled.statusCode, 200)
  const list = (cookie: string) => app.inject({ method: 'GET', url: '/api/bookings?from=2026-06-01&to=2026-06-30', headers: { cookie } })
  const admin = (await list(terr.adminCookie)).json().find((b: any) => b.id === id)
  t.ok(admin, 'the admin sees the booking')
  t.equal(admin.cancelReason, undefined, 'but not its free text')
  t.notMatch(JSON.stringify(admin), /Martin/)
  const regulator = (await list(terr.users.regulator.cookie)).json().find((b: any) => b.id === id)
  t.equal(regulator.cancelReason, 'Mme Martin est hospitalisée', 'the regulator (audited read) does')
})

t.test('a reset link of an account deactivated since is no longer valid, and says so before any password is typed', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const check = (token: string) => app.inject({ method: 'POST', url: '/api/password-reset/check', payload: { token } })
  const link = await app.inject({ method: 'POST', url: `/api/users/${terr.users.psy.id}/password-reset`, headers: { cookie: terr.adminCookie } })
  t.equal(link.statusCode, 201)
  const token = link.json().url.split('#reinitialisation=')[1] as string
  t.same((await check(token)).json(), { valid: true }, 'a fresh link is valid')
  t.same((await check('no-such-token')).json(), { valid: false }, 'an unknown one is not')
  const off = await app.inject({ method: 'POST', url: `/api/users/${terr.users.psy.id}/deactivate`, headers: { cookie: terr.adminCookie } })
  t.equal(off.statusCode, 200)
  t.same((await check(token)).json(), { valid: false }, 'once the account is deactivated, the link is not')
  const used = await app.inject({ method: 'POST', url: '/api/password-reset', payload: { token, password: 'a-brand-new-password' } })
  t.equal(used.statusCode, 400, 'and cannot be spent')
})
