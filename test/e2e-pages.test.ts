// The pages in a real browser (Debian's Chromium) against the real server: what a coordinator,
// a regulator and a board member see. Later steps add the regulation and praticien flows.
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { ADMIN, describeViolations, DESKTOP, PHONE, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const CPTS = 'CPTS Côte de Lumière'
const GP = { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042') }
const REGULATOR = { name: 'Julie Morel', email: 'regulation@cpts.test' }
const BOARD = { name: 'Paul Girard', email: 'bureau@cpts.test' }

/** The error shown under the input `inputId`, inside its own field and announced by it. */
async function fieldError (t: Test, page: Page, inputId: string): Promise<string> {
  const error = page.locator('.field').filter({ has: page.locator(`#${inputId}`) }).locator('.error')
  await error.waitFor()
  t.equal(await page.locator(`#${inputId}`).getAttribute('aria-invalid'), 'true', `${inputId} is marked invalid`)
  t.match(await page.locator(`#${inputId}`).getAttribute('aria-describedby') ?? '', `${inputId}-error`, `${inputId} is described by its error`)
  return (await error.innerText()).trim()
}

/** Errors the page raised itself (failed API answers are expected and are not counted). */
function scriptErrors (errors: string[]): string[] {
  return errors.filter((e) => !/Failed to load resource/.test(e))
}

async function signInThroughForm (page: Page, email: string, password: string): Promise<void> {
  await page.goto('/connexion')
  await page.getByLabel('Adresse e-mail').fill(email)
  await page.getByLabel('Mot de passe').fill(password)
  await page.getByRole('button', { name: 'Se connecter' }).click()
}

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

/** Waits until the admin page has loaded its tables. */
async function adminLoaded (page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor()
  await page.locator('#comptes table').waitFor()
}

t.test('pages in a real browser', async (t) => {
  const e2e = await startE2e(t)
  let admin: Page

  // Each step builds on the one before (see scenario).
  const step = scenario(t)

  step('/connexion: French errors next to the fields, then the admin lands on /admin', async (t) => {
    const page = admin = await e2e.newPage(DESKTOP)
    await page.goto('/connexion')
    await page.getByRole('heading', { level: 1, name: 'Créneaux' }).waitFor()
    t.equal(await page.title(), 'Connexion · Créneaux', 'the tab reads Connexion')
    await e2e.screenshot(page, 'connexion')
    await expectNoSeriousViolations(t, page, '/connexion')

    await page.getByRole('button', { name: 'Se connecter' }).click()
    t.equal(await fieldError(t, page, 'email'), 'Saisissez votre adresse e-mail.', 'empty e-mail: error under the e-mail')
    t.equal(await fieldError(t, page, 'password'), 'Saisissez votre mot de passe.', 'empty password: error under the password')
    await expectNoSeriousViolations(t, page, '/connexion with errors')

    await page.getByLabel('Adresse e-mail').fill(ADMIN.email)
    await page.getByLabel('Mot de passe').fill('not-the-password')
    await page.getByRole('button', { name: 'Se connecter' }).click()
    await page.getByText('E-mail inconnu ou mot de passe incorrect.').waitFor()
    t.equal(await fieldError(t, page, 'password'), 'E-mail inconnu ou mot de passe incorrect.', 'wrong password: error under the password')
    await page.locator('#email-error').waitFor({ state: 'detached' })
    t.pass('the e-mail is no longer flagged')
    t.equal(page.url(), e2e.baseUrl + '/connexion', 'still on /connexion')

    await page.getByLabel('Mot de passe').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Se connecter' }).click()
    await page.waitForURL(e2e.baseUrl + '/admin')
    await adminLoaded(page)
    await page.getByText('Administrateur · Coordination CPTS').waitFor()
    t.same(scriptErrors(e2e.pageErrors(page)), [], 'no script error on /connexion and /admin')
  })

  step('/admin: a CPTS, a practitioner whose commune is fixed, a regulator, a board member', async (t) => {
    const page = admin
    const territories = page.locator('#territoires')
    const accounts = page.locator('#comptes')
    await territories.getByText('Aucune CPTS pour l’instant : créez la première avec le formulaire ci-dessous.').waitFor()

    await page.getByLabel('Nom de la CPTS').fill(CPTS)
    await page.getByRole('button', { name: 'Créer la CPTS' }).click()
    await territories.getByRole('status').getByText(`CPTS créée : ${CPTS}, France métropolitaine et Corse (Europe/Paris).`, { exact: true }).waitFor()
    await territories.locator('tbody tr', { hasText: CPTS }).waitFor()
    t.equal(await territories.locator('tbody tr').count(), 1, 'the CPTS is in the table')

    // A practitioner of Saint-Jean-de-Monts typed with the commune of another postal code.
    t.equal(await page.locator('#user-role').inputValue(), 'practitioner', 'the form starts on a practitioner')
    await page.locator('#user-cptsId').selectOption({ label: CPTS })
    await page.locator('#user-name').fill(GP.name)
    await page.locator('#user-email').fill(GP.email)
    await page.locator('#user-password').fill(PASSWORD)
    await page.locator('#user-rpps').fill(GP.rpps)
    await page.locator('#user-address').fill('12 rue de la Plage')
    await page.locator('#user-postalCode').fill('85160')
    await page.locator('#user-commune').fill('Nantes')
    await page.locator('#user-phone').fill('02 51 58 00 42')
    await page.getByRole('button', { name: 'Créer le compte' }).click()
    const communeError = await fieldError(t, page, 'user-commune')
    t.match(communeError, /^Cette commune ne correspond pas au code postal\. Communes de ce code postal : .*Saint-Jean-de-Monts/, '85160 + Nantes: error under the commune')
    await page.waitForFunction(() => document.activeElement?.id === 'user-commune')
    t.pass('the focus is on the commune')
    t.equal(await accounts.locator('tbody tr', { hasText: GP.email }).count(), 0, 'no account was created')
    await expectNoSeriousViolations(t, page, '/admin with a field error')

    await page.locator('#user-commune').fill('Saint-Jean-de-Monts')
    await page.locator('#user-commune-error').waitFor({ state: 'detached' })
    t.pass('the error goes away while the commune is corrected')
    await page.getByRole('button', { name: 'Créer le compte' }).click()
    await accounts.getByRole('status').getByText(`Compte créé : ${GP.name} (${GP.email}) — Praticien, ${CPTS}.`, { exact: true }).waitFor()
    const gpRow = accounts.locator('tbody tr', { hasText: GP.email })
    await gpRow.waitFor()
    t.match(await gpRow.innerText(), new RegExp(`${GP.rpps}[\\s\\S]*85160 Saint-Jean-de-Monts`), 'RPPS and commune in the row')

    await page.locator('#user-role').selectOption('regulator')
    await page.locator('#user-cptsId').waitFor({ state: 'detached' })
    t.pass('a regulator has no CPTS to choose')
    await page.locator('#user-name').fill(REGULATOR.name)
    await page.locator('#user-email').fill(REGULATOR.email)
    await page.locator('#user-password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Créer le compte' }).click()
    await accounts.getByRole('status').getByText(`Compte créé : ${REGULATOR.name} (${REGULATOR.email}) — Régulateur.`, { exact: true }).waitFor()
    t.match(await accounts.locator('tbody tr', { hasText: REGULATOR.email }).innerText(), /Régulateur\s+Toutes les CPTS/, 'the regulator row: every CPTS')

    await page.locator('#user-role').selectOption('board')
    await page.locator('#user-cptsId').selectOption({ label: CPTS })
    await page.locator('#user-name').fill(BOARD.name)
    await page.locator('#user-email').fill(BOARD.email)
    await page.locator('#user-password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Créer le compte' }).click()
    await accounts.getByRole('status').getByText(`Compte créé : ${BOARD.name} (${BOARD.email}) — Bureau de la CPTS, ${CPTS}.`, { exact: true }).waitFor()
    t.match(await accounts.locator('tbody tr', { hasText: BOARD.email }).innerText(), new RegExp(`Bureau de la CPTS\\s+${CPTS}`), 'the board member row: its CPTS')
    t.equal(await accounts.locator('tbody tr').count(), 4, 'admin, practitioner, regulator and board member in the table')

    await expectNoSeriousViolations(t, page, '/admin')
    await e2e.screenshot(page, 'admin')
    t.same(scriptErrors(e2e.pageErrors(page)), [], 'no script error on /admin')
  })

  step('each role lands on its own page; a refused page says why', async (t) => {
    const regulator = await e2e.newPage(DESKTOP)
    await signInThroughForm(regulator, REGULATOR.email, PASSWORD)
    await regulator.waitForURL(e2e.baseUrl + '/regulation')
    t.equal(await regulator.title(), 'Régulation · Créneaux', 'the regulator lands on /regulation')

    await regulator.goto('/bilan')
    await regulator.waitForURL(e2e.baseUrl + '/regulation?refus=bilan')
    await regulator.getByRole('alert').getByText('Vous n\'avez pas accès à la page « Bilan de saison » : elle est réservée à d\'autres rôles.', { exact: true }).waitFor()
    t.pass('the regulator is sent back to /regulation with the refusal')

    const board = await e2e.newPage(DESKTOP)
    await signInThroughForm(board, BOARD.email, PASSWORD)
    await board.waitForURL(e2e.baseUrl + '/bilan')
    await board.getByRole('heading', { level: 1, name: 'Bilan de saison' }).waitFor()
    t.pass('the board member lands on /bilan')
    await Promise.all([regulator.context().close(), board.context().close()])
  })

  step('on a phone (375 px): /connexion and /admin fit the screen', async (t) => {
    const anonymous = await e2e.newPage(PHONE)
    await anonymous.goto('/connexion')
    await anonymous.getByRole('button', { name: 'Se connecter' }).waitFor()
    t.ok(await anonymous.evaluate('document.documentElement.scrollWidth') as number <= PHONE.width, '/connexion: no horizontal scroll')
    await e2e.screenshot(anonymous, 'connexion')
    await anonymous.context().close()

    const page = await e2e.newPage(PHONE)
    await e2e.signInPage(page, ADMIN.email, ADMIN.password)
    await page.goto('/admin')
    await adminLoaded(page)
    await page.locator('#comptes tbody tr', { hasText: BOARD.email }).waitFor()
    const width = await page.evaluate('document.documentElement.scrollWidth') as number
    t.ok(width <= PHONE.width, `/admin: no horizontal scroll (scrollWidth ${width})`)
    await e2e.screenshot(page, 'admin')
    await expectNoSeriousViolations(t, page, '/admin at 375 px')
    await page.context().close()
  })

  step('a server restart keeps the data and the sessions', async (t) => {
    await e2e.restart()
    await admin.reload()
    await adminLoaded(admin)
    await admin.locator('#comptes tbody tr', { hasText: GP.email }).waitFor()
    t.equal(admin.url(), e2e.baseUrl + '/admin', 'the admin is still signed in')
    t.equal(await admin.locator('#territoires tbody tr').count(), 1, 'the CPTS is still there')
  })
})
