// Issue 25: the board's figures of the waiting list, against a season built by hand — requests
// made, recovered (booked from the list), expired, withdrawn, still open; the wait from the call
// to the booking (median, p90); by commune, kind, week and hour; the unmet demand before and after
// the list; scoped to the board's CPTS; and no patient field.
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { waitingListCsv } from '../web/lib/csv.js'
import { build } from './helpers/build.js'
import { territory } from './helpers/fixtures.js'
import { addRequest, call, COMMUNES, publishAt, WAITING_PATIENT, WAITING_REASON } from './helpers/waiting-list.js'

const ENV = { HOLD_SECONDS: '120', HOLD_SWEEP_MS: '60000', SESSION_HOURS: '2160' }

t.test('the waiting list’s figures for the board', async (t) => {
  const { app, clock } = await build(t, ENV)
  const terr = await territory(app)
  const reg = terr.users.regulator.cookie
  const [c1, c2] = terr.cpts.map((c) => c.id)
  /** A no-slot call at `at` (Paris), and its request when `over` is given. */
  const noSlot = async (at: string, communeCode: string, kind: string, cptsId: string, over?: Record<string, unknown>): Promise<string | null> => {
    clock.set(at)
    const c = await call(app, reg, 'POST', '/api/calls', { outcome: 'no_slot', kind, hasTreatingGp: 'no', communeCode, cptsId })
    t.equal(c.status, 201)
    if (over === undefined) return null
    return (await addRequest(app, reg, { callId: c.json.id, communeCode, kind, cptsId, ...over })).id
  }
  const slot1 = await publishAt(app, terr.users.gp.cookie, '2026-06-01T15:00:00+02:00')
  const slot2 = await publishAt(app, terr.users.gp.cookie, '2026-06-02T09:00:00+02:00')

  const r1 = await noSlot('2026-06-01T10:00:00+02:00', COMMUNES.same, 'snp', c1!, {})
  await noSlot('2026-06-01T11:00:00+02:00', COMMUNES.same, 'snp', c2!, {}) // another CPTS: not the board's
  const r2 = await noSlot('2026-06-01T14:00:00+02:00', COMMUNES.epci, 'snp', c1!, {})
  const r3 = await noSlot('2026-06-01T16:00:00+02:00', COMMUNES.same, 'psy', c1!, { modes: ['video'] })
  clock.set('2026-06-01T11:30:00+02:00')
  t.equal((await call(app, reg, 'POST', `/api/waiting-list/${r1}/booking`, { slotId: slot1.id })).status, 201, '90 minutes after the call')
  clock.set('2026-06-01T16:10:00+02:00')
  t.equal((await call(app, reg, 'POST', `/api/waiting-list/${r3}/withdrawal`, { reason: 'Vu aux urgences' })).status, 200)
  clock.set('2026-06-02T08:00:00+02:00')
  t.equal((await call(app, reg, 'POST', `/api/waiting-list/${r2}/booking`, { slotId: slot2.id })).status, 201, '18 hours after the call')
  const r4 = await noSlot('2026-06-08T10:00:00+02:00', COMMUNES.dept, 'snp', c1!, { until: '2026-06-08' })
  await noSlot('2026-06-08T11:00:00+02:00', COMMUNES.same, 'snp', c1!, { modes: ['office', 'home'], until: '2026-06-10' })
  await noSlot('2026-06-08T12:00:00+02:00', COMMUNES.same, 'snp', c1!) // no request: the patient declined the list
  clock.set('2026-06-09T00:00:01+02:00')
  t.equal(await app.waitingList.expire(), 2, 'the windows of the 3rd (the other CPTS’s) and of the 8th have passed')
  t.ok((await call(app, reg, 'GET', '/api/waiting-list?status=expired')).json.requests.some((x: any) => x.id === r4))

  const res = await call(app, terr.users.board.cookie, 'GET', '/api/reports/waiting-list?from=2026-06-01&to=2026-06-30')
  t.equal(res.status, 200)
  const r = res.json
  const o = (made: number, recovered: number, expired: number, withdrawn: number, open: number) => ({ made, recovered, expired, withdrawn, open })
  t.same(r.totals, o(5, 2, 1, 1, 1), 'the board’s CPTS: five requests and how they ended')
  t.same(r.wait, { median: 90, p90: 1080 }, 'minutes from the call to the booking')
  t.same(r.unmetDemand, { before: 6, after: 4 }, 'six calls found no slot; two were booked from the list')
  t.same(r.byKind, [{ kind: 'snp', ...o(4, 2, 1, 0, 1) }, { kind: 'psy', ...o(1, 0, 0, 1, 0) }])
  t.same(r.byWeek, [{ week: '2026-W23', ...o(3, 2, 0, 1, 0) }, { week: '2026-W24', ...o(2, 0, 1, 0, 1) }])
  t.same(r.byHour.filter((h: any) => h.made > 0), [
    { hour: 10, ...o(2, 1, 1, 0, 0) }, { hour: 11, ...o(1, 0, 0, 0, 1) }, { hour: 14, ...o(1, 1, 0, 0, 0) }, { hour: 16, ...o(1, 0, 0, 1, 0) }
  ])
  t.equal(r.byHour.length, 24)
  t.same(r.byCommune, [
    { communeCode: '85234', name: 'Saint-Jean-de-Monts', departement: '85', ...o(3, 1, 0, 1, 1) },
    { communeCode: '85191', name: 'La Roche-sur-Yon', departement: '85', ...o(1, 0, 1, 0, 0) },
    { communeCode: '85164', name: 'Notre-Dame-de-Monts', departement: '85', ...o(1, 1, 0, 0, 0) }
  ])
  for (const secret of [WAITING_PATIENT.lastName, WAITING_PATIENT.phone, WAITING_REASON, 'Vu aux urgences']) t.notOk(JSON.stringify(r).includes(secret), 'no patient field')

  // The CSV of /bilan, as a French spreadsheet reads it: the same figures, French headers.
  const rows = (by: 'commune' | 'kind' | 'week' | 'hour'): string[][] => parse(waitingListCsv(r, by), { delimiter: ';', bom: true, record_delimiter: '\r\n' }) as string[][]
  t.same(rows('commune'), [
    ['Commune du patient', 'Code INSEE', 'Département', 'Demandes', 'Réservées depuis la liste', 'Expirées', 'Retirées', 'En attente', 'Part réservée (%)'],
    ['Saint-Jean-de-Monts', '85234', '85', '3', '1', '0', '1', '1', '33,3'],
    ['La Roche-sur-Yon', '85191', '85', '1', '0', '1', '0', '0', '0,0'],
    ['Notre-Dame-de-Monts', '85164', '85', '1', '1', '0', '0', '0', '100,0']
  ])
  t.same(rows('kind').slice(1).map((x) => x.slice(0, 3)), [['SNP', '4', '2'], ['Psy', '1', '0']])
  t.same(rows('week').slice(1).map((x) => x[0]), ['2026-W23', '2026-W24'])
  t.same(rows('hour').slice(1).map((x) => x[0]), ['10', '11', '14', '16'], 'hours with requests only')

  const all = await call(app, terr.adminCookie, 'GET', '/api/reports/waiting-list?from=2026-06-01&to=2026-06-30')
  t.same(all.json.totals, o(6, 2, 2, 1, 1), 'every CPTS for the coordination')
  t.same(all.json.unmetDemand, { before: 7, after: 5 })
  const week = await call(app, terr.adminCookie, 'GET', '/api/reports/waiting-list?from=2026-06-08&to=2026-06-14&kind=snp')
  t.same(week.json.totals, o(2, 0, 1, 0, 1), 'a period and a kind')
  t.same(week.json.wait, { median: null, p90: null })
  t.equal((await call(app, reg, 'GET', '/api/reports/waiting-list?from=2026-06-01&to=2026-06-30')).status, 403, 'a report is the board’s')
})
