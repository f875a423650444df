import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely } from 'kysely'
import { BusyWaitSqliteDialect } from './sqlite-busy-wait.js'
import { StatementCache, STATEMENT_CACHE_SIZE } from './statement-cache.js'
import type { Database } from './types.js'

export type Db = Kysely<Database>

export interface SqliteOptions {
  /** Prepared statements kept by SQL text (db/statement-cache.ts); 0: prepared at each query. */
  statementCache?: number
}

const cachesByDb = new WeakMap<Kysely<Database>, StatementCache>()

/** The statement cache under a SQLite `db` (tests, benches); undefined on PostgreSQL. */
export function statementCacheOf (db: Kysely<Database>): StatementCache | undefined {
  return cachesByDb.get(db)
}

function kyselyOn (sqlite: SQLite.Database, opts: SqliteOptions): Db {
  const cache = new StatementCache(sqlite, opts.statementCache ?? STATEMENT_CACHE_SIZE)
  const db = new Kysely<Database>({ dialect: new BusyWaitSqliteDialect({ database: cache }) })
  cachesByDb.set(db, cache)
  return db
}

/**
 * Opens the embedded SQLite database. WAL lets readers go on while a write commits;
 * foreign keys are off by default in SQLite and must be asked for on every connection.
 * `:memory:` is accepted for throwaway databases.
 */
export function openSqlite (file: string, opts: SqliteOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  // Erased values (the retention purge of patient data) are overwritten with zeros in the file.
  sqlite.pragma('secure_delete = ON')
  // Never block the event loop on a lock held by another connection: wait on a timer instead.
  sqlite.pragma('busy_timeout = 0')
  // Durable enough with WAL (a power cut may lose the last commit, never corrupt the file).
  sqlite.pragma('synchronous = NORMAL')
  return kyselyOn(sqlite, opts)
}

/**
 * A read-only connection to the SQLite file (the report's worker thread): it never writes, takes
 * no write lock, and reads a snapshot per transaction (WAL) while the main connection writes.
 */
export function openSqliteReadOnly (file: string, opts: SqliteOptions = {}): Db {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true })
  sqlite.pragma('busy_timeout = 0')
  return kyselyOn(sqlite, opts)
}
