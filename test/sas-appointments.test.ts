// Issue 6: appointments sent to the national SAS platform (INT_R03, we are the client). A local
// HTTP(S) server plays the SAS; every Appointment it receives must be valid R4 for two offline
// validators and carry the FrAppointmentSAS profile and codes. Bookings never wait for it, nor
// does the SAS wait for a hanging mail server.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import { buildApp } from '../server/app.js'
import { bootstrapAdmin } from '../server/bootstrap.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { readSasTls } from '../server/features/deliveries/deliveries-plugin.js'
import { ADMIN, build, signIn, T0 } from './helpers/build.js'
import { testStorage } from './helpers/database.js'
import { PASSWORD, publishSlot, territory, type Territory } from './helpers/fixtures.js'
import { validateR4 } from './helpers/fhir-validate.js'

const PATIENT = { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }
const BOOKING = { patient: PATIENT, reason: 'fièvre depuis trois jours', hasTreatingGp: 'no' }
const PATIENT_TRACES = ['Martin', 'Anne', '1980-01-02', '06 12 34 56 78', 'fièvre']
const QUIET = { DELIVERY_POLL_MS: '3600000', SESSION_HOURS: '2160', PUBLIC_URL: 'https://creneaux.example.fr' }

const PROFILE = 'http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS'
const OPERATOR = 'http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator'
const FR_V2_0203 = 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203'
const ID_SYSTEM = 'https://creneaux.example.fr/fhir/appointment-id'
/** What the SAS platform gave our regulator (INT_R02). */
const SAS_ID = 'a3d5e1f0-7c42-4b9e-8f16-2d0c9b7e5a41'

interface Teardown { teardown: (fn: () => unknown) => void }
interface Received { method: string, url: string, contentType: string | undefined, ifNoneExist: string | undefined, body: any, peerCn: string | undefined }
/** An answer to give instead of the usual one; `afterDoing`: the SAS does the work, then answers this (a reply lost on the way). */
interface Answer { status: number, body?: unknown, afterDoing?: boolean }

/**
 * A stand-in for the SAS platform: records every request, creates on a POST (201; or 200 and
 * nothing created when `If-None-Exist` names an appointment it has, as a FHIR server does) and
 * answers 200 to a PUT, unless answers were queued with `answerNext`.
 */
async function startSas (t: Teardown, tls?: { key: Buffer, cert: Buffer, ca: Buffer }) {
  const received: Received[] = []
  const queued: Answer[] = []
  /** The appointments it holds, by `<system>|<value>` of their identifier. */
  const appointments = new Map<string, number>()
  const waiters: Array<{ count: number, resolve: () => void }> = []
  const work = (req: IncomingMessage, body: any): { status: number, location?: string } => {
    if (req.method !== 'POST') return { status: 200 }
    const condition = req.headers['if-none-exist']
    const existing = typeof condition === 'string' ? new URLSearchParams(condition).get('identifier') : null
    if (existing !== null && appointments.has(existing)) return { status: 200 }
    const id = appointments.size + 1
    appointments.set(`${body.identifier[0].system}|${body.identifier[0].value}`, id)
    return { status: 201, location: `/fhir/Appointment/${id}` }
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const socket = req.socket as Partial<TLSSocket>
      const peerCn = socket.getPeerCertificate?.()?.subject?.CN
      const ifNoneExist = req.headers['if-none-exist']
      const body = text === '' ? null : JSON.parse(text)
      received.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], ifNoneExist: typeof ifNoneExist === 'string' ? ifNoneExist : undefined, body, peerCn: typeof peerCn === 'string' ? peerCn : undefined })
      const answer = queued.shift()
      const done = answer === undefined || answer.afterDoing === true ? work(req, body) : undefined
      const status = answer?.status ?? done?.status ?? 500
      const headers: Record<string, string> = { 'content-type': 'application/fhir+json' }
      if (status === 201 && done?.location !== undefined) headers.location = done.location
      res.writeHead(status, headers)
      res.end(JSON.stringify(answer?.body ?? {}))
      for (const w of waiters.filter((w) => received.length >= w.count)) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
    })
  }
  const server = tls === undefined
    ? createHttpServer(handler)
    : createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())) })
  const port = (server.address() as AddressInfo).port
  return {
    received,
    appointments,
    base: `${tls === undefined ? 'http' : 'https'}://${tls === undefined ? '127.0.0.1' : 'localhost'}:${port}/fhir`,
    answerNext: (...answers: Answer[]) => { queued.push(...answers) },
    /** Resolves once `count` requests have been received (no timer: the test's own timeout bounds it). */
    waitForRequests: async (count: number): Promise<void> => {
      if (received.length >= count) return
      await new Promise<void>((resolve) => waiters.push({ count, resolve }))
    }
  }
}

/** A regulator account the admin gave the identifier the SAS platform assigned them (INT_R02). */
async function sasRegulator (app: FastifyInstance, terr: Territory, sasId = SAS_ID): Promise<{ id: string, cookie: string }> {
  const email = `regulateur-sas-${sasId.slice(0, 4)}@cpts.test`
  const res = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: terr.adminCookie }, payload: { email, name: 'Dr Régulateur SAS', password: PASSWORD, role: 'regulator', sasId } })
  if (res.statusCode !== 201) throw new Error(`regulator: ${res.statusCode} ${res.body}`)
  return { id: res.json().user.id, cookie: await signIn(app, email, PASSWORD) }
}

const outcome = (diagnostics: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', diagnostics }] })

const book = async (app: FastifyInstance, cookie: string, slotId: string) => {
  const res = await app.inject({ method: 'POST', url: `/api/slots/${slotId}/booking`, headers: { cookie }, payload: BOOKING })
  if (res.statusCode !== 201) throw new Error(`booking: ${res.statusCode} ${res.body}`)
  return res.json()
}

const post = async (app: FastifyInstance, cookie: string, url: string, payload: object) => {
  const res = await app.inject({ method: 'POST', url, headers: { cookie }, payload })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** The identifier the SAS is asked to update, read as a FHIR server would. */
const updatedIdentifier = (r: Received): string | null => new URL(r.url, 'http://sas').searchParams.get('identifier')

/** Checks one received Appointment against the guide; returns it for further checks. */
function checkAppointment (t: Test, r: Received, expected: { status: string, bookingId: string, operator: string, rpps: string, start: string, end: string }): void {
  const a = r.body
  t.equal(r.contentType, 'application/fhir+json', 'sent as application/fhir+json')
  t.same(validateR4(a), [], `valid R4 (${expected.status})`)
  t.equal(a.resourceType, 'Appointment')
  t.same(a.meta, { profile: [PROFILE] }, 'profile FrAppointmentSAS')
  t.equal(a.status, expected.status)
  t.same(a.identifier, [{ system: ID_SYSTEM, value: expected.bookingId }], 'one identifier: our booking')
  t.same(a.extension, [{
    url: OPERATOR,
    valueReference: { identifier: { type: { coding: [{ system: FR_V2_0203, code: 'INTRN' }] }, system: 'urn:oid:1.2.250.1.213.3.6', value: expected.operator } }
  }], 'the regulator who booked is the operator, by the id the SAS gave them')
  if (r.method === 'POST') {
    t.equal(new URLSearchParams(r.ifNoneExist ?? '').get('identifier'), `${ID_SYSTEM}|${expected.bookingId}`, 'a conditional create: If-None-Exist names the appointment')
  } else {
    t.equal(r.ifNoneExist, undefined, 'no If-None-Exist on an update')
  }
  t.same(a.participant, [{
    actor: { identifier: { type: { coding: [{ system: FR_V2_0203, code: 'IDNPS' }] }, system: 'urn:oid:1.2.250.1.71.4.2.1', value: '8' + expected.rpps } },
    status: 'accepted'
  }], 'the practitioner, by IdNat_PS')
  t.equal(a.start, expected.start)
  t.equal(a.end, expected.end)
  t.equal(a.created, '2026-06-01T10:00:00+02:00', 'created: when it was booked')
  t.notOk('id' in a, 'no server id of ours')
  for (const trace of PATIENT_TRACES) t.notMatch(JSON.stringify(a), trace, `no patient (${trace})`)
}

t.test('bookings, cancellations and outcomes reach the SAS as FrAppointmentSAS', async (t) => {
  const sas = await startSas(t)
  const { app, db, clock } = await build(t, { ...QUIET, SAS_FHIR_BASE_URL: sas.base + '/' })
  const terr = await territory(app)
  const { gp } = terr.users
  const reg = await sasRegulator(app, terr)
  const rpps = gp.rpps!
  const [noon, quarter, july, dst] = [
    await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00'),
    await publishSlot(app, gp.cookie, '2026-06-02T12:15:00+02:00', '2026-06-02T12:30:00+02:00'),
    await publishSlot(app, gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00'),
    // Noon on the day the clocks go back in Paris: +01:00.
    await publishSlot(app, gp.cookie, '2026-10-25T11:00:00Z', '2026-10-25T11:20:00Z')
  ]
  const bookings = []
  for (const s of [noon, quarter, july, dst]) bookings.push(await book(app, reg.cookie, s.id))
  // The timer is off here (QUIET): this shows the request itself sends nothing, the queue does.
  t.equal(sas.received.length, 0, 'the booking requests themselves sent nothing')

  t.match(await app.deliveries.runOnce(), { queued: 4, sent: 4, retrying: 0, failed: 0 })
  t.same(sas.received.map((r) => [r.method, r.url]), Array(4).fill(['POST', '/fhir/Appointment']), 'one create per booking')
  const who = { operator: SAS_ID, rpps }
  checkAppointment(t, sas.received[0]!, { ...who, status: 'booked', bookingId: bookings[0].id, start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00' })
  checkAppointment(t, sas.received[3]!, { ...who, status: 'booked', bookingId: bookings[3].id, start: '2026-10-25T12:00:00+01:00', end: '2026-10-25T12:20:00+01:00' })
  t.same(sas.received.map((r) => r.body.identifier[0].value), bookings.map((b) => b.id))

  await post(app, reg.cookie, `/api/bookings/${bookings[2].id}/cancel`, { reason: 'Mme Martin a vu son médecin' })
  t.match(await app.deliveries.runOnce(), { queued: 1, sent: 1 })
  const cancel = sas.received[4]!
  t.equal(cancel.method, 'PUT', 'a conditional update')
  t.equal(new URL(cancel.url, 'http://sas').pathname, '/fhir/Appointment')
  t.equal(updatedIdentifier(cancel), `${ID_SYSTEM}|${bookings[2].id}`, 'found by its identifier')
  checkAppointment(t, cancel, { ...who, status: 'cancelled', bookingId: bookings[2].id, start: '2026-07-13T12:00:00+02:00', end: '2026-07-13T12:15:00+02:00' })

  clock.set('2026-06-02T10:30:00Z')
  await post(app, gp.cookie, `/api/bookings/${bookings[0].id}/outcome`, { outcome: 'honored' })
  await post(app, gp.cookie, `/api/bookings/${bookings[1].id}/outcome`, { outcome: 'no_show' })
  t.match(await app.deliveries.runOnce(), { queued: 2, sent: 2 })
  const [honored, noShow] = [sas.received[5]!, sas.received[6]!]
  t.same([honored.method, updatedIdentifier(honored)], ['PUT', `${ID_SYSTEM}|${bookings[0].id}`])
  checkAppointment(t, honored, { ...who, status: 'fulfilled', bookingId: bookings[0].id, start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00' })
  t.same([noShow.method, updatedIdentifier(noShow)], ['PUT', `${ID_SYSTEM}|${bookings[1].id}`])
  checkAppointment(t, noShow, { ...who, status: 'noshow', bookingId: bookings[1].id, start: '2026-06-02T12:15:00+02:00', end: '2026-06-02T12:30:00+02:00' })

  await app.deliveries.runOnce()
  t.equal(sas.received.length, 7, 'each change sent once')
  const rows = await db.selectFrom('deliveries').select(['channel', 'kind', 'attempts', 'sent_at', 'failed_at']).orderBy('event_seq').execute()
  t.same(rows.map((r) => [r.channel, r.kind, r.attempts, r.sent_at !== null, r.failed_at]), [
    ...Array(4).fill(['sas', 'booked', 1, true, null]),
    ['sas', 'cancelled', 1, true, null], ['sas', 'honored', 1, true, null], ['sas', 'no_show', 1, true, null]
  ])
})

t.test('the SAS answering 500: retried, delivered once; the update waits for the creation', async (t) => {
  const sas = await startSas(t)
  const { app, db, clock } = await build(t, { ...QUIET, SAS_FHIR_BASE_URL: sas.base, SAS_APPOINTMENT_ID_SYSTEM: 'urn:oid:1.2.3.4.5' })
  const terr = await territory(app)
  const { gp } = terr.users
  const reg = await sasRegulator(app, terr)
  const slot = await publishSlot(app, gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const b = await book(app, reg.cookie, slot.id)
  await post(app, reg.cookie, `/api/bookings/${b.id}/cancel`, { reason: 'annulé' })

  sas.answerNext({ status: 500, body: outcome('maintenance') })
  t.match(await app.deliveries.runOnce(), { queued: 2, sent: 0, retrying: 1, failed: 0 })
  t.same(sas.received.map((r) => r.method), ['POST'], 'the cancellation is held back while the creation is not through')
  const held = await db.selectFrom('deliveries').selectAll().orderBy('event_seq').execute()
  t.match(held, [{ kind: 'booked', attempts: 1, sent_at: null, failed_at: null, last_error: /HTTP 500 maintenance/ }, { kind: 'cancelled', attempts: 0, sent_at: null }])
  await app.deliveries.runOnce()
  t.equal(sas.received.length, 1, 'nothing before the retry time')

  clock.advance(30_000)
  t.match(await app.deliveries.runOnce(), { sent: 2, retrying: 0 })
  t.same(sas.received.map((r) => r.method), ['POST', 'POST', 'PUT'], 'created, then updated, in order')
  t.equal(sas.received[1]!.body.status, 'booked')
  t.equal(sas.received[2]!.body.status, 'cancelled')
  t.equal(updatedIdentifier(sas.received[2]!), `urn:oid:1.2.3.4.5|${b.id}`, 'SAS_APPOINTMENT_ID_SYSTEM')
  for (const r of sas.received) t.same(validateR4(r.body), [])

  clock.advance(2 * 3_600_000)
  await app.deliveries.runOnce()
  t.equal(sas.received.length, 3, 'delivered once')
  const rows = await db.selectFrom('deliveries').selectAll().orderBy('event_seq').execute()
  t.match(rows, [{ kind: 'booked', attempts: 2, failed_at: null, last_error: null }, { kind: 'cancelled', attempts: 1, failed_at: null }])
  t.ok(rows.every((r) => r.sent_at !== null))
})

t.test('a create retried after its answer was lost makes no second appointment (If-None-Exist)', async (t) => {
  const sas = await startSas(t)
  const { app, db, clock } = await build(t, { ...QUIET, SAS_FHIR_BASE_URL: sas.base })
  const terr = await territory(app)
  const reg = await sasRegulator(app, terr)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const b = await book(app, reg.cookie, slot.id)

  // The SAS creates the appointment, but a gateway answers 504: for us, the POST failed.
  sas.answerNext({ status: 504, body: outcome('gateway timeout'), afterDoing: true })
  t.match(await app.deliveries.runOnce(), { queued: 1, sent: 0, retrying: 1 })
  t.equal(sas.appointments.size, 1, 'the SAS did create it')
  clock.advance(30_000)
  t.match(await app.deliveries.runOnce(), { sent: 1, retrying: 0 })
  t.same(sas.received.map((r) => r.method), ['POST', 'POST'], 'the creation was sent again')
  for (const r of sas.received) {
    t.equal(new URLSearchParams(r.ifNoneExist ?? '').get('identifier'), `${ID_SYSTEM}|${b.id}`, 'each POST asks the SAS to create only if no appointment has this identifier')
  }
  t.same([...sas.appointments.keys()], [`${ID_SYSTEM}|${b.id}`], 'one appointment at the SAS, not two')
  t.match(await db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow(), { attempts: 2, failed_at: null, last_error: null })
})

/** The app with its log written to `lines` (warn and above), to read what it says. */
async function buildLogged (t: Teardown, env: Record<string, string>, lines: string[]) {
  const stream = { write: (line: string) => { lines.push(line) } }
  const storage = await testStorage(t)
  const config = loadConfig({ ...storage.env, LOGIN_RATE_LIMIT: '1000', LOGIN_ADDRESS_RATE_LIMIT: '1000', ...QUIET, ...env })
  const db = openDatabase(config)
  await migrateToLatest(db)
  const clock = new ManualClock(T0)
  await bootstrapAdmin(db, { adminEmail: ADMIN.email, adminPassword: ADMIN.password }, clock.now())
  const app = await buildApp({ config, db, clock, logger: { level: 'warn', stream } })
  await app.ready()
  t.teardown(async () => { await app.close(); await db.destroy() })
  return { app, db }
}

t.test('a regulator without a SAS identifier: the booking stands, its appointment is given up at once', async (t) => {
  const sas = await startSas(t)
  const log: string[] = []
  const { app, db } = await buildLogged(t, { SAS_FHIR_BASE_URL: sas.base }, log)
  const terr = await territory(app)
  const { gp, regulator: unknown } = terr.users // created without a SAS identifier
  const known = await sasRegulator(app, terr)
  const s1 = await publishSlot(app, gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const s2 = await publishSlot(app, gp.cookie, '2026-07-13T12:15:00+02:00', '2026-07-13T12:30:00+02:00')
  const b1 = await book(app, unknown.cookie, s1.id)
  const b2 = await book(app, known.cookie, s2.id)

  t.match(await app.deliveries.runOnce(), { queued: 1, sent: 1, retrying: 0, failed: 1 })
  t.same(sas.received.map((r) => r.body.identifier[0].value), [b2.id], 'only the booking of the regulator the SAS knows is sent')
  const why = `regulator ${unknown.id} has no SAS identifier (INT_R02)`
  const rows = await db.selectFrom('deliveries').selectAll().orderBy('event_seq').execute()
  t.match(rows, [
    { booking_id: b1.id, kind: 'booked', attempts: 0, sent_at: null, failed_at: String, last_error: why },
    { booking_id: b2.id, kind: 'booked', attempts: 1, sent_at: String, failed_at: null }
  ], 'the refused one is in the queue, given up, with the reason')
  const entries = log.map((l) => JSON.parse(l))
  t.match(entries.filter((e) => e.msg === 'delivery given up'), [{ level: 50, channel: 'sas', bookingId: b1.id, error: why }], 'logged as an error')
  for (const trace of PATIENT_TRACES) t.notMatch(log.join(''), trace, `no patient in the log (${trace})`)

  // Its cancellation cannot be sent either; the booking itself is cancelled as usual.
  await post(app, unknown.cookie, `/api/bookings/${b1.id}/cancel`, { reason: 'annulé' })
  t.match(await app.deliveries.runOnce(), { queued: 0, sent: 0, failed: 1 })
  t.equal(sas.received.length, 1, 'nothing more reached the SAS')
  const list = await app.inject({ method: 'GET', url: '/api/bookings', headers: { cookie: unknown.cookie } })
  t.same(list.json().map((x: any) => [x.id, x.status]).sort(), [[b1.id, 'cancelled'], [b2.id, 'booked']].sort(), 'bookings are not held back by the SAS')
})

t.test('the SAS identifier of a regulator: optional, regulators only, 1 to 64 characters, shown to the admin', async (t) => {
  const { app } = await build(t, QUIET)
  const terr = await territory(app)
  const create = async (payload: object) => await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: terr.adminCookie }, payload })
  const base = { name: 'Dr X', password: PASSWORD }

  const ok = await create({ ...base, email: 'reg-sas@cpts.test', role: 'regulator', sasId: `  ${SAS_ID} ` })
  t.equal(ok.statusCode, 201, 'HTTP 201', { body: ok.body })
  t.equal(ok.json().user.sasId, SAS_ID, 'trimmed, and returned with the account')
  const plain = await create({ ...base, email: 'reg-plain@cpts.test', role: 'regulator' })
  t.equal(plain.statusCode, 201, 'a regulator without one is still created')
  t.notOk('sasId' in plain.json().user, 'no sasId when none was given')
  const list = (await app.inject({ method: 'GET', url: '/api/users', headers: { cookie: terr.adminCookie } })).json()
  t.equal(list.find((u: any) => u.email === 'reg-sas@cpts.test').sasId, SAS_ID, 'in the list of accounts')

  const refused: Array<[string, object]> = [
    ['on a practitioner', { email: 'p-sas@cpts.test', role: 'practitioner', cptsId: terr.cpts[0]!.id, practitioner: { rpps: '10000000017', profession: 'gp', address: '1 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 99' }, sasId: SAS_ID }],
    ['on a board member', { email: 'b-sas@cpts.test', role: 'board', sasId: SAS_ID }],
    ['on an admin', { email: 'a-sas@cpts.test', role: 'admin', sasId: SAS_ID }],
    ['empty', { email: 'r1@cpts.test', role: 'regulator', sasId: '   ' }],
    ['longer than 64 characters', { email: 'r2@cpts.test', role: 'regulator', sasId: 'x'.repeat(65) }],
    ['not a string', { email: 'r3@cpts.test', role: 'regulator', sasId: 42 }]
  ]
  for (const [what, payload] of refused) {
    const res = await create({ ...base, ...payload })
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'VALIDATION', what)
    t.ok(res.json().details.some((d: any) => d.path.join('.') === 'sasId'), `${what}: the issue is on sasId`)
  }
  const after = (await app.inject({ method: 'GET', url: '/api/users', headers: { cookie: terr.adminCookie } })).json()
  t.equal(after.length, list.length, 'nothing created by the refused requests')
})

t.test('SAS_FHIR_BASE_URL needs a stable identifier system', async (t) => {
  const base = { DATA_DIR: './data', SAS_FHIR_BASE_URL: 'https://sas.example.fr/fhir' }
  t.throws(() => loadConfig(base), /SAS_FHIR_BASE_URL needs SAS_APPOINTMENT_ID_SYSTEM \(or at least PUBLIC_URL\)/, 'no default built on http://localhost')
  t.throws(() => loadConfig({ ...base, PUBLIC_URL: '' }), /SAS_APPOINTMENT_ID_SYSTEM/, 'an empty PUBLIC_URL is unset')
  t.equal(loadConfig({ ...base, SAS_APPOINTMENT_ID_SYSTEM: 'urn:oid:1.2.250.1.999.1' }).sasAppointmentIdSystem, 'urn:oid:1.2.250.1.999.1')
  t.equal(loadConfig({ ...base, PUBLIC_URL: 'https://creneaux.example.fr/' }).sasAppointmentIdSystem, 'https://creneaux.example.fr/fhir/appointment-id')
  t.equal(loadConfig({ DATA_DIR: './data' }).sasFhirBaseUrl, null, 'without SAS_FHIR_BASE_URL nothing is asked')
})

t.test('a refusal (4xx) is recorded and not retried; 429 and an unreachable SAS are retried', async (t) => {
  const sas = await startSas(t)
  const { app, db, clock } = await build(t, { ...QUIET, SAS_FHIR_BASE_URL: sas.base })
  const terr = await territory(app)
  const { gp } = terr.users
  const reg = await sasRegulator(app, terr)
  const s1 = await publishSlot(app, gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const s2 = await publishSlot(app, gp.cookie, '2026-07-13T12:15:00+02:00', '2026-07-13T12:30:00+02:00')
  await book(app, reg.cookie, s1.id)
  sas.answerNext({ status: 422, body: outcome('Professionnel inconnu du SAS') })
  t.match(await app.deliveries.runOnce(), { sent: 0, failed: 1 })
  const refused = await db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow()
  t.not(refused.failed_at, null, 'given up at once')
  t.equal(refused.last_error, 'POST Appointment: HTTP 422 Professionnel inconnu du SAS', 'with the OperationOutcome text')

  await book(app, reg.cookie, s2.id)
  sas.answerNext({ status: 429 })
  t.match(await app.deliveries.runOnce(), { sent: 0, retrying: 1 }, 'too many requests: later')
  clock.advance(24 * 3_600_000 - 60_000)
  t.match(await app.deliveries.runOnce(), { sent: 1, failed: 0 })
  t.same(sas.received.map((r) => r.method), ['POST', 'POST', 'POST'], 'the refused one was never sent again')

  // A SAS that does not answer at all: the booking stands, the appointment waits in the queue.
  const down = await startSas(t)
  const closed = createNetServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()))
  const deadPort = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const off = await build(t, { ...QUIET, SAS_FHIR_BASE_URL: `http://127.0.0.1:${deadPort}/fhir` })
  const terr2 = await territory(off.app)
  const s3 = await publishSlot(off.app, terr2.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  await book(off.app, (await sasRegulator(off.app, terr2)).cookie, s3.id)
  t.match(await off.app.deliveries.runOnce(), { queued: 1, sent: 0, retrying: 1 })
  const waiting = await off.db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow()
  t.match(waiting, { attempts: 1, sent_at: null, failed_at: null, last_error: /POST Appointment: .*ECONNREFUSED/ })
  t.equal(down.received.length, 0)
})

t.test('off when SAS_FHIR_BASE_URL is unset: nothing sent, nothing queued', async (t) => {
  const sas = await startSas(t)
  const { app, db } = await build(t, QUIET)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const b = await book(app, terr.users.regulator.cookie, slot.id)
  await post(app, terr.users.regulator.cookie, `/api/bookings/${b.id}/cancel`, { reason: 'annulé' })
  t.same(app.deliveries.channels, [])
  t.same(await app.deliveries.runOnce(), { queued: 0, sent: 0, retrying: 0, failed: 0 })
  t.equal((await db.selectFrom('deliveries').selectAll().execute()).length, 0, 'nothing queued')
  t.equal((await db.selectFrom('delivery_cursors').selectAll().execute()).length, 0, 'no cursor')
  t.equal(sas.received.length, 0, 'nothing sent')
})


t.test('a mail server that never answers holds up neither the bookings nor the SAS', async (t) => {
  // Events in the order they happen; the test asserts that order, never durations.
  const events: string[] = []
  const sockets = new Set<Socket>()
  let smtpConnected!: () => void
  const connected = new Promise<void>((resolve) => { smtpConnected = resolve })
  // Accepts the connection and never says a word (no SMTP greeting).
  const mute: Server = createNetServer((socket) => {
    sockets.add(socket)
    events.push('smtp connected')
    socket.on('close', () => events.push('smtp closed'))
    smtpConnected()
  })
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', () => resolve()))
  const sas = await startSas(t)
  // The real timer, often: nothing here calls runOnce() until the end.
  const { app, db } = await build(t, { ...QUIET, DELIVERY_POLL_MS: '50', SMTP_URL: `smtp://127.0.0.1:${(mute.address() as AddressInfo).port}`, SAS_FHIR_BASE_URL: sas.base })
  // Runs before the app closes (teardowns run last-registered first): closing never waits on the mute server.
  t.teardown(async () => {
    for (const s of sockets) s.destroy()
    if (mute.listening) await new Promise<void>((resolve) => mute.close(() => resolve()))
  })
  const terr = await territory(app)
  const reg = await sasRegulator(app, terr)
  const s1 = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const s2 = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:15:00+02:00', '2026-07-13T12:30:00+02:00')

  const b1 = await book(app, reg.cookie, s1.id)
  await connected // the first mail is now stuck on the mute server
  const r2 = await app.inject({ method: 'POST', url: `/api/slots/${s2.id}/booking`, headers: { cookie: reg.cookie }, payload: BOOKING })
  events.push(`booking answered ${r2.statusCode}`)
  const b2 = r2.json()
  await sas.waitForRequests(2)
  events.push('sas has both')
  t.same(sas.received.map((r) => [r.method, r.body.identifier[0].value]), [['POST', b1.id], ['POST', b2.id]], 'both appointments reached the SAS')
  const mails = await db.selectFrom('deliveries').selectAll().where('channel', '=', 'mail').execute()
  t.match(mails, [{ booking_id: b1.id, attempts: 0, sent_at: null }], 'meanwhile the first mail is still being sent, the second not yet read')

  // The mail server goes away: the stuck attempt fails and is retried later; nothing is lost.
  await new Promise<void>((resolve) => { mute.close(() => resolve()); for (const s of sockets) s.destroy() })
  await app.deliveries.runOnce()
  t.same(events, ['smtp connected', 'booking answered 201', 'sas has both', 'smtp closed'],
    'the booking was answered, and the SAS had its appointments, while the mail server held the first mail')
  const after = await db.selectFrom('deliveries').selectAll().where('channel', '=', 'mail').orderBy('event_seq').execute()
  t.match(after, [{ booking_id: b1.id, attempts: 1, sent_at: null, failed_at: null, last_error: /./ }, { booking_id: b2.id, sent_at: null, failed_at: null }], 'both mails wait for their retry')
})


/** A throwaway CA, a server certificate for localhost and a client certificate it signed. */
function makeCertificates (dir: string): void {
  const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }) }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test IGC Sante')
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost')
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext')
  run('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=creneaux-client/OU=editeur')
  run('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2')
}

// Needs the openssl command (Debian's openssl package, on every CI machine): never skipped.
t.test('mTLS: the client certificate and CA of the settings are used', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'creneaux-mtls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  makeCertificates(dir)
  const file = (name: string): string => join(dir, name)
  const sas = await startSas(t, { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ca: readFileSync(file('ca.pem')) })

  const { app } = await build(t, { ...QUIET, SAS_FHIR_BASE_URL: sas.base, SAS_CLIENT_CERT: file('client.pem'), SAS_CLIENT_KEY: file('client.key'), SAS_CA: file('ca.pem') })
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  await book(app, (await sasRegulator(app, terr)).cookie, slot.id)
  t.match(await app.deliveries.runOnce(), { sent: 1 })
  t.equal(sas.received.length, 1)
  t.equal(sas.received[0]!.peerCn, 'creneaux-client', 'the SAS saw our client certificate')
  t.same(validateR4(sas.received[0]!.body), [])

  // Without a client certificate the SAS closes the handshake: retried, never lost.
  const anonymous = await build(t, { ...QUIET, SAS_FHIR_BASE_URL: sas.base, SAS_CA: file('ca.pem') })
  const terr2 = await territory(anonymous.app)
  const slot2 = await publishSlot(anonymous.app, terr2.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  await book(anonymous.app, (await sasRegulator(anonymous.app, terr2)).cookie, slot2.id)
  t.match(await anonymous.app.deliveries.runOnce(), { sent: 0, retrying: 1 })
  t.equal(sas.received.length, 1, 'refused at the TLS handshake')

  t.throws(() => readSasTls({ sasClientCert: file('missing.pem'), sasClientKey: file('client.key'), sasCa: null }), /SAS_CLIENT_CERT: cannot read/, 'a missing file stops the start')
  t.throws(() => readSasTls({ sasClientCert: file('client.pem'), sasClientKey: null, sasCa: null }), /go together/)
})
