// Issue 14, Admin: an admin edits an account, deactivates and reactivates it, and gives it a
// one-time password-reset link. Every change audited; refusals write nothing.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { LIVE_CLOSE } from '../shared/schemas/live.js'
import { ADMIN, build, signIn, type HttpMethod } from './helpers/build.js'
import { addRegulator, bearerToken, countRows, PASSWORD, publishSlot, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'
import { deactivateUser } from '../server/features/users/account-service.js'

// No periodic check in these tests: only the sweep a deactivation triggers can close a socket.
const ENV = { LIVE_AUTH_CHECK_MS: '600000' }
const TABLES = ['users', 'practitioners', 'sessions', 'api_tokens', 'password_resets', 'audit_log'] as const

async function call (app: FastifyInstance, cookie: string, method: HttpMethod, url: string, payload?: object) {
  return await app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) })
}

const auditOf = async (app: FastifyInstance, cookie: string, action: string) =>
  (await call(app, cookie, 'GET', `/api/audit?action=${action}`)).json()

t.test('edit an account: the fields of its role, checked, audited', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const admin = terr.adminCookie

  const gp = await call(app, admin, 'PATCH', `/api/users/${terr.users.gp.id}`, {
    name: 'Dr Claire Martin', email: 'Claire.Martin@cpts.test', practitioner: { postalCode: '85800', commune: 'saint-gilles-croix-de-vie', phone: '02 51 55 00 01' }
  })
  t.equal(gp.statusCode, 200, gp.body)
  t.match(gp.json().user, { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', practitioner: { postalCode: '85800', commune: 'Saint-Gilles-Croix-de-Vie', phone: '02 51 55 00 01', profession: 'gp' } })
  t.equal((await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'claire.martin@cpts.test', password: PASSWORD } })).statusCode, 200, 'signs in with the new e-mail')
  t.match(gp.json().user.practitioner.places, [{ id: terr.users.gp.id, home: true, postalCode: '85800', commune: 'Saint-Gilles-Croix-de-Vie', communeCode: '85222', label: 'Saint-Gilles-Croix-de-Vie' }],
    'the address is the home place\'s (its label, the commune\'s name, follows it)')
  const copy = await app.db.selectFrom('practitioners').select(['postal_code', 'commune_code']).where('user_id', '=', terr.users.gp.id).executeTakeFirstOrThrow()
  t.same(copy, { postal_code: '85800', commune_code: '85222' }, 'and the practitioner\'s copy of it')

  const reg = await call(app, admin, 'PATCH', `/api/users/${terr.users.regulator.id}`, { sasId: 'SAS-0042' })
  t.equal(reg.json().user.sasId, 'SAS-0042')
  t.notOk('sasId' in (await call(app, admin, 'PATCH', `/api/users/${terr.users.regulator.id}`, { sasId: null })).json().user, 'a SAS id can be removed')
  t.equal((await call(app, admin, 'PATCH', `/api/users/${terr.users.board.id}`, { cptsId: null })).json().user.cptsId, null, 'a board account sees every CPTS')

  const before = await countRows(app.db, TABLES)
  const refused = [
    [terr.users.regulator.id, { practitioner: { phone: '02 51 55 00 01' } }, 400, 'practitioner'],
    [terr.users.gp.id, { sasId: 'X' }, 400, 'sasId'],
    [terr.users.gp.id, { cptsId: terr.cpts[1]!.id }, 400, 'cptsId'],
    [terr.users.board.id, { cptsId: 'no-such-cpts' }, 400, 'cptsId'],
    [terr.users.gp.id, { practitioner: { postalCode: '99999' } }, 400, 'practitioner.postalCode'],
    [terr.users.gp.id, { practitioner: { rpps: '12345678901' } }, 400, 'practitioner.rpps'],
    [terr.users.gp.id, {}, 400, ''],
    [terr.users.gp.id, { email: 'psy@cpts.test' }, 409, 'email'],
    [terr.users.gp.id, { practitioner: { rpps: terr.users.psy.rpps } }, 409, 'practitioner.rpps'],
    ['no-such-user', { name: 'Personne' }, 404, undefined]
  ] as const
  for (const [id, body, status, path] of refused) {
    const res = await call(app, admin, 'PATCH', `/api/users/${id}`, body)
    t.equal(res.statusCode, status, `${JSON.stringify(body)} → ${status}`)
    if (path !== undefined && path !== '') t.ok(res.json().details.some((d: any) => d.path.join('.') === path), `names ${path}`)
  }
  t.same(await countRows(app.db, TABLES), before, 'refusals wrote nothing')

  const entries = await auditOf(app, admin, 'user.update')
  const first = entries.entries.find((e: any) => e.subjectId === terr.users.gp.id)
  const adminId = (await call(app, admin, 'GET', '/api/me')).json().user.id
  t.match(first, { user: { id: adminId }, ip: '127.0.0.1' }, 'who and from where')
  t.same(first.detail.fields.sort(), ['email', 'name', 'practitioner.commune', 'practitioner.commune_code', 'practitioner.phone', 'practitioner.postal_code'], 'which fields changed, not their values')
})

t.test('IDNPS of a regulator or a board account: set, cleared, unique among active accounts, audited by name only', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const { regulator, board, gp } = terr.users
  const IDNPS = '810002909371'
  const patch = async (id: string, body: object) => await call(app, admin, 'PATCH', `/api/users/${id}`, body)

  const set = await patch(regulator.id, { idnps: ` ${IDNPS} ` })
  t.equal(set.statusCode, 200, set.body)
  t.equal(set.json().user.idnps, IDNPS, 'set (trimmed) and shown')
  const row = await app.db.selectFrom('users').select('idnps').where('id', '=', regulator.id).executeTakeFirstOrThrow()
  t.equal(row.idnps, IDNPS, 'the identifier Pro Santé Connect and the SAS find the account by')
  t.equal((await patch(board.id, { idnps: '0123456789' })).json().user.idnps, '0123456789', 'a board account too ("0" + ADELI)')
  t.equal((await patch(regulator.id, { idnps: IDNPS })).statusCode, 200, 'the account\'s own IDNPS again is no conflict')
  const listed = (await call(app, admin, 'GET', '/api/users')).json()
  t.equal(listed.find((u: any) => u.id === gp.id).idnps, '8' + gp.rpps, 'a practitioner\'s is shown: 8 + their RPPS')

  const before = await countRows(app.db, TABLES)
  const refused = [
    [gp.id, { idnps: '899999999999' }, 400, 'VALIDATION', /8 \+ their RPPS/],
    [terr.users.psy.id, { idnps: null }, 400, 'VALIDATION', /8 \+ their RPPS/],
    [(await call(app, admin, 'GET', '/api/me')).json().user.id, { idnps: '899999999999' }, 400, 'VALIDATION', /only a regulator or a board/],
    [regulator.id, { idnps: 'abc' }, 400, 'VALIDATION', /idnps/],
    [regulator.id, { idnps: '8 1000' }, 400, 'VALIDATION', /idnps/],
    [board.id, { idnps: IDNPS }, 409, 'IDNPS_TAKEN', /IDNPS 810002909371/],
    [board.id, { idnps: '8' + gp.rpps }, 409, 'IDNPS_TAKEN', /IDNPS/]
  ] as const
  for (const [id, body, status, code, message] of refused) {
    const res = await patch(id, body)
    t.equal(res.statusCode, status, `${JSON.stringify(body)} → ${status}`)
    t.equal(res.json().code, code)
    t.match(res.json().message, message)
    t.ok(res.json().details.some((d: any) => d.path.join('.') === 'idnps'), 'names the field idnps')
  }
  t.same(await countRows(app.db, TABLES), before, 'refusals wrote nothing')

  const cleared = await patch(regulator.id, { idnps: null })
  t.notOk('idnps' in cleared.json().user, 'cleared')
  t.equal((await patch(board.id, { idnps: IDNPS })).json().user.idnps, IDNPS, 'once cleared, another account may have it')

  // A deactivated account's IDNPS passes on; the old account cannot come back holding it.
  const other = await addRegulator(app, admin, 'r2')
  t.equal((await patch(other.id, { idnps: '0999999999' })).statusCode, 200)
  t.equal((await call(app, admin, 'POST', `/api/users/${other.id}/deactivate`)).statusCode, 200)
  t.equal((await patch(regulator.id, { idnps: '0999999999' })).statusCode, 200, 'a deactivated account\'s IDNPS may be given to an active one')
  const back = await call(app, admin, 'POST', `/api/users/${other.id}/reactivate`)
  t.equal(back.statusCode, 409, 'reactivating the old holder is refused')
  t.equal(back.json().code, 'IDNPS_TAKEN')
  t.ok(back.json().details.some((d: any) => d.path.join('.') === 'idnps'))
  t.ok('disabledAt' in (await call(app, admin, 'GET', '/api/users')).json().find((u: any) => u.id === other.id), 'still deactivated')
  t.equal((await patch(other.id, { idnps: null })).statusCode, 200, 'a deactivated account\'s IDNPS can be cleared')
  t.equal((await call(app, admin, 'POST', `/api/users/${other.id}/reactivate`)).statusCode, 200, 'then it comes back')

  const entries = (await auditOf(app, admin, 'user.update')).entries.filter((e: any) => e.subjectId === regulator.id)
  t.ok(entries.length >= 3)
  for (const e of entries) t.same(e.detail, { fields: ['idnps'] }, 'the field\'s name, not its value')
  t.notMatch(JSON.stringify(entries), IDNPS, 'the IDNPS is not in the audit log')
})

t.test('deactivate: no sign-in, sessions and tokens end, an open socket is closed at once', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const reg = terr.users.regulator
  const token = await bearerToken(app, reg.cookie)
  const bySession = await openLive(app, reg.cookie)
  const byToken = await openLive(app, { authorization: `Bearer ${token}` })
  t.teardown(() => { bySession.close(); byToken.close() })
  await bySession.waitFor((f) => f.type === 'snapshot')
  await byToken.waitFor((f) => f.type === 'snapshot')
  const bystander = await openLive(app, terr.users.gp.cookie)
  t.teardown(() => bystander.close())
  await bystander.waitFor((f) => f.type === 'snapshot')

  const res = await call(app, admin, 'POST', `/api/users/${reg.id}/deactivate`)
  t.equal(res.statusCode, 200, res.body)
  t.ok(res.json().user.disabledAt, 'the account says since when it is deactivated')
  t.equal(await bySession.closed, LIVE_CLOSE.credentialEnded, 'the socket of its session is closed')
  t.equal(await byToken.closed, LIVE_CLOSE.credentialEnded, 'the socket of its token too')
  t.equal(bystander.ws.readyState, bystander.ws.OPEN, 'another account stays connected')
  t.equal((await call(app, reg.cookie, 'GET', '/api/me')).statusCode, 401, 'its session is over')
  t.equal((await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401, 'its token too')
  t.equal((await app.inject({ method: 'POST', url: '/api/session', payload: { email: reg.email, password: PASSWORD } })).statusCode, 401, 'it cannot sign in')
  t.equal((await call(app, admin, 'POST', `/api/users/${reg.id}/deactivate`)).statusCode, 409, 'twice: already deactivated')
  t.equal((await call(app, admin, 'POST', `/api/users/${reg.id}/password-reset`)).statusCode, 409, 'no reset link for a deactivated account')
  const [entry] = (await auditOf(app, admin, 'user.deactivate')).entries
  t.match(entry, { subjectId: reg.id, ip: '127.0.0.1', detail: { sessions: 1, tokens: 1 } })

  const back = await call(app, admin, 'POST', `/api/users/${reg.id}/reactivate`)
  t.equal(back.statusCode, 200)
  t.notOk('disabledAt' in back.json().user)
  t.equal((await call(app, reg.cookie, 'GET', '/api/me')).statusCode, 401, 'its old session does not come back')
  t.equal((await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401, 'nor its old token')
  await signIn(app, reg.email, PASSWORD)
  t.equal((await call(app, admin, 'POST', `/api/users/${reg.id}/reactivate`)).statusCode, 409, 'twice: already active')
  t.equal((await call(app, admin, 'POST', '/api/users/no-such-user/reactivate')).statusCode, 404)
  t.equal((await auditOf(app, admin, 'user.reactivate')).entries.length, 1)
})

t.test('deactivating a practitioner withdraws their slots still to come, live; booked ones are kept', async (t) => {
  const { app, clock } = await build(t, ENV)
  const terr = await territory(app)
  const gp = terr.users.gp
  const slot = async (iso: string) => (await publishSlot(app, gp.cookie, iso, new Date(Date.parse(iso) + 15 * 60_000).toISOString())).id as string
  const past = await slot('2026-06-01T09:00:00.000Z')
  const [free1, free2, booked] = [await slot('2026-06-03T07:00:00.000Z'), await slot('2026-06-04T07:00:00.000Z'), await slot('2026-06-05T07:00:00.000Z')]
  const b = await call(app, terr.users.regulator.cookie, 'POST', `/api/slots/${booked}/booking`, { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' })
  t.equal(b.statusCode, 201, 'booked', { body: b.body })
  clock.advance(2 * 3600_000) // the first slot has been and gone
  const watcher = await openLive(app, terr.users.regulator.cookie)
  t.teardown(() => watcher.close())
  await watcher.waitFor((f) => f.type === 'snapshot')

  const res = await call(app, terr.adminCookie, 'POST', `/api/users/${gp.id}/deactivate`)
  t.equal(res.statusCode, 200, 'HTTP 200', { body: res.body })
  t.same(res.json().slots, { withdrawn: 2, kept: 1 }, 'two slots withdrawn, the booked one kept')
  const status = async (id: string) => (await app.db.selectFrom('slots').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
  t.same([await status(free1), await status(free2), await status(booked), await status(past)], ['withdrawn', 'withdrawn', 'booked', 'free'], 'the past slot is history, left as it was')
  for (const id of [free1, free2]) await watcher.waitFor((f) => f.type === 'event' && f.event === 'slot.withdrawn' && f.slot?.id === id, `slot.withdrawn of ${id}`)
  const withdraw = (await auditOf(app, terr.adminCookie, 'slots.withdraw')).entries
  t.match(withdraw, [{ subjectId: gp.id, detail: { withdrawn: 2, kept: 1 } }], 'audited as a withdrawal by the admin')
  const reg = await call(app, terr.adminCookie, 'POST', `/api/users/${terr.users.regulator.id}/deactivate`)
  t.notOk('slots' in reg.json(), 'a regulator has no slots to withdraw')
})

t.test('refusals: non-admin, self, last admin, unknown id', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const me = (await call(app, admin, 'GET', '/api/me')).json().user
  const before = await countRows(app.db, TABLES)
  for (const who of ['gp', 'regulator', 'board'] as const) {
    const cookie = terr.users[who].cookie
    for (const [method, url] of [['PATCH', `/api/users/${terr.users.psy.id}`], ['POST', `/api/users/${terr.users.psy.id}/deactivate`], ['POST', `/api/users/${terr.users.psy.id}/reactivate`], ['POST', `/api/users/${terr.users.psy.id}/password-reset`]] as const) {
      const res = await call(app, cookie, method, url, method === 'PATCH' ? { name: 'X' } : undefined)
      t.equal(res.statusCode, 403, `${who} ${method} ${url}`)
    }
  }
  t.equal((await app.inject({ method: 'POST', url: `/api/users/${terr.users.psy.id}/deactivate` })).statusCode, 401, 'anonymous')
  const self = await call(app, admin, 'POST', `/api/users/${me.id}/deactivate`)
  t.equal(self.statusCode, 409)
  t.match(self.json().message, /your own account/)
  t.equal((await call(app, admin, 'POST', '/api/users/no-such-user/deactivate')).statusCode, 404)
  t.equal((await call(app, admin, 'POST', '/api/users/no-such-user/password-reset')).statusCode, 404)
  t.same(await countRows(app.db, TABLES), before, 'nothing written')

  // A second admin may deactivate the first; then the second is the last one.
  const res = await call(app, admin, 'POST', '/api/users', { email: 'admin2@cpts.test', name: 'Admin 2', password: PASSWORD, role: 'admin' })
  const admin2 = { id: res.json().user.id as string, cookie: await signIn(app, 'admin2@cpts.test', PASSWORD) }
  t.equal((await call(app, admin2.cookie, 'POST', `/api/users/${me.id}/deactivate`)).statusCode, 200)
  t.equal((await call(app, admin, 'GET', '/api/me')).statusCode, 401, 'the first admin is signed out')
  const last = await call(app, admin2.cookie, 'POST', `/api/users/${admin2.id}/deactivate`)
  t.equal(last.statusCode, 409, 'self, and the last admin anyway')
  const third = await addRegulator(app, admin2.cookie, 'r3')
  t.equal((await call(app, admin2.cookie, 'POST', `/api/users/${third.id}/deactivate`)).statusCode, 200, 'other accounts still can be')
  // The first admin back: now there are two again, each may deactivate the other but not both.
  t.equal((await call(app, admin2.cookie, 'POST', `/api/users/${me.id}/reactivate`)).statusCode, 200)
  const admin1 = await signIn(app, ADMIN.email, ADMIN.password)
  const [a, b] = await Promise.all([
    call(app, admin1, 'POST', `/api/users/${admin2.id}/deactivate`),
    call(app, admin2.cookie, 'POST', `/api/users/${me.id}/deactivate`)
  ])
  t.equal([a, b].filter((r) => r.statusCode === 200).length, 1, 'two admins deactivating each other at once: one wins')
  const loser = [a, b].find((r) => r.statusCode !== 200)
  t.ok(loser !== undefined && [401, 409].includes(loser.statusCode), 'the other is refused (signed out already, or the last admin)')
  const active = (await app.db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).execute())
  t.equal(active.length, 1, 'one active admin is left')
})

t.test('last active admin: refused whoever asks (the service, as a racing request would meet it)', async (t) => {
  const { app, clock } = await build(t)
  const admin = await signIn(app, ADMIN.email, ADMIN.password)
  const me = (await call(app, admin, 'GET', '/api/me')).json().user
  const before = await countRows(app.db, TABLES)
  const err = await deactivateUser(app.db, me.id, { id: 'another-admin', role: 'admin', ip: '10.0.0.1' }, clock.now()).catch((e: unknown) => e)
  t.match(err, { code: 'LAST_ADMIN', statusCode: 409, message: /last active admin/ })
  t.same(await countRows(app.db, TABLES), before, 'nothing written')
  t.equal((await call(app, admin, 'GET', '/api/me')).statusCode, 200, 'still signed in')
})

t.test('password reset: a link shown once, works once, ends the sessions', async (t) => {
  const { app, clock } = await build(t)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const gp = terr.users.gp
  const res = await call(app, admin, 'POST', `/api/users/${gp.id}/password-reset`)
  t.equal(res.statusCode, 201)
  const { url, expiresAt } = res.json()
  t.match(url, /^http:\/\/localhost:\d+\/connexion#reinitialisation=[\w-]{43}$/, 'the secret is in the fragment, never sent to the server')
  t.equal(expiresAt, '2026-06-02T08:00:00.000Z', '24 hours')
  const token = url.split('#reinitialisation=')[1]
  const audit = (await auditOf(app, admin, 'user.password_reset')).entries
  t.equal(audit.length, 1)
  t.notMatch(JSON.stringify(audit), token, 'the secret is not in the audit log')
  t.equal((await app.inject({ method: 'POST', url: '/api/password-reset', payload: { token, password: 'short' } })).statusCode, 400, 'the password rule holds')

  const used = await app.inject({ method: 'POST', url: '/api/password-reset', payload: { token, password: 'a-brand-new-password' } })
  t.equal(used.statusCode, 204)
  t.equal((await call(app, gp.cookie, 'GET', '/api/me')).statusCode, 401, 'the sessions of the account ended')
  t.equal((await app.inject({ method: 'POST', url: '/api/session', payload: { email: gp.email, password: PASSWORD } })).statusCode, 401, 'the old password is gone')
  await signIn(app, gp.email, 'a-brand-new-password')
  const again = await app.inject({ method: 'POST', url: '/api/password-reset', payload: { token, password: 'yet-another-password' } })
  t.equal(again.statusCode, 400, 'the link works once')
  t.same(again.json().details[0].path, ['token'])
  await signIn(app, gp.email, 'a-brand-new-password')
  t.equal((await auditOf(app, admin, 'user.password_reset_used')).entries[0].subjectId, gp.id)

  // A newer link replaces the older; a link expires after 24 hours.
  const one = (await call(app, admin, 'POST', `/api/users/${gp.id}/password-reset`)).json().url.split('#reinitialisation=')[1]
  const two = (await call(app, admin, 'POST', `/api/users/${gp.id}/password-reset`)).json().url.split('#reinitialisation=')[1]
  t.equal((await app.inject({ method: 'POST', url: '/api/password-reset', payload: { token: one, password: 'password-from-one' } })).statusCode, 400, 'the older link stopped working')
  clock.advance(24 * 3600_000)
  t.equal((await app.inject({ method: 'POST', url: '/api/password-reset', payload: { token: two, password: 'password-from-two' } })).statusCode, 400, 'expired')
  const admin2 = await signIn(app, ADMIN.email, ADMIN.password)
  const three = (await call(app, admin2, 'POST', `/api/users/${terr.users.regulator.id}/password-reset`)).json().url.split('#reinitialisation=')[1]
  t.equal((await call(app, admin2, 'POST', `/api/users/${terr.users.regulator.id}/deactivate`)).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/api/password-reset', payload: { token: three, password: 'password-from-three' } })).statusCode, 400, 'deactivating an account cancels its link')
  await signIn(app, gp.email, 'a-brand-new-password')
})

t.test('the OpenAPI document lists the new routes', async (t) => {
  const { app } = await build(t)
  const paths = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json().paths
  for (const p of ['/api/users/{id}', '/api/users/{id}/deactivate', '/api/users/{id}/reactivate', '/api/users/{id}/password-reset', '/api/password-reset']) {
    t.ok(paths[p], p)
  }
  t.ok(paths['/api/users/{id}'].patch.requestBody, 'with its body schema')
})
