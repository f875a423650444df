/**
 * What the season report reads the same way whether its slot figures come from the rollups or
 * from the slots: its scope (the slots in it, the practitioner-day rows of the rollups), the
 * no-slot calls, the CPTS and the practitioners' names.
 */
import { DateTime } from 'luxon'
import type { Kysely, SelectQueryBuilder } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { SlotKind } from '../../../shared/schemas/slots.js'
import { zoneFor } from '../cpts/cpts-repository.js'
import { slotOfferedTo } from '../slots/offer-rule.js'

export interface ReportScope {
  /** Local dates, inclusive. */
  from: string
  to: string
  cptsId?: string | undefined
  kind?: SlotKind | undefined
}

type Db = Kysely<Database>

/** Slots starting in the period (by their local date), offered to the CPTS asked for, of the kind asked for. */
export function slotsInScope (db: Db, s: ReportScope): SelectQueryBuilder<Database, 'slots', object> {
  let q = db.selectFrom('slots').where('slots.local_date', '>=', s.from).where('slots.local_date', '<=', s.to)
  if (s.cptsId !== undefined) q = q.where(slotOfferedTo(s.cptsId))
  if (s.kind !== undefined) q = q.where('slots.kind', '=', s.kind)
  return q
}

/**
 * The practitioner-day rollup rows of a scope (every date when no period is given): for the
 * territory, report_practitioner_days (0012), where a slot counts once, under its own CPTS; for
 * one CPTS, its own rows there and its rows of report_offer_days (0020), the slots offered to it
 * besides their own CPTS, under its id.
 */
export function practitionerDays (db: Db, s: Partial<ReportScope>) {
  let own = db.selectFrom('report_practitioner_days')
  if (s.from !== undefined) own = own.where('local_date', '>=', s.from)
  if (s.to !== undefined) own = own.where('local_date', '<=', s.to)
  if (s.kind !== undefined) own = own.where('kind', '=', s.kind)
  if (s.cptsId === undefined) return db.selectFrom(own.select(DAY_COLUMNS).as('d'))
  let extra = db.selectFrom('report_offer_days')
  if (s.from !== undefined) extra = extra.where('local_date', '>=', s.from)
  if (s.to !== undefined) extra = extra.where('local_date', '<=', s.to)
  if (s.kind !== undefined) extra = extra.where('kind', '=', s.kind)
  return db.selectFrom(own.where('cpts_id', '=', s.cptsId).select(DAY_COLUMNS)
    .unionAll(extra.where('cpts_id', '=', s.cptsId).select(DAY_COLUMNS)).as('d'))
}

const DAY_COLUMNS = ['practitioner_id', 'cpts_id', 'kind', 'iso_week', 'local_date', 'total', 'withdrawn', 'booked', 'honored', 'no_show', 'without_gp'] as const

/** [start, end) in UTC ISO of the local dates from..to in the zone. */
function utcBounds (s: ReportScope, zone: string): { from: string, to: string } {
  const at = (d: string, plus: number): string => DateTime.fromISO(d, { zone }).plus({ days: plus }).toUTC().toISO() ?? d
  return { from: at(s.from, 0), to: at(s.to, 1) }
}

/**
 * Calls that found no slot, by the call's local date: in its CPTS's zone when it names one,
 * else in the instance's zone. With a cptsId, only the calls naming that CPTS count;
 * the calls naming none are counted apart (`withoutCpts`).
 */
export async function noSlotCalls (db: Db, s: ReportScope): Promise<{ count: number, withoutCpts: number }> {
  const count = async (zone: string, cpts: string[] | null): Promise<number> => {
    const b = utcBounds(s, zone)
    let q = db.selectFrom('calls').where('calls.outcome', '=', 'no_slot')
      .where('calls.at', '>=', b.from).where('calls.at', '<', b.to)
    q = cpts === null ? q.where('calls.cpts_id', 'is', null) : q.where('calls.cpts_id', 'in', cpts)
    if (s.kind !== undefined) q = q.where('calls.kind', '=', s.kind)
    const r = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return Number(r.n)
  }
  let cptsQuery = db.selectFrom('cpts').select(['id', 'timezone'])
  if (s.cptsId !== undefined) cptsQuery = cptsQuery.where('id', '=', s.cptsId)
  const byZone = new Map<string, string[]>()
  for (const c of await cptsQuery.execute()) byZone.set(c.timezone, [...(byZone.get(c.timezone) ?? []), c.id])
  let total = 0
  for (const [zone, ids] of byZone) total += await count(zone, ids)
  const withoutCpts = await count(await zoneFor(db, undefined), null)
  return { count: total + (s.cptsId === undefined ? withoutCpts : 0), withoutCpts }
}

export async function cptsInScope (db: Db, cptsId: string | undefined): Promise<Array<{ id: string, name: string }>> {
  let q = db.selectFrom('cpts').select(['id', 'name'])
  if (cptsId !== undefined) q = q.where('id', '=', cptsId)
  return await q.execute()
}

/** Name and RPPS of every practitioner (a few thousand at most: cheaper than a join per row). */
export async function practitionerNames (db: Db): Promise<Map<string, { rpps: string, name: string }>> {
  const rows = await db.selectFrom('practitioners').innerJoin('users', 'users.id', 'practitioners.user_id')
    .select(['users.id', 'users.name', 'practitioners.rpps']).execute()
  return new Map(rows.map((r) => [r.id, { rpps: r.rpps, name: r.name }]))
}
