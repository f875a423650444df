// Issue 14, Admin, in a real browser: the coordinator edits, deactivates, reactivates an account
// and gives it a one-time password-reset link; a GP gets a second place and a second CPTS (issue 21); the season import previews its errors by line
// (nothing written) before importing. Keyboard only where the flow allows it; axe on each state.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { ADMIN, describeViolations, DESKTOP, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const NEW_PASSWORD = 'nouveau-mot-de-passe'
const REGULATOR = { name: 'Julie Morel', email: 'regulation@cpts.test' }
const RPPS = withRppsKey('1000000077')
const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

/** Errors the page raised itself (refused API answers and a closed socket are expected). */
const scriptErrors = (errors: string[]): string[] => errors.filter((e) => !/Failed to load resource|WebSocket/.test(e))

/** Focuses a control and presses Entrée on it, as a keyboard user would. */
async function press (page: Page, name: string | RegExp): Promise<void> {
  const button = page.getByRole('button', { name, exact: typeof name === 'string' })
  await button.focus()
  await page.keyboard.press('Enter')
}

t.test('admin: accounts and season import in a real browser', async (t) => {
  // No periodic check of open sockets: only the sweep a deactivation triggers can end the page.
  const e2e = await startE2e(t, { env: { LIVE_AUTH_CHECK_MS: '600000' } })
  const files = mkdtempSync(join(tmpdir(), 'creneaux-import-'))
  t.teardown(() => rmSync(files, { recursive: true, force: true }))
  const cpts = await e2e.api.createCpts('CPTS Côte de Lumière')
  const monts = await e2e.api.createCpts('CPTS Pays de Monts')
  const regulator = await e2e.api.createUser({ ...REGULATOR, password: PASSWORD, role: 'regulator' })
  const gp = await e2e.api.createUser({
    email: 'gp@cpts.test', name: 'Dr Claire Martin', password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
    practitioner: { rpps: RPPS, profession: 'gp', address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 01' }
  })
  const adminCookie = await e2e.api.signIn(ADMIN.email, ADMIN.password)
  const offered = async (): Promise<number> =>
    (await e2e.api.request('GET', '/api/reports/season?from=2020-07-01&to=2020-07-31', { cookie: adminCookie })).totals.offered

  let admin: Page
  let regulation: Page
  let resetHash = ''
  const step = scenario(t)

  step('a regulator on /regulation; the admin opens the account and edits it', async (t) => {
    regulation = await e2e.newPage(DESKTOP)
    await e2e.signInPage(regulation, REGULATOR.email, PASSWORD)
    await regulation.goto('/regulation')
    await regulation.locator('.rg-status.is-live').waitFor()

    admin = await e2e.newPage(DESKTOP)
    await e2e.signInPage(admin, ADMIN.email, ADMIN.password)
    await admin.goto('/admin')
    await admin.locator('#comptes table').waitFor()
    await press(admin, `Gérer le compte de ${REGULATOR.name}`)
    const editor = admin.locator('.account-editor')
    await editor.getByRole('heading', { name: `Compte de ${REGULATOR.name}` }).waitFor()
    await admin.waitForFunction(() => document.activeElement?.id === 'edit-title', undefined, { timeout: 10_000 })
    t.pass('the focus moves to the panel')

    await editor.getByLabel('Adresse e-mail').fill('pas-une-adresse')
    await press(admin, 'Enregistrer')
    const error = editor.locator('#edit-email-error')
    t.equal((await error.innerText()).trim(), 'Adresse e-mail invalide.', 'a French error next to the field')
    await admin.waitForFunction(() => document.activeElement?.id === 'edit-email', undefined, { timeout: 10_000 })
    t.pass('the focus is on the field at fault')
    await expectNoSeriousViolations(t, admin, '/admin, account panel with an error')
    await editor.getByLabel('Adresse e-mail').fill(REGULATOR.email)
    await editor.getByLabel('Nom').fill('Julie Morel-Dupré')
    await editor.getByLabel('Identifiant SAS (INT_R02)').fill('SAS-0042')
    await press(admin, 'Enregistrer')
    await editor.getByRole('status').getByText('Modifications enregistrées pour Julie Morel-Dupré.').waitFor()
    await admin.locator('#comptes tbody tr', { hasText: 'Julie Morel-Dupré' }).getByText('SAS-0042').waitFor()
    const me = await e2e.api.request('GET', '/api/users', { cookie: adminCookie })
    t.match(me.find((u: any) => u.id === regulator.id), { name: 'Julie Morel-Dupré', sasId: 'SAS-0042' }, 'saved')
    await e2e.screenshot(admin, 'admin-account')
  })

  step('the regulator\'s IDNPS: a malformed one and one another account holds are refused in French; saved, then cleared', async (t) => {
    const editor = admin.locator('.account-editor')
    const field = editor.getByLabel('Identifiant national (IDNPS)')
    t.equal(await field.inputValue(), '', 'none yet')
    await field.fill('RPPS 1000')
    await press(admin, 'Enregistrer')
    await editor.locator('#edit-idnps-error').getByText(/IDNPS invalide/).waitFor()
    await admin.waitForFunction(() => document.activeElement?.id === 'edit-idnps', undefined, { timeout: 10_000 })
    t.pass('a malformed IDNPS: said next to the field, which has the focus')
    await field.fill('8' + RPPS)
    await press(admin, 'Enregistrer')
    await editor.locator('#edit-idnps-error').getByText('Un autre compte actif porte déjà cet identifiant national (IDNPS) : retirez-le de ce compte ou désactivez-le d’abord.').waitFor()
    t.pass('the GP\'s IDNPS (8 + RPPS): refused, by its code\'s French sentence')
    await expectNoSeriousViolations(t, admin, '/admin, IDNPS taken')
    await field.fill('810002909371')
    await press(admin, 'Enregistrer')
    await editor.getByRole('status').getByText('Modifications enregistrées pour Julie Morel-Dupré.').waitFor()
    await admin.locator('#comptes tbody tr', { hasText: 'Julie Morel-Dupré' }).getByText('810002909371').waitFor()
    const users = async (): Promise<any> => (await e2e.api.request('GET', '/api/users', { cookie: adminCookie })).find((u: any) => u.id === regulator.id)
    t.equal((await users()).idnps, '810002909371', 'saved')
    await field.fill('')
    await press(admin, 'Enregistrer')
    await admin.waitForFunction(() => document.querySelector('.account-editor [role="status"]')?.textContent?.includes('Modifications enregistrées') === true &&
      !document.querySelector('#comptes tbody')!.textContent!.includes('810002909371'), undefined, { timeout: 10_000 })
    t.notOk('idnps' in await users(), 'cleared')
  })

  step('a GP\'s second place becomes the home place; the GP joins a second CPTS', async (t) => {
    await press(admin, 'Gérer le compte de Dr Claire Martin')
    const editor = admin.locator('.account-editor')
    await editor.getByRole('heading', { name: 'Lieux de consultation' }).waitFor()
    // The panel takes the focus as it opens (an effect after the paint): pressing before it lands
    // would let it take the focus back from the new place's form.
    await admin.waitForFunction(() => document.activeElement?.id === 'edit-title', undefined, { timeout: 10_000 })
    await press(admin, 'Ajouter un lieu')
    const form = editor.locator('.place-form')
    await admin.waitForFunction(() => document.activeElement?.id === 'place-form-title', undefined, { timeout: 10_000 })
    t.pass('the focus moves to the new place\'s form')
    await form.getByLabel('Nom du lieu (facultatif)').fill('Cabinet du port')
    await form.getByLabel('Adresse du lieu').fill('3 quai du Port')
    await form.getByLabel('Code postal').fill('85800')
    await form.getByLabel('Commune').fill('Saint-Jean-de-Monts')
    await press(admin, 'Ajouter le lieu')
    await form.locator('#place-commune-error').getByText(/Communes de ce code postal : .*Saint-Gilles-Croix-de-Vie/).waitFor()
    t.pass('a commune not served by the postal code: said in French, with the right ones')
    await expectNoSeriousViolations(t, admin, '/admin, new place with an error')
    await form.getByLabel('Commune').fill('saint gilles croix de vie')
    await press(admin, 'Ajouter le lieu')
    await editor.getByText('Lieu « Cabinet du port » ajouté.').waitFor()
    await press(admin, 'Faire de Cabinet du port le lieu principal')
    await editor.getByText('« Cabinet du port » est désormais le lieu principal.').waitFor()
    await admin.locator('#comptes tbody tr', { hasText: 'Dr Claire Martin' }).getByText(/85800 Saint-Gilles-Croix-de-Vie \+ 1\slieu/).waitFor()
    t.pass('the table shows the new home commune and one other place')

    await editor.getByRole('checkbox', { name: 'Membre de CPTS Pays de Monts' }).check()
    await editor.getByRole('radio', { name: 'CPTS Pays de Monts : CPTS principale' }).check()
    await press(admin, 'Enregistrer les CPTS')
    await editor.getByText('CPTS de Dr Claire Martin enregistrées.').waitFor()
    await admin.locator('#comptes tbody tr', { hasText: 'Dr Claire Martin' }).getByText('CPTS Pays de Monts, CPTS Côte de Lumière').waitFor()
    await expectNoSeriousViolations(t, admin, '/admin, places and CPTS of a GP')
    await e2e.screenshot(admin, 'admin-places')

    const saved = (await e2e.api.request('GET', '/api/users', { cookie: adminCookie })).find((u: any) => u.id === gp.id)
    t.match(saved, { cptsId: monts.id, cptsIds: [monts.id, cpts.id], practitioner: { commune: 'Saint-Gilles-Croix-de-Vie', places: [{ label: 'Cabinet du port', home: true }, { label: 'Saint-Jean-de-Monts', home: false }] } }, 'saved')
    await press(admin, 'Gérer le compte de Julie Morel-Dupré')
    await admin.locator('.account-editor').getByRole('heading', { name: 'Compte de Julie Morel-Dupré' }).waitFor()
  })

  step('deactivated: the open /regulation ends at once, and the regulator cannot sign in', async (t) => {
    const editor = admin.locator('.account-editor')
    await press(admin, 'Désactiver le compte…')
    // The page moves the focus on its next render: wait for it rather than read it at once.
    await admin.waitForFunction(() => document.activeElement?.textContent === 'Confirmer la désactivation', undefined, { timeout: 10_000 })
    t.pass('the confirmation has the focus')
    await expectNoSeriousViolations(t, admin, '/admin, deactivation to confirm')
    await admin.keyboard.press('Enter')
    await editor.getByRole('status').getByText(/Compte de Julie Morel-Dupré désactivé/).waitFor()
    await admin.locator('#comptes tbody tr', { hasText: 'Julie Morel-Dupré' }).getByText('Désactivé').waitFor()

    await regulation.waitForURL(/\/connexion\?fin=session/)
    await regulation.getByText(/session a pris fin/).waitFor()
    t.pass('the regulator\'s page landed on /connexion?fin=session')
    await regulation.getByLabel('Adresse e-mail').fill(REGULATOR.email)
    await regulation.getByLabel('Mot de passe').fill(PASSWORD)
    await regulation.getByRole('button', { name: 'Se connecter' }).click()
    await regulation.getByText('E-mail inconnu ou mot de passe incorrect.').waitFor()
    t.pass('and cannot sign in again')
    t.same(scriptErrors(e2e.pageErrors(admin)), [], 'no script error on /admin')
  })

  step('reactivated, then a reset link that works once', async (t) => {
    const editor = admin.locator('.account-editor')
    await press(admin, 'Réactiver le compte')
    await editor.getByRole('status').getByText(/réactivé/).waitFor()
    await press(admin, 'Créer un lien de réinitialisation')
    const link = editor.getByLabel('Lien de réinitialisation (affiché une seule fois)')
    await link.waitFor()
    const url = await link.inputValue()
    t.match(url, /\/connexion#reinitialisation=[\w-]+$/, 'a link whose secret is in the fragment')
    resetHash = url.slice(url.indexOf('#'))
    await expectNoSeriousViolations(t, admin, '/admin, reset link shown')
    await e2e.screenshot(admin, 'admin-reset-link')

    const page = await e2e.newPage(DESKTOP)
    await page.goto('/connexion' + resetHash)
    await page.getByRole('heading', { name: 'Choisir un nouveau mot de passe' }).waitFor()
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(NEW_PASSWORD)
    await page.getByLabel('Confirmez le mot de passe').fill('autre-chose-encore')
    await press(page, 'Enregistrer le mot de passe')
    await page.getByText('Les deux saisies sont différentes.').waitFor()
    await expectNoSeriousViolations(t, page, '/connexion, new password with an error')
    await page.getByLabel('Confirmez le mot de passe').fill(NEW_PASSWORD)
    await press(page, 'Enregistrer le mot de passe')
    await page.getByText('Mot de passe enregistré : connectez-vous avec le nouveau.').waitFor()
    t.equal(new URL(page.url()).hash, '', 'the secret left the address')
    await page.getByLabel('Adresse e-mail').fill(REGULATOR.email)
    await page.getByLabel('Mot de passe').fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Se connecter' }).click()
    await page.waitForURL(/\/regulation$/)
    t.pass('the new password signs in')

    const again = await e2e.newPage(DESKTOP)
    await again.goto('/connexion' + resetHash)
    // A spent link says so as the page opens (issue 24, item 7), with no form to fill in vain.
    await again.getByRole('heading', { name: 'Lien de réinitialisation expiré' }).waitFor()
    await again.getByText(/Ce lien de réinitialisation n’est plus valable/).waitFor()
    t.equal(await again.getByLabel('Nouveau mot de passe', { exact: true }).count(), 0, 'no new-password field for a spent link')
    t.pass('the link works once')
    await e2e.screenshot(again, 'connexion-reset-used')
  })

  step('import de saison: errors by line in French, nothing written; a correct file imports', async (t) => {
    const bad = join(files, 'saison-erreurs.csv')
    writeFileSync(bad, [HEADER,
      `${RPPS},2020-07-13T12:00:00+02:00,2020-07-13T12:15:00+02:00,snp,office,,2020-07-13T08:00:00Z,honored,no`,
      `${RPPS},2020-07-13T12:15:00+02:00,2020-07-13T12:00:00+02:00,snp,office,,,,`,
      `99999999999,2020-07-14T12:00:00+02:00,2020-07-14T12:15:00+02:00,snp,office,,,,`].join('\n'))
    const good = join(files, 'saison.csv')
    writeFileSync(good, [HEADER,
      `${RPPS},2020-07-13T12:00:00+02:00,2020-07-13T12:15:00+02:00,snp,office,,2020-07-13T08:00:00Z,honored,no`,
      `${RPPS},2020-07-13T12:15:00+02:00,2020-07-13T12:30:00+02:00,snp,office,,,,`].join('\n'))

    await admin.goto('/admin#import')
    const panel = admin.locator('#import')
    await panel.getByRole('heading', { name: 'Import de saison' }).waitFor()
    t.equal(await panel.getByText('Bientôt disponible').count(), 0, 'the real importer, not a promise')
    await press(admin, 'Vérifier le fichier')
    await panel.getByText('Choisissez d’abord le fichier CSV de la saison.').waitFor()
    await admin.waitForFunction(() => document.activeElement?.id === 'import-file', undefined, { timeout: 10_000 })
    t.pass('no file yet: said so, and the focus is on the file field')
    await panel.getByLabel('Fichier CSV de la saison').setInputFiles(bad)
    await press(admin, 'Vérifier le fichier')
    const table = panel.getByRole('table', { name: /Erreurs par ligne/ })
    await table.waitFor()
    const rows = await table.locator('tbody tr').allInnerTexts()
    t.same(rows.map((r) => r.split('\t')[0]), ['3', '4'], 'the bad lines by number (header = 1)')
    t.match(rows[0], /La fin doit être après le début\./)
    t.match(rows[1], /RPPS 99999999999 inconnu/)
    await panel.getByText(/saison-erreurs\.csv : 2\slignes invalides\. Rien n’a été importé/).waitFor()
    t.equal(await panel.getByRole('button', { name: /^Importer/ }).count(), 0, 'no import button for a file with errors')
    t.equal(await offered(), 0, 'nothing written')
    await expectNoSeriousViolations(t, admin, '/admin, import errors')
    await e2e.screenshot(admin, 'admin-import-errors')

    await panel.getByLabel('Fichier CSV de la saison').setInputFiles(good)
    await press(admin, 'Vérifier le fichier')
    await panel.getByText(/Fichier valide : 2\scréneaux dont 1\sréservation\. Rien n’est encore importé/).waitFor()
    t.equal(await offered(), 0, 'the preview wrote nothing')
    await press(admin, /^Importer 2\scréneaux$/)
    await panel.getByText(/Import terminé : 2\scréneaux dont 1\sréservation ajoutés au bilan\./).waitFor()
    t.equal(await offered(), 2, 'imported')
    await expectNoSeriousViolations(t, admin, '/admin, import done')
    await e2e.screenshot(admin, 'admin-import-done')
    t.same(scriptErrors(e2e.pageErrors(admin)), [], 'no script error on /admin')
  })
})
