// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * A regulator's identifier at the national SAS platform (INT_R02), optional. Appointments sent
 * to the SAS (INT_R03) name their operator by it; a regulator without one is not sent there.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('sas_id', 'text').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('sas_id').execute()
}
