// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * One-time password-reset links an admin gives an account. Only the sha256 of the link's secret
 * is kept; `used_at` is set by the one conditional UPDATE that spends it, so it works once.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('password_resets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema.createIndex('password_resets_user').on('password_resets').column('user_id').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('password_resets').execute()
}
