// Issue 20: a refusal reads the French sentence of its own code (shared/errors.ts), in a real
// browser. A regulator who cancels a booking another page cancelled first is told it was
// already cancelled (it used to read « Cet élément existe déjà. », CONFLICT's one sentence for
// thirteen meanings); an admin who gives an account an e-mail already used reads so next to
// the field (the page used to find the field by reading the server's English).
import t from 'tap'
import { DateTime } from 'luxon'
import type { Page } from 'playwright-core'
import { ERRORS } from '../shared/errors.js'
import { withRppsKey } from '../shared/rpps.js'
import { ADMIN, DESKTOP, localDate, scenario, startE2e } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const GP = { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042') }
const REG = { name: 'Julie Morel', email: 'regulation@cpts.test' }
const DAY = localDate(2)

/** Opens "Rappel d'un patient" and selects the one booking found for `q`. */
async function findBooking (page: Page, q: string): Promise<void> {
  await page.locator('#callback-open').click()
  await page.getByRole('heading', { name: 'Rappel d’un patient' }).waitFor()
  await page.locator('#cb-q').fill(q)
  await page.keyboard.press('Enter')
  await page.locator('.rg-panel [role=status]').getByText('1 rendez-vous trouvé.', { exact: true }).waitFor()
  await page.locator('.rg-cb-selected').waitFor()
}

async function cancelSelected (page: Page, reason: string): Promise<void> {
  await page.locator('#cb-reason').fill(reason)
  await page.locator('.rg-cb-selected').getByRole('button', { name: 'Annuler le rendez-vous' }).click()
  // A cancellation is confirmed before it is sent (issue 27, item 1).
  await page.locator('#cb-cancel-confirm').click()
}

t.test('refusals in French, by code', async (t) => {
  const e2e = await startE2e(t)
  const cpts = await e2e.api.createCpts('CPTS Pays de Monts')
  await e2e.api.createUser({
    email: GP.email, name: GP.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
    practitioner: { rpps: GP.rpps, profession: 'gp', address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 42' }
  })
  const reg = await e2e.api.createUser({ email: REG.email, name: REG.name, password: PASSWORD, role: 'regulator' })
  const gpCookie = await e2e.api.signIn(GP.email, PASSWORD)
  const regCookie = await e2e.api.signIn(REG.email, PASSWORD)
  const start = DateTime.fromISO(`${DAY}T10:00`, { zone: 'Europe/Paris' })
  const slot = await e2e.api.request('POST', '/api/slots', {
    cookie: gpCookie, body: { start: start.toISO(), end: start.plus({ minutes: 20 }).toISO(), kind: 'snp', mode: 'office' }, expect: 201
  })
  await e2e.api.request('POST', `/api/slots/${slot.id as string}/booking`, {
    cookie: regCookie,
    body: { patient: { lastName: 'Le Gall', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' },
    expect: 201
  })
  const step = scenario(t)

  step('two pages on one call-back: the second cancel reads « already cancelled »', async (t) => {
    const [a, b] = [await e2e.newPage(DESKTOP), await e2e.newPage(DESKTOP)]
    for (const page of [a, b]) {
      await e2e.signInPage(page, REG.email, PASSWORD)
      await page.goto('/regulation')
      await page.locator('.rg-status.is-live').waitFor()
      await findBooking(page, 'le gall 02/01/1980')
    }
    await cancelSelected(a, 'Le patient va mieux')
    await a.locator('.rg-panel [role=status]').getByText(/annulé : le créneau est de nouveau libre\./).waitFor()
    t.pass('the first page cancels')

    await cancelSelected(b, 'Le patient a rappelé deux fois')
    const alert = b.locator('.rg-panel [role=alert]')
    await alert.waitFor()
    t.equal((await alert.innerText()).trim(), ERRORS.BOOKING_ALREADY_CANCELLED.fr, 'the second reads why, in French')
    t.equal(ERRORS.BOOKING_ALREADY_CANCELLED.fr, 'Ce rendez-vous a déjà été annulé.')
    t.notMatch(await b.locator('body').innerText(), /existe déjà/, 'not the sentence meant for a duplicate')
    await e2e.screenshot(b, 'regulation-annulation-deja-faite')
    for (const page of [a, b]) t.same(e2e.pageErrors(page).filter((e) => !/Failed to load resource/.test(e)), [], 'no script error')
    await a.context().close()
    await b.context().close()
  })

  step('an e-mail already used: the French of EMAIL_TAKEN, next to the field', async (t) => {
    const admin = await e2e.newPage(DESKTOP)
    await e2e.signInPage(admin, ADMIN.email, ADMIN.password)
    await admin.goto('/admin')
    await admin.locator('#comptes table').waitFor()
    await admin.getByRole('button', { name: `Gérer le compte de ${REG.name}`, exact: true }).click()
    const editor = admin.locator('.account-editor')
    await editor.getByRole('heading', { name: `Compte de ${REG.name}` }).waitFor()
    await editor.getByLabel('Adresse e-mail').fill(GP.email)
    await editor.getByRole('button', { name: 'Enregistrer', exact: true }).click()
    const error = editor.locator('#edit-email-error')
    await error.waitFor()
    t.equal((await error.innerText()).trim(), 'Un compte existe déjà avec cette adresse e-mail.', 'next to the e-mail field')
    const users = await e2e.api.request('GET', '/api/users', { cookie: await e2e.api.signIn(ADMIN.email, ADMIN.password) })
    t.equal(users.find((u: { id: string }) => u.id === reg.id).email, REG.email, 'nothing changed')
    await admin.context().close()
  })
})
