// Issue 21 on /praticien, in Chromium at 375 px: a GP who consults at two places and is a member
// of two CPTS picks the place and the CPTS of what they publish (large targets), the preview says
// where and to whom, the slot lands there (also when offered only to the other CPTS) and the
// lists name its place; a GP with one place and one CPTS sees neither choice. axe-clean.
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { ADMIN, describeViolations, PHONE, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const GP = { name: 'Dr Vincent Caillaud', email: 'vincent.caillaud@cpts.test', rpps: withRppsKey('1000000081') }
const SOLO = { name: 'Dr Claire Bonnaud', email: 'claire.bonnaud@cpts.test', rpps: withRppsKey('1000000082') }

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

const plain = (s: string | null): string => (s ?? '').replace(/[\u00a0\u202f\s]+/g, ' ').trim()

t.test('/praticien, a GP at two places in two CPTS: where and to whom, chosen in the publishing form', async (t) => {
  const e2e = await startE2e(t)
  const lumiere = await e2e.api.createCpts('CPTS Côte de Lumière')
  const monts = await e2e.api.createCpts('CPTS Pays de Monts')
  const practice = { profession: 'gp' as const, address: '7 allée des Pins', postalCode: '85800', commune: 'Le Fenouiller', phone: '02 51 55 00 81' }
  const gp = await e2e.api.createUser({ email: GP.email, name: GP.name, password: PASSWORD, role: 'practitioner', cptsId: lumiere.id, practitioner: { rpps: GP.rpps, ...practice } })
  await e2e.api.createUser({ email: SOLO.email, name: SOLO.name, password: PASSWORD, role: 'practitioner', cptsId: lumiere.id, practitioner: { rpps: SOLO.rpps, ...practice, address: '14 quai du Port-Fidèle', postalCode: '85800', commune: 'Saint-Gilles-Croix-de-Vie' } })
  const admin = await e2e.api.signIn(ADMIN.email, ADMIN.password)
  const { place: soullans } = await e2e.api.request<{ place: { id: string } }>('POST', `/api/users/${gp.id}/places`, {
    cookie: admin, expect: 201, body: { label: 'Maison de santé de Soullans', address: '2 rue de l’Étier', postalCode: '85300', commune: 'Soullans' }
  })
  await e2e.api.request('PUT', `/api/users/${gp.id}/cpts`, { cookie: admin, body: { cptsIds: [lumiere.id, monts.id], homeCptsId: lumiere.id } })
  const gpCookie = await e2e.api.signIn(GP.email, PASSWORD)

  const page = await e2e.newPage(PHONE)
  await e2e.signInPage(page, GP.email, PASSWORD)
  const form = page.locator('#publier')
  const step = scenario(t)

  step('the series form: the home place chosen, both CPTS ticked, large targets', async (t) => {
    await page.goto('/praticien')
    await page.getByText('Mis à jour en direct').waitFor()
    // (A choice's name starts with ✓ once chosen: the names are matched as substrings.)
    const home = form.getByRole('radio', { name: 'Le Fenouiller' })
    const centre = form.getByRole('radio', { name: 'Maison de santé de Soullans (Soullans)' })
    await home.waitFor()
    t.ok(await home.isChecked(), 'the home place is chosen')
    t.notOk(await centre.isChecked())
    for (const name of ['CPTS Côte de Lumière', 'CPTS Pays de Monts']) t.ok(await form.getByRole('checkbox', { name }).isChecked(), `${name} ticked`)
    const heights = await form.locator('.pr-choice > span').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))
    t.ok(heights.length >= 7 && heights.every((h) => h >= 44), `every place, CPTS and mode choice is 44 px high at least: ${heights.map(Math.round).join(', ')}`)
    t.match(plain(await form.locator('.pr-where').textContent()), 'Lieu : Le Fenouiller · proposé à : CPTS Côte de Lumière, CPTS Pays de Monts', 'the preview says where and to whom')
    await expectNoSeriousViolations(t, page, 'the form with its choices')
  })

  step('one slot at the second place, offered to Pays de Monts only', async (t) => {
    await form.getByRole('button', { name: 'Un créneau' }).click()
    await form.getByRole('radio', { name: 'Maison de santé de Soullans (Soullans)' }).check()
    await form.getByRole('checkbox', { name: 'CPTS Côte de Lumière' }).uncheck()
    await form.getByRole('checkbox', { name: 'CPTS Pays de Monts' }).uncheck()
    await form.getByText('Cochez au moins une CPTS.').waitFor()
    t.pass('no CPTS ticked: said next to the boxes')
    await form.getByRole('checkbox', { name: 'CPTS Pays de Monts' }).check()
    await page.waitForFunction(() => /Lieu : Maison de santé de Soullans \(Soullans\) · proposé à : CPTS Pays de Monts$/.test((document.querySelector('#publier .pr-summary')?.textContent ?? '').replace(/\s+/g, ' ').trim()))
    t.pass('the summary names the place and the one CPTS')
    await form.getByRole('button', { name: 'Publier ce créneau' }).click()
    await form.getByText(/^Créneau publié/).waitFor()
    const slots = await e2e.api.request<Array<{ id: string, place: { id: string }, cptsIds: string[] }>>('GET', `/api/slots?practitionerId=${gp.id}`, { cookie: gpCookie })
    t.same(slots.map((s) => [s.place.id, s.cptsIds]), [[soullans.id, [monts.id]]], 'published at Soullans, offered to Pays de Monts')
    await page.locator('#creneaux .pr-slot').first().waitFor()
    t.match(plain(await page.locator('#creneaux .pr-slot').first().textContent()), 'Cabinet · Maison de santé de Soullans',
      'listed on the page (offered only to the other CPTS) with its place')
  })

  step('a GP with one place and one CPTS: no choice to make', async (t) => {
    const other = await e2e.newPage(PHONE)
    await e2e.signInPage(other, SOLO.email, PASSWORD)
    await other.goto('/praticien')
    await other.getByText('Mis à jour en direct').waitFor()
    await other.locator('#publier').getByRole('radio', { name: 'Cabinet' }).waitFor()
    t.equal(await other.locator('#publier').getByRole('group', { name: 'Lieu de consultation' }).count(), 0, 'no place picker')
    t.equal(await other.locator('#publier').getByRole('group', { name: 'Proposer à la régulation de' }).count(), 0, 'no CPTS boxes')
    t.equal(await other.locator('#publier .pr-where').count(), 0, 'nothing more in the preview')
  })
})
