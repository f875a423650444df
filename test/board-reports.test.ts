// Issue 14, the board: the slot calendar its periods follow (spans of dates that hold slots),
// and the calls report (how calls ended; no-slot calls by commune, day and hour), scoped like
// the season report and agreeing with its unmetDemand.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { spansOf } from '../server/features/reports/report-calendar.js'
import { build } from './helpers/build.js'
import { publishSlot, territory } from './helpers/fixtures.js'
import { joinCpts, offerTo } from './helpers/places.js'

async function get (app: FastifyInstance, cookie: string, url: string): Promise<{ status: number, body: any }> {
  const res = await app.inject({ method: 'GET', url, headers: { cookie } })
  return { status: res.statusCode, body: res.json() }
}

t.test('spans: runs of dates with no gap over 30 days', async (t) => {
  const d = (date: string, offered = 1) => ({ date, offered })
  t.same(spansOf([]), [])
  t.same(spansOf([d('2020-07-13', 20), d('2020-08-05', 5), d('2020-09-01', 2), d('2026-12-01', 600), d('2026-12-31')]), [
    { from: '2020-07-13', to: '2020-09-01', offered: 27, days: 3 },
    { from: '2026-12-01', to: '2026-12-31', offered: 601, days: 2 }
  ])
  t.equal(spansOf([d('2026-01-01'), d('2026-01-31')]).length, 1, '30 days apart: one span')
  t.equal(spansOf([d('2026-01-01'), d('2026-02-01')]).length, 2, '31 days apart: two')
})

t.test('the slot calendar follows the data, scoped like the season report', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const [c1, c2] = terr.cpts
  await publishSlot(app, terr.users.gp.cookie, '2026-06-10T10:00:00Z', '2026-06-10T10:15:00Z')
  await publishSlot(app, terr.users.gp.cookie, '2026-06-10T10:15:00Z', '2026-06-10T10:30:00Z')
  const gone = await publishSlot(app, terr.users.gp.cookie, '2026-06-11T10:00:00Z', '2026-06-11T10:15:00Z')
  await app.inject({ method: 'DELETE', url: `/api/slots/${gone.id}`, headers: { cookie: terr.users.gp.cookie } })
  await publishSlot(app, terr.users.gp2.cookie, '2026-11-20T10:00:00Z', '2026-11-20T10:15:00Z')

  const all = await get(app, terr.adminCookie, '/api/reports/calendar')
  t.equal(all.status, 200)
  t.same(all.body.days, [{ date: '2026-06-10', offered: 2 }, { date: '2026-11-20', offered: 1 }], 'a withdrawn slot is not offered')
  t.same(all.body.spans.map((s: any) => [s.from, s.to, s.offered]), [['2026-06-10', '2026-06-10', 2], ['2026-11-20', '2026-11-20', 1]])
  const one = await get(app, terr.adminCookie, `/api/reports/calendar?cptsId=${c2!.id}`)
  t.same(one.body.days, [{ date: '2026-11-20', offered: 1 }])
  const board = await get(app, terr.users.board.cookie, '/api/reports/calendar')
  t.same(board.body.days, [{ date: '2026-06-10', offered: 2 }], 'a board account attached to a CPTS sees its own')
  t.equal((await get(app, terr.users.board.cookie, `/api/reports/calendar?cptsId=${c2!.id}`)).status, 403)
  t.equal((await get(app, terr.users.gp.cookie, '/api/reports/calendar')).status, 403, 'not for practitioners')
  t.equal((await get(app, terr.adminCookie, `/api/reports/calendar?cptsId=${c1!.id}&kind=psy`)).body.days.length, 0)

  // A slot of CPTS 1 offered to CPTS 2 as well: in the calendar of each, once in the territory's.
  await joinCpts(db, terr.users.gp.id, c2!.id)
  const shared = await publishSlot(app, terr.users.gp.cookie, '2026-06-12T10:00:00Z', '2026-06-12T10:15:00Z')
  await offerTo(db, shared.id, c2!.id)
  t.same((await get(app, terr.adminCookie, `/api/reports/calendar?cptsId=${c2!.id}`)).body.days, [{ date: '2026-06-12', offered: 1 }, { date: '2026-11-20', offered: 1 }],
    'a slot offered to a CPTS besides its own is in its calendar')
  t.same((await get(app, terr.users.board.cookie, '/api/reports/calendar')).body.days, [{ date: '2026-06-10', offered: 2 }, { date: '2026-06-12', offered: 1 }], 'and in its own')
  t.same((await get(app, terr.adminCookie, '/api/reports/calendar')).body.days.map((d: any) => d.offered), [2, 1, 1], 'once in the territory\'s')
  await app.inject({ method: 'DELETE', url: `/api/slots/${shared.id}`, headers: { cookie: terr.users.gp.cookie } })
  t.same((await get(app, terr.adminCookie, `/api/reports/calendar?cptsId=${c2!.id}`)).body.days, [{ date: '2026-11-20', offered: 1 }], 'withdrawn, it leaves both')
})

t.test('calls by outcome, commune, day and hour; no-slot calls agree with unmetDemand', async (t) => {
  const { app, clock } = await build(t, { SESSION_HOURS: '240' })
  const terr = await territory(app)
  const [c1, c2] = terr.cpts
  const reg = terr.users.regulator.cookie
  const call = async (at: string, body: Record<string, unknown>): Promise<void> => {
    clock.set(at)
    const res = await app.inject({ method: 'POST', url: '/api/calls', headers: { cookie: reg }, payload: { kind: 'snp', hasTreatingGp: 'no', ...body } })
    if (res.statusCode !== 201) throw new Error(`call: ${res.statusCode} ${res.body}`)
  }
  // 85234 Saint-Jean-de-Monts, 85222 Saint-Gilles-Croix-de-Vie (INSEE codes of the Vendée coast).
  await call('2026-06-02T07:30:00Z', { outcome: 'no_slot', cptsId: c1!.id, communeCode: '85234' }) // 09:30 in Paris
  await call('2026-06-02T07:45:00Z', { outcome: 'no_slot', cptsId: c1!.id, communeCode: '85234' })
  await call('2026-06-02T16:10:00Z', { outcome: 'advice', cptsId: c1!.id, communeCode: '85222' }) // 18:10
  await call('2026-06-03T22:30:00Z', { outcome: 'no_slot', cptsId: c2!.id }) // 00:30 on 4 June in Paris
  await call('2026-06-03T09:00:00Z', { outcome: 'emergency' }) // no CPTS: the instance's zone
  await call('2026-06-06T08:00:00Z', { outcome: 'no_slot', kind: 'psy', cptsId: c1!.id, communeCode: '85222' })
  await call('2026-06-10T08:00:00Z', { outcome: 'no_slot', cptsId: c1!.id }) // after the period

  const q = 'from=2026-06-01&to=2026-06-07'
  const res = await get(app, terr.adminCookie, `/api/reports/calls?${q}`)
  t.equal(res.status, 200, JSON.stringify(res.body))
  const r = res.body
  t.equal(r.totals.calls, 6)
  t.same(r.totals.byOutcome, { booked: 0, redirected_treating_gp: 0, emergency: 1, advice: 1, no_slot: 4, other: 0 })
  const season = await get(app, terr.adminCookie, `/api/reports/season?${q}`)
  t.equal(r.totals.byOutcome.no_slot, season.body.totals.unmetDemand, 'the same no-slot calls as the season report')
  t.same(r.byCommune.map((c: any) => [c.communeCode, c.name, c.noSlot, c.calls]), [
    ['85234', 'Saint-Jean-de-Monts', 2, 2], ['85222', 'Saint-Gilles-Croix-de-Vie', 1, 2], [null, null, 1, 2]
  ], 'most no-slot calls first; calls with no commune together, last of their rank')
  t.equal(r.byDay.length, 7, 'every date of the period')
  t.same(r.byDay.filter((d: any) => d.calls > 0).map((d: any) => [d.date, d.calls, d.noSlot]), [
    ['2026-06-02', 3, 2], ['2026-06-03', 1, 0], ['2026-06-04', 1, 1], ['2026-06-06', 1, 1]
  ], 'by the local date: 00:30 on 4 June, not 3 June')
  t.equal(r.byHour.length, 24)
  t.same(r.byHour.filter((h: any) => h.calls > 0).map((h: any) => [h.hour, h.calls, h.noSlot]), [[0, 1, 1], [9, 2, 2], [10, 1, 1], [11, 1, 0], [18, 1, 0]],
    'by the local hour (the call without a CPTS in the instance\'s zone)')

  const psy = await get(app, terr.adminCookie, `/api/reports/calls?${q}&kind=psy`)
  t.equal(psy.body.totals.calls, 1, 'the kind filter')
  const own = await get(app, terr.users.board.cookie, `/api/reports/calls?${q}`)
  t.equal(own.body.totals.calls, 4, "the board sees its CPTS's calls only")
  const ownSeason = await get(app, terr.users.board.cookie, `/api/reports/season?${q}`)
  t.equal(own.body.totals.byOutcome.no_slot, ownSeason.body.totals.unmetDemand)
  t.equal((await get(app, terr.users.board.cookie, `/api/reports/calls?${q}&cptsId=${c2!.id}`)).status, 403)
  t.equal((await get(app, terr.adminCookie, '/api/reports/calls?from=2026-06-07&to=2026-06-01')).body.code, 'VALIDATION', 'a reversed period')
  t.notMatch(JSON.stringify(r), /lastName|firstName|birthDate|phone/, 'no patient field')
})
