import { sql, type Kysely } from 'kysely'
import { isPostgres } from './dialect.js'

/**
 * Runs `fn` (migrating, creating the first admin) while holding a PostgreSQL advisory lock of
 * the current schema, so that instances started at once on an empty schema do it one after the
 * other: the second finds the schema migrated and the admin created. kysely's migrator locks
 * only the run of the migrations, not the creation of its own tables before it, and knows
 * nothing of the admin. The lock is held by one connection of the pool while `fn` runs on the
 * others (the pool needs two at least), and is released even when `fn` throws — or by
 * PostgreSQL itself when that connection dies. SQLite: one server; `fn` runs as is.
 */
export async function withStartLock<T> (db: Kysely<any>, fn: () => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return await fn()
  return await db.connection().execute(async (conn) => {
    const key = sql`hashtext('creneaux.start.' || current_schema())`
    await sql`SELECT pg_advisory_lock(${key})`.execute(conn)
    try {
      return await fn()
    } finally {
      await sql`SELECT pg_advisory_unlock(${key})`.execute(conn)
    }
  })
}
