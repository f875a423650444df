// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * A place's address is each of its slots' LOCATION in the practitioner's calendar feed. The feed
 * said a slot changed only when the slot did (SEQUENCE = its version): a practice that moved
 * kept its old address in calendars that keep an event whose SEQUENCE did not rise. `revision`
 * counts the edits of a place's address (the feed adds it to the slot's version) and
 * `revised_at` is the last one's time (the feed's LAST-MODIFIED when later than the slot's).
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('practitioner_places').addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('practitioner_places').addColumn('revised_at', 'text').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('practitioner_places').dropColumn('revised_at').execute()
  await db.schema.alterTable('practitioner_places').dropColumn('revision').execute()
}
