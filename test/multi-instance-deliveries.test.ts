// Issue 10: two server instances on one PostgreSQL schema run the delivery queue at once,
// against one real SMTP server: bookings made on either instance, while both workers read and
// send round after round, are each mailed exactly once — none twice, none skipped.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import { build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { publishSlot, territory } from './helpers/fixtures.js'
import { startSmtp } from './helpers/smtp.js'

const BOOKINGS = 40
const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }
const QUIET = { DELIVERY_POLL_MS: '3600000', SESSION_HOURS: '2160', PUBLIC_URL: 'https://creneaux.example.fr' }

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: two instances share the queue')
} else {
  t.test(`${BOOKINGS} bookings on two instances whose workers run at once: ${BOOKINGS} mails, none twice`, async (t) => {
    const smtp = await startSmtp(t)
    const env = { ...QUIET, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` }
    const A = await build(t, env)
    const B = await build(t, env, undefined, { sameDatabaseAs: A })
    const apps = [A.app, B.app]
    const terr = await territory(A.app)
    const slots = []
    for (let i = 0; i < BOOKINGS; i++) {
      const start = new Date(Date.parse('2026-07-13T08:00:00+02:00') + i * 15 * 60_000)
      slots.push(await publishSlot(A.app, terr.users.gp.cookie, start.toISOString(), new Date(start.getTime() + 15 * 60_000).toISOString()))
    }
    const references: string[] = []
    // Bookings in bursts of four, on both instances, while both workers run between and during them.
    for (let i = 0; i < BOOKINGS; i += 4) {
      const burst = slots.slice(i, i + 4).map(async (slot, k) => {
        const res = await apps[k % 2]!.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: BOOKING })
        if (res.statusCode !== 201) throw new Error(`booking: ${res.statusCode} ${res.body}`)
        references.push((res.json().id as string).slice(0, 8))
      })
      await Promise.all([...burst, A.app.deliveries.runOnce(), B.app.deliveries.runOnce()])
    }
    const reports = await Promise.all([A.app.deliveries.runOnce(), B.app.deliveries.runOnce(), A.app.deliveries.runOnce(), B.app.deliveries.runOnce()])
    t.same(reports.map((r) => r.retrying + r.failed), [0, 0, 0, 0], 'no send failed')

    const mailed = smtp.mails.map((m) => /Référence de la réservation : (\S+)/.exec(m.text ?? '')?.[1] ?? '?')
    t.equal(mailed.length, BOOKINGS, `${BOOKINGS} mails`)
    t.same([...mailed].sort(), [...references].sort(), 'one mail per booking, none twice, none missing')
    const rows = await A.db.selectFrom('deliveries').select(['sent_at', 'claimed_until']).execute()
    t.equal(rows.length, BOOKINGS, 'one delivery row per booking')
    t.ok(rows.every((r) => r.sent_at !== null && r.claimed_until === null), 'every one sent, no claim left behind')
  })
}
