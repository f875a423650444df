import t from 'tap'
import { ROLES, type Role } from '../shared/schemas/accounts.js'
import { ADMIN, build, signIn } from './helpers/build.js'
import { accountOf, PASSWORD, territory } from './helpers/fixtures.js'

const HOME: Record<Role, string> = { admin: '/admin', practitioner: '/praticien', regulator: '/regulation', board: '/bilan' }

/** Which role may open which page; the others are sent home with `?refus=<page>`. */
const PAGES: Array<{ path: string, name: string, roles: readonly Role[] }> = [
  { path: '/regulation', name: 'regulation', roles: ['regulator', 'admin'] },
  { path: '/praticien', name: 'praticien', roles: ['practitioner', 'admin'] },
  { path: '/bilan', name: 'bilan', roles: ['board', 'admin'] },
  { path: '/admin', name: 'admin', roles: ['admin'] },
  { path: '/admin/journal', name: 'journal', roles: ['admin'] },
  { path: '/admin/patients', name: 'patients', roles: ['admin'] }
]

t.test('pages', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)

  t.test('/connexion is an HTML page for anyone', async (t) => {
    for (const cookie of [undefined, terr.users.board.cookie]) {
      const res = await app.inject({ method: 'GET', url: '/connexion', headers: cookie === undefined ? {} : { cookie } })
      t.equal(res.statusCode, 200)
      t.match(res.headers['content-type'], /^text\/html/)
      t.match(res.body, /<html lang="fr">/)
      t.match(res.body, /<title>Connexion · Créneaux<\/title>/)
      t.match(res.body, /src="\/assets\/connexion\.js"/)
    }
  })

  t.test('anonymous visitors are sent to /connexion, with the page to come back to', async (t) => {
    for (const page of PAGES) {
      const res = await app.inject({ method: 'GET', url: page.path })
      t.equal(res.statusCode, 302, page.path)
      t.equal(res.headers.location, `/connexion?suite=${encodeURIComponent(page.path)}`)
    }
    const root = await app.inject({ method: 'GET', url: '/' })
    t.equal(root.statusCode, 302)
    t.equal(root.headers.location, '/connexion')
  })

  t.test('after signing in, each role lands on its own page', async (t) => {
    for (const role of ROLES) {
      const account = accountOf(terr, role)
      const cookie = await signIn(app, account.email, role === 'admin' ? ADMIN.password : PASSWORD)
      const root = await app.inject({ method: 'GET', url: '/', headers: { cookie } })
      t.equal(root.statusCode, 302, role)
      t.equal(root.headers.location, HOME[role], `${role} → ${HOME[role]}`)
      const home = await app.inject({ method: 'GET', url: HOME[role], headers: { cookie } })
      t.equal(home.statusCode, 200, `${role} may open ${HOME[role]}`)
      t.match(home.headers['content-type'], /^text\/html/)
      t.equal(home.headers['cache-control'], 'no-store', 'pages are not cached')
    }
  })

  t.test('a page a role may not use sends it home with a refusal', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/regulation', headers: { cookie: terr.users.board.cookie } })
    t.equal(res.statusCode, 302)
    t.equal(res.headers.location, '/bilan?refus=regulation')

    for (const page of PAGES) {
      for (const role of ROLES) {
        const res = await app.inject({ method: 'GET', url: page.path, headers: { cookie: accountOf(terr, role).cookie } })
        if (page.roles.includes(role)) {
          t.equal(res.statusCode, 200, `${role} opens ${page.path}`)
          t.match(res.body, new RegExp(`data-page="${page.name}"`))
        } else {
          t.equal(res.statusCode, 302, `${role} is refused ${page.path}`)
          t.equal(res.headers.location, `${HOME[role]}?refus=${page.name}`)
        }
      }
    }
  })

  t.test('a signed-out cookie no longer opens the pages', async (t) => {
    const cookie = await signIn(app, terr.users.regulator.email, PASSWORD)
    await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } })
    const res = await app.inject({ method: 'GET', url: '/regulation', headers: { cookie } })
    t.equal(res.statusCode, 302)
    t.equal(res.headers.location, '/connexion?suite=%2Fregulation')
  })

  t.test("a link with a query (the SAS platform's /regulation?praticien=…) keeps it through sign-in", async (t) => {
    const res = await app.inject({ method: 'GET', url: '/regulation?praticien=abc&origin=sas' })
    t.equal(res.statusCode, 302)
    t.equal(res.headers.location, `/connexion?suite=${encodeURIComponent('/regulation?praticien=abc&origin=sas')}`)
  })

  t.test('assets are served', async (t) => {
    const css = await app.inject({ method: 'GET', url: '/assets/app.css' })
    t.equal(css.statusCode, 200)
    t.match(css.headers['content-type'], /^text\/css/)
    t.ok(css.body.length > 0)
    const js = await app.inject({ method: 'GET', url: '/assets/connexion.js' })
    t.equal(js.statusCode, 200)
    t.match(js.headers['content-type'], /javascript/)
  })

  t.test('security headers', async (t) => {
    for (const url of ['/connexion', '/assets/app.css', '/api/me']) {
      const res = await app.inject({ method: 'GET', url })
      const csp = String(res.headers['content-security-policy'] ?? '')
      t.match(csp, /default-src 'self'/, `${url}: CSP`)
      t.match(csp, /script-src 'self'(;|$)/, `${url}: no inline script`)
      t.match(csp, /frame-ancestors 'none'|frame-ancestors 'self'/, `${url}: no framing by others`)
      t.equal(res.headers['x-content-type-options'], 'nosniff', `${url}: nosniff`)
    }
    const page = await app.inject({ method: 'GET', url: '/connexion' })
    t.notOk(page.headers['strict-transport-security'], 'no HSTS on plain http by default')
  })

  t.test('with SECURE_COOKIES, HSTS and Secure cookies', async (t) => {
    const { app } = await build(t, { SECURE_COOKIES: 'true' })
    const page = await app.inject({ method: 'GET', url: '/connexion' })
    t.match(String(page.headers['strict-transport-security']), /max-age=\d+/)
    t.match(String(page.headers['content-security-policy']), /upgrade-insecure-requests/)
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: ADMIN })
    t.ok(res.cookies.find((c) => c.name === 'sid')?.secure, 'the sid cookie is Secure')
  })
})
