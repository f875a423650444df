// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * The CPTS's FINESS number (9 digits, optional). With it, the CPTS can be named in the national
 * SAS platform's FHIR answers (INT_R04: an Organization identified by "1" + FINESS).
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cpts').addColumn('finess', 'text').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cpts').dropColumn('finess').execute()
}
