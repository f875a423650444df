import t from 'tap'
import type { Kysely } from 'kysely'
import { DateTime } from 'luxon'
import { migrateToLatest, migratorFor } from '../db/migrate.js'
import { rate } from '../server/features/reports/fill-by-hour.js'
import { majorationEuros } from '../server/features/reports/majoration.js'
import { isoWeekOf, periodDates, weekdayOf } from '../server/features/reports/report-dates.js'
import { buildSeasonReport, percentile } from '../server/features/reports/season-report.js'
import { build, signIn } from './helpers/build.js'
import { scratchDb } from './helpers/database.js'
import { PASSWORD, territory, type Territory } from './helpers/fixtures.js'
import { joinCpts } from './helpers/places.js'

/**
 * The season report against a fixture small enough to count by hand. The clock stands on
 * Monday 2 November 2020: July and October 2020 are imported history, November is live
 * (published, booked, cancelled, held and released, honored through the API).
 *
 * Imported, CPTS 1 (Côte de Lumière), Dr gp (GP) and Dr psy (psychiatrist), CPTS 2 Dr gp2:
 * - gp, Tue 14 July, 08:00–13:30 local: 22 honored snp (11 without treating GP, booked 2 h
 *   before; 11 with, booked 4 h before): a week over the cap of 20;
 * - gp, Mon 13 July 23:45 local: free. Tue 14 July 00:15 local (13 July 22:15 UTC): no-show,
 *   booked 1 h before. Wed 15 July 10:00: withdrawn while free. 11:00: booking cancelled.
 * - gp, Mon 20 July 12:00 (next ISO week): honored, without treating GP, booked 30 min before;
 * - psy, Thu 16 July 14:00 honored (3 days ahead), 15:00 booked without outcome (1 day
 *   ahead); Fri 17 July 14:00 free;
 * - gp2, Mon 13 July 09:00 honored, without treating GP, 1 h ahead;
 * - gp2 around the end of summer time, Sun 25 October: 02:30+02:00 honored (1 h ahead), 02:30+01:00
 *   (an hour later, same wall time) free, 23:30+01:00 honored (2 h ahead), and Mon 26 October
 *   00:30+01:00 (25 October 23:30 UTC) booked without outcome (3 h ahead).
 */
const NOW = '2020-11-02T08:00:00.000Z'
const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'
const PATIENTS = [
  { lastName: 'Quintavalle', firstName: 'Zéphirine', birthDate: '1950-03-04', phone: '06 11 22 33 44' },
  { lastName: 'Vautrin', firstName: 'Ambroisine', birthDate: '1961-07-08', phone: '06 55 66 77 88' }
]

function csvLine (rpps: string, start: string, minutes: number, o: { kind?: string, withdrawn?: string, bookedMinutesBefore?: number, outcome?: string, gp?: string } = {}): string {
  const s = DateTime.fromISO(start, { setZone: true })
  const end = s.plus({ minutes }).toISO({ suppressMilliseconds: true }) ?? ''
  const booked = o.bookedMinutesBefore === undefined ? '' : s.minus({ minutes: o.bookedMinutesBefore }).toUTC().toISO() ?? ''
  return [rpps, start, end, o.kind ?? 'snp', 'office', o.withdrawn ?? '', booked, o.outcome ?? '', o.gp ?? ''].join(',')
}

function seasonCsv (terr: Territory): string {
  const gp = terr.users.gp.rpps ?? ''
  const psy = terr.users.psy.rpps ?? ''
  const gp2 = terr.users.gp2.rpps ?? ''
  const lines = [HEADER]
  let at = DateTime.fromISO('2020-07-14T08:00:00+02:00', { setZone: true })
  for (let i = 0; i < 22; i++) {
    const without = i < 11
    lines.push(csvLine(gp, at.toISO({ suppressMilliseconds: true }) ?? '', 15, { bookedMinutesBefore: without ? 120 : 240, outcome: 'honored', gp: without ? 'no' : 'yes' }))
    at = at.plus({ minutes: 15 })
  }
  lines.push(
    csvLine(gp, '2020-07-13T23:45:00+02:00', 15),
    csvLine(gp, '2020-07-14T00:15:00+02:00', 15, { bookedMinutesBefore: 60, outcome: 'no_show', gp: 'unknown' }),
    csvLine(gp, '2020-07-15T10:00:00+02:00', 15, { withdrawn: '2020-07-14T10:00:00Z' }),
    csvLine(gp, '2020-07-15T11:00:00+02:00', 15, { bookedMinutesBefore: 600, outcome: 'cancelled', gp: 'no' }),
    csvLine(gp, '2020-07-20T12:00:00+02:00', 15, { bookedMinutesBefore: 30, outcome: 'honored', gp: 'no' }),
    csvLine(psy, '2020-07-16T14:00:00+02:00', 30, { kind: 'psy', bookedMinutesBefore: 3 * 1440, outcome: 'honored', gp: 'yes' }),
    csvLine(psy, '2020-07-16T15:00:00+02:00', 30, { kind: 'psy', bookedMinutesBefore: 1440, outcome: 'booked', gp: 'unknown' }),
    csvLine(psy, '2020-07-17T14:00:00+02:00', 30, { kind: 'psy' }),
    csvLine(gp2, '2020-07-13T09:00:00+02:00', 15, { bookedMinutesBefore: 60, outcome: 'honored', gp: 'no' }),
    csvLine(gp2, '2020-10-25T02:30:00+02:00', 15, { bookedMinutesBefore: 60, outcome: 'honored', gp: 'no' }),
    csvLine(gp2, '2020-10-25T02:30:00+01:00', 15),
    csvLine(gp2, '2020-10-25T23:30:00+01:00', 15, { bookedMinutesBefore: 120, outcome: 'honored', gp: 'yes' }),
    csvLine(gp2, '2020-10-26T00:30:00+01:00', 15, { bookedMinutesBefore: 180, outcome: 'booked', gp: 'no' })
  )
  return lines.join('\n') + '\n'
}

const zeros = (from: string, to: string, except: Record<string, [number, number]>) =>
  periodDates(from, to).map((date) => {
    const [offered, booked] = except[date] ?? [0, 0]
    return { date, offered, booked, fillRate: offered === 0 ? null : booked / offered }
  })

t.test('pure arithmetic of the report', async (t) => {
  t.equal(rate(1, 0), null)
  t.equal(rate(1, 4), 0.25)
  t.same(periodDates('2020-10-24', '2020-10-27'), ['2020-10-24', '2020-10-25', '2020-10-26', '2020-10-27'], 'dates are labels: DST changes nothing')
  t.same(periodDates('2021-01-01', '2020-12-31'), [])
  t.equal(isoWeekOf('2020-07-13'), '2020-W29')
  t.equal(isoWeekOf('2021-01-03'), '2020-W53', 'ISO week-numbering year')
  t.equal(isoWeekOf('2024-12-30'), '2025-W01')
  t.equal(weekdayOf('2020-07-13'), 1)
  t.equal(weekdayOf('2020-10-25'), 7)
  t.equal(majorationEuros([22, 1, 20, 0], 15, 20), (20 + 1 + 20) * 15, 'at most 20 counted in each week')
  t.equal(majorationEuros([], 15, 20), 0)
  t.equal(percentile([], 0.5), null)
  t.equal(percentile([{ minutes: 10, n: 1 }], 0.9), 10)
  const hist = [{ minutes: 300, n: 1 }, { minutes: 60, n: 2 }, { minutes: 120, n: 7 }]
  t.equal(percentile(hist, 0.5), 120, 'nearest rank: the 5th of 10')
  t.equal(percentile(hist, 0.9), 120, 'the 9th of 10')
  t.equal(percentile(hist, 1), 300)
  t.equal(percentile(hist, 0.2), 60)

  const report = buildSeasonReport({
    period: { from: '2020-07-13', to: '2020-07-14' },
    dayHours: [{ date: '2020-07-14', hour: 9, offered: 2, booked: 1 }],
    groups: [
      { practitionerId: 'p1', cptsId: 'c1', week: '2020-W29', kind: 'snp', offered: 2, booked: 1, withdrawn: 1, honored: 1, noShow: 0, withoutTreatingGp: 1 }
    ],
    extraOffers: [{ cptsId: 'c2', offered: 1, booked: 1 }, { cptsId: 'c3', offered: 5, booked: 0 }],
    practitioners: new Map([['p1', { rpps: '1', name: 'Dr Un' }]]),
    cpts: [{ id: 'c2', name: 'B' }, { id: 'c1', name: 'A' }],
    kinds: ['snp', 'psy'],
    unmetDemand: 3,
    unmetDemandWithoutCpts: 1,
    lead: [],
    expiredHolds: 4,
    majoration: { euros: 15, weeklyCap: 20 }
  })
  t.same(report.byCpts.map((c) => [c.cptsId, c.offered, c.booked]), [['c1', 2, 1], ['c2', 1, 1]],
    'CPTS by name, zeros included; a slot offered to another CPTS in scope counts in its line too (one out of scope in none)')
  t.equal(report.totals.offered, 2, 'and once in the totals')
  t.same(report.byKind, [{ kind: 'snp', offered: 2, booked: 1, fillRate: 0.5 }, { kind: 'psy', offered: 0, booked: 0, fillRate: null }])
  t.same(report.heatmap, [{ weekday: 2, hour: 9, offered: 2, booked: 1 }])
  t.same(report.leadTime, { medianHours: null, p90Hours: null, count: 0 })
  t.equal(report.totals.honoredRate, 1)
  t.equal(report.totals.majorationEuros, 15)
})

t.test('season report', async (t) => {
  const { app, clock } = await build(t, { SESSION_HOURS: '2160' }, NOW)
  const terr = await territory(app)
  const [c1, c2] = terr.cpts as [Territory['cpts'][number], Territory['cpts'][number]]
  const { gp, gp2, psy, regulator, board } = terr.users
  const admin = terr.adminCookie

  const imported = await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: admin, 'content-type': 'text/csv' }, payload: seasonCsv(terr) })
  t.equal(imported.statusCode, 201, 'HTTP 201', { body: imported.body })
  t.same(imported.json(), { slots: 35, bookings: 31 })

  const get = async (query: string, cookie = admin) => {
    const res = await app.inject({ method: 'GET', url: `/api/reports/season?${query}`, headers: { cookie } })
    return { status: res.statusCode, body: res.json(), text: res.body }
  }

  t.test('two weeks of July, every CPTS and kind', async (t) => {
    const { status, body } = await get('from=2020-07-13&to=2020-07-26')
    t.equal(status, 200)
    t.same(body.period, { from: '2020-07-13', to: '2020-07-26' })
    t.same(body.totals, {
      offered: 30,
      booked: 27,
      honored: 25,
      noShow: 1,
      withdrawn: 1,
      fillRate: 27 / 30,
      honoredRate: 25 / 26,
      noShowRate: 1 / 26,
      withoutTreatingGpShare: 13 / 27,
      unmetDemand: 0,
      majorationEuros: 20 * 15 + 15 + 15
    })
    t.same(body.byDay, zeros('2020-07-13', '2020-07-26', {
      '2020-07-13': [2, 1], // 23:45 free (gp) and 09:00 honored (gp2)
      '2020-07-14': [23, 23], // the 22 honored and the no-show at 00:15 local (22:15 UTC the day before)
      '2020-07-15': [1, 0], // the cancelled booking; the withdrawn slot is not offered
      '2020-07-16': [2, 2],
      '2020-07-17': [1, 0],
      '2020-07-20': [1, 1]
    }))
    t.same(body.byWeek, [
      { week: '2020-W29', offered: 29, booked: 26, fillRate: 26 / 29 },
      { week: '2020-W30', offered: 1, booked: 1, fillRate: 1 }
    ])
    t.same(body.byPractitioner, [
      { practitionerId: gp.id, rpps: gp.rpps, name: 'Dr gp', cptsId: c1.id, offered: 26, booked: 24, honored: 23, noShow: 1, fillRate: 24 / 26, majorationEuros: 315, withdrawn: 1 },
      { practitionerId: gp2.id, rpps: gp2.rpps, name: 'Dr gp2', cptsId: c2.id, offered: 1, booked: 1, honored: 1, noShow: 0, fillRate: 1, majorationEuros: 15, withdrawn: 0 },
      { practitionerId: psy.id, rpps: psy.rpps, name: 'Dr psy', cptsId: c1.id, offered: 3, booked: 2, honored: 1, noShow: 0, fillRate: 2 / 3, majorationEuros: 0, withdrawn: 0 }
    ])
    t.same(body.byCpts, [
      { cptsId: c1.id, name: 'CPTS Côte de Lumière', offered: 29, booked: 26, fillRate: 26 / 29 },
      { cptsId: c2.id, name: 'CPTS Pays de Monts', offered: 1, booked: 1, fillRate: 1 }
    ])
    t.same(body.byKind, [
      { kind: 'snp', offered: 27, booked: 25, fillRate: 25 / 27 },
      { kind: 'psy', offered: 3, booked: 2, fillRate: 2 / 3 }
    ])
    t.same(body.heatmap, [
      { weekday: 1, hour: 9, offered: 1, booked: 1 },
      { weekday: 1, hour: 12, offered: 1, booked: 1 },
      { weekday: 1, hour: 23, offered: 1, booked: 0 },
      { weekday: 2, hour: 0, offered: 1, booked: 1 },
      { weekday: 2, hour: 8, offered: 4, booked: 4 },
      { weekday: 2, hour: 9, offered: 4, booked: 4 },
      { weekday: 2, hour: 10, offered: 4, booked: 4 },
      { weekday: 2, hour: 11, offered: 4, booked: 4 },
      { weekday: 2, hour: 12, offered: 4, booked: 4 },
      { weekday: 2, hour: 13, offered: 2, booked: 2 },
      { weekday: 3, hour: 11, offered: 1, booked: 0 },
      { weekday: 4, hour: 14, offered: 1, booked: 1 },
      { weekday: 4, hour: 15, offered: 1, booked: 1 },
      { weekday: 5, hour: 14, offered: 1, booked: 0 }
    ], 'only cells with slots offered; the withdrawn slot (Wednesday 10:00) leaves none')
    // 27 booked: 30 min, 60 ×2, 120 ×11, 240 ×11, 1440, 4320 → 14th and 25th.
    t.same(body.leadTime, { medianHours: 2, p90Hours: 4, count: 27 })
    t.equal(body.expiredHolds, 0, 'imported history has no holds')
    t.same(body.majoration, { euros: 15, weeklyCap: 20 })
  })

  t.test('a day is local: 00:15 on 14 July belongs to the 14th, 23:45 on the 13th to the 13th', async (t) => {
    const d14 = (await get('from=2020-07-14&to=2020-07-14')).body
    t.same(d14.byDay, [{ date: '2020-07-14', offered: 23, booked: 23, fillRate: 1 }])
    t.equal(d14.totals.noShow, 1)
    const d13 = (await get('from=2020-07-13&to=2020-07-13')).body
    t.same(d13.byDay, [{ date: '2020-07-13', offered: 2, booked: 1, fillRate: 0.5 }])
    t.same(d13.heatmap, [{ weekday: 1, hour: 9, offered: 1, booked: 1 }, { weekday: 1, hour: 23, offered: 1, booked: 0 }])
  })

  t.test('the night summer time ends', async (t) => {
    const { body } = await get('from=2020-10-25&to=2020-10-26')
    t.same(body.byDay, [
      { date: '2020-10-25', offered: 3, booked: 2, fillRate: 2 / 3 },
      { date: '2020-10-26', offered: 1, booked: 1, fillRate: 1 }
    ], '02:30 twice and 23:30 on the 25th; 00:30 on the 26th although it is the 25th in UTC')
    t.same(body.byWeek, [
      { week: '2020-W43', offered: 3, booked: 2, fillRate: 2 / 3 },
      { week: '2020-W44', offered: 1, booked: 1, fillRate: 1 }
    ])
    t.same(body.heatmap, [
      { weekday: 1, hour: 0, offered: 1, booked: 1 },
      { weekday: 7, hour: 2, offered: 2, booked: 1 },
      { weekday: 7, hour: 23, offered: 1, booked: 1 }
    ])
    t.same(body.byPractitioner.map((p: any) => [p.name, p.majorationEuros]), [['Dr gp2', 30]])
    t.same(body.leadTime, { medianHours: 2, p90Hours: 3, count: 3 })
    t.equal(body.totals.withoutTreatingGpShare, 2 / 3)
  })

  t.test('one kind', async (t) => {
    const { body } = await get('from=2020-07-13&to=2020-07-26&kind=psy')
    t.same(body.totals, {
      offered: 3, booked: 2, honored: 1, noShow: 0, withdrawn: 0, fillRate: 2 / 3, honoredRate: 1, noShowRate: 0,
      withoutTreatingGpShare: 0, unmetDemand: 0, majorationEuros: 0
    })
    t.same(body.byKind, [{ kind: 'psy', offered: 3, booked: 2, fillRate: 2 / 3 }])
    t.same(body.byPractitioner.map((p: any) => p.name), ['Dr psy'])
    t.same(body.byCpts.map((c: any) => [c.name, c.offered]), [['CPTS Côte de Lumière', 3], ['CPTS Pays de Monts', 0]])
  })

  t.test('a board member attached to a CPTS sees only it', async (t) => {
    const own = await get('from=2020-07-13&to=2020-07-26', board.cookie)
    t.equal(own.status, 200)
    t.same(own.body.byCpts, [{ cptsId: c1.id, name: 'CPTS Côte de Lumière', offered: 29, booked: 26, fillRate: 26 / 29 }])
    t.same(own.body.byPractitioner.map((p: any) => p.name), ['Dr gp', 'Dr psy'])
    t.equal(own.body.totals.offered, 29)
    t.equal(own.body.totals.majorationEuros, 315)
    t.same((await get(`from=2020-07-13&to=2020-07-26&cptsId=${c1.id}`, board.cookie)).body, own.body, 'asking for its own CPTS is the same')
    const other = await get(`from=2020-07-13&to=2020-07-26&cptsId=${c2.id}`, board.cookie)
    t.equal(other.status, 403)
    t.equal(other.body.code, 'FORBIDDEN')
    const adminC2 = await get(`from=2020-07-13&to=2020-07-26&cptsId=${c2.id}`)
    t.same(adminC2.body.byPractitioner.map((p: any) => p.name), ['Dr gp2'], 'an admin picks any CPTS')
  })

  t.test('who may ask, and what', async (t) => {
    t.equal((await get('from=2020-07-13&to=2020-07-26', regulator.cookie)).status, 403)
    t.equal((await get('from=2020-07-13&to=2020-07-26', gp.cookie)).status, 403)
    const anon = await app.inject({ method: 'GET', url: '/api/reports/season?from=2020-07-13&to=2020-07-26' })
    t.equal(anon.statusCode, 401)
    for (const q of ['from=2020-07-26&to=2020-07-13', 'to=2020-07-13', 'from=2020-07-13&to=2020-7-26', 'from=2020-01-01&to=2023-01-01', 'from=2020-07-13&to=2020-07-26&kind=x', 'from=2020-07-13&to=2020-07-26&cptsId=nope']) {
      const r = await get(q)
      t.equal(r.status, 400, q)
      t.equal(r.body.code, 'VALIDATION', q)
    }
  })

  t.test('live weeks: bookings, cancellations, holds, outcomes and calls through the API', async (t) => {
    const post = async (url: string, cookie: string, payload?: object) => {
      const res = await app.inject({ method: 'POST', url, headers: { cookie }, ...(payload !== undefined ? { payload } : {}) })
      t.ok(res.statusCode < 300, url, { statusCode: res.statusCode, body: res.body })
      return res.json()
    }
    const slots = []
    for (const time of ['10:00', '10:30', '11:00']) {
      slots.push(await post('/api/slots', gp.cookie, { start: `2020-11-03T${time}:00+01:00`, end: `2020-11-03T${time.replace(':00', ':20').replace(':30', ':50')}:00+01:00`, kind: 'snp', mode: 'office' }))
    }
    const [a, b, c] = slots
    const bookA = await post(`/api/slots/${a.id}/booking`, regulator.cookie, { patient: PATIENTS[0], reason: 'fièvre', hasTreatingGp: 'no' })
    const bookB = await post(`/api/slots/${b.id}/booking`, regulator.cookie, { patient: PATIENTS[1], reason: 'entorse', hasTreatingGp: 'yes' })
    await post(`/api/bookings/${bookB.id}/cancel`, regulator.cookie, { reason: 'la patiente va mieux' })
    await post(`/api/slots/${c.id}/hold`, regulator.cookie)
    const released = await app.inject({ method: 'DELETE', url: `/api/slots/${c.id}/hold`, headers: { cookie: regulator.cookie } })
    t.equal(released.statusCode, 200)
    await post(`/api/slots/${c.id}/hold`, regulator.cookie)
    clock.advance(200_000) // past the 180 s hold
    await app.slots.holds.expireHolds()
    await post('/api/calls', regulator.cookie, { outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'no', cptsId: c1.id })
    await post('/api/calls', regulator.cookie, { outcome: 'no_slot', kind: 'psy', hasTreatingGp: 'unknown' })
    await post('/api/calls', regulator.cookie, { outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'yes', cptsId: c2.id })
    await post('/api/calls', regulator.cookie, { outcome: 'advice', kind: 'snp', hasTreatingGp: 'yes', cptsId: c1.id })
    clock.set('2020-11-03T09:30:00.000Z')
    await post(`/api/bookings/${bookA.id}/outcome`, gp.cookie, { outcome: 'honored' })

    const all = await get('from=2020-11-02&to=2020-11-08')
    t.same(all.body.totals, {
      offered: 3, booked: 1, honored: 1, noShow: 0, withdrawn: 0, fillRate: 1 / 3, honoredRate: 1, noShowRate: 0,
      withoutTreatingGpShare: 1, unmetDemand: 3, majorationEuros: 15
    })
    t.same(all.body.byDay.slice(0, 2), [
      { date: '2020-11-02', offered: 0, booked: 0, fillRate: null },
      { date: '2020-11-03', offered: 3, booked: 1, fillRate: 1 / 3 }
    ])
    t.same(all.body.heatmap, [{ weekday: 2, hour: 10, offered: 2, booked: 1 }, { weekday: 2, hour: 11, offered: 1, booked: 0 }])
    t.equal(all.body.expiredHolds, 2, 'one hold released by its regulator, one expired')
    t.same(all.body.leadTime, { medianHours: 25, p90Hours: 25, count: 1 }, 'booked at 09:00 the day before')
    t.equal(all.body.unmetDemandWithoutCpts, 1)

    const own = await get('from=2020-11-02&to=2020-11-08', board.cookie)
    t.equal(own.body.totals.unmetDemand, 1, "the board sees its CPTS's no-slot calls only")
    t.equal(own.body.unmetDemandWithoutCpts, 1)
    const psyOnly = await get('from=2020-11-02&to=2020-11-08&kind=psy')
    t.same(psyOnly.body.totals, {
      offered: 0, booked: 0, honored: 0, noShow: 0, withdrawn: 0, fillRate: null, honoredRate: null, noShowRate: null,
      withoutTreatingGpShare: null, unmetDemand: 1, majorationEuros: 0
    })
    t.same(psyOnly.body.heatmap, [])
    t.same(psyOnly.body.leadTime, { medianHours: null, p90Hours: null, count: 0 })

    // The board never sees a patient: no identity, no reason, not even the word.
    for (const r of [all, own, psyOnly]) {
      for (const secret of [...PATIENTS.flatMap((p) => Object.values(p)), 'fièvre', 'entorse', 'mieux', 'patient', 'reason']) {
        t.notOk(r.text.includes(secret), `no "${secret}" in the answer`)
      }
    }
    t.equal((await get('from=2020-07-13&to=2020-11-08')).body.totals.offered, 30 + 4 + 3, 'July, October and November together')
  })

  t.test("a slot's figures follow its current booking: booked, cancelled, booked again, no-show", async (t) => {
    const send = async (url: string, cookie: string, payload: object) => {
      const res = await app.inject({ method: 'POST', url, headers: { cookie }, payload })
      t.ok(res.statusCode < 300, url, { statusCode: res.statusCode, body: res.body })
      return res.json()
    }
    const december = async () => (await get('from=2020-12-01&to=2020-12-01')).body
    const slot = await send('/api/slots', gp2.cookie, { start: '2020-12-01T18:00:00+01:00', end: '2020-12-01T18:20:00+01:00', kind: 'snp', mode: 'home' })
    t.match((await december()).totals, { offered: 1, booked: 0, withoutTreatingGpShare: null })
    const first = await send(`/api/slots/${slot.id}/booking`, regulator.cookie, { patient: PATIENTS[0], hasTreatingGp: 'no' })
    t.match((await december()).totals, { offered: 1, booked: 1, withoutTreatingGpShare: 1 })
    await send(`/api/bookings/${first.id}/cancel`, regulator.cookie, { reason: 'erreur de créneau' })
    let r = await december()
    t.match(r.totals, { offered: 1, booked: 0, withoutTreatingGpShare: null })
    t.equal(r.leadTime.count, 0)
    clock.advance(3600_000)
    const second = await send(`/api/slots/${slot.id}/booking`, regulator.cookie, { patient: PATIENTS[1], hasTreatingGp: 'yes' })
    r = await december()
    t.match(r.totals, { offered: 1, booked: 1, withoutTreatingGpShare: 0, honoredRate: null })
    t.same(r.leadTime, { medianHours: (Date.parse('2020-12-01T17:00:00Z') - clock.now().getTime()) / 3_600_000, p90Hours: r.leadTime.medianHours, count: 1 })
    clock.set('2020-12-01T17:30:00.000Z')
    await send(`/api/bookings/${second.id}/outcome`, gp2.cookie, { outcome: 'no_show' })
    r = await december()
    t.match(r.totals, { offered: 1, booked: 1, honored: 0, noShow: 1, noShowRate: 1, honoredRate: 0, majorationEuros: 0 })
    t.same(r.byCpts.map((c: any) => [c.name, c.offered, c.booked]), [['CPTS Côte de Lumière', 0, 0], ['CPTS Pays de Monts', 1, 1]])
  })
})

t.test("a slot offered to two CPTS counts once in the territory's figures and in each CPTS's own", async (t) => {
  const { app, db } = await build(t, { SESSION_HOURS: '2160' }, NOW)
  const terr = await territory(app)
  const [c1, c2] = terr.cpts as [Territory['cpts'][number], Territory['cpts'][number]]
  const { gp, gp2 } = terr.users
  const admin = terr.adminCookie
  await joinCpts(db, gp.id, c2.id)
  const created = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin }, payload: { email: 'board2@cpts.test', name: 'Bureau des Monts', password: PASSWORD, role: 'board', cptsId: c2.id } })
  t.equal(created.statusCode, 201, created.body)
  const board2 = await signIn(app, 'board2@cpts.test', PASSWORD)

  // Dr gp (home CPTS 1): three honored slots offered to both CPTS, one to CPTS 1 only; Dr gp2 (CPTS 2): one.
  const both = 'CPTS Côte de Lumière|CPTS Pays de Monts'
  const honored = { bookedMinutesBefore: 60, outcome: 'honored', gp: 'no' }
  const csv = [`${HEADER},cpts`,
    ...['08:00', '08:15', '08:30'].map((h) => `${csvLine(gp.rpps ?? '', `2020-07-14T${h}:00+02:00`, 15, honored)},${both}`),
    `${csvLine(gp.rpps ?? '', '2020-07-14T09:00:00+02:00', 15, honored)},`,
    `${csvLine(gp2.rpps ?? '', '2020-07-13T09:00:00+02:00', 15, honored)},`
  ].join('\n')
  const imported = await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: admin, 'content-type': 'text/csv' }, payload: csv })
  t.equal(imported.statusCode, 201, imported.body)
  const report = async (query: string, cookie = admin): Promise<any> =>
    (await app.inject({ method: 'GET', url: `/api/reports/season?from=2020-07-13&to=2020-07-19${query}`, headers: { cookie } })).json()
  const offered = (rows: Array<{ offered: number }>): number[] => rows.map((r) => r.offered)

  const all = await report('')
  t.same([all.totals.offered, all.totals.honored, all.totals.majorationEuros, all.leadTime.count], [5, 5, 75, 5], 'the territory counts each slot once')
  t.same(offered(all.byDay.slice(0, 2)), [1, 4], 'in its days')
  t.same(all.byPractitioner.map((p: any) => [p.name, p.cptsId, p.offered]), [['Dr gp', c1.id, 4], ['Dr gp2', c2.id, 1]], 'under its own CPTS')
  t.same(all.byCpts.map((c: any) => [c.cptsId, c.offered, c.booked]), [[c1.id, 4, 4], [c2.id, 4, 4]], 'but in the line of each CPTS it was offered to')

  const monts = await report(`&cptsId=${c2.id}`)
  t.same([monts.totals.offered, monts.totals.honored, monts.totals.majorationEuros, monts.leadTime.count], [4, 4, 60, 4], "CPTS 2's report counts the slots offered to it")
  t.same(offered(monts.byDay.slice(0, 2)), [1, 3])
  t.same(monts.byPractitioner.map((p: any) => [p.name, p.cptsId, p.offered, p.majorationEuros]), [['Dr gp', c2.id, 3, 45], ['Dr gp2', c2.id, 1, 15]])
  t.same(monts.byCpts, [{ cptsId: c2.id, name: 'CPTS Pays de Monts', offered: 4, booked: 4, fillRate: 1 }])
  t.same(await report('', board2), monts, 'as its board account sees it')
  const lumiere = await report(`&cptsId=${c1.id}`)
  t.same([lumiere.totals.offered, lumiere.totals.majorationEuros], [4, 60], "and CPTS 1's, its own")
  t.same(await report('&kind=psy', board2).then((r) => r.totals.offered), 0)
})

t.test('migration 0003 fills the report columns of slots written before it', async (t) => {
  const db = await scratchDb(t)
  const migrator = await migratorFor(db)
  const first = await migrator.migrateTo('0002_slots')
  t.error(first.error)
  const raw = db as unknown as Kysely<any>
  const at = '2020-07-01T00:00:00.000Z'
  await raw.insertInto('cpts').values({ id: 'c', name: 'La Réunion', timezone: 'Indian/Reunion', created_at: at }).execute()
  await raw.insertInto('users').values({ id: 'u', email: 'u@x', name: 'Dr U', role: 'practitioner', password_hash: 'x', cpts_id: 'c', created_at: at }).execute()
  const slot = (id: string, start: string, extra: object = {}) => ({
    id, practitioner_id: 'u', cpts_id: 'c', start_at: start, end_at: start.replace(':00.000Z', ':15.000Z').replace('T20:30:', 'T20:45:'),
    kind: 'snp', mode: 'office', status: 'free', created_at: at, updated_at: at, ...extra
  })
  // 20:30 UTC is 00:30 the next day in Réunion (UTC+4).
  await raw.insertInto('slots').values([
    slot('s1', '2020-07-13T20:30:00.000Z', { status: 'booked', booking_id: 'b1' }),
    slot('s2', '2020-07-14T06:00:00.000Z')
  ]).execute()
  await raw.insertInto('bookings').values({ id: 'b1', slot_id: 's1', status: 'honored', has_treating_gp: 'no', booked_at: '2020-07-13T18:30:00.000Z' }).execute()
  // Seqs given: PostgreSQL's events.seq has no default (the writer takes it from events_counter).
  await raw.insertInto('events').values([
    { seq: 1, at, type: 'slot.released', slot_id: 's2', payload: '{}' },
    { seq: 2, at, type: 'slot.released', slot_id: 's2', payload: '{}' },
    { seq: 3, at, type: 'slot.held', slot_id: 's2', payload: '{}' }
  ]).execute()
  t.equal((await migrateToLatest(db))[0], '0003_report_columns', 'the report columns are added first (later migrations follow)')
  const rows = await db.selectFrom('slots')
    .select(['id', 'local_date', 'local_hour', 'iso_week', 'booking_status', 'booking_has_treating_gp', 'lead_minutes', 'released_holds'])
    .orderBy('id').execute()
  t.same(rows, [
    { id: 's1', local_date: '2020-07-14', local_hour: 0, iso_week: '2020-W29', booking_status: 'honored', booking_has_treating_gp: 'no', lead_minutes: 120, released_holds: 0 },
    { id: 's2', local_date: '2020-07-14', local_hour: 10, iso_week: '2020-W29', booking_status: null, booking_has_treating_gp: null, lead_minutes: null, released_holds: 2 }
  ])
  const back = await migrator.migrateTo('0002_slots')
  t.error(back.error, 'and it goes down again')
})
