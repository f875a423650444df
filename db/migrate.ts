import { Migrator, sql, type Kysely } from 'kysely'
import { isPostgres } from './dialect.js'
import { migrations } from './migrations/index.js'
import { withAdvisoryLock } from './advisory-lock.js'

/**
 * The migrator of `db`. On PostgreSQL its own tables are named in the current schema (the first
 * of `search_path`, where the migrations create theirs): kysely otherwise takes a
 * `kysely_migration` table of any schema of the database for its own.
 */
export async function migratorFor (db: Kysely<any>): Promise<Migrator> {
  const provider = { getMigrations: async () => migrations }
  if (!isPostgres(db)) return new Migrator({ db, provider })
  const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db)
  const schema = rows[0]?.schema
  if (schema === null || schema === undefined) throw new Error('PostgreSQL: no current schema (search_path names none that exists)')
  return new Migrator({ db, provider, migrationTableSchema: schema })
}

/**
 * kysely's migrator looks for its tables in every schema of the database, and PostgreSQL fails
 * that look-up when another schema is dropped meanwhile (3F000: no such schema, 42P01: no such
 * table) — tests drop theirs all the time. Nothing was migrated then: it is tried again.
 */
const DROPPED_MEANWHILE = new Set(['3F000', '42P01'])
const ATTEMPTS = 5

/**
 * Brings the schema up to date; throws (and leaves the last good state) on failure. Instances
 * migrating one PostgreSQL schema at once take turns (withAdvisoryLock): the last ones find nothing to do.
 */
export async function migrateToLatest (db: Kysely<any>): Promise<string[]> {
  return await withAdvisoryLock(db, 'start', async () => {
    for (let attempt = 1; ; attempt++) {
      const { error, results } = await (await migratorFor(db)).migrateToLatest()
      if (error === undefined) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
      const code = (error as { code?: unknown } | null)?.code
      // A migration that failed is in `results`: that is never tried again.
      if (typeof code !== 'string' || !DROPPED_MEANWHILE.has(code) || attempt === ATTEMPTS || (results ?? []).length > 0) {
        throw error instanceof Error ? error : new Error(String(error))
      }
    }
  })
}
