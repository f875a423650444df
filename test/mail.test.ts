// Issue 6: e-mail notices to practitioners, through a real local SMTP server, parsed as a mail
// client would. A booking never waits for the mail nor fails with it; the queue retries.
import { createServer } from 'node:net'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { AddressObject, ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import { buildApp } from '../server/app.js'
import { bootstrapAdmin } from '../server/bootstrap.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import type { Db } from '../db/connection.js'
import { ADMIN, build, T0 } from './helpers/build.js'
import { testStorage, type TestStorage } from './helpers/database.js'
import { publishSlot, territory } from './helpers/fixtures.js'
import { givePlace } from './helpers/places.js'
import { startSmtp } from './helpers/smtp.js'

const PATIENT = { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }
const BOOKING = { patient: PATIENT, reason: 'fièvre depuis trois jours', hasTreatingGp: 'no' }
const PATIENT_TRACES = ['Martin', 'Anne', '1980', '06 12 34 56 78', '0612345678', 'fièvre']
// The timer never fires during a test: every run is an explicit runOnce().
const QUIET = { DELIVERY_POLL_MS: '3600000', SESSION_HOURS: '2160', PUBLIC_URL: 'https://creneaux.example.fr' }

interface Teardown { teardown: (fn: () => unknown) => void }
/** A port nothing listens on (yet). */
async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()))
  const address = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

const book = async (app: FastifyInstance, cookie: string, slotId: string) =>
  await app.inject({ method: 'POST', url: `/api/slots/${slotId}/booking`, headers: { cookie }, payload: BOOKING })

const recipients = (m: ParsedMail): string[] =>
  ([] as AddressObject[]).concat(m.to ?? []).flatMap((a) => a.value.map((v) => v.address ?? ''))

/** Everything a reader could see of a mail: headers, subject, text and html. */
const wholeMail = (m: ParsedMail): string =>
  JSON.stringify([...m.headers.entries()]) + (m.subject ?? '') + (m.text ?? '') + (typeof m.html === 'string' ? m.html : '')

t.test('a booking mails its practitioner: recipient, subject, local time, no patient', async (t) => {
  const smtp = await startSmtp(t)
  const { app, db } = await build(t, { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` })
  const terr = await territory(app)
  const { gp, regulator: reg } = terr.users
  const summer = await publishSlot(app, gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  // 25 October 2026: clocks go back in Paris at 03:00; noon that day is 11:00 UTC.
  const dstDay = await publishSlot(app, gp.cookie, '2026-10-25T11:00:00Z', '2026-10-25T11:20:00Z')

  const b1 = await book(app, reg.cookie, summer.id)
  t.equal(b1.statusCode, 201, 'HTTP 201', { body: b1.body })
  // The timer is off here (QUIET): this shows the request itself mails nothing, the queue does
  // (test/sas-appointments.test.ts runs the real timer against a mail server that hangs).
  t.equal(smtp.mails.length, 0, 'the booking request itself sent no mail')
  const report = await app.deliveries.runOnce()
  t.match(report, { queued: 1, sent: 1, retrying: 0, failed: 0 })
  t.equal(smtp.mails.length, 1, 'one mail')
  const m = smtp.mails[0]!
  t.same(recipients(m), [gp.email], 'to the practitioner whose slot it is')
  t.same(m.from?.value, [{ name: 'Créneaux', address: 'no-reply@localhost' }], 'from MAIL_FROM (default)')
  t.equal(m.subject, 'Créneaux — patient réservé lundi 13 juillet 2026 à 12:00')
  t.match(m.text, 'Bonjour Dr gp,')
  t.match(m.text, 'lundi 13 juillet 2026, de 12:00 à 12:15', 'day and times in the CPTS zone, 24-hour clock')
  t.match(m.text, 'soins non programmés (SNP), au cabinet', 'kind and mode')
  t.match(m.text, `Référence de la réservation : ${b1.json().id.slice(0, 8)}\n`, 'the short reference the regulator read out, as in the calendar feed')
  t.notMatch(wholeMail(m), b1.json().id, 'not the whole booking id')
  t.match(m.text, 'https://creneaux.example.fr/praticien', 'a link to the practitioner page')
  for (const trace of PATIENT_TRACES) t.notMatch(wholeMail(m), trace, `no patient identity (${trace})`)

  const b2 = await book(app, reg.cookie, dstDay.id)
  t.equal(b2.statusCode, 201)
  await app.deliveries.runOnce()
  t.equal(smtp.mails.length, 2)
  t.equal(smtp.mails[1]!.subject, 'Créneaux — patient réservé dimanche 25 octobre 2026 à 12:00', 'winter time on the day the clocks go back')
  t.match(smtp.mails[1]!.text, 'de 12:00 à 12:20')

  const rows = await db.selectFrom('deliveries').selectAll().orderBy('id').execute()
  t.same(rows.map((r) => [r.channel, r.kind, r.attempts, r.sent_at !== null, r.failed_at]), [['mail', 'booked', 1, true, null], ['mail', 'booked', 1, true, null]])
  for (const trace of PATIENT_TRACES) t.notMatch(JSON.stringify(rows), trace, `nothing of the patient in the queue (${trace})`)

  await app.deliveries.runOnce()
  t.equal(smtp.mails.length, 2, 'a mail goes out once')
})

t.test('a cancelled booking mails too; an outcome does not', async (t) => {
  const smtp = await startSmtp(t)
  const { app, clock } = await build(t, { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'CPTS Côte de Lumière <snp@cpts.test>' })
  const terr = await territory(app)
  const { gp, psy, regulator: reg } = terr.users
  const slot = await publishSlot(app, gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const b = (await book(app, reg.cookie, slot.id)).json()
  const cancel = await app.inject({ method: 'POST', url: `/api/bookings/${b.id}/cancel`, headers: { cookie: reg.cookie }, payload: { reason: 'Mme Martin a vu son médecin' } })
  t.equal(cancel.statusCode, 200, 'HTTP 200', { body: cancel.body })
  await app.deliveries.runOnce()
  t.same(smtp.mails.map((m) => m.subject), [
    'Créneaux — patient réservé lundi 13 juillet 2026 à 12:00',
    'Créneaux — réservation annulée lundi 13 juillet 2026 à 12:00'
  ], 'the booking, then its cancellation, in order')
  const c = smtp.mails[1]!
  t.same(recipients(c), [gp.email])
  t.same(c.from?.value, [{ name: 'CPTS Côte de Lumière', address: 'snp@cpts.test' }], 'MAIL_FROM')
  t.match(c.text, 'de nouveau libre', 'the slot is free again')
  t.match(c.text, `Référence de la réservation : ${b.id.slice(0, 8)}\n`)
  t.notMatch(wholeMail(c), 'Martin', 'not even the cancel reason, which names the patient')
  for (const trace of PATIENT_TRACES) t.notMatch(wholeMail(c), trace)

  // A psychiatrist's slot and a GP's, booked, then started: the outcome sends nothing; a
  // cancellation after the start does not claim the slot is free again.
  const psySlot = await publishSlot(app, psy.cookie, '2026-06-03T09:00:00+02:00', '2026-06-03T09:30:00+02:00', 'psy')
  const gpSlot = await publishSlot(app, gp.cookie, '2026-06-03T09:30:00+02:00', '2026-06-03T09:45:00+02:00')
  const pb = (await book(app, reg.cookie, psySlot.id)).json()
  const gb = (await book(app, reg.cookie, gpSlot.id)).json()
  await app.deliveries.runOnce()
  t.equal(smtp.mails.length, 4)
  t.equal(smtp.mails[2]!.subject, 'Créneaux — patient réservé mercredi 3 juin 2026 à 09:00')
  t.same(recipients(smtp.mails[2]!), [psy.email])
  t.match(smtp.mails[2]!.text, 'consultation psychiatrique rapide, au cabinet')
  clock.set('2026-06-03T07:40:00Z')
  const outcome = await app.inject({ method: 'POST', url: `/api/bookings/${pb.id}/outcome`, headers: { cookie: psy.cookie }, payload: { outcome: 'honored' } })
  t.equal(outcome.statusCode, 200, 'HTTP 200', { body: outcome.body })
  t.match(await app.deliveries.runOnce(), { queued: 0, sent: 0 }, 'nothing mailed for an outcome')
  const late = await app.inject({ method: 'POST', url: `/api/bookings/${gb.id}/cancel`, headers: { cookie: reg.cookie }, payload: { reason: 'patient parti' } })
  t.equal(late.statusCode, 200, 'HTTP 200', { body: late.body })
  await app.deliveries.runOnce()
  t.equal(smtp.mails.length, 5)
  t.equal(smtp.mails[4]!.subject, 'Créneaux — réservation annulée mercredi 3 juin 2026 à 09:30')
  t.match(smtp.mails[4]!.text, 'avait déjà commencé')
  t.notMatch(smtp.mails[4]!.text, 'de nouveau libre')
})

t.test('a GP at two practices: the mail of an office slot names its place, not a video consultation\'s', async (t) => {
  const smtp = await startSmtp(t)
  const { app, db } = await build(t, { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` })
  const terr = await territory(app)
  const { gp, regulator: reg } = terr.users
  const port = await givePlace(db, gp.id, { label: 'Maison de santé du port', address: '8 quai Garcie-Ferrande', postalCode: '85800', commune: 'Saint-Gilles-Croix-de-Vie', communeCode: '85222' })
  const atHome = await publishSlot(app, gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const atPort = await publishSlot(app, gp.cookie, '2026-07-13T15:00:00+02:00', '2026-07-13T15:15:00+02:00')
  const video = await app.inject({ method: 'POST', url: '/api/slots', headers: { cookie: gp.cookie }, payload: { start: '2026-07-13T18:00:00+02:00', end: '2026-07-13T18:15:00+02:00', kind: 'snp', mode: 'video' } })
  t.equal(video.statusCode, 201, 'HTTP 201', { body: video.body })
  // Published at the second place (at the database level until the publishing form picks a place).
  await db.updateTable('slots').set({ place_id: port }).where('id', 'in', [atPort.id, video.json().id]).execute()
  const booked = []
  for (const s of [atHome, atPort, video.json()]) {
    const b = await book(app, reg.cookie, s.id)
    t.equal(b.statusCode, 201, 'HTTP 201', { body: b.body })
    booked.push(b.json())
  }
  const cancel = await app.inject({ method: 'POST', url: `/api/bookings/${booked[1].id as string}/cancel`, headers: { cookie: reg.cookie }, payload: { reason: 'Mme Martin a vu son médecin' } })
  t.equal(cancel.statusCode, 200, 'HTTP 200', { body: cancel.body })
  t.match(await app.deliveries.runOnce(), { queued: 4, sent: 4 })
  const bySubject = (subject: string): ParsedMail => smtp.mails.find((m) => m.subject === subject)!
  t.match(bySubject('Créneaux — patient réservé lundi 13 juillet 2026 à 12:00').text,
    '  Type : soins non programmés (SNP), au cabinet\n  Lieu : Saint-Jean-de-Monts — 1 rue de la Plage, 85160 Saint-Jean-de-Monts\n',
    'the home practice (its label is its commune until renamed), after the type')
  t.match(bySubject('Créneaux — patient réservé lundi 13 juillet 2026 à 15:00').text,
    '  Lieu : Maison de santé du port — 8 quai Garcie-Ferrande, 85800 Saint-Gilles-Croix-de-Vie\n', 'the second practice')
  t.match(bySubject('Créneaux — réservation annulée lundi 13 juillet 2026 à 15:00').text,
    '  Lieu : Maison de santé du port — 8 quai Garcie-Ferrande, 85800 Saint-Gilles-Croix-de-Vie\n', 'a cancellation names the place too')
  const videoMail = bySubject('Créneaux — patient réservé lundi 13 juillet 2026 à 18:00')
  t.match(videoMail.text, 'en téléconsultation')
  t.notMatch(videoMail.text, 'Lieu :', 'a video consultation names no place')
  t.equal(smtp.mails.length, 4)
  for (const m of smtp.mails) for (const trace of PATIENT_TRACES) t.notMatch(wholeMail(m), trace, `no patient identity (${trace})`)
})

t.test('SMTP down: the booking succeeds, the mail goes out once the server is back', async (t) => {
  const port = await freePort()
  const { app, db, clock } = await build(t, { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${port}` })
  const terr = await territory(app)
  const { gp, regulator: reg } = terr.users
  const slot = await publishSlot(app, gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')

  const b = await book(app, reg.cookie, slot.id)
  t.equal(b.statusCode, 201, 'booked although no mail server answers')
  const first = await app.deliveries.runOnce()
  t.match(first, { queued: 1, sent: 0, retrying: 1, failed: 0 })
  const row = await db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow()
  t.equal(row.attempts, 1)
  t.equal(row.sent_at, null)
  t.equal(row.failed_at, null)
  t.ok(row.last_error !== null && row.last_error.length > 0, 'the failure is recorded: ' + String(row.last_error))
  t.equal(row.next_attempt_at, new Date(Date.parse(T0) + 30_000).toISOString(), 'retried in 30 s')
  const booking = await app.inject({ method: 'GET', url: '/api/bookings', headers: { cookie: reg.cookie } })
  t.same(booking.json().map((x: any) => [x.id, x.status]), [[b.json().id, 'booked']], 'the booking stands')

  const smtp = await startSmtp(t, port)
  await app.deliveries.runOnce()
  t.equal(smtp.mails.length, 0, 'not before its retry time')
  clock.advance(31_000)
  const second = await app.deliveries.runOnce()
  t.match(second, { queued: 0, sent: 1, retrying: 0 })
  t.equal(smtp.mails.length, 1, 'the mail arrives')
  t.equal(smtp.mails[0]!.subject, 'Créneaux — patient réservé lundi 13 juillet 2026 à 12:00')
  clock.advance(3_600_000)
  await app.deliveries.runOnce()
  t.equal(smtp.mails.length, 1, 'exactly once')
  const sent = await db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow()
  t.match(sent, { attempts: 2, failed_at: null, last_error: null })
  t.not(sent.sent_at, null)
})

t.test('SMTP refusing the recipient for good: given up, not retried', async (t) => {
  const mails: string[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo (_address, _session, callback) { callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 })) },
    onData (stream, _session, callback) { stream.resume(); stream.on('end', () => { mails.push('x'); callback() }) }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(async () => { await new Promise<void>((resolve) => server.close(() => resolve())) })
  const address = server.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const { app, db, clock } = await build(t, { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${address.port}` })
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  t.equal((await book(app, terr.users.regulator.cookie, slot.id)).statusCode, 201)
  t.match(await app.deliveries.runOnce(), { queued: 1, sent: 0, failed: 1 })
  const row = await db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow()
  t.not(row.failed_at, null, 'given up')
  t.match(row.last_error, /550|mailbox unavailable/)
  clock.advance(24 * 3_600_000)
  t.match(await app.deliveries.runOnce(), { sent: 0, retrying: 0, failed: 0 }, 'never tried again')
  t.equal(mails.length, 0)
})

/** The app on an existing data folder (a restart); `stop` closes it (also run in teardown). */
async function startOn (t: Teardown, storage: TestStorage, env: Record<string, string>, clock: ManualClock): Promise<{ app: FastifyInstance, db: Db, stop: () => Promise<void> }> {
  const config = loadConfig({ ...storage.env, LOGIN_RATE_LIMIT: '1000', LOGIN_ADDRESS_RATE_LIMIT: '1000', ...QUIET, ...env })
  const db = openDatabase(config)
  await migrateToLatest(db)
  await bootstrapAdmin(db, { adminEmail: ADMIN.email, adminPassword: ADMIN.password }, clock.now())
  const app = await buildApp({ config, db, clock })
  await app.ready()
  let open = true
  const stop = async (): Promise<void> => {
    if (!open) return
    open = false
    await app.close()
    await db.destroy()
  }
  t.teardown(stop)
  return { app, db, stop }
}

t.test('restarts lose nothing; a channel switched off and on again sends what is recent, not the stale past', async (t) => {
  const smtp = await startSmtp(t)
  const storage = await testStorage(t)
  const clock = new ManualClock(T0)
  const mailOn = { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` }

  let run = await startOn(t, storage, mailOn, clock)
  const terr = await territory(run.app)
  const { gp, regulator: reg } = terr.users
  const slots = []
  for (let i = 0; i < 3; i++) {
    const h = String(12 + i).padStart(2, '0')
    slots.push(await publishSlot(run.app, gp.cookie, `2026-07-13T${h}:00:00+02:00`, `2026-07-13T${h}:15:00+02:00`))
  }
  t.equal((await book(run.app, reg.cookie, slots[0].id)).statusCode, 201)
  await run.stop() // stopped before the queue ran

  run = await startOn(t, storage, mailOn, clock)
  await run.app.deliveries.runOnce()
  t.same(smtp.mails.map((m) => m.subject), ['Créneaux — patient réservé lundi 13 juillet 2026 à 12:00'], 'the booking made before the restart is mailed after it')
  await run.stop()

  // Mail off (on this instance: another one may still have it on, so its cursor stays).
  run = await startOn(t, storage, {}, clock)
  t.same(run.app.deliveries.channels, [], 'mail off')
  t.equal((await run.db.selectFrom('delivery_cursors').selectAll().execute()).length, 1, 'the mail cursor is left alone')
  t.equal((await book(run.app, reg.cookie, slots[1].id)).statusCode, 201)
  t.match(await run.app.deliveries.runOnce(), { queued: 0, sent: 0 })
  clock.advance(25 * 3_600_000)
  t.equal((await book(run.app, reg.cookie, slots[2].id)).statusCode, 201)
  await run.stop()

  run = await startOn(t, storage, mailOn, clock)
  t.same(run.app.deliveries.channels, ['mail'])
  t.match(await run.app.deliveries.runOnce(), { queued: 1, sent: 1 })
  t.same(smtp.mails.map((m) => m.subject).slice(1), ['Créneaux — patient réservé lundi 13 juillet 2026 à 14:00'],
    'switched on again: the booking of the last hour is mailed, the one of more than a day ago (past the retry horizon) is not')
})

t.test('mail off: nothing queued', async (t) => {
  const { app, db } = await build(t, QUIET)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  t.equal((await book(app, terr.users.regulator.cookie, slot.id)).statusCode, 201)
  t.same(await app.deliveries.runOnce(), { queued: 0, sent: 0, retrying: 0, failed: 0 })
  t.equal((await db.selectFrom('deliveries').selectAll().execute()).length, 0)
  t.equal((await db.selectFrom('delivery_cursors').selectAll().execute()).length, 0, 'no cursor either')
})
