// /bilan in a real browser (Debian's Chromium) on the demo season: what the CPTS board sees,
// downloads and prints, checked against GET /api/reports/season.
import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { buildDemo, DEMO_PASSWORD, SEASON } from '../scripts/demo-build.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import type { SeasonReport } from '../shared/schemas/reports.js'
import { PRACTITIONER_HEADERS } from '../web/lib/csv.js'
import { describeViolations, DESKTOP, type E2e, PHONE, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const BOARD = 'bureau@demo.creneaux'
/**
 * The demo is built as on a 2 November: its coming days fall outside any June–September
 * season, so the page's default period is the 2020 season whatever the date of the run.
 */
const DEMO_NOW = '2026-11-02T09:00:00.000Z'
const SEASON_QUERY = `from=${SEASON.from}&to=${SEASON.to}`

/** Errors the page raised itself (failed API answers are expected and are not counted). */
function scriptErrors (errors: string[]): string[] {
  return errors.filter((e) => !/Failed to load resource/.test(e))
}

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

/** Waits until the report on screen is the one of the address bar (loaded, not greyed out). */
async function reportShown (page: Page, scope?: RegExp): Promise<void> {
  await page.locator('.bl-report[aria-busy="false"]').waitFor()
  if (scope !== undefined) await page.locator('.bl-scope', { hasText: scope }).waitFor()
  await page.locator('.bl-report.is-stale').waitFor({ state: 'detached' })
}

/** The report of the page's current query, asked by the page's own session. */
async function apiReport (page: Page): Promise<SeasonReport> {
  return await page.evaluate(async () => {
    const res = await fetch('/api/reports/season' + location.search, { headers: { accept: 'application/json' } })
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`)
    return await res.json()
  }) as SeasonReport
}

/** A figure as displayed ('1 234', '59,4 %', '9 600,00 €', '109 appels') as a number. */
function shownNumber (text: string): number {
  const m = /-?[\d\s\u00a0\u202f]+(,\d+)?/.exec(text)
  if (m === null) throw new Error(`no number in ${JSON.stringify(text)}`)
  return Number(m[0].replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'))
}

/** A displayed lead time ('45 min', '3 h 05', '3,2 jours') in minutes. */
function shownMinutes (text: string): number {
  const s = text.replace(/[\u00a0\u202f]/g, ' ')
  let m = /^(\d+) min$/.exec(s)
  if (m !== null) return Number(m[1])
  m = /^(\d+) h(?: (\d{2}))?$/.exec(s)
  if (m !== null) return Number(m[1]) * 60 + Number(m[2] ?? 0)
  m = /^(\d+(?:,\d)?) jours$/.exec(s)
  if (m !== null) return Number(m[1]!.replace(',', '.')) * 24 * 60
  throw new Error(`not a lead time: ${JSON.stringify(text)}`)
}

/** The headline figures on the screen, by label. */
async function figures (page: Page): Promise<Map<string, string>> {
  const pairs = await page.locator('.bl-fig').evaluateAll((els) => els.map((el) => [
    el.querySelector('dt')?.textContent ?? '', el.querySelector('.bl-fig-value')?.textContent ?? ''
  ]))
  return new Map(pairs as Array<[string, string]>)
}

/** Every headline figure equals the API's (rates to the one decimal shown). */
async function expectFiguresOfApi (t: Test, page: Page, what: string): Promise<SeasonReport> {
  const report = await apiReport(page)
  const shown = await figures(page)
  const tt = report.totals
  const value = (label: string): string => {
    const v = shown.get(label)
    if (v === undefined) throw new Error(`no figure "${label}" among ${[...shown.keys()].join(', ')}`)
    return v
  }
  const rate = (label: string, r: number | null): void => {
    if (r === null) return void t.equal(value(label), '—', `${what}: ${label} has no value`)
    t.ok(Math.abs(shownNumber(value(label)) - r * 100) <= 0.05 + 1e-9, `${what}: ${label} ${value(label)} for ${r}`)
  }
  t.same({
    offered: shownNumber(value('Créneaux offerts')),
    booked: shownNumber(value('Créneaux réservés')),
    honored: shownNumber(value('Consultations honorées')),
    noShow: shownNumber(value('Non honorées (lapins)')),
    unmetDemand: shownNumber(value('Demande non satisfaite')),
    majorationEuros: shownNumber(value('Majoration totale')),
    withdrawn: shownNumber(value('Créneaux retirés')),
    expiredHolds: shownNumber(value('Réservations abandonnées'))
  }, {
    offered: tt.offered,
    booked: tt.booked,
    honored: tt.honored,
    noShow: tt.noShow,
    unmetDemand: tt.unmetDemand,
    majorationEuros: tt.majorationEuros,
    withdrawn: tt.withdrawn,
    expiredHolds: report.expiredHolds
  }, `${what}: the counts and euros of the API`)
  rate('Taux de remplissage', tt.fillRate)
  rate('Patients sans médecin traitant', tt.withoutTreatingGpShare)
  const lead = value('Délai avant consultation')
  if (report.leadTime.medianHours === null) t.equal(lead, '—')
  else t.ok(Math.abs(shownMinutes(lead) - report.leadTime.medianHours * 60) <= (report.leadTime.medianHours >= 48 ? 72 : 0.5), `${what}: median lead time ${lead}`)
  return report
}

interface Ink { booked: number, rate: number }

/**
 * Waits until the chart's canvas holds at least `min` pixels in the colour of the booked bars
 * and of the fill-rate line (Chart.js animates the first drawing), and returns the counts.
 */
async function chartInk (page: Page, min: Ink): Promise<Ink> {
  const handle = await page.waitForFunction((min: Ink) => {
    const canvas = document.querySelector('.bl-chart canvas') as HTMLCanvasElement | null
    if (canvas === null || canvas.width === 0) return false
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    const near = (i: number, rgb: [number, number, number]): boolean =>
      Math.abs(data[i]! - rgb[0]) + Math.abs(data[i + 1]! - rgb[1]) + Math.abs(data[i + 2]! - rgb[2]) < 40 && data[i + 3]! > 200
    const ink = { booked: 0, rate: 0 }
    for (let i = 0; i < data.length; i += 4) {
      if (near(i, [0x0b, 0x5c, 0xad])) ink.booked++
      if (near(i, [0xc2, 0x5e, 0x00])) ink.rate++
    }
    return ink.booked >= min.booked && ink.rate >= min.rate ? ink : false
  }, min)
  return await handle.jsonValue() as Ink
}

/** The practitioners' names in the table, top to bottom. */
const practitionerNames = async (page: Page): Promise<string[]> =>
  (await page.locator('#bl-table-pract tbody th').allInnerTexts()).map((s) => s.trim())

/** Sorts like the page: by `key`, the report's order among equals. */
function sortedNames (rows: SeasonReport['byPractitioner'], key: (p: SeasonReport['byPractitioner'][number]) => number, dir: 1 | -1): string[] {
  return rows.map((p, i) => ({ p, i })).sort((a, b) => dir * (key(a.p) - key(b.p)) || a.i - b.i).map((x) => x.p.name)
}

t.test('/bilan on the demo season', async (t) => {
  const e2e: E2e = await startE2e(t, {
    beforeStart: async (dataDir) => { await buildDemo({ config: loadConfig({ DATA_DIR: dataDir }), clock: new ManualClock(DEMO_NOW) }) }
  })
  let page: Page

  // Each step builds on the one before (see scenario).
  const step = scenario(t)

  step('the board lands on the 2020 season: figures of the API, the chart drawn, the heatmap', async (t) => {
    page = await e2e.newPage(DESKTOP)
    await e2e.signInPage(page, BOARD, DEMO_PASSWORD)
    await page.goto('/bilan')
    await page.waitForURL(`**/bilan?${SEASON_QUERY}`)
    await reportShown(page, /du lundi 13 juillet 2020 au jeudi 10 septembre 2020/)
    t.equal(await page.title(), 'Bilan de saison · Créneaux')
    t.equal(await page.getByRole('button', { name: 'Été 2020' }).getAttribute('aria-pressed'), 'true', 'the quick period « Été 2020 » is on')
    t.match(await page.locator('.bl-auto').innerText(), /Période choisie d’office/, 'the page says it chose the period')

    const report = await expectFiguresOfApi(t, page, 'the season')
    t.equal(report.byWeek.at(-1)?.fillRate, 1, 'the API: every slot of the last week was booked')

    // The chart: drawn in its colours, and described for a screen reader from first to last week.
    const ink = await chartInk(page, { booked: 5000, rate: 500 })
    t.pass(`booked bars (${ink.booked} px) and the fill-rate line (${ink.rate} px) are drawn`)
    t.match(await page.locator('.bl-chart canvas').getAttribute('aria-label') ?? '', /Remplissage de 35,7\s%\s+la première semaine à 100,0\s%\s+la dernière\./,
      'the chart says the fill rate rose to 100 % in the last week')

    // The weeks table: the same weeks, the last one full.
    const weeks = await page.locator('#bl-table-weeks tbody tr').allInnerTexts()
    t.equal(weeks.length, report.byWeek.length, 'one row per ISO week')
    t.match(weeks.at(-1) ?? '', /^S37\s+7 sept\. – 10 sept\.\s+88\s+88\s+100,0\s%/, 'the last week: 88 of 88')

    // The heatmap: a row per weekday from Monday, each cell booked/offered of the API.
    const heat = page.locator('table.bl-heatmap')
    t.same(await heat.locator('tbody th').allInnerTexts(), ['lun', 'mar', 'mer', 'jeu', 'ven', 'sam', 'dim'], 'weeks start on Monday')
    const hours = (await heat.locator('thead th').allInnerTexts()).map((h) => Number(h.replace(/\D/g, '')))
    t.same(hours, Array.from({ length: hours.length }, (_, i) => hours[0]! + i), 'hours in order, 24-hour clock')
    for (const c of report.heatmap) {
      const cell = heat.locator('tbody tr').nth(c.weekday - 1).locator('td').nth(hours.indexOf(c.hour))
      t.equal((await cell.locator('[aria-hidden="true"]').innerText()).trim(), `${c.booked}/${c.offered}`, `heatmap ${c.weekday} × ${c.hour} h`)
    }

    await e2e.screenshot(page, 'bilan')
    await expectNoSeriousViolations(t, page, '/bilan')
  })

  step('a filter: one CPTS, then the psychiatrists only, figures of the API', async (t) => {
    await page.locator('#bl-cpts').selectOption({ label: 'CPTS Pays de Monts' })
    await page.waitForURL(/cptsId=/)
    await reportShown(page, /CPTS : CPTS Pays de Monts/)
    const monts = await expectFiguresOfApi(t, page, 'CPTS Pays de Monts')
    const all = await page.evaluate(async (q) => await (await fetch('/api/reports/season?' + q)).json(), SEASON_QUERY) as SeasonReport
    t.ok(monts.totals.offered < all.totals.offered, 'fewer slots than the whole territory')
    t.equal(await page.locator('#bl-table-pract tbody tr').count(), monts.byPractitioner.length, 'only its practitioners')
    t.equal(await page.locator('#bl-table-pract thead th', { hasText: 'CPTS' }).count(), 0, 'no CPTS column for one CPTS')

    await page.locator('#bl-kind').selectOption('psy')
    await page.waitForURL(/kind=psy/)
    await reportShown(page, /Créneaux : Psy/)
    const psy = await expectFiguresOfApi(t, page, 'its psychiatrists')
    t.equal(psy.byPractitioner.length, 1, 'one psychiatrist')
    t.same(await practitionerNames(page), psy.byPractitioner.map((p) => p.name))
    t.equal(shownNumber((await figures(page)).get('Majoration totale') ?? ''), 0, 'no majoration on psy slots')

    // Back to the season, by the browser's back button twice.
    await page.goBack()
    await reportShown(page, /Créneaux : tous/)
    await page.goBack()
    await page.waitForURL(`**/bilan?${SEASON_QUERY}`)
    await reportShown(page, /CPTS : toutes/)
    await expectFiguresOfApi(t, page, 'the whole season again')
    t.same(scriptErrors(e2e.pageErrors(page)), [], 'no script error')
  })

  step('the practitioners table sorts by its columns', async (t) => {
    const report = await apiReport(page)
    const table = page.locator('#bl-table-pract')
    const header = (name: string) => table.locator('thead th', { has: page.getByRole('button', { name, exact: true }) })
    t.equal(await header('Nom').getAttribute('aria-sort'), 'ascending', 'by name at first')
    t.same(await practitionerNames(page), report.byPractitioner.map((p) => p.name), 'in the report\'s order (by name)')

    await table.getByRole('button', { name: 'Majoration', exact: true }).click()
    t.equal(await header('Majoration').getAttribute('aria-sort'), 'descending', 'a number sorts the largest first')
    t.equal(await header('Nom').getAttribute('aria-sort'), 'none')
    t.same(await practitionerNames(page), sortedNames(report.byPractitioner, (p) => p.majorationEuros, -1), 'the largest majoration first')
    const first = report.byPractitioner.reduce((a, b) => b.majorationEuros > a.majorationEuros ? b : a)
    t.match(await table.locator('tbody tr').first().innerText(), new RegExp(`^${first.name}[\\s\\S]*${first.majorationEuros.toLocaleString('fr-FR').replace(/\s/g, '\\s')},00\\s€`), 'its row shows its majoration')

    await table.getByRole('button', { name: 'Majoration', exact: true }).click()
    t.equal(await header('Majoration').getAttribute('aria-sort'), 'ascending', 'a second click reverses')
    t.same(await practitionerNames(page), sortedNames(report.byPractitioner, (p) => p.majorationEuros, 1))

    await table.getByRole('button', { name: 'Offerts', exact: true }).click()
    t.same(await practitionerNames(page), sortedNames(report.byPractitioner, (p) => p.offered, -1), 'by slots offered')
  })

  step('the practitioners CSV downloads: BOM, ;, the numbers of the table', async (t) => {
    const report = await apiReport(page)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^Praticiens \(CSV\)/ }).click()
    ])
    t.equal(download.suggestedFilename(), `bilan-praticiens-${SEASON.from}_${SEASON.to}.csv`)
    const bytes = readFileSync(await download.path())
    t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 byte-order mark')
    const text = bytes.toString('utf8')
    t.ok(text.startsWith('\ufeff' + PRACTITIONER_HEADERS.join(';') + '\r\n'), 'French headers separated by ;')
    const rows = (parse(text, { delimiter: ';', bom: true }) as string[][]).slice(1)
    t.equal(rows.length, report.byPractitioner.length, 'one line per practitioner')

    // Each line against the row of the same practitioner on the screen.
    const onScreen = await page.locator('#bl-table-pract tbody tr').evaluateAll((trs) => trs.map((tr) =>
      Array.from(tr.querySelectorAll('th, td'), (c) => (c.textContent ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim())))
    const byName = new Map(onScreen.map((cells) => [cells[0], cells]))
    const screenNumber = (s: string | undefined): number => Number((s ?? '').replace(/[^\d,]/g, '').replace(',', '.'))
    for (const r of rows) {
      const cells = byName.get(r[0])
      t.ok(cells, `${r[0]} is on the screen`)
      if (cells === undefined) continue
      // Screen: name, RPPS, CPTS, offered, booked, fill rate, honored, no-shows, majoration, withdrawn.
      t.same(r.slice(0, 3), cells.slice(0, 3), `${r[0]}: name, RPPS, CPTS`)
      t.same([3, 4, 6, 7, 8, 9].map((i) => Number(r[i]!.replace(',', '.'))), [3, 4, 6, 7, 8, 9].map((i) => screenNumber(cells[i])), `${r[0]}: the same numbers`)
      t.equal(Number(r[5]!.replace(',', '.')), screenNumber(cells[5]), `${r[0]}: the same fill rate (${r[5]} and ${cells[5]})`)
    }
    t.equal(rows.reduce((s, r) => s + Number(r[8]!.replace(',', '.')), 0), report.totals.majorationEuros, 'the majorations add up to the total')
  })

  step('print: an A4 report without navigation, filters or buttons', async (t) => {
    await page.emulateMedia({ media: 'print' })
    for (const sel of ['.topbar', '.bl-filters', '.bl-actions', '.bl-csv', '.bl-details']) {
      t.notOk(await page.locator(sel).first().isVisible(), `${sel} is not printed`)
    }
    t.equal(await page.locator('.bl-page button:visible').count(), 0, 'no button on paper')
    for (const sel of ['.bl-figures', '.bl-chart canvas', '#bl-table-weeks', 'table.bl-heatmap', '#bl-table-pract', '#bl-table-cpts', '#bl-table-kinds']) {
      t.ok(await page.locator(sel).isVisible(), `${sel} is printed`)
    }
    t.match(await page.locator('.bl-print-only').innerText(), /Édité le/, 'the date of the report is printed')
    await chartInk(page, { booked: 5000, rate: 500 })
    t.pass('the chart is drawn for paper')
    await e2e.screenshot(page, 'bilan-print')
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length
    // Headline, charts and tables, the calls and the waiting list (issue 25): a few pages, not dozens.
    t.ok(pages >= 2 && pages <= 5, `an A4 report of ${pages} pages`)
    await page.emulateMedia({ media: 'screen' })
    await page.locator('.bl-filters').waitFor()
    t.same(scriptErrors(e2e.pageErrors(page)), [], 'no script error')
  })

  step('on a phone: the whole report, nothing wider than the screen', async (t) => {
    const phone = await e2e.newPage(PHONE)
    await e2e.signInPage(phone, BOARD, DEMO_PASSWORD)
    await phone.goto(`/bilan?${SEASON_QUERY}`)
    await reportShown(phone, /13 juillet 2020/)
    await expectFiguresOfApi(t, phone, 'on a phone')
    await chartInk(phone, { booked: 1000, rate: 200 })
    t.pass('the chart is drawn')
    t.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling of the page')
    await e2e.screenshot(phone, 'bilan')
    await expectNoSeriousViolations(t, phone, '/bilan on a phone')
    t.same(scriptErrors(e2e.pageErrors(phone)), [], 'no script error on the phone')
  })
})
