import t from 'tap'
import { build } from './helpers/build.js'
import { territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'

t.test('publish, hold, book over HTTP and websocket, seen live', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const reg = terr.users.regulator
  const pub = await app.inject({ method: 'POST', url: '/api/slots', headers: { cookie: gp.cookie }, payload: { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00', kind: 'snp', mode: 'office' } })
  t.equal(pub.statusCode, 201, 'HTTP 201', { body: pub.body })
  const slot = pub.json()
  t.equal(slot.start, '2026-06-02T12:00:00+02:00')

  const live = await openLive(app, reg.cookie)
  const snap = await live.waitFor((f) => f.type === 'snapshot')
  t.equal(snap.slots.length, 1)

  const hold = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: reg.cookie } })
  t.equal(hold.statusCode, 200, 'HTTP 200', { body: hold.body })
  t.equal(hold.json().slot.hold.by, 'me')
  await live.waitFor((f) => f.event === 'slot.held')

  const reply = await live.command({ type: 'book', slotId: slot.id, booking: { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '0612345678' }, hasTreatingGp: 'no' } })
  t.ok(reply.ok, JSON.stringify(reply))
  const booked = await live.waitFor((f) => f.event === 'slot.booked')
  t.equal(booked.slot.status, 'booked')

  live.send('not json')
  const err = await live.waitFor((f) => f.type === 'error')
  t.equal(err.error.code, 'VALIDATION')
  live.close()
})
