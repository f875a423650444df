import t from 'tap'
import { ADMIN, build, signIn } from './helpers/build.js'

t.test('sign in, read me, sign out revokes the session', async (t) => {
  const { app } = await build(t)
  const cookie = await signIn(app, ADMIN.email, ADMIN.password)
  const me = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })
  t.equal(me.statusCode, 200)
  t.equal(me.json().user.email, ADMIN.email)
  t.equal(me.json().user.role, 'admin')

  const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } })
  t.equal(out.statusCode, 204)
  const after = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })
  t.equal(after.statusCode, 401, 'the old cookie no longer works')
  t.equal(after.json().code, 'UNAUTHENTICATED')
})

t.test('the session cookie is HttpOnly and SameSite=Lax (it must follow the SAS platform\'s links and PSC\'s redirects)', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: ADMIN })
  const sid = res.cookies.find((c) => c.name === 'sid')
  t.ok(sid?.httpOnly)
  t.equal(sid?.sameSite, 'Lax')
  t.notOk(sid?.secure, 'not Secure on plain http by default')
})

t.test('permissions are checked before the body: a bad body from a stranger is still 401/403', async (t) => {
  const { app } = await build(t)
  const anon = await app.inject({ method: 'POST', url: '/api/users', payload: {} })
  t.equal(anon.statusCode, 401)
  t.equal(anon.json().code, 'UNAUTHENTICATED')
  const cookie = await signIn(app, ADMIN.email, ADMIN.password)
  const token = (await app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie }, payload: { label: 'x' } })).json().token
  const wrongRole = await app.inject({ method: 'POST', url: '/api/slots/x/hold', headers: { authorization: `Bearer ${token}` } })
  t.equal(wrongRole.statusCode, 403, 'an admin may not hold a slot')
  t.equal(wrongRole.json().code, 'FORBIDDEN')
})
