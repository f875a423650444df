/**
 * The season report's queries. Each slot carries its start's local date, hour and ISO week,
 * its current booking's facts and its released holds (migration 0003), so every figure is a
 * GROUP BY over one covering index read in the order of the grouping: no join, no sort, no
 * date arithmetic, nothing but aggregates leaves the database, and no patient column is read.
 * - by (local date, local hour): days, weeks, heatmap, released holds;
 * - by (ISO week, practitioner, CPTS, kind): totals, practitioners and their majoration,
 *   CPTS, kinds;
 * - by lead time in minutes: the percentiles;
 * - no-slot calls, by the call's local date.
 */
import { DateTime } from 'luxon'
import type { Kysely, SelectQueryBuilder } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { SeasonReport } from '../../../shared/schemas/reports.js'
import { SLOT_KINDS, type SlotKind } from '../../../shared/schemas/slots.js'
import { zoneFor } from '../cpts/cpts-repository.js'
import { buildSeasonReport, isoWeekOf, type DayHourRow, type GroupRow, type LeadRow } from './season-report.js'

export interface ReportScope {
  /** Local dates, inclusive. */
  from: string
  to: string
  cptsId?: string | undefined
  kind?: SlotKind | undefined
}

type Db = Kysely<Database>

/** Slots starting in the period (by their local date), of the CPTS and kind asked for. */
function slotsInScope (db: Db, s: ReportScope): SelectQueryBuilder<Database, 'slots', object> {
  let q = db.selectFrom('slots').where('slots.local_date', '>=', s.from).where('slots.local_date', '<=', s.to)
  if (s.cptsId !== undefined) q = q.where('slots.cpts_id', '=', s.cptsId)
  if (s.kind !== undefined) q = q.where('slots.kind', '=', s.kind)
  return q
}

export async function dayHourRows (db: Db, s: ReportScope): Promise<Array<DayHourRow & { released: number }>> {
  const rows = await slotsInScope(db, s)
    .select((eb) => [
      'slots.local_date', 'slots.local_hour',
      eb.fn.countAll<number>().filterWhere('slots.status', '!=', 'withdrawn').as('offered'),
      eb.fn.countAll<number>().filterWhere('slots.status', '=', 'booked').as('booked'),
      eb.fn.sum<number>('slots.released_holds').as('released')
    ])
    .groupBy(['slots.local_date', 'slots.local_hour'])
    .execute()
  return rows.map((r) => ({
    date: r.local_date, hour: Number(r.local_hour), offered: Number(r.offered), booked: Number(r.booked), released: Number(r.released)
  }))
}

/**
 * A slot is booked when its status is `booked`; its booking's status (booked, honored,
 * no_show) and treating-GP answer are mirrored on the slot. The ISO-week bounds only let the
 * index seek: the local dates decide.
 */
export async function groupRows (db: Db, s: ReportScope): Promise<GroupRow[]> {
  const rows = await slotsInScope(db, s)
    .where('slots.iso_week', '>=', isoWeekOf(s.from)).where('slots.iso_week', '<=', isoWeekOf(s.to))
    .select((eb) => [
      'slots.iso_week', 'slots.practitioner_id', 'slots.cpts_id', 'slots.kind',
      eb.fn.countAll<number>().as('slots'),
      eb.fn.countAll<number>().filterWhere('slots.status', '=', 'withdrawn').as('withdrawn'),
      eb.fn.countAll<number>().filterWhere('slots.status', '=', 'booked').as('booked'),
      eb.fn.countAll<number>().filterWhere('slots.booking_status', '=', 'honored').as('honored'),
      eb.fn.countAll<number>().filterWhere('slots.booking_status', '=', 'no_show').as('no_show'),
      eb.fn.countAll<number>().filterWhere('slots.booking_has_treating_gp', '=', 'no').as('without_gp')
    ])
    .groupBy(['slots.iso_week', 'slots.practitioner_id', 'slots.cpts_id', 'slots.kind'])
    .execute()
  return rows.map((r) => ({
    practitionerId: r.practitioner_id,
    cptsId: r.cpts_id,
    week: r.iso_week,
    kind: r.kind,
    offered: Number(r.slots) - Number(r.withdrawn),
    booked: Number(r.booked),
    withdrawn: Number(r.withdrawn),
    honored: Number(r.honored),
    noShow: Number(r.no_show),
    withoutTreatingGp: Number(r.without_gp)
  }))
}

/** Below any real lead time (ten years before the start); see leadRows. */
const LEAD_FLOOR = -10 * 366 * 24 * 60

/**
 * Booked slots by lead time (whole minutes from booking to start). For the whole instance,
 * the range on lead_minutes (which also leaves out slots not booked) lets SQLite's planner,
 * which has no statistics, read the lead-ordered index and group as it goes instead of
 * sorting the period's booked slots. For one CPTS, its (cpts_id, local_date) index narrows
 * more: sorting its own booked slots beats reading every booked slot in lead order.
 */
export async function leadRows (db: Db, s: ReportScope): Promise<LeadRow[]> {
  const scope = slotsInScope(db, s)
  const booked = s.cptsId === undefined ? scope.where('slots.lead_minutes', '>', LEAD_FLOOR) : scope.where('slots.lead_minutes', 'is not', null)
  const rows = await booked
    .select((eb) => ['slots.lead_minutes', eb.fn.countAll<number>().as('n')])
    .groupBy('slots.lead_minutes')
    .execute()
  return rows.map((r) => ({ minutes: Number(r.lead_minutes), n: Number(r.n) }))
}

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

/**
 * The whole report, read in one transaction: every part of the answer counts the same slots,
 * even when a booking lands while it is computed.
 */
export async function seasonReport (db: Db, s: ReportScope, majoration: { euros: number, weeklyCap: number }): Promise<SeasonReport> {
  return await db.transaction().execute(async (trx) => {
    const dayHours = await dayHourRows(trx, s)
    const groups = await groupRows(trx, s)
    const lead = await leadRows(trx, s)
    const calls = await noSlotCalls(trx, s)
    return buildSeasonReport({
      period: { from: s.from, to: s.to },
      dayHours,
      groups,
      practitioners: await practitionerNames(trx),
      cpts: await cptsInScope(trx, s.cptsId),
      kinds: s.kind !== undefined ? [s.kind] : [...SLOT_KINDS],
      unmetDemand: calls.count,
      unmetDemandWithoutCpts: calls.withoutCpts,
      lead,
      expiredHolds: dayHours.reduce((n, r) => n + r.released, 0),
      majoration
    })
  })
}
