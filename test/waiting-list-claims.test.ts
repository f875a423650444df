// Issue 25: a waiting-list request is taken by one regulator at a time, on every instance: two
// regulators on two server instances (one database) claiming it at the same moment, one wins
// (with the slot held for them), the other hears REQUEST_CLAIMED and can neither book nor
// withdraw it; a claim lapses like a hold, and then the other may take it.
import t from 'tap'
import { build, signIn } from './helpers/build.js'
import { addRegulator, PASSWORD, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'
import { addRequest, call, publishAt } from './helpers/waiting-list.js'

const ENV = { HOLD_SECONDS: '60', HOLD_SWEEP_MS: '60000', SESSION_HOURS: '2160' }

t.test('two regulators on two instances claim one request: one wins, with its slot', async (t) => {
  const A = await build(t, ENV)
  const B = await build(t, ENV, undefined, { sameDatabaseAs: A })
  const terr = await territory(A.app)
  const a = terr.users.regulator.cookie
  const other = await addRegulator(A.app, terr.adminCookie, 'regb')
  const b = await signIn(B.app, 'regb@cpts.test', PASSWORD)
  const slot = await publishAt(A.app, terr.users.gp.cookie, '2026-06-03T09:00:00+02:00')
  const req = await addRequest(A.app, a)

  for (let round = 0; round < 3; round++) {
    const [ra, rb] = await Promise.all([
      call(A.app, a, 'POST', `/api/waiting-list/${req.id}/claim`, { slotId: slot.id }),
      call(B.app, b, 'POST', `/api/waiting-list/${req.id}/claim`, { slotId: slot.id })
    ])
    const statuses = [ra.status, rb.status].sort()
    if (round === 0) {
      t.same(statuses, [200, 409], 'one claim goes through')
      t.same([ra, rb].filter((r) => r.status === 409).map((r) => r.json.code), ['REQUEST_CLAIMED'], 'the other hears that someone handles it')
    } else {
      // Whoever holds it keeps it: claiming again extends; the other is refused again.
      t.same(statuses, [200, 409], `round ${round}: still one`)
    }
    const winner = ra.status === 200 ? 'a' : 'b'
    const row = await A.db.selectFrom('waiting_requests').select('claim_by').where('id', '=', req.id).executeTakeFirstOrThrow()
    const slotRow = await A.db.selectFrom('slots').select(['status', 'hold_by']).where('id', '=', slot.id).executeTakeFirstOrThrow()
    t.equal(row.claim_by, winner === 'a' ? terr.users.regulator.id : other.id, 'the database names the winner')
    t.same(slotRow, { status: 'held', hold_by: row.claim_by }, 'and the slot is held for the same regulator')
    if (round === 0 && winner === 'b') {
      // Make a the holder for what follows: b gives it back.
      t.equal((await call(B.app, b, 'DELETE', `/api/waiting-list/${req.id}/claim`)).status, 200)
      t.equal((await call(A.app, a, 'POST', `/api/waiting-list/${req.id}/claim`, { slotId: slot.id })).status, 200)
    }
  }

  // a holds it: b can neither book nor withdraw it, nor release it.
  const sB = await openLive(B.app, b)
  t.teardown(() => sB.close())
  const snap = await sB.waitFor((f) => f.type === 'snapshot')
  t.equal(snap.requests[0].claim.by, 'other', 'b’s page sees it taken by another regulator')
  const book = await call(B.app, b, 'POST', `/api/waiting-list/${req.id}/booking`, { slotId: slot.id })
  t.equal(book.json.code, 'REQUEST_CLAIMED')
  t.equal((await call(B.app, b, 'POST', `/api/waiting-list/${req.id}/withdrawal`, { reason: 'x' })).json.code, 'REQUEST_CLAIMED')
  t.equal((await call(B.app, b, 'DELETE', `/api/waiting-list/${req.id}/claim`)).json.code, 'REQUEST_CLAIMED')
  t.equal(await A.db.selectFrom('bookings').select('id').executeTakeFirst(), undefined, 'nothing booked')

  // The claim lapses like a hold: b may take it then, on its instance.
  A.clock.advance(61_000)
  B.clock.advance(61_000)
  const late = await call(B.app, b, 'POST', `/api/waiting-list/${req.id}/claim`, { slotId: slot.id })
  t.equal(late.status, 200, 'a lapsed claim is free again')
  t.equal(late.json.request.claim.by, 'me')
  const claimed = await sB.waitFor((f) => f.event === 'request.claimed')
  t.equal(claimed.request.claim.by, 'me', 'b’s page is told it is b’s now')
  const booked = await call(B.app, b, 'POST', `/api/waiting-list/${req.id}/booking`, { slotId: slot.id })
  t.equal(booked.status, 201)
  t.equal((await call(A.app, a, 'POST', `/api/waiting-list/${req.id}/claim`, {})).json.code, 'REQUEST_ENDED', 'on the other instance too')
})
