import t from 'tap'
import { sha256 } from '../server/lib/secrets.js'
import { ADMIN, build, signIn } from './helpers/build.js'
import { bearerToken, PASSWORD, territory } from './helpers/fixtures.js'

const me = async (app: Awaited<ReturnType<typeof build>>['app'], headers: Record<string, string>) =>
  await app.inject({ method: 'GET', url: '/api/me', headers })

t.test('sign-in, sign-out and credentials', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)

  t.test('an unknown e-mail and a wrong password get the very same answer', async (t) => {
    const unknown = await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'nobody@cpts.test', password: PASSWORD } })
    const wrong = await app.inject({ method: 'POST', url: '/api/session', payload: { email: terr.users.regulator.email, password: 'not-the-password' } })
    t.equal(unknown.statusCode, 401)
    t.equal(unknown.json().code, 'UNAUTHENTICATED')
    t.same(wrong.json(), unknown.json(), 'same status, code, error and message')
    t.equal(wrong.statusCode, unknown.statusCode)
    t.notOk(unknown.cookies.some((c) => c.name === 'sid'), 'no session cookie on failure')
    t.notOk(wrong.cookies.some((c) => c.name === 'sid'))
  })

  t.test('the e-mail is matched whatever its case and surrounding spaces', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email: '  Regulator@CPTS.test ', password: PASSWORD } })
    t.equal(res.statusCode, 200)
    t.equal(res.json().user.email, terr.users.regulator.email)
    t.equal(res.json().user.role, 'regulator')
  })

  t.test('sign-in answers the user, and /api/me reads it back from the cookie', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email: terr.users.gp.email, password: PASSWORD } })
    t.equal(res.statusCode, 200)
    const { user } = res.json()
    t.equal(user.id, terr.users.gp.id)
    t.equal(user.role, 'practitioner')
    t.equal(user.practitioner.rpps, terr.users.gp.rpps)
    t.notOk('passwordHash' in user || 'password_hash' in user || 'password' in user, 'no password material')
    const sid = res.cookies.find((c) => c.name === 'sid')
    const read = await me(app, { cookie: `sid=${sid?.value ?? ''}` })
    t.equal(read.statusCode, 200)
    t.same(read.json().user, user)
  })

  t.test('sign-out revokes that session only', async (t) => {
    const first = await signIn(app, terr.users.board.email, PASSWORD)
    const second = await signIn(app, terr.users.board.email, PASSWORD)
    const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: first } })
    t.equal(out.statusCode, 204)
    const cleared = out.cookies.find((c) => c.name === 'sid')
    t.equal(cleared?.value, '', 'the browser is told to drop the cookie')
    const after = await me(app, { cookie: first })
    t.equal(after.statusCode, 401, 'the old cookie no longer works')
    t.equal(after.json().code, 'UNAUTHENTICATED')
    const again = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: first } })
    t.equal(again.statusCode, 401, 'signing out twice is refused as anonymous')
    t.equal((await me(app, { cookie: second })).statusCode, 200, 'the other session of the same user goes on')
  })

  t.test('signing out with a bearer token revokes that token only, and says so in the audit log', async (t) => {
    const token = await bearerToken(app, terr.users.regulator.cookie, 'poste 1')
    const other = await bearerToken(app, terr.users.regulator.cookie, 'poste 2')
    const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: { authorization: `Bearer ${token}` } })
    t.equal(out.statusCode, 204)
    const after = await me(app, { authorization: `Bearer ${token}` })
    t.equal(after.statusCode, 401, 'the revoked token no longer works')
    t.equal(after.json().code, 'UNAUTHENTICATED')
    t.equal((await me(app, { authorization: `Bearer ${other}` })).statusCode, 200, "the user's other token goes on")
    t.equal((await me(app, { cookie: terr.users.regulator.cookie })).statusCode, 200, 'and so does their session')
    const audit = await db.selectFrom('audit_log').select(['user_id', 'action']).where('action', '=', 'token.revoke').execute()
    t.same(audit, [{ user_id: terr.users.regulator.id, action: 'token.revoke' }])
  })

  t.test('an unknown or empty cookie is anonymous', async (t) => {
    for (const cookie of ['sid=not-a-session', 'sid=']) {
      const res = await me(app, { cookie })
      t.equal(res.statusCode, 401, cookie)
      t.equal(res.json().code, 'UNAUTHENTICATED')
    }
  })

  t.test('a session expires after SESSION_HOURS', async (t) => {
    const { app, clock } = await build(t, { SESSION_HOURS: '2' })
    const cookie = await signIn(app, ADMIN.email, ADMIN.password)
    clock.advance(2 * 3600_000 - 1000)
    t.equal((await me(app, { cookie })).statusCode, 200, 'still valid just before')
    clock.advance(2000)
    const res = await me(app, { cookie })
    t.equal(res.statusCode, 401, 'expired')
    t.equal(res.json().code, 'UNAUTHENTICATED')
  })

  t.test('bearer tokens for regulation software', async (t) => {
    const created = await app.inject({ method: 'POST', url: '/api/tokens', payload: { label: 'Logiciel SAS 85' }, headers: { cookie: terr.users.regulator.cookie } })
    t.equal(created.statusCode, 201)
    const { token, label } = created.json()
    t.type(token, 'string')
    t.ok(token.length >= 32, 'a long random secret')
    t.equal(label, 'Logiciel SAS 85')

    const ok = await me(app, { authorization: `Bearer ${token}` })
    t.equal(ok.statusCode, 200)
    t.equal(ok.json().user.id, terr.users.regulator.id, 'the token acts as its owner')
    t.equal(ok.json().user.role, 'regulator')

    for (const authorization of ['Bearer garbage', `Bearer ${token}x`, `Basic ${token}`, 'Bearer']) {
      const res = await me(app, { authorization })
      t.equal(res.statusCode, 401, authorization.slice(0, 12))
      t.equal(res.json().code, 'UNAUTHENTICATED')
    }

    const second = await app.inject({ method: 'POST', url: '/api/tokens', payload: { label: 'Logiciel SAS 85' }, headers: { authorization: `Bearer ${token}` } })
    t.equal(second.statusCode, 201, 'a token may mint another one')
    t.not(second.json().token, token, 'every token is new')

    const rows = await db.selectFrom('api_tokens').selectAll().execute()
    const dump = JSON.stringify(rows)
    t.notOk(dump.includes(token), 'the clear token is nowhere in api_tokens')
    t.notOk(dump.includes(second.json().token))
    t.ok(rows.some((r) => r.token_hash === sha256(token)), 'only its hash is kept')
  })

  t.test('session ids are stored hashed too', async (t) => {
    const cookie = await signIn(app, terr.users.regulator.email, PASSWORD)
    const sid = cookie.slice('sid='.length)
    const dump = JSON.stringify(await db.selectFrom('sessions').selectAll().execute())
    t.notOk(dump.includes(sid))
    t.ok(dump.includes(sha256(sid)))
  })

  t.test('the audit log records accounts and sign-ins, and refuses to be rewritten', async (t) => {
    const log = await db.selectFrom('audit_log').selectAll().orderBy('id').execute()
    const created = log.find((e) => e.action === 'user.create' && e.subject_id === terr.users.gp.id)
    t.ok(created, 'user.create for the GP')
    t.equal(created?.user_id, (await db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()).id, 'by the admin who created it')
    t.ok(log.some((e) => e.action === 'user.create' && e.user_id === null && e.subject_type === 'user'), 'the bootstrap admin, by nobody')
    t.ok(log.some((e) => e.action === 'session.sign_in' && e.user_id === terr.users.board.id), 'session.sign_in of the board member')
    t.ok(log.some((e) => e.action === 'session.sign_in_failed' && e.user_id === terr.users.regulator.id), 'the wrong password was traced')
    t.ok(log.every((e) => e.detail === null || !e.detail.includes(PASSWORD)), 'no password in the log')

    const before = JSON.stringify(log)
    await t.rejects(db.updateTable('audit_log').set({ action: 'forged' }).execute(), /append-only/)
    await t.rejects(db.deleteFrom('audit_log').execute(), /append-only/)
    await t.rejects(db.deleteFrom('audit_log').where('id', '=', log[0]?.id ?? 0).execute(), /append-only/)
    t.equal(JSON.stringify(await db.selectFrom('audit_log').selectAll().orderBy('id').execute()), before, 'history unchanged')
  })
})

t.test('sign-in rate limit', async (t) => {
  const { app } = await build(t, { LOGIN_RATE_LIMIT: '3' })
  const attempt = async (email: string, password: string) =>
    await app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, remoteAddress: '192.0.2.7' })

  for (let i = 1; i <= 3; i++) {
    t.equal((await attempt(ADMIN.email, 'guess-number-' + String(i))).statusCode, 401, `attempt ${i} is checked`)
  }
  const fourth = await attempt(ADMIN.email, ADMIN.password)
  t.equal(fourth.statusCode, 429, 'the 4th attempt within the minute is refused, even with the right password')
  t.equal(fourth.json().code, 'RATE_LIMITED')
  t.notOk(fourth.cookies.some((c) => c.name === 'sid'))
  t.equal((await attempt(ADMIN.email.toUpperCase(), ADMIN.password)).statusCode, 429, 'changing the case of the e-mail does not reset the count')

  const other = await app.inject({ method: 'POST', url: '/api/session', payload: ADMIN, remoteAddress: '198.51.100.9' })
  t.equal(other.statusCode, 200, 'another address is not blocked')
  // A regulation room behind one address: a colleague can still sign in.
  const created = await app.inject({
    method: 'POST',
    url: '/api/users',
    payload: { email: 'colleague@cpts.test', name: 'Collègue', password: PASSWORD, role: 'regulator' },
    headers: { cookie: `sid=${other.cookies.find((c) => c.name === 'sid')?.value ?? ''}` }
  })
  t.equal(created.statusCode, 201)
  t.equal((await attempt('colleague@cpts.test', PASSWORD)).statusCode, 200, 'another e-mail from the same address is not blocked')
})
