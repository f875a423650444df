/**
 * The season report's queries over the rollups of migrations 0012 and 0020 (kept exact by
 * triggers on `slots` and `slot_offers`), so that a national year reads counters, not millions
 * of slots. No patient column is read; only aggregates leave the database.
 * - days, weeks, heatmap, released holds: report_day_hours for the instance; for one CPTS the
 *   slots offered to it, a few tens of thousands at most (fill-by-hour.ts);
 * - totals, practitioners, CPTS, kinds: report_practitioner_days by (practitioner, CPTS, kind),
 *   where a slot counts once, under its own CPTS; for one CPTS, with report_offer_days (0020),
 *   the slots offered to it besides their own CPTS; the territory's CPTS lines add those too;
 *   the majoration's weekly cap by (practitioner, ISO week), applied in SQL (majoration.ts);
 * - lead-time percentiles: report_lead_hours gives the histogram by the hour, then the hours
 *   the median and the 90th percentile fall in are read again from the slots to the minute;
 * - no-slot calls, by the call's local date (report-common.ts).
 * The whole report reads one snapshot: a REPEATABLE READ READ ONLY transaction on PostgreSQL,
 * a deferred (lock-free) transaction on SQLite's WAL.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { SeasonReport } from '../../../shared/schemas/reports.js'
import { dayHourRows } from './fill-by-hour.js'
import { majorationCounts } from './majoration.js'
import { practitionerDays, type ReportScope } from './report-common.js'
import { leadRowsFromSlots } from './report-from-slots.js'
import { LEAD_PERCENTILES, percentile, seasonReportOf, toGroupRow, toOfferRow, type GroupRow, type LeadRow, type OfferRow } from './season-report.js'

export type { ReportScope } from './report-common.js'

type Db = Kysely<Database>

/**
 * The (practitioner, CPTS, kind) rows of the period, from the practitioner-day rollups
 * (report-common.ts `practitionerDays`: for one CPTS, the slots offered to it as an extra too,
 * under its id). Weeks are left to `majorationCounts`.
 */
export async function groupRows (db: Db, s: ReportScope): Promise<GroupRow[]> {
  const rows = await practitionerDays(db, s)
    .select((eb) => [
      'd.practitioner_id', 'd.cpts_id', 'd.kind',
      eb.fn.sum<number>('d.total').as('total'),
      eb.fn.sum<number>('d.withdrawn').as('withdrawn'),
      eb.fn.sum<number>('d.booked').as('booked'),
      eb.fn.sum<number>('d.honored').as('honored'),
      eb.fn.sum<number>('d.no_show').as('no_show'),
      eb.fn.sum<number>('d.without_gp').as('without_gp')
    ])
    .groupBy(['d.practitioner_id', 'd.cpts_id', 'd.kind'])
    // A key whose slots were all deleted keeps its row, at zero: no practitioner for it.
    .having((eb) => eb.fn.sum('d.total'), '>', 0)
    .execute()
  return rows.map(toGroupRow)
}

/**
 * The territory's slots offered to each CPTS besides their own (report_offer_days, 0020), by
 * CPTS: they count in that CPTS's line of the report (byCpts), not in the totals, where each
 * slot counts once, under its own CPTS.
 */
export async function offerRows (db: Db, s: ReportScope): Promise<OfferRow[]> {
  let q = db.selectFrom('report_offer_days').where('local_date', '>=', s.from).where('local_date', '<=', s.to)
  if (s.cptsId !== undefined) q = q.where('cpts_id', '=', s.cptsId)
  if (s.kind !== undefined) q = q.where('kind', '=', s.kind)
  const rows = await q
    .select((eb) => ['cpts_id', eb.fn.sum<number>('total').as('total'), eb.fn.sum<number>('withdrawn').as('withdrawn'), eb.fn.sum<number>('booked').as('booked')])
    .groupBy('cpts_id')
    .having((eb) => eb.fn.sum('total'), '>', 0)
    .execute()
  return rows.map(toOfferRow)
}

/**
 * Booked slots by lead time, exact where the percentiles fall: the hours' histogram from
 * report_lead_hours, each hour standing for its first minute, but the hours holding the
 * median and the 90th percentile, which are read to the minute from the slots' lead-ordered
 * index (a few thousand slots). Nearest-rank percentiles of this histogram are those of the
 * full one, and its count is the same. For one CPTS, the full histogram from its own slots.
 */
export async function leadRows (db: Db, s: ReportScope): Promise<LeadRow[]> {
  if (s.cptsId !== undefined) return await leadRowsFromSlots(db, s)
  let q = db.selectFrom('report_lead_hours').where('local_date', '>=', s.from).where('local_date', '<=', s.to)
  if (s.kind !== undefined) q = q.where('kind', '=', s.kind)
  const rows = await q.select((eb) => ['lead_hour', eb.fn.sum<number>('n').as('n')])
    .groupBy('lead_hour').having((eb) => eb.fn.sum('n'), '>', 0).execute()
  const hours = rows.map((r) => ({ minutes: Number(r.lead_hour), n: Number(r.n) }))
  const exact = new Set<number>()
  for (const p of Object.values(LEAD_PERCENTILES)) {
    const hour = percentile(hours, p)
    if (hour !== null) exact.add(hour)
  }
  const out: LeadRow[] = hours.filter((h) => !exact.has(h.minutes)).map((h) => ({ minutes: h.minutes * 60, n: h.n }))
  for (const hour of exact) out.push(...await leadRowsFromSlots(db, s, { from: hour * 60, to: hour * 60 + 60 }))
  return out
}

/** The whole report over the rollups, in one snapshot (season-report.ts). */
export async function seasonReport (db: Db, s: ReportScope, majoration: { euros: number, weeklyCap: number }): Promise<SeasonReport> {
  return await seasonReportOf(db, s, majoration, { dayHours: dayHourRows, groups: groupRows, offers: offerRows, lead: leadRows, majorationCounted: majorationCounts })
}
