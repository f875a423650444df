// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * Rate-limit counters shared by several instances (PostgreSQL): one row per limited key (hashed:
 * never an address or an e-mail in clear) and fixed time window, its hits counted by an upsert.
 * Rows are purged once their window has ended. SQLite (one server) counts in memory and leaves
 * the table empty.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pk', ['key', 'window_start'])
    .execute()
  await db.schema.createIndex('rate_limits_expires').on('rate_limits').column('expires_at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute()
}
