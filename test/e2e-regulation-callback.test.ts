// The call-back as fast as a new call, keyboard only, in a real browser (issue 27, items 1–5):
// the page's keys work from a radio button; « Pris » rows keep their contrast; several results
// are picked with ↓/↑ and Entrée from the search field; a cancellation is confirmed whichever way
// it is asked (Ctrl+Entrée in its reason, or Entrée on its button); a move ranks the slots by the
// commune the booking's call recorded, in the booking's kind. axe (every impact) at each state.
import t, { type Test } from 'tap'
import { DateTime } from 'luxon'
import type { Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { AXE_SOURCE, describeViolations, DESKTOP, frenchDay, localDate, scenario, startE2e, type AxeViolation } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const NEAR = { address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts' }
const FAR = { address: '3 place Royale', postalCode: '44000', commune: 'Nantes' }
const GP = { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042'), phone: '02 51 58 00 42' }
const PSY_NEAR = { name: 'Dr Paul Renaud', email: 'paul.renaud@cpts.test', rpps: withRppsKey('1000000043'), phone: '02 51 58 00 43' }
const PSY_FAR = { name: 'Dr Inès Vidal', email: 'ines.vidal@cpts.test', rpps: withRppsKey('1000000044'), phone: '02 40 00 00 44' }
const REG = { name: 'Julie Morel', email: 'regulation@cpts.test' }
const OTHER_REG = { name: 'Marc Petit', email: 'regulation-b@cpts.test' }
const DAY = localDate(2)

/** Every axe violation, whatever its impact. */
async function a11yViolations (page: Page): Promise<AxeViolation[]> {
  if (await page.evaluate('typeof window.axe') !== 'object') await page.evaluate(AXE_SOURCE())
  return await page.evaluate('window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)') as AxeViolation[]
}
async function expectNoViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await a11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}
const waitFocus = async (page: Page, selector: string): Promise<void> => {
  await page.waitForFunction((sel) => document.activeElement?.matches(sel) === true, selector)
}
const focusedRow = async (page: Page): Promise<string> => {
  await page.waitForFunction(() => document.activeElement?.matches('li.rg-row') === true)
  return await page.evaluate(() => document.activeElement?.getAttribute('data-slot-id') ?? '')
}

t.test('a patient calls back, keyboard only', async (t) => {
  const e2e = await startE2e(t)
  const cpts = await e2e.api.createCpts('CPTS Pays de Monts')
  const cookies: Record<string, string> = {}
  for (const [p, profession, place] of [[GP, 'gp', NEAR], [PSY_NEAR, 'psychiatrist', NEAR], [PSY_FAR, 'psychiatrist', FAR]] as const) {
    await e2e.api.createUser({
      email: p.email, name: p.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
      practitioner: { rpps: p.rpps, profession, ...place, phone: p.phone }
    })
    cookies[p.email] = await e2e.api.signIn(p.email, PASSWORD)
  }
  for (const r of [REG, OTHER_REG]) await e2e.api.createUser({ email: r.email, name: r.name, password: PASSWORD, role: 'regulator' })
  const reg = await e2e.api.signIn(OTHER_REG.email, PASSWORD)
  const at = (hm: string): string => DateTime.fromISO(`${DAY}T${hm}`, { zone: 'Europe/Paris' }).toUTC().toISO()!
  const publish = async (who: { email: string }, start: string, minutes: number, kind: string): Promise<string> => {
    const end = new Date(Date.parse(at(start)) + minutes * 60_000).toISOString()
    return (await e2e.api.request('POST', '/api/slots', { cookie: cookies[who.email], body: { start: at(start), end, kind, mode: 'office' }, expect: 201 })).id
  }
  const book = async (slotId: string, lastName: string, firstName: string, birthDate: string): Promise<string> =>
    (await e2e.api.request('POST', `/api/slots/${slotId}/booking`, {
      cookie: reg, body: { patient: { lastName, firstName, birthDate, phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }, expect: 201
    })).id

  const snp = [await publish(GP, '10:00', 20, 'snp'), await publish(GP, '10:20', 20, 'snp'), await publish(GP, '10:40', 20, 'snp'), await publish(GP, '11:00', 20, 'snp')]
  const extra = [await publish(GP, '14:00', 20, 'snp'), await publish(GP, '14:20', 20, 'snp'), await publish(GP, '14:40', 20, 'snp')]
  // Two patients of one name (two results), and a psy booking whose call recorded the patient's commune.
  const anne = await book(snp[3]!, 'Le Gall', 'Anne', '1980-01-02')
  const bruno = await book(await publish(GP, '11:20', 20, 'snp'), 'Le Gall', 'Bruno', '1975-05-06')
  const psyFarEarly = await publish(PSY_FAR, '09:00', 45, 'psy')
  const psyBooked = await publish(PSY_NEAR, '16:00', 45, 'psy')
  const psyNearLater = await publish(PSY_NEAR, '17:00', 45, 'psy')
  const lea = await book(psyBooked, 'Moreau', 'Léa', '1987-03-14')
  await e2e.api.request('POST', '/api/calls', { cookie: reg, body: { outcome: 'booked', kind: 'psy', hasTreatingGp: 'no', bookingId: lea, communeCode: '85234', cptsId: cpts.id }, expect: 201 })

  let page: Page
  const step = scenario(t)

  step('item 4: / and Échap then / work from the « Consultation psychiatrique rapide » radio', async (t) => {
    page = await e2e.newPage(DESKTOP)
    await e2e.signInPage(page, REG.email, PASSWORD)
    await page.goto('/regulation')
    await page.locator('.rg-status.is-live').waitFor()
    await page.locator('.rg-count').getByText('6 créneaux libres', { exact: true }).waitFor()
    await expectNoViolations(t, page, 'the list')

    await page.locator('#call-kind-snp').focus()
    await page.keyboard.press('ArrowDown') // the radio group's own key: « Consultation psychiatrique rapide »
    await waitFocus(page, '#call-kind-psy')
    t.ok(await page.locator('#call-kind-psy').isChecked(), 'the arrows still move in the radio group')
    await page.keyboard.press('/')
    await waitFocus(page, '#patient-commune')
    t.pass('/ from the radio: the commune field')

    await page.locator('#call-kind-psy').focus()
    await page.keyboard.press('Escape')
    const row = await focusedRow(page)
    t.equal(row, psyFarEarly, 'Échap from the radio: back to the list, on its first psy slot')
    await page.locator('#call-kind-psy').focus()
    await page.keyboard.press('Escape')
    await focusedRow(page)
    await page.keyboard.press('/')
    await waitFocus(page, '#patient-commune')
    t.pass('Échap then /: the commune field')

    await page.locator('#call-kind-psy').focus()
    await page.keyboard.press('t')
    await waitFocus(page, '#treating-gp')
    t.pass('t from the radio: the treating GP')
    await page.locator('#call-kind-psy').focus()
    await page.keyboard.press('j')
    await focusedRow(page)
    t.pass('j from the radio: the list')
    await page.locator('#call-kind-snp').check()
    await page.locator('#call-kind-snp').focus()
    await page.keyboard.press('Escape')
    await focusedRow(page)
  })

  step('item 5: greyed « Pris » rows keep their contrast', async (t) => {
    // The pointer on the list keeps the rows that leave on screen (faded) as long as it stays.
    const box = await page.locator('.rg-listwrap').boundingBox()
    await page.mouse.move(box!.x + box!.width / 2, box!.y + 20)
    for (const id of extra) await book(id, 'Durand', 'Paul', '1970-01-01')
    await page.locator('li.rg-row.is-ghost').nth(2).waitFor()
    // Their fading over (a transition read half-way would pass the contrast check by luck).
    await page.waitForFunction(() => Array.from(document.querySelectorAll('li.rg-row.is-ghost')).every((el) => el.getAnimations().length === 0))
    t.equal(await page.locator('li.rg-row.is-ghost .rg-pill-gone').filter({ hasText: 'Pris' }).count(), 3, 'three « Pris » rows on screen')
    await expectNoViolations(t, page, '« Pris » rows')
    await e2e.screenshot(page, 'regulation-pris')
    await page.mouse.move(1, 1)
    await page.locator('li.rg-row.is-ghost').first().waitFor({ state: 'detached' })
    await page.locator('li.rg-row').first().focus()
  })

  step('item 5: no axe violation in any state of a new call either', async (t) => {
    await focusedRow(page)
    await page.keyboard.press('Enter')
    await waitFocus(page, '#pt-last')
    await expectNoViolations(t, page, 'the booking form')
    await page.keyboard.press('Control+Enter')
    await page.locator('#pt-last-error').waitFor()
    await expectNoViolations(t, page, 'the booking form with its errors')
    await page.keyboard.type('Durand')
    for (const [id, text] of [['#pt-first', 'Paul'], ['#pt-birth', '01/01/1970'], ['#pt-phone', '06 12 34 56 78']] as const) {
      await page.locator(id).focus()
      await page.keyboard.type(text)
    }
    await page.locator('#pt-gp-no').check()
    await page.keyboard.press('Control+Enter')
    await waitFocus(page, '#new-call')
    await expectNoViolations(t, page, 'the confirmation')
    await page.keyboard.press('n')
    await waitFocus(page, '#patient-commune')
    await page.keyboard.press('Escape')
    await focusedRow(page)
    await page.keyboard.press('f')
    await waitFocus(page, '#end-call-form input')
    await expectNoViolations(t, page, 'the end-of-call form')
    await page.keyboard.press('Escape')
    await waitFocus(page, '#end-call-open')
    await page.locator('.rg-filters select').first().focus()
    await page.keyboard.press('ArrowDown') // « Tous les types »
    await page.locator(`li.rg-row[data-slot-id="${psyFarEarly}"]`).focus()
    await page.keyboard.press('Enter')
    await waitFocus(page, '#kind-confirm')
    await expectNoViolations(t, page, 'the kind check')
    await page.keyboard.press('Escape')
    await focusedRow(page)
    await page.locator('.rg-filters select').first().focus()
    await page.keyboard.press('ArrowUp')
    await page.locator('.rg-count').getByText('2 créneaux libres', { exact: true }).waitFor()
    await page.locator('li.rg-row').first().focus()
  })

  step('item 2: several results, picked with ↓ and Entrée from the search field', async (t) => {
    await page.keyboard.press('r')
    await waitFocus(page, '#cb-q')
    await page.keyboard.type('le gall')
    await page.keyboard.press('Enter')
    await page.locator('.rg-panel [role=status]').getByText('2 rendez-vous trouvés.', { exact: false }).waitFor()
    t.equal(await page.locator('#cb-results [role=option]').count(), 2, 'two results')
    await waitFocus(page, '#cb-q')
    t.equal(await page.locator('#cb-q').getAttribute('aria-activedescendant'), 'cb-result-0', 'the first result is pointed at')
    await expectNoViolations(t, page, 'the call-back results')
    await e2e.screenshot(page, 'regulation-rappel-resultats')

    await page.keyboard.press('ArrowDown')
    await page.waitForFunction(() => document.querySelector('#cb-q')?.getAttribute('aria-activedescendant') === 'cb-result-1')
    await page.keyboard.press('ArrowUp')
    await page.waitForFunction(() => document.querySelector('#cb-q')?.getAttribute('aria-activedescendant') === 'cb-result-0')
    await page.keyboard.press('ArrowDown')
    await page.waitForFunction(() => document.querySelector('#cb-q')?.getAttribute('aria-activedescendant') === 'cb-result-1')
    const second = (await page.locator('#cb-result-1').innerText()).split('\n')[0]!
    await page.keyboard.press('Enter')
    await waitFocus(page, '#cb-move')
    t.pass('Entrée picks it; its actions take the focus (no Tab walk)')
    t.match(await page.locator('.rg-cb-selected').innerText(), second, 'the result pointed at is the one chosen')
    t.equal(await page.locator('#cb-result-1').getAttribute('aria-selected'), 'true')
    const chosen = second.startsWith('LE GALL Anne') ? anne : bruno
    t.ok([anne, bruno].includes(chosen))

    // A new text searches again; the first result then goes with Entrée at once.
    await page.locator('#cb-q').focus()
    await page.keyboard.press('End')
    await page.keyboard.type(' anne')
    await page.keyboard.press('Enter')
    await page.locator('.rg-panel [role=status]').getByText('1 rendez-vous trouvé.', { exact: true }).waitFor()
    await page.keyboard.press('Enter')
    await waitFocus(page, '#cb-move')
    t.match(await page.locator('.rg-cb-selected').innerText(), 'LE GALL Anne', 'Anne, found again and picked')
  })

  step('item 1: cancelling asks to confirm, from Ctrl+Entrée in the reason as from its button', async (t) => {
    await page.locator('#cb-reason').focus()
    await page.keyboard.press('Control+Enter')
    t.equal((await page.locator('#cb-reason-error').innerText()).trim(), 'Champ obligatoire.', 'Ctrl+Entrée with no reason: "Champ obligatoire"')
    await waitFocus(page, '#cb-reason')
    await page.keyboard.type('Le patient va mieux')
    await page.keyboard.press('Control+Enter')
    const dialog = page.getByRole('alertdialog', { name: 'Annuler ce rendez-vous ?' })
    await dialog.waitFor()
    await waitFocus(page, '#cb-cancel-confirm')
    t.match(await dialog.innerText(), `LE GALL Anne, né(e) le 02/01/1980 n’aura plus de rendez-vous le ${frenchDay(DAY)} à 11:00 avec le ${GP.name}`, 'it says what will happen')
    await expectNoViolations(t, page, 'the cancellation to confirm')
    await e2e.screenshot(page, 'regulation-annulation-confirmer')
    t.equal((await e2e.api.request<any[]>('GET', '/api/bookings/search?q=anne', { cookie: reg })).length, 1, 'nothing cancelled yet')

    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await waitFocus(page, '#cb-reason')
    t.equal(await page.getByRole('heading', { name: 'Rappel d’un patient' }).count(), 1, 'Échap: back to the reason, the panel stays')

    await page.keyboard.press('Tab')
    await waitFocus(page, '.rg-cb-selected button.danger')
    await page.keyboard.press('Enter')
    await dialog.waitFor()
    await waitFocus(page, '#cb-cancel-confirm')
    t.pass('Tab then Entrée on « Annuler le rendez-vous »: the same confirmation, not a cancellation')
    t.equal((await e2e.api.request<any[]>('GET', '/api/bookings/search?q=anne', { cookie: reg })).length, 1, 'still nothing cancelled')

    await page.keyboard.press('Control+Enter')
    await page.locator('.rg-panel [role=status]').getByText(`Rendez-vous du ${frenchDay(DAY)} à 11:00 avec le ${GP.name} annulé : le créneau est de nouveau libre.`).waitFor()
    t.pass('Ctrl+Entrée confirms: cancelled')
    t.same(await e2e.api.request('GET', '/api/bookings/search?q=anne', { cookie: reg }), [], 'the booking is no longer live')
    await waitFocus(page, '#callback-open')
    await expectNoViolations(t, page, 'after the cancellation')
  })

  step("item 3: a move ranks the slots by the commune the booking's call recorded, in its kind", async (t) => {
    await page.keyboard.press('r')
    await waitFocus(page, '#cb-q')
    await page.keyboard.type('moreau')
    await page.keyboard.press('Enter')
    await page.locator('.rg-panel [role=status]').getByText('1 rendez-vous trouvé.', { exact: true }).waitFor()
    await page.keyboard.press('Enter')
    await waitFocus(page, '#cb-move')
    await page.keyboard.press('Enter')
    await page.locator('.rg-moving').waitFor()
    const first = await focusedRow(page)
    t.equal(first, psyNearLater, "the first slot offered is the psychiatrist's in the patient's commune, not the earlier one far away")
    t.equal(await page.locator('#patient-commune').inputValue(), 'Saint-Jean-de-Monts (85160)', 'the commune the call recorded')
    t.ok(await page.locator('#call-kind-psy').isChecked(), "the booking's kind")
    await page.getByRole('heading', { name: 'Même commune : Saint-Jean-de-Monts' }).waitFor()
    t.ok(await page.locator(`section[aria-label="Plus loin"] li[data-slot-id="${psyFarEarly}"]`).count() === 1, 'the far slot under « Plus loin »')
    t.equal(await page.locator(`li.rg-row[data-slot-id="${snp[0]}"]`).count(), 0, 'no slot of another kind')
    await expectNoViolations(t, page, 'choosing the new slot')
    await e2e.screenshot(page, 'regulation-deplacement-classe')

    await page.keyboard.press('Enter')
    await waitFocus(page, '#move-confirm')
    await expectNoViolations(t, page, 'the move panel')
    await page.keyboard.press('Control+Enter')
    await page.getByRole('heading', { name: 'Rendez-vous déplacé' }).waitFor()
    t.match(await page.locator('.rg-confirm').getByRole('status').innerText(), `Votre nouveau rendez-vous est le ${frenchDay(DAY)} à 17:00 avec le ${PSY_NEAR.name}`)
    await expectNoViolations(t, page, 'the moved booking')
    t.same(e2e.pageErrors(page).filter((e) => !/Failed to load resource/.test(e)), [], 'no script error')
    await page.context().close()
  })
})
