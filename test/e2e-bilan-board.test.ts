// Issue 14, the board (/bilan) in Chromium on the demo: quick periods that follow the dates
// holding slots (never a season of 0 slots), an invalid or reversed period in the address said
// in French, the calls (how they ended; no-slot calls by commune, day and hour), a season
// compared with the previous one, and the hint when a table scrolls sideways on a phone.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { buildDemo, DEMO_PASSWORD, SEASON } from '../scripts/demo-build.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import type { CallsReport, SlotCalendar } from '../shared/schemas/board.js'
import type { SeasonReport } from '../shared/schemas/reports.js'
import { CALL_COMMUNE_HEADERS } from '../web/lib/csv.js'
import { describeViolations, DESKTOP, PHONE, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const BOARD = 'bureau@demo.creneaux'
const DEMO_NOW = '2026-11-02T09:00:00.000Z'
const SEASON_QUERY = `from=${SEASON.from}&to=${SEASON.to}`

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

async function reportShown (page: Page): Promise<void> {
  await page.locator('.bl-report[aria-busy="false"]').waitFor()
  await page.locator('.bl-report.is-stale').waitFor({ state: 'detached' })
}

const fetchJson = async <T>(page: Page, url: string): Promise<T> =>
  await page.evaluate(async (u) => await (await fetch(u)).json(), url) as T

const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()
const number = (s: string): number => Number(s.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'))

t.test('/bilan for the board: periods of the data, address errors, calls, comparison, phone', async (t) => {
  const e2e = await startE2e(t, {
    beforeStart: async (dataDir) => { await buildDemo({ config: loadConfig({ DATA_DIR: dataDir }), clock: new ManualClock(DEMO_NOW) }) }
  })
  const page = await e2e.newPage(DESKTOP)
  await e2e.signInPage(page, BOARD, DEMO_PASSWORD)
  const step = scenario(t)

  step('the quick periods are the spans that hold slots: none shows 0 slots', async (t) => {
    await page.goto('/bilan')
    await page.waitForURL(`**/bilan?${SEASON_QUERY}`)
    await reportShown(page)
    const calendar = await fetchJson<SlotCalendar>(page, '/api/reports/calendar')
    t.ok(calendar.spans.length >= 2, `the demo holds ${calendar.spans.length} spans (2020 and the coming days)`)
    const buttons = page.locator('.bl-presets button')
    const labels = await buttons.allInnerTexts()
    t.equal(labels[0], 'Été 2020', 'the 2020 season, named for what it is')
    t.equal(labels.at(-1), '12 derniers mois')
    t.notOk(labels.some((l) => /^Saison \d{4}$/.test(l)), 'no fixed June–September season of the current year')
    for (let i = 0; i < labels.length - 1; i++) {
      await buttons.nth(i).click()
      await page.waitForFunction((n) => document.querySelectorAll('.bl-presets button')[n]?.getAttribute('aria-pressed') === 'true', i)
      await reportShown(page)
      const report = await fetchJson<SeasonReport>(page, '/api/reports/season' + new URL(page.url()).search)
      t.ok(report.totals.offered > 0, `« ${labels[i]} »: ${report.totals.offered} slots offered`)
    }
  })

  step('an invalid or reversed period in the address is said so, in French', async (t) => {
    await page.goto('/bilan?from=2020-13-01&to=2020-09-10')
    const bad = page.locator('#bl-url-problem')
    await bad.waitFor()
    t.match(plain(await bad.innerText()), /La période demandée par l’adresse n’est pas valable .*début : Date de début invalide/)
    await reportShown(page)
    await page.goto('/bilan?from=2020-09-10&to=2020-07-13')
    await bad.waitFor()
    t.match(plain(await bad.innerText()), /fin : La date de fin doit être le même jour ou après la date de début/)
    await page.goto('/bilan?from=&to=2020-07-13')
    await bad.waitFor()
    t.match(plain(await bad.innerText()), /début : Champ obligatoire/, 'an empty date: "Champ obligatoire"')
    await expectNoSeriousViolations(t, page, '/bilan with a bad address')
    await page.goto(`/bilan?${SEASON_QUERY}`)
    await reportShown(page)
    t.equal(await bad.count(), 0, 'a good address: no message')
  })

  step('the calls: how they ended, and the no-slot calls by commune, hour and day', async (t) => {
    const calls = await fetchJson<CallsReport>(page, `/api/reports/calls?${SEASON_QUERY}`)
    const season = await fetchJson<SeasonReport>(page, `/api/reports/season?${SEASON_QUERY}`)
    t.equal(calls.totals.byOutcome.no_slot, season.totals.unmetDemand, 'the API: no-slot calls = unmet demand')
    const section = page.locator('.bl-calls')
    await section.locator('#bl-table-outcomes').waitFor()
    const noSlotRow = section.locator('#bl-table-outcomes tbody tr', { hasText: 'Aucun créneau disponible' })
    t.equal(number(await noSlotRow.locator('td').first().innerText()), season.totals.unmetDemand, 'the outcomes table')
    const communes = await section.locator('#bl-table-calls-communes tbody tr').allInnerTexts()
    t.equal(communes.length, calls.byCommune.length, 'one row per commune')
    const top = calls.byCommune[0]!
    t.match(communes[0] ?? '', top.name ?? 'non renseignée', 'the commune with the most no-slot calls first')
    t.ok(number((await section.locator('#bl-table-calls-communes tbody tr').first().locator('td').nth(1).innerText())) === top.noSlot)
    const hours = await section.locator('#bl-table-calls-hours tbody tr').count()
    t.equal(hours, calls.byHour.filter((h) => h.calls > 0).length, 'the hours with calls')
    // Its CSV, like the other tables': the commune lines of the API, most no-slot calls first.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: /^Communes \(CSV\)/ }).click()
    ])
    t.match(download.suggestedFilename(), /^bilan-appels-sans-creneau-communes-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv$/)
    const text = readFileSync(await download.path(), 'utf8')
    t.ok(text.startsWith('\ufeff' + CALL_COMMUNE_HEADERS.join(';') + '\r\n'), 'BOM, French headers separated by ;')
    t.equal(text.trimEnd().split('\r\n').length - 1, calls.byCommune.length, 'one line per commune')
    t.match(text.split('\r\n')[1] ?? '', `${top.name ?? 'non renseignée'};${top.communeCode ?? ''};${top.departement ?? ''};${top.noSlot};${top.calls};`, 'the first commune as the API gives it')
    await e2e.screenshot(page, 'bilan-calls')
  })

  step('the season compared with the previous one', async (t) => {
    // The span of the coming days, compared with the 2020 season before it.
    const calendar = await fetchJson<SlotCalendar>(page, '/api/reports/calendar')
    const last = calendar.spans.at(-1)!
    await page.goto(`/bilan?from=${last.from}&to=${last.to}`)
    await reportShown(page)
    const compare = page.locator('.bl-compare')
    await compare.locator('#bl-table-compare').waitFor()
    t.match(await compare.locator('#bl-compare-with option').first().innerText(), /^Été 2020/, 'by default, the span before: the 2020 season')
    const now = await fetchJson<SeasonReport>(page, `/api/reports/season?from=${last.from}&to=${last.to}`)
    const before = await fetchJson<SeasonReport>(page, `/api/reports/season?${SEASON_QUERY}`)
    const offered = compare.locator('#bl-table-compare tbody tr').first()
    t.same((await offered.locator('td').allInnerTexts()).map(number), [now.totals.offered, before.totals.offered, now.totals.offered - before.totals.offered],
      'offered slots: this period, the 2020 season, the difference')
    await compare.locator('#bl-compare-with').selectOption('year')
    await page.waitForFunction(() => document.querySelector('#bl-table-compare thead')?.textContent?.includes('Mêmes dates') === true)
    t.pass('the year before can be chosen instead')
    await expectNoSeriousViolations(t, page, '/bilan with the comparison')
  })

  step('on a phone: a table wider than the screen says it scrolls sideways', async (t) => {
    const phone = await e2e.newPage(PHONE)
    await e2e.signInPage(phone, BOARD, DEMO_PASSWORD)
    await phone.goto(`/bilan?${SEASON_QUERY}`)
    await reportShown(phone)
    const hint = phone.locator('.bl-pract .bl-scroll-hint')
    await hint.waitFor()
    t.match(plain(await hint.innerText()), /faites-le glisser vers la gauche/, 'the practitioners table: the hint')
    const wrap = phone.locator('.bl-pract .bl-table-wrap')
    t.equal(await wrap.getAttribute('aria-describedby'), await hint.getAttribute('id'), 'the frame is described by it')
    await wrap.evaluate((el) => { el.scrollLeft = el.scrollWidth })
    await phone.locator('.bl-pract .bl-scroll-hint.is-end').waitFor()
    t.pass('at the end, the hint says so')
    t.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page itself does not scroll sideways')
    await expectNoSeriousViolations(t, phone, '/bilan on a phone')
    await e2e.screenshot(phone, 'bilan-board')
    t.same(e2e.pageErrors(phone).filter((e) => !/Failed to load resource/.test(e)), [], 'no script error')
  })
})
