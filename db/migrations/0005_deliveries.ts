// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * The delivery queue (e-mail notices, appointments to the SAS platform). The event log is the
 * outbox: each channel keeps a cursor in it, and turns the booking events it has read into
 * `deliveries` rows in the transaction that moves its cursor. A row is sent, retried with
 * backoff, and ends `sent_at` or `failed_at`. `payload` is what goes out (never patient data).
 */
export async function up (db: Kysely<any>): Promise<void> {
  // Seqs are events.seq (bigint on PostgreSQL, where `integer` is 32 bits; SQLite's is 64).
  const pg = isPostgres(db)
  const seqType = pg ? 'bigint' : 'integer'
  await db.schema.createTable('delivery_cursors')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', seqType, (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema.createTable('deliveries')
    .addColumn('id', seqType, (c) => pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('event_seq', seqType, (c) => c.notNull())
    .addColumn('booking_id', 'text', (c) => c.notNull().references('bookings.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('booked', 'cancelled', 'honored', 'no_show')`))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('failed_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    // An event is turned into at most one delivery per channel, however often it is read.
    .addUniqueConstraint('deliveries_channel_event', ['channel', 'event_seq'])
    .execute()
  // The worker reads what is due per channel, and a booking's earlier deliveries (kept in order).
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['channel', 'sent_at', 'failed_at', 'next_attempt_at']).execute()
  await db.schema.createIndex('deliveries_booking').on('deliveries').columns(['channel', 'booking_id', 'event_seq']).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('deliveries').execute()
  await db.schema.dropTable('delivery_cursors').execute()
}
