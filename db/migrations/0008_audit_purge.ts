// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * The retention purge of the audit log itself (AUDIT_MONTHS) is the only deletion it may ever
 * see. The append-only triggers of 0001 stay for UPDATE (and TRUNCATE on PostgreSQL); the one
 * on DELETE now lets a row go only when it is older than the bound of `audit_purge_window`,
 * a one-row table whose bound is NULL except inside the purge's own transaction (it sets the
 * bound, deletes, and sets it back to NULL before committing, so no other transaction ever sees
 * it set). The same table on both engines keeps the application's SQL the same on both.
 * An index on `at` serves the purge and the journal's period filter.
 */
const REFUSE = 'audit_log is append-only'

export async function up (db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    // The migrator runs each migration of PostgreSQL in a transaction of its own already.
    await upPostgres(db)
    return
  }
  await db.transaction().execute(async (trx) => {
    await createWindow(trx)
    await sql`DROP TRIGGER audit_log_no_delete`.execute(trx)
    await sql.raw(`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      WHEN NOT coalesce(OLD.at < (SELECT before_at FROM audit_purge_window WHERE id = 1), 0)
      BEGIN SELECT RAISE(ABORT, '${REFUSE}'); END`).execute(trx)
  })
}

async function upPostgres (trx: Kysely<any>): Promise<void> {
  await createWindow(trx)
  await sql`DROP TRIGGER audit_log_no_delete ON audit_log`.execute(trx)
  // COLLATE "C": instants are ISO text, compared character by character whatever the database's collation.
  await sql.raw(`CREATE FUNCTION audit_log_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.at COLLATE "C" < (SELECT before_at COLLATE "C" FROM audit_purge_window WHERE id = 1) THEN RETURN OLD; END IF;
      RAISE EXCEPTION '${REFUSE}' USING ERRCODE = 'restrict_violation';
    END $$`).execute(trx)
  await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_delete_guard()`.execute(trx)
}

async function createWindow (trx: Kysely<any>): Promise<void> {
  await trx.schema.createTable('audit_purge_window')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('before_at', 'text')
    .execute()
  await trx.insertInto('audit_purge_window').values({ id: 1, before_at: null }).execute()
  await trx.schema.createIndex('audit_log_at').on('audit_log').column('at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  const restore = async (trx: Kysely<any>): Promise<void> => {
    await sql.raw(pg ? 'DROP TRIGGER audit_log_no_delete ON audit_log' : 'DROP TRIGGER audit_log_no_delete').execute(trx)
    if (pg) {
      await sql`DROP FUNCTION audit_log_delete_guard()`.execute(trx)
      await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(trx)
    } else {
      await sql.raw(`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, '${REFUSE}'); END`).execute(trx)
    }
    await trx.schema.dropIndex('audit_log_at').execute()
    await trx.schema.dropTable('audit_purge_window').execute()
  }
  if (pg) await restore(db)
  else await db.transaction().execute(restore)
}
