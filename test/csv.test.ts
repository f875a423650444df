import { parse } from 'csv-parse/sync'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { openDatabase } from '../db/open.js'
import { buildDemo, SEASON } from '../scripts/demo-build.js'
import { buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { CallsReport } from '../shared/schemas/board.js'
import { SeasonReport } from '../shared/schemas/reports.js'
import {
  CALL_COMMUNE_HEADERS, CALL_DAY_HEADERS, CALL_HOUR_HEADERS, CALL_OUTCOME_HEADERS, callCommunesCsv, callDaysCsv, callHoursCsv, callOutcomesCsv,
  CPTS_HEADERS, cptsCsv, CSV_BOM, csvField, DAY_HEADERS, daysCsv, HEATMAP_HEADERS, heatmapCsv, isoWeekDates, KIND_HEADERS,
  kindsCsv, percentCell, PRACTITIONER_HEADERS, practitionersCsv, SUMMARY_HEADERS, summaryCsv, toCsv, WEEK_HEADERS, weeksCsv
} from '../web/lib/csv.js'
import { build, signIn } from './helpers/build.js'
import { testStorage } from './helpers/database.js'
import { PASSWORD, practitionerProfile, territory } from './helpers/fixtures.js'

/**
 * The CSV files of /bilan (web/lib/csv.ts), parsed back as a spreadsheet would read them: each
 * gives the numbers of the JSON report it was built from, with French headers in a fixed order.
 */

/** What Excel reads in a French locale: `;`-separated, CRLF, UTF-8 with a BOM. */
function readCsv (t: Test, text: string, headers: readonly string[]): string[][] {
  t.ok(text.startsWith(CSV_BOM), 'starts with the UTF-8 byte-order mark')
  t.ok(text.endsWith('\r\n'), 'the last line ends with CRLF')
  t.notOk(/[^\r]\n/.test(text), 'every line ends with CRLF')
  const rows = parse(text, { delimiter: ';', bom: true, record_delimiter: '\r\n' }) as string[][]
  t.same(rows[0], headers, 'French headers, in their fixed order')
  t.ok(rows.every((r) => r.length === headers.length), 'every line has every column')
  return rows.slice(1)
}

/** A number written in French (`59,3`, `1234`); null for an empty field. */
function frNumber (cell: string | undefined): number | null {
  if (cell === undefined || cell === '') return null
  if (!/^-?\d+(,\d+)?$/.test(cell)) throw new Error(`not a French number: ${JSON.stringify(cell)}`)
  return Number(cell.replace(',', '.'))
}

/** A count or an amount: exactly the JSON's. */
function same (t: Test, cell: string | undefined, expected: number, what: string): void {
  t.equal(frNumber(cell), expected, what)
}

/** A rate: the JSON's as a percentage with exactly one decimal (`100,0`); empty when the JSON has null. */
function sameRate (t: Test, cell: string | undefined, rate: number | null, what: string): void {
  const n = frNumber(cell)
  if (rate === null) return void t.equal(cell, '', `${what}: empty, no rate`)
  t.ok(n !== null && Math.abs(n - rate * 100) <= 0.05 + 1e-9 && /^\d+,\d$/.test(cell ?? ''), `${what}: ${cell} % for ${rate}, one decimal always`)
}

/** The text a spreadsheet shows for a name: as typed, a formula-like one behind a quote. */
const shownText = (s: string): string => /^[=+\-@\t\r]/.test(s) ? "'" + s : s

/** Every CSV of the page, parsed back, against the report it was built from. */
function checkEveryCsv (t: Test, report: SeasonReport, filters: { cpts: string, kind: string }): void {
  const cptsName = (id: string): string => report.byCpts.find((c) => c.cptsId === id)?.name ?? id

  t.test('summary', async (t) => {
    const rows = readCsv(t, summaryCsv(report, filters), SUMMARY_HEADERS)
    const value = (label: string): string | undefined => {
      const row = rows.find((r) => r[0] === label)
      t.ok(row, `a line "${label}"`)
      return row?.[1]
    }
    const tt = report.totals
    t.equal(value('Début de la période'), report.period.from)
    t.equal(value('Fin de la période'), report.period.to)
    t.equal(value('CPTS'), shownText(filters.cpts))
    t.equal(value('Type de créneaux'), filters.kind)
    same(t, value('Créneaux offerts'), tt.offered, 'offered')
    same(t, value('Créneaux réservés'), tt.booked, 'booked')
    sameRate(t, value('Taux de remplissage'), tt.fillRate, 'fill rate')
    same(t, value('Consultations honorées'), tt.honored, 'honored')
    sameRate(t, value('Taux honoré'), tt.honoredRate, 'honored rate')
    same(t, value('Non honorées (lapins)'), tt.noShow, 'no-shows')
    sameRate(t, value('Taux de lapins'), tt.noShowRate, 'no-show rate')
    sameRate(t, value('Part des patients sans médecin traitant'), tt.withoutTreatingGpShare, 'without a treating GP')
    same(t, value('Demande non satisfaite (appels sans créneau)'), tt.unmetDemand, 'unmet demand')
    same(t, value('Majoration totale'), tt.majorationEuros, 'majoration')
    same(t, value('Créneaux retirés'), tt.withdrawn, 'withdrawn')
    same(t, value('Réservations abandonnées'), report.expiredHolds, 'released holds')
    const median = frNumber(value('Délai réservation → consultation, médiane'))
    if (report.leadTime.medianHours === null) t.equal(median, null)
    else t.ok(median !== null && Math.abs(median - report.leadTime.medianHours) <= 0.005 + 1e-9, 'median lead time, in hours')
    t.same(rows.map((r) => r[2]).slice(4, 8), ['créneaux', 'créneaux', '%', 'réservations'], 'units')
  })

  t.test('practitioners', async (t) => {
    const rows = readCsv(t, practitionersCsv(report, cptsName), PRACTITIONER_HEADERS)
    t.equal(rows.length, report.byPractitioner.length, 'one line per practitioner, in the report\'s order')
    report.byPractitioner.forEach((p, i) => {
      const r = rows[i] ?? []
      t.same(r.slice(0, 3), [shownText(p.name), p.rpps, shownText(cptsName(p.cptsId))], `${p.name}: name, RPPS, CPTS`)
      same(t, r[3], p.offered, `${p.name}: offered`)
      same(t, r[4], p.booked, `${p.name}: booked`)
      sameRate(t, r[5], p.fillRate, `${p.name}: fill rate`)
      same(t, r[6], p.honored, `${p.name}: honored`)
      same(t, r[7], p.noShow, `${p.name}: no-shows`)
      same(t, r[8], p.majorationEuros, `${p.name}: majoration`)
      same(t, r[9], p.withdrawn, `${p.name}: withdrawn`)
    })
    const sum = (col: number): number => rows.reduce((s, r) => s + (frNumber(r[col]) ?? 0), 0)
    t.equal(sum(3), report.totals.offered, 'the offered column adds up to the total')
    t.equal(sum(8), report.totals.majorationEuros, 'the majoration column adds up to the total')
  })

  t.test('CPTS and kinds', async (t) => {
    const cpts = readCsv(t, cptsCsv(report), CPTS_HEADERS)
    t.same(cpts.map((r) => r[0]), report.byCpts.map((c) => shownText(c.name)), 'every CPTS, in order')
    report.byCpts.forEach((c, i) => {
      same(t, cpts[i]?.[1], c.offered, `${c.name}: offered`)
      same(t, cpts[i]?.[2], c.booked, `${c.name}: booked`)
      sameRate(t, cpts[i]?.[3], c.fillRate, `${c.name}: fill rate`)
    })
    const kinds = readCsv(t, kindsCsv(report), KIND_HEADERS)
    t.same(kinds.map((r) => r[0]), report.byKind.map((k) => ({ snp: 'SNP', psy: 'Psy' })[k.kind]), 'every kind, in order')
    report.byKind.forEach((k, i) => {
      same(t, kinds[i]?.[1], k.offered, `${k.kind}: offered`)
      same(t, kinds[i]?.[2], k.booked, `${k.kind}: booked`)
      sameRate(t, kinds[i]?.[3], k.fillRate, `${k.kind}: fill rate`)
    })
  })

  t.test('weeks and days', async (t) => {
    const weeks = readCsv(t, weeksCsv(report), WEEK_HEADERS)
    t.same(weeks.map((r) => r[0]), report.byWeek.map((w) => w.week), 'every ISO week, in order')
    report.byWeek.forEach((w, i) => {
      const r = weeks[i] ?? []
      const d = isoWeekDates(w.week, report.period)
      t.same([r[1], r[2]], [d.from, d.to], `${w.week}: its days within the period`)
      t.ok(r[1]! >= report.period.from && r[2]! <= report.period.to && r[1]! <= r[2]!, `${w.week}: ${r[1]} … ${r[2]}`)
      same(t, r[3], w.offered, `${w.week}: offered`)
      same(t, r[4], w.booked, `${w.week}: booked`)
      sameRate(t, r[5], w.fillRate, `${w.week}: fill rate`)
    })
    const days = readCsv(t, daysCsv(report), DAY_HEADERS)
    t.same(days.map((r) => r[0]), report.byDay.map((d) => d.date), 'every date, in order')
    t.same(days.map((r) => [frNumber(r[1]), frNumber(r[2])]), report.byDay.map((d) => [d.offered, d.booked]), 'offered and booked of every day')
    report.byDay.forEach((d, i) => { sameRate(t, days[i]?.[3], d.fillRate, d.date) })
  })

  t.test('weekday × hour', async (t) => {
    const cells = readCsv(t, heatmapCsv(report), HEATMAP_HEADERS)
    const weekdays = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche']
    t.same(cells.map((r) => [weekdays.indexOf(r[0]!) + 1, frNumber(r[1]), frNumber(r[2]), frNumber(r[3])]),
      report.heatmap.map((c) => [c.weekday, c.hour, c.offered, c.booked]), 'every cell: weekday in French, hour, offered, booked')
    report.heatmap.forEach((c, i) => { sameRate(t, cells[i]?.[4], c.booked / c.offered, `${c.weekday} ${c.hour} h`) })
  })
}

t.test('the writer: quoting, French numbers, formulas', async (t) => {
  t.equal(csvField('Côte de Lumière'), 'Côte de Lumière', 'plain text as is')
  t.equal(csvField('Mer; Marais'), '"Mer; Marais"', 'a ; is quoted')
  t.equal(csvField('Dr "Jo"'), '"Dr ""Jo"""', 'a quote is doubled inside quotes')
  t.equal(csvField('deux\nlignes'), '"deux\nlignes"', 'a line break is quoted')
  t.equal(csvField(' espace'), '" espace"', 'a leading space is kept by quoting')
  t.equal(csvField('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"', 'a formula is neutralised')
  t.equal(csvField('-12'), "'-12", 'text that looks like a negative number stays text')
  t.equal(csvField(1234), '1234', 'no thousands separator')
  t.equal(csvField(1234.5), '1234,5', 'decimal comma')
  t.equal(csvField(0.1 + 0.2), '0,3', 'at most two decimals')
  t.equal(csvField(-1e-9), '0', 'no negative zero')
  t.equal(csvField(null), '', 'null is an empty field')
  t.equal(csvField(Number.NaN), '', 'not a number is an empty field')
  t.equal(percentCell(0.59325), '59,3')
  t.equal(percentCell(1), '100,0', 'one decimal even for a whole number')
  t.equal(percentCell(0), '0,0')
  t.equal(percentCell(0.0004), '0,0')
  t.equal(percentCell(0.364), '36,4')
  t.equal(percentCell(null), '')

  const awkward = ['Dr Jo "le Rouge"; fils', 'deux\r\nlignes', '; ;', '"', ' espace ', 'é € ü']
  const text = toCsv(['Nom', 'Valeur'], awkward.map((s, i) => [s, i]))
  const rows = parse(text, { delimiter: ';', bom: true }) as string[][]
  t.same(rows.slice(1).map((r) => r[0]), awkward, 'awkward text parses back as written')
  t.same(rows.slice(1).map((r) => frNumber(r[1])), awkward.map((_, i) => i))
  t.ok(text.includes('\r\n"Dr Jo ""le Rouge""; fils";0\r\n'), 'the quoted field in the file')
})

/**
 * A small season imported through the API: a CPTS and a practitioner whose names hold `;` and
 * `"`, counted by hand. Period 13–26 July 2020 (ISO weeks 29 and 30).
 */
t.test('a small season through the API, parsed back', async (t) => {
  const { app } = await build(t, {}, '2020-11-02T08:00:00.000Z')
  const terr = await territory(app)
  const odd = await inject(app, terr.adminCookie, 'POST', '/api/cpts', { name: 'CPTS "Mer; Marais"' })
  const jo = await inject(app, terr.adminCookie, 'POST', '/api/users', {
    email: 'jo@cpts.test', name: 'Dr Jo "le Rouge"; fils', password: PASSWORD, role: 'practitioner', cptsId: odd.id, practitioner: practitionerProfile(7)
  })
  const gp = terr.users.gp.rpps ?? ''
  const psy = terr.users.psy.rpps ?? ''
  const rpps = jo.user.practitioner.rpps as string
  const lines = [
    'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp',
    `${gp},2020-07-13T12:00:00+02:00,2020-07-13T12:15:00+02:00,snp,office,,2020-07-13T08:00:00Z,honored,no`,
    `${gp},2020-07-13T12:15:00+02:00,2020-07-13T12:30:00+02:00,snp,office,,2020-07-13T08:10:00Z,booked,yes`,
    `${gp},2020-07-13T12:30:00+02:00,2020-07-13T12:45:00+02:00,snp,office,,,,`,
    `${gp},2020-07-13T12:45:00+02:00,2020-07-13T13:00:00+02:00,snp,office,2020-07-12T18:00:00Z,,,`,
    `${gp},2020-07-14T18:00:00+02:00,2020-07-14T18:15:00+02:00,snp,video,,2020-07-14T09:00:00Z,no_show,unknown`,
    `${psy},2020-07-15T10:00:00+02:00,2020-07-15T10:30:00+02:00,psy,office,,2020-07-14T10:00:00Z,honored,yes`,
    `${psy},2020-07-15T10:30:00+02:00,2020-07-15T11:00:00+02:00,psy,office,,,,`,
    `${rpps},2020-07-20T09:00:00+02:00,2020-07-20T09:15:00+02:00,snp,office,,2020-07-20T06:00:00Z,honored,no`,
    `${rpps},2020-07-20T09:15:00+02:00,2020-07-20T09:30:00+02:00,snp,office,,2020-07-20T06:30:00Z,honored,yes`,
    `${rpps},2020-07-21T09:00:00+02:00,2020-07-21T09:15:00+02:00,snp,office,,,,`
  ]
  const imported = await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: terr.adminCookie, 'content-type': 'text/csv' }, payload: lines.join('\n') + '\n' })
  t.equal(imported.statusCode, 201, 'HTTP 201', { body: imported.body })

  const report = SeasonReport.parse(await inject(app, terr.adminCookie, 'GET', '/api/reports/season?from=2020-07-13&to=2020-07-26'))
  // By hand: 9 offered (the withdrawn one apart), 6 booked, 4 honored, 1 no-show; €15 for the GP,
  // €30 for Dr Jo, nothing for the psychiatrist.
  t.match(report.totals, { offered: 9, booked: 6, honored: 4, noShow: 1, withdrawn: 1, majorationEuros: 45 })

  const rows = readCsv(t, practitionersCsv(report, (id) => report.byCpts.find((c) => c.cptsId === id)?.name ?? id), PRACTITIONER_HEADERS)
  t.same(rows.find((r) => r[1] === rpps), ['Dr Jo "le Rouge"; fils', rpps, 'CPTS "Mer; Marais"', '3', '2', '66,7', '2', '0', '30', '0'],
    'the practitioner whose name holds ; and " reads back whole, his CPTS too')
  t.same(rows.find((r) => r[1] === gp)?.slice(3), ['4', '3', '75,0', '1', '1', '15', '1'], 'the GP: 4 offered, 3 booked, 75 %, €15, 1 withdrawn')
  t.match(practitionersCsv(report, (id) => report.byCpts.find((c) => c.cptsId === id)?.name ?? id),
    /\r\n"Dr Jo ""le Rouge""; fils";\d+;"CPTS ""Mer; Marais""";3;2;66,7;2;0;30;0\r\n/, 'as written in the file')
  const cpts = readCsv(t, cptsCsv(report), CPTS_HEADERS)
  t.same(cpts.find((r) => r[0] === 'CPTS "Mer; Marais"'), ['CPTS "Mer; Marais"', '3', '2', '66,7'])
  t.same(readCsv(t, kindsCsv(report), KIND_HEADERS), [['SNP', '7', '5', '71,4'], ['Psy', '2', '1', '50,0']])
  t.same(readCsv(t, weeksCsv(report), WEEK_HEADERS), [
    ['2020-W29', '2020-07-13', '2020-07-19', '6', '4', '66,7'],
    ['2020-W30', '2020-07-20', '2020-07-26', '3', '2', '66,7']
  ])

  checkEveryCsv(t, report, { cpts: 'toutes', kind: 'tous (SNP et psy)' })
})

/** The demo's 2020 season, as the board downloads it from /bilan: every table, with and without filters. */
t.test('the demo season, parsed back', async (t) => {
  const storage = await testStorage(t, 'creneaux-csv-')
  const config = loadConfig({ ...storage.env, LOGIN_RATE_LIMIT: '1000', LOGIN_ADDRESS_RATE_LIMIT: '1000' })
  const clock = new ManualClock('2026-11-02T09:00:00.000Z')
  const demo = await buildDemo({ config, clock })
  const db = openDatabase(config)
  const app = await buildApp({ config, db, clock })
  await app.ready()
  t.teardown(async () => { await app.close(); await db.destroy() })
  const board = demo.accounts.find((a) => a.role === 'board')!
  const cookie = await signIn(app, board.email, board.password)

  const all = SeasonReport.parse(await inject(app, cookie, 'GET', `/api/reports/season?from=${SEASON.from}&to=${SEASON.to}`))
  t.ok(all.totals.offered > 1000 && all.byPractitioner.length > 20, 'a full season')
  checkEveryCsv(t, all, { cpts: 'toutes', kind: 'tous (SNP et psy)' })

  const monts = all.byCpts.find((c) => c.name === 'CPTS Pays de Monts')!
  const one = SeasonReport.parse(await inject(app, cookie, 'GET', `/api/reports/season?from=${SEASON.from}&to=${SEASON.to}&cptsId=${monts.cptsId}&kind=psy`))
  t.ok(one.totals.offered > 0 && one.byPractitioner.length === 1, 'the psychiatrist of one CPTS')
  checkEveryCsv(t, one, { cpts: monts.name, kind: 'Psy — psychiatrie' })
})

async function inject (app: FastifyInstance, cookie: string, method: 'GET' | 'POST', url: string, payload?: object): Promise<any> {
  const res = await app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** Issue 14: the calls tables of /bilan have their CSV too, read back to the calls report's numbers. */
t.test('the calls report, parsed back', async (t) => {
  const { app, clock } = await build(t, { SESSION_HOURS: '72' }, '2026-06-02T06:00:00.000Z')
  const terr = await territory(app)
  const c1 = terr.cpts[0]!.id
  const call = async (at: string, body: Record<string, unknown>): Promise<void> => {
    clock.set(at)
    await inject(app, terr.users.regulator.cookie, 'POST', '/api/calls', { kind: 'snp', hasTreatingGp: 'no', cptsId: c1, ...body })
  }
  // 85234 Saint-Jean-de-Monts, 85222 Saint-Gilles-Croix-de-Vie.
  await call('2026-06-02T07:30:00Z', { outcome: 'no_slot', communeCode: '85234' }) // 09:30 in Paris
  await call('2026-06-02T07:45:00Z', { outcome: 'no_slot', communeCode: '85234' })
  await call('2026-06-02T16:10:00Z', { outcome: 'advice', communeCode: '85222' }) // 18:10
  await call('2026-06-03T07:05:00Z', { outcome: 'no_slot' }) // no commune noted
  const report = CallsReport.parse(await inject(app, terr.adminCookie, 'GET', '/api/reports/calls?from=2026-06-01&to=2026-06-07'))

  const outcomes = readCsv(t, callOutcomesCsv(report), CALL_OUTCOME_HEADERS)
  t.equal(outcomes.length, 6, 'every outcome, zeros included')
  t.same(outcomes.find((r) => r[0] === 'Aucun créneau disponible'), ['Aucun créneau disponible', '3', '75,0'])
  t.same(outcomes.find((r) => r[0] === 'Conseil'), ['Conseil', '1', '25,0'])
  t.same(outcomes.find((r) => r[0] === 'Créneau réservé'), ['Créneau réservé', '0', '0,0'])
  t.same(readCsv(t, callCommunesCsv(report), CALL_COMMUNE_HEADERS), [
    ['Saint-Jean-de-Monts', '85234', '85', '2', '2', '100,0'],
    ['non renseignée', '', '', '1', '1', '100,0'],
    ['Saint-Gilles-Croix-de-Vie', '85222', '85', '0', '1', '0,0']
  ], 'most no-slot calls first, the unnoted commune said so')
  t.same(readCsv(t, callHoursCsv(report), CALL_HOUR_HEADERS), [['9', '3', '3', '100,0'], ['18', '0', '1', '0,0']], 'local hours with calls only')
  t.same(readCsv(t, callDaysCsv(report), CALL_DAY_HEADERS), [['2026-06-02', '2', '3', '0'], ['2026-06-03', '1', '1', '0']], 'days with calls only')
})
