// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

export async function up (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  await db.schema.createTable('slots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practitioner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('cpts_id', 'text', (c) => c.notNull().references('cpts.id'))
    .addColumn('start_at', 'text', (c) => c.notNull())
    .addColumn('end_at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('snp', 'psy')`))
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('office', 'video', 'home')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('free', 'held', 'booked', 'withdrawn')`))
    .addColumn('hold_by', 'text', (c) => c.references('users.id'))
    .addColumn('hold_expires_at', 'text')
    .addColumn('booking_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .addCheckConstraint('slots_end_after_start', sql`end_at > start_at`)
    // A held slot always says by whom and until when; a booked one always names its booking.
    .addCheckConstraint('slots_hold_consistent', sql`(status = 'held') = (hold_by is not null and hold_expires_at is not null)`)
    .addCheckConstraint('slots_booking_consistent', sql`(status = 'booked') = (booking_id is not null)`)
    .execute()
  // The live list and the board read open slots by time; practitioners read theirs.
  await db.schema.createIndex('slots_status_start').on('slots').columns(['status', 'start_at']).execute()
  await db.schema.createIndex('slots_practitioner_start').on('slots').columns(['practitioner_id', 'start_at']).execute()
  await db.schema.createIndex('slots_cpts_start').on('slots').columns(['cpts_id', 'start_at']).execute()
  await db.schema.createIndex('slots_start').on('slots').column('start_at').execute()

  await db.schema.createTable('bookings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slot_id', 'text', (c) => c.notNull().references('slots.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booked', 'cancelled', 'honored', 'no_show')`))
    .addColumn('patient_last_name', 'text')
    .addColumn('patient_first_name', 'text')
    .addColumn('patient_birth_date', 'text')
    .addColumn('patient_phone', 'text')
    .addColumn('reason', 'text')
    .addColumn('has_treating_gp', 'text', (c) => c.notNull().check(sql`has_treating_gp in ('yes', 'no', 'unknown')`))
    .addColumn('booked_by', 'text', (c) => c.references('users.id'))
    .addColumn('booked_at', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('cancelled_by', 'text', (c) => c.references('users.id'))
    .addColumn('outcome_at', 'text')
    .addColumn('outcome_by', 'text', (c) => c.references('users.id'))
    .execute()
  // The database itself makes a double booking impossible: one live booking per slot.
  await sql`CREATE UNIQUE INDEX bookings_one_live_per_slot ON bookings (slot_id) WHERE status <> 'cancelled'`.execute(db)
  await sql`CREATE UNIQUE INDEX bookings_idempotency ON bookings (booked_by, idempotency_key) WHERE idempotency_key IS NOT NULL`.execute(db)
  await db.schema.createIndex('bookings_slot').on('bookings').column('slot_id').execute()
  await db.schema.createIndex('bookings_booked_at').on('bookings').column('booked_at').execute()

  // Readers follow the log by seq with no gap (README, /api/live). SQLite has one writer at a
  // time, so autoincrement hands out seqs in commit order. PostgreSQL's sequences do not (a
  // later seq may commit first, a rollback leaves a hole): there the writer takes the next seq
  // from the one row of events_counter (`UPDATE … SET last = last + 1 RETURNING last`), whose
  // row lock holds the next writer until this transaction ends.
  await db.schema.createTable('events')
    .addColumn('seq', pg ? 'bigint' : 'integer', (c) => pg ? c.primaryKey() : c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('slot_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute()
  if (pg) {
    await db.schema.createTable('events_counter')
      .addColumn('id', 'integer', (c) => c.primaryKey().defaultTo(1).check(sql`id = 1`))
      .addColumn('last', 'bigint', (c) => c.notNull())
      .execute()
    await db.insertInto('events_counter').values({ id: 1, last: 0 }).execute()
  }

  await db.schema.createTable('calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('regulator_id', 'text', (c) => c.references('users.id'))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('has_treating_gp', 'text', (c) => c.notNull())
    .addColumn('booking_id', 'text', (c) => c.references('bookings.id'))
    .addColumn('commune_code', 'text')
    .addColumn('cpts_id', 'text', (c) => c.references('cpts.id'))
    .execute()
  await db.schema.createIndex('calls_at').on('calls').column('at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await db.schema.dropTable('events_counter').execute()
  for (const t of ['calls', 'events', 'bookings', 'slots']) await db.schema.dropTable(t).execute()
}
