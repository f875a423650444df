// Issue 13: a page of another site cannot act with a signed-in user's cookie (CSRF), nor read
// the live feed; answers carrying patient data are never cached.
import t from 'tap'
import { build } from './helpers/build.js'
import { bearerToken, publishSlot, territory } from './helpers/fixtures.js'

t.test('state-changing requests and upgrades from a foreign Origin are refused', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const reg = terr.users.regulator
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const hold = (headers: Record<string, string>) => app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: reg.cookie, ...headers } })

  const forged = await hold({ origin: 'https://evil.example', 'content-type': 'text/plain' })
  t.equal(forged.statusCode, 403, 'a form on another site cannot hold a slot')
  t.equal(forged.json().code, 'FORBIDDEN')
  const plain = await hold({ 'content-type': 'text/plain' })
  t.equal(plain.statusCode, 415, 'text/plain bodies (what a form can send without a preflight) are not parsed at all')
  t.equal((await app.inject({ method: 'POST', url: '/api/feed/rotate', headers: { cookie: terr.users.gp.cookie, origin: 'http://evil.example' } })).statusCode, 403, 'nor rotate a feed address')
  t.equal((await app.inject({ method: 'POST', url: '/api/session', headers: { origin: 'http://evil.example' }, payload: { email: 'a@b.c', password: 'x' } })).statusCode, 403, 'nor sign someone in')
  t.equal((await app.inject({ method: 'GET', url: '/api/slots', headers: { cookie: reg.cookie, origin: 'http://evil.example' } })).statusCode, 200, 'reads are not changes (CORS keeps their answer from the page)')

  const own = await hold({ origin: 'http://localhost:80', host: 'localhost:80' })
  t.equal(own.statusCode, 200, 'our own page may', { body: own.body })
  const token = await bearerToken(app, reg.cookie)
  const viaToken = await app.inject({ method: 'DELETE', url: `/api/slots/${slot.id}/hold`, headers: { authorization: `Bearer ${token}`, origin: 'https://regulation-software.example' } })
  t.equal(viaToken.statusCode, 200, 'a bearer token is no ambient credential: its caller may come from anywhere')

  await t.rejects(app.injectWS('/api/live', { headers: { cookie: reg.cookie, origin: 'https://evil.example' } }), /403|Unexpected server response/, 'a websocket from a foreign page gets no snapshot')
})

t.test('API answers are never cached (they may carry patient data)', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const res = await app.inject({ method: 'GET', url: '/api/bookings', headers: { cookie: terr.users.gp.cookie } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const refused = await app.inject({ method: 'GET', url: '/api/bookings' })
  t.equal(refused.headers['cache-control'], 'no-store', 'errors too')
})
