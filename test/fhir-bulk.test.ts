// Issue 6: SMART Scheduling Links. The public $bulk-publish manifest and its NDJSON files of
// Locations, Schedules and Slots (free/busy): valid R4 line by line, references that resolve,
// cacheable, and never a word about a patient.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from './helpers/build.js'
import { validateR4 } from './helpers/fhir-validate.js'
import { addRegulator, publishSlot, territory } from './helpers/fixtures.js'
import { givePlace } from './helpers/places.js'

const PUBLIC_URL = 'https://creneaux.example.fr'
const PATIENT = { lastName: 'Zébulonneau', firstName: 'Philomène', birthDate: '1961-03-04', phone: '06 99 88 77 66' }
const REASON = 'douleur thoracique atypique'

type Json = any

async function ok (app: FastifyInstance, method: 'POST' | 'DELETE', url: string, cookie: string, payload?: object): Promise<Json> {
  const res = await app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

t.test('the manifest and its files: free/busy slots of the coming month, valid R4, public, no patient', async (t) => {
  const { app, clock } = await build(t, { PUBLIC_URL })
  const terr = await territory(app)
  const gp = terr.users.gp.cookie
  const reg = terr.users.regulator.cookie

  const ended = await publishSlot(app, gp, '2026-06-01T10:05:00+02:00', '2026-06-01T10:20:00+02:00')
  const free = await publishSlot(app, gp, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const expiredHold = await publishSlot(app, gp, '2026-06-02T12:15:00+02:00', '2026-06-02T12:30:00+02:00')
  const held = await publishSlot(app, gp, '2026-06-02T12:30:00+02:00', '2026-06-02T12:45:00+02:00')
  const booked = await publishSlot(app, gp, '2026-06-02T12:45:00+02:00', '2026-06-02T13:00:00+02:00')
  const withdrawn = await publishSlot(app, gp, '2026-06-02T13:00:00+02:00', '2026-06-02T13:15:00+02:00')
  const psy = await publishSlot(app, terr.users.psy.cookie, '2026-06-03T09:00:00+02:00', '2026-06-03T09:30:00+02:00', 'psy')
  const tooFar = await publishSlot(app, terr.users.gp2.cookie, '2026-07-15T12:00:00+02:00', '2026-07-15T12:15:00+02:00')
  await ok(app, 'POST', `/api/slots/${booked.id}/booking`, reg, { patient: PATIENT, reason: REASON, hasTreatingGp: 'no' })
  await ok(app, 'POST', `/api/slots/${expiredHold.id}/hold`, reg)
  await ok(app, 'DELETE', `/api/slots/${withdrawn.id}`, gp)
  clock.set('2026-06-01T08:30:00.000Z') // 10:30 in Paris: the first slot has ended, the hold ran out
  await ok(app, 'POST', `/api/slots/${held.id}/hold`, (await addRegulator(app, terr.adminCookie, 'reg2')).cookie)

  const res = await app.inject({ url: '/fhir/$bulk-publish' })
  t.equal(res.statusCode, 200, 'public: no token needed')
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.headers['cache-control'], 'public, max-age=300')
  t.equal(res.headers['access-control-allow-origin'], '*')
  const manifest = res.json()
  t.same(manifest, {
    transactionTime: '2026-06-01T08:30:00.000Z',
    request: `${PUBLIC_URL}/fhir/$bulk-publish`,
    output: [
      { type: 'Location', url: `${PUBLIC_URL}/fhir/bulk/Location.ndjson` },
      { type: 'Schedule', url: `${PUBLIC_URL}/fhir/bulk/Schedule.ndjson` },
      { type: 'Slot', url: `${PUBLIC_URL}/fhir/bulk/Slot.ndjson` }
    ],
    error: []
  })

  const files: Record<string, Json[]> = {}
  let everything = res.body
  for (const { type, url } of manifest.output) {
    const file = await app.inject({ url: url.slice(PUBLIC_URL.length) })
    t.equal(file.statusCode, 200, `${type} file`)
    t.equal(file.headers['content-type'], 'application/fhir+ndjson; charset=utf-8')
    t.equal(file.headers['cache-control'], 'public, max-age=300')
    t.ok(file.body.endsWith('\n'), `${type}: every line ends with a newline`)
    const lines = file.body.slice(0, -1).split('\n')
    files[type] = lines.map((line, i) => {
      t.notOk(line.trim() === '' || line.includes('\n'), `${type} line ${i + 1}: one resource on one line`)
      const resource = JSON.parse(line)
      t.equal(resource.resourceType, type, `${type} line ${i + 1}: a ${type}`)
      t.same(validateR4(resource), [], `${type} line ${i + 1}: valid R4`)
      return resource
    })
    everything += file.body
  }

  const slots = new Map(files.Slot!.map((s: Json) => [s.id, s]))
  t.same([...slots.keys()], [free.id, expiredHold.id, held.id, booked.id, psy.id], 'not ended, not withdrawn, within 31 days, in start order')
  t.same([free.id, expiredHold.id, held.id, booked.id, psy.id].map((id) => slots.get(id).status), ['free', 'free', 'busy', 'busy', 'free'], 'free, or busy when held or booked')
  t.notOk(slots.has(ended.id) || slots.has(withdrawn.id) || slots.has(tooFar.id))
  t.match(slots.get(free.id), {
    start: '2026-06-02T12:00:00+02:00',
    end: '2026-06-02T12:15:00+02:00',
    extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone', valueString: '116117' }]
  })

  const schedules = new Map(files.Schedule!.map((s: Json) => [s.id, s]))
  const locations = new Map(files.Location!.map((l: Json) => [l.id, l]))
  t.same([...schedules.keys()].sort(), [terr.users.gp.id, terr.users.psy.id].sort(), 'one Schedule per practitioner with slots')
  for (const s of slots.values()) t.ok(schedules.has(s.schedule.reference.replace('Schedule/', '')), `Slot ${s.id as string}: its Schedule is published`)
  for (const s of schedules.values()) {
    t.equal(s.actor.length, 1)
    t.ok(locations.has(s.actor[0].reference.replace('Location/', '')), `Schedule ${s.id as string}: its Location is published`)
  }
  t.equal(locations.size, schedules.size)
  t.same(schedules.get(terr.users.psy.id).specialty, [{ coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale', code: 'SM42' }] }])
  t.match(schedules.get(terr.users.gp.id).serviceType, [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/service-type', code: '124' }] }])
  t.match(locations.get(terr.users.gp.id), {
    name: 'Dr gp (Saint-Jean-de-Monts)',
    telecom: [{ system: 'phone', value: '116117' }],
    address: { line: ['1 rue de la Plage'], city: 'Saint-Jean-de-Monts', postalCode: '85160', country: 'FR' }
  })

  for (const secret of [PATIENT.lastName, PATIENT.firstName, PATIENT.birthDate, PATIENT.phone, REASON, 'booked', 'bookingId']) {
    t.notOk(everything.includes(secret), `no "${secret}" in the public files`)
  }

  const missing = await app.inject({ url: '/fhir/bulk/Patient.ndjson' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().resourceType, 'OperationOutcome')
})

t.test('nothing published: the files are empty, the manifest still lists them', async (t) => {
  const { app } = await build(t, { PUBLIC_URL })
  const manifest = (await app.inject({ url: '/fhir/$bulk-publish' })).json()
  t.equal(manifest.output.length, 3)
  for (const type of ['Location', 'Schedule', 'Slot']) {
    const file = await app.inject({ url: `/fhir/bulk/${type}.ndjson` })
    t.equal(file.statusCode, 200)
    t.equal(file.body, '', `${type}: no line`)
  }
})

t.test('a practitioner at two places: a Location and a Schedule per place, each slot in its place\'s', async (t) => {
  const { app } = await build(t, { PUBLIC_URL })
  const terr = await territory(app)
  const gp = terr.users.gp
  const centre = await givePlace(app.db, gp.id, { label: 'Maison de santé', address: '3 rue Carnot', postalCode: '85300', commune: 'Challans', communeCode: '85047' })
  const home = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const away = await ok(app, 'POST', '/api/slots', gp.cookie, { start: '2026-06-03T12:00:00+02:00', end: '2026-06-03T12:15:00+02:00', kind: 'snp', mode: 'office', placeId: centre })
  const read = async (type: string): Promise<Json[]> => (await app.inject({ url: `/fhir/bulk/${type}.ndjson` })).body.trim().split('\n').map((l) => JSON.parse(l))
  const slots = await read('Slot')
  const schedules = await read('Schedule')
  const locations = await read('Location')
  for (const r of [...slots, ...schedules, ...locations]) t.same(validateR4(r), [], `${String(r.resourceType)}/${String(r.id)}: valid R4`)
  t.same(slots.map((s) => [s.id, s.schedule.reference]), [[home.id, `Schedule/${gp.id}`], [away.id, `Schedule/${centre}`]], 'each slot in its place\'s Schedule')
  t.same(schedules.map((s) => [s.id, s.actor]), [[gp.id, [{ reference: `Location/${gp.id}` }]], [centre, [{ reference: `Location/${centre}` }]]], 'a Schedule per place, at its Location')
  t.same(locations.map((l) => [l.id, l.name, l.address]), [
    [gp.id, 'Dr gp (Saint-Jean-de-Monts)', { line: ['1 rue de la Plage'], city: 'Saint-Jean-de-Monts', postalCode: '85160', country: 'FR' }],
    [centre, 'Dr gp (Challans)', { line: ['3 rue Carnot'], city: 'Challans', postalCode: '85300', country: 'FR' }]
  ], 'a Location per place, with its address')
})
