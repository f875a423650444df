// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * Issue 25, the waiting list: a call that found no slot leaves a request, recovered when a
 * matching slot opens.
 *
 * - `waiting_requests`: one request a row. Its patient columns (identity, callback phone, reason)
 *   are health data: null once erased by the retention purge. `not_after` ends its window (an
 *   instant, UTC): a slot must start before it. `status` is open until booked (`booking_id`),
 *   withdrawn (`end_reason`) or expired (by the server's sweeper).
 * - Its claim lives on the row (`claim_by`, `claim_expires_at`, `claim_slot_id`), taken by one
 *   conditional UPDATE (free, mine, or lapsed): the database lets one regulator through, on any
 *   instance, and a claim past its expiry is free again, as a slot's hold is.
 * - `events.request_id`: request events share the slots' log (one gapless seq, one replay); their
 *   `slot_id` is the slot they name ('' when none) and their payload the request without patient data.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('waiting_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('call_id', 'text', (c) => c.references('calls.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('cpts_id', 'text', (c) => c.references('cpts.id'))
    .addColumn('commune_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    /** Comma-separated modes the patient accepts: office, video, home. */
    .addColumn('modes', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('has_treating_gp', 'text', (c) => c.notNull())
    .addColumn('patient_last_name', 'text')
    .addColumn('patient_first_name', 'text')
    .addColumn('patient_birth_date', 'text')
    .addColumn('patient_phone', 'text')
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('claim_by', 'text', (c) => c.references('users.id'))
    .addColumn('claim_expires_at', 'text')
    .addColumn('claim_slot_id', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('ended_by', 'text', (c) => c.references('users.id'))
    .addColumn('end_reason', 'text')
    .addColumn('booking_id', 'text', (c) => c.references('bookings.id'))
    .execute()
  // The open list (and the matcher, the sweeper): open requests by the end of their window.
  await db.schema.createIndex('waiting_requests_open').on('waiting_requests').columns(['status', 'not_after']).execute()
  // The board's figures by period, the retention purge by age.
  await db.schema.createIndex('waiting_requests_created').on('waiting_requests').column('created_at').execute()
  await db.schema.createIndex('waiting_requests_booking').on('waiting_requests').column('booking_id').execute()
  await db.schema.alterTable('events').addColumn('request_id', 'text').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('request_id').execute()
  await db.schema.dropTable('waiting_requests').execute()
}
