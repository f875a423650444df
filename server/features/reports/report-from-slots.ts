/**
 * The season report's figures read from the slots themselves (migration 0003's columns and
 * covering indexes). The report uses them where they are cheap, for one CPTS (a few tens of
 * thousands of slots at most): its days and hours, its lead times. Instance-wide, the report
 * reads the rollups instead (report-repository.ts); `seasonReportFromSlots` computes the whole
 * report this way, as the reference the rollups are checked against (test and bench).
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { SeasonReport } from '../../../shared/schemas/reports.js'
import { dayHourRowsFromSlots } from './fill-by-hour.js'
import { slotsInScope, type ReportScope } from './report-common.js'
import { isoWeekOf } from './report-dates.js'
import { seasonReportOf, toGroupRow, toOfferRow, type GroupRow, type LeadRow, type OfferRow } from './season-report.js'

type Db = Kysely<Database>

/**
 * A slot is booked when its status is `booked`; its booking's status (booked, honored,
 * no_show) and treating-GP answer are mirrored on the slot. The ISO-week bounds only let the
 * index seek: the local dates decide. For one CPTS, every slot offered to it (its own and its
 * extras) counts under its id.
 */
export async function groupRowsFromSlots (db: Db, s: ReportScope): Promise<GroupRow[]> {
  const rows = await slotsInScope(db, s)
    .where('slots.iso_week', '>=', isoWeekOf(s.from)).where('slots.iso_week', '<=', isoWeekOf(s.to))
    .select((eb) => [
      'slots.iso_week', 'slots.practitioner_id', 'slots.cpts_id', 'slots.kind',
      eb.fn.countAll<number>().as('total'),
      eb.fn.countAll<number>().filterWhere('slots.status', '=', 'withdrawn').as('withdrawn'),
      eb.fn.countAll<number>().filterWhere('slots.status', '=', 'booked').as('booked'),
      eb.fn.countAll<number>().filterWhere('slots.booking_status', '=', 'honored').as('honored'),
      eb.fn.countAll<number>().filterWhere('slots.booking_status', '=', 'no_show').as('no_show'),
      eb.fn.countAll<number>().filterWhere('slots.booking_has_treating_gp', '=', 'no').as('without_gp')
    ])
    .groupBy(['slots.iso_week', 'slots.practitioner_id', 'slots.cpts_id', 'slots.kind'])
    .execute()
  const groups = rows.map(toGroupRow)
  if (s.cptsId === undefined) return groups
  const cptsId = s.cptsId
  const merged = new Map<string, GroupRow>()
  for (const g of groups) {
    const key = `${g.week ?? ''} ${g.practitionerId} ${g.kind}`
    const m = merged.get(key)
    if (m === undefined) { merged.set(key, { ...g, cptsId }); continue }
    for (const k of ['offered', 'booked', 'withdrawn', 'honored', 'noShow', 'withoutTreatingGp'] as const) m[k] += g[k]
  }
  return [...merged.values()]
}

/** The slots of the territory offered to a CPTS besides their own (slot_offers), by that CPTS. */
export async function offerRowsFromSlots (db: Db, s: ReportScope): Promise<OfferRow[]> {
  let q = slotsInScope(db, { ...s, cptsId: undefined }).innerJoin('slot_offers', 'slot_offers.slot_id', 'slots.id')
  if (s.cptsId !== undefined) q = q.where('slot_offers.cpts_id', '=', s.cptsId)
  const rows = await q
    .select((eb) => [
      'slot_offers.cpts_id',
      eb.fn.countAll<number>().as('total'),
      eb.fn.countAll<number>().filterWhere('slots.status', '=', 'withdrawn').as('withdrawn'),
      eb.fn.countAll<number>().filterWhere('slots.status', '=', 'booked').as('booked')
    ])
    .groupBy('slot_offers.cpts_id')
    .execute()
  return rows.map(toOfferRow)
}

/** Below any real lead time (ten years before the start); see leadRowsFromSlots. */
const LEAD_FLOOR = -10 * 366 * 24 * 60

/**
 * Booked slots by lead time (whole minutes from booking to start), those of [from, to) minutes
 * only when asked. For the whole instance, the range on lead_minutes (which also leaves out
 * slots not booked) lets SQLite's planner, which has no statistics, read the lead-ordered
 * index and group as it goes instead of sorting the period's booked slots. For one CPTS, its
 * (cpts_id, local_date) index narrows more: sorting its own booked slots beats reading every
 * booked slot in lead order.
 */
export async function leadRowsFromSlots (db: Db, s: ReportScope, minutes?: { from: number, to: number }): Promise<LeadRow[]> {
  const scope = slotsInScope(db, s)
  const booked = minutes !== undefined
    ? scope.where('slots.lead_minutes', '>=', minutes.from).where('slots.lead_minutes', '<', minutes.to)
    : s.cptsId === undefined ? scope.where('slots.lead_minutes', '>', LEAD_FLOOR) : scope.where('slots.lead_minutes', 'is not', null)
  const rows = await booked
    .select((eb) => ['slots.lead_minutes', eb.fn.countAll<number>().as('n')])
    .groupBy('slots.lead_minutes')
    .execute()
  return rows.map((r) => ({ minutes: Number(r.lead_minutes), n: Number(r.n) }))
}

/** The whole report from the slots alone, in one read-only snapshot: the reference for the rollups. */
export async function seasonReportFromSlots (db: Db, s: ReportScope, majoration: { euros: number, weeklyCap: number }): Promise<SeasonReport> {
  return await seasonReportOf(db, s, majoration, { dayHours: dayHourRowsFromSlots, groups: groupRowsFromSlots, offers: offerRowsFromSlots, lead: leadRowsFromSlots })
}
