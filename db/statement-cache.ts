import type SQLite from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** Statements kept per connection by default: the app's distinct SQL texts (a few hundred) with room to spare. */
export const STATEMENT_CACHE_SIZE = 500

/**
 * The better-sqlite3 database as kysely's SQLite driver uses it, with its statements prepared
 * once: kysely calls `prepare(sql)` for every query, and compiling the SQL again each time was a
 * good part of a booking's cost (issue 23). Statements are kept by SQL text, the `max` last
 * used (LRU). A statement still busy (an `iterate()` not finished: kysely's streamQuery) cannot
 * run again meanwhile: the same SQL then gets a fresh statement, used once and not kept.
 * Nothing else changes: `reader` is the statement's own, parameters are bound at each run,
 * and SQLite itself recompiles a kept statement after a schema change (migrations).
 * With `max` 0 every query is prepared afresh (as without the cache).
 */
export class StatementCache implements SqliteDatabase {
  readonly #db: SQLite.Database
  readonly #max: number
  readonly #statements = new Map<string, SQLite.Statement>()
  /** Prepared afresh (not found, or found busy): for tests and benches. */
  misses = 0

  constructor (db: SQLite.Database, max = STATEMENT_CACHE_SIZE) {
    this.#db = db
    this.#max = max
  }

  /** Statements kept now. */
  get size (): number { return this.#statements.size }

  prepare (sql: string): SqliteStatement {
    const kept = this.#statements.get(sql)
    if (kept !== undefined && !kept.busy) {
      // Most recently used last: a Map iterates in insertion order.
      this.#statements.delete(sql)
      this.#statements.set(sql, kept)
      return kept as unknown as SqliteStatement
    }
    this.misses++
    const stmt = this.#db.prepare(sql)
    if (kept === undefined && this.#max > 0) {
      this.#statements.set(sql, stmt)
      if (this.#statements.size > this.#max) {
        const oldest = this.#statements.keys().next().value
        if (oldest !== undefined) this.#statements.delete(oldest)
      }
    }
    return stmt as unknown as SqliteStatement
  }

  close (): void {
    this.#statements.clear()
    this.#db.close()
  }
}
