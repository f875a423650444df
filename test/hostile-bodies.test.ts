// Issue 13 (high): an anonymous body must not freeze everyone. Bodies are small by default (only
// the admin's season import may be large, and its role is checked before its body is read),
// nesting is bounded, and the sign-in limit per address counts before the body is read.
import { connect, type Socket } from 'node:net'
import t from 'tap'
import { ADMIN, build } from './helpers/build.js'

/** `depth` nested arrays: tiny on the wire, costly for a naive parser and validator. */
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)

t.test('a 10 MB body to POST /api/session is refused unread (413), and the server answers others meanwhile', async (t) => {
  const { app } = await build(t)
  const huge = `{"email":"a@b.c","password":${nested(5 * 1024 * 1024)}}`
  const [res, me] = await Promise.all([
    app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: huge }),
    app.inject({ method: 'GET', url: '/api/me' })
  ])
  t.equal(res.statusCode, 413)
  t.equal(res.json().code, 'VALIDATION')
  t.match(res.json().message, /too large/i)
  t.equal(me.statusCode, 401, 'another request got its answer')
})

t.test('deep nesting under the size limit is refused with a clear 400 before parsing', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: `{"email":${nested(20_000)}}` })
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'VALIDATION')
  t.match(res.json().message, /deeper than 32 levels/)
  const proto = await app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"admin":true},"email":"a@b.c","password":"x"}' })
  t.equal(proto.statusCode, 400, '__proto__ keys are refused')
  const ok = await app.inject({ method: 'POST', url: '/api/session', payload: ADMIN })
  t.equal(ok.statusCode, 200, 'an ordinary sign-in still works')
})

t.test('the season import takes large bodies, but only from a signed-in admin, checked before the body', async (t) => {
  const { app } = await build(t, { IMPORT_BODY_LIMIT_BYTES: String(2 * 1024 * 1024) })
  const big = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp\n' + 'x'.repeat(1024 * 1024)
  const anon = await app.inject({ method: 'POST', url: '/api/import/season', headers: { 'content-type': 'text/csv' }, payload: big })
  t.equal(anon.statusCode, 401, 'a stranger is turned away, whatever the size')
  const login = await app.inject({ method: 'POST', url: '/api/session', payload: ADMIN })
  const cookie = `sid=${login.cookies.find((c) => c.name === 'sid')!.value}`
  const admin = await app.inject({ method: 'POST', url: '/api/import/season', headers: { 'content-type': 'text/csv', cookie }, payload: big })
  t.equal(admin.statusCode, 400, 'an admin\'s 1 MB file is read (and refused line by line, not for its size)')
  t.equal(admin.json().code, 'IMPORT_INVALID')
  const tooBig = await app.inject({ method: 'POST', url: '/api/import/season', headers: { 'content-type': 'text/csv', cookie }, payload: 'x'.repeat(3 * 1024 * 1024) })
  t.equal(tooBig.statusCode, 413, 'over IMPORT_BODY_LIMIT_BYTES')
  const json = await app.inject({ method: 'POST', url: '/api/cpts', headers: { 'content-type': 'application/json', cookie }, payload: JSON.stringify({ name: 'x'.repeat(100 * 1024) }) })
  t.equal(json.statusCode, 413, 'a JSON route keeps the small limit, even for an admin')
})

t.test('sign-in: the per-address limit counts before the body, whatever the e-mail (password spraying)', async (t) => {
  const { app } = await build(t, { LOGIN_ADDRESS_RATE_LIMIT: '5' })
  const codes: number[] = []
  for (let i = 0; i < 8; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email: `user${i}@cpts.test`, password: 'guess-guess-1' } })
    codes.push(res.statusCode)
  }
  t.same(codes, [401, 401, 401, 401, 401, 429, 429, 429], 'five e-mails tried, then throttled')
  const body = await app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: nested(1000) })
  t.equal(body.statusCode, 429, 'a throttled address is refused before its body is parsed')
  t.equal(body.json().code, 'RATE_LIMITED')
  const other = await app.inject({ method: 'POST', url: '/api/session', payload: ADMIN, remoteAddress: '192.0.2.7' })
  t.equal(other.statusCode, 200, 'another address is not affected')
})

t.test('a body sent a byte at a time is cut off after REQUEST_TIMEOUT_MS; one address cannot hold every connection', async (t) => {
  const { app } = await build(t, { REQUEST_TIMEOUT_MS: '1000', MAX_CONNECTIONS_PER_ADDRESS: '4' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const open = (): Promise<Socket> => new Promise((resolve) => { const s = connect(port, '127.0.0.1', () => resolve(s)) })
  const ended = (s: Socket): Promise<string> => new Promise((resolve) => {
    let data = ''
    s.on('data', (d) => { data += d.toString() })
    s.on('close', () => resolve(data))
  })

  const slow = await open()
  const slowEnded = ended(slow)
  slow.write('POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{')
  const dripper = setInterval(() => { if (!slow.destroyed) slow.write(' ') }, 200)
  t.teardown(() => clearInterval(dripper))
  t.match(await slowEnded, /^HTTP\/1\.1 408|^$/, 'the slow request is answered 408 or cut')

  const held = await Promise.all([open(), open(), open(), open()])
  const fifth = await open()
  t.equal(await ended(fifth), '', 'the fifth connection from one address is closed at once')
  for (const s of held) s.destroy()
})
