// Issue 12: patient data are kept PATIENT_DATA_MONTHS after their slot, then erased — the
// booking stays, the season report does not change by one unit, and nothing of the erased
// values is left in the database file or its write-ahead log.
import { readFileSync, existsSync } from 'node:fs'
import t from 'tap'
import { build } from './helpers/build.js'
import { bearerToken, publishSlot, territory } from './helpers/fixtures.js'

// Strings found nowhere else, to look for in the file's bytes.
const PATIENT = { lastName: 'Zorglubienne', firstName: 'Quetzalcoatla', birthDate: '1931-03-17', phone: '06 98 76 54 32' }
const REASON = 'Vertigesmarqueurs depuis hier'
const CANCEL = 'Annulationtemoin par Mme Zorglubienne'

async function publishSlotAs (app: Parameters<typeof publishSlot>[0], authorization: string, start: string, end: string): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/api/slots', headers: { authorization }, payload: { start, end, kind: 'snp', mode: 'office' } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json()
}

const fileHas = (path: string, needle: string): boolean =>
  [path, `${path}-wal`].some((p) => existsSync(p) && readFileSync(p).includes(Buffer.from(needle, 'utf8')))

t.test('past PATIENT_DATA_MONTHS, patient identity and reasons are erased, the figures stay', async (t) => {
  const { app, db, clock, config } = await build(t)
  const terr = await territory(app)
  // Bearer tokens do not expire: the test spans two years.
  const as = async (cookie: string) => ({ authorization: `Bearer ${await bearerToken(app, cookie)}` })
  const gp = await as(terr.users.gp.cookie)
  const reg = await as(terr.users.regulator.cookie)
  const board = await as(terr.users.board.cookie)
  const book = async (slotId: string, key: string) => {
    const res = await app.inject({ method: 'POST', url: `/api/slots/${slotId}/booking`, headers: { authorization: reg.authorization }, payload: { patient: PATIENT, reason: REASON, hasTreatingGp: 'no', idempotencyKey: key } })
    t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
    return res.json()
  }
  const honored = await book((await publishSlotAs(app, gp.authorization, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')).id, 'a')
  const cancelled = await book((await publishSlotAs(app, gp.authorization, '2026-06-02T12:30:00+02:00', '2026-06-02T12:45:00+02:00')).id, 'b')
  t.equal((await app.inject({ method: 'POST', url: `/api/bookings/${cancelled.id}/cancel`, headers: { authorization: reg.authorization }, payload: { reason: CANCEL } })).statusCode, 200)
  clock.set('2026-06-02T10:30:00Z')
  const outcome = await app.inject({ method: 'POST', url: `/api/bookings/${honored.id}/outcome`, headers: { authorization: gp.authorization }, payload: { outcome: 'honored' } })
  t.equal(outcome.statusCode, 200, 'HTTP 200', { body: outcome.body })

  const report = async () => (await app.inject({ method: 'GET', url: '/api/reports/season?from=2026-06-01&to=2026-06-30', headers: { authorization: board.authorization } })).json()
  const before = await report()
  t.equal(before.totals.booked, 1)

  t.same(await app.retention.runOnce().then((r) => r?.bookings), 0, 'nothing is erased within the retention period')
  // The bytes of the file are SQLite's concern (secure_delete, WAL truncated); PostgreSQL's dead
  // tuples go with its VACUUM.
  const sqlite = config.databaseUrl === null
  if (sqlite) t.ok(fileHas(config.dbFile, PATIENT.lastName), 'the name is in the database file while it is kept')

  clock.set('2027-06-03T08:00:00Z') // 12 months and a day after the slots
  const recent = await book((await publishSlotAs(app, gp.authorization, '2027-06-04T12:00:00+02:00', '2027-06-04T12:15:00+02:00')).id, 'c')
  const run = (await app.retention.runOnce())!
  t.equal(run.bookings, 2, 'the two old bookings are erased')

  t.same(await report(), before, 'the season report is the same, to the last figure')
  const rows = await db.selectFrom('bookings').innerJoin('slots', 'slots.id', 'bookings.slot_id').selectAll('bookings').orderBy('slots.start_at').execute()
  t.same(rows.map((r) => [r.status, r.has_treating_gp, r.patient_last_name, r.reason, r.cancel_reason]), [
    ['honored', 'no', null, null, null],
    ['cancelled', 'no', null, null, null],
    ['booked', 'no', PATIENT.lastName, REASON, null]
  ], 'bookings, outcomes and treating-GP answers stay; only the recent one keeps its patient')
  t.equal(rows[2]!.id, recent.id)

  const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'patient_data.purge').orderBy('id').execute()
  t.equal(audit.length, 3, 'one audit entry per run: at start by itself, then the two runs above')
  t.same(audit.map((a) => JSON.parse(a.detail ?? '{}').bookings), [0, 0, 2])
  t.match(JSON.parse(audit[2]!.detail ?? '{}'), { months: 12, slotsEndedBefore: '2026-06-03T08:00:00.000Z' })

  // The recent booking still has them: erase it too, then look at the bytes.
  clock.set('2028-07-01T08:00:00Z')
  t.equal((await app.retention.runOnce())?.bookings, 1)
  for (const needle of sqlite ? [PATIENT.lastName, PATIENT.firstName, REASON, 'Annulationtemoin', '06 98 76 54 32'] : []) {
    t.notOk(fileHas(config.dbFile, needle), `"${needle}" is nowhere in the file nor its WAL`)
  }
})

t.test('PATIENT_DATA_MONTHS sets the period', async (t) => {
  const { app, clock } = await build(t, { PATIENT_DATA_MONTHS: '1' })
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: terr.users.regulator.cookie }, payload: { patient: PATIENT, hasTreatingGp: 'yes' } })
  clock.set('2026-07-01T08:00:00Z')
  t.equal((await app.retention.runOnce())?.bookings, 0, 'less than a month after the slot: kept')
  clock.set('2026-07-03T08:00:00Z')
  t.equal((await app.retention.runOnce())?.bookings, 1, 'a month after: erased')
})
