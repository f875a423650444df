// Issue 25: a waiting patient is matched, live and for every regulator, when a slot of the same
// kind and mode opens inside their window — published, freed by a cancellation, released by its
// holder or by a lapsed hold, a series withdrawn then republished — and the requests a slot
// answers are ranked by the board's geography (commune, intercommunality, département), then by
// how long the patient has waited.
import t from 'tap'
import { build } from './helpers/build.js'
import { addRegulator, territory } from './helpers/fixtures.js'
import { openLive, type LiveProbe } from './helpers/live.js'
import { addRequest, call, COMMUNES, publishAt } from './helpers/waiting-list.js'

const ENV = { HOLD_SECONDS: '60', HOLD_SWEEP_MS: '20', SESSION_HOURS: '2160' }
const BOOKING = { patient: { lastName: 'Durand', firstName: 'Paul', birthDate: '1975-05-06', phone: '02 51 58 12 34' }, hasTreatingGp: 'yes' }

/** The `request.matched` frames a socket received after `fromSeq`: [request id, slot id]. */
const matchesAfter = (s: LiveProbe, fromSeq: number): Array<[string, string]> =>
  s.frames.filter((f) => f.event === 'request.matched' && f.seq > fromSeq).map((f) => [f.request.id, f.slotId])

/** Waits for the event of `pred` and returns its seq. */
const seqOf = async (s: LiveProbe, pred: (f: any) => boolean, what: string): Promise<number> => (await s.waitFor(pred, what)).seq

t.test('matched on each way a slot appears, for every regulator; not when kind, mode or window differ', async (t) => {
  const { app, clock } = await build(t, ENV)
  const terr = await territory(app)
  const reg = terr.users.regulator.cookie
  const other = await addRegulator(app, terr.adminCookie, 'regb')
  const gp = terr.users.gp.cookie
  const req = await addRequest(app, reg, { until: '2026-06-02' })
  const sA = await openLive(app, reg)
  const sB = await openLive(app, other.cookie)
  t.teardown(() => { sA.close(); sB.close() })
  for (const s of [sA, sB]) await s.waitFor((f) => f.type === 'snapshot')

  // Published: a slot of another kind, another mode, or after the window matches nothing.
  await publishAt(app, terr.users.psy.cookie, '2026-06-02T08:00:00+02:00', { kind: 'psy' })
  await publishAt(app, gp, '2026-06-02T08:00:00+02:00', { mode: 'video' })
  const late = await publishAt(app, gp, '2026-06-03T08:00:00+02:00')
  let mark = await seqOf(sA, (f) => f.event === 'slot.published' && f.slot.id === late.id, 'the late slot')
  t.same(matchesAfter(sA, 0), [], 'no match for psy, video, or after the window')
  const slot = await publishAt(app, gp, '2026-06-02T09:00:00+02:00')
  await sA.waitFor((f) => f.event === 'request.matched' && f.slotId === slot.id, 'published')
  for (const s of [sA, sB]) t.same(matchesAfter(s, mark), [[req.id, slot.id]], 'published: every regulator sees the match')
  const published = sA.frames.find((f) => f.event === 'slot.published' && f.slot.id === slot.id)
  t.equal(sA.frames.find((f) => f.event === 'request.matched').seq, published.seq + 1, 'in the same commit as the slot, next in seq')

  // Held, then released by its holder.
  mark = await seqOf(sA, (f) => f.event === 'request.matched', 'mark')
  t.equal((await call(app, other.cookie, 'POST', `/api/slots/${slot.id}/hold`)).status, 200)
  await sA.waitFor((f) => f.event === 'slot.held' && f.seq > mark)
  t.same(matchesAfter(sA, mark), [], 'a held slot matches nobody')
  t.equal((await call(app, other.cookie, 'DELETE', `/api/slots/${slot.id}/hold`)).status, 200)
  await sA.waitFor((f) => f.event === 'request.matched' && f.seq > mark, 'released')
  t.same(matchesAfter(sA, mark), [[req.id, slot.id]], 'released by its holder')

  // Held again, and the hold lapses: the server's sweeper releases it.
  mark = sA.frames.at(-1).seq
  t.equal((await call(app, other.cookie, 'POST', `/api/slots/${slot.id}/hold`)).status, 200)
  await sA.waitFor((f) => f.event === 'slot.held' && f.seq > mark)
  clock.advance(61_000)
  await sA.waitFor((f) => f.event === 'request.matched' && f.seq > mark, 'lapsed hold')
  t.same(matchesAfter(sA, mark), [[req.id, slot.id]], 'released by a lapsed hold')

  // Booked for someone else, then cancelled.
  mark = sA.frames.at(-1).seq
  const booking = await call(app, other.cookie, 'POST', `/api/slots/${slot.id}/booking`, BOOKING)
  t.equal(booking.status, 201)
  t.equal((await call(app, other.cookie, 'POST', `/api/bookings/${booking.json.id}/cancel`, { reason: 'Le patient ne viendra pas' })).status, 200)
  await sA.waitFor((f) => f.event === 'request.matched' && f.seq > mark, 'cancellation')
  t.same(matchesAfter(sA, mark), [[req.id, slot.id]], 'freed by a cancellation')

  // A series: one match for the request, its best (soonest) slot; withdrawn, then republished.
  t.equal((await call(app, reg, 'POST', `/api/waiting-list/${req.id}/claim`, {})).status, 200)
  const series = { from: '2026-06-02', to: '2026-06-02', weekdays: [2], startTime: '14:00', slotMinutes: 15, count: 2, kind: 'snp', mode: 'office' }
  mark = sA.frames.at(-1).seq
  const first = await call(app, gp, 'POST', '/api/slots/series', series)
  t.equal(first.status, 201)
  await sA.waitFor((f) => f.event === 'request.matched' && f.seq > mark, 'series')
  const soonest = first.json.created[0].id
  t.same(matchesAfter(sA, mark), [[req.id, soonest]], 'a series: one match, its soonest slot (a claimed request is still matched)')
  mark = sA.frames.at(-1).seq
  t.equal((await call(app, gp, 'POST', '/api/slots/withdrawals', { seriesId: first.json.created[0].seriesId })).status, 200)
  await sA.waitFor((f) => f.event === 'slot.withdrawn' && f.seq > mark)
  const again = await call(app, gp, 'POST', '/api/slots/series', series)
  t.equal(again.status, 201)
  await sA.waitFor((f) => f.event === 'request.matched' && f.seq > mark, 'republished')
  t.same(matchesAfter(sA, mark), [[req.id, again.json.created[0].id]], 'withdrawn then republished')

  // The list says which free slots answer each request, best first.
  const list = await call(app, reg, 'GET', '/api/waiting-list')
  t.same(list.json.requests[0].matches.map((m: any) => m.slotId), [slot.id, ...again.json.created.map((s: any) => s.id)])
  t.equal(list.json.seq, sA.frames.at(-1).seq, 'the list says the seq it is as of')
})

t.test('the geography ranking: commune, intercommunality, département, then the longest wait', async (t) => {
  const { app, clock } = await build(t, ENV)
  const terr = await territory(app)
  const reg = terr.users.regulator.cookie
  const at = async (communeCode: string, over: Record<string, unknown> = {}): Promise<string> => {
    clock.advance(60_000) // one minute between calls: who waited longest is well defined
    return (await addRequest(app, reg, { communeCode, ...over })).id
  }
  const dept = await at(COMMUNES.dept)
  const farOffice = await at(COMMUNES.far)
  const epci = await at(COMMUNES.epci)
  const sameEarly = await at(COMMUNES.same)
  const farVideo = await at(COMMUNES.far, { modes: ['office', 'video'] })
  const sameLate = await at(COMMUNES.same, { modes: ['video', 'office'] })
  const sA = await openLive(app, reg)
  t.teardown(() => sA.close())
  await sA.waitFor((f) => f.type === 'snapshot')

  const office = await publishAt(app, terr.users.gp.cookie, '2026-06-02T09:00:00+02:00')
  await sA.waitFor((f) => f.event === 'slot.published' && f.slot.id === office.id)
  await sA.waitFor(() => matchesAfter(sA, 0).length >= 4)
  t.same(matchesAfter(sA, 0).map(([id]) => id), [sameEarly, sameLate, epci, dept], 'an office slot: nearest first, then the longest wait; not across the département')

  const mark = sA.frames.at(-1).seq
  const video = await publishAt(app, terr.users.gp.cookie, '2026-06-02T11:00:00+02:00', { mode: 'video' })
  await sA.waitFor((f) => f.event === 'slot.published' && f.slot.id === video.id)
  await sA.waitFor(() => matchesAfter(sA, mark).length >= 2)
  t.same(matchesAfter(sA, mark).map(([id]) => id), [sameLate, farVideo], 'a video slot: whoever accepts video, from anywhere, ranked all the same')
  t.same((await call(app, reg, 'GET', '/api/waiting-list')).json.requests.map((r: any) => [r.id, r.matches.map((m: any) => m.rank)]), [
    [dept, [2]], [farOffice, []], [epci, [1]], [sameEarly, [0]], [farVideo, [3]], [sameLate, [0, 0]]
  ], 'each request with the ranks of the slots that answer it')
})
