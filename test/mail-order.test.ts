// Issue 13 (low): the mails of one slot go out in the order of its events, across bookings.
// Book, cancel, rebook within one poll while the cancellation's mail has to be retried: the
// practitioner's last mail must say the slot is booked, not free.
import t from 'tap'
import { build } from './helpers/build.js'
import { publishSlot, territory } from './helpers/fixtures.js'
import { startSmtp } from './helpers/smtp.js'

const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }

t.test('book, cancel, rebook: mails in slot order even when one must be retried', async (t) => {
  // The second message (the cancellation) is answered "451 try later" once.
  const smtp = await startSmtp(t, 0, (n) => n === 2 ? 451 : null)
  const { app, clock } = await build(t, { DELIVERY_POLL_MS: '3600000', SESSION_HOURS: '2160', PUBLIC_URL: 'https://creneaux.example.fr', SMTP_URL: `smtp://127.0.0.1:${smtp.port}` })
  const terr = await territory(app)
  const reg = terr.users.regulator
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00')
  const first = (await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: reg.cookie }, payload: BOOKING })).json()
  const cancel = await app.inject({ method: 'POST', url: `/api/bookings/${first.id}/cancel`, headers: { cookie: reg.cookie }, payload: { reason: 'erreur de créneau' } })
  t.equal(cancel.statusCode, 200)
  const again = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: reg.cookie }, payload: { ...BOOKING, idempotencyKey: 'second' } })
  t.equal(again.statusCode, 201, 'HTTP 201', { body: again.body })

  t.match(await app.deliveries.runOnce(), { queued: 3, sent: 1, retrying: 1 }, 'the rebooking waits behind the cancellation of the same slot')
  t.same(smtp.mails.map((m) => m.subject), ['Créneaux — patient réservé lundi 13 juillet 2026 à 12:00'])
  clock.advance(31_000)
  await app.deliveries.runOnce()
  t.same(smtp.mails.map((m) => m.subject), [
    'Créneaux — patient réservé lundi 13 juillet 2026 à 12:00',
    'Créneaux — réservation annulée lundi 13 juillet 2026 à 12:00',
    'Créneaux — patient réservé lundi 13 juillet 2026 à 12:00'
  ], 'booked, cancelled, booked again: the last mail says booked')
})
