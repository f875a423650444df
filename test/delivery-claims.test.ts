// Issue 10: the delivery queue shared by several instances. A delivery claimed by one worker is
// not sent by another while its lease runs; a worker that died leaves rows that come back when
// the lease runs out, and are sent once; a late outcome of a lost claim changes nothing. An
// instance started with a channel switched off does not stop the instances that have it on.
// Both engines (two instances on one SQLite file, or one PostgreSQL schema; the race itself,
// on PostgreSQL, is test/multi-instance-deliveries.test.ts).
import t from 'tap'
import { SMTPServer } from 'smtp-server'
import { claimDue, markSent } from '../server/features/deliveries/delivery-repository.js'
import { CLAIM_LEASE_MS } from '../server/features/deliveries/delivery-worker.js'
import { build } from './helpers/build.js'
import { publishSlot, territory } from './helpers/fixtures.js'
import { startSmtp } from './helpers/smtp.js'

const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }
const QUIET = { DELIVERY_POLL_MS: '3600000', SESSION_HOURS: '2160', PUBLIC_URL: 'https://creneaux.example.fr' }
const SUBJECT = 'Créneaux — patient réservé lundi 13 juillet 2026 à 12:00'

t.test('a claimed delivery is sent by nobody else until its lease runs out, then once', async (t) => {
  // The first attempt is answered "451 try later": the delivery waits 30 s for its retry.
  const smtp = await startSmtp(t, 0, (n) => n === 1 ? 451 : null)
  const { app, db, clock } = await build(t, { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` })
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const booked = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: BOOKING })
  t.equal(booked.statusCode, 201)

  t.match(await app.deliveries.runOnce(), { queued: 1, retrying: 1 })
  clock.advance(30_000)
  // Another worker claims it first, and dies before sending.
  const now = clock.now()
  const claimed = await claimDue(db, 'mail', now, new Date(now.getTime() + CLAIM_LEASE_MS), 10)
  t.equal(claimed.length, 1, 'claimed by a worker')
  t.same(await claimDue(db, 'mail', now, new Date(now.getTime() + CLAIM_LEASE_MS), 10), [], 'nobody else can claim it meanwhile')

  t.match(await app.deliveries.runOnce(), { sent: 0 }, 'not sent again while the claim runs')
  clock.advance(CLAIM_LEASE_MS - 1000)
  t.match(await app.deliveries.runOnce(), { sent: 0 }, 'nor a second before it runs out')
  t.equal(smtp.mails.length, 0)
  clock.advance(1000)
  t.match(await app.deliveries.runOnce(), { sent: 1 }, 'the lease ran out: claimed again and sent')
  t.same(smtp.mails.map((m) => m.subject), [SUBJECT], 'one mail')
  const row = await db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow()
  t.not(row.sent_at, null)
  t.equal(row.claimed_until, null, 'the claim ends with the attempt')

  t.equal(await markSent(db, claimed[0]!, 1, clock.now()), false, 'the first claimer, back late, cannot write its outcome')
  t.same(await db.selectFrom('deliveries').select(['sent_at', 'attempts']).executeTakeFirstOrThrow(), { sent_at: row.sent_at, attempts: row.attempts }, 'the outcome stands')
  t.match(await app.deliveries.runOnce(), { sent: 0 })
  t.equal(smtp.mails.length, 1, 'nothing more')
})

t.test('an instance started with mail off does not stop another instance that has it on', async (t) => {
  const smtp = await startSmtp(t)
  const A = await build(t, { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` })
  const terr = await territory(A.app)
  const slots = await Promise.all(['12', '13'].map(async (h) => await publishSlot(A.app, terr.users.gp.cookie, `2026-07-13T${h}:00:00+02:00`, `2026-07-13T${h}:15:00+02:00`)))
  const book = async (slotId: string): Promise<number> => (await A.app.inject({ method: 'POST', url: `/api/slots/${slotId}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: BOOKING })).statusCode
  t.equal(await book(slots[0].id), 201)

  const B = await build(t, QUIET, undefined, { sameDatabaseAs: A })
  t.same(B.app.deliveries.channels, [], 'B has mail off')
  t.equal(await book(slots[1].id), 201)
  t.match(await A.app.deliveries.runOnce(), { queued: 2, sent: 2 }, 'A still reads every booking')
  t.same(smtp.mails.map((m) => m.subject), [SUBJECT, 'Créneaux — patient réservé lundi 13 juillet 2026 à 13:00'])
})

t.test('a send that outlasts its lease: claimed again by another instance, recorded once, by the later claim', async (t) => {
  // A mail server that accepts each message only when the test says so.
  let arrived: Array<() => void> = []
  const held: Array<() => void> = []
  const waitArrivals = async (n: number): Promise<void> => { while (held.length < n) await new Promise<void>((resolve) => arrived.push(resolve)) }
  let accepted = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData (stream, _session, callback) {
      stream.resume()
      stream.on('end', () => {
        held.push(() => { accepted++; callback() })
        const wake = arrived
        arrived = []
        for (const w of wake) w()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(async () => { await new Promise<void>((resolve) => server.close(() => resolve())) })
  const address = server.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const env = { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${address.port}` }
  const A = await build(t, env)
  const B = await build(t, env, undefined, { sameDatabaseAs: A })
  const terr = await territory(A.app)
  const slot = await publishSlot(A.app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const booked = await A.app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: BOOKING })
  t.equal(booked.statusCode, 201)

  const runA = A.app.deliveries.runOnce()
  await waitArrivals(1) // A's send hangs at the mail server
  B.clock.advance(CLAIM_LEASE_MS)
  const runB = B.app.deliveries.runOnce()
  await waitArrivals(2) // A's lease has run out on B's clock: B claimed it again and sends it too
  for (const accept of held) accept()
  const [a, b] = await Promise.all([runA, runB])
  t.match([a, b], [{ sent: 1 }, { sent: 1 }], 'both sends went through (at least once: a send past its lease may go twice)')
  t.equal(accepted, 2)
  const rows = await A.db.selectFrom('deliveries').selectAll().execute()
  t.equal(rows.length, 1)
  t.match(rows[0], { attempts: 1, failed_at: null, claimed_until: null })
  t.equal(rows[0]!.sent_at, B.clock.now().toISOString(), 'recorded by the later claim (B) only, whichever finished first')
  t.match(await A.app.deliveries.runOnce(), { sent: 0 }, 'and never sent again')
})
