// /regulation and /praticien in a real browser, beyond the live flows (test/e2e-live.test.ts):
// French errors next to the fields, a phone screen (no horizontal scroll, 44 px targets),
// axe-core, and the screenshots in artifacts/screenshots.
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { describeViolations, DESKTOP, isoWeekday, localDate, PHONE, scenario, seriousA11yViolations, startE2e, type Viewport } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const GP = { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042') }
const REGULATOR = { name: 'Julie Morel', email: 'regulation@cpts.test' }
/** A tap target smaller than this (CSS px, height) is listed as an offender. */
const MIN_TARGET = 44

/** The error shown under the input `inputId`, inside its own field and announced by it. */
async function fieldError (t: Test, page: Page, inputId: string): Promise<string> {
  const error = page.locator(`#${inputId}-error`)
  await error.waitFor()
  t.equal(await page.locator(`#${inputId}`).getAttribute('aria-invalid'), 'true', `${inputId} is marked invalid`)
  t.match(await page.locator(`#${inputId}`).getAttribute('aria-describedby') ?? '', `${inputId}-error`, `${inputId} is described by its error`)
  t.equal(await error.evaluate((e, id) => e.closest('.field')?.querySelector(`#${id}`) !== null, inputId), true, `${inputId}: the error is in the same field`)
  return (await error.innerText()).trim()
}

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

/** Errors the page raised itself (failed API answers are expected and are not counted). */
function scriptErrors (errors: string[]): string[] {
  return errors.filter((e) => !/Failed to load resource/.test(e))
}

/**
 * Visible buttons, inputs, selects, text areas, links and summaries lower than MIN_TARGET px.
 * A check box or radio button drawn inside its label is measured by its label (the label is
 * what the thumb presses); anything without a box (hidden, closed <details>) is left out.
 */
async function smallTargets (page: Page): Promise<string[]> {
  return await page.evaluate((min) => {
    const out: string[] = []
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], summary, [role="button"]'))) {
      let target: HTMLElement = el
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) target = el.closest('label') ?? el.labels?.[0] ?? el
      const r = target.getBoundingClientRect()
      const style = getComputedStyle(target)
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden' || el.closest('[hidden], [aria-hidden="true"]') !== null) continue
      if (r.height < min) {
        const name = (target.getAttribute('aria-label') ?? target.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)
        out.push(`${el.tagName.toLowerCase()}${el.id !== '' ? '#' + el.id : ''}${el.className !== '' ? '.' + String(el.className).split(' ').join('.') : ''} "${name}" ${Math.round(r.width)}×${Math.round(r.height)}`)
      }
    }
    return out
  }, MIN_TARGET)
}

async function scrollWidth (page: Page): Promise<number> {
  return await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth))
}

t.test('/regulation and /praticien: errors, phone screen, axe, screenshots', async (t) => {
  const e2e = await startE2e(t)
  const cpts = await e2e.api.createCpts('CPTS Côte de Lumière')
  const gpUser = await e2e.api.createUser({
    email: GP.email, name: GP.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
    practitioner: { rpps: GP.rpps, profession: 'gp', address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 42' }
  })
  await e2e.api.createUser({ email: REGULATOR.email, name: REGULATOR.name, password: PASSWORD, role: 'regulator' })
  const gpCookie = await e2e.api.signIn(GP.email, PASSWORD)
  const regulatorCookie = await e2e.api.signIn(REGULATOR.email, PASSWORD)

  // Something to show: two days of slots (office and video) and one booking.
  const day1 = localDate(1)
  const day2 = localDate(2)
  const series = (mode: string, startTime: string): unknown => ({
    from: day1, to: day2, weekdays: [isoWeekday(day1), isoWeekday(day2)], startTime, slotMinutes: 15, count: 3, kind: 'snp', mode
  })
  const made = await e2e.api.request<{ created: Array<{ id: string }> }>('POST', '/api/slots/series', { cookie: gpCookie, body: series('office', '12:00'), expect: 201 })
  await e2e.api.request('POST', '/api/slots/series', { cookie: gpCookie, body: series('video', '18:00'), expect: 201 })
  await e2e.api.request('POST', `/api/slots/${made.created[0]!.id}/booking`, {
    cookie: regulatorCookie,
    body: { patient: { lastName: 'Moreau', firstName: 'Léa', birthDate: '1987-03-14', phone: '06 12 34 56 78' }, reason: 'Otite', hasTreatingGp: 'no' },
    expect: 201
  })

  async function regulationPage (viewport: Viewport): Promise<Page> {
    const page = await e2e.newPage(viewport)
    await e2e.signInPage(page, REGULATOR.email, PASSWORD)
    await page.goto('/regulation')
    await page.locator('.rg-status.is-live').waitFor()
    await page.locator('.rg-count').getByText('11 créneaux libres').waitFor()
    return page
  }

  async function praticienPage (viewport: Viewport): Promise<Page> {
    const page = await e2e.newPage(viewport)
    await e2e.signInPage(page, GP.email, PASSWORD)
    await page.goto('/praticien')
    await page.getByText('Mis à jour en direct').waitFor()
    await page.locator('#reservations').getByText('MOREAU Léa').waitFor()
    await page.locator('.pr-count').getByText(/créneaux? seront? créés?/).waitFor()
    return page
  }

  // Each step builds on the one before (see scenario).
  const step = scenario(t)

  step('/regulation (1366×768): axe, screenshot, French errors next to the booking fields', async (t) => {
    const page = await regulationPage(DESKTOP)
    await expectNoSeriousViolations(t, page, '/regulation')
    await e2e.screenshot(page, 'regulation')

    await page.locator('li.rg-row').first().getByRole('button', { name: 'Réserver', exact: true }).click()
    await page.mouse.move(1, 1)
    await page.getByRole('heading', { name: 'Réservation en cours' }).waitFor()
    await page.getByLabel('Nom', { exact: true }).fill('Durand')
    await page.getByLabel('Prénom').fill('Paul')
    await page.getByLabel('Date de naissance').fill('32/01/1980')
    await page.getByLabel('Téléphone').fill('12 34')
    await page.getByRole('button', { name: 'Réserver pour ce patient' }).click()
    t.equal(await fieldError(t, page, 'pt-birth'), 'Date de naissance invalide : JJ/MM/AAAA, entre 1900 et aujourd\u2019hui (ex. 02/01/1980).', 'an impossible birth date: error under it')
    t.equal(await fieldError(t, page, 'pt-phone'), 'Numéro de téléphone invalide : 10 chiffres (ex. 06 12 34 56 78) ou +33….', 'a short phone number: error under it')
    const gpError = page.locator('#pt-gp-error')
    t.equal((await gpError.innerText()).trim(), 'Champ obligatoire. Indiquez si le patient a un médecin traitant (oui, non ou ne sait pas).', 'no answer about the treating GP: error in its group')
    t.equal(await gpError.evaluate((e) => e.closest('fieldset')?.querySelector('legend')?.textContent), 'A un médecin traitant ?', 'the error is inside "A un médecin traitant ?"')
    await page.waitForFunction(() => document.activeElement?.id === 'pt-birth')
    t.pass('the focus goes to the first wrong field')
    t.equal(await page.locator('#pt-last-error').count(), 0, 'the name is not flagged')
    await expectNoSeriousViolations(t, page, '/regulation with form errors')
    await e2e.screenshot(page, 'regulation-erreurs')

    await page.getByLabel('Date de naissance').fill(`01/01/${new Date().getFullYear() + 1}`)
    await page.getByLabel('Téléphone').fill('06 12 34 56 78')
    await page.getByRole('radio', { name: 'Oui', exact: true }).check()
    await page.getByRole('button', { name: 'Réserver pour ce patient' }).click()
    await page.locator('#pt-phone-error').waitFor({ state: 'detached' })
    t.equal(await fieldError(t, page, 'pt-birth'), 'La date de naissance est dans le futur : vérifiez-la (JJ/MM/AAAA).', 'a birth date in the future: error under it')
    t.equal(await page.locator('#pt-gp-error').count(), 0, 'the treating-GP question is answered')
    t.equal(await page.locator('.rg-confirm').count(), 0, 'nothing was booked')

    await page.getByRole('button', { name: 'Annuler', exact: true }).click()
    await page.getByRole('heading', { name: 'Réservation en cours' }).waitFor({ state: 'detached' })
    t.same(scriptErrors(e2e.pageErrors(page)), [], 'no script error')
    await page.context().close()
  })

  step('/praticien (1366×768): axe, screenshot, French errors next to the publishing fields', async (t) => {
    const page = await praticienPage(DESKTOP)
    await expectNoSeriousViolations(t, page, '/praticien')
    await e2e.screenshot(page, 'praticien')

    t.same(await page.locator('#series-minutes option').allInnerTexts(), ['10 min', '15 min', '20 min', '30 min', '45 min', '60 min'], 'durations from a short list')
    await page.getByLabel('Du', { exact: true }).fill('')
    t.equal(await fieldError(t, page, 'series-from'), 'Champ obligatoire.', 'an empty start date: "Champ obligatoire", not a format error')
    await page.getByLabel('Nombre par jour').fill('0')
    t.equal(await fieldError(t, page, 'series-count'), 'Nombre de créneaux par jour : de 1 à 48, tenant en 24 heures (nombre × durée).', '0 slots a day: error under the count')
    await page.getByLabel('Au (inclus)').fill(localDate(0))
    await page.getByLabel('Du', { exact: true }).fill(localDate(3))
    t.equal(await fieldError(t, page, 'series-to'), 'La date de fin doit être le même jour que la date de début, ou après.', 'an end before the start: error under the end')
    await page.locator('.pr-count').getByText('Complétez le formulaire pour voir les créneaux.').waitFor()
    t.ok(await page.getByRole('button', { name: 'Publier', exact: true }).isDisabled(), 'nothing can be published')
    await expectNoSeriousViolations(t, page, '/praticien with form errors')

    await page.getByLabel('Nombre par jour').fill('2')
    await page.locator('#series-count-error').waitFor({ state: 'detached' })
    t.pass('the error goes once the count is corrected')

    // The one-slot form offers the same short list of durations.
    await page.getByRole('button', { name: 'Un créneau' }).click()
    t.same(await page.locator('#one-duration option').allInnerTexts(), ['10 min', '15 min', '20 min', '30 min', '45 min', '60 min'], 'one slot: the same durations')
    t.same(scriptErrors(e2e.pageErrors(page)), [], 'no script error')
    await page.context().close()
  })

  step("/regulation?praticien=<id> (the SAS platform's link): that practitioner's agenda only, then everyone", async (t) => {
    const page = await e2e.newPage(DESKTOP)
    await e2e.signInPage(page, REGULATOR.email, PASSWORD)
    await page.goto('/regulation?praticien=no-such-practitioner')
    await page.locator('.rg-status.is-live').waitFor()
    await page.locator('.rg-only').getByText('ce praticien').waitFor()
    t.match(await page.locator('.rg-only').innerText(), /aucun créneau ouvert/, 'an unknown practitioner: said so')
    t.equal(await page.locator('li.rg-row').count(), 0, 'and no slot of anyone else is listed')

    await page.goto(`/regulation?praticien=${gpUser.id}`)
    await page.locator('.rg-count').getByText('11 créneaux libres').waitFor()
    t.match(await page.locator('.rg-only').innerText(), /Créneaux de Dr Claire Martin seulement/, "the practitioner's name in the banner")
    await page.getByRole('button', { name: 'voir tous les praticiens' }).click()
    await page.locator('.rg-only').waitFor({ state: 'detached' })
    t.equal(new URL(page.url()).search, '', 'the link parameter is dropped from the address')
    t.same(scriptErrors(e2e.pageErrors(page)), [], 'no script error')
    await page.context().close()
  })

  step('on a phone (375×812): no horizontal scroll, 44 px targets on /praticien; axe; screenshots', async (t) => {
    const page = await praticienPage(PHONE)
    const width = await scrollWidth(page)
    t.ok(width <= PHONE.width, `/praticien: no horizontal scroll (scrollWidth ${width})`)
    const small = await smallTargets(page)
    t.same(small, [], `/praticien: every visible button, input and link is at least ${MIN_TARGET} px high` + (small.length > 0 ? '\n' + small.join('\n') : ''))
    await expectNoSeriousViolations(t, page, '/praticien at 375 px')
    await e2e.screenshot(page, 'praticien')
    await page.context().close()

    const board = await regulationPage(PHONE)
    const boardWidth = await scrollWidth(board)
    t.ok(boardWidth <= PHONE.width, `/regulation: no horizontal scroll (scrollWidth ${boardWidth})`)
    await expectNoSeriousViolations(t, board, '/regulation at 375 px')
    await e2e.screenshot(board, 'regulation')
    await board.context().close()
  })
})
