import { sql, type Kysely, type RawBuilder } from 'kysely'
import { isPostgres } from './dialect.js'

/**
 * PostgreSQL advisory locks named after the current schema, for work that instances sharing one
 * schema must not do at once. A lock is held by one connection of the pool while `fn` runs on
 * the others (the pool needs two at least); it is released when `fn` ends, even by a throw — or
 * by PostgreSQL itself when that connection dies. SQLite is one server: `fn` just runs.
 */
function keyOf (name: string): RawBuilder<unknown> {
  return sql`hashtext(${'creneaux.' + name + '.'} || current_schema())`
}

/**
 * Runs `fn` once every other holder of the lock `name` has finished (waits for it): the start
 * (migrating, creating the first admin), so that instances started at once on an empty schema
 * take turns and the later ones find it done. kysely's migrator locks only the run of the
 * migrations, not the creation of its own tables before it, and knows nothing of the admin.
 */
export async function withAdvisoryLock<T> (db: Kysely<any>, name: string, fn: () => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return await fn()
  return await db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${keyOf(name)})`.execute(conn)
    try {
      return await fn()
    } finally {
      await sql`SELECT pg_advisory_unlock(${keyOf(name)})`.execute(conn)
    }
  })
}

/**
 * Runs `fn` unless another instance holds the lock `name` right now (then resolves null at once,
 * without waiting): work that one instance doing is enough, such as a purge.
 */
export async function withAdvisoryTryLock<T> (db: Kysely<any>, name: string, fn: () => Promise<T>): Promise<T | null> {
  if (!isPostgres(db)) return await fn()
  return await db.connection().execute(async (conn) => {
    // As an integer: the pool reads booleans as SQLite does (db/postgres.ts).
    const { rows } = await sql<{ locked: number }>`SELECT pg_try_advisory_lock(${keyOf(name)})::int AS locked`.execute(conn)
    if (Number(rows[0]?.locked) !== 1) return null
    try {
      return await fn()
    } finally {
      await sql`SELECT pg_advisory_unlock(${keyOf(name)})`.execute(conn)
    }
  })
}
