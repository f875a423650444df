import { expressionBuilder, sql, type Expression, type SqlBool } from 'kysely'
import type { Database, SlotRow } from '../../../db/types.js'

/**
 * When a hold stops counting. A hold lives while now is before its `hold_expires_at`; from that
 * instant on the slot is free for every purpose (booking, the board, FHIR), even before the
 * sweeper writes it free. The JS and the SQL below say the same thing; instants are ISO UTC
 * strings, which compare in time order. (A held slot always has an expiry: a check constraint.)
 */
type HoldColumns = Pick<SlotRow, 'status' | 'hold_expires_at'>

/** The slot is held and its hold has not run out. */
export function holdIsLive (s: HoldColumns, nowIso: string): boolean {
  return s.status === 'held' && s.hold_expires_at !== null && s.hold_expires_at > nowIso
}

/** The slot is held but its hold has run out (the JS twin of `lapsedHold`). */
export function holdHasLapsed (s: HoldColumns, nowIso: string): boolean {
  return s.status === 'held' && !holdIsLive(s, nowIso)
}

/**
 * SQL: the slot is held but its hold has run out. For any query or update on `slots`. `status`
 * is how the query reads the slot's status (a planner hint may wrap it: fhir-repository.ts).
 * @example db.selectFrom('slots').select('id').where(lapsedHold(now.toISOString()))
 */
export function lapsedHold (nowIso: string, status: Expression<SlotRow['status']> = sql.ref('slots.status')): Expression<SqlBool> {
  const eb = expressionBuilder<Database, 'slots'>()
  return eb.and([eb(status, '=', 'held'), eb('slots.hold_expires_at', '<=', nowIso)])
}
