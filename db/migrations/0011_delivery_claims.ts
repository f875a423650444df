// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * Several instances share the delivery queue (PostgreSQL): a worker claims the deliveries it is
 * about to send until `claimed_until` (a lease), so that no other worker sends them meanwhile; a
 * worker that dies mid-send leaves a lease that runs out, and the rows are claimed again.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('claimed_until', 'text').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('claimed_until').execute()
}
