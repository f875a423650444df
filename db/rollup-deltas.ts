import { sql, type Transaction } from 'kysely'
import { isPostgres } from './dialect.js'

/**
 * The season rollups' counters (migrations 0012, 0022) in one ordered step, on PostgreSQL. A
 * writing transaction that changes slots calls `deferRollups` first: the rollup triggers then
 * write their deltas aside instead of locking counter rows in the middle of the change, in
 * whatever order its statements come. It calls `applyRollups` last (after the events counter,
 * before the commit): every delta is summed by key and applied, rollup tables by name, keys in
 * order, so that two transactions take counter rows in one order and never wait on each other
 * in a circle (CONTRIBUTING, "Several instances"). Changes after `applyRollups` apply at once.
 * SQLite has one writer at a time: both do nothing.
 */
export async function deferRollups (trx: Transaction<any>): Promise<void> {
  if (!isPostgres(trx)) return
  await sql`SELECT set_config('creneaux.rollup_deltas', 'defer', true)`.execute(trx)
}

/** Applies the rollup deltas of this transaction (see `deferRollups`): the last row locks it takes. */
export async function applyRollups (trx: Transaction<any>): Promise<void> {
  if (!isPostgres(trx)) return
  await sql`SELECT rollup_apply()`.execute(trx)
}
