import { Migrator, sql, type Kysely } from 'kysely'
import { isPostgres } from './dialect.js'
import { migrations } from './migrations/index.js'

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

/** Brings the schema up to date; throws (and leaves the last good state) on failure. */
export async function migrateToLatest (db: Kysely<any>): Promise<string[]> {
  const { error, results } = await (await migratorFor(db)).migrateToLatest()
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
