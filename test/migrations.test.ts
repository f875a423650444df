import t from 'tap'
import { NO_MIGRATIONS, sql, type Kysely } from 'kysely'
import { isPostgres } from '../db/dialect.js'
import { uniqueViolation } from '../db/errors.js'
import { migrateToLatest, migratorFor } from '../db/migrate.js'
import { migrations } from '../db/migrations/index.js'
import { scratchDb, TEST_ENGINE } from './helpers/database.js'

const AT = '2026-06-01T08:00:00.000Z'

/** The tables of the test's database (on PostgreSQL, of its schema), but kysely's own. */
async function tables (db: Kysely<any>): Promise<string[]> {
  const schema = isPostgres(db) ? (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0]?.s : undefined
  return (await db.introspection.getTables()).filter((r) => schema === undefined || r.schema === schema).map((r) => r.name).sort()
}

t.test(`every migration goes up, down and up again (${TEST_ENGINE})`, async (t) => {
  const db = await scratchDb(t) as unknown as Kysely<any>
  t.equal(isPostgres(db), TEST_ENGINE === 'postgres', 'the dialect is seen as it is')
  t.same(await migrateToLatest(db), Object.keys(migrations))
  const migrated = await tables(db)
  t.ok(migrated.includes('slots') && migrated.includes('deliveries'))
  t.equal(migrated.includes('events_counter'), TEST_ENGINE === 'postgres', 'the seq counter is PostgreSQL\'s only')

  const down = await (await migratorFor(db)).migrateTo(NO_MIGRATIONS)
  t.error(down.error, 'down to nothing')
  t.same(await tables(db), [], 'no table left')
  t.same(await migrateToLatest(db), Object.keys(migrations), 'and up again')
  t.same(await tables(db), migrated)
  t.same(await migrateToLatest(db), [], 'then nothing to do')
})

t.test(`the triggers of the schema (${TEST_ENGINE})`, async (t) => {
  const db = await scratchDb(t) as unknown as Kysely<any>
  await migrateToLatest(db)

  await db.insertInto('audit_log').values({ at: AT, action: 'x', subject_type: 'y' }).execute()
  const [entry] = await db.selectFrom('audit_log').selectAll().execute()
  t.equal(entry?.id, 1, 'audit ids are generated, as numbers')
  await t.rejects(db.updateTable('audit_log').set({ action: 'forged' }).execute(), /append-only/)
  await t.rejects(db.deleteFrom('audit_log').execute(), /append-only/)
  if (TEST_ENGINE === 'postgres') await t.rejects(sql`TRUNCATE audit_log`.execute(db), /append-only/)

  // A slot's booking facts and released holds follow its bookings and events.
  await db.insertInto('cpts').values({ id: 'c', name: 'C', timezone: 'Europe/Paris', created_at: AT }).execute()
  await db.insertInto('users').values({ id: 'u', email: 'u@x', name: 'U', role: 'practitioner', password_hash: 'x', cpts_id: 'c', created_at: AT }).execute()
  await db.insertInto('slots').values({
    id: 's', practitioner_id: 'u', cpts_id: 'c', start_at: '2026-06-02T08:00:00.000Z', end_at: '2026-06-02T08:15:00.000Z',
    kind: 'snp', mode: 'office', status: 'booked', booking_id: 'b', created_at: AT, updated_at: AT, local_date: '2026-06-02', local_hour: 10, iso_week: '2026-W23'
  }).execute()
  // 22 h 30 min 31 s before the start: 1350.52 minutes, 1351. (At exactly a half minute the
  // engines may differ by one: SQLite's julianday is a float, PostgreSQL's timestamps are exact.)
  await db.insertInto('bookings').values({ id: 'b', slot_id: 's', status: 'booked', has_treating_gp: 'no', booked_at: '2026-06-01T09:29:29.000Z' }).execute()
  const facts = () => db.selectFrom('slots').select(['booking_status', 'booking_has_treating_gp', 'lead_minutes', 'released_holds']).executeTakeFirstOrThrow()
  t.same(await facts(), { booking_status: 'booked', booking_has_treating_gp: 'no', lead_minutes: 1351, released_holds: 0 })
  await db.updateTable('bookings').set({ status: 'honored' }).execute()
  t.same(await facts(), { booking_status: 'honored', booking_has_treating_gp: 'no', lead_minutes: 1351, released_holds: 0 })
  await db.updateTable('bookings').set({ status: 'cancelled' }).execute()
  t.same(await facts(), { booking_status: null, booking_has_treating_gp: null, lead_minutes: null, released_holds: 0 })
  await db.insertInto('events').values([
    { seq: 1, at: AT, type: 'slot.released', slot_id: 's', payload: '{}' },
    { seq: 2, at: AT, type: 'slot.held', slot_id: 's', payload: '{}' }
  ]).execute()
  t.equal((await facts()).released_holds, 1, 'released holds counted')
})

// SQLite numbers events itself (autoincrement, one writer at a time).
if (TEST_ENGINE === 'postgres') t.test('PostgreSQL: one counter row for the event seq', async (t) => {
  const db = await scratchDb(t) as unknown as Kysely<any>
  await migrateToLatest(db)
  t.same(await db.selectFrom('events_counter').selectAll().execute(), [{ id: 1, last: 0 }])
  await t.rejects(db.insertInto('events_counter').values({ id: 2, last: 0 }).execute(), /check/i, 'a second row is refused')
  const next = await sql<{ last: number }>`UPDATE events_counter SET last = last + 1 RETURNING last`.execute(db)
  t.same(next.rows, [{ last: 1 }], 'read back as a number')
})

t.test(`a broken unique constraint is named alike on both engines (${TEST_ENGINE})`, async (t) => {
  const db = await scratchDb(t) as unknown as Kysely<any>
  await migrateToLatest(db)
  const user = { id: 'u1', email: 'a@x', name: 'A', role: 'regulator', password_hash: 'x', created_at: AT }
  await db.insertInto('users').values(user).execute()
  const err = await db.insertInto('users').values({ ...user, id: 'u2' }).execute().then(() => null, (e: unknown) => e)
  t.equal(uniqueViolation(err), 'users.email')
  t.equal(uniqueViolation(new Error('UNIQUE')), null, 'another error is none')
})

t.test(`0014: practitioners get their IDNPS, unique among active accounts (${TEST_ENGINE})`, async (t) => {
  const db = await scratchDb(t) as unknown as Kysely<any>
  const migrator = await migratorFor(db)
  t.error((await migrator.migrateTo('0013_password_resets')).error)
  await db.insertInto('cpts').values({ id: 'c', name: 'C', timezone: 'Europe/Paris', created_at: AT }).execute()
  const user = (id: string, role: string) => ({ id, email: `${id}@x`, name: id, role, password_hash: 'x', cpts_id: 'c', created_at: AT })
  await db.insertInto('users').values([user('gp', 'practitioner'), user('reg', 'regulator')]).execute()
  await db.insertInto('practitioners').values({ user_id: 'gp', rpps: '10003000001', profession: 'gp', address: 'a', postal_code: '44000', commune: 'Nantes', commune_code: '44109', phone: '0240000000' }).execute()
  t.error((await migrator.migrateToLatest()).error)
  const rows = await db.selectFrom('users').select(['id', 'idnps']).orderBy('id').execute()
  t.same(rows, [{ id: 'gp', idnps: '810003000001' }, { id: 'reg', idnps: null }], 'backfilled from the RPPS, none for the regulator')

  await t.rejects(db.updateTable('users').set({ idnps: '810003000001' }).where('id', '=', 'reg').execute(), 'two active accounts cannot share an IDNPS')
  await db.updateTable('users').set({ disabled_at: AT }).where('id', '=', 'gp').execute()
  await db.updateTable('users').set({ idnps: '810003000001' }).where('id', '=', 'reg').execute()
  t.equal((await db.selectFrom('users').select('idnps').where('id', '=', 'reg').executeTakeFirstOrThrow()).idnps, '810003000001',
    'once the first account is deactivated, another may take its IDNPS')
})

t.test(`0015: event rows name their booking and actor, backfilled where certain (${TEST_ENGINE})`, async (t) => {
  const db = await scratchDb(t) as unknown as Kysely<any>
  const migrator = await migratorFor(db)
  t.error((await migrator.migrateTo('0014_users_idnps')).error)
  await db.insertInto('cpts').values({ id: 'c', name: 'C', timezone: 'Europe/Paris', created_at: AT }).execute()
  const user = (id: string, role: string) => ({ id, email: `${id}@x`, name: id, role, password_hash: 'x', cpts_id: 'c', created_at: AT })
  await db.insertInto('users').values([user('gp', 'practitioner'), user('reg', 'regulator')]).execute()
  for (const [id, start] of [['s1', '2026-06-02T08:00:00.000Z'], ['s2', '2026-06-02T09:00:00.000Z']] as const) {
    await db.insertInto('slots').values({
      id, practitioner_id: 'gp', cpts_id: 'c', start_at: start, end_at: start.replace(':00:00', ':15:00'),
      kind: 'snp', mode: 'office', status: 'free', created_at: AT, updated_at: AT, local_date: '2026-06-02', local_hour: 10, iso_week: '2026-W23'
    }).execute()
  }
  const CANCEL = '2026-06-01T09:00:00.000Z'
  const booking = (id: string, slot: string, status: string, cancelledAt: string | null = null) =>
    ({ id, slot_id: slot, status, has_treating_gp: 'no', booked_at: AT, booked_by: 'reg', cancelled_at: cancelledAt, cancelled_by: cancelledAt === null ? null : 'gp' })
  await db.insertInto('bookings').values([
    booking('b1', 's1', 'cancelled', CANCEL), booking('b2', 's2', 'cancelled', CANCEL), booking('b3', 's2', 'cancelled', CANCEL), booking('b4', 's1', 'honored')
  ]).execute()
  const ev = (seq: number, type: string, slot: string, payload: object, at = AT) => ({ seq, at, type, slot_id: slot, payload: JSON.stringify({ id: slot, ...payload }) })
  await db.insertInto('events').values([
    ev(1, 'slot.published', 's1', {}),
    ev(2, 'slot.held', 's1', { hold: { holderId: 'reg', expiresAt: AT } }),
    ev(3, 'slot.booked', 's1', { bookingId: 'b1' }),
    ev(4, 'booking.cancelled', 's1', {}, CANCEL),
    ev(5, 'booking.cancelled', 's2', {}, CANCEL),
    ev(6, 'booking.outcome', 's1', { bookingId: 'b4' })
  ]).execute()
  t.error((await migrator.migrateToLatest()).error)
  const rows = await db.selectFrom('events').select(['seq', 'booking_id', 'actor_id']).orderBy('seq').execute()
  t.same(rows.map((r) => [Number(r.seq), r.booking_id, r.actor_id]), [
    [1, null, null],
    [2, null, 'reg'],
    [3, 'b1', 'reg'],
    [4, 'b1', 'gp'],
    [5, null, null],
    [6, 'b4', null]
  ], 'the booking from the view or the one cancellation at that instant, the actor where the rows say it; two cancellations at one instant: none')
})

t.test(`0019: places, memberships, a slot's place, backfilled (${TEST_ENGINE})`, async (t) => {
  const db = await scratchDb(t) as unknown as Kysely<any>
  const migrator = await migratorFor(db)
  t.error((await migrator.migrateTo('0018_sas_formats')).error)
  await db.insertInto('cpts').values([{ id: 'c', name: 'C', timezone: 'Europe/Paris', created_at: AT }, { id: 'd', name: 'D', timezone: 'Europe/Paris', created_at: AT }]).execute()
  const user = (id: string, role: string) => ({ id, email: `${id}@x`, name: id, role, password_hash: 'x', cpts_id: 'c', created_at: AT })
  await db.insertInto('users').values([user('gp', 'practitioner'), user('reg', 'regulator')]).execute()
  await db.insertInto('practitioners').values({ user_id: 'gp', rpps: '10003000001', profession: 'gp', address: '1 rue A', postal_code: '44000', commune: 'Nantes', commune_code: '44109', phone: '0240000000', structure_id: '1440000001' }).execute()
  await db.insertInto('slots').values({
    id: 's1', practitioner_id: 'gp', cpts_id: 'c', start_at: '2026-06-02T08:00:00.000Z', end_at: '2026-06-02T08:15:00.000Z',
    kind: 'snp', mode: 'office', status: 'free', created_at: AT, updated_at: AT, local_date: '2026-06-02', local_hour: 10, iso_week: '2026-W23'
  }).execute()
  const before = await db.selectFrom('slots').select(['version', 'updated_at']).executeTakeFirstOrThrow()
  const rollupBefore = await db.selectFrom('report_practitioner_days').selectAll().execute()
  t.error((await migrator.migrateToLatest()).error)

  t.same(await db.selectFrom('practitioner_places').selectAll().execute(), [{
    id: 'gp', practitioner_id: 'gp', label: 'Nantes', address: '1 rue A', postal_code: '44000', commune: 'Nantes', commune_code: '44109',
    structure_id: '1440000001', phone: null, is_home: 1, created_at: AT, archived_at: null, revision: 0, revised_at: null
  }], 'the practice became the home place, under the user id (FHIR ids unchanged); 0024: its address never edited')
  t.same(await db.selectFrom('cpts_memberships').selectAll().execute(), [{ practitioner_id: 'gp', cpts_id: 'c', created_at: AT }], 'the CPTS became a membership; none for the regulator')
  const slot = await db.selectFrom('slots').select(['place_id', 'version', 'updated_at']).executeTakeFirstOrThrow()
  t.equal(slot.place_id, 'gp', 'the slot is at the home place')
  t.same({ version: slot.version, updated_at: slot.updated_at }, before, 'no version bump: the feeds\' SEQUENCE does not move')
  t.same(await db.selectFrom('report_practitioner_days').selectAll().execute(), rollupBefore, 'the rollups did not move')

  const place = { practitioner_id: 'gp', label: 'B', address: 'b', postal_code: '44000', commune: 'Nantes', commune_code: '44109', created_at: AT }
  await t.rejects(db.insertInto('practitioner_places').values({ ...place, id: 'p2', is_home: 1 }).execute(), 'a second home place is refused')
  await db.insertInto('practitioner_places').values({ ...place, id: 'p2', is_home: 0 }).execute()
  await db.insertInto('slot_offers').values({ slot_id: 's1', cpts_id: 'd' }).execute()
  await t.rejects(db.insertInto('slot_offers').values({ slot_id: 's1', cpts_id: 'd' }).execute(), 'one offer per slot and CPTS')
  await t.rejects(db.deleteFrom('slots').where('id', '=', 's1').execute(), 'a slot with offers cannot be deleted before them')
  await t.rejects(db.insertInto('cpts_memberships').values({ practitioner_id: 'gp', cpts_id: 'c', created_at: AT }).execute(), 'one membership per CPTS')

  await db.deleteFrom('slot_offers').execute()
  t.error((await migrator.migrateTo('0018_sas_formats')).error, 'down')
  t.notOk((await tables(db)).includes('practitioner_places'))
  t.error((await migrator.migrateToLatest()).error, 'and up again')
})

t.test(`0020: a slot offered to other CPTS counts in each one's offer rollup, exactly (${TEST_ENGINE})`, async (t) => {
  const db = await scratchDb(t) as unknown as Kysely<any>
  const migrator = await migratorFor(db)
  t.error((await migrator.migrateTo('0019_places')).error)
  await db.insertInto('cpts').values(['a', 'b', 'c'].map((id) => ({ id, name: id.toUpperCase(), timezone: 'Europe/Paris', created_at: AT }))).execute()
  await db.insertInto('users').values({ id: 'gp', email: 'gp@x', name: 'GP', role: 'practitioner', password_hash: 'x', cpts_id: 'a', created_at: AT }).execute()
  const slot = (id: string, hour: number) => ({
    id, practitioner_id: 'gp', cpts_id: 'a', start_at: `2026-06-02T${String(hour - 2).padStart(2, '0')}:00:00.000Z`, end_at: `2026-06-02T${String(hour - 2).padStart(2, '0')}:15:00.000Z`,
    kind: 'snp', mode: 'office', status: 'free', created_at: AT, updated_at: AT, local_date: '2026-06-02', local_hour: hour, iso_week: '2026-W23'
  })
  // Before 0020: one slot offered to b besides its own a, which the migration counts.
  await db.insertInto('slots').values(slot('s1', 10)).execute()
  await db.insertInto('slot_offers').values({ slot_id: 's1', cpts_id: 'b' }).execute()
  t.error((await migrator.migrateToLatest()).error)

  const counters = ['total', 'withdrawn', 'booked', 'honored', 'no_show', 'without_gp'] as const
  const rows = async (table: 'report_offer_days' | 'report_practitioner_days'): Promise<string[]> =>
    (await db.selectFrom(table).selectAll().orderBy('cpts_id').execute())
      .filter((r) => counters.some((c) => Number(r[c]) !== 0))
      .map((r) => `${r.cpts_id} ${r.practitioner_id} ${r.kind} ${r.iso_week} ${r.local_date}: ${counters.map((c) => Number(r[c])).join(' ')}`)
  t.same(await rows('report_offer_days'), ['b gp snp 2026-W23 2026-06-02: 1 0 0 0 0 0'], 'backfilled from the offers there')

  // Offers are written after their slot: each adds the slot as it is.
  await db.insertInto('slots').values(slot('s2', 11)).execute()
  t.same(await rows('report_offer_days'), ['b gp snp 2026-W23 2026-06-02: 1 0 0 0 0 0'], 'a slot alone adds nothing')
  await db.insertInto('slot_offers').values([{ slot_id: 's2', cpts_id: 'b' }, { slot_id: 's2', cpts_id: 'c' }]).execute()
  t.same(await rows('report_offer_days'), ['b gp snp 2026-W23 2026-06-02: 2 0 0 0 0 0', 'c gp snp 2026-W23 2026-06-02: 1 0 0 0 0 0'], 'an offer adds')

  // A booking (0003's triggers update the slot) moves the counters of every CPTS it is offered to.
  await db.updateTable('slots').set({ status: 'booked', booking_id: 'k' }).where('id', '=', 's2').execute()
  await db.insertInto('bookings').values({ id: 'k', slot_id: 's2', status: 'booked', has_treating_gp: 'no', booked_at: AT }).execute()
  await db.updateTable('bookings').set({ status: 'honored' }).where('id', '=', 'k').execute()
  t.same(await rows('report_offer_days'), ['b gp snp 2026-W23 2026-06-02: 2 0 1 1 0 1', 'c gp snp 2026-W23 2026-06-02: 1 0 1 1 0 1'], 'a slot update moves each offered CPTS')
  await db.updateTable('slots').set({ status: 'withdrawn' }).where('id', '=', 's1').execute()
  t.same(await rows('report_offer_days'), ['b gp snp 2026-W23 2026-06-02: 2 1 1 1 0 1', 'c gp snp 2026-W23 2026-06-02: 1 0 1 1 0 1'], 'and only those')
  t.same(await rows('report_practitioner_days'), ['a gp snp 2026-W23 2026-06-02: 2 1 1 1 0 1'], 'the territory counts each slot once, under its own CPTS')

  await t.rejects(db.deleteFrom('slots').where('id', '=', 's2').execute(), 'a slot with offers cannot be deleted: its offers go first')
  await db.deleteFrom('slot_offers').where('slot_id', '=', 's2').where('cpts_id', '=', 'c').execute()
  t.same(await rows('report_offer_days'), ['b gp snp 2026-W23 2026-06-02: 2 1 1 1 0 1'], 'an offer deleted subtracts the slot as it is')
  await db.deleteFrom('slot_offers').where('slot_id', '=', 's2').execute()
  await db.deleteFrom('bookings').where('slot_id', '=', 's2').execute()
  await db.deleteFrom('slots').where('id', '=', 's2').execute()
  t.same(await rows('report_offer_days'), ['b gp snp 2026-W23 2026-06-02: 1 1 0 0 0 0'], 'then the slot goes, leaving the others')

  const before = await rows('report_offer_days')
  t.error((await migrator.migrateTo('0019_places')).error)
  t.notOk((await tables(db)).includes('report_offer_days'), 'down drops the rollup')
  t.error((await migrator.migrateToLatest()).error)
  t.same(await rows('report_offer_days'), before, 'up again: the backfill gives what the triggers kept')
})
