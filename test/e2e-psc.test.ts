// Pro Santé Connect in a real browser (issue 22), against the PSC stand-in (a real OpenID
// provider, helpers/psc-provider.ts): the button on /connexion, the round trip through PSC's
// sign-in page, and a regulator sent by the SAS platform landing on /regulation.
import t from 'tap'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { withRppsKey } from '../shared/rpps.js'
import { describeViolations, DESKTOP, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'
import { startPscStandIn } from './helpers/psc-provider.js'

const PASSWORD = 'mot-de-passe-e2e'
const GP = { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042') }
const REGULATOR = { name: 'Julie Morel', email: 'regulation@cpts.test', idnps: '8' + withRppsKey('1000000099') }

t.test('Pro Santé Connect in a real browser', async (t) => {
  const standIn = await startPscStandIn([
    { idnps: '8' + GP.rpps, sub: 'f:0042:8' + GP.rpps, givenName: 'Claire', familyName: 'Martin', profession: '10' },
    { idnps: REGULATOR.idnps, sub: 'f:0099:' + REGULATOR.idnps, givenName: 'Julie', familyName: 'Morel', profession: '10' }
  ])
  t.teardown(standIn.close)
  const e2e = await startE2e(t, { env: { PSC_DISCOVERY_URL: standIn.discoveryUrl, PSC_CLIENT_ID: standIn.clientId, PSC_CLIENT_SECRET: standIn.clientSecret } })
  // No PUBLIC_URL: the redirect URL is the address the browser came by.
  standIn.allowRedirect(`${e2e.baseUrl}/connexion/psc/retour`, `${e2e.baseUrl}/connexion`)

  const cpts = await e2e.api.createCpts('CPTS Côte de Lumière')
  const gp = await e2e.api.createUser({
    email: GP.email, name: GP.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
    practitioner: { rpps: GP.rpps, profession: 'gp', address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 42' }
  })
  const regulator = await e2e.api.createUser({ email: REGULATOR.email, name: REGULATOR.name, password: PASSWORD, role: 'regulator' })
  // A regulator's IDNPS comes from the SAS (INT_R02): set here in the server's own database.
  const sqlite = new Database(join(e2e.dataDir, 'creneaux.sqlite'))
  sqlite.prepare('UPDATE users SET idnps = ? WHERE id = ?').run(REGULATOR.idnps, regulator.id)
  sqlite.close()

  const step = scenario(t)

  step('/connexion: the PSC button, PSC\'s page, back signed in on /praticien', async (t) => {
    const page = await e2e.newPage(DESKTOP)
    await page.goto('/connexion')
    const button = page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' })
    await button.waitFor()
    t.equal(await page.locator('.psc-button img').getAttribute('src'), '/assets/psc-logo.svg', 'the logo comes from our server')
    await e2e.screenshot(page, 'connexion-psc')
    const found = await seriousA11yViolations(page)
    t.same(found.map((v) => v.id), [], 'no serious or critical axe violation' + (found.length > 0 ? '\n' + describeViolations(found) : ''))
    await button.click()
    await page.getByText('Ministère de la Santé et de la prévention').waitFor()
    t.ok(page.url().startsWith(new URL(standIn.issuer).origin), 'on PSC\'s sign-in page')
    await page.getByLabel('Identifiant national (RPPS)').selectOption('8' + GP.rpps)
    await page.getByRole('button', { name: 'Se connecter avec e-CPS' }).click()
    await page.waitForURL(e2e.baseUrl + '/praticien')
    await page.getByText(`${GP.name} · Praticien`, { exact: false }).waitFor()
    t.pass('signed in as the GP, without a Créneaux password')
    t.same(e2e.pageErrors(page).filter((e) => !/Failed to load resource/.test(e)), [], 'no script error')
  })

  step('a regulator from the SAS: straight to PSC, then /regulation on that practitioner; again, at once', async (t) => {
    const page = await e2e.newPage(DESKTOP)
    const sasLink = `/regulation?praticien=${encodeURIComponent(gp.id)}&origin=sas`
    await page.goto(sasLink)
    await page.getByText('Ministère de la Santé et de la prévention').waitFor()
    t.pass('PSC\'s page, not our password page')
    await page.getByLabel('Identifiant national (RPPS)').selectOption(REGULATOR.idnps)
    await page.getByRole('button', { name: 'Se connecter avec e-CPS' }).click()
    await page.waitForURL(e2e.baseUrl + sasLink)
    await page.getByRole('heading', { level: 1, name: 'Régulation' }).waitFor()
    t.pass('on /regulation, on the practitioner of the link')
    await e2e.screenshot(page, 'regulation-from-sas')

    // The SAS opens the link again (a new tab): the session is there, /regulation at once.
    const again = await page.context().newPage()
    await again.goto(e2e.baseUrl + sasLink)
    await again.getByRole('heading', { level: 1, name: 'Régulation' }).waitFor()
    t.equal(again.url(), e2e.baseUrl + sasLink, 'no sign-in this time')
  })
})
