// A regulator's whole call under time pressure, keyboard only, in a real browser (issue 14):
// the commune search ranks the territory first and warns outside it; after a choice the focus
// is back on the list and every shortcut works; the call's kind is explicit (an SNP call is not
// offered a psy slot first, and another kind is confirmed before it is held); the loser of a
// simultaneous "Réserver" sees why; a patient who calls back is found, moved, or cancelled.
import t, { type Test } from 'tap'
import { DateTime } from 'luxon'
import type { Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { describeViolations, DESKTOP, frenchDay, localDate, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const PLACE = { address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts' }
const GP = { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042'), phone: '02 51 58 00 42' }
const PSY = { name: 'Dr Paul Renaud', email: 'paul.renaud@cpts.test', rpps: withRppsKey('1000000043'), phone: '02 51 58 00 43' }
const REG_A = { name: 'Julie Morel', email: 'regulation-a@cpts.test' }
const REG_B = { name: 'Marc Petit', email: 'regulation-b@cpts.test' }
const DAY = localDate(2)
const LIVE_REGION = '.rg-activity[aria-live="polite"]'

/** The slot id of the focused row, else '#id' of the focused element, else its text. */
async function focused (page: Page): Promise<string> {
  return await page.evaluate(() => {
    const el = document.activeElement
    return el?.closest('[data-slot-id]')?.getAttribute('data-slot-id') ?? (el?.id !== undefined && el.id !== '' ? '#' + el.id : (el?.textContent ?? '').trim())
  })
}
const waitFocus = async (page: Page, selector: string): Promise<void> => {
  await page.waitForFunction((sel) => document.activeElement?.matches(sel) === true, selector)
}
const focusOnRow = async (page: Page): Promise<string> => {
  await page.waitForFunction(() => document.activeElement?.matches('li.rg-row') === true)
  return await focused(page)
}
async function announced (t: Test, page: Page, text: string, what: string): Promise<void> {
  await page.waitForFunction(({ selector, text }) => (document.querySelector(selector)?.textContent ?? '').includes(text), { selector: LIVE_REGION, text })
  t.pass(`${what}: « ${text} »`)
}
async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}
const rowIds = async (page: Page): Promise<string[]> =>
  await page.locator('li.rg-row:not(.is-ghost)').evaluateAll((els) => els.map((e) => e.getAttribute('data-slot-id') ?? ''))

t.test("a regulator's call, keyboard only", async (t) => {
  const e2e = await startE2e(t)
  const cpts = await e2e.api.createCpts('CPTS Pays de Monts')
  const ids: Record<string, string> = {}
  for (const [p, profession] of [[GP, 'gp'], [PSY, 'psychiatrist']] as const) {
    ids[profession] = (await e2e.api.createUser({
      email: p.email, name: p.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
      practitioner: { rpps: p.rpps, profession, ...PLACE, phone: p.phone }
    })).id
  }
  for (const r of [REG_A, REG_B]) await e2e.api.createUser({ email: r.email, name: r.name, password: PASSWORD, role: 'regulator' })
  const gpCookie = await e2e.api.signIn(GP.email, PASSWORD)
  const psyCookie = await e2e.api.signIn(PSY.email, PASSWORD)
  const regB = await e2e.api.signIn(REG_B.email, PASSWORD)
  const at = (hm: string): string => DateTime.fromISO(`${DAY}T${hm}`, { zone: 'Europe/Paris' }).toUTC().toISO()!
  const publish = async (cookie: string, start: string, minutes: number, kind: string): Promise<string> => {
    const end = new Date(Date.parse(at(start)) + minutes * 60_000).toISOString()
    return (await e2e.api.request('POST', '/api/slots', { cookie, body: { start: at(start), end, kind, mode: 'office' }, expect: 201 })).id
  }
  // The psy slot is the earliest of the day: under "Tous" it used to come first for an SNP call.
  const psySlot = await publish(psyCookie, '09:00', 45, 'psy')
  const snp = [await publish(gpCookie, '10:00', 20, 'snp'), await publish(gpCookie, '10:20', 20, 'snp'), await publish(gpCookie, '10:40', 20, 'snp'), await publish(gpCookie, '11:00', 20, 'snp')]
  // Someone who will call back.
  const booked = await e2e.api.request('POST', `/api/slots/${snp[3]}/booking`, {
    cookie: regB,
    body: { patient: { lastName: 'Le Gall', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' },
    expect: 201
  })

  let a: Page, b: Page
  const step = scenario(t)

  step('the commune search ranks the territory first; Entrée sends the focus back to the list', async (t) => {
    a = await e2e.newPage(DESKTOP)
    await e2e.signInPage(a, REG_A.email, PASSWORD)
    await a.goto('/regulation')
    await a.locator('.rg-status.is-live').waitFor()
    await a.locator('.rg-count').getByText('3 créneaux libres', { exact: true }).waitFor()
    t.same(await rowIds(a), snp.slice(0, 3), 'an SNP call by default: the SNP slots only, the psy slot not first')
    t.ok(await a.locator('#call-kind-snp').isChecked(), 'the call\'s kind is explicit: soins non programmés')

    await a.keyboard.press('/')
    await waitFocus(a, '#patient-commune')
    for (const q of ['Saint-Gil', 'st gilles']) {
      await a.locator('#patient-commune').fill('')
      await a.keyboard.type(q)
      const first = a.locator('#patient-commune-list [role=option]').first()
      await first.filter({ hasText: 'Saint-Gilles-Croix-de-Vie (85800)' }).waitFor()
      t.pass(`"${q}": Saint-Gilles-Croix-de-Vie (85800) is the first suggestion`)
    }
    await a.locator('#patient-commune').fill('')
    await a.keyboard.type('Sables')
    await a.locator('#patient-commune-list [role=option]').first().filter({ hasText: 'Les Sables-d\'Olonne' }).waitFor()
    t.pass('"Sables" finds Les Sables-d\'Olonne')
    await a.locator('#patient-commune').fill('')
    await a.keyboard.type('saint hilaire')
    await a.locator('#patient-commune-list [role=option]').filter({ hasText: 'Saint-Hilaire-de-Riez' }).first().waitFor()
    t.pass('"saint hilaire" finds Saint-Hilaire-de-Riez')

    await a.locator('#patient-commune').fill('')
    await a.keyboard.type('st gilles')
    await a.locator('#patient-commune-list [role=option]').first().filter({ hasText: 'Saint-Gilles-Croix-de-Vie' }).waitFor()
    await a.keyboard.press('Enter')
    t.equal(await a.locator('#patient-commune').inputValue(), 'Saint-Gilles-Croix-de-Vie (85800)', 'Entrée chooses it')
    const row = await focusOnRow(a)
    t.equal(row, snp[0], 'the focus is back on the list, on its first slot')
    t.equal(await a.locator('#patient-commune-hint.hint-warn').count(), 0, 'in the territory: no warning')
    await a.getByRole('heading', { name: 'Même département' }).waitFor()

    // Every documented key works now, instead of typing into the field.
    await a.keyboard.press('j')
    await a.waitForFunction((id) => document.activeElement?.getAttribute('data-slot-id') === id, snp[1]!)
    await a.keyboard.press('k')
    await a.waitForFunction((id) => document.activeElement?.getAttribute('data-slot-id') === id, snp[0]!)
    t.equal(await a.locator('#patient-commune').inputValue(), 'Saint-Gilles-Croix-de-Vie (85800)', 'j and k moved in the list, the field is unchanged')
    await a.keyboard.press('t')
    await waitFocus(a, '#treating-gp')
    t.pass('t goes to "Médecin traitant"')
    await a.keyboard.press('Escape')
    await focusOnRow(a)
    t.pass('Échap leaves the field for the list')
    await a.keyboard.press('/')
    await waitFocus(a, '#patient-commune')
    await a.keyboard.press('Escape')
    await focusOnRow(a)
    t.equal(await a.locator('#patient-commune').inputValue(), 'Saint-Gilles-Croix-de-Vie (85800)', '/ then Échap: back to the list, the commune kept')
  })

  step('a commune outside the territory is warned, visibly and in the live region', async (t) => {
    await a.keyboard.press('/')
    await waitFocus(a, '#patient-commune')
    await a.locator('#patient-commune').fill('')
    await a.keyboard.type('Saint-Gildas')
    await a.locator('#patient-commune-list [role=option]').first().filter({ hasText: 'hors territoire' }).waitFor()
    t.pass('the suggestion says "hors territoire"')
    await a.keyboard.press('Enter')
    await focusOnRow(a)
    const hint = a.locator('#patient-commune-hint.hint-warn')
    await hint.waitFor()
    t.match(await hint.innerText(), /Saint-Gildas \(22800\) est hors du territoire des CPTS/, 'the warning is shown under the field')
    await announced(t, a, 'Saint-Gildas (22800) est hors du territoire des CPTS', 'and announced')
    await e2e.screenshot(a, 'regulation-hors-territoire')
    await a.keyboard.press('/')
    await a.locator('#patient-commune').fill('')
    await a.keyboard.type('saint jean de monts')
    await a.locator('#patient-commune-list [role=option]').first().filter({ hasText: 'Saint-Jean-de-Monts' }).waitFor()
    await a.keyboard.press('Enter')
    await focusOnRow(a)
    await a.getByRole('heading', { name: 'Même commune : Saint-Jean-de-Monts' }).waitFor()
    t.equal(await hint.count(), 0, 'a commune of the territory: the warning goes')
  })

  step('another kind than the call\'s is confirmed before it is held', async (t) => {
    await a.locator('.rg-filters select').first().focus()
    await a.keyboard.press('ArrowDown') // "Tous les types" (a closed <select> changes with the arrows)
    await a.locator('.rg-count').getByText('4 créneaux libres', { exact: true }).waitFor()
    t.ok((await rowIds(a)).includes(psySlot), '"Tous les types" shows the psy slot')
    await a.locator(`li.rg-row[data-slot-id="${psySlot}"]`).focus()
    await a.keyboard.press('Enter')
    const dialog = a.getByRole('alertdialog', { name: 'Autre type de créneau' })
    await dialog.waitFor()
    t.match(await dialog.innerText(), 'Ce créneau est une consultation psychiatrique rapide ; la demande porte sur des soins non programmés.', 'it says what the slot is and what the call asked')
    await waitFocus(a, '#kind-confirm')
    await expectNoSeriousViolations(t, a, 'the kind check')
    await e2e.screenshot(a, 'regulation-autre-type')
    t.equal(await a.locator(`li.rg-row[data-slot-id="${psySlot}"] .rg-pill-mine`).count(), 0, 'nothing is held yet')
    await a.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    // The page puts the focus back on its next frame: wait for it (read at once, it failed on a loaded machine).
    t.equal(await focusOnRow(a), psySlot, 'Échap: back on its row, nothing held')

    await a.keyboard.press('Enter')
    await waitFocus(a, '#kind-confirm')
    await a.keyboard.press('Enter')
    await a.getByRole('heading', { name: 'Réservation en cours' }).waitFor()
    await waitFocus(a, '#pt-last')
    t.pass('confirmed: the psy slot is held, the form opens')
    // Empty required fields say so.
    await a.keyboard.press('Control+Enter')
    t.equal((await a.locator('#pt-last-error').innerText()).trim(), 'Champ obligatoire.', 'an empty name: "Champ obligatoire"')
    t.equal((await a.locator('#pt-birth-error').innerText()).trim(), 'Champ obligatoire.', 'an empty birth date: "Champ obligatoire", not a format error')
    t.equal((await a.locator('#pt-phone-error').innerText()).trim(), 'Champ obligatoire.')
    t.match(await a.locator('#pt-gp-error').innerText(), /^Champ obligatoire\./)
    await a.keyboard.press('Escape')
    await a.getByRole('heading', { name: 'Réservation en cours' }).waitFor({ state: 'detached' })
    await a.locator('.rg-filters select').first().focus()
    await a.keyboard.press('ArrowUp')
    await a.locator('.rg-count').getByText('3 créneaux libres', { exact: true }).waitFor()
  })

  step('two regulators press "Réserver" on the same slot at once: the loser sees why', async (t) => {
    b = await e2e.newPage(DESKTOP)
    await e2e.signInPage(b, REG_B.email, PASSWORD)
    await b.goto('/regulation')
    await b.locator('.rg-status.is-live').waitFor()
    await b.locator('.rg-count').getByText('3 créneaux libres', { exact: true }).waitFor()
    const target = snp[2]!
    for (const page of [a, b]) await page.locator(`li.rg-row[data-slot-id="${target}"]`).focus()
    await Promise.all([a.keyboard.press('Enter'), b.keyboard.press('Enter')])
    const won = await Promise.race([
      a.getByRole('heading', { name: 'Réservation en cours' }).waitFor().then(() => 'a' as const),
      b.getByRole('heading', { name: 'Réservation en cours' }).waitFor().then(() => 'b' as const)
    ])
    const loser = won === 'a' ? b : a
    const alert = loser.locator('.rg-panel [role=alert]').filter({ hasText: 'Choisissez un autre créneau' })
    await alert.waitFor()
    t.match(await alert.innerText(), /Ce créneau est en cours de réservation par un autre régulateur\. Choisissez un autre créneau\./, `the loser (${won === 'a' ? 'B' : 'A'}) is told why`)
    t.ok(await alert.isVisible(), 'visibly')
    await announced(t, loser, 'Choisissez un autre créneau', 'and in the live region')
    t.equal(await focused(loser), target, 'the focus stays on the slot it lost')
    await loser.locator(`li.rg-row[data-slot-id="${target}"]`).getByText('en cours').waitFor()
    await e2e.screenshot(loser, 'regulation-course-perdue')
    const winner = won === 'a' ? a : b
    await winner.keyboard.press('Escape')
    await winner.getByRole('heading', { name: 'Réservation en cours' }).waitFor({ state: 'detached' })
    await loser.locator(`li.rg-row[data-slot-id="${target}"]`).getByRole('button', { name: 'Réserver', exact: true }).waitFor()
  })

  step('a patient calls back: found by name, moved in one step, the old slot freed live', async (t) => {
    await a.locator(`li.rg-row[data-slot-id="${snp[0]}"]`).focus()
    await a.keyboard.press('r')
    await a.getByRole('heading', { name: 'Rappel d’un patient' }).waitFor()
    await waitFocus(a, '#cb-q')
    await a.keyboard.press('Enter')
    t.equal((await a.locator('#cb-q-error').innerText()).trim(), 'Champ obligatoire.', 'an empty search: "Champ obligatoire"')
    await a.keyboard.type('le gall 02/01/1980')
    await a.keyboard.press('Enter')
    await a.locator('.rg-panel [role=status]').getByText('1 rendez-vous trouvé.', { exact: true }).waitFor()
    const found = a.locator('.rg-cb-selected')
    await found.getByRole('heading', { name: `Rendez-vous du ${frenchDay(DAY)} à 11:00 avec le ${GP.name}` }).waitFor()
    t.match(await found.innerText(), 'LE GALL Anne, né(e) le 02/01/1980', 'the patient and the booking')
    t.match(await found.innerText(), booked.id.slice(0, 8), 'its reference')
    await expectNoSeriousViolations(t, a, 'the call-back panel')
    await e2e.screenshot(a, 'regulation-rappel')

    await a.locator('#cb-move').focus()
    await a.keyboard.press('Enter')
    await a.locator('.rg-moving').getByText('choisissez le nouveau créneau').waitFor()
    const row = await focusOnRow(a)
    t.equal(row, snp[0], 'the focus is on the list to choose the new slot')
    await a.keyboard.press('Enter')
    await a.getByRole('heading', { name: 'Déplacer le rendez-vous' }).waitFor()
    await waitFocus(a, '#move-confirm')
    t.pass('the new slot is held first; "Déplacer ici" has the focus')
    await b.locator(`li.rg-row[data-slot-id="${snp[0]}"]`).getByText('en cours').waitFor()
    t.equal(await b.locator(`li.rg-row[data-slot-id="${snp[3]}"]`).count(), 0, 'B: the old slot is still booked while the move is not validated')
    await a.keyboard.press('Control+Enter')
    await a.getByRole('heading', { name: 'Rendez-vous déplacé' }).waitFor()
    const read = await a.locator('.rg-confirm').getByRole('status').innerText()
    t.match(read, `Votre nouveau rendez-vous est le ${frenchDay(DAY)} à 10:00 avec le ${GP.name}`, 'the new appointment to read to the patient')
    t.match(await a.locator('.rg-confirm').innerText(), `L’ancien rendez-vous (réf. ${booked.id.slice(0, 8)}) est annulé et son créneau libéré.`)
    await waitFocus(a, '#new-call')
    await b.locator(`li.rg-row[data-slot-id="${snp[3]}"]`).getByRole('button', { name: 'Réserver', exact: true }).waitFor()
    t.pass('B sees the old slot free again, live')
    await b.locator(`li.rg-row[data-slot-id="${snp[0]}"]`).waitFor({ state: 'detached' })
    t.pass('and the new one taken')
  })

  step('a patient calls back to cancel: the reason is required, then the slot is free again', async (t) => {
    await a.keyboard.press('n')
    await waitFocus(a, '#patient-commune')
    await a.keyboard.press('Escape')
    await focusOnRow(a)
    await a.keyboard.press('r')
    await waitFocus(a, '#cb-q')
    await a.keyboard.type('Gall')
    await a.keyboard.press('Enter')
    await a.locator('.rg-cb-selected').waitFor()
    await a.locator('.rg-cb-selected').getByRole('button', { name: 'Annuler le rendez-vous' }).focus()
    await a.keyboard.press('Enter')
    t.equal((await a.locator('#cb-reason-error').innerText()).trim(), 'Champ obligatoire.', 'no reason: "Champ obligatoire"')
    await waitFocus(a, '#cb-reason')
    await a.keyboard.type('Le patient va mieux')
    await a.locator('.rg-cb-selected').getByRole('button', { name: 'Annuler le rendez-vous' }).focus()
    await a.keyboard.press('Enter')
    // Asked to confirm first (issue 27): Entrée on « Confirmer l'annulation ».
    await waitFocus(a, '#cb-cancel-confirm')
    await a.keyboard.press('Enter')
    await a.locator('.rg-panel [role=status]').getByText(`Rendez-vous du ${frenchDay(DAY)} à 10:00 avec le ${GP.name} annulé : le créneau est de nouveau libre.`).waitFor()
    t.pass('the cancellation is confirmed')
    await b.locator(`li.rg-row[data-slot-id="${snp[0]}"]`).getByRole('button', { name: 'Réserver', exact: true }).waitFor()
    t.pass('B sees the slot free again, live')
    t.match(await a.locator('.rg-help h2').innerText(), '116\u00a0117', '"116 117" has a no-break space')
    for (const page of [a, b]) t.same(e2e.pageErrors(page).filter((e) => !/Failed to load resource/.test(e)), [], 'no script error')
  })

  step("a link to a psychiatrist's agenda (?praticien=) shows their psy slots: the call's kind follows", async (t) => {
    const later = await publish(psyCookie, '15:00', 45, 'psy')
    const page = await e2e.newPage(DESKTOP)
    await e2e.signInPage(page, REG_A.email, PASSWORD)
    await page.goto(`/regulation?praticien=${ids.psychiatrist!}`)
    await page.locator(`li.rg-row[data-slot-id="${later}"]`).waitFor()
    t.ok(await page.locator('#call-kind-psy').isChecked(), 'the call is a psychiatry one')
    t.notOk((await rowIds(page)).some((id) => snp.includes(id)), 'only that practitioner\'s slots')
    await page.goto(`/regulation?praticien=${ids.gp!}`)
    await page.locator('.rg-only').getByText(GP.name).waitFor()
    t.ok(await page.locator('#call-kind-snp').isChecked(), 'a GP\'s link: soins non programmés')
    await page.context().close()
  })
})
