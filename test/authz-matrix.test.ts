import t from 'tap'
import { ROLES, type Role } from '../shared/schemas/accounts.js'
import { ADMIN, build, signIn, type HttpMethod } from './helpers/build.js'
import { accountOf, bearerToken, countRows, PASSWORD, territory, type Territory } from './helpers/fixtures.js'

/**
 * Who may call what. One row per route of the public contract; later issues add theirs.
 * `allowed` lists the roles that get `ok`; anonymous gets 401 UNAUTHENTICATED and any other
 * role 403 FORBIDDEN, both without writing anything. Bodies are valid and fresh on every call,
 * so that an allowed call really succeeds and a refusal cannot come from validation.
 */
interface Ctx { terr: Territory, n: number }
type Who = Role | 'anonymous'
interface Row {
  method: HttpMethod
  url: string | ((ctx: Ctx) => string)
  /** The route's pattern (`/api/users/:id/places`) when `url` fills its parameters. */
  route?: string
  allowed: readonly Role[] | 'anyone'
  ok: number
  body?: (ctx: Ctx, who: Who) => object
  /** The call spends the session it is made with (sign-out): use a fresh one. */
  spendsSession?: boolean
}

const EVERY_ROLE = ROLES
const MATRIX: Row[] = [
  {
    method: 'POST',
    url: '/api/session',
    allowed: 'anyone',
    ok: 200,
    body: (ctx, who) => ({ email: who === 'anonymous' ? ctx.terr.users.regulator.email : accountOf(ctx.terr, who).email, password: who === 'admin' ? ADMIN.password : PASSWORD })
  },
  { method: 'DELETE', url: '/api/session', allowed: EVERY_ROLE, ok: 204, spendsSession: true },
  { method: 'GET', url: '/api/me', allowed: EVERY_ROLE, ok: 200 },
  { method: 'POST', url: '/api/tokens', allowed: EVERY_ROLE, ok: 201, body: (ctx) => ({ label: `matrix ${ctx.n}` }) },
  { method: 'POST', url: '/api/cpts', allowed: ['admin'], ok: 201, body: (ctx) => ({ name: `CPTS matrice ${ctx.n}`, timezone: 'Indian/Reunion' }) },
  { method: 'GET', url: '/api/cpts', allowed: EVERY_ROLE, ok: 200 },
  {
    method: 'POST',
    url: '/api/users',
    allowed: ['admin'],
    ok: 201,
    body: (ctx) => ({ email: `matrix-${ctx.n}@cpts.test`, name: `Régulateur ${ctx.n}`, password: PASSWORD, role: 'regulator' })
  },
  { method: 'GET', url: '/api/users', allowed: ['admin'], ok: 200 },
  // A practitioner's places and CPTS (issue 21): the practitioner of the matrix reads their own.
  { method: 'GET', url: (ctx) => `/api/users/${ctx.terr.users.gp.id}/places`, route: '/api/users/:id/places', allowed: ['admin', 'practitioner'], ok: 200 },
  {
    method: 'POST',
    url: (ctx) => `/api/users/${ctx.terr.users.gp.id}/places`,
    route: '/api/users/:id/places',
    allowed: ['admin'],
    ok: 201,
    body: (ctx) => ({ label: `Lieu ${ctx.n}`, address: '1 route de Givrand', postalCode: '85800', commune: 'Givrand' })
  },
  { method: 'PUT', url: (ctx) => `/api/users/${ctx.terr.users.gp.id}/cpts`, route: '/api/users/:id/cpts', allowed: ['admin'], ok: 200, body: (ctx) => ({ cptsIds: [ctx.terr.cpts[0]!.id], homeCptsId: ctx.terr.cpts[0]!.id }) },
  { method: 'GET', url: '/api/feed', allowed: ['practitioner'], ok: 200 },
  { method: 'POST', url: '/api/feed/rotate', allowed: ['practitioner'], ok: 200 }
]

const WHO: readonly Who[] = ['anonymous', ...ROLES]

function expected (row: Row, who: Who): { status: number, code?: string } {
  if (row.allowed === 'anyone') return { status: row.ok }
  if (who === 'anonymous') return { status: 401, code: 'UNAUTHENTICATED' }
  return row.allowed.includes(who) ? { status: row.ok } : { status: 403, code: 'FORBIDDEN' }
}

t.test('authorization matrix', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const tokens = {} as Record<Role, string>
  for (const role of ROLES) tokens[role] = await bearerToken(app, accountOf(terr, role).cookie, `matrix ${role}`)
  let n = 0

  t.test('every row names a route that exists', async (t) => {
    for (const row of MATRIX) {
      const url = row.route ?? (typeof row.url === 'string' ? row.url : row.url({ terr, n: 0 }))
      t.ok(app.hasRoute({ method: row.method, url }), `${row.method} ${url}`)
    }
  })

  for (const via of ['cookie', 'bearer'] as const) {
    t.test(`signed in with a ${via}`, async (t) => {
      for (const row of MATRIX) {
        for (const who of WHO) {
          const ctx = { terr, n: ++n }
          const url = typeof row.url === 'string' ? row.url : row.url(ctx)
          const headers: Record<string, string> = {}
          if (who !== 'anonymous') {
            // Signing out with a bearer token revokes it: that row gets a token of its own.
            if (via === 'bearer') headers.authorization = `Bearer ${row.spendsSession === true ? await bearerToken(app, accountOf(terr, who).cookie, `sign-out ${n}`) : tokens[who]}`
            else {
              const account = accountOf(terr, who)
              headers.cookie = row.spendsSession === true
                ? await signIn(app, account.email, who === 'admin' ? ADMIN.password : PASSWORD)
                : account.cookie
            }
          }
          const want = expected(row, who)
          const before = want.code === undefined ? undefined : await countRows(db)
          const res = await app.inject({ method: row.method, url, headers, ...(row.body === undefined ? {} : { payload: row.body(ctx, who) }) })
          const label = `${row.method} ${url} as ${who}`
          t.equal(res.statusCode, want.status, label, { body: res.body })
          if (want.code !== undefined) {
            t.equal(res.json().code, want.code, `${label}: ${want.code}`)
            t.equal(res.json().statusCode, want.status, `${label}: contract error shape`)
            t.same(await countRows(db), before, `${label}: nothing written`)
          }
        }
      }
    })
  }

  t.test('the accounts behind the matrix still work', async (t) => {
    // A refused sign-out must not have revoked anything: every role's cookie is still valid.
    for (const role of ROLES) {
      const res = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: accountOf(terr, role).cookie } })
      t.equal(res.statusCode, 200, role)
      t.equal(res.json().user.role, role)
    }
  })
})
