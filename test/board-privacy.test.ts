import t from 'tap'
import { PAGES } from '../shared/pages.js'
import { build } from './helpers/build.js'
import { bearerToken, publishSlot, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'

/**
 * The board reviews the season; it never sees a patient. Every route the server documents
 * (the OpenAPI document lists them all, so a new route is covered the day it lands) and every
 * page is called as a board member, with its cookie and with its bearer token, while the
 * database holds bookings with a recognisable identity: no answer may carry any of it.
 */
const NOW = '2026-06-03T08:00:00.000Z'
const PATIENT = { lastName: 'Quasimodo', firstName: 'Zéphyrin', birthDate: '1931-02-03', phone: '06 11 22 33 44' }
const REASON = 'Otalgie droite persistante'
const NEEDLES = [PATIENT.lastName, PATIENT.firstName, PATIENT.birthDate, '1931', '0611223344', '06 11 22 33 44', '+33611223344', 'Otalgie']

t.test('a board member never receives patient fields, from any route', async (t) => {
  // Starts two days before NOW, books, then moves on so that outcomes can be recorded.
  const { app, clock } = await build(t, { SESSION_HOURS: '240' })
  const terr = await territory(app)
  const { gp, regulator, board } = terr.users

  // Past and future bookings, honored, no-show and cancelled: every state a route may show.
  const ids = new Map<string, string>()
  const id = (key: string): string => ids.get(key) ?? ''
  const starts = ['2026-06-02T10', '2026-06-02T11', '2026-06-10T10', '2026-06-10T11']
  for (const [i, s] of starts.entries()) {
    const slot = await publishSlot(app, gp.cookie, `${s}:00:00+02:00`, `${s}:15:00+02:00`)
    const res = await app.inject({
      method: 'POST',
      url: `/api/slots/${slot.id as string}/booking`,
      headers: { cookie: regulator.cookie },
      payload: { patient: PATIENT, reason: REASON, hasTreatingGp: 'no' }
    })
    t.equal(res.statusCode, 201, `booking ${i} made`)
    ids.set(`slot${i}`, slot.id)
    ids.set(`booking${i}`, res.json().id)
  }
  clock.set(NOW)
  const outcome = async (b: string, o: string) => await app.inject({ method: 'POST', url: `/api/bookings/${b}/outcome`, headers: { cookie: gp.cookie }, payload: { outcome: o } })
  t.equal((await outcome(id('booking0'), 'honored')).statusCode, 200)
  t.equal((await outcome(id('booking1'), 'no_show')).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/api/bookings/${id('booking3')}/cancel`, headers: { cookie: regulator.cookie }, payload: { reason: 'le patient a trouvé ailleurs' } })).statusCode, 200)

  // Sanity: the needles are really there for someone allowed to see them.
  const asReg = await app.inject({ method: 'GET', url: '/api/bookings', headers: { cookie: regulator.cookie } })
  t.ok(NEEDLES.slice(0, 3).every((n) => asReg.body.includes(n)), 'a regulator does see the identity (the check below can fail)')

  const token = await bearerToken(app, board.cookie, 'board privacy')
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> }
  const fill = (path: string): string => path.replace(/\{(\w+)\}/g, () => /booking/i.test(path) ? id('booking0') : id('slot2'))
  const calls: Array<{ method: string, url: string }> = []
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      const url = fill(path)
      calls.push({ method: method.toUpperCase(), url })
      if (method === 'get' && url.startsWith('/api/reports')) calls.push({ method: 'GET', url: `${url}?from=2026-06-01&to=2026-06-30` })
      if (method === 'get' && url === '/api/slots') calls.push({ method: 'GET', url: `${url}?from=2026-06-01&to=2026-06-30` })
    }
  }
  for (const page of Object.values(PAGES)) calls.push({ method: 'GET', url: page.path })
  calls.push({ method: 'GET', url: '/' })
  t.ok(calls.length >= 25, `${calls.length} calls cover the documented routes and pages`)
  t.ok(calls.some((c) => c.url === '/api/bookings'), 'the bookings route is among them')

  const report = await app.inject({ method: 'GET', url: '/api/reports/season?from=2026-06-01&to=2026-06-30', headers: { cookie: board.cookie } })
  t.equal(report.statusCode, 200)
  t.equal(report.json().totals.booked, 3, 'the board does get the season figures, just not who')
  // Signing out spends the session: it goes last.
  calls.sort((a, b) => Number(a.method === 'DELETE' && a.url === '/api/session') - Number(b.method === 'DELETE' && b.url === '/api/session'))
  for (const headers of [{ cookie: board.cookie }, { authorization: `Bearer ${token}` }]) {
    for (const c of calls) {
      const res = await app.inject({ method: c.method as 'GET', url: c.url, headers, ...(c.method === 'GET' || c.method === 'DELETE' ? {} : { payload: {} }) })
      const leaked = NEEDLES.filter((n) => res.body.includes(n))
      t.same(leaked, [], `${c.method} ${c.url} (${Object.keys(headers)[0]}) → ${res.statusCode}, no patient field`)
    }
  }
  await t.rejects(openLive(app, board.cookie), 'the live socket (which carries no identity anyway) is closed to the board')
})
