// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * The series a slot was published in (POST /api/slots/series), so that a practitioner can
 * withdraw a whole series, or one day of it, in one action. Null for a slot published alone,
 * imported, or published before this migration.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('slots').addColumn('series_id', 'text').execute()
  await db.schema.createIndex('slots_practitioner_series').on('slots').columns(['practitioner_id', 'series_id']).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('slots_practitioner_series').execute()
  await db.schema.alterTable('slots').dropColumn('series_id').execute()
}
