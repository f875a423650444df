// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * Each event row names the booking it is about and who made the change, as the writer knows
 * them: the delivery worker reads a cancellation's booking there, instead of finding the
 * booking of that slot cancelled at the event's instant.
 *
 * Older rows are filled where the database says so for certain: the booking of `slot.booked`
 * and `booking.outcome` from the slot view they carry; a cancellation's when exactly one booking
 * of its slot was cancelled at its instant; the actor of a booking (`booked_by`), of a
 * cancellation (`cancelled_by`) and of a hold (the holder in the view). The rest stays null:
 * who published, withdrew or released, and who recorded an outcome later corrected, were never
 * written down. No foreign keys, like `slot_id`: the log outlives what it names.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('booking_id', 'text').execute()
  await db.schema.alterTable('events').addColumn('actor_id', 'text').execute()
  const field = (name: string) => isPostgres(db)
    ? sql`(payload::json ->> ${sql.lit(name)})`
    : sql`json_extract(payload, ${sql.lit('$.' + name)})`
  const holder = isPostgres(db) ? sql`(payload::json -> 'hold' ->> 'holderId')` : sql`json_extract(payload, '$.hold.holderId')`
  await sql`UPDATE events SET booking_id = ${field('bookingId')} WHERE type IN ('slot.booked', 'booking.outcome')`.execute(db)
  const cancelledThen = sql`FROM bookings b WHERE b.slot_id = events.slot_id AND b.status = 'cancelled' AND b.cancelled_at = events.at`
  await sql`UPDATE events SET booking_id = (SELECT b.id ${cancelledThen})
    WHERE type = 'booking.cancelled' AND (SELECT count(*) ${cancelledThen}) = 1`.execute(db)
  await sql`UPDATE events SET actor_id = (SELECT b.booked_by FROM bookings b WHERE b.id = events.booking_id)
    WHERE type = 'slot.booked' AND booking_id IS NOT NULL`.execute(db)
  await sql`UPDATE events SET actor_id = (SELECT b.cancelled_by FROM bookings b WHERE b.id = events.booking_id)
    WHERE type = 'booking.cancelled' AND booking_id IS NOT NULL`.execute(db)
  await sql`UPDATE events SET actor_id = ${holder} WHERE type = 'slot.held'`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('actor_id').execute()
  await db.schema.alterTable('events').dropColumn('booking_id').execute()
}
