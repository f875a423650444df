// Issue 13 (medium): one account cannot open sockets without end, and one socket cannot flood
// the server with commands while other regulators wait.
import t from 'tap'
import { LIVE_CLOSE } from '../shared/schemas/live.js'
import { build } from './helpers/build.js'
import { bearerToken, publishSlot, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'

t.test('an account may open LIVE_MAX_SOCKETS_PER_ACCOUNT sockets; one more is closed with its own code', async (t) => {
  const { app } = await build(t, { LIVE_MAX_SOCKETS_PER_ACCOUNT: '2' })
  const terr = await territory(app)
  const token = await bearerToken(app, terr.users.regulator.cookie)
  const a = await openLive(app, terr.users.regulator.cookie)
  const b = await openLive(app, { authorization: `Bearer ${token}` })
  t.teardown(() => { a.close(); b.close() })
  await a.waitFor((f) => f.type === 'snapshot')
  await b.waitFor((f) => f.type === 'snapshot')
  const c = await openLive(app, terr.users.regulator.cookie)
  t.equal(await c.closed, LIVE_CLOSE.tooManySockets, 'the third socket of one account, by cookie or token')
  t.equal(c.frames.length, 0, 'and it got no snapshot')
  const gp = await openLive(app, terr.users.gp.cookie)
  t.teardown(() => gp.close())
  t.ok(await gp.waitFor((f) => f.type === 'snapshot'), 'another account is not counted with it')
  a.close()
  await a.closed
  const d = await openLive(app, terr.users.regulator.cookie)
  t.teardown(() => d.close())
  t.ok(await d.waitFor((f) => f.type === 'snapshot'), 'a closed socket frees its place')
})

t.test('commands over LIVE_COMMANDS_PER_SECOND are refused with RATE_LIMITED, a flood closes the socket, others are served', async (t) => {
  const { app } = await build(t, { LIVE_COMMANDS_PER_SECOND: '5' })
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const flooder = await openLive(app, terr.users.regulator.cookie)
  const gp = await openLive(app, terr.users.gp.cookie)
  t.teardown(() => { flooder.close(); gp.close() })
  await flooder.waitFor((f) => f.type === 'snapshot')
  await gp.waitFor((f) => f.type === 'snapshot')

  for (let i = 0; i < 20; i++) flooder.send({ type: 'release', requestId: `f${i}`, slotId: slot.id })
  await flooder.waitFor((f) => f.type === 'error' && f.error.code === 'RATE_LIMITED', 'a RATE_LIMITED frame')
  // A refusal is sent at once, a reply after its query: on PostgreSQL (queries off the event loop)
  // replies still arrive after the first refusal. Each command gets one or the other.
  const answered = (f: any): boolean => f.type === 'reply' || (f.type === 'error' && f.error.code === 'RATE_LIMITED')
  await flooder.waitFor(() => flooder.frames.filter(answered).length >= 20, 'an answer to each of the 20 commands')
  const served = flooder.frames.filter((f) => f.type === 'reply').length
  t.ok(served >= 1 && served <= 10, `a burst of twice the rate is served (${served} of 20)`)

  for (let i = 0; i < 400; i++) flooder.send('{}')
  t.equal(await flooder.closed, LIVE_CLOSE.flood, 'a socket that keeps flooding is closed')
  const reply = await gp.command({ type: 'release', slotId: slot.id })
  t.equal(reply.requestId !== undefined, true, 'another account is answered meanwhile')
})
