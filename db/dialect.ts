import { PostgresAdapter, type Kysely } from 'kysely'

/**
 * Whether `db` talks to PostgreSQL (else SQLite). Migrations use it where the two engines need
 * different SQL (triggers, generated keys); app code has no reason to.
 */
export function isPostgres (db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}
