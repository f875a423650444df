import { expressionBuilder, sql, type AliasedRawBuilder, type Expression, type Kysely, type SqlBool } from 'kysely'
import { isPostgres } from '../../../db/dialect.js'
import type { Database, SlotRow } from '../../../db/types.js'

/**
 * To which CPTS a slot is offered. A slot belongs to one CPTS of its own (`slots.cpts_id`: the
 * zone of its local columns, the key of the territory's rollups) and may be offered to other
 * CPTS of its practitioner as well, the extras (`slot_offers`, never the own one). Offers are
 * written right after the slot and never change: withdraw and republish to change them.
 */

/**
 * SQL: the slot is offered to `cptsId`, as its own CPTS or as an extra. For any query on `slots`
 * (the correlated EXISTS reads the `slot_offers` primary key).
 * @example db.selectFrom('slots').select('id').where(slotOfferedTo(cptsId))
 */
export function slotOfferedTo (cptsId: string): Expression<SqlBool> {
  const eb = expressionBuilder<Database, 'slots'>()
  // `IN`, not a correlated `EXISTS`: SQLite then seeks each side of the OR in its own index (the
  // slots' (cpts_id, local_date), the offers' (cpts_id, slot_id)) and reads the CPTS's own slots;
  // with `EXISTS` it reads every slot of the period to test each (bench:report: a season's
  // report of one CPTS 508 ms against 1,629 ms, 4 CPTS, 204,000 slots).
  return eb.or([
    eb('slots.cpts_id', '=', cptsId),
    eb('slots.id', 'in', eb.selectFrom('slot_offers').select('slot_offers.slot_id').where('slot_offers.cpts_id', '=', cptsId))
  ])
}

/**
 * SQL, to select on `slots`: the ids of the slot's extra CPTS, comma-separated, or null without
 * any (`offeredCptsIds` reads it). PostgreSQL sorts them; SQLite's `group_concat` has no order,
 * the JS sorts.
 */
export function extraCpts (db: Kysely<Database>): AliasedRawBuilder<string | null, 'extra_cpts'> {
  const list = isPostgres(db)
    ? sql<string | null>`string_agg(slot_offers.cpts_id, ',' ORDER BY slot_offers.cpts_id)`
    : sql<string | null>`group_concat(slot_offers.cpts_id, ',')`
  return sql<string | null>`(SELECT ${list} FROM slot_offers WHERE slot_offers.slot_id = slots.id)`.as('extra_cpts')
}

/** The CPTS a slot is offered to: its own first, then the extras by id. */
export function offeredCptsIds (r: Pick<SlotRow, 'cpts_id'> & { extra_cpts: string | null }): string[] {
  return [r.cpts_id, ...extraCptsIds(r.extra_cpts)]
}

/** The extras of `extraCpts`'s column, by id. */
function extraCptsIds (extra: string | null): string[] {
  return extra === null || extra === '' ? [] : extra.split(',').sort()
}
