import t from 'tap'
import { DateTime } from 'luxon'
import { migratorFor } from '../db/migrate.js'
import { seasonReportFromSlots, groupRowsFromSlots } from '../server/features/reports/report-from-slots.js'
import { majorationCounts } from '../server/features/reports/majoration.js'
import { groupRows, seasonReport, type ReportScope } from '../server/features/reports/report-repository.js'
import { slotCalendar } from '../server/features/reports/report-calendar.js'
import { build } from './helpers/build.js'
import { joinCpts } from './helpers/places.js'
import { practitionerProfile, territory } from './helpers/fixtures.js'

/**
 * Migrations 0012's and 0020's rollups against the slots themselves: every report the board can
 * ask for, computed from the rollups (what the route answers) and from the slots alone (the
 * reference), must be the same to the last decimal, for the territory and for each CPTS, after
 * every kind of writer has been through: imports (both DST changes of Paris, a zone of its own
 * for a CPTS of La Réunion, slots offered to one or two CPTS), live publishing of a series
 * across a DST day (offered to two CPTS), holds, bookings, cancellations, moves,
 * outcomes, withdrawals of one slot and of a series' day, the retention purge, a slot deleted
 * outright, and one offered to two CPTS deleted after its offers.
 */
const NOW = '2021-03-20T08:00:00.000Z'
const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp,cpts'
const PATIENT = { lastName: 'Quintavalle', firstName: 'Zéphirine', birthDate: '1950-03-04', phone: '06 11 22 33 44' }
const MAJORATION = { euros: 15, weeklyCap: 3 }

/** A deterministic generator: the same season on every run. */
function generator (seed: number): () => number {
  let s = seed
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 }
}

/**
 * Imported history: every 25 minutes or so from `from` for `days` days, in `zone`, with every
 * outcome; the `cpts` column picks one of the practitioner's `offers` (none: the home CPTS).
 */
function seasonCsv (practitioners: Array<{ rpps: string, kind: 'snp' | 'psy', offers?: string[] }>, from: string, days: number, zone: string, rand: () => number): string[] {
  const lines: string[] = []
  for (const p of practitioners) {
    let at = DateTime.fromISO(from, { zone }).set({ hour: 0, minute: 5 })
    const end = at.plus({ days })
    while (at < end) {
      const start = at.toUTC()
      const r = rand()
      const lead = 1 + Math.floor(rand() * 4000) // minutes
      const bookedAt = start.minus({ minutes: lead }).toISO() ?? ''
      const outcome = r < 0.05 ? '' : r < 0.45 ? 'honored' : r < 0.55 ? 'no_show' : r < 0.65 ? 'booked' : r < 0.72 ? 'cancelled' : ''
      const withdrawn = outcome === '' && r < 0.05 ? start.minus({ days: 1 }).toISO() ?? '' : ''
      const gp = outcome === '' ? '' : (['yes', 'no', 'unknown'] as const)[Math.floor(rand() * 3)] ?? 'no'
      const offers = p.offers ?? ['']
      const cpts = offers[Math.floor(rand() * offers.length)] ?? ''
      lines.push([p.rpps, start.toISO(), start.plus({ minutes: 20 }).toISO(), p.kind, 'office', withdrawn, outcome === '' ? '' : bookedAt, outcome, gp, cpts].join(','))
      at = at.plus({ minutes: 25 + Math.floor(rand() * 200) })
    }
  }
  return lines
}

t.test('the rollups give every report the slots give', async (t) => {
  const { app, clock, db } = await build(t, { SESSION_HOURS: '2160' }, NOW)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const { gp, gp2, psy, regulator } = terr.users
  const post = async (url: string, cookie: string, payload?: unknown, method: 'POST' | 'DELETE' = 'POST'): Promise<any> => {
    const res = await app.inject({ method, url, headers: { cookie }, ...(payload !== undefined ? { payload: payload as object } : {}) })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  const reunion = await post('/api/cpts', admin, { name: 'CPTS Sud Réunion', timezone: 'Indian/Reunion' })
  const { user: gp3 } = await post('/api/users', admin, { email: 'gp3@cpts.test', name: 'Dr gp3', password: 'correct-horse-battery', role: 'practitioner', cptsId: reunion.id, practitioner: practitionerProfile(4) })

  // Dr gp (CPTS 1) and Dr gp2 (CPTS 2) are members of both: some of their slots are offered to both.
  const lumiere = terr.cpts[0]!
  const monts = terr.cpts[1]!
  await joinCpts(db, gp.id, monts.id)
  await joinCpts(db, gp2.id, lumiere.id)

  // History: autumn 2020 (Paris leaves summer time on 25 October) and the Réunion, imported.
  const rand = generator(7)
  const lines = [
    ...seasonCsv([{ rpps: gp.rpps ?? '', kind: 'snp', offers: ['', `${lumiere.name}|${monts.name}`, monts.name] }, { rpps: gp2.rpps ?? '', kind: 'snp' }, { rpps: psy.rpps ?? '', kind: 'psy' }], '2020-10-19', 14, 'Europe/Paris', rand),
    ...seasonCsv([{ rpps: gp3.practitioner.rpps, kind: 'snp' }], '2020-10-19', 14, 'Indian/Reunion', rand)
  ]
  const imported = await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: admin, 'content-type': 'text/csv' }, payload: [HEADER, ...lines].join('\n') + '\n' })
  t.equal(imported.statusCode, 201, imported.body)

  // Live: a series over the night Paris enters summer time (28 March 2021, 02:00 does not exist).
  const series = await post('/api/slots/series', gp.cookie, { from: '2021-03-26', to: '2021-03-30', weekdays: [1, 2, 3, 4, 5, 6, 7], startTime: '01:00', slotMinutes: 30, count: 4, kind: 'snp', mode: 'office', cptsIds: [lumiere.id, monts.id] })
  const slots: any[] = series.created
  t.ok(slots.length >= 18, 'the series is published')
  const one = await post('/api/slots', psy.cookie, { start: '2021-03-29T14:00:00+02:00', end: '2021-03-29T14:30:00+02:00', kind: 'psy', mode: 'video' })
  const other = await post('/api/slots', gp2.cookie, { start: '2021-03-29T10:00:00+02:00', end: '2021-03-29T10:20:00+02:00', kind: 'snp', mode: 'office' })
  const spare = await post('/api/slots', gp2.cookie, { start: '2021-03-29T11:00:00+02:00', end: '2021-03-29T11:20:00+02:00', kind: 'snp', mode: 'office', cptsIds: [monts.id, lumiere.id] })
  const book = async (id: string, hasTreatingGp: 'yes' | 'no' | 'unknown'): Promise<any> => await post(`/api/slots/${id}/booking`, regulator.cookie, { patient: PATIENT, hasTreatingGp })
  const bookings = []
  for (let i = 0; i < slots.length; i += 2) {
    clock.advance(37 * 60_000)
    bookings.push(await book(slots[i].id, i % 3 === 0 ? 'no' : 'yes'))
  }
  await book(one.id, 'no')
  const moved = await book(other.id, 'unknown')
  await post(`/api/bookings/${moved.id}/move`, regulator.cookie, { slotId: spare.id })
  await post(`/api/bookings/${bookings[1].id}/cancel`, regulator.cookie, { reason: 'mieux' })
  await post(`/api/slots/${slots[3].id}/hold`, regulator.cookie)
  await post(`/api/slots/${slots[3].id}/hold`, regulator.cookie, undefined, 'DELETE')
  await post(`/api/slots/${slots[5].id}/hold`, regulator.cookie)
  clock.advance(200_000)
  await app.slots.holds.expireHolds()
  await post(`/api/slots/${slots[7].id}`, gp.cookie, undefined, 'DELETE')
  await post('/api/slots/withdrawals', gp.cookie, { seriesId: series.seriesId, date: '2021-03-30' })
  await post('/api/calls', regulator.cookie, { outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'no', cptsId: terr.cpts[0]!.id })
  clock.set('2021-04-02T12:00:00.000Z')
  for (const [i, b] of bookings.entries()) {
    if (i === 1 || b.status !== 'booked') continue
    if (i % 4 !== 3) await post(`/api/bookings/${b.id}/outcome`, gp.cookie, { outcome: i % 4 === 2 ? 'no_show' : 'honored' })
  }
  // A year on: patient data of the autumn are erased (the figures stay); a free slot is deleted outright.
  clock.set('2022-06-15T12:00:00.000Z')
  const purged = await app.retention.runOnce()
  t.ok((purged?.bookings ?? 0) > 0, 'the purge erased patient data')
  const free = await db.selectFrom('slots').select('id').where('status', '=', 'free').where('local_date', '=', '2020-10-21')
    .where('id', 'not in', db.selectFrom('slot_offers').select('slot_id')).executeTakeFirstOrThrow()
  await db.deleteFrom('slots').where('id', '=', free.id).execute()
  // One offered to two CPTS: its offers go first (no cascade), then the slot.
  const offered = await db.selectFrom('slots').innerJoin('slot_offers', 'slot_offers.slot_id', 'slots.id').select('slots.id')
    .where('slots.status', '=', 'free').where('slots.local_date', '=', '2020-10-22').executeTakeFirstOrThrow()
  await db.deleteFrom('slot_offers').where('slot_id', '=', offered.id).execute()
  await db.deleteFrom('slots').where('id', '=', offered.id).execute()
  const shared = Number((await db.selectFrom('slot_offers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  t.ok(shared > 30, `${shared} slots offered to two CPTS`)

  const scopes: ReportScope[] = []
  for (const period of [['2020-10-19', '2021-04-05'], ['2020-10-24', '2020-10-26'], ['2021-03-27', '2021-03-29'], ['2020-10-21', '2020-10-21'], ['2019-01-01', '2019-02-01']]) {
    for (const cptsId of [undefined, terr.cpts[0]!.id, terr.cpts[1]!.id, reunion.id]) {
      for (const kind of [undefined, 'snp', 'psy'] as const) scopes.push({ from: period[0]!, to: period[1]!, cptsId, kind })
    }
  }
  const compare = async (label: string): Promise<void> => {
    for (const s of scopes) {
      const name = `${label}: ${s.from}..${s.to} ${s.cptsId ?? 'all CPTS'} ${s.kind ?? 'all kinds'}`
      t.same(await seasonReport(db, s, MAJORATION), await seasonReportFromSlots(db, s, MAJORATION), name)
    }
    // The rows under the report: (practitioner, CPTS, kind) sums, and the capped weeks.
    const weekly = await groupRowsFromSlots(db, scopes[0]!)
    const sums = new Map<string, Record<string, number | string>>()
    const counted = new Map<string, Map<string, number>>()
    for (const { week, ...r } of weekly) {
      const key = `${r.practitionerId} ${r.cptsId} ${r.kind}`
      const sum = sums.get(key) ?? { ...r, offered: 0, booked: 0, withdrawn: 0, honored: 0, noShow: 0, withoutTreatingGp: 0 }
      for (const k of ['offered', 'booked', 'withdrawn', 'honored', 'noShow', 'withoutTreatingGp'] as const) sum[k] = Number(sum[k]) + r[k]
      sums.set(key, sum)
      if (r.kind === 'snp') {
        const weeks = counted.get(r.practitionerId) ?? new Map<string, number>()
        weeks.set(week ?? '', (weeks.get(week ?? '') ?? 0) + r.honored)
        counted.set(r.practitionerId, weeks)
      }
    }
    const sorted = (rows: unknown[]): string[] => rows.map((r) => JSON.stringify(r)).sort()
    t.same(sorted(await groupRows(db, scopes[0]!)), sorted([...sums.values()]), `${label}: the same (practitioner, CPTS, kind) rows`)
    const capped = new Map([...counted].map(([p, weeks]) => [p, [...weeks.values()].reduce((n, h) => n + Math.min(h, MAJORATION.weeklyCap), 0)]))
    t.same(await majorationCounts(db, scopes[0]!, MAJORATION.weeklyCap), capped, `${label}: the same consultations counted under the weekly cap`)
  }
  await compare('kept by the triggers')

  const whole = await seasonReport(db, scopes[0]!, MAJORATION)
  t.ok(whole.totals.honored > 20 && whole.totals.noShow > 0 && whole.totals.withdrawn > 0 && whole.expiredHolds === 2, 'the data hold every case')
  t.ok(whole.totals.majorationEuros < whole.byPractitioner.reduce((n, p) => n + p.honored, 0) * MAJORATION.euros, 'the weekly cap bites')
  t.ok(whole.leadTime.count > 100 && whole.leadTime.medianHours !== null && !Number.isInteger(whole.leadTime.medianHours * 4), 'the median lead time is read to the minute')

  const calendar = await slotCalendar(db, {})
  t.ok(calendar.days.length > 14, 'the calendar reads the rollups too')
  const direct = await db.selectFrom('slots').where('status', '!=', 'withdrawn').select((eb) => ['local_date', eb.fn.countAll<number>().as('n')])
    .groupBy('local_date').orderBy('local_date').execute()
  t.same(calendar.days, direct.map((r) => ({ date: r.local_date, offered: Number(r.n) })), 'its days are those of the slots')
  const reunionDays = await slotCalendar(db, { cptsId: reunion.id, kind: 'snp' })
  const reunionDirect = await db.selectFrom('slots').where('status', '!=', 'withdrawn').where('cpts_id', '=', reunion.id)
    .select((eb) => ['local_date', eb.fn.countAll<number>().as('n')]).groupBy('local_date').orderBy('local_date').execute()
  t.same(reunionDays.days, reunionDirect.map((r) => ({ date: r.local_date, offered: Number(r.n) })), 'and of one CPTS')
  const montsDays = await slotCalendar(db, { cptsId: monts.id })
  const montsDirect = await db.selectFrom('slots').where('status', '!=', 'withdrawn')
    .where((eb) => eb.or([eb('cpts_id', '=', monts.id), eb.exists(eb.selectFrom('slot_offers').select('slot_id').whereRef('slot_offers.slot_id', '=', 'slots.id').where('slot_offers.cpts_id', '=', monts.id))]))
    .select((eb) => ['local_date', eb.fn.countAll<number>().as('n')]).groupBy('local_date').orderBy('local_date').execute()
  t.ok(montsDays.days.length > 14, 'CPTS 2 has slots offered to it on many days')
  t.same(montsDays.days, montsDirect.map((r) => ({ date: r.local_date, offered: Number(r.n) })), 'and of one CPTS, with the slots offered to it besides their own')

  // The migrations' backfill gives the same counters as the triggers (rows at zero aside).
  type Rollup = 'report_day_hours' | 'report_practitioner_days' | 'report_lead_hours' | 'report_offer_days'
  const rollups = async (tables: readonly Rollup[] = ['report_day_hours', 'report_practitioner_days', 'report_lead_hours', 'report_offer_days']): Promise<unknown[]> => {
    const out = []
    for (const table of tables) {
      const rows = await db.selectFrom(table).selectAll().execute()
      out.push(rows.filter((r) => Object.entries(r).some(([k, v]) => typeof v === 'number' && v !== 0 && !['local_hour', 'lead_hour'].includes(k)))
        .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v])))).sort())
    }
    return out
  }
  const byTriggers = await rollups()
  const migrator = await migratorFor(db)
  t.error((await migrator.migrateTo('0019_places')).error)
  t.error((await migrator.migrateToLatest()).error)
  t.same(await rollups(), byTriggers, 'the offers backfilled by 0020 as kept by the triggers')
  await compare('offers backfilled')
  // Below 0019 the offers are gone (its down drops them): 0012's rollups alone.
  t.error((await migrator.migrateTo('0009_slot_series')).error)
  t.error((await migrator.migrateToLatest()).error)
  t.same(await rollups(['report_day_hours', 'report_practitioner_days', 'report_lead_hours']), byTriggers.slice(0, 3), 'backfilled by 0012 as kept by the triggers')

})
