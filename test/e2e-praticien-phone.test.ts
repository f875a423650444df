// Issue 14, "GP (/praticien) on a phone", in Chromium at 375 px: the day's agenda first (with
// the patient of each booking), the week at a glance, withdrawing a day of a series then the
// whole series in one action each (booked slots kept and listed), the public holidays of the
// GP's département (Alsace-Moselle here) flagged in the series preview, and durations from a
// short list. axe-clean, no horizontal scroll; screenshots in artifacts/screenshots.
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { publicHolidays } from '../server/lib/public-holidays.js'
import { describeViolations, isoWeekday, localDate, PHONE, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const GP = { name: 'Dr Anne Schmitt', email: 'anne.schmitt@cpts.test', rpps: withRppsKey('1000000077') }
const REGULATOR = { name: 'Julie Morel', email: 'regulation@cpts.test' }

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

const scrollWidth = async (page: Page): Promise<number> =>
  await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth))

const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()

/** Waits until the text of `selector` (no-break spaces read as spaces) matches `re`; returns it. */
async function waitText (page: Page, selector: string, re: RegExp): Promise<string> {
  const handle = await page.waitForFunction(([sel, src]) => {
    const text = (document.querySelector(sel!)?.textContent ?? '').replace(/[\u00a0\u202f\s]+/g, ' ')
    return new RegExp(src!).test(text) ? text : false
  }, [selector, re.source] as const)
  return String(await handle.jsonValue())
}

t.test('/praticien on a phone: agenda first, withdrawals in one action, holidays, durations', async (t) => {
  const e2e = await startE2e(t)
  const cpts = await e2e.api.createCpts('CPTS Strasbourg Nord')
  await e2e.api.createUser({
    email: GP.email, name: GP.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
    practitioner: { rpps: GP.rpps, profession: 'gp', address: '3 place Kléber', postalCode: '67000', commune: 'Strasbourg', phone: '03 88 00 00 77' }
  })
  await e2e.api.createUser({ email: REGULATOR.email, name: REGULATOR.name, password: PASSWORD, role: 'regulator' })
  const gpCookie = await e2e.api.signIn(GP.email, PASSWORD)
  const regulatorCookie = await e2e.api.signIn(REGULATOR.email, PASSWORD)

  // A series every day of the next week at 12:00 (two slots), one lone slot, one booking.
  const day1 = localDate(1)
  const day7 = localDate(7)
  const made = await e2e.api.request<{ created: Array<{ id: string, start: string }>, seriesId: string }>('POST', '/api/slots/series', {
    cookie: gpCookie, expect: 201,
    body: { from: day1, to: day7, weekdays: [1, 2, 3, 4, 5, 6, 7], startTime: '12:00', slotMinutes: 15, count: 2, kind: 'snp', mode: 'office' }
  })
  await e2e.api.request('POST', '/api/slots/series', {
    cookie: gpCookie, expect: 201,
    body: { from: day1, to: day1, weekdays: [isoWeekday(day1)], startTime: '18:00', slotMinutes: 20, count: 1, kind: 'snp', mode: 'video' }
  })
  const bookedId = made.created[0]!.id
  await e2e.api.request('POST', `/api/slots/${bookedId}/booking`, {
    cookie: regulatorCookie, expect: 201,
    body: { patient: { lastName: 'Moreau', firstName: 'Léa', birthDate: '1987-03-14', phone: '06 12 34 56 78' }, reason: 'Otite', hasTreatingGp: 'no' }
  })

  const page = await e2e.newPage(PHONE)
  await e2e.signInPage(page, GP.email, PASSWORD)
  const step = scenario(t)

  step('the agenda is the first thing on the page, the day with its patient', async (t) => {
    await page.goto('/praticien')
    await page.getByText('Mis à jour en direct').waitFor()
    const agenda = page.locator('#agenda')
    await agenda.getByRole('heading', { name: 'Mon agenda' }).waitFor()
    const top = await agenda.evaluate((e) => e.getBoundingClientRect().top + window.scrollY)
    t.ok(top < 350, `the agenda starts ${Math.round(top)} px down, on the first screen`)
    const firstCard = await page.locator('.pr-page .card').first().getAttribute('id')
    t.equal(firstCard, 'agenda', 'before publishing and every list')
    await agenda.getByRole('heading', { name: /^Aujourd’hui/ }).waitFor()
    await agenda.getByRole('button', { name: 'Jour suivant' }).click()
    await agenda.getByRole('heading', { name: /^Demain/ }).waitFor()
    await agenda.locator('.pr-agenda-slot').first().waitFor()
    t.equal(await agenda.locator('.pr-agenda-slot').count(), 3, 'tomorrow: the two slots of the series and the lone one')
    t.match(plain(await agenda.innerText()), /3 créneaux : 2 libres, 1 réservé/)
    t.match(await agenda.locator('.pr-agenda-patient').innerText(), /MOREAU Léa/, 'the booked slot names its patient')
    t.equal(await agenda.locator('.pr-agenda-patient a.pr-tel').getAttribute('href'), 'tel:0612345678', 'one tap to call')
    t.ok(await scrollWidth(page) <= PHONE.width, 'no horizontal scroll')
    await expectNoSeriousViolations(t, page, 'the agenda, day view')
    await e2e.screenshot(page, 'praticien-agenda-day')
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: 'artifacts/screenshots/praticien-first-screen-375x812.png' })
  })

  step('the week at a glance; a day opens it', async (t) => {
    const agenda = page.locator('#agenda')
    await agenda.getByRole('button', { name: 'Semaine', exact: true }).click()
    await agenda.getByRole('heading', { name: /^Semaine du/ }).waitFor()
    t.equal(await agenda.locator('.pr-week li').count(), 7)
    await expectNoSeriousViolations(t, page, 'the agenda, week view')
    await e2e.screenshot(page, 'praticien-agenda-week')
    await agenda.locator('.pr-week-day').filter({ has: page.locator('.pr-badge-booked') }).click()
    await agenda.getByRole('heading', { name: /^Demain/ }).waitFor()
    t.pass('the day with the booking opens in the day view')
  })

  step('withdraw one day of the series: the booked slot is kept and listed', async (t) => {
    const agenda = page.locator('#agenda')
    await agenda.getByRole('button', { name: /Retirer ce jour de la série/ }).first().click()
    const confirm = agenda.locator('.pr-confirm')
    await confirm.waitFor()
    t.match(plain(await confirm.innerText()), /1 créneau libre sera retiré/)
    t.match(plain(await confirm.innerText()), /1 créneau réservé reste publié/)
    t.match(await confirm.locator('.pr-kept').innerText(), /12:00.*MOREAU Léa/)
    await expectNoSeriousViolations(t, page, 'the withdrawal confirmation')
    await e2e.screenshot(page, 'praticien-withdraw-confirm')
    await confirm.getByRole('button', { name: /^Oui, retirer 1 créneau$/ }).click()
    const report = await waitText(page, '#agenda [role=status]', /1 créneau retiré/)
    t.match(report, /1 créneau réservé gardé.*MOREAU Léa/, 'what was kept is listed')
    await agenda.locator('.pr-agenda-slot').nth(1).waitFor({ state: 'detached' }).catch(() => {})
    await page.waitForFunction(() => document.querySelectorAll('#agenda .pr-agenda-slot').length === 2)
    t.pass('tomorrow now shows the booked slot and the lone one')
  })

  step('withdraw the whole series in one action', async (t) => {
    const agenda = page.locator('#agenda')
    const slotsBefore = await e2e.api.request<Array<{ status: string, seriesId?: string }>>('GET', `/api/slots?from=${day1}`, { cookie: gpCookie })
    const free = slotsBefore.filter((s) => s.seriesId === made.seriesId && s.status === 'free').length
    t.equal(free, 12, 'six more days of two free slots')
    // Tomorrow has only the booked slot of the series left: the series is withdrawn from another day.
    await agenda.getByRole('button', { name: 'Jour suivant' }).click()
    await agenda.getByRole('button', { name: /Retirer toute la série/ }).click()
    const confirm = agenda.locator('.pr-confirm')
    t.match(plain(await confirm.innerText()), /12 créneaux libres seront retirés/)
    await confirm.getByRole('button', { name: /^Oui, retirer 12 créneaux$/ }).click()
    t.match(await waitText(page, '#agenda [role=status]', /12 créneaux retirés/), /MOREAU Léa/)
    const after = await e2e.api.request<Array<{ status: string, seriesId?: string }>>('GET', `/api/slots?from=${day1}`, { cookie: gpCookie })
    t.same(after.filter((s) => s.seriesId === made.seriesId && s.status !== 'withdrawn').map((s) => s.status), ['booked'], 'only the booked slot of the series is left')
    await e2e.screenshot(page, 'praticien-withdraw-series')
  })

  step('durations from a short list; the holidays of Alsace-Moselle in the series preview', async (t) => {
    const options = await page.locator('#series-minutes option').allInnerTexts()
    t.same(options, ['10 min', '15 min', '20 min', '30 min', '45 min', '60 min'])
    // The next holidays of Bas-Rhin from tomorrow, within the 180 days a series may cover.
    const tomorrow = localDate(1)
    const year = Number(tomorrow.slice(0, 4))
    const next = [...publicHolidays(year, '67'), ...publicHolidays(year + 1, '67')].filter((h) => h.date >= tomorrow)
    const first = next[0]!
    const to = next.find((h) => h.date > first.date && h.date <= localDate(40))?.date ?? first.date
    await page.getByLabel('Du', { exact: true }).fill(first.date)
    await page.getByLabel('Au (inclus)').fill(to)
    await page.getByRole('button', { name: 'tous les jours' }).click()
    await page.locator('#series-minutes').selectOption('20')
    const note = page.locator('.pr-holidays')
    await note.waitFor()
    const hit = next.filter((h) => h.date <= to)
    for (const h of hit) t.match(await note.innerText(), h.name, `${h.date}: ${h.name} is flagged`)
    const count = async (): Promise<string> => plain(await page.locator('.pr-count').innerText())
    const before = await count()
    await note.getByLabel('Ne pas publier les jours fériés').check()
    await page.waitForFunction((b) => (document.querySelector('.pr-count')?.textContent ?? '').replace(/\s+/g, ' ') !== b, before)
    t.match(plain(await page.locator('.pr-skipped').innerText()), /jour férié/, 'the holidays are left out, and said so')
    t.not(await count(), before, 'fewer slots to create')
    t.ok(await scrollWidth(page) <= PHONE.width, 'no horizontal scroll')
    await expectNoSeriousViolations(t, page, 'the series preview with holidays')
    await page.locator('#publier').scrollIntoViewIfNeeded()
    await e2e.screenshot(page, 'praticien-holidays')
    t.same(e2e.pageErrors(page).filter((e) => !/Failed to load resource/.test(e)), [], 'no script error')
  })
})
