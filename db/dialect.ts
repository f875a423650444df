import { PostgresAdapter, type Kysely } from 'kysely'

/**
 * Whether `db` talks to PostgreSQL (else SQLite): the one way the code tells the engines apart.
 * Queries are the same kysely on both (a raw `sql` fragment only where both engines read it
 * alike: `version + 1`, a CASE). Where the engines truly differ, the code branches on this:
 * - migrations: triggers, generated keys, the event seq, the rollups (db/migrations);
 * - row locks, PostgreSQL's only (SQLite has one writer at a time): `lockAccounts`, `lockSlots`,
 *   `lockLapsedHolds` (slots/slot-repository.ts), the last-admin check (users/account-service.ts),
 *   the delivery cursor and claims (deliveries/delivery-repository.ts);
 * - what several instances share on PostgreSQL: the gapless seq and `pg_notify`
 *   (slots/event-log.ts), the live fan-out (live/live-plugin.ts), advisory locks
 *   (db/advisory-lock.ts), the migrations' schema (db/migrate.ts), the rate-limit store (app.ts);
 * - SQLite's own: the season report and import in worker threads (reports/reports-routes.ts),
 *   the WAL checkpoint after an erasure (retention/flush-erased.ts).
 */
export function isPostgres (db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}
