// Pro Santé Connect (issue 22) against a real OpenID provider configured like PSC (helpers/
// psc-provider.ts): the whole flow, the account link, each refusal of a replayed or forged
// callback (nothing written but its audit entry), a deactivated or unknown professional, and the
// SAS link of the kit's SSO tests (prise_de_rendez_vous, flux v2) with and without a session.
import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { frenchMessage } from '../shared/errors.js'
import { withRppsKey } from '../shared/rpps.js'
import { ADMIN, build, signIn, type TestApp } from './helpers/build.js'
import { countRows, PASSWORD, publishSlot, territory, type Territory } from './helpers/fixtures.js'
import { PscBrowser } from './helpers/psc-browser.js'
import { type Forgery, startPscStandIn } from './helpers/psc-provider.js'

const PUBLIC_URL = 'http://creneaux.test'
const TOKEN = 'sas-platform-secret-0123456789'
const GP_IDNPS = '8' + withRppsKey('1000000001')
const REGULATOR_IDNPS = '8' + withRppsKey('1000000099')
const UNKNOWN_IDNPS = '8' + withRppsKey('1000000077')
const GP2_IDNPS = '8' + withRppsKey('1000000002')
/** The kit's check that the SAS link led to PSC's sign-in page (v2_connexion_while_unidentified_test.rb). */
const PSC_PAGE_MARK = 'ministère de la santé et de la prévention'

const standIn = await startPscStandIn([
  { idnps: GP_IDNPS, sub: 'f:0001:' + GP_IDNPS, givenName: 'Claire', familyName: 'Martin', profession: '10' },
  { idnps: GP2_IDNPS, sub: 'f:0002:' + GP2_IDNPS, givenName: 'Marc', familyName: 'Durand', profession: '10' },
  { idnps: REGULATOR_IDNPS, sub: 'f:0099:' + REGULATOR_IDNPS, givenName: 'Julie', familyName: 'Morel', profession: '10' },
  { idnps: UNKNOWN_IDNPS, sub: 'f:0077:' + UNKNOWN_IDNPS, givenName: 'Inconnu', familyName: 'Dupuis', profession: '10' }
])
standIn.allowRedirect(`${PUBLIC_URL}/connexion/psc/retour`, `${PUBLIC_URL}/connexion`)
t.teardown(standIn.close)

const PSC_ENV = {
  PUBLIC_URL,
  FHIR_TOKENS: TOKEN,
  PSC_DISCOVERY_URL: standIn.discoveryUrl,
  PSC_CLIENT_ID: standIn.clientId,
  PSC_CLIENT_SECRET: standIn.clientSecret
}

/** How the next PSC answers are forged (null: as PSC gives them). */
let forgery: Forgery | null = null

async function pscApp (t: Test, env: Record<string, string> = {}): Promise<TestApp> {
  return await build(t, { ...PSC_ENV, ...env }, undefined, {
    beforeReady: (app) => { app.psc!.fetch = standIn.forgingFetch(() => forgery) }
  })
}

const WRITTEN = ['users', 'sessions', 'audit_log'] as const
async function auditOf (db: Kysely<Database>, action: string) {
  return (await db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute())
    .map((r) => ({ ...r, detail: r.detail === null ? null : JSON.parse(r.detail) }))
}

t.test('unset, nothing changes: no button, no PSC route, anonymous SAS links go to /connexion', async (t) => {
  const { app } = await build(t, { PUBLIC_URL })
  const page = await app.inject({ method: 'GET', url: '/connexion' })
  t.notMatch(page.body, 'data-psc', 'no PSC button on /connexion')
  t.equal((await app.inject({ method: 'GET', url: '/connexion/psc' })).statusCode, 404)
  const sas = await app.inject({ method: 'GET', url: '/regulation?praticien=x&origin=sas' })
  t.match(sas.headers.location, /^\/connexion\?suite=/)
})

t.test('with PSC', async (t) => {
  const { app, db } = await pscApp(t)
  const terr: Territory = await territory(app)
  await db.updateTable('users').set({ idnps: REGULATOR_IDNPS }).where('id', '=', terr.users.regulator.id).execute()

  t.test('/connexion shows the button', async (t) => {
    const page = await app.inject({ method: 'GET', url: '/connexion' })
    t.match(page.body, 'data-psc="on"')
  })

  t.test('a GP signs in through PSC: PSC\'s page, acr eidas1, the account linked once, a session like a password one', async (t) => {
    const browser = new PscBrowser(app, PUBLIC_URL)
    const start = await browser.get('/connexion/psc')
    const authorize = new URL(start.headers.location as string)
    t.equal(authorize.origin + authorize.pathname, `${new URL(standIn.issuer).origin}/auth`, 'sent to PSC\'s authorization endpoint')
    t.equal(authorize.searchParams.get('scope'), 'openid scope_all')
    t.equal(authorize.searchParams.get('acr_values'), 'eidas1')
    t.equal(authorize.searchParams.get('code_challenge_method'), 'S256')
    t.ok(authorize.searchParams.get('state'), 'a state')
    t.ok(authorize.searchParams.get('nonce'), 'a nonce')
    t.equal(authorize.searchParams.get('redirect_uri'), `${PUBLIC_URL}/connexion/psc/retour`)

    const callback = await browser.toCallback('/connexion/psc', GP_IDNPS)
    t.match(browser.pscPage, 'Pro Santé Connect')
    t.match(browser.pscPage?.toLowerCase(), PSC_PAGE_MARK)
    t.equal(new URL(callback).searchParams.get('iss'), standIn.issuer, 'PSC names itself on the way back (RFC 9207)')
    const done = await browser.callback(callback)
    t.equal(done.statusCode, 302)
    t.equal(done.headers.location, '/praticien', 'the GP lands on their page')
    const sid = done.cookies.find((c) => c.name === 'sid')
    t.ok(sid?.httpOnly, 'the same HttpOnly session cookie')
    t.equal(sid?.sameSite, 'Lax')
    const me = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: browser.cookie } })
    t.equal(me.json().user.id, terr.users.gp.id, 'signed in as the account of that IDNPS')
    const session = await db.selectFrom('sessions').select(['via_psc', 'ip']).where('user_id', '=', terr.users.gp.id).where('via_psc', '=', 1).execute()
    t.equal(session.length, 1, 'one session in the session table, marked as opened through PSC')

    const links = await auditOf(db, 'user.psc_link')
    t.same(links.map((l) => [l.subject_id, l.detail.idnps]), [[terr.users.gp.id, GP_IDNPS]], 'the account link is audited')
    const signIns = (await auditOf(db, 'session.sign_in')).filter((a) => a.detail?.via === 'psc')
    t.same(signIns.map((a) => [a.user_id, a.detail.acr]), [[terr.users.gp.id, 'eidas1']], 'the sign-in is audited')
    t.ok((await db.selectFrom('users').select('psc_linked_at').where('id', '=', terr.users.gp.id).executeTakeFirstOrThrow()).psc_linked_at)

    // Again, in the same browser: PSC's session answers at once (no page), no second link.
    browser.pscPage = null
    const again = await browser.callback(await browser.toCallback('/connexion/psc?suite=%2Fpraticien%3Fsemaine%3D2', GP_IDNPS))
    t.equal(again.headers.location, '/praticien?semaine=2', 'back to the page asked for')
    t.equal(browser.pscPage, null, 'PSC did not ask again')
    t.equal((await auditOf(db, 'user.psc_link')).length, 1, 'linked once')

    t.test('sign-out ends PSC\'s session too', async (t) => {
      const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: browser.cookie } })
      t.equal(out.statusCode, 200)
      const end = new URL(out.json().endSessionUrl)
      t.equal(end.origin + end.pathname, `${new URL(standIn.issuer).origin}/session/end`)
      t.equal(end.searchParams.get('post_logout_redirect_uri'), `${PUBLIC_URL}/connexion`)
      t.equal(end.searchParams.get('client_id'), standIn.clientId)
      const pwd = await signIn(app, ADMIN.email, ADMIN.password)
      t.equal((await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: pwd } })).statusCode, 204, 'a password session signs out as before')
    })
  })

  t.test('the SAS link (Slot.comment), as the kit\'s SSO tests open it', async (t) => {
    await publishSlot(app, terr.users.gp2.cookie, '2026-06-02T08:00:00.000Z', '2026-06-02T08:20:00.000Z')
    const bundle = (await app.inject({
      method: 'GET',
      url: `/fhir/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&start=ge2026-06-02T00:00:00.000+02:00&start=le2026-06-02T23:59:59.999+02:00&status=free`,
      headers: { authorization: `Bearer ${TOKEN}` }
    })).json()
    const comment: string = bundle.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Slot').resource.comment
    t.match(comment, `${PUBLIC_URL}/regulation?praticien=`)
    const path = (url: string) => { const u = new URL(url); return u.pathname + u.search }

    t.test('without origin (sso_without_origin): our sign-in page', async (t) => {
      const res = await app.inject({ method: 'GET', url: path(comment) })
      t.match(res.headers.location, /^\/connexion\?suite=/)
      const page = await app.inject({ method: 'GET', url: res.headers.location as string })
      t.match(page.body.toLowerCase(), 'connexion', 'a sign-in page, as the kit reads it')
    })

    t.test('without a session (sso_while_unidentified): straight to PSC\'s page, then back to the same page', async (t) => {
      const sasLink = path(comment) + '&origin=sas-preprod'
      const browser = new PscBrowser(app, PUBLIC_URL)
      const first = await browser.get(sasLink)
      t.match(first.headers.location, /^\/connexion\/psc\?suite=/, 'not our password page')
      const callback = await browser.toCallback(sasLink, REGULATOR_IDNPS)
      t.match(browser.pscPage?.toLowerCase(), PSC_PAGE_MARK, 'PSC\'s sign-in page, as the kit checks it')
      const done = await browser.callback(callback)
      t.equal(done.headers.location, sasLink, 'back to the same page')
      const page = await browser.get(sasLink)
      t.equal(page.statusCode, 200)
      t.match(page.body, 'data-page="regulation"', '/regulation opens')
    })

    t.test('with a session (sso_lga): /regulation at once', async (t) => {
      const page = await app.inject({ method: 'GET', url: path(comment) + '&origin=sas', headers: { cookie: terr.users.regulator.cookie } })
      t.equal(page.statusCode, 200)
      t.match(page.body, 'data-page="regulation"')
    })
  })

  t.test('an unknown professional is told to ask their CPTS admin; nothing written but the audit', async (t) => {
    const before = await countRows(db, WRITTEN)
    const browser = new PscBrowser(app, PUBLIC_URL)
    const done = await browser.callback(await browser.toCallback('/connexion/psc', UNKNOWN_IDNPS))
    t.equal(done.headers.location, '/connexion?psc=PSC_ACCOUNT_UNKNOWN')
    t.match(frenchMessage('PSC_ACCOUNT_UNKNOWN'), /administrateur de votre CPTS/)
    t.notOk(done.cookies.some((c) => c.name === 'sid' && c.value !== ''), 'no session cookie')
    t.same(await countRows(db, WRITTEN), { ...before, audit_log: (before.audit_log ?? 0) + 1 })
    const refused = (await auditOf(db, 'session.psc_refused')).at(-1)
    t.same([refused?.detail.code, refused?.detail.idnps], ['PSC_ACCOUNT_UNKNOWN', UNKNOWN_IDNPS])
  })

  t.test('a deactivated account is refused', async (t) => {
    const res = await app.inject({ method: 'POST', url: `/api/users/${terr.users.gp2.id}/deactivate`, headers: { cookie: terr.adminCookie }, payload: {} })
    t.equal(res.statusCode, 200, res.body)
    const before = await countRows(db, WRITTEN)
    const browser = new PscBrowser(app, PUBLIC_URL)
    const done = await browser.callback(await browser.toCallback('/connexion/psc', GP2_IDNPS))
    t.equal(done.headers.location, '/connexion?psc=PSC_ACCOUNT_DISABLED')
    t.same(await countRows(db, WRITTEN), { ...before, audit_log: (before.audit_log ?? 0) + 1 })
    t.equal((await db.selectFrom('users').select('psc_linked_at').where('id', '=', terr.users.gp2.id).executeTakeFirstOrThrow()).psc_linked_at, null, 'not linked')
  })

  t.test('replayed or forged callbacks are refused, nothing written but the audit', async (t) => {
    const regulatorId = terr.users.regulator.id
    // The regulator signed in above: unlink it again, to see that no refusal links it.
    await db.updateTable('users').set({ psc_linked_at: null }).where('id', '=', regulatorId).execute()

    async function refusedWith (t: Test, code: string, go: (browser: PscBrowser) => Promise<LightMyRequestResponse>): Promise<void> {
      const before = await countRows(db, WRITTEN)
      const browser = new PscBrowser(app, PUBLIC_URL)
      const done = await go(browser)
      forgery = null
      t.equal(done.headers.location, `/connexion?psc=${code}`, code)
      t.notOk(done.cookies.some((c) => c.name === 'sid' && c.value !== ''), 'no session cookie')
      t.same(await countRows(db, WRITTEN), { ...before, audit_log: (before.audit_log ?? 0) + 1 }, 'only the refusal\'s audit entry')
      t.equal((await auditOf(db, 'session.psc_refused')).at(-1)?.detail.code, code, 'the refusal is audited')
      t.equal((await db.selectFrom('users').select('psc_linked_at').where('id', '=', regulatorId).executeTakeFirstOrThrow()).psc_linked_at, null, 'no account change')
    }
    const forged = (f: Forgery) => async (browser: PscBrowser) => {
      const callback = await browser.toCallback('/connexion/psc', REGULATOR_IDNPS)
      forgery = f
      return await browser.callback(callback)
    }

    t.test('wrong state', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', async (browser) => {
      const url = new URL(await browser.toCallback('/connexion/psc', REGULATOR_IDNPS))
      url.searchParams.set('state', 'forged-state-0123456789')
      return await browser.callback(url.href)
    }))
    t.test('replayed callback', async (t) => {
      const browser = new PscBrowser(app, PUBLIC_URL)
      const url = await browser.toCallback('/connexion/psc', REGULATOR_IDNPS)
      const attempt = browser.appCookies.get('psc_attempt')!
      t.equal((await browser.callback(url)).statusCode, 302)
      await db.updateTable('users').set({ psc_linked_at: null }).where('id', '=', regulatorId).execute()
      await refusedWith(t, 'PSC_CALLBACK_INVALID', async (again) => {
        again.appCookies.set('psc_attempt', attempt)
        return await again.callback(url)
      })
    })
    t.test('callback in another browser (no attempt cookie)', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', async (browser) => {
      const url = await browser.toCallback('/connexion/psc', REGULATOR_IDNPS)
      return await new PscBrowser(app, PUBLIC_URL).callback(url)
    }))
    t.test('wrong nonce', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', forged({ idToken: (c) => ({ ...c, nonce: 'another-nonce' }) })))
    t.test('wrong issuer', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', forged({ idToken: (c) => ({ ...c, iss: 'https://evil.example' }) })))
    t.test('wrong audience', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', forged({ idToken: (c) => ({ ...c, aud: 'another-client' }) })))
    t.test('expired ID token', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', forged({
      idToken: (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })
    })))
    t.test('ID token signed with another key', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', forged({ idTokenKey: 'foreign' })))
    t.test('acr below eidas1', (t) => refusedWith(t, 'PSC_ACR_INSUFFICIENT', forged({ idToken: (c) => ({ ...c, acr: 'eidas0' }) })))
    t.test('unsigned userinfo', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', forged({ userinfo: 'json' })))
    t.test('userinfo signed with another key', (t) => refusedWith(t, 'PSC_CALLBACK_INVALID', forged({ userinfo: 'foreign' })))
    t.test('PSC could not authenticate (access_denied)', (t) => refusedWith(t, 'PSC_CANCELLED', async (browser) => {
      const url = new URL(await browser.toCallback('/connexion/psc', REGULATOR_IDNPS))
      const denied = new URL(url.origin + url.pathname)
      denied.searchParams.set('error', 'access_denied')
      denied.searchParams.set('state', url.searchParams.get('state')!)
      denied.searchParams.set('iss', standIn.issuer)
      return await browser.callback(denied.href)
    }))
    t.test('an untampered sign-in still works after all that', async (t) => {
      const browser = new PscBrowser(app, PUBLIC_URL)
      const done = await browser.callback(await browser.toCallback('/connexion/psc', REGULATOR_IDNPS))
      t.equal(done.headers.location, '/regulation')
    })
  })
})

t.test('PSC_REQUIRED_ROLES: those roles\' accounts with an IDNPS sign in through PSC only', async (t) => {
  const { app, db } = await pscApp(t, { PSC_REQUIRED_ROLES: 'practitioner,regulator' })
  const admin = await signIn(app, ADMIN.email, ADMIN.password)
  const cpts = (await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: admin }, payload: { name: 'CPTS Côte de Lumière' } })).json()
  const create = async (payload: object) => {
    const res = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin }, payload: { password: PASSWORD, ...payload } })
    t.equal(res.statusCode, 201, res.body)
  }
  await create({ email: 'gp@cpts.test', name: 'Dr Martin', role: 'practitioner', cptsId: cpts.id, practitioner: { rpps: withRppsKey('1000000001'), profession: 'gp', address: '1 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 01' } })
  await create({ email: 'reg@cpts.test', name: 'Régulateur sans RPPS', role: 'regulator' })
  const before = await countRows(db, ['sessions'])
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'gp@cpts.test', password: PASSWORD } })
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'PSC_REQUIRED')
  t.same(await countRows(db, ['sessions']), before, 'no session')
  const wrong = await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'gp@cpts.test', password: 'not-the-password' } })
  t.equal(wrong.json().code, 'UNAUTHENTICATED', 'a wrong password says nothing more')
  t.ok(await signIn(app, 'reg@cpts.test', PASSWORD), 'a regulator without an IDNPS keeps the password')
  t.ok(await signIn(app, ADMIN.email, ADMIN.password), 'the admin keeps the password')
  const browser = new PscBrowser(app, PUBLIC_URL)
  const done = await browser.callback(await browser.toCallback('/connexion/psc', GP_IDNPS))
  t.equal(done.headers.location, '/praticien', 'the GP signs in through PSC')
})

t.test('an IDNPS the admin gives a regulator in /admin: PSC signs them in; cleared, PSC no longer knows them', async (t) => {
  const { app } = await pscApp(t)
  const terr = await territory(app)
  const reg = terr.users.regulator
  const patch = async (idnps: string | null) =>
    await app.inject({ method: 'PATCH', url: `/api/users/${reg.id}`, headers: { cookie: terr.adminCookie }, payload: { idnps } })
  const pscSignIn = async () => {
    const browser = new PscBrowser(app, PUBLIC_URL)
    return (await browser.callback(await browser.toCallback('/connexion/psc', REGULATOR_IDNPS))).headers.location
  }
  t.equal(await pscSignIn(), '/connexion?psc=PSC_ACCOUNT_UNKNOWN', 'before: no account has this IDNPS')
  t.equal((await patch(REGULATOR_IDNPS)).statusCode, 200)
  t.equal(await pscSignIn(), '/regulation', 'the regulator signs in through PSC')
  t.equal((await patch(null)).statusCode, 200)
  t.equal(await pscSignIn(), '/connexion?psc=PSC_ACCOUNT_UNKNOWN', 'cleared: refused again')
})

t.test('PSC_USERINFO_SIGNED=false: a plain JSON userinfo is accepted (a client registered without signed userinfo)', async (t) => {
  const { app, db } = await pscApp(t, { PSC_USERINFO_SIGNED: 'false' })
  const admin = await signIn(app, ADMIN.email, ADMIN.password)
  const cpts = (await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: admin }, payload: { name: 'CPTS Côte de Lumière' } })).json()
  const res = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin }, payload: { email: 'gp@cpts.test', name: 'Dr Martin', password: PASSWORD, role: 'practitioner', cptsId: cpts.id, practitioner: { rpps: withRppsKey('1000000001'), profession: 'gp', address: '1 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 01' } } })
  t.equal(res.statusCode, 201)
  const browser = new PscBrowser(app, PUBLIC_URL)
  const callback = await browser.toCallback('/connexion/psc', GP_IDNPS)
  forgery = { userinfo: 'json' }
  const done = await browser.callback(callback)
  forgery = null
  t.equal(done.headers.location, '/praticien')
  t.equal((await auditOf(db, 'user.psc_link')).length, 1)
})

t.test('PSC unreachable: back to /connexion with PSC_UNAVAILABLE, nothing written', async (t) => {
  const { app, db } = await build(t, { ...PSC_ENV, PSC_DISCOVERY_URL: 'http://127.0.0.1:9/auth/realms/esante-wallet/.well-known/wallet-openid-configuration' })
  // The retention run the server starts once ready writes its own audit entry: let it finish
  // first (it begins on the turn after ready; runOnce then returns that same run).
  await new Promise((resolve) => setImmediate(resolve))
  await app.retention.runOnce()
  const before = await countRows(db, [...WRITTEN, 'psc_logins'])
  const res = await app.inject({ method: 'GET', url: '/regulation?praticien=x&origin=sas' })
  const start = await app.inject({ method: 'GET', url: res.headers.location as string })
  t.equal(start.headers.location, '/connexion?psc=PSC_UNAVAILABLE')
  t.same(await countRows(db, [...WRITTEN, 'psc_logins']), before)
  const callback = await app.inject({ method: 'GET', url: '/connexion/psc/retour?state=x&code=y' })
  t.equal(callback.headers.location, '/connexion?psc=PSC_CALLBACK_INVALID', 'a callback without its attempt is refused before PSC is asked')
})

t.test('settings: the three PSC settings go together; roles are checked', async (t) => {
  const { loadConfig } = await import('../server/config.js')
  t.throws(() => loadConfig({ PSC_DISCOVERY_URL: standIn.discoveryUrl }), /go together/)
  t.throws(() => loadConfig({ ...PSC_ENV, PSC_REQUIRED_ROLES: 'doctor' }), /unknown role doctor/)
  t.equal(loadConfig({}).psc, null)
  t.same(loadConfig({ ...PSC_ENV, PSC_REQUIRED_ROLES: 'regulator' }).psc?.requiredRoles, ['regulator'])
})
