import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { withRppsKey } from '../shared/rpps.js'
import { ADMIN, build, signIn, type HttpMethod } from './helpers/build.js'
import { countRows, PASSWORD, practitionerProfile, territory } from './helpers/fixtures.js'

interface Issue { path: Array<string | number>, message: string }
type TapTest = Parameters<Parameters<typeof t.test>[0]>[0]

/** Asserts the contract's VALIDATION answer, with an issue at `path` when given. */
function assertValidation (t: TapTest, res: LightMyRequestResponse, path?: Array<string | number>, status = 400): void {
  t.equal(res.statusCode, status, 'status')
  const body = res.json()
  t.equal(body.statusCode, status)
  t.equal(body.code, 'VALIDATION')
  t.type(body.message, 'string')
  t.ok(Array.isArray(body.details) && body.details.length > 0, 'details lists the issues')
  for (const d of body.details as Issue[]) {
    t.ok(Array.isArray(d.path), 'each issue has a path')
    t.type(d.message, 'string')
  }
  if (path !== undefined) {
    t.ok((body.details as Issue[]).some((d) => JSON.stringify(d.path) === JSON.stringify(path)), `an issue at ${path.join('.') || '(root)'}`, { details: body.details })
  }
}

t.test('bad input is refused with VALIDATION and writes nothing', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const admin = { cookie: terr.adminCookie }
  const cptsId = terr.cpts[0]?.id ?? ''
  let n = 100
  const user = (extra: Record<string, unknown> = {}) => ({ email: `new-${++n}@cpts.test`, name: 'Dr Nouveau', password: PASSWORD, role: 'practitioner', cptsId, practitioner: practitionerProfile(n), ...extra })
  const profile = (extra: Record<string, unknown>) => ({ ...practitionerProfile(++n), ...extra })

  // [label, method, url, payload, expected issue path]
  const cases: Array<[string, HttpMethod, string, unknown, Array<string | number> | undefined]> = [
    ['sign-in without password', 'POST', '/api/session', { email: ADMIN.email }, ['password']],
    ['sign-in with a number as e-mail', 'POST', '/api/session', { email: 42, password: ADMIN.password }, ['email']],
    ['sign-in with an empty object', 'POST', '/api/session', {}, ['email']],
    ['token without label', 'POST', '/api/tokens', {}, ['label']],
    ['token with a blank label', 'POST', '/api/tokens', { label: '   ' }, ['label']],
    ['token with a numeric label', 'POST', '/api/tokens', { label: 7 }, ['label']],
    ['CPTS without name', 'POST', '/api/cpts', { timezone: 'Europe/Paris' }, ['name']],
    ['CPTS with a numeric name', 'POST', '/api/cpts', { name: 12 }, ['name']],
    ['CPTS with an unknown time zone', 'POST', '/api/cpts', { name: 'CPTS Atlantide', timezone: 'Europe/Atlantis' }, ['timezone']],
    ['CPTS with a time zone that is not IANA', 'POST', '/api/cpts', { name: 'CPTS Heure', timezone: 'GMT+2' }, ['timezone']],
    ['CPTS with a numeric time zone', 'POST', '/api/cpts', { name: 'CPTS Heure', timezone: 2 }, ['timezone']],
    ['user with no field at all', 'POST', '/api/users', {}, ['email']],
    ['user without password', 'POST', '/api/users', { email: 'nopass@cpts.test', name: 'X', role: 'regulator' }, ['password']],
    ['user with a short password', 'POST', '/api/users', { email: 'short@cpts.test', name: 'X', password: 'short', role: 'regulator' }, ['password']],
    ['user with an unknown role', 'POST', '/api/users', { email: 'role@cpts.test', name: 'X', password: PASSWORD, role: 'doctor' }, ['role']],
    ['user with a malformed e-mail', 'POST', '/api/users', { email: 'not an e-mail', name: 'X', password: PASSWORD, role: 'regulator' }, ['email']],
    ['user with a numeric name', 'POST', '/api/users', { email: 'num@cpts.test', name: 5, password: PASSWORD, role: 'regulator' }, ['name']],
    ['RPPS with a wrong Luhn key', 'POST', '/api/users', user({ practitioner: profile({ rpps: '10000000018' }) }), ['practitioner', 'rpps']],
    ['RPPS of 10 digits', 'POST', '/api/users', user({ practitioner: profile({ rpps: '1000000001' }) }), ['practitioner', 'rpps']],
    ['RPPS with letters', 'POST', '/api/users', user({ practitioner: profile({ rpps: '1000000001A' }) }), ['practitioner', 'rpps']],
    ['RPPS as a number', 'POST', '/api/users', user({ practitioner: profile({ rpps: 10000000017 }) }), ['practitioner', 'rpps']],
    ['unknown profession', 'POST', '/api/users', user({ practitioner: profile({ profession: 'dentist' }) }), ['practitioner', 'profession']],
    ['phone that is not French', 'POST', '/api/users', user({ practitioner: profile({ phone: '555-1234' }) }), ['practitioner', 'phone']],
    ['postal code of 4 digits', 'POST', '/api/users', user({ practitioner: profile({ postalCode: '8516' }) }), ['practitioner', 'postalCode']],
    ['commune that is not served by the postal code', 'POST', '/api/users', user({ practitioner: profile({ postalCode: '85160', commune: 'Nantes' }) }), ['practitioner', 'commune']],
    ['unknown postal code', 'POST', '/api/users', user({ practitioner: profile({ postalCode: '99999', commune: 'Nulle-Part' }) }), ['practitioner', 'postalCode']],
    ['unknown cptsId for a practitioner', 'POST', '/api/users', user({ cptsId: 'no-such-cpts' }), ['cptsId']],
    ['unknown cptsId for a board member', 'POST', '/api/users', { email: 'board-x@cpts.test', name: 'X', password: PASSWORD, role: 'board', cptsId: 'no-such-cpts' }, ['cptsId']],
    ['practitioner without profile', 'POST', '/api/users', user({ practitioner: undefined }), ['practitioner']],
    ['practitioner without CPTS', 'POST', '/api/users', user({ cptsId: undefined }), ['cptsId']],
    ['profile on a regulator', 'POST', '/api/users', user({ role: 'regulator', cptsId: undefined }), ['practitioner']],
    ['profile with a missing address', 'POST', '/api/users', user({ practitioner: profile({ address: undefined }) }), ['practitioner', 'address']]
  ]

  for (const [label, method, url, payload, path] of cases) {
    t.test(label, async (t) => {
      const before = await countRows(db, ['users', 'practitioners', 'cpts', 'api_tokens', 'sessions'])
      const res = await app.inject({ method, url, payload: payload as object, headers: admin })
      assertValidation(t, res, path)
      t.same(await countRows(db, ['users', 'practitioners', 'cpts', 'api_tokens', 'sessions']), before, 'nothing written')
    })
  }

  t.test('every problem of a body is reported at once', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/users', payload: { email: 'x', name: '', password: 'short', role: 'nobody' }, headers: admin })
    assertValidation(t, res)
    const paths = (res.json().details as Issue[]).map((d) => d.path.join('.')).sort()
    t.same(paths, ['email', 'name', 'password', 'role'])
  })

  t.test('commune mismatch names the communes the postal code serves', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/users', payload: user({ practitioner: profile({ postalCode: '85800', commune: 'Nantes' }) }), headers: admin })
    assertValidation(t, res, ['practitioner', 'commune'])
    t.match(res.json().message, /Saint-Gilles-Croix-de-Vie/)
  })

  t.test('a duplicate e-mail is refused (EMAIL_TAKEN), whatever its case', async (t) => {
    for (const email of [terr.users.gp.email, terr.users.gp.email.toUpperCase(), ` ${ADMIN.email} `]) {
      const before = await countRows(db)
      const res = await app.inject({ method: 'POST', url: '/api/users', payload: { email, name: 'Doublon', password: PASSWORD, role: 'regulator' }, headers: admin })
      t.equal(res.statusCode, 409, email)
      t.equal(res.json().code, 'EMAIL_TAKEN')
      t.match(res.json().message, /exists already/)
      t.same(await countRows(db), before, 'nothing written, not even an audit entry')
    }
  })

  t.test('a duplicate RPPS is refused (RPPS_TAKEN) and leaves no half-created account', async (t) => {
    const before = await countRows(db)
    const res = await app.inject({ method: 'POST', url: '/api/users', payload: user({ practitioner: { ...practitionerProfile(1), address: '9 rue Neuve' } }), headers: admin })
    t.equal(res.statusCode, 409)
    t.equal(res.json().code, 'RPPS_TAKEN')
    t.match(res.json().message, /RPPS/)
    t.same(await countRows(db), before, 'the user row was rolled back with the profile')
  })

  t.test('accepted input is stored normalized', async (t) => {
    const rpps = withRppsKey('1000000077')
    const res = await app.inject({
      method: 'POST',
      url: '/api/users',
      payload: { email: '  Dr.Marie@CPTS.test ', name: ' Dr Marie ', password: PASSWORD, role: 'practitioner', cptsId, practitioner: { ...practitionerProfile(77), rpps: ` ${rpps} `, commune: 'saint jean de monts' } },
      headers: admin
    })
    t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
    const { user: created } = res.json()
    t.equal(created.email, 'dr.marie@cpts.test')
    t.equal(created.name, 'Dr Marie')
    t.equal(created.practitioner.rpps, rpps)
    t.equal(created.practitioner.commune, 'Saint-Jean-de-Monts', 'the official name of the commune')
    t.equal(created.practitioner.communeCode, '85234', 'its INSEE code')
  })

  t.test('a CPTS takes Europe/Paris by default, or the zone it is given', async (t) => {
    const dflt = await app.inject({ method: 'POST', url: '/api/cpts', payload: { name: 'CPTS Défaut' }, headers: admin })
    t.equal(dflt.statusCode, 201)
    t.equal(dflt.json().timezone, 'Europe/Paris')
    const reunion = await app.inject({ method: 'POST', url: '/api/cpts', payload: { name: 'CPTS Nord Réunion', timezone: 'Indian/Reunion' }, headers: admin })
    t.equal(reunion.statusCode, 201)
    t.equal(reunion.json().timezone, 'Indian/Reunion')
    const lower = await app.inject({ method: 'POST', url: '/api/cpts', payload: { name: 'CPTS Minuscules', timezone: 'europe/paris' }, headers: admin })
    t.equal(lower.statusCode, 201)
    t.equal(lower.json().timezone, 'Europe/Paris', 'spelled as the IANA database does')
    const listed = (await app.inject({ method: 'GET', url: '/api/cpts', headers: admin })).json() as Array<{ name: string, timezone: string }>
    t.same(listed.find((c) => c.name === 'CPTS Minuscules')?.timezone, 'Europe/Paris')
  })
})

t.test('malformed requests, unknown routes and internal errors', async (t) => {
  const boom = async (app: FastifyInstance) => {
    app.get('/api/test-boom', async () => { throw new Error('secret detail from SQLite at /var/lib/creneaux') })
  }
  const { app, db } = await build(t, {}, undefined, { beforeReady: boom })
  const cookie = await signIn(app, ADMIN.email, ADMIN.password)

  t.test('malformed JSON', async (t) => {
    const before = await countRows(db, ['cpts'])
    const res = await app.inject({ method: 'POST', url: '/api/cpts', body: '{"name": "CPTS', headers: { cookie, 'content-type': 'application/json' } })
    assertValidation(t, res, [])
    t.same(await countRows(db, ['cpts']), before)
  })

  t.test('a JSON body that is not an object', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/cpts', body: '"CPTS"', headers: { cookie, 'content-type': 'application/json' } })
    assertValidation(t, res, [])
  })

  t.test('no body at all', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/session' })
    assertValidation(t, res)
  })

  t.test('unknown routes', async (t) => {
    for (const [method, url] of [['GET', '/api/nope'], ['POST', '/api/me'], ['GET', '/assets/nope.css'], ['GET', '/nulle-part?x=1']] as const) {
      const res = await app.inject({ method, url, headers: { cookie } })
      t.equal(res.statusCode, 404, `${method} ${url}`)
      t.equal(res.json().code, 'NOT_FOUND')
      t.equal(res.json().statusCode, 404)
      t.type(res.json().message, 'string')
    }
  })

  t.test('an internal error answers a bare 500', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/api/test-boom' })
    t.equal(res.statusCode, 500)
    t.same(res.json(), { statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL', message: 'Internal server error' })
    t.notMatch(res.body, /secret detail|stack|\.ts:\d+/, 'no detail nor stack leaks')
    t.match(res.headers['content-type'], /application\/json/)
  })
})
