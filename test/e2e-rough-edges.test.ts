// Issue 27, items 6–12, in Chromium on the demo: the rough edges a new board member, admin or GP
// met. /praticien on a 375 px phone (11); a season import on /admin that leaves no failed
// request behind (10); /admin/journal in French throughout (9) with French date fields (8);
// /bilan's date fields (8), its calls beside its booked slots (6) and its CSV rates (7); the
// links `npm run demo` prints follow PORT (12). The date fields are tried in a browser whose
// language is English (no French date format from Chromium's language packs). Keyboard where it
// is a key; axe at each state; screenshots in artifacts/screenshots.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { buildDemo, DEMO_PASSWORD, type DemoResult, SEASON, summaryLines } from '../scripts/demo-build.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import type { CallsReport } from '../shared/schemas/board.js'
import type { SeasonReport } from '../shared/schemas/reports.js'
import { describeViolations, DESKTOP, type E2e, isoWeekday, localDate, PHONE, scenario, seriousA11yViolations, startE2e, TIMEOUT, type Viewport } from './helpers/e2e.js'

const BOARD = 'bureau@demo.creneaux'
const ADMIN = 'admin@demo.creneaux'
const GP = 'generaliste@demo.creneaux'
const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'
const SEASON_QUERY = `from=${SEASON.from}&to=${SEASON.to}`

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()

/** Runs `click` and returns the text of the file the browser downloads. */
async function downloaded (page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()])
  return readFileSync(await download.path(), 'utf8')
}

/** Every answer of 400 or more the page receives from now on (each one a console error). */
function failedResponses (page: Page): string[] {
  const failed: string[] = []
  page.on('response', (res) => { if (res.status() >= 400) failed.push(`${res.status()} ${res.request().method()} ${res.url()}`) })
  return failed
}

/** Focuses a control and presses Entrée on it, as a keyboard user would. */
async function press (page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('button', { name, exact: typeof name === 'string' }).focus()
  await page.keyboard.press('Enter')
}

/** English words that leaked from the API's codes into a page's text. */
const ENGLISH = /\b(booking|bookings|bookingIds|withdrawn|kept|slot|slots|slotId|series|seriesId|true|false|fields|patientFields|search|entries|filters|outcome|honored|expiresAt|label|role|practitioner|regulator|board)\b/i

t.test('issue 27, items 6–12, in a real browser on the demo', async (t) => {
  let demo: DemoResult | null = null
  const e2e: E2e = await startE2e(t, {
    beforeStart: async (dataDir) => {
      // Built as of now: its coming days are this week's, the 2020 season is asked by URL.
      demo = await buildDemo({ config: loadConfig({ DATA_DIR: dataDir }), clock: new ManualClock(new Date().toISOString()) })
    }
  })
  const gpCookie = await e2e.api.signIn(GP, DEMO_PASSWORD)
  const me = await e2e.api.request('GET', '/api/me', { cookie: gpCookie })
  const rpps: string = me.user.practitioner.rpps

  /** A page in a browser whose language is English: no French from Chromium's own date fields. */
  async function englishPage (viewport: Viewport = DESKTOP): Promise<Page> {
    const context = await e2e.browser.newContext({ viewport, locale: 'en-US', timezoneId: 'Europe/Paris', baseURL: e2e.baseUrl })
    context.setDefaultTimeout(TIMEOUT.action)
    context.setDefaultNavigationTimeout(TIMEOUT.navigation)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`) })
    englishErrors.set(page, errors)
    return page
  }
  const englishErrors = new WeakMap<Page, string[]>()

  const step = scenario(t)

  step('11. /praticien on a 375 px phone: a short header, every section link whole, French sentences', async (t) => {
    // One lone slot tomorrow at 21:00 (a series of one), as a GP publishes it.
    const day = localDate(1)
    await e2e.api.request('POST', '/api/slots/series', {
      cookie: gpCookie, expect: 201,
      body: { from: day, to: day, weekdays: [isoWeekday(day)], startTime: '21:00', slotMinutes: 15, count: 1, kind: 'snp', mode: 'office' }
    })
    const page = await e2e.newPage(PHONE)
    await e2e.signInPage(page, GP, DEMO_PASSWORD)
    await page.goto('/praticien')
    await page.getByRole('heading', { name: 'Mon agenda' }).waitFor()
    await page.locator('.pr-live-live').waitFor()

    const header = await page.locator('.topbar').boundingBox()
    t.ok(header !== null && header.height <= 100, `the bar takes ${header?.height} px (two short rows at most)`)
    const links = await page.locator('.pr-jump a').evaluateAll((as) => as.map((a) => {
      const r = a.getBoundingClientRect()
      return { text: a.textContent ?? '', left: r.left, right: r.right, cut: a.scrollWidth > a.clientWidth }
    }))
    t.equal(links.length, 5, 'five section links')
    for (const l of links) t.ok(l.left >= 0 && l.right <= PHONE.width && !l.cut, `« ${l.text} » whole on the screen`)
    const agenda = await page.getByRole('heading', { name: 'Mon agenda' }).boundingBox()
    t.ok(agenda !== null && agenda.y < 0.4 * PHONE.height, `the agenda starts ${agenda?.y} px down, in the first 40 % of the screen`)
    t.equal(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, 'no sideways scroll')
    await expectNoSeriousViolations(t, page, '/praticien on a phone')
    await page.screenshot({ path: join('artifacts', 'screenshots', 'rough-praticien-phone-top-375x812.png') })

    // A day with nothing (the demo's coming days end within three weeks): a sentence, in capital.
    const summary = page.locator('.pr-day-view > p.pr-muted')
    let said = ''
    for (let i = 0; i < 25 && !/^aucun/i.test(said); i++) {
      await press(page, 'Jour suivant')
      said = plain(await summary.innerText())
    }
    t.equal(said, 'Aucun créneau.', 'a day without slots: a sentence that starts with a capital')
    // Tomorrow: the lone slot reads « Créneau de 21:00 à 21:15 ».
    await page.getByRole('button', { name: 'Revenir à aujourd’hui' }).click()
    await press(page, 'Jour suivant')
    await page.locator('.pr-nav-title', { hasText: 'Demain' }).waitFor()
    const lone = page.locator('.pr-withdraw-what', { hasText: '21:00' })
    await lone.waitFor()
    t.equal(plain(await lone.innerText()), 'Créneau de 21:00 à 21:15')
    const whats = (await page.locator('.pr-withdraw-what').allInnerTexts()).map(plain)
    t.notOk(whats.some((w) => /\d – \d/.test(w)), 'no « 18:00 – 18:15 » in a sentence: ' + whats.join(' | '))
    await expectNoSeriousViolations(t, page, '/praticien, tomorrow')
    await page.locator('#agenda').screenshot({ path: join('artifacts', 'screenshots', 'rough-praticien-phone-agenda-375x812.png') })
    await e2e.screenshot(page, 'rough-praticien-phone')
    t.same(e2e.pageErrors(page), [], 'no console error')
  })

  step('10. /admin: a season import leaves no failed request behind, and no file to check again', async (t) => {
    const files = mkdtempSync(join(tmpdir(), 'creneaux-rough-'))
    t.teardown(() => rmSync(files, { recursive: true, force: true }))
    const good = join(files, 'saison-2021.csv')
    writeFileSync(good, [HEADER,
      `${rpps},2021-07-13T12:00:00+02:00,2021-07-13T12:15:00+02:00,snp,office,,2021-07-13T08:00:00Z,honored,no`,
      `${rpps},2021-07-13T12:15:00+02:00,2021-07-13T12:30:00+02:00,snp,office,,,,`].join('\n'))
    const admin = await e2e.newPage(DESKTOP)
    const failed = failedResponses(admin)
    await e2e.signInPage(admin, ADMIN, DEMO_PASSWORD)
    await admin.goto('/admin#import')
    const panel = admin.locator('#import')
    await panel.getByLabel('Fichier CSV de la saison').setInputFiles(good)
    await press(admin, 'Vérifier le fichier')
    await panel.getByText(/Fichier valide : 2\scréneaux dont 1\sréservation/).waitFor()
    await press(admin, /^Importer 2\scréneaux$/)
    await panel.getByText(/Import terminé : 2\scréneaux dont 1\sréservation ajoutés au bilan\./).waitFor()
    t.equal(await panel.getByLabel('Fichier CSV de la saison').inputValue(), '', 'the imported file is let go')
    t.equal(await panel.getByRole('button', { name: 'Vérifier le fichier' }).getAttribute('aria-disabled'), 'true', 'nothing to check again')
    await expectNoSeriousViolations(t, admin, '/admin, import done')
    await e2e.screenshot(admin, 'rough-admin-import-done')
    await panel.screenshot({ path: join('artifacts', 'screenshots', 'rough-admin-import-panel-1366x768.png') })
    // What a user did next: « Vérifier le fichier » again. Said so, and no request refused.
    await press(admin, 'Vérifier le fichier')
    await panel.getByText('Choisissez d’abord le fichier CSV de la saison.').waitFor()
    await admin.waitForFunction(() => document.activeElement?.id === 'import-file')
    t.same(failed, [], 'no answer of 400 or more during the whole import')
    t.same(e2e.pageErrors(admin), [], 'nothing in the console')
  })

  step('9 and 8. /admin/journal in French: labels, details, date fields (jj/mm/aaaa) in an English browser', async (t) => {
    // The GP withdraws tomorrow's lone slot: a journal entry whose detail says withdrawn/kept.
    const day = localDate(1)
    await e2e.api.request('POST', '/api/slots/withdrawals', { cookie: gpCookie, body: { date: day } })
    const page = await englishPage(DESKTOP)
    const failed = failedResponses(page)
    const queries: string[] = []
    page.on('request', (r) => { if (r.url().includes('/api/audit?')) queries.push(new URL(r.url()).search) })
    await e2e.signInPage(page, ADMIN, DEMO_PASSWORD)
    await page.goto('/admin/journal')
    await page.locator('.jr-summary', { hasText: /^Page \d+/ }).waitFor()
    t.equal(await page.locator('input[type="date"]').count(), 0, 'no date field left to the browser’s locale')

    // The period by keyboard: digits only, the slashes come by themselves; ↑ moves a day.
    const from = page.getByLabel('Du', { exact: true })
    await from.focus()
    await page.keyboard.type(`01${day.slice(5, 7)}${day.slice(0, 4)}`)
    t.equal(await from.inputValue(), `01/${day.slice(5, 7)}/${day.slice(0, 4)}`, 'typed 01MMAAAA, reads 01/MM/AAAA')
    await page.keyboard.press('ArrowUp')
    t.equal(await from.inputValue(), `02/${day.slice(5, 7)}/${day.slice(0, 4)}`, '↑: the next day')
    await page.keyboard.press('ArrowDown')
    t.equal(await from.getAttribute('placeholder'), 'jj/mm/aaaa')
    t.match(await page.locator('#jr-from-hint').innerText(), /jj\/mm\/aaaa/, 'the format said under the label')
    const to = page.getByLabel('Au (inclus)')
    await to.fill('31/02/2026')
    await to.press('Enter')
    const error = page.locator('#jr-to-error')
    await error.waitFor()
    t.equal(plain(await error.innerText()), 'Date de fin invalide (jj/mm/aaaa).', 'an impossible date refused in French')
    await page.waitForFunction(() => document.activeElement?.id === 'jr-to')
    await expectNoSeriousViolations(t, page, '/admin/journal, a wrong date')
    await page.locator('.jr-filters').screenshot({ path: join('artifacts', 'screenshots', 'rough-journal-wrong-date-1366x768.png') })
    await to.fill('')
    await page.keyboard.type(`${day.slice(8, 10)}${day.slice(5, 7)}${day.slice(0, 4)}`)
    await page.getByLabel('Action').selectOption({ label: 'Retrait de créneaux (série ou journée)' })
    await to.press('Enter')
    await page.waitForFunction(() => document.querySelectorAll('.jr-table tbody tr').length > 0 && !document.querySelector('.jr-summary')?.textContent?.startsWith('Chargement'))
    await page.locator('.jr-table tbody tr', { hasText: 'Retrait de créneaux' }).first().waitFor()
    t.ok(queries.some((q) => q.includes(`from=${day.slice(0, 8)}01`) && q.includes(`to=${day}`)), `the API asked for ${day.slice(0, 8)}01 → ${day}: ${queries.join(' ')}`)
    const row = plain(await page.locator('.jr-table tbody tr', { hasText: 'Retrait de créneaux' }).first().innerText())
    t.match(row, /Praticien .* retirés : \d+ · gardés \(réservés\) : \d+/, 'the subject and the detail in French: ' + row)
    t.equal(await from.inputValue(), `01/${day.slice(5, 7)}/${day.slice(0, 4)}`, 'the field still reads in French once applied')
    const box = await page.locator('.jr-table').boundingBox()
    if (box !== null) await page.screenshot({ path: join('artifacts', 'screenshots', 'rough-journal-withdrawal-1366x768.png'), fullPage: true, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 400) } })

    // Every entry of the journal, whatever its action: no English word in the page's text.
    await page.getByRole('button', { name: 'Effacer les filtres' }).click()
    await page.locator('.jr-summary', { hasText: /^Page 1/ }).waitFor()
    const text = await page.locator('main').innerText()
    const english = text.replace(/\S+@\S+/g, '').split('\n').filter((l) => ENGLISH.test(l))
    t.same(english, [], 'every label French (e-mail addresses apart)')
    t.equal(await page.locator('.jr-table code').count(), 0, 'no action code shown')
    await expectNoSeriousViolations(t, page, '/admin/journal')
    await e2e.screenshot(page, 'rough-journal')
    await page.screenshot({ path: join('artifacts', 'screenshots', 'rough-journal-top-1366x768.png') })
    t.same(failed, [], 'no request refused')
    t.same(englishErrors.get(page), [], 'nothing in the console')
  })

  step('8, 6 and 7. /bilan: French date fields in an English browser; calls beside booked slots; CSV rates', async (t) => {
    const page = await englishPage(DESKTOP)
    await e2e.signInPage(page, BOARD, DEMO_PASSWORD)
    await page.goto('/bilan?' + SEASON_QUERY)
    await page.locator('.bl-report[aria-busy="false"]').waitFor()
    const from = page.getByLabel('Du', { exact: true })
    t.equal(await from.inputValue(), '13/07/2020', 'the season’s first day in French')
    t.equal(await page.getByLabel('Au (inclus)').inputValue(), '10/09/2020')
    t.equal(await page.locator('input[type="date"]').count(), 0, 'no date field left to the browser’s locale')
    await expectNoSeriousViolations(t, page, '/bilan, English browser')
    await page.screenshot({ path: join('artifacts', 'screenshots', 'rough-bilan-dates-1366x768.png') })

    // A week later, by keyboard: the URL and the report follow.
    await from.focus()
    await page.keyboard.press('Control+A')
    await page.keyboard.type('20072020')
    await page.keyboard.press('Enter')
    await page.waitForURL(/from=2020-07-20/)
    await page.locator('.bl-report[aria-busy="false"]').waitFor()
    t.equal(await from.inputValue(), '20/07/2020')
    await page.goto('/bilan?' + SEASON_QUERY)
    await page.locator('.bl-report[aria-busy="false"]').waitFor()

    // 6: the calls table says what it counts, and its booked calls sit beside the booked slots.
    const report = await page.evaluate(async (q) => await (await fetch('/api/reports/season?' + q)).json(), SEASON_QUERY) as SeasonReport
    const calls = await page.evaluate(async (q) => await (await fetch('/api/reports/calls?' + q)).json(), SEASON_QUERY) as CallsReport
    const section = page.locator('section.bl-calls')
    await section.locator('#bl-table-outcomes').waitFor()
    const note = plain(await section.locator('#bl-outcomes-note').innerText())
    const n = (x: number): string => x.toLocaleString('fr-FR').replace(/[\u00a0\u202f]/g, ' ')
    t.ok(report.totals.booked > 0, `the demo season has booked slots (${report.totals.booked})`)
    t.match(note, 'Ce tableau compte les appels enregistrés sur la page de régulation.')
    t.match(note, `${n(report.totals.booked)} créneaux ont été réservés, dont ${n(calls.totals.byOutcome.booked)} au cours d’un appel enregistré`, note)
    t.match(note, /import de saison/, 'the bookings without a call are said apart')
    const bookedRow = plain(await section.locator('#bl-table-outcomes tbody tr', { hasText: 'Créneau réservé' }).innerText())
    t.match(bookedRow, new RegExp(`^Créneau réservé ${n(calls.totals.byOutcome.booked)} `), 'the table’s row is the calls’ figure')
    await section.scrollIntoViewIfNeeded()
    await expectNoSeriousViolations(t, page, '/bilan, calls')
    await e2e.screenshot(page, 'rough-bilan')
    await section.screenshot({ path: join('artifacts', 'screenshots', 'rough-bilan-calls-1366x768.png') })

    // 7: every rate of every CSV with one decimal, 100 as « 100,0 ».
    const rates: string[] = []
    for (const label of ['Synthèse (CSV)', 'Praticiens (CSV)', 'Jours (CSV)', 'Semaines (CSV)', 'Issues des appels (CSV)', 'Communes (CSV)', 'Heures (CSV)']) {
      const csv = await downloaded(page, async () => { await page.getByRole('button', { name: new RegExp('^⤓?\\s*' + label.replace(/[()×]/g, '\\$&')) }).click() })
      const rows = parse(csv.replace(/^\uFEFF/, ''), { delimiter: ';' }) as string[][]
      const header = rows[0]!
      const cols = header.map((h, i) => h.endsWith('(%)') ? i : -1).filter((i) => i >= 0)
      for (const row of rows.slice(1)) {
        for (const i of cols) if (row[i] !== '') rates.push(`${label}: ${row[i]}`)
        if (row[2] === '%' && row[1] !== '') rates.push(`${label}: ${row[1]}`)
      }
    }
    t.ok(rates.length > 20, `${rates.length} rates read`)
    t.same(rates.filter((r) => !/: \d+,\d$/.test(r)), [], 'one decimal, always')
    t.ok(rates.some((r) => r.endsWith(': 100,0')), 'a full day reads 100,0')
  })

  step('8. /praticien’s publishing dates in an English browser: jj/mm/aaaa too', async (t) => {
    const page = await englishPage(PHONE)
    await e2e.signInPage(page, GP, DEMO_PASSWORD)
    await page.goto('/praticien#publier')
    await page.locator('#series-from').waitFor()
    t.equal(await page.locator('input[type="date"]').count(), 0, 'no date field left to the browser’s locale (series)')
    t.match(await page.locator('#series-from-hint').innerText(), /jj\/mm\/aaaa|\d/, 'a hint under the series’ start')
    await page.getByRole('button', { name: 'Un créneau', exact: true }).click()
    await page.locator('#one-date').waitFor()
    t.equal(await page.locator('input[type="date"]').count(), 0, 'no date field left to the browser’s locale (one slot)')
    t.match(await page.locator('#one-date').inputValue(), /^\d{2}\/\d{2}\/\d{4}$/, 'the proposed day in French')
    const day = localDate(2)
    const one = page.locator('#one-date')
    await one.fill('')
    await one.focus()
    await page.keyboard.type(`${day.slice(8, 10)}${day.slice(5, 7)}${day.slice(0, 4)}`)
    t.equal(await one.inputValue(), `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`)
    t.match(plain(await page.locator('#one-date-hint').innerText()), /^[a-z]+\.? \d+/, 'the day spelled out under the field')
    await one.fill('32/13/2026')
    await page.locator('#one-date-error', { hasText: 'Date invalide (jj/mm/aaaa).' }).waitFor()
    await expectNoSeriousViolations(t, page, '/praticien, a wrong date')
    await page.locator('#publier').screenshot({ path: join('artifacts', 'screenshots', 'rough-praticien-publish-dates-375x812.png') })
    t.same(englishErrors.get(page), [], 'no script error (month 13 is refused, not thrown)')
  })

  step('12. the links `npm run demo` prints follow PORT: the printed one opens', async (t) => {
    const port = new URL(e2e.baseUrl).port
    t.not(port, '3000', 'the server of this test is not on 3000')
    const lines = summaryLines(demo!, loadConfig({ DATA_DIR: e2e.dataDir, PORT: port }))
    const link = lines.map((l) => /(http:\/\/\S+\/bilan)\b/.exec(l)?.[1]).find((l) => l !== undefined)
    t.equal(link, `${e2e.baseUrl}/bilan`, 'the board’s link is on this PORT')
    t.ok(lines.some((l) => l === `Now run: PORT=${port} npm start`), 'and says how to start on it')
    const page = await e2e.newPage(DESKTOP)
    await e2e.signInPage(page, BOARD, DEMO_PASSWORD)
    await page.goto(link!)
    await page.getByRole('heading', { level: 1 }).waitFor()
    t.equal(new URL(page.url()).pathname, '/bilan', 'the printed link opens /bilan')
    await expectNoSeriousViolations(t, page, 'the printed link')
  })
})
