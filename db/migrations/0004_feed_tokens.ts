// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * One calendar-feed secret per practitioner (iCal subscription URL). The token is kept in
 * clear so that /praticien can show the address again (the feed carries no patient identity);
 * requests are looked up by its sha256, so that no comparison runs on the secret itself.
 * Rotating replaces both: the old address stops answering at once.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('feed_tokens')
    .addColumn('practitioner_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('feed_tokens').execute()
}
