// Issue 13 (high): an open /api/live socket is only as good as its credential. Once the session
// or token ends — however it ends — commands on the socket are refused and the server closes it
// with LIVE_CLOSE.credentialEnded, which the pages turn into a French message.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { LIVE_CLOSE, liveCloseMessage } from '../shared/schemas/live.js'
import { sha256 } from '../server/lib/secrets.js'
import { build } from './helpers/build.js'
import { addRegulator, bearerToken, publishSlot, territory } from './helpers/fixtures.js'
import { openLive, type LiveProbe } from './helpers/live.js'

const BOOKING = { patient: { lastName: 'Durand', firstName: 'Paul', birthDate: '1975-05-06', phone: '02 51 58 12 34' }, hasTreatingGp: 'yes' }
// The periodic check is what notices an expiry or a change made in the database.
const ENV = { LIVE_AUTH_CHECK_MS: '30' }

async function setup (t: Parameters<typeof build>[0]) {
  const built = await build(t, ENV)
  const terr = await territory(built.app)
  const slot = await publishSlot(built.app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  return { ...built, terr, slot }
}

async function live (t: Parameters<typeof build>[0], app: FastifyInstance, credential: string | Record<string, string>): Promise<LiveProbe> {
  const s = await openLive(app, credential)
  t.teardown(() => s.close())
  await s.waitFor((f) => f.type === 'snapshot')
  return s
}

const bookingCount = async (app: FastifyInstance, cookie: string): Promise<number> =>
  (await app.inject({ method: 'GET', url: '/api/bookings', headers: { cookie } })).json().length

t.test('bearer token: after DELETE /api/session with it, the socket is closed and cannot book', async (t) => {
  const { app, terr, slot } = await setup(t)
  const token = await bearerToken(app, terr.users.regulator.cookie, 'regulation software')
  const s = await live(t, app, { authorization: `Bearer ${token}` })
  t.ok((await s.command({ type: 'hold', slotId: slot.id })).ok, 'the token may hold while it is valid')

  const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: { authorization: `Bearer ${token}` } })
  t.equal(out.statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401)
  // Sent at once, before the close can arrive: refused all the same.
  s.send({ type: 'book', requestId: 'after-revoke', slotId: slot.id, booking: BOOKING })
  t.equal(await s.closed, LIVE_CLOSE.credentialEnded, 'closed with the credential-ended code')
  const reply = s.frames.find((f) => f.requestId === 'after-revoke')
  if (reply !== undefined) t.equal(reply.error.code, 'UNAUTHENTICATED', 'a reply, if any, is a refusal')
  t.equal(await bookingCount(app, terr.users.gp.cookie), 0, 'nothing was booked')
  t.match(liveCloseMessage(LIVE_CLOSE.credentialEnded), /session a pris fin/, 'the page says it in French')
})

t.test('cookie sign-out closes the sockets of that session only', async (t) => {
  const { app, terr } = await setup(t)
  const other = await addRegulator(app, terr.adminCookie, 'other')
  const mine = await live(t, app, terr.users.regulator.cookie)
  const theirs = await live(t, app, other.cookie)
  const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: terr.users.regulator.cookie } })
  t.equal(out.statusCode, 204)
  t.equal(await mine.closed, LIVE_CLOSE.credentialEnded)
  t.ok((await theirs.command({ type: 'release', slotId: '00000000-0000-4000-8000-000000000000' })).requestId, 'the other regulator is still served')
  t.equal(theirs.ws.readyState, theirs.ws.OPEN, 'and still connected')
})

t.test('a token revoked behind the server\'s back: the next command is refused and the socket closed', async (t) => {
  // No periodic check here (an hour): only the check of every command can notice.
  const { app, db, terr, slot } = await build(t, { LIVE_AUTH_CHECK_MS: '600000' }).then(async (b) => {
    const terr = await territory(b.app)
    return { ...b, terr, slot: await publishSlot(b.app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00') }
  })
  const token = await bearerToken(app, terr.users.regulator.cookie)
  const s = await live(t, app, { authorization: `Bearer ${token}` })
  // As another instance would, or an admin in the database.
  await db.updateTable('api_tokens').set({ revoked_at: '2026-06-01T08:00:00.000Z' }).where('token_hash', '=', sha256(token)).execute()
  const reply = await s.command({ type: 'hold', slotId: slot.id })
  t.equal(reply.ok, false)
  t.equal(reply.error.code, 'UNAUTHENTICATED')
  t.equal(await s.closed, LIVE_CLOSE.credentialEnded)
  const seen = (await app.inject({ method: 'GET', url: '/api/slots', headers: { cookie: terr.users.gp.cookie } })).json()
  t.equal(seen[0].status, 'free', 'the slot was not held')
})

t.test('an expired session closes its socket by itself', async (t) => {
  const { app, clock, terr } = await setup(t)
  const s = await live(t, app, terr.users.regulator.cookie)
  clock.advance(12 * 3600_000 + 1000) // SESSION_HOURS defaults to 12
  t.equal(await s.closed, LIVE_CLOSE.credentialEnded)
})

t.test('a disabled account or a changed role closes its sockets by itself', async (t) => {
  const { app, db, terr } = await setup(t)
  const other = await addRegulator(app, terr.adminCookie, 'other')
  const disabled = await live(t, app, terr.users.regulator.cookie)
  const demoted = await live(t, app, other.cookie)
  const gp = await live(t, app, terr.users.gp.cookie)
  await db.updateTable('users').set({ disabled_at: '2026-06-01T08:00:00.000Z' }).where('id', '=', terr.users.regulator.id).execute()
  t.equal(await disabled.closed, LIVE_CLOSE.credentialEnded, 'disabled account')
  await db.updateTable('users').set({ role: 'board' }).where('id', '=', other.id).execute()
  t.equal(await demoted.closed, LIVE_CLOSE.credentialEnded, 'a regulator made board member')
  t.equal(gp.ws.readyState, gp.ws.OPEN, 'the practitioner, untouched, stays connected')
})
