// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * Season imports written in steps (issue 24): on SQLite a large import no longer holds the one
 * write lock for its whole run, it writes its slots in short transactions, and live writes go
 * in between. Each step is journalled here, in the transaction that writes it, so that an import
 * that fails or dies half-way is undone, whole:
 * - `season_import_runs`: one row per import under way; `heartbeat_at` (wall time) is renewed by
 *   each step: a run not renewed for a while belongs to a dead process. The last step deletes
 *   it, with the audit entry: that commit is the import's.
 * - `season_import_steps`: the ids of the slots each step wrote (a JSON array), to delete them
 *   (and their bookings) when the run is undone.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('season_import_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createTable('season_import_steps')
    .addColumn('run_id', 'text', (c) => c.notNull().references('season_import_runs.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('slot_ids', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('season_import_steps_pk', ['run_id', 'seq'])
    .execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('season_import_steps').execute()
  await db.schema.dropTable('season_import_runs').execute()
}
