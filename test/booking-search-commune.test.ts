// A patient calls back to move a booking: the search answers, with each booking, the patient's
// commune as the call that booked it recorded it (issue 27), so that /regulation ranks the
// slots near the patient; a booking made by a move keeps the commune of the one it replaced.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from './helpers/build.js'
import { publishSlot, territory } from './helpers/fixtures.js'

const PATIENT = { lastName: 'Le Gall', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }
const OTHER = { lastName: 'Moreau', firstName: 'Léa', birthDate: '1987-03-14', phone: '06 12 34 56 79' }

const inject = async (app: FastifyInstance, cookie: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  await app.inject({ method, url, headers: { cookie }, ...(payload !== undefined ? { payload: payload as object } : {}) })

t.test("the call-back search gives the commune the booking's call recorded, through moves", async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp.cookie
  const reg = terr.users.regulator.cookie
  const s1 = await publishSlot(app, gp, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const s2 = await publishSlot(app, gp, '2026-06-02T12:15:00+02:00', '2026-06-02T12:30:00+02:00')
  const s3 = await publishSlot(app, gp, '2026-06-02T12:30:00+02:00', '2026-06-02T12:45:00+02:00')
  const s4 = await publishSlot(app, gp, '2026-06-02T12:45:00+02:00', '2026-06-02T13:00:00+02:00')
  const book = async (slotId: string, patient: typeof PATIENT): Promise<string> => {
    const res = await inject(app, reg, 'POST', `/api/slots/${slotId}/booking`, { patient, hasTreatingGp: 'no' })
    t.equal(res.statusCode, 201)
    return res.json().id
  }
  const first = await book(s1.id, PATIENT)
  const other = await book(s2.id, OTHER)
  // Saint-Hilaire-de-Riez (85226), a neighbour of the practice's commune: in the territory.
  const logged = await inject(app, reg, 'POST', '/api/calls', { outcome: 'booked', kind: 'snp', hasTreatingGp: 'no', bookingId: first, communeCode: '85226' })
  t.equal(logged.statusCode, 201, 'the booked call is logged with the patient\'s commune')
  const search = async (q: string): Promise<any[]> => (await inject(app, reg, 'GET', `/api/bookings/search?q=${encodeURIComponent(q)}`)).json()

  const [found] = await search('le gall')
  t.equal(found.id, first)
  t.match(found.patientCommune, { code: '85226', name: 'Saint-Hilaire-de-Riez', departement: '85', postalCodes: ['85270'] }, 'the commune the call recorded')
  t.ok(['cpts', 'departement'].includes(found.patientCommune.territory), 'with where it lies from the territory')
  const [unlogged] = await search('moreau')
  t.equal(unlogged.id, other)
  t.notOk('patientCommune' in unlogged, 'no call recorded a commune: none given')

  // Moved twice: the booking that results keeps the commune of the first call.
  let current = first
  for (const target of [s3.id, s4.id]) {
    const moved = await inject(app, reg, 'POST', `/api/bookings/${current}/move`, { slotId: target })
    t.equal(moved.statusCode, 200)
    current = moved.json().booking.id
  }
  const [after] = await search('le gall')
  t.equal(after.id, current, 'the booking after two moves')
  t.equal(after.patientCommune?.code, '85226', 'still ranked by the commune its first call recorded')
})
