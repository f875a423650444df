// Issue 10: the retention purge (patient data, audit log) run by two instances on one PostgreSQL
// schema at the same moment: no error, each booking erased and each audit entry deleted once,
// and one purge entry per run that did the work, with true counts (none counted twice).
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import { build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { publishSlot, territory } from './helpers/fixtures.js'

const BOOKINGS = 30
const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, reason: 'fièvre', hasTreatingGp: 'no' }
const ENV = { PATIENT_DATA_MONTHS: '12', AUDIT_MONTHS: '12', SESSION_HOURS: '2160' }

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: two instances share the database')
} else {
  t.test('two instances purging at once: each row once, one entry per run, true counts', async (t) => {
    const A = await build(t, ENV)
    const B = await build(t, ENV, undefined, { sameDatabaseAs: A })
    await Promise.all([A.app.retention.runOnce(), B.app.retention.runOnce()]) // the runs of the start, if still going
    const terr = await territory(A.app)
    for (let i = 0; i < BOOKINGS; i++) {
      const start = new Date(Date.parse('2026-06-03T08:00:00+02:00') + i * 15 * 60_000)
      const slot = await publishSlot(A.app, terr.users.gp.cookie, start.toISOString(), new Date(start.getTime() + 15 * 60_000).toISOString())
      const res = await A.app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: BOOKING })
      if (res.statusCode !== 201) throw new Error(`booking: ${res.statusCode}`)
    }
    const later = '2027-07-01T08:00:00.000Z' // 13 months on: the bookings and every audit entry so far are past retention
    A.clock.set(later)
    B.clock.set(later)
    const oldEntries = (await A.db.selectFrom('audit_log').select('id').where('at', '<', '2026-07-01T08:00:00.000Z').execute()).length

    const runs = await Promise.all([A.app.retention.runOnce(), B.app.retention.runOnce(), A.app.retention.runOnce(), B.app.retention.runOnce()])
    const done = [...new Set(runs)].filter((r) => r !== null)
    t.ok(done.length >= 1, `${done.length} run(s) did the work, ${new Set(runs).size - done.length} found the other instance at it`)
    t.equal(done.reduce((n, r) => n + r.bookings, 0), BOOKINGS, `${BOOKINGS} bookings erased in all, none counted twice`)
    t.equal(done.reduce((n, r) => n + r.audit.entries, 0), oldEntries, `${oldEntries} audit entries deleted in all, none counted twice`)

    const left = await A.db.selectFrom('bookings').select('id').where('patient_last_name', 'is not', null).execute()
    t.same(left, [], 'no patient identity left')
    const purges = await A.db.selectFrom('audit_log').select(['action', 'detail']).where('action', 'in', ['patient_data.purge', 'audit_log.purge']).where('at', '=', later).execute()
    t.equal(purges.filter((p) => p.action === 'patient_data.purge').length, done.length, 'one patient-data purge entry per run that did the work')
    t.equal(purges.filter((p) => p.action === 'audit_log.purge').length, done.length, 'one audit-log purge entry per run that did the work')
    t.equal(purges.filter((p) => p.action === 'patient_data.purge').reduce((n, p) => n + Number(JSON.parse(p.detail ?? '{}').bookings), 0), BOOKINGS, 'their counts add up to the bookings erased')
  })
}
